// The AnalyticsEngine binding: construction errors, input validation, defaults at the TS -> C++ boundary,
// id/bigint handling, batch semantics and multi-stream independence.
import { describe, expect, it } from 'vitest';
import type { ResolvedAnalyticsConfig } from '../../src/config/resolved.js';
import { loadAddon } from '../../src/native/addon.js';
import type { AnalyticsFrameInput } from '../../src/native/analytics.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import {
  analyticsConfig,
  buildFrames,
  crossingFrames,
  finalCum,
  horizontalLine,
  lineRule,
  moving,
  run,
} from '../helpers/synthetic-tracks.js';

const { AnalyticsEngine } = loadAddon();
const basic = () => analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down')] }]);

describe('construction', () => {
  it('needs a JSON string', () => {
    expect(() => new AnalyticsEngine(42 as unknown as string)).toThrow(TypeError);
  });

  it('rejects invalid JSON', () => {
    expect(() => new AnalyticsEngine('{nope')).toThrow(/invalid JSON/);
  });

  it.each([
    ['$.configWidth', (c: any) => (c.configWidth = 0)],
    ['$.streams', (c: any) => (c.streams = {})],
    ['$.streams[0].lines[0].mode', (c: any) => (c.streams[0].lines[0].mode = 'fast')],
    ['$.streams[0].lines[0].arrow', (c: any) => (c.streams[0].lines[0].arrow = [[1, 2]])],
    ['$.streams[0].lines[0].line[1][0]', (c: any) => (c.streams[0].lines[0].line[1][0] = 'x')],
    ['$.streams[0].lines[0].classIds[0]', (c: any) => (c.streams[0].lines[0].classIds = [1.5])],
    ['$.streams[0].lines[0].label', (c: any) => (c.streams[0].lines[0].label = '')],
    ['$.streams[1].streamId', (c: any) => c.streams.push({ ...c.streams[0] })],
    ['$.streams[0].rois[0].polygon[1]', (c: any) => (c.streams[0].rois = [{ label: 'R', polygon: [[0, 0], [1]], inverse: false, classIds: [] }])],
    ['$.streams[0].overcrowding[0].objectThreshold', (c: any) => (c.streams[0].overcrowding = [{ label: 'O', polygon: [], objectThreshold: -1 }])],
    ['$.streams[0].directions[0].to', (c: any) => (c.streams[0].directions = [{ label: 'D', from: [0, 0] }])],
  ])('names the JSON path of a shape error: %s', (where, mutate) => {
    const cfg = JSON.parse(JSON.stringify(basic()));
    mutate(cfg);
    let message = '';
    try {
      createAnalyticsEngine(cfg as ResolvedAnalyticsConfig);
    } catch (err) {
      expect(err).toBeInstanceOf(Error);
      message = (err as Error).message;
    }
    expect(message).toContain(where);
  });

  it('applies DeepStream defaults when a line omits mode, extended and classIds (loose, extended=1, all classes)', () => {
    const cfg = basic() as any;
    cfg.streams[0].lines[0] = { label: 'L', arrow: [[950, 400], [950, 600]], line: [[400, 500], [900, 500]] };
    const engine = createAnalyticsEngine(cfg);
    // Beside the finite segment (x = 1200 > 900), 4 frames only, class 5:
    // y = 400, 440, 480, 560 -> frame 3: seen 4 > 3 (loose), prev 420, disp 140 -> counts (extended).
    const results = run(engine, [{ id: 1, classId: 5, points: [400, 440, 480, 560].map((y, frame) => ({ frame, x: 1200, y })) }]);
    expect(crossingFrames(results, 'L')).toEqual([3]);
  });

  it('a repeated label replaces the earlier rule', () => {
    // Two 'L' lines: y = 500 then y = 700. Only y = 700 is used: y = 305 + 10k passes 700 at k = 40 (705).
    const cfg = analyticsConfig([
      {
        streamId: 0,
        lines: [horizontalLine('L', 'down'), lineRule('L', [[950, 600], [950, 800]], [[400, 700], [1500, 700]])],
      },
    ]);
    const results = run(createAnalyticsEngine(cfg), [moving(1, [950, 305], [0, 10], 50)]);
    expect(crossingFrames(results, 'L')).toEqual([40]);
    expect(Object.keys(results[0]!.objLCCumCnt)).toEqual(['L']);
  });
});

