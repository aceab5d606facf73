// Property tests: whatever the frames (NaN boxes, negative sizes, huge ids, time going backwards, random
// configs with degenerate geometry), the engine never throws on well-typed input, never crashes on
// ill-typed input (TypeError only), and its counters obey their invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResolvedAnalyticsConfig, XY } from '../../src/config/resolved.js';
import type { AnalyticsFrameInput, AnalyticsFrameResult, AnalyticsObjectInput } from '../../src/native/analytics.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import { analyticsConfig, horizontalLine, lineRule } from '../helpers/synthetic-tracks.js';

const UNTRACKED = 2n ** 64n - 1n;

// ---- arbitraries -----------------------------------------------------------------------------------------

const coord = fc.double({ min: -500, max: 2500, noNaN: true });
const xy: fc.Arbitrary<XY> = fc.tuple(coord, coord);
const classIds = fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 });
const label = fc.constantFrom('A', 'B', 'C', 'D', 'Entry', 'Exit', 'ü', 'a b', '__proto__', 'constructor');

const streamConfig = (streamId: number) =>
  fc.record({
    streamId: fc.constant(streamId),
    rois: fc.array(fc.record({ label, polygon: fc.array(xy, { maxLength: 6 }), inverse: fc.boolean(), classIds }), { maxLength: 3 }),
    overcrowding: fc.array(
      fc.record({
        label,
        polygon: fc.array(xy, { maxLength: 6 }),
        objectThreshold: fc.integer({ min: 0, max: 5 }),
        timeThresholdMs: fc.nat(5000),
        classIds,
      }),
      { maxLength: 2 },
    ),
    lines: fc.array(
      fc.record({
        label,
        arrow: fc.tuple(xy, xy),
        line: fc.tuple(xy, xy),
        classIds,
        extended: fc.boolean(),
        mode: fc.constantFrom('loose' as const, 'balanced' as const, 'strict' as const),
      }),
      { maxLength: 4 },
    ),
    directions: fc.array(fc.record({ label, from: xy, to: xy, classIds }), { maxLength: 2 }),
  });

const randomConfig: fc.Arbitrary<ResolvedAnalyticsConfig> = fc
  .tuple(streamConfig(0), streamConfig(1), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 4000 }), fc.boolean())
  .map(([s0, s1, w, h, enable]) => analyticsConfig([s0, s1], { configWidth: w, configHeight: h, enable }));

// A fixed config with realistic and degenerate rules, for the invariants on line counts.
const fixedConfig = analyticsConfig([
  {
    streamId: 0,
    lines: [
      horizontalLine('Down', 'down'),
      horizontalLine('Up', 'up', { mode: 'balanced' }),
      horizontalLine('Short', 'down', { mode: 'strict', extended: false, x1: 800, x2: 1000 }),
      lineRule('Zero', [[0, 0], [0, 100]], [[500, 500], [500, 500]]),
      lineRule('Parallel', [[0, 500], [100, 500]], [[400, 500], [1500, 500]]),
    ],
    rois: [
      { label: 'Empty', polygon: [], inverse: true, classIds: [] },
      { label: 'Box', polygon: [[0, 0], [960, 0], [960, 1080], [0, 1080]], inverse: false, classIds: [1] },
    ],
    overcrowding: [{ label: 'OC', polygon: [[0, 0], [1920, 0], [1920, 1080]], objectThreshold: 2, timeThresholdMs: 0, classIds: [] }],
    directions: [{ label: 'S', from: [0, 0], to: [0, 100], classIds: [] }],
  },
  { streamId: 1, lines: [horizontalLine('Down', 'down', { mode: 'loose', extended: false })] },
]);

