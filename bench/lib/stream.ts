// Benchmark inputs: a 720p30 H.264 elementary stream with motion, generated once into the temp dir.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ensureTestStream(frames = 600, width = 1280, height = 720): string {
  const out = join(tmpdir(), `dsk-bench-ball-${width}x${height}-${frames}.h264`);
  if (existsSync(out) && statSync(out).size > 0) return out;
  // stream-format=byte-stream matters: left to negotiate with filesink, x264enc writes AVC (length-prefixed)
  // NAL units that h264parse cannot read from a file.
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-q', 'videotestsrc', 'pattern=ball', `num-buffers=${frames}`, '!',
      `video/x-raw,format=I420,width=${width},height=${height},framerate=30/1`, '!',
      'x264enc', '!', 'video/x-h264,stream-format=byte-stream', '!', 'h264parse', '!', 'filesink', `location=${out}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`cannot generate ${out}: ${r.stderr}`);
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The largest n in 1..maxN for which ok(n) holds (ok is monotone: doubling, then bisection); 0 if none. */
export async function largestPassing(maxN: number, ok: (n: number) => Promise<boolean>): Promise<number> {
  let lo = 0;
  let hi = 0;
  for (let n = 1; n <= maxN; n *= 2) {
    if (await ok(n)) lo = n;
    else {
      hi = n;
      break;
    }
  }
  if (hi === 0) hi = lo + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
