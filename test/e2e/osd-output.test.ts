// The annotated video (osdOutput / --osd-output): a valid H.264 MP4 with one frame per processed frame,
// the rules drawn at their place in the documented colours, a flash on a line when a crossing counts, and a
// properly finalised file after stop(). Frames are decoded back with qtdemux ! h264parse ! avdec_h264.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnalyticsConfig } from '../../src/config/analytics-config.js';
import { InputError } from '../../src/errors.js';
import { renderPreview } from '../../src/preview/preview.js';
import { loadAddon } from '../../src/native/addon.js';
import '../../src/native/osd.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import { runCli } from '../helpers/cli.js';
import { decodeMp4, decodePng, meanRgb, near, pixel, type Rgb } from '../helpers/pixels.js';
import { sample } from '../helpers/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'dsk-osd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const colours = loadAddon().osdColours();

// samples/config_nvdsanalytics.txt (1280x720 config space = the frame): straight (200,450)-(1080,450),
// Exit (1160,150)-(1160,650). H.264 4:2:0 blurs colours on thin lines: a wide tolerance, most points.
function lineVisible(img: Rgb, colour: [number, number, number], points: Array<[number, number]>, tol = 70): number {
  return points.filter(([x, y]) => [-1, 0, 1].some((d) => near(pixel(img, x, y + d), colour, tol))).length;
}
const straight: Array<[number, number]> = [[260, 450], [420, 450], [560, 450], [760, 450], [900, 450], [1040, 450]];

describe('annotated video', () => {
  it('writes every processed frame with the lines drawn, and flashes a line when a crossing counts', { timeout: 120_000 }, async () => {
    const out = join(dir, 'sample.mp4');
    const crossings: Array<{ frame: number; labels: string[] }> = [];
    const p = createPipeline({ inputs: [sample.stream], detector: 'motion', analyticsConfig: sample.analyticsConfig, osdOutput: out }).start();
    p.on('frame', (f) => {
      const labels = Object.entries(f.objLCCurrCnt).filter(([, n]) => n > 0).map(([l]) => l);
      if (labels.length) crossings.push({ frame: f.frameNum, labels });
    });
    const report = await p.done;
    expect(report.streams[0]).toMatchObject({ state: 'eos', frames: sample.truth.frames, lcCum: sample.truth.expected.lc_cum });

    const video = decodeMp4(out, 1280, 720);
    expect(video.frames).toBe(sample.truth.frames);
    const f5 = video.frame(5);
    expect(lineVisible(f5, colours.line, straight)).toBeGreaterThanOrEqual(5);
    expect(lineVisible(f5, colours.line, [[1160, 200], [1160, 300], [1160, 550], [1160, 640]])).toBeGreaterThanOrEqual(3);
    expect(lineVisible(f5, colours.line, [[260, 480], [560, 420]], 40)).toBe(0); // off the line: the picture
    // Undrawn parts keep the decoder's colours (same range and matrix as the input): grass, bottom left.
    const original = decodePng(await renderPreview({ input: sample.stream, analyticsConfig: { ...loadAnalyticsConfig(sample.analyticsConfig).config, streams: [] }, frame: 5 }));
    const a = meanRgb(original, 60, 600, 160, 660);
    const b = meanRgb(f5, 60, 600, 160, 660);
    for (let i = 0; i < 3; i++) expect(Math.abs(a[i]! - b[i]!), `channel ${i}: ${a} vs ${b}`).toBeLessThan(8);

    // The frame after a crossing of "straight": the line is white and thicker (4 px off its centre).
    const c = crossings.find((x) => x.labels.includes('straight'))!;
    expect(c).toBeDefined();
    const flash = video.frame(c.frame + 1);
    const off: Array<[number, number]> = straight.map(([x, y]) => [x, y + 3]);
    expect(lineVisible(flash, colours.lineFlash, off, 60)).toBeGreaterThanOrEqual(4);
    expect(lineVisible(f5, colours.lineFlash, off, 60)).toBeLessThanOrEqual(1);
  });

  it('finalises a playable MP4 when the run is stopped', { timeout: 120_000 }, async () => {
    const out = join(dir, 'stopped.mp4');
    const p = createPipeline({ inputs: [sample.stream], detector: 'motion', analyticsConfig: sample.analyticsConfig, osdOutput: out, realtime: true }).start();
    await new Promise((r) => setTimeout(r, 2000));
    const report = await p.stop();
    expect(report.stopped).toBe(true);
    const frames = report.streams[0]!.frames;
    expect(frames).toBeGreaterThan(10);
    expect(frames).toBeLessThan(sample.truth.frames);
    expect(decodeMp4(out, 1280, 720).frames).toBe(frames);
  });

  it('needs {stream} with several inputs, and an existing directory', () => {
    expect(() => createPipeline({ inputs: [sample.stream, sample.stream], detector: 'motion', osdOutput: join(dir, 'x.mp4') })).toThrow(InputError);
    expect(() => createPipeline({ inputs: [sample.stream], detector: 'motion', osdOutput: join(dir, 'no', 'x.mp4') })).toThrow(/directory .* not found/);
  });

  it('the CLI writes one file per stream and says where', { timeout: 120_000 }, async () => {
    const r = await runCli(
      ['run', '-i', sample.stream, '-i', sample.stream, '--detector', 'motion', '--analytics-config', sample.analyticsConfig, '--osd-output', join(dir, 'cli-{stream}.mp4')],
      { timeoutMs: 110_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`stream 0: annotated video written to ${join(dir, 'cli-0.mp4')}`);
    expect(r.stdout).toContain(`stream 1: annotated video written to ${join(dir, 'cli-1.mp4')}`);
    expect(decodeMp4(join(dir, 'cli-1.mp4'), 1280, 720).frames).toBe(sample.truth.frames);
    const usage = await runCli(['run', '-i', sample.stream, '-i', sample.stream, '--osd-output', join(dir, 'same.mp4')]);
    expect(usage.code).toBe(2);
  });
});
