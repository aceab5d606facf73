// The line preview (native drawing, src/preview/): rules are drawn where config-width/height scaling puts
// them, with the documented colours, the direction arrow's head on the side objects must arrive at, and
// ROIs tinted. Checked on pixels of the PNG decoded back by GStreamer's pngdec.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { loadAddon } from '../../src/native/addon.js';
import '../../src/native/osd.js';
import { renderPreview, renderPreviewImage } from '../../src/preview/preview.js';
import { runCli } from '../helpers/cli.js';
import { countNear, decodePng, meanRgb, near, pixel } from '../helpers/pixels.js';
import { sample } from '../helpers/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'dsk-preview-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Config space 640x360 on the 1280x720 sample: every coordinate lands at twice its value.
const halfConfig = join(dir, 'half.txt');
writeFileSync(
  halfConfig,
  `[property]
enable=1
config-width=640
config-height=360

[roi-filtering-stream-0]
enable=1
roi-Zone=20;20;200;20;200;120;20;120
inverse-roi=0
class-id=-1

[overcrowding-stream-0]
enable=1
roi-Crowd=440;250;620;250;620;340;440;340
object-threshold=3
class-id=-1

[line-crossing-stream-0]
enable=1
line-crossing-Test=320;250;320;150;100;200;540;200
class-id=-1
extended=0
mode=loose

[direction-detection-stream-0]
enable=1
direction-North=600;150;600;50
class-id=-1
`,
);

const colours = loadAddon().osdColours();
const blank = { ...loadAnalyticsConfig(halfConfig).config, streams: [] };

