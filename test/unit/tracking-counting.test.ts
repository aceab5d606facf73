// Tracker + analytics together on scripted detections shaped like a real detector's at 10 fps: a person
// who enters from below the frame edge (box clipped by the border), crosses a line 20 px above the edge,
// and whose detections drop out for several frames right at the line; a person who walks up to a line,
// waits (with detector dropouts) and walks back. The tracker's coasting keeps the analytics' history, the
// held (never predicted) box keeps a stopped person from drifting across a line.
import { describe, expect, it } from 'vitest';
import { createAnalyticsEngine, type AnalyticsFrameResult } from '../../src/native/analytics.js';
import { trackerSimulate, type SimDetection, type SimFrame } from '../../src/native/tracker.js';
import { analyticsConfig, lineRule } from '../helpers/synthetic-tracks.js';

const W = 768;
const H = 432;
// Entry: segment y = 412 (20 px above the bottom edge), arrow upwards.
const config = analyticsConfig(
  [{ streamId: 0, lines: [lineRule('Entry', [[384, 430], [384, 380]], [[100, 412], [660, 412]], { extended: false })] }],
  { configWidth: W, configHeight: H },
);

/** A 300-px-tall person whose feet are at `feetY` (may be below the frame), as a detector reports it: clipped to the frame. */
function person(x: number, feetY: number): SimDetection {
  const top = feetY - 300;
  const bottom = Math.min(H, feetY);
  return { left: x, top: Math.max(0, top), width: 140, height: bottom - Math.max(0, top), classId: 2, confidence: 0.8 };
}

function count(frames: SimFrame[], tracker: Record<string, number | boolean>): { cum: number; crossingFrames: number[] } {
  const tracked = trackerSimulate(tracker, frames);
  const engine = createAnalyticsEngine(config);
  const results: AnalyticsFrameResult[] = tracked.map((objs, i) =>
    engine.process({ streamId: 0, frameNum: i, ptsMs: frames[i]!.ptsMs!, frameWidth: W, frameHeight: H, objects: objs }),
  );
  return {
    cum: results.at(-1)!.objLCCumCnt['Entry']!,
    crossingFrames: results.flatMap((r, i) => ((r.objLCCurrCnt['Entry'] ?? 0) > 0 ? [i] : [])),
  };
}

describe('tracking + counting on 10 fps detections', () => {
  // Feet from 600 (below the frame) to 150, 50 px per frame (the box stays clipped at the bottom edge until
  // frame 4); detections missing for frames 3-5, where the feet go from 450 to 350: exactly across the line
  // at 412. Confirmed (min-hits 3) at frame 2, still clipped.
  const feet = (i: number) => 600 - 50 * i;
  const entering: SimFrame[] = Array.from({ length: 10 }, (_, i) => ({
    ptsMs: i * 100,
    detections: i >= 3 && i <= 5 ? [] : [person(300, feet(i))],
  }));

  it('a person entering from below the edge counts once although the detector misses them for 300 ms at the line', () => {
    const r = count(entering, { 'coast-ms': 500 });
    expect(r.cum).toBe(1);
    expect(r.crossingFrames).toEqual([6]); // judged when seen again, against where they were last seen
  });

  it('without coasting the same detections lose the crossing (the analytics forget an object unseen > 300 ms)', () => {
    expect(count(entering, { 'coast-ms': 0 }).cum).toBe(0);
  });

  it('a person who walks up to the line, waits with detector dropouts and walks back never counts', () => {
    // Feet from 600 up to 420 (8 px short of the line), wait 2 s with every other detection missing, back down.
    const y = (i: number) => (i < 6 ? 600 - 30 * i : i < 26 ? 420 : 420 + 30 * (i - 25));
    const frames: SimFrame[] = Array.from({ length: 34 }, (_, i) => ({
      ptsMs: i * 100,
      detections: i >= 6 && i < 26 && i % 2 === 1 ? [] : [person(300, y(i))],
    }));
    expect(count(frames, { 'coast-ms': 500 }).cum).toBe(0);
    // ...and still counts once when they finally do walk across (same track, same id).
    const across: SimFrame[] = frames.map((f, i) => (i < 26 ? f : { ptsMs: f.ptsMs, detections: [person(300, 420 - 30 * (i - 25))] }));
    expect(count(across, { 'coast-ms': 500 }).cum).toBe(1);
  });
});
