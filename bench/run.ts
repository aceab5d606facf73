// npm run bench: every benchmark, each with its baseline measured in the same run.
//   1. CPU backend: decode-only throughput of the shipped 720p sample vs the full pipeline (ratio, per-stage
//      timings, settings variants, 720p30 streams one process keeps in real time).
//   2. Detectors: motion vs DNN (default and fast settings) on the real clips and a 720p30 real clip, each
//      against decode-only of the same input; per-stage ms; real-time 720p30 streams per detector.
//   3. Delivery: the native producer vs kcat (plain librdkafka) vs the kafkajs path on a local broker.
// Extra arguments go to both (e.g. --rounds 5).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const extra = process.argv.slice(2);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const benches: Array<[string, string[]]> = [
  ['CPU backend: decode-only vs full pipeline', [join(root, 'bench', 'cpu-pipeline.ts'), join(root, 'samples', 'sample_720p.h264'), '--variants', ...extra]],
  ['CPU backend detectors: motion vs DNN on real clips, per stage, real-time streams', [join(root, 'bench', 'detectors.ts'), ...extra]],
  ['Annotated video (--osd-output): with vs without, same input, same run', [join(root, 'bench', 'osd.ts'), ...extra]],
  ['Kafka delivery: native producer vs kcat vs kafkajs', [join(root, 'bench', 'kafka-producers.ts'), ...extra]],
];
let failed = 0;
for (const [title, args] of benches) {
  console.log(`\n=== ${title}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