const anyDouble = fc.double(); // includes NaN, +-Infinity, -0, huge values
const saneOrWild = (min: number, max: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.double({ min, max, noNaN: true }) }, { weight: 1, arbitrary: anyDouble });
const objectId = fc.oneof(
  { weight: 6, arbitrary: fc.nat(12) },
  { weight: 1, arbitrary: fc.bigInt(0n, UNTRACKED) },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 63, 0, UNTRACKED) },
);
const wildObject: fc.Arbitrary<AnalyticsObjectInput> = fc.record(
  {
    id: objectId,
    classId: fc.integer({ min: -3, max: 5 }),
    left: saneOrWild(-200, 2000),
    top: saneOrWild(-200, 1200),
    width: saneOrWild(-100, 400),
    height: saneOrWild(-100, 400),
    confidence: anyDouble,
  },
  { requiredKeys: ['id', 'classId', 'left', 'top', 'width', 'height'] },
);
const wildFrame = fc.record({
  streamId: fc.integer({ min: -1, max: 3 }),
  ptsStep: fc.integer({ min: -1000, max: 1000 }),
  frameWidth: fc.oneof(fc.constant(1920), fc.constant(960), anyDouble),
  frameHeight: fc.oneof(fc.constant(1080), fc.constant(540), anyDouble),
  objects: fc.array(wildObject, { maxLength: 8 }),
});

function toFrames(raw: Array<{ streamId: number; ptsStep: number; frameWidth: number; frameHeight: number; objects: AnalyticsObjectInput[] }>) {
  let pts = 0;
  return raw.map((r, i): AnalyticsFrameInput => {
    pts += r.ptsStep;
    return { streamId: r.streamId, frameNum: i, ptsMs: pts, frameWidth: r.frameWidth, frameHeight: r.frameHeight, objects: r.objects };
  });
}

const isTracked = (id: number | bigint) => BigInt(id) !== UNTRACKED;

/** Per stream and label: cum is monotonic, equals the running sum of curr, and curr <= distinct tracked ids in the frame. */
function checkCounters(frames: AnalyticsFrameInput[], results: AnalyticsFrameResult[]) {
  const lastCum = new Map<string, number>();
  results.forEach((r, i) => {
    const frame = frames[i]!;
    expect(r.streamId).toBe(frame.streamId);
    const distinct = new Set(frame.objects.filter((o) => isTracked(o.id)).map((o) => BigInt(o.id))).size;
    expect(Object.keys(r.objLCCumCnt).sort()).toEqual(Object.keys(r.objLCCurrCnt).sort());
    for (const [lbl, cum] of Object.entries(r.objLCCumCnt)) {
      const curr = r.objLCCurrCnt[lbl]!;
      expect(curr).toBeLessThanOrEqual(distinct);
      const key = `${r.streamId}/${lbl}`;
      const before = lastCum.get(key) ?? 0;
      expect(cum).toBe(before + curr);
      lastCum.set(key, cum);
    }
    const total = Object.values(r.objCnt).reduce((a, b) => a + b, 0);
    expect(total).toBe(frame.objects.length);
  });
}

// ---- properties ------------------------------------------------------------------------------------------

