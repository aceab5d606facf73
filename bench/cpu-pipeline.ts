// CPU backend benchmark: decode-only throughput vs the full pipeline (decode -> motion detection -> tracking
// -> analytics) on the same stream in the same run, per-stage timings, and how many 720p30 streams one
// process keeps in real time.
//
//   npx tsx bench/cpu-pipeline.ts [file.h264] [--rounds N] [--variants] [--no-streams] [--max-streams N]
//
// Without a file it generates a 1280x720, 600-frame, 30 fps stream with a moving ball (videotestsrc).
// DS_KAFKA_ADDON selects the addon build (default build/Release/ds_kafka.node).
import { spawnSync } from 'node:child_process';
import { loadAddon } from '../src/native/addon.js';
import { runCpuPipeline, type CpuPipelineOptions, type CpuRunResult } from '../src/native/pipeline.js';
import { ensureTestStream, largestPassing, median } from './lib/stream.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--') && /^\d+$/.test(a))) ?? ensureTestStream();
const rounds = opt('--rounds', 3);

const addon = loadAddon();
const fmt = (x: number, d = 1) => x.toFixed(d);

/** CPU time (all threads of this process: GStreamer, workers) per frame: robust to other load on the box. */
let lastCpuMsPerFrame = 0;
async function cpuTimed<T extends { frames: number }>(fn: () => Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  lastCpuMsPerFrame = (c.user + c.system) / 1000 / Math.max(1, r.frames);
  return r;
}

async function full(extra: Partial<CpuPipelineOptions> = {}, inputs = [file]): Promise<CpuRunResult> {
  return cpuTimed(() => runCpuPipeline({ inputs, frameEvents: false, ...extra }));
}
const decodeOnly = (threads = 0) => cpuTimed(() => addon.cpuDecodeOnly(file, threads));

function gstLaunchFps(): number | undefined {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', 'h264parse', '!', 'avdec_h264', 'max-threads=0', '!', 'fakesink', 'sync=false']);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return r.status === 0 ? ms : undefined;
}

async function main() {
  console.log(`input: ${file}`);
  const warm = await addon.cpuDecodeOnly(file);
  if (warm.error) throw new Error(warm.error);
  console.log(`frames: ${warm.frames}`);

  // (a) vs (b), interleaved so both see the same machine load.
  const dec: number[] = [];
  const fullFps: number[] = [];
  const decCpu: number[] = [];
  const fullCpu: number[] = [];
  let last: CpuRunResult | undefined;
  for (let r = 0; r < rounds; r++) {
    const d = await decodeOnly();
    dec.push(d.fps);
    decCpu.push(lastCpuMsPerFrame);
    last = await full();
    fullFps.push(last.streams[0]!.fps);
    fullCpu.push(lastCpuMsPerFrame);
    console.log(
      `  round ${r + 1}: decode-only ${fmt(d.fps)} fps (${fmt(decCpu.at(-1)!, 2)} CPU-ms/frame), ` +
        `full pipeline ${fmt(last.streams[0]!.fps)} fps (${fmt(fullCpu.at(-1)!, 2)} CPU-ms/frame)`,
    );
  }
  const gstMs = gstLaunchFps();
  const decodeFps = median(dec);
  const pipeFps = median(fullFps);
  console.log('\n(a) decode-only  (filesrc ! h264parse ! avdec_h264 max-threads=0 ! fakesink sync=false, in-process)');
  console.log(`    ${fmt(decodeFps)} fps (median of ${rounds})` + (gstMs ? `; gst-launch-1.0 wall incl. start-up: ${fmt(gstMs, 0)} ms = ${fmt((warm.frames * 1000) / gstMs)} fps` : ''));
  console.log('(b) full CPU pipeline (decode -> motion -> tracker -> analytics)');
  console.log(`    ${fmt(pipeFps)} fps (median of ${rounds})`);
  console.log(`    ratio full / decode-only: ${fmt(pipeFps / decodeFps, 2)}  (target >= 0.70)`);
  const dc = median(decCpu);
  const fc = median(fullCpu);
  console.log(
    `    CPU time per frame: decode-only ${fmt(dc, 2)} ms, full ${fmt(fc, 2)} ms -> CPU-bound ratio ${fmt(dc / fc, 2)}` +
      ` (what the fps ratio converges to when the machine is saturated; load avg now ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`,
  );
  const s = last!.streams[0]!;
  const t = s.timings;
  console.log('    per-frame stage timings on the worker thread (mean / max ms):');
  for (const [k, v] of Object.entries(t)) console.log(`      ${k.padEnd(11)} ${fmt(v.meanMs, 3).padStart(7)} / ${fmt(v.maxMs, 2)}`);

  if (flag('--variants')) {
    console.log('\nvariants (median fps of 3 runs each):');
    const variants: Array<[string, Partial<CpuPipelineOptions>]> = [
      ['default (OpenCV INTER_AREA halving to 256 px, 1 decoder thread on 2 cores)', {}],
      ['scale in GStreamer (videoscale)', { scaleInGstreamer: true }],
      ['processing-width=480', { detector: { 'processing-width': 480 } }],
      ['processing-width=320', { detector: { 'processing-width': 320 } }],
      ['mixtures=5 (OpenCV default)', { detector: { mixtures: 5 } }],
      ['detect-shadows=0', { detector: { 'detect-shadows': 0 } }],
      ['algorithm=knn', { detector: { algorithm: 'knn' } }],
      ['frame events to JS on', { frameEvents: true }],
      ['decoderThreads=0 (libav frame threading)', { decoderThreads: 0 }],
      ['interval=0 (detect every frame)', { detector: { interval: 0 } }],
      ['previous defaults: interval=0, 320 px, libav threading', { detector: { interval: 0, 'processing-width': 320 }, decoderThreads: 0 }],

    ];
    for (const [name, extra] of variants) {
      const fps: number[] = [];
      const proc: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await full(extra);
        fps.push(r.streams[0]!.fps);
        proc.push(r.streams[0]!.timings.process.meanMs);
        cpu.push(lastCpuMsPerFrame);
      }
      console.log(
        `  ${name.padEnd(48)} ${fmt(median(fps)).padStart(7)} fps   worker ${fmt(median(proc), 3)} ms/frame   ` +
          `CPU ${fmt(median(cpu), 2)} ms/frame`,
      );
    }
  }

  if (!flag('--no-streams')) {
    // (c) N copies in parallel, as fast as possible: real time while every stream still does >= 30 fps.
    console.log('\n(c) parallel streams of this input in one process (per-stream fps must stay >= 30):');
    const maxN = opt('--max-streams', 64);
    const minFps = async (n: number) => {
      const r = await full({}, Array.from({ length: n }, () => file));
      const m = Math.min(...r.streams.map((x) => x.fps));
      console.log(`  N=${String(n).padStart(2)}: min ${fmt(m)} fps/stream, total ${fmt(r.fps)} fps`);
      return m;
    };
    const lo = await largestPassing(maxN, async (n) => (await minFps(n)) >= 30);
    console.log(`    => ${lo} stream(s) of this input in real time (30 fps each)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