describe('line preview pixels', () => {
  it('draws the line at its scaled place, the arrow head on the end side, ROIs tinted', async () => {
    const drawn = await renderPreviewImage({ input: sample.stream, analyticsConfig: halfConfig, frame: 0 });
    expect(drawn).toMatchObject({ width: 1280, height: 720, frameNum: 0 });
    expect(drawn.warnings).toEqual([]);
    const img = decodePng(drawn.png);
    const plain = decodePng(await renderPreview({ input: sample.stream, analyticsConfig: blank, frame: 0 }));

    // Line (100,200)-(540,200) in config space -> (200,400)-(1080,400) in the frame.
    for (const x of [210, 300, 500, 900, 1070]) expect(near(pixel(img, x, 400), colours.line, 10), `line at x=${x}`).toBe(true);
    expect(near(pixel(img, 150, 400), colours.line, 60)).toBe(false); // the segment ends at x=200 (extended=0)
    expect(near(pixel(img, 1130, 400), colours.line, 60)).toBe(false);
    expect(near(pixel(img, 300, 420), colours.line, 60)).toBe(false);

    // Arrow 320;250 -> 320;150 points up: its head is above the line (smaller y), across the midpoint x=640.
    const headAbove = countNear(img, 600, 320, 680, 370, colours.lineArrow, 30);
    const mirroredBelow = countNear(img, 600, 440, 680, 480, colours.lineArrow, 30) // below the tail (y <= 434);
    expect(headAbove).toBeGreaterThan(100);
    expect(mirroredBelow).toBeLessThan(10);
    let wide = 0; // the head's wings spread sideways
    for (let x = 600; x <= 680; x++) if (countNear(img, x, 340, x, 367, colours.lineArrow, 30) > 0) wide++;
    expect(wide).toBeGreaterThan(20);

    // ROI Zone (x 40..400, y 40..240) is tinted green with alpha 0.3; outside it the picture is untouched.
    const [r0, g0, b0] = meanRgb(plain, 60, 180, 120, 230);
    const [r1, g1, b1] = meanRgb(img, 60, 180, 120, 230);
    expect(Math.abs(r1 - 0.7 * r0)).toBeLessThan(6);
    expect(Math.abs(g1 - (0.7 * g0 + 0.3 * 200))).toBeLessThan(6);
    expect(Math.abs(b1 - 0.7 * b0)).toBeLessThan(6);
    const outside = meanRgb(img, 440, 180, 500, 230);
    const outsidePlain = meanRgb(plain, 440, 180, 500, 230);
    expect(outside).toEqual(outsidePlain);

    // Overcrowding Crowd (x 880..1240, y 500..680) is tinted red.
    const [cr0] = meanRgb(plain, 900, 620, 960, 670);
    const [cr1] = meanRgb(img, 900, 620, 960, 670);
    expect(Math.abs(cr1 - (0.7 * cr0 + 0.3 * 255))).toBeLessThan(6);

    // Direction North (600,150)->(600,50): a cyan arrow at x=1200 between y=100 and y=300.
    expect(countNear(img, 1195, 150, 1205, 250, colours.direction, 30)).toBeGreaterThan(100);
  });

  it('warns about coordinates outside config-width/height and draws them clipped', async () => {
    const file = join(dir, 'outside.txt');
    writeFileSync(file, '[property]\nenable=1\nconfig-width=640\nconfig-height=360\n\n[line-crossing-stream-0]\nenable=1\nline-crossing-Far=320;250;320;150;100;200;900;200\nclass-id=-1\n');
    const r = await renderPreviewImage({ input: sample.stream, analyticsConfig: file });
    // From the file: file:line and the point, once.
    expect(r.warnings).toEqual([expect.stringMatching(/outside\.txt:8.*\(900,200\) outside config-width x config-height \(640x360\): drawn clipped$/)]);
    // A resolved config (no file): the drawing's own warning names the rule.
    const resolved = await renderPreviewImage({ input: sample.stream, analyticsConfig: loadAnalyticsConfig(file).config });
    expect(resolved.warnings).toEqual(['stream 0: line-crossing "Far" has point (900, 200) outside config-width x config-height 640x360: drawn clipped']);
    const img = decodePng(r.png);
    expect(near(pixel(img, 1270, 400), colours.line, 10)).toBe(true); // runs to the frame's edge
  });

  it('chooses the frame by time, and rejects inputs, frames and configs that cannot work', async () => {
    const r = await renderPreviewImage({ input: sample.stream, analyticsConfig: sample.analyticsConfig, atSeconds: 2 });
    expect(r.ptsMs).toBeGreaterThanOrEqual(1999);
    expect(r.ptsMs).toBeLessThan(2050);
    await expect(renderPreview({ input: join(dir, 'missing.mp4'), analyticsConfig: sample.analyticsConfig })).rejects.toThrow(InputError);
    await expect(renderPreview({ input: sample.stream, analyticsConfig: sample.analyticsConfig, frame: 100_000 })).rejects.toThrow(
      /frame 100000 is beyond the end of .*sample_720p.h264 \(540 frames\)/,
    );
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '[line-crossing-stream-0]\nenable=1\nline-crossing-X=1;2;3\n');
    await expect(renderPreview({ input: sample.stream, analyticsConfig: bad })).rejects.toThrow(ConfigError);
  });
});

describe('ds-kafka preview', () => {
  it('writes the PNG and says which frame it drew on', async () => {
    const out = join(dir, 'cli.png');
    const r = await runCli(['preview', '-i', sample.stream, '--analytics-config', sample.analyticsConfig, '--at', '1', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*cli\.png: stream 0 rules on frame \d+ \(1\.0\d s\)/);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });

  it('exit 3 for a missing input, 2 for a bad config, 2 for --at with --frame', async () => {
    const missing = await runCli(['preview', '-i', join(dir, 'nope.mp4'), '--analytics-config', sample.analyticsConfig, '-o', join(dir, 'x.png')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/input not found/);
    const bad = join(dir, 'bad2.txt');
    writeFileSync(bad, '[property]\nconfig-width=abc\n');
    const badCfg = await runCli(['preview', '-i', sample.stream, '--analytics-config', bad, '-o', join(dir, 'y.png')]);
    expect(badCfg.code).toBe(2);
    const both = await runCli(['preview', '-i', sample.stream, '--analytics-config', sample.analyticsConfig, '--at', '1', '--frame', '2']);
    expect(both.code).toBe(2);
    expect(existsSync(join(dir, 'x.png')) || existsSync(join(dir, 'y.png'))).toBe(false);
  });
});
