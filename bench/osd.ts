// What the annotated video (--osd-output) costs: frames/s of the same run with and without it, as a ratio,
// on the real clip (DNN detector) and on the generated 720p sample (motion detector). The OSD copies each
// frame's planes on the pipeline worker; conversion to BGR, drawing and x264 encoding (ultrafast, one
// thread) run on the encoder's own thread, so on a machine with a spare core the cost is mostly that core.
//
//   npx tsx bench/osd.ts [--repeat N]     (default 2 runs each; the best of them is reported)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAnalyticsConfig } from '../src/config/analytics-config.js';
import { runCpuPipeline, type CpuPipelineOptions } from '../src/native/pipeline.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const repeat = (() => {
  const i = args.indexOf('--repeat');
  return i >= 0 ? Math.max(1, Number(args[i + 1])) : 2;
})();
const cfg = (f: string) => join(root, 'config', f);

interface Case {
  name: string;
  input: string;
  analytics: string;
  options: Partial<CpuPipelineOptions>;
}
const cases: Case[] = [
  {
    name: 'people-one-by-one-a.mp4 768x432, dnn',
    input: join(root, 'samples', 'real', 'people-one-by-one-a.mp4'),
    analytics: join(root, 'samples', 'real', 'people-one-by-one-a.analytics.txt'),
    options: { detectorKind: 'dnn', detectorConfigPath: cfg('detector_dnn.txt') },
  },
  {
    name: 'sample_720p.h264 1280x720, motion',
    input: join(root, 'samples', 'sample_720p.h264'),
    analytics: join(root, 'samples', 'config_nvdsanalytics.txt'),
    options: { detectorKind: 'motion', detectorConfigPath: cfg('detector_motion.txt') },
  },
];

async function fps(c: Case, osd: string | undefined): Promise<number> {
  let best = 0;
  for (let i = 0; i < repeat; i++) {
    const r = await runCpuPipeline({
      inputs: [c.input],
      analyticsConfigJson: JSON.stringify(loadAnalyticsConfig(c.analytics).config),
      trackerConfigPath: cfg('tracker_sort.txt'),
      frameEvents: false,
      ...c.options,
      ...(osd ? { osdOutputs: [osd] } : {}),
    });
    best = Math.max(best, r.fps);
  }
  return best;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dsk-bench-osd-'));
  console.log(`annotated video cost (${cpus().length} cores, best of ${repeat} runs each)`);
  console.log('input                                   | fps without | fps with --osd-output | ratio | MP4 size');
  try {
    for (const c of cases) {
      const out = join(dir, 'osd.mp4');
      const without = await fps(c, undefined);
      const withOsd = await fps(c, out);
      const size = statSync(out).size;
      console.log(
        `${c.name.padEnd(39)} | ${without.toFixed(1).padStart(11)} | ${withOsd.toFixed(1).padStart(21)} | ${(withOsd / without).toFixed(2).padStart(5)} | ${(size / 1e6).toFixed(1)} MB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
