// Line-counting failure modes seen in peer tools (shared/docs/deepstream-reference.md §8), with DeepStream's
// semantics: bottom centre, smoothed previous point (mean of the 2 oldest of <= 50 previous samples),
// thresholds per mode, once per id per label, forgotten after > 300 ms unseen.
// Default line: y = 500, x in [400, 1500]. 'Down' counts y < 500 -> y >= 500, 'Up' the reverse.
// Frames are 40 ms apart.
import { describe, expect, it } from 'vitest';
import type { XY } from '../../src/config/resolved.js';
import type { AnalyticsFrameInput } from '../../src/native/analytics.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import {
  analyticsConfig,
  crossingFrames,
  finalCum,
  horizontalLine,
  lineRule,
  moving,
  path,
  repeat,
  run,
} from '../helpers/synthetic-tracks.js';

const downUp = (mode: 'loose' | 'balanced' | 'strict') =>
  createAnalyticsEngine(
    analyticsConfig([{ streamId: 0, lines: [horizontalLine('Down', 'down', { mode }), horizontalLine('Up', 'up', { mode })] }]),
  );

/** Stationary at (950, 490) for frames 0..59, one frame at flickerY (frame 60), back at 490 for 61..99,
 * then a real crossing from frame 100: y = 490 + 10(k - 99). */
function flickerTrack(flickerY: number) {
  const positions: XY[] = [...repeat([950, 490], 60), [950, flickerY], ...repeat([950, 490], 39)];
  for (let k = 100; k < 140; k++) positions.push([950, 490 + 10 * (k - 99)]);
  return path(1, positions);
}

describe('one-frame flicker across the line', () => {
  it('balanced: a 40 px flicker does not count; the real crossing counts once, never the opposite line', () => {
    // Frame 60: prev = 490 (history all 490), curr 530: disp^2 = 1600 < 3000 -> no count.
    // Frame 61: back to 490: Up needs prev > 500 -> no.
    // Real crossing: prev stays 490 (oldest samples are from frames >= 50, all 490 except the flicker at 60,
    // which is never among the two oldest before frame 110). disp > 54.77 first at k = 105 (y = 550, disp 60).
    const results = run(downUp('balanced'), [flickerTrack(530)]);
    expect(crossingFrames(results, 'Down')).toEqual([105]);
    expect(crossingFrames(results, 'Up')).toEqual([]);
  });

  it('loose: a 20 px flicker does not count (400 < 1000); the real crossing then counts once', () => {
    // Real crossing: disp = 10(k - 99) > 31.62 first at k = 103 (y = 530, disp 40).
    const results = run(downUp('loose'), [flickerTrack(510)]);
    expect(crossingFrames(results, 'Down')).toEqual([103]);
    expect(crossingFrames(results, 'Up')).toEqual([]);
  });

  it('loose: a 50 px flicker counts (2500 > 1000, as DeepStream) but only once, and never for the reverse line', () => {
    // Frame 60: disp 50 -> Down counts. Frame 61 back to 490: Up's start side is y > 500, prev is 490 -> no.
    // The later real crossing is the same id on the same label -> not counted again.
    const results = run(downUp('loose'), [flickerTrack(540)]);
    expect(crossingFrames(results, 'Down')).toEqual([60]);
    expect(crossingFrames(results, 'Up')).toEqual([]);
    expect(finalCum(results, 'Down')).toBe(1);
  });
});

