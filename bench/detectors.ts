// Detector benchmark: each CPU-backend detector (motion, DNN at its default and at its fast setting, the
// person-only SSDLite) on the real clips of samples/real/ and on a 720p30 real clip, against decode-only
// throughput of the same input measured in the same run; per-stage milliseconds; and how many real-time
// 720p30 streams one process sustains with each detector.
//
//   npx tsx bench/detectors.ts [--no-streams] [--max-streams N]
//
// The 720p30 input is samples/real/people-one-by-one-a.mp4 scaled to 1280x720 and frame-rate converted to
// 30 fps with GStreamer (real footage at the resolution and rate of a typical camera); the generated
// samples/sample_720p.h264 (painted shapes, the motion detector's sample) is measured as well.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../src/native/addon.js';
import { runCpuPipeline, type CpuPipelineOptions, type CpuRunResult } from '../src/native/pipeline.js';
import { largestPassing } from './lib/stream.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const addon = loadAddon();
const fmt = (x: number, d = 1) => x.toFixed(d);

interface DetectorSetup {
  name: string;
  options: Partial<CpuPipelineOptions>;
}
const cfg = (f: string) => join(root, 'config', f);
const detectors: DetectorSetup[] = [
  { name: 'motion', options: { detectorKind: 'motion', detectorConfigPath: cfg('detector_motion.txt') } },
  { name: 'dnn yolox-nano 640 (default)', options: { detectorKind: 'dnn', detectorConfigPath: cfg('detector_dnn.txt') } },
  { name: 'dnn yolox-nano 416', options: { detectorKind: 'dnn', detectorConfigPath: cfg('detector_dnn.txt'), detector: { 'input-width': 416 } } },
  { name: 'dnn yolox-nano 640, no motion gate', options: { detectorKind: 'dnn', detectorConfigPath: cfg('detector_dnn.txt'), detector: { 'motion-gate': 0 } } },
  { name: 'dnn ssdlite-person 300', options: { detectorKind: 'dnn', detectorConfigPath: cfg('detector_dnn_ssdlite.txt') } },
];

function realClip720p30(): string {
  const out = join(tmpdir(), 'dsk-bench-people-720p30.h264');
  if (existsSync(out) && statSync(out).size > 0) return out;
  const src = join(root, 'samples', 'real', 'people-one-by-one-a.mp4');
  const r = spawnSync('gst-launch-1.0', [
    '-q', 'filesrc', `location=${src}`, '!', 'qtdemux', '!', 'h264parse', '!', 'avdec_h264', '!', 'videoconvert', '!',
    'videoscale', '!', 'videorate', '!', 'video/x-raw,format=I420,width=1280,height=720,framerate=30/1', '!',
    'x264enc', 'speed-preset=veryfast', 'bitrate=4000', '!', 'video/x-h264,stream-format=byte-stream', '!', 'h264parse', '!',
    'filesink', `location=${out}`,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot make ${out}: ${r.stderr}`);
  return out;
}

async function run(inputs: string[], setup: DetectorSetup): Promise<CpuRunResult> {
  return runCpuPipeline({ inputs, frameEvents: false, trackerConfigPath: cfg('tracker_sort.txt'), ...setup.options });
}

async function main() {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const inputs = [
    ...['people-one-by-one-a', 'people-one-by-one-b', 'cars-overhead'].map((n) => join(root, 'samples', 'real', `${n}.mp4`)),
    realClip720p30(),
    join(root, 'samples', 'sample_720p.h264'),
  ];
  console.log('\nper input and detector: full pipeline fps / decode-only fps of the same input (measured just before),');
  console.log('mean ms per frame on the worker thread: scale (map + resize/colour), detect (incl. infer), infer per');
  console.log('inference (and on how many frames the network ran), track, analytics.\n');
  console.log(
    `${'input'.padEnd(30)} ${'detector'.padEnd(36)} ${'fps'.padStart(6)} ${'decode'.padStart(7)} ${'ratio'.padStart(6)} ` +
      `${'scale'.padStart(6)} ${'detect'.padStart(7)} ${'infer'.padStart(6)} ${'ran on'.padStart(9)} ${'track'.padStart(6)} ${'analyt'.padStart(6)}`,
  );
  for (const input of inputs) {
    for (const d of detectors) {
      const dec = await addon.cpuDecodeOnly(input);
      if (dec.error) throw new Error(dec.error);
      const r = await run([input], d);
      const s = r.streams[0]!;
      const t = s.timings;
      console.log(
        `${input.split('/').pop()!.padEnd(30)} ${d.name.padEnd(36)} ${fmt(s.fps).padStart(6)} ${fmt(dec.fps).padStart(7)} ` +
          `${fmt(s.fps / dec.fps, 2).padStart(6)} ${fmt(t.scale.meanMs, 2).padStart(6)} ${fmt(t.detect.meanMs, 2).padStart(7)} ` +
          `${fmt(t.infer.meanMs, 1).padStart(6)} ${`${t.infer.count ?? 0}/${s.frames}`.padStart(9)} ${fmt(t.track.meanMs, 3).padStart(6)} ` +
          `${fmt(t.analytics.meanMs, 3).padStart(6)}`,
      );
    }
  }

  if (args.includes('--no-streams')) return;
  // Real-time 720p30 streams in one process: N copies paced at their frame rate (realtime, as cameras
  // deliver); sustained while no stream drops behind (every stream keeps >= 29 fps over the clip).
  const clip = realClip720p30();
  const maxN = opt('--max-streams', 16);
  console.log(`\nreal-time 720p30 streams in one process (${clip.split('/').pop()}, paced at 30 fps):`);
  for (const d of detectors.slice(0, 3)) {
    const ok = async (n: number) => {
      const r = await runCpuPipeline({ inputs: Array.from({ length: n }, () => clip), frameEvents: false, realtime: true, trackerConfigPath: cfg('tracker_sort.txt'), ...d.options });
      const minFps = Math.min(...r.streams.map((s) => s.fps));
      console.log(`  ${d.name}: N=${n} min ${fmt(minFps)} fps/stream`);
      return minFps >= 29;
    };
    console.log(`  => ${d.name}: ${await largestPassing(maxN, ok)} stream(s) in real time`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
