// Test streams made on the fly with GStreamer (videotestsrc + x264enc): no binary fixtures in the repo.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface H264Options {
  frames?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** videotestsrc pattern; 'ball' is a ball moving over a black background (motion). */
  pattern?: string;
  /** Seconds between key frames (x264enc key-int-max = fps * this). */
  keyIntSec?: number;
}

export function hasGstLaunch(): boolean {
  return spawnSync('gst-launch-1.0', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Encodes an H.264 elementary stream (Annex B byte-stream, as .h264 files are) into `dir`.
 * Note: x264enc must be told stream-format=byte-stream; left to negotiate with filesink it writes AVC
 * (length-prefixed) NAL units that no .h264 reader accepts.
 */
export function makeH264(dir: string, name: string, o: H264Options = {}): string {
  const { frames = 150, width = 640, height = 360, fps = 30, pattern = 'ball', keyIntSec = 2 } = o;
  const out = join(dir, name);
  const args = [
    '-q',
    'videotestsrc',
    `pattern=${pattern}`,
    `num-buffers=${frames}`,
    '!',
    `video/x-raw,format=I420,width=${width},height=${height},framerate=${fps}/1`,
    '!',
    'x264enc',
    'speed-preset=ultrafast',
    `key-int-max=${Math.max(1, Math.round(fps * keyIntSec))}`,
    '!',
    'video/x-h264,stream-format=byte-stream,alignment=au',
    '!',
    'h264parse',
    '!',
    'filesink',
    `location=${out}`,
  ];
  const r = spawnSync('gst-launch-1.0', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`gst-launch-1.0 failed (${r.status}): ${r.stderr || r.stdout}`);
  return out;
}

/** Keeps the first `fraction` of the file's bytes (cuts mid-frame). */
export function truncateCopy(src: string, dst: string, fraction: number): string {
  const buf = readFileSync(src);
  writeFileSync(dst, buf.subarray(0, Math.floor(buf.length * fraction)));
  return dst;
}

/** Copy with `count` bytes inverted starting at `fraction` of the file (corrupts slices mid-stream). */
export function flipBytesCopy(src: string, dst: string, fraction = 0.5, count = 4096): string {
  const buf = Buffer.from(readFileSync(src));
  const start = Math.floor(buf.length * fraction);
  for (let i = start; i < Math.min(buf.length, start + count); i++) buf[i] = buf[i]! ^ 0xff;
  writeFileSync(dst, buf);
  return dst;
}

export function writeText(path: string, text: string): string {
  const fd = openSync(path, 'w');
  writeSync(fd, text);
  closeSync(fd);
  return path;
}