describe('frame validation', () => {
  const good = (): AnalyticsFrameInput => ({
    streamId: 0,
    frameNum: 0,
    ptsMs: 0,
    frameWidth: 1920,
    frameHeight: 1080,
    objects: [{ id: 1, classId: 0, left: 0, top: 0, width: 10, height: 10 }],
  });

  it.each([
    ['nothing', undefined, /frame/],
    ['null', null, /frame must be an object, got null/],
    ['an array', [], /frame must be an object, got array/],
    ['no objects', { ...good(), objects: undefined }, /frame\.objects must be an array/],
    ['string streamId', { ...good(), streamId: '0' }, /frame\.streamId must be a number/],
    ['fractional streamId', { ...good(), streamId: 0.5 }, /frame\.streamId must be an integer/],
    ['negative frameNum', { ...good(), frameNum: -1 }, /frame\.frameNum/],
    ['NaN ptsMs', { ...good(), ptsMs: NaN }, /frame\.ptsMs must be a finite number/],
    ['string frameWidth', { ...good(), frameWidth: '1920' }, /frame\.frameWidth must be a number/],
    ['object that is a number', { ...good(), objects: [3] }, /frame\.objects\[0\] must be an object/],
    ['negative id', { ...good(), objects: [{ ...good().objects[0], id: -1 }] }, /frame\.objects\[0\]\.id/],
    ['fractional id', { ...good(), objects: [{ ...good().objects[0], id: 1.5 }] }, /frame\.objects\[0\]\.id/],
    ['id of 2^64', { ...good(), objects: [{ ...good().objects[0], id: 2 ** 64 }] }, /below 2\^64/],
    ['bigint id of 2^64', { ...good(), objects: [{ ...good().objects[0], id: 2n ** 64n }] }, /frame\.objects\[0\]\.id/],
    ['string classId', { ...good(), objects: [{ ...good().objects[0], classId: '3' }] }, /frame\.objects\[0\]\.classId/],
    ['missing left', { ...good(), objects: [{ id: 1, classId: 0, top: 0, width: 1, height: 1 }] }, /frame\.objects\[0\]\.left must be a number, got undefined/],
    ['string confidence', { ...good(), objects: [{ ...good().objects[0], confidence: 'high' }] }, /confidence/],
  ])('throws TypeError for %s', (_name, frame, message) => {
    const engine = createAnalyticsEngine(basic());
    const call = () => (frame === undefined ? (engine.process as any)() : engine.process(frame as any));
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it('processBatch validates every frame before processing any', () => {
    const engine = createAnalyticsEngine(basic());
    const frames = buildFrames([moving(1, [950, 305], [0, 10], 40)]);
    const bad = [...frames, { ...frames[39]!, objects: 'nope' } as unknown as AnalyticsFrameInput];
    expect(() => engine.processBatch(bad)).toThrow(/frames\[40\]\.objects must be an array/);
    // If frames 0..39 had been processed, id 1 would already be counted and this pass would not count it.
    const results = engine.processBatch(frames);
    expect(crossingFrames(results, 'L')).toEqual([20]);
    expect(() => engine.processBatch('x' as any)).toThrow(TypeError);
  });

  it('accepts NaN boxes and negative sizes (sanitised, not rejected)', () => {
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, rois: [{ label: 'R', polygon: [[100, 100], [500, 100], [500, 500], [100, 500]], inverse: false, classIds: [] }] }]),
    );
    // {left 320, top 380, width -40, height -80} normalises to left 280, top 300, 40x80: bottom centre (300, 380), inside.
    const r = engine.process({
      ...good(),
      objects: [
        { id: 1, classId: 0, left: 320, top: 380, width: -40, height: -80 },
        { id: 2, classId: 0, left: NaN, top: Infinity, width: -Infinity, height: 1 },
      ],
    });
    expect(r.objInROIcnt).toEqual({ R: 1 });
    expect(r.objCnt).toEqual({ '0': 2 });
  });
});