describe('analytics engine fuzz', () => {
  it('never throws on well-typed frames with wild values; counters stay consistent', () => {
    fc.assert(
      fc.property(fc.array(wildFrame, { maxLength: 60 }), (raw) => {
        const engine = createAnalyticsEngine(fixedConfig);
        const frames = toFrames(raw);
        const results = frames.map((f) => engine.process(f));
        checkCounters(frames, results);
        // every configured label, every frame, for the configured streams
        for (const r of results.filter((x) => x.streamId === 0)) {
          expect(Object.keys(r.objLCCumCnt).sort()).toEqual(['Down', 'Parallel', 'Short', 'Up', 'Zero']);
          expect(r.objLCCumCnt.Zero).toBe(0);
          expect(r.objLCCumCnt.Parallel).toBe(0);
          expect(r.objInROIcnt.Empty).toBe(0);
          expect(Object.keys(r.ocStatus)).toEqual(['OC']);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random configs (degenerate polygons, zero-length lines) never throw and report every label', () => {
    fc.assert(
      fc.property(randomConfig, fc.array(wildFrame, { maxLength: 30 }), (cfg, raw) => {
        const engine = createAnalyticsEngine(cfg);
        const frames = toFrames(raw);
        const results = engine.processBatch(frames);
        checkCounters(frames, results);
        for (const r of results) {
          const s = cfg.enable ? cfg.streams.find((x) => x.streamId === r.streamId) : undefined;
          const lineLabels = [...new Set(s?.lines.map((l) => l.label) ?? [])].sort();
          expect(Object.keys(r.objLCCumCnt).sort()).toEqual(lineLabels);
          const ocLabels = [...new Set(s?.overcrowding.map((l) => l.label) ?? [])].sort();
          expect(Object.keys(r.ocStatus).sort()).toEqual(ocLabels);
          const roiLabels = [...new Set([...(s?.rois ?? []), ...(s?.overcrowding ?? [])].map((l) => l.label))].sort();
          expect(Object.keys(r.objInROIcnt).sort()).toEqual(roiLabels);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('without forgetting (pts span <= 300 ms), cumulative counts never exceed the distinct ids seen', () => {
    // Random walkers with big steps so that crossings actually happen; dropouts and flickers included.
    const walker = fc.record({
      id: fc.nat(8),
      x: fc.integer({ min: 300, max: 1600 }),
      y: fc.integer({ min: 0, max: 1000 }),
      vx: fc.integer({ min: -60, max: 60 }),
      vy: fc.integer({ min: -80, max: 80 }),
      dropout: fc.double({ min: 0, max: 0.5, noNaN: true }),
      flicker: fc.double({ min: 0, max: 0.3, noNaN: true }),
      seed: fc.nat(),
    });
    let totalCounted = 0;
    fc.assert(
      fc.property(fc.array(walker, { minLength: 1, maxLength: 8 }), fc.integer({ min: 5, max: 30 }), fc.integer({ min: 0, max: 10 }), (walkers, nFrames, frameMs) => {
        const engine = createAnalyticsEngine(fixedConfig);
        const frames: AnalyticsFrameInput[] = [];
        const seen = new Set<number>();
        for (let k = 0; k < nFrames; k++) {
          const objects: AnalyticsObjectInput[] = [];
          walkers.forEach((w, i) => {
            const r = (((w.seed + 7919 * k + 104729 * i) % 1000) + 1000) % 1000 / 1000; // deterministic pseudo-random
            if (r < w.dropout) return;
            const jump = r > 1 - w.flicker ? 120 : 0;
            objects.push({ id: w.id, classId: i % 3, left: w.x + w.vx * k - 20, top: w.y + w.vy * k + jump - 80, width: 40, height: 80 });
            seen.add(w.id);
          });
          frames.push({ streamId: 0, frameNum: k, ptsMs: k * frameMs, frameWidth: 1920, frameHeight: 1080, objects });
        }
        // span = (nFrames - 1) * frameMs <= 29 * 10 = 290 ms: nothing can be forgotten
        const results = engine.processBatch(frames);
        checkCounters(frames, results);
        const last = results[results.length - 1]!;
        for (const cum of Object.values(last.objLCCumCnt)) {
          expect(cum).toBeLessThanOrEqual(seen.size);
          totalCounted += cum;
        }
      }),
      { numRuns: 300 },
    );
    expect(totalCounted).toBeGreaterThan(0); // the property was not vacuous
  });

  it('ill-typed input is rejected with TypeError, never a crash or another error', () => {
    const engine = createAnalyticsEngine(fixedConfig);
    const anyFrame = fc.oneof(
      fc.anything(),
      fc.record({
        streamId: fc.anything(),
        frameNum: fc.anything(),
        ptsMs: fc.anything(),
        frameWidth: fc.anything(),
        frameHeight: fc.anything(),
        objects: fc.oneof(fc.anything(), fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.anything(), classId: fc.anything(), left: fc.anything(), top: fc.anything(), width: fc.anything(), height: fc.anything() })))),
      }),
    );
    fc.assert(
      fc.property(anyFrame, (frame) => {
        try {
          engine.process(frame as AnalyticsFrameInput);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
        }
        try {
          engine.processBatch([frame] as AnalyticsFrameInput[]);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('survives many distinct ids with a frozen clock (memory is bounded)', () => {
    const engine = createAnalyticsEngine(fixedConfig);
    for (let f = 0; f < 60; f++) {
      const objects: AnalyticsObjectInput[] = [];
      for (let i = 0; i < 500; i++) objects.push({ id: f * 500 + i, classId: 0, left: i * 3, top: 400 + f, width: 10, height: 10 });
      const r = engine.process({ streamId: 0, frameNum: f, ptsMs: 0, frameWidth: 1920, frameHeight: 1080, objects });
      expect(r.objCnt['0']).toBe(500);
    }
  });
});