describe('lines at the frame edge', () => {
  /** A 100 px wide box moving down out of the frame; boxes clipped at the frame bottom (height px). */
  function leavingBottom(frames: number, startTop: number, height: number, frameH: number): AnalyticsFrameInput[] {
    const out: AnalyticsFrameInput[] = [];
    for (let k = 0; k < frames; k++) {
      const top = startTop + 20 * k;
      const bottom = Math.min(top + height, frameH);
      out.push({
        streamId: 0,
        frameNum: k,
        ptsMs: 40 * k,
        frameWidth: (frameH * 16) / 9,
        frameHeight: frameH,
        objects: [{ id: 1, classId: 0, left: 910, top, width: 100, height: bottom - top }],
      });
    }
    return out;
  }

  it('a line 5 px above the bottom edge counts boxes clipped by the frame', () => {
    // top_k = 700 + 20k, bottom = min(900 + 20k, 1080): 1060 at k = 8, 1080 (clipped) from k = 9.
    // prev = mean(900, 920) = 910; k = 9: 1080 >= 1075, disp 170, seen 10 > 3 -> frame 9.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [lineRule('Edge', [[960, 1000], [960, 1079]], [[0, 1075], [1920, 1075]], { extended: false })] }]),
    );
    expect(crossingFrames(engine.processBatch(leavingBottom(13, 700, 200, 1080)), 'Edge')).toEqual([9]);
  });

  it('a line exactly on the bottom edge counts (reaching the line is enough)', () => {
    // Same track: bottom = 1080 at k = 9 lies on the line y = 1080 -> counts at 9.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [lineRule('Edge', [[960, 1000], [960, 1080]], [[0, 1080], [1920, 1080]], { extended: false })] }]),
    );
    expect(crossingFrames(engine.processBatch(leavingBottom(13, 700, 200, 1080)), 'Edge')).toEqual([9]);
  });

  it('the config edge maps onto the frame edge after scaling (1920x1080 -> 1280x720)', () => {
    // Config y = 1080 -> frame y = 720. top_k = 500 + 20k, bottom = min(600 + 20k, 720): 700 at k = 5, 720 at k = 6.
    // prev = 610, disp 110, seen 7 > 3 -> frame 6.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [lineRule('Edge', [[960, 1000], [960, 1080]], [[0, 1080], [1920, 1080]], { extended: false })] }]),
    );
    expect(crossingFrames(engine.processBatch(leavingBottom(9, 500, 100, 720)), 'Edge')).toEqual([6]);
  });

  it('a line near the right edge counts a box clipped on the right', () => {
    // left_k = 1700 + 20k, right = min(1800 + 20k, 1920); bottom centre x = (left + right) / 2:
    // k = 0: 1750, 1: 1770, ..., 6: 1870, 7: 1880, 8: 1890. Line x = 1885 -> first past at k = 8.
    // prev = mean(1750, 1770) = 1760; disp 130; seen 9 > 3 -> frame 8.
    const frames: AnalyticsFrameInput[] = [];
    for (let k = 0; k < 10; k++) {
      const left = 1700 + 20 * k;
      const right = Math.min(1800 + 20 * k, 1920);
      frames.push({
        streamId: 0,
        frameNum: k,
        ptsMs: 40 * k,
        frameWidth: 1920,
        frameHeight: 1080,
        objects: [{ id: 1, classId: 0, left, top: 500, width: right - left, height: 100 }],
      });
    }
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [lineRule('Right', [[1800, 540], [1919, 540]], [[1885, 0], [1885, 1080]], { extended: false })] }]),
    );
    expect(crossingFrames(engine.processBatch(frames), 'Right')).toEqual([8]);
  });
});

describe('id reuse and forgetting (~300 ms)', () => {
  // First life: y = 305 + 10k at frames 0..29 -> counted at frame 20; last seen at frame 29 (pts 1160).
  // Second appearance of the same id from frame F, same trajectory (y = 305 + 10j, j = 0..29).
  const twoLives = (F: number) => [
    moving(7, [950, 305], [0, 10], 30),
    moving(7, [950, 305], [0, 10], 30, { startFrame: F }),
  ];

  it('back after 280 ms (< 300): still remembered, not counted again', () => {
    // F = 36: pts 1440 - 1160 = 280 ms.
    const results = run(downUp('loose'), twoLives(36));
    expect(crossingFrames(results, 'Down')).toEqual([20]);
    expect(finalCum(results, 'Down')).toBe(1);
  });

  it('back after 320 ms (> 300): forgotten, counts again as a new object', () => {
    // F = 37: pts 1480 - 1160 = 320 ms -> new state; its frames-seen restarts; crossing at j = 20 -> frame 57.
    const results = run(downUp('loose'), twoLives(37));
    expect(crossingFrames(results, 'Down')).toEqual([20, 57]);
    expect(finalCum(results, 'Down')).toBe(2);
  });

  it('forgetting follows ptsMs, not frame numbers', () => {
    // Same frames as the 280 ms case but 60 ms per frame: gap = 7 frames * 60 = 420 ms -> forgotten.
    const results = run(downUp('loose'), twoLives(36), { frameMs: 60 });
    expect(crossingFrames(results, 'Down')).toEqual([20, 56]);
  });
});