describe('ids and result shape', () => {
  it('keeps 64-bit ids: bigint in, bigint out above 2^53', () => {
    const big = 2n ** 64n - 2n;
    const results = run(createAnalyticsEngine(basic()), [moving(big, [950, 305], [0, 10], 40)]);
    expect(crossingFrames(results, 'L')).toEqual([20]);
    expect(results[20]!.objects[0]!.id).toBe(big);
    // small ids stay numbers
    const small = run(createAnalyticsEngine(basic()), [moving(12, [950, 305], [0, 10], 40)]);
    expect(small[20]!.objects[0]!.id).toBe(12);
  });

  it('returns the frame identity and every configured label every frame', () => {
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 3,
          lines: [horizontalLine('A', 'down'), horizontalLine('B', 'up')],
          rois: [{ label: 'R', polygon: [[0, 0], [10, 0], [10, 10]], inverse: false, classIds: [] }],
          overcrowding: [{ label: 'O', polygon: [[0, 0], [10, 0], [10, 10]], objectThreshold: 2, timeThresholdMs: 0, classIds: [] }],
        },
      ]),
    );
    const r = engine.process({ streamId: 3, frameNum: 2n ** 60n, ptsMs: 123.9, frameWidth: 1920, frameHeight: 1080, objects: [] });
    expect(r).toEqual({
      streamId: 3,
      frameNum: 2n ** 60n,
      ptsMs: 123,
      ocStatus: { O: false },
      objInROIcnt: { R: 0, O: 0 },
      objLCCurrCnt: { A: 0, B: 0 },
      objLCCumCnt: { A: 0, B: 0 },
      objCnt: {},
      objects: [],
    });
  });
});

describe('labels are user text', () => {
  it('keeps labels such as __proto__ and constructor as plain keys', () => {
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [horizontalLine('__proto__', 'down'), horizontalLine('constructor', 'down')] }]),
    );
    const results = run(engine, [moving(1, [950, 305], [0, 10], 40)]);
    const last = results[39]!;
    expect(Object.keys(last.objLCCumCnt).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(last.objLCCumCnt, '__proto__')?.value).toBe(1);
    expect(Object.getOwnPropertyDescriptor(last.objLCCumCnt, 'constructor')?.value).toBe(1);
    expect(results[20]!.objects[0]!.lcStatus).toEqual(['__proto__', 'constructor']);
  });
});

describe('multi-stream independence', () => {
  it('keeps per-stream state: same ids, same labels, different clocks', () => {
    // Stream 0: 'L' at y = 500. Stream 2: 'L' at y = 300. Stream 1: no config.
    // The same id 1 in all three streams, frames interleaved s0, s1, s2.
    // s0: y = 305 + 10k -> counts at 20 (prev 310, y 505).
    // s2: y = 105 + 10k -> first past 300 at k = 20 (305), prev 110 -> counts at 20.
    // s1: objCnt only.
    // Stream 2's clock starts at 100 000 ms: a shared forgetting clock would reset stream 0's object.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        { streamId: 0, lines: [horizontalLine('L', 'down')] },
        { streamId: 2, lines: [lineRule('L', [[950, 200], [950, 400]], [[400, 300], [1500, 300]])] },
      ]),
    );
    const s0 = buildFrames([moving(1, [950, 305], [0, 10], 40)], { streamId: 0 });
    const s1 = buildFrames([moving(1, [950, 305], [0, 10], 40)], { streamId: 1 });
    const s2 = buildFrames([moving(1, [950, 105], [0, 10], 40)], { streamId: 2, ptsOffset: 100_000 });
    const out: Record<number, ReturnType<typeof engine.process>[]> = { 0: [], 1: [], 2: [] };
    for (let f = 0; f < 40; f++) {
      out[0]!.push(engine.process(s0[f]!));
      out[1]!.push(engine.process(s1[f]!));
      out[2]!.push(engine.process(s2[f]!));
    }
    expect(crossingFrames(out[0]!, 'L')).toEqual([20]);
    expect(crossingFrames(out[2]!, 'L')).toEqual([20]);
    expect(finalCum(out[0]!, 'L')).toBe(1);
    expect(finalCum(out[2]!, 'L')).toBe(1);
    expect(out[1]!.every((r) => Object.keys(r.objLCCumCnt).length === 0 && r.objCnt['0'] === 1)).toBe(true);
    expect(out[2]![39]!.streamId).toBe(2);
  });

  it('two engines do not share state', () => {
    const a = createAnalyticsEngine(basic());
    const b = createAnalyticsEngine(basic());
    const frames = buildFrames([moving(1, [950, 305], [0, 10], 40)]);
    expect(crossingFrames(a.processBatch(frames), 'L')).toEqual([20]);
    expect(crossingFrames(b.processBatch(frames), 'L')).toEqual([20]);
  });
});
