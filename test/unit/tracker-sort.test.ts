// The core SORT tracker, driven with scripted detections (no video): probation, id uniqueness, the lost
// buffer in milliseconds, crossing tracks and the small-fast-box fallback.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackerConfig, trackerSimulate, type SimFrame, type SimTrackedObject } from '../../src/native/tracker.js';

const box = (left: number, top: number, width = 40, height = 40) => ({ left, top, width, height });

/** n frames at `fps` of one box moving by (vx, vy) px per frame. */
function moving(n: number, x0: number, y0: number, vx: number, vy = 0, fps = 30, t0 = 0): SimFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    ptsMs: Math.round(t0 + (i * 1000) / fps),
    detections: [box(x0 + vx * i, y0 + vy * i)],
  }));
}

const ids = (frames: SimTrackedObject[][]) => [...new Set(frames.flat().map((o) => o.id))];

describe('tracker: probation (min-hits)', () => {
  it('outputs nothing until a track has min-hits detections, then outputs it with an id', () => {
    const out = trackerSimulate({ 'min-hits': 3 }, moving(5, 100, 100, 5));
    expect(out.map((f) => f.length)).toEqual([0, 0, 1, 1, 1]);
    expect(ids(out)).toEqual([1]);
  });

  it('a one- or two-frame flicker never gets an id', () => {
    const frames: SimFrame[] = [];
    for (let i = 0; i < 30; i++) {
      // a new spurious box every other frame, each far from the previous one
      frames.push({ ptsMs: i * 33, detections: i % 2 === 0 ? [box(20 + ((i * 97) % 500), 20 + ((i * 53) % 300))] : [] });
    }
    const out = trackerSimulate({ 'min-hits': 3 }, frames);
    expect(out.flat()).toEqual([]);
  });

  it('unconfirmed tracks never share an id: five objects appearing together get five distinct ids', () => {
    const frames: SimFrame[] = Array.from({ length: 6 }, (_, i) => ({
      ptsMs: i * 33,
      detections: [0, 1, 2, 3, 4].map((k) => box(50 + k * 100 + i * 2, 100)),
    }));
    const out = trackerSimulate({ 'min-hits': 3 }, frames);
    expect(out[0]).toEqual([]);
    expect(out[1]).toEqual([]);
    for (const f of out.slice(2)) {
      expect(f).toHaveLength(5);
      expect(new Set(f.map((o) => o.id)).size).toBe(5);
    }
    expect(ids(out).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  it('min-hits=1 confirms immediately', () => {
    expect(trackerSimulate({ 'min-hits': 1 }, moving(2, 0, 0, 3)).map((f) => f.length)).toEqual([1, 1]);
  });
});

describe('tracker: lost buffer in milliseconds and id reuse', () => {
  it('keeps the id across a gap shorter than max-age-ms, whatever the frame rate', () => {
    for (const fps of [10, 30, 60]) {
      // 1 s visible, 600 ms hidden (objects keep moving), visible again
      const before = moving(fps, 100, 200, 300 / fps, 0, fps);
      const gapFrames = Math.round(0.6 * fps);
      const hidden: SimFrame[] = Array.from({ length: gapFrames }, (_, i) => ({ ptsMs: Math.round(((fps + i) * 1000) / fps) }));
      const after = moving(fps, 100 + 300 * (1 + gapFrames / fps), 200, 300 / fps, 0, fps, ((fps + gapFrames) * 1000) / fps);
      const out = trackerSimulate({ 'max-age-ms': 1000 }, [...before, ...hidden, ...after]);
      expect(ids(out), `fps ${fps}`).toEqual([1]);
      expect(out.at(-1)).toHaveLength(1);
    }
  });

  it('drops a track unseen for longer than max-age-ms; the object then gets a new id, never the old one', () => {
    const before = moving(10, 300, 200, 0);
    const after = moving(10, 300, 200, 0, 0, 30, 333 + 1500); // back after ~1.5 s at the same place
    const out = trackerSimulate({ 'max-age-ms': 1000 }, [...before, ...after]);
    expect(ids(out)).toEqual([1, 2]);
  });

  it('ids are never reused and increase monotonically over many short-lived objects', () => {
    const frames: SimFrame[] = [];
    let t = 0;
    for (let k = 0; k < 20; k++) {
      for (let i = 0; i < 4; i++) frames.push({ ptsMs: (t += 33), detections: [box(100 + (k % 2) * 300, 100)] });
      for (let i = 0; i < 10; i++) frames.push({ ptsMs: (t += 33), detections: [] }); // 330 ms gap > max-age
    }
    const out = trackerSimulate({ 'max-age-ms': 200, 'min-hits': 2 }, frames);
    const seen = ids(out);
    expect(seen).toHaveLength(20);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(20);
  });

  it('with coast-ms=0, does not output a lost track while it is unseen', () => {
    const frames = [...moving(5, 100, 100, 2), { ptsMs: 200 }, { ptsMs: 233 }];
    const out = trackerSimulate({ 'coast-ms': 0 }, frames);
    expect(out[4]).toHaveLength(1);
    expect(out[5]).toEqual([]);
    expect(out[6]).toEqual([]);
  });
});

describe('tracker: coasting through detection gaps (coast-ms)', () => {
  // 10 fps footage: a person moves ~50 px per frame and the detector misses them for two frames.
  const walk = (i: number) => box(100 + 50 * i, 300, 60, 160);
  const tenFps = (i: number) => i * 100;

  it('outputs a missed confirmed track at its last measured box, flagged, then matches it again with the same id', () => {
    const frames: SimFrame[] = Array.from({ length: 10 }, (_, i) => ({ ptsMs: tenFps(i), detections: i === 5 || i === 6 ? [] : [walk(i)] }));
    const out = trackerSimulate({ 'coast-ms': 500, 'output-filtered-box': false }, frames);
    expect(out.map((f) => f.length)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(ids(out)).toEqual([1]);
    expect(out[5]![0]).toMatchObject({ coasting: true, left: walk(4).left, top: walk(4).top });
    expect(out[6]![0]).toMatchObject({ coasting: true, left: walk(4).left });
    expect(out[7]![0]).toMatchObject({ coasting: false, left: walk(7).left });
  });

  it('a held box never drifts: a track that stops being detected is not moved across anything by its velocity', () => {
    const frames: SimFrame[] = Array.from({ length: 8 }, (_, i) => ({ ptsMs: tenFps(i), detections: i < 4 ? [walk(i)] : [] }));
    const out = trackerSimulate({ 'coast-ms': 500, 'output-filtered-box': false }, frames);
    const held = out.slice(4).flat();
    expect(held.length).toBeGreaterThan(0);
    for (const o of held) expect(o).toMatchObject({ coasting: true, left: walk(3).left, top: walk(3).top });
  });

  it('stops outputting after coast-ms, and keeps the track for re-matching until max-age-ms', () => {
    const frames: SimFrame[] = Array.from({ length: 14 }, (_, i) => ({ ptsMs: tenFps(i), detections: i >= 4 && i < 12 ? [] : [walk(i)] }));
    const out = trackerSimulate({ 'coast-ms': 300, 'max-age-ms': 1000 }, frames);
    // missed from frame 4: coasting for frames 4..6 (<= 300 ms after frame 3), nothing for 7..11
    expect(out.slice(4, 12).map((f) => f.length)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    // re-detected 900 ms after the last sighting (< max-age-ms): same id (the Kalman prediction moved on)
    expect(ids(out)).toEqual([1]);
  });
});

describe('tracker: association', () => {
  it('crossing tracks keep their ids (constant-velocity prediction through the overlap)', () => {
    const n = 40;
    const frames: SimFrame[] = Array.from({ length: n }, (_, i) => ({
      ptsMs: Math.round((i * 1000) / 30),
      detections: [box(100 + 10 * i, 200), box(490 - 10 * i, 204)], // A goes right, B goes left; they cross at i≈19.5
    }));
    const out = trackerSimulate({}, frames);
    const first = out[5]!;
    const idA = first.find((o) => o.left < 300)!.id;
    const idB = first.find((o) => o.left > 300)!.id;
    expect(idA).not.toBe(idB);
    const last = out[n - 1]!;
    expect(last).toHaveLength(2);
    // After crossing, A is on the right and B on the left.
    expect(last.find((o) => o.id === idA)!.left).toBeGreaterThan(400);
    expect(last.find((o) => o.id === idB)!.left).toBeLessThan(200);
    expect(ids(out).sort()).toEqual([idA, idB].sort());
  });

  it('follows a small fast box through the centre-distance fallback (no IoU between frames)', () => {
    const frames: SimFrame[] = Array.from({ length: 20 }, (_, i) => ({
      ptsMs: Math.round((i * 1000) / 30),
      detections: [{ left: 20 + 18 * i, top: 100, width: 10, height: 10 }],
    }));
    const out = trackerSimulate({}, frames);
    expect(ids(out)).toEqual([1]);
    expect(out.slice(2).every((f) => f.length === 1)).toBe(true);
    // Without the fallback the box never overlaps its previous position and is never confirmed.
    expect(trackerSimulate({ 'center-gate': 0 }, frames).flat()).toEqual([]);
  });

  it('coasts through frames the detector skipped (detector interval) without losing or confirming tracks', () => {
    const frames: SimFrame[] = moving(30, 100, 100, 6).map((f, i) => (i >= 3 && i % 2 === 1 ? { ptsMs: f.ptsMs, skipped: true } : f));
    const out = trackerSimulate({}, frames);
    expect(ids(out)).toEqual([1]);
    // Confirmed from frame 2 on, output in every frame, skipped ones at the predicted position.
    expect(out.slice(2).every((f) => f.length === 1)).toBe(true);
    const predicted = out[29]![0]!;
    expect(Math.abs(predicted.left - (100 + 6 * 29))).toBeLessThan(4);
    // A skipped frame never confirms a tentative track.
    const early = trackerSimulate({}, [{ ptsMs: 0, detections: [box(10, 10)] }, { ptsMs: 33, skipped: true }, { ptsMs: 66, skipped: true }]);
    expect(early.flat()).toEqual([]);
  });

  it('matches only the same class when class-aware', () => {
    const frames: SimFrame[] = Array.from({ length: 6 }, (_, i) => ({
      ptsMs: i * 33,
      detections: [{ ...box(100 + i, 100), classId: i < 3 ? 0 : 2 }],
    }));
    const out = trackerSimulate({ 'min-hits': 2 }, frames);
    const classes = out.flat().map((o) => `${o.id}:${o.classId}`);
    expect(new Set(classes)).toEqual(new Set(['1:0', '2:2']));
  });

  it('smooths the box (Kalman) and stays close to the detections', () => {
    const out = trackerSimulate({}, moving(30, 100, 100, 6));
    const last = out.at(-1)![0]!;
    expect(Math.abs(last.left - (100 + 6 * 29))).toBeLessThan(3);
    expect(Math.abs(last.width - 40)).toBeLessThan(2);
  });
});

describe('tracker config (key file)', () => {
  it('reads the shipped config/tracker_sort.txt with the built-in defaults', () => {
    expect(trackerConfig('config/tracker_sort.txt')).toEqual(trackerConfig());
  });

  it('names file, line and key on a bad value, and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsk-trk-'));
    const f = join(dir, 'bad.txt');
    writeFileSync(f, '[property]\n# comment\nmin-hits=3\nmax-age-ms=soon\n');
    expect(() => trackerConfig(f)).toThrow(`${f}:4: key 'max-age-ms' in [property]: expected an integer, got 'soon'`);
    writeFileSync(f, '[property]\nmin-hit=3\n');
    expect(() => trackerConfig(f)).toThrow(/bad\.txt:2: key 'min-hit' in \[property\]: unknown key/);
    expect(() => trackerConfig({ 'iou-threshold': 2 })).toThrow(/iou-threshold.*out of range/);
    expect(() => trackerConfig(join(dir, 'missing.txt'))).toThrow(/missing\.txt: cannot open config file/);
  });
});