describe('jitter and id switches on the line', () => {
  it('a box jittering +-20 px around the line never counts, in either direction', () => {
    // y alternates 480, 520: prev = mean(480, 520) = 500 (on the line, not strictly on a start side) from
    // frame 2 on; at frame 1 prev = 480 but the object is too young (seen 2, not > 3).
    const positions: XY[] = Array.from({ length: 200 }, (_, k) => [950, k % 2 ? 520 : 480] as XY);
    const results = run(downUp('loose'), [path(1, positions)]);
    expect(finalCum(results, 'Down')).toBe(0);
    expect(finalCum(results, 'Up')).toBe(0);
  });

  it('id switches every 10 frames while jittering on the line do not inflate counts', () => {
    // Each new id starts its history at 480 (even frame) then 520: the same argument per id.
    const frames: AnalyticsFrameInput[] = [];
    for (let k = 0; k < 200; k++)
      frames.push({
        streamId: 0,
        frameNum: k,
        ptsMs: 40 * k,
        frameWidth: 1920,
        frameHeight: 1080,
        objects: [{ id: 100 + Math.floor(k / 10), classId: 0, left: 930, top: (k % 2 ? 520 : 480) - 80, width: 40, height: 80 }],
      });
    const results = downUp('loose').processBatch(frames);
    expect(finalCum(results, 'Down')).toBe(0);
    expect(finalCum(results, 'Up')).toBe(0);
  });
});

describe('objects that stop', () => {
  it('stops on the line, changes id, then moves on: exactly one count', () => {
    // id 1: y = 305 + 10k for k = 0..19 (up to 495), then stands at 495 (frames 20..119): never past 500.
    // id 2 (id switch) at 495 for frames 120..139, then y = 495 + 10(k - 139) up to 595 (k = 149), stays to 159.
    //   prev = 495; k = 143: y = 535, disp 40, 1600 > 1000, seen 24 -> count at 143 (k = 142: disp 30, 900).
    // id 3 (another switch) stands at 595 (frames 160..199): its prev is 595, already past -> never.
    const id2: XY[] = [...repeat([950, 495], 20)];
    for (let k = 140; k <= 149; k++) id2.push([950, 495 + 10 * (k - 139)]);
    id2.push(...repeat([950, 595], 10));
    const results = run(downUp('loose'), [
      path(1, [...Array.from({ length: 20 }, (_, k) => [950, 305 + 10 * k] as XY), ...repeat([950, 495], 100)]),
      path(2, id2, { startFrame: 120 }),
      path(3, repeat([950, 595], 40), { startFrame: 160 }),
    ]);
    expect(crossingFrames(results, 'Down')).toEqual([143]);
    expect(crossingFrames(results, 'Up')).toEqual([]);
  });

  it('turns back before the line: nothing counts', () => {
    // y = 305 + 10k up to 485 (k = 18), then back to 305.
    const positions: XY[] = [];
    for (let k = 0; k <= 18; k++) positions.push([950, 305 + 10 * k]);
    for (let k = 19; k <= 36; k++) positions.push([950, 485 - 10 * (k - 18)]);
    const results = run(downUp('loose'), [path(1, positions)]);
    expect(finalCum(results, 'Down')).toBe(0);
    expect(finalCum(results, 'Up')).toBe(0);
  });
});

describe('shared and missing ids', () => {
  it('five boxes sharing one id (unconfirmed tracks) count at most once', () => {
    // All five cross at frame 20 (y = 305 + 10k); only the first occurrence of id 9 feeds line crossing.
    const tracks = [500, 700, 900, 1100, 1300].map((x) => moving(9, [x, 305], [0, 10], 40));
    const results = run(downUp('loose'), tracks);
    expect(crossingFrames(results, 'Down')).toEqual([20]);
    expect(results[20]!.objCnt).toEqual({ '0': 5 });
  });

  it('untracked objects (id 2^64 - 1) never cross lines', () => {
    const results = run(downUp('loose'), [moving(2n ** 64n - 1n, [950, 305], [0, 10], 40)]);
    expect(finalCum(results, 'Down')).toBe(0);
    expect(results[20]!.objCnt).toEqual({ '0': 1 });
  });
});
