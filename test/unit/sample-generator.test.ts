// The native generator: writes a valid H.264 elementary stream (decoded back with gst-launch-1.0),
// deterministic per seed, with objects where the ground truth puts them; failures reject, never crash.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

import { addonPath, loadAddon } from '../../src/native/addon.js';
import { generateSampleStream } from '../../src/native/generator.js';
import { generateScenarioSample, truthPathFor } from '../../src/sample/generate.js';
import type { GroundTruth } from '../../src/sample/ground-truth.js';
import { boxAt, normalizeScenario, type Scenario } from '../../src/sample/scenario.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'dsk-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small: Scenario = {
  name: 'small',
  seed: 42,
  width: 320,
  height: 240,
  frames: 60,
  objects: [
    { size: [30, 50], color: '#c83232', path: [{ frame: 0, x: 120, y: 300 }, { frame: 59, x: 120, y: -10 }] },
    { size: [16, 30], shape: 'ellipse', color: '#2f5fc8', path: [{ frame: 0, x: 230, y: 40 }, { frame: 59, x: 230, y: 260 }] },
  ],
  analytics: { lines: [{ label: 'mid', arrow: [[160, 160], [160, 80]], line: [[40, 120], [280, 120]], extended: false }] },
};

/** Decodes with gst-launch-1.0; returns the decoded frame count and the decoder's output caps. */
async function decode(path: string): Promise<{ frames: number; caps: string }> {
  const { stdout } = await run(
    'gst-launch-1.0',
    ['-v', 'filesrc', `location=${path}`, '!', 'h264parse', '!', 'avdec_h264', '!', 'fakesink', 'silent=false'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const frames = stdout.split('\n').filter((l) => l.includes('last-message = chain')).length;
  const caps = stdout.split('\n').find((l) => l.includes('avdec_h264') && l.includes('src: caps = video/x-raw')) ?? '';
  return { frames, caps };
}

/** Decodes to raw 8-bit luma frames. */
async function decodeGray(path: string, width: number, height: number): Promise<Uint8Array[]> {
  const raw = join(dir, `${Math.random().toString(36).slice(2)}.gray`);
  await run('gst-launch-1.0', [
    '-q', 'filesrc', `location=${path}`, '!', 'h264parse', '!', 'avdec_h264', '!', 'videoconvert', '!',
    'video/x-raw,format=GRAY8', '!', 'filesink', `location=${raw}`,
  ]);
  const buf = readFileSync(raw);
  const size = width * height; // width is a multiple of 4: no row padding
  const out: Uint8Array[] = [];
  for (let o = 0; o + size <= buf.length; o += size) out.push(buf.subarray(o, o + size));
  return out;
}

describe('generateSample (native)', () => {
  it('writes a decodable H.264 stream and its ground truth', async () => {
    const out = await generateScenarioSample(small, join(dir, 'small.h264'));
    expect(out.stream).toMatchObject({ frames: 60, width: 320, height: 240 });
    expect(out.stream.bytes).toBeGreaterThan(1000);
    const head = readFileSync(out.streamPath).subarray(0, 4);
    expect([...head]).toEqual([0, 0, 0, 1]); // Annex B start code: byte-stream
    const { frames, caps } = await decode(out.streamPath);
    expect(frames).toBe(60);
    expect(caps).toMatch(/format=\(string\)I420, width=\(int\)320, height=\(int\)240/);
    expect(caps).toMatch(/framerate=\(fraction\)30\/1/);

    expect(out.truthPath).toBe(join(dir, 'small.truth.json'));
    const truth = JSON.parse(readFileSync(out.truthPath, 'utf8')) as GroundTruth;
    expect(truth).toMatchObject({ scenario: 'small', width: 320, height: 240, frames: 60, fps: 30 });
    expect(truth.expected.lc_cum).toEqual({ mid: 1 });
    expect(truth.expected.crossings).toEqual([{ frame: expect.any(Number), objectIndex: 0, label: 'mid' }]);
  });

  it('is deterministic: same seed, same bytes; another seed, other bytes', async () => {
    const a = join(dir, 'a.h264');
    const b = join(dir, 'b.h264');
    const c = join(dir, 'c.h264');
    await generateScenarioSample(small, a);
    await generateScenarioSample(small, b);
    await generateScenarioSample({ ...small, seed: 43 }, c);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it('draws each object exactly inside the box the ground truth uses', async () => {
    // No noise, no drift: only the object changes the picture. Frame 0 has no object (it appears at 10).
    const s = normalizeScenario({
      seed: 5,
      width: 320,
      height: 240,
      frames: 30,
      noise: 0,
      lighting: { amplitude: 0 },
      encoder: { bitrateKbps: 2000 },
      objects: [{ size: [40, 60], color: '#e6c828', appear: 10, path: [{ frame: 10, x: 100, y: 120 }, { frame: 29, x: 220, y: 200 }] }],
      analytics: { lines: [] },
    });
    const path = join(dir, 'box.h264');
    await generateSampleStream(JSON.stringify(s), path);
    const frames = await decodeGray(path, 320, 240);
    expect(frames).toHaveLength(30);
    const bg = frames[0]!;
    for (const f of [12, 20, 28]) {
      const img = frames[f]!;
      const b = boxAt(s.objects[0]!, f);
      let inside = 0;
      let nIn = 0;
      let outside = 0;
      let nOut = 0;
      for (let y = 0; y < 240; ++y)
        for (let x = 0; x < 320; ++x) {
          const d = Math.abs(img[y * 320 + x]! - bg[y * 320 + x]!);
          // 3 px inside / outside the exact box, away from the blurred edge
          if (x >= b.left + 3 && x < b.left + b.width - 3 && y >= b.top + 3 && y < b.top + b.height - 3) {
            inside += d;
            nIn++;
          } else if (x < b.left - 3 || x >= b.left + b.width + 3 || y < b.top - 3 || y >= b.top + b.height + 3) {
            outside += d;
            nOut++;
          }
        }
      expect(inside / nIn, `frame ${f} inside`).toBeGreaterThan(30);
      expect(outside / nOut, `frame ${f} outside`).toBeLessThan(3);
    }
  });

  it('renders a fixed body luma (luma) and global exposure steps (exposureSteps)', async () => {
    const s = normalizeScenario({
      seed: 6,
      width: 320,
      height: 240,
      frames: 30,
      noise: 0,
      lighting: { amplitude: 0 },
      background: { kind: 'plain', texture: 0.5 },
      encoder: { bitrateKbps: 2000 },
      exposureSteps: [{ frame: 10, gain: 1.3 }, { frame: 20, gain: 0.8, rampFrames: 4 }],
      objects: [{ size: [60, 100], shape: 'ellipse', color: '#20242a', luma: 30, texture: 0, path: [{ frame: 0, x: 100, y: 200 }, { frame: 29, x: 101, y: 200 }] }],
      analytics: { lines: [] },
    });
    const path = join(dir, 'luma.h264');
    await generateSampleStream(JSON.stringify(s), path);
    const frames = await decodeGray(path, 320, 240);
    // Mean luma of a region, back from the decoder's limited range (16-235) to 0-255.
    const mean = (img: Uint8Array, x0: number, y0: number, x1: number, y1: number) => {
      let sum = 0;
      for (let y = y0; y < y1; ++y) for (let x = x0; x < x1; ++x) sum += img[y * 320 + x]!;
      return ((sum / ((x1 - x0) * (y1 - y0)) - 16) * 255) / 219;
    };
    // The body's centre, at the base exposure: its luma as given (x1.1 shading at an ellipse's centre;
    // the default would push it 60 above the ~110 background), whatever the colour.
    expect(Math.abs(mean(frames[5]!, 90, 130, 110, 170) - 33)).toBeLessThan(5);
    // Background away from the object: +30 % from frame 10, -20 % after the ramp (frames 20-23).
    const bg = (f: number) => mean(frames[f]!, 200, 20, 300, 220);
    expect(bg(12) / bg(5)).toBeGreaterThan(1.25);
    expect(bg(12) / bg(5)).toBeLessThan(1.35);
    expect(bg(9)).toBeCloseTo(bg(5), 0);
    expect(bg(21)).toBeGreaterThan(bg(26));
    expect(bg(21)).toBeLessThan(bg(12));
    expect(bg(26) / bg(5)).toBeGreaterThan(0.75);
    expect(bg(26) / bg(5)).toBeLessThan(0.85);
  });

  it('renders a cast shadow (shadow) under the object, outside its box', async () => {
    const s = normalizeScenario({
      seed: 7,
      width: 320,
      height: 240,
      frames: 12,
      noise: 0,
      lighting: { amplitude: 0 },
      background: { kind: 'plain', texture: 0.5 },
      encoder: { bitrateKbps: 2000 },
      objects: [{ size: [40, 80], appear: 5, shadow: { offset: [50, 0], factor: 0.5 }, path: [{ frame: 5, x: 100, y: 200 }, { frame: 11, x: 101, y: 200 }] }],
      analytics: { lines: [] },
    });
    const path = join(dir, 'shadow.h264');
    await generateSampleStream(JSON.stringify(s), path);
    const frames = await decodeGray(path, 320, 240);
    const mean = (img: Uint8Array, x0: number, y0: number, x1: number, y1: number) => {
      let sum = 0;
      for (let y = y0; y < y1; ++y) for (let x = x0; x < x1; ++x) sum += img[y * 320 + x]!;
      return ((sum / ((x1 - x0) * (y1 - y0)) - 16) * 255) / 219;
    };
    // Box x 80-120 (frame 8: 80.5-120.5), shadow x 130-170, y 120-200: half as bright as without the object.
    const ratio = mean(frames[8]!, 135, 130, 165, 190) / mean(frames[2]!, 135, 130, 165, 190);
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
    // Not above the box (nothing there) and not in frames without the object.
    expect(mean(frames[8]!, 135, 20, 165, 100) / mean(frames[2]!, 135, 20, 165, 100)).toBeCloseTo(1, 1);
  });

  it('rejects an unwritable path, a directory and a bad scenario with Errors, leaving nothing behind', async () => {
    const json = JSON.stringify(normalizeScenario(small));
    await expect(generateSampleStream(json, join(dir, 'no-such-dir', 'x.h264'))).rejects.toThrow(/cannot write .*does not exist/);
    await expect(generateSampleStream(json, '/proc/dsk-sample.h264')).rejects.toThrow(/cannot write \/proc\/dsk-sample\.h264/);
    mkdirSync(join(dir, 'adir'));
    await expect(generateSampleStream(json, join(dir, 'adir'))).rejects.toThrow(/is a directory/);
    await expect(generateSampleStream('{"seed": -1}', join(dir, 'bad.h264'))).rejects.toThrow(/scenario: seed/);
    await expect(generateSampleStream('not json', join(dir, 'bad.h264'))).rejects.toThrow(/invalid JSON/);
    await expect(
      generateSampleStream(JSON.stringify({ seed: 1, objects: [{ size: [10, 10], path: [] }] }), join(dir, 'bad.h264')),
    ).rejects.toThrow(/objects\[0\]\.path/);
    expect(existsSync(join(dir, 'bad.h264'))).toBe(false);
    const addon = loadAddon() as unknown as { generateSample: (...a: unknown[]) => Promise<unknown> };
    await expect(addon.generateSample(42)).rejects.toThrow(TypeError);
  });

  it('names the Debian package when x264enc is missing', async () => {
    // A child process whose GStreamer registry holds every system plugin except x264.
    const { stdout: pluginsDir } = await run('pkg-config', ['--variable=pluginsdir', 'gstreamer-1.0']);
    const plugins = join(dir, 'plugins-no-x264');
    mkdirSync(plugins);
    for (const f of readdirSync(pluginsDir.trim())) if (f.endsWith('.so') && f !== 'libgstx264.so') symlinkSync(join(pluginsDir.trim(), f), join(plugins, f));
    const script = `require(${JSON.stringify(addonPath())}).generateSample(process.argv[1], process.argv[2])
      .then(() => console.log('resolved'), (e) => console.log('rejected: ' + e.message))`;
    const { stdout } = await run(process.execPath, ['-e', script, JSON.stringify(normalizeScenario(small)), join(dir, 'nox264.h264')], {
      env: { ...process.env, GST_PLUGIN_SYSTEM_PATH_1_0: plugins, GST_PLUGIN_PATH_1_0: '', GST_REGISTRY_1_0: join(dir, 'registry.bin') },
    });
    expect(stdout).toMatch(/rejected: .*x264enc.*gstreamer1\.0-plugins-ugly/);
    expect(existsSync(join(dir, 'nox264.h264'))).toBe(false);
  });

  it('puts the truth file next to the stream', () => {
    expect(truthPathFor('/x/y/sample_720p.h264')).toBe('/x/y/sample_720p.truth.json');
  });
});
