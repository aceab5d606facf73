// Pictures decoded back to RGB bytes with GStreamer's own tools (pngdec, qtdemux + avdec_h264), so the
// tests check what a viewer would see. Widths used are multiples of 4 (GStreamer pads RGB rows to 4 bytes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Rgb {
  width: number;
  height: number;
  data: Buffer;
}

function decode(pipeline: string[], out: string): Buffer {
  execFileSync('gst-launch-1.0', ['-q', ...pipeline, '!', 'videoconvert', '!', 'video/x-raw,format=RGB', '!', 'filesink', `location=${out}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return readFileSync(out);
}

/** A PNG (bytes) as RGB; its size is read from the PNG header. */
export function decodePng(png: Buffer): Rgb {
  const dir = mkdtempSync(join(tmpdir(), 'dsk-png-'));
  try {
    const inFile = join(dir, 'in.png');
    writeFileSync(inFile, png);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const data = decode(['filesrc', `location=${inFile}`, '!', 'pngdec'], join(dir, 'out.rgb'));
    return { width, height, data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every frame of an MP4 (H.264) as RGB, concatenated; frames = bytes / frame size. */
export function decodeMp4(file: string, width: number, height: number): { frames: number; frame(i: number): Rgb } {
  const dir = mkdtempSync(join(tmpdir(), 'dsk-mp4-'));
  try {
    const data = decode(['filesrc', `location=${file}`, '!', 'qtdemux', '!', 'h264parse', '!', 'avdec_h264'], join(dir, 'out.rgb'));
    const size = width * height * 3;
    return {
      frames: data.length / size,
      frame: (i: number) => ({ width, height, data: data.subarray(i * size, (i + 1) * size) }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pixel(img: Rgb, x: number, y: number): [number, number, number] {
  const o = (Math.round(y) * img.width + Math.round(x)) * 3;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}

/** Close to an [R, G, B] colour, each channel within tol. */
export function near(p: [number, number, number], c: [number, number, number], tol: number): boolean {
  return Math.abs(p[0] - c[0]) <= tol && Math.abs(p[1] - c[1]) <= tol && Math.abs(p[2] - c[2]) <= tol;
}

/** Pixels of a rectangle (inclusive) close to a colour. */
export function countNear(img: Rgb, x0: number, y0: number, x1: number, y1: number, c: [number, number, number], tol: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y <= Math.min(img.height - 1, y1); y++)
    for (let x = Math.max(0, x0); x <= Math.min(img.width - 1, x1); x++) if (near(pixel(img, x, y), c, tol)) n++;
  return n;
}

/** Mean [R, G, B] of a rectangle (inclusive). */
export function meanRgb(img: Rgb, x0: number, y0: number, x1: number, y1: number): [number, number, number] {
  const s = [0, 0, 0];
  let n = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const p = pixel(img, x, y);
      s[0]! += p[0];
      s[1]! += p[1];
      s[2]! += p[2];
      n++;
    }
  return [s[0]! / n, s[1]! / n, s[2]! / n];
}
