// Line crossing, as nvdsanalytics counts it (shared/docs/deepstream-reference.md §1).
//
// Conventions for the arithmetic in the comments (see native/core/analytics/engine.cc):
//  - y is the bottom centre of the box; frames are 40 ms apart.
//  - the history holds the previous frames' samples (max 50); prev = mean of its 2 oldest samples.
//  - at frame k of a track, framesSeen = k + 1 (the current frame included).
//  - count when framesSeen > F, disp^2 > D, cos >= C, prev strictly before the line, current on/after it.
//    loose F=3 D=1000 C=0.1; balanced F=10 D=3000 C=0.5; strict F=20 D=6000 C=0.8.
// The default line is y = 500, x in [400, 1500]; 'down' counts y < 500 -> y >= 500.
import { describe, expect, it } from 'vitest';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import {
  analyticsConfig,
  crossingFrames,
  finalCum,
  horizontalLine,
  lineRule,
  moving,
  path,
  run,
} from '../helpers/synthetic-tracks.js';

describe('line crossing: modes', () => {
  // y_k = 305 + 10k (k = 0..39); prev = mean(305, 315) = 310 while k <= 50.
  // First frame past the line: k = 20 (y = 505); k = 19 is 495.
  // disp at k=20 = 505 - 310 = 195, 195^2 = 38025 > 6000; cos = 1; framesSeen = 21 > 20 (strict's limit).
  it.each(['loose', 'balanced', 'strict'] as const)('%s counts a clean crossing in the frame it reaches the line', (mode) => {
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { mode })] }]));
    const results = run(engine, [moving(1, [950, 305], [0, 10], 40)]);
    expect(crossingFrames(results, 'L')).toEqual([20]);
    expect(results[19]!.objLCCumCnt.L).toBe(0);
    expect(results[20]!.objLCCumCnt.L).toBe(1);
    expect(finalCum(results, 'L')).toBe(1);
    // lcStatus only in the crossing frame
    expect(results[20]!.objects).toEqual([
      { id: 1, classId: 0, roiStatus: [], ocStatus: [], lcStatus: ['L'], dirStatus: '' },
    ]);
    expect(results[21]!.objects).toEqual([]);
  });

  it('a fast but short-lived track: loose at frame 6, balanced at frame 10, strict never (too young)', () => {
    // y_k = 385 + 20k, k = 0..15; prev = mean(385, 405) = 395.
    // loose: past the line at k = 6 (505; k = 5 is 485); framesSeen 7 > 3; disp 110, 12100 > 1000 -> frame 6.
    // balanced: needs framesSeen > 10 -> k >= 10 (y = 585, disp 190, 36100 > 3000) -> frame 10.
    // strict: needs framesSeen > 20 -> k >= 20, the track ends at k = 15 -> never.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [
            horizontalLine('Loose', 'down', { mode: 'loose' }),
            horizontalLine('Balanced', 'down', { mode: 'balanced' }),
            horizontalLine('Strict', 'down', { mode: 'strict' }),
          ],
        },
      ]),
    );
    const results = run(engine, [moving(1, [950, 385], [0, 20], 16)], { lastFrame: 30 });
    expect(crossingFrames(results, 'Loose')).toEqual([6]);
    expect(crossingFrames(results, 'Balanced')).toEqual([10]);
    expect(crossingFrames(results, 'Strict')).toEqual([]);
    expect(results[30]!.objLCCumCnt).toEqual({ Balanced: 1, Loose: 1, Strict: 0 });
  });

  it('too small a displacement: a 1 px/frame walker counts in loose only', () => {
    // y_k = 480 + k, k = 0..79. While k <= 50: prev = 480.5, disp = k - 0.5.
    // After k = 50 the window slides: prev = mean(y_{k-50}, y_{k-49}) = k + 430.5, disp = 49.5 forever.
    // max disp^2 = 49.5^2 = 2450.25 < 3000 -> balanced and strict never count.
    // loose: disp^2 > 1000 -> disp > 31.62 -> k >= 33 (y = 513 > 500, prev 480.5 < 500) -> frame 33.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [
            horizontalLine('Loose', 'down', { mode: 'loose' }),
            horizontalLine('Balanced', 'down', { mode: 'balanced' }),
            horizontalLine('Strict', 'down', { mode: 'strict' }),
          ],
        },
      ]),
    );
    const results = run(engine, [moving(1, [950, 480], [0, 1], 80)]);
    expect(crossingFrames(results, 'Loose')).toEqual([33]);
    expect(crossingFrames(results, 'Balanced')).toEqual([]);
    expect(crossingFrames(results, 'Strict')).toEqual([]);
  });

  it('a 1.5 px/frame walker: balanced counts, strict never (74.25^2 < 6000)', () => {
    // y_k = 441 + 1.5k, k = 0..119. While k <= 50: prev = 441.75, disp = 1.5k - 0.75; afterwards disp = 74.25.
    // strict: max disp^2 = 74.25^2 = 5513.06 < 6000 -> never.
    // balanced: past the line needs 1.5k > 59 -> k >= 40 (y = 501; y_39 = 499.5);
    //   disp = 59.25, 3510.6 > 3000, framesSeen 41 > 10 -> frame 40.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [horizontalLine('Balanced', 'down', { mode: 'balanced' }), horizontalLine('Strict', 'down', { mode: 'strict' })],
        },
      ]),
    );
    const results = run(engine, [moving(1, [950, 441], [0, 1.5], 120)]);
    expect(crossingFrames(results, 'Balanced')).toEqual([40]);
    expect(crossingFrames(results, 'Strict')).toEqual([]);
  });

  it('loose: an object seen for 3 frames never counts, 4 frames is enough', () => {
    // 3 frames: y = 440, 480, 560. At frame 2 framesSeen = 3, not > 3 -> no count; then it is gone.
    // 4 frames: y = 400, 440, 480, 560. At frame 3 framesSeen = 4 > 3; prev = mean(400, 440) = 420;
    //   disp = 140, 19600 > 1000; 420 < 500 <= 560 -> count at frame 3.
    const cfg = analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down')] }]);
    const three = run(createAnalyticsEngine(cfg), [path(1, [[950, 440], [950, 480], [950, 560]])], { lastFrame: 20 });
    expect(finalCum(three, 'L')).toBe(0);
    const four = run(createAnalyticsEngine(cfg), [path(1, [[950, 400], [950, 440], [950, 480], [950, 560]])]);
    expect(crossingFrames(four, 'L')).toEqual([3]);
  });

  it('balanced: 10 frames is too young, 11 frames counts', () => {
    // y_k = 200 + 40k. 10 frames (k = 0..9): framesSeen at k = 9 is 10, not > 10 -> never.
    // 11 frames: at k = 10 (y = 600) framesSeen 11 > 10, prev = mean(200, 240) = 220, disp 380 -> count.
    const cfg = analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { mode: 'balanced' })] }]);
    expect(finalCum(run(createAnalyticsEngine(cfg), [moving(1, [950, 200], [0, 40], 10)], { lastFrame: 30 }), 'L')).toBe(0);
    expect(crossingFrames(run(createAnalyticsEngine(cfg), [moving(1, [950, 200], [0, 40], 11)]), 'L')).toEqual([10]);
  });

  it('strict: 20 frames is too young, 21 frames counts', () => {
    // y_k = 100 + 25k. 20 frames (k = 0..19) -> never (framesSeen <= 20).
    // 21 frames: k = 20, y = 600, prev = mean(100, 125) = 112.5, disp 487.5, framesSeen 21 > 20 -> count.
    const cfg = analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { mode: 'strict' })] }]);
    expect(finalCum(run(createAnalyticsEngine(cfg), [moving(1, [950, 100], [0, 25], 20)], { lastFrame: 40 }), 'L')).toBe(0);
    expect(crossingFrames(run(createAnalyticsEngine(cfg), [moving(1, [950, 100], [0, 25], 21)]), 'L')).toEqual([20]);
  });
});

describe('line crossing: direction of movement', () => {
  it('counts only in the arrow sense', () => {
    // Moving up: y_k = 705 - 10k, k = 0..40; prev = mean(705, 695) = 700.
    // 'Down' (y < 500 -> y >= 500): prev is below the line -> never.
    // 'Up' (y > 500 -> y <= 500): first y < 500 at k = 21 (495); disp 205 -> frame 21.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [horizontalLine('Down', 'down'), horizontalLine('Up', 'up')] }]),
    );
    const results = run(engine, [moving(1, [950, 705], [0, -10], 41)]);
    expect(crossingFrames(results, 'Down')).toEqual([]);
    expect(crossingFrames(results, 'Up')).toEqual([21]);
  });

  it('an arrow drawn entirely on one side of the line still gives the sense', () => {
    // Arrow (100,100) -> (100,200) lies above y = 500 but points down: counts y < 500 -> y >= 500.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [lineRule('L', [[100, 100], [100, 200]], [[400, 500], [1500, 500]])] }]),
    );
    expect(crossingFrames(run(engine, [moving(1, [950, 305], [0, 10], 40)]), 'L')).toEqual([20]);
  });

  it('cos below threshold: a shallow diagonal counts in loose, not in balanced/strict', () => {
    // Velocity (20, 8): x_k = 500 + 20k, y_k = 424 + 8k; prev = (510, 428).
    // movement from prev = (20k - 10, 8k - 4) = (2k - 1)(10, 4): cos with the arrow (0, 1) = 4/sqrt(116) = 0.371.
    // loose (0.1): past the line at k = 10 (y = 504; y_9 = 496; x = 700 inside [400, 1500]);
    //   disp^2 = 190^2 + 76^2 = 41876 > 1000 -> frame 10.
    // balanced (0.5) and strict (0.8): 0.371 is below -> never.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [
            horizontalLine('Loose', 'down', { mode: 'loose' }),
            horizontalLine('Balanced', 'down', { mode: 'balanced' }),
            horizontalLine('Strict', 'down', { mode: 'strict' }),
          ],
        },
      ]),
    );
    const results = run(engine, [moving(1, [500, 424], [20, 8], 30)]);
    expect(crossingFrames(results, 'Loose')).toEqual([10]);
    expect(crossingFrames(results, 'Balanced')).toEqual([]);
    expect(crossingFrames(results, 'Strict')).toEqual([]);
  });

  it('a 45° movement: cos 0.707 passes balanced, fails strict', () => {
    // Velocity (10, 10) from (500, 405): prev = (505, 410); movement (10k - 5)(1, 1), cos = 0.7071.
    // balanced: past the line at k = 10 (y = 505; y_9 = 495), framesSeen 11 > 10,
    //   disp^2 = 2 * 95^2 = 18050 > 3000 -> frame 10.
    // strict: 0.7071 < 0.8 -> never.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [horizontalLine('Balanced', 'down', { mode: 'balanced' }), horizontalLine('Strict', 'down', { mode: 'strict' })],
        },
      ]),
    );
    const results = run(engine, [moving(1, [500, 405], [10, 10], 60)]);
    expect(crossingFrames(results, 'Balanced')).toEqual([10]);
    expect(crossingFrames(results, 'Strict')).toEqual([]);
  });
});

describe('line crossing: extended', () => {
  // Finite segment y = 500, x in [400, 900]. Tracks move down: y_k = 305 + 10k, crossing at k = 20.
  const cfgFor = (extended: boolean) =>
    analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { extended, x1: 400, x2: 900 })] }]);

  it('a track passing beside the segment counts only with extended=1', () => {
    // x = 1200, box 40 wide: bottom-left/centre/right at x = 1180/1200/1220, all beyond 900.
    const track = moving(1, [1200, 305], [0, 10], 40);
    expect(crossingFrames(run(createAnalyticsEngine(cfgFor(true)), [track]), 'L')).toEqual([20]);
    expect(crossingFrames(run(createAnalyticsEngine(cfgFor(false)), [track]), 'L')).toEqual([]);
  });

  it('extended=0 counts a box whose bottom-left corner crosses the segment end', () => {
    // centre x = 915: bottom-left x = 895 <= 900 -> the bottom-left track (895, 310) -> (895, 505) hits the segment.
    // centre x = 930: bottom-left x = 910 > 900 -> no track touches the segment.
    const cfg = cfgFor(false);
    expect(crossingFrames(run(createAnalyticsEngine(cfg), [moving(1, [915, 305], [0, 10], 40)]), 'L')).toEqual([20]);
    expect(crossingFrames(run(createAnalyticsEngine(cfg), [moving(1, [930, 305], [0, 10], 40)]), 'L')).toEqual([]);
  });

  it('extended=0 counts a track crossing inside the segment', () => {
    expect(crossingFrames(run(createAnalyticsEngine(cfgFor(false)), [moving(1, [650, 305], [0, 10], 40)]), 'L')).toEqual([20]);
  });
});

describe('line crossing: class filters and counting once', () => {
  it('counts only the listed classes; [] and [-1] mean every class', () => {
    // Three objects, classes 0, 1, 2, each y_k = 305 + 10k -> crossing at k = 20.
    const engine = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          lines: [
            horizontalLine('Only2', 'down', { classIds: [2] }),
            horizontalLine('Only0or1', 'down', { classIds: [0, 1] }),
            horizontalLine('All', 'down', { classIds: [] }),
            horizontalLine('AllMinus1', 'down', { classIds: [-1] }),
          ],
        },
      ]),
    );
    const results = run(engine, [
      moving(1, [600, 305], [0, 10], 40, { classId: 0 }),
      moving(2, [800, 305], [0, 10], 40, { classId: 1 }),
      moving(3, [1000, 305], [0, 10], 40, { classId: 2 }),
    ]);
    expect(results[20]!.objLCCurrCnt).toEqual({ All: 3, AllMinus1: 3, Only0or1: 2, Only2: 1 });
    expect(results[39]!.objLCCumCnt).toEqual({ All: 3, AllMinus1: 3, Only0or1: 2, Only2: 1 });
    const obj3 = results[20]!.objects.find((o) => o.id === 3);
    expect(obj3?.lcStatus.sort()).toEqual(['All', 'AllMinus1', 'Only2']);
  });

  it('an object counts once per label even when it crosses again', () => {
    // Down across (k = 20), back up, down again: the 'down' line has already counted id 1.
    const positions: Array<[number, number]> = [];
    for (let k = 0; k < 40; k++) positions.push([950, 305 + 10 * k]); // 305 .. 695
    for (let k = 0; k < 40; k++) positions.push([950, 695 - 10 * k]); // back to 305
    for (let k = 0; k < 40; k++) positions.push([950, 305 + 10 * k]);
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [horizontalLine('Down', 'down'), horizontalLine('Up', 'up')] }]),
    );
    const results = run(engine, [path(1, positions)]);
    expect(crossingFrames(results, 'Down')).toEqual([20]);
    // Up (y > 500 -> y <= 500) on the way back (k = 40..79, y_k = 1095 - 10k, first <= 500 at k = 60):
    // prev = mean(y_{k-50}, y_{k-49}) = 305 + 10(k - 50) + 5 = 10k - 190 (first pass samples), which is
    // > 500 (Up's start side) only from k = 70 (mean(505, 515) = 510; at k = 69 it is exactly 500).
    // k = 70: y = 395 <= 500, disp = 115, 13225 > 1000, cos 1 -> Up counts at 70 (the smoothing delays it).
    expect(crossingFrames(results, 'Up')).toEqual([70]);
    expect(finalCum(results, 'Down')).toBe(1);
    expect(finalCum(results, 'Up')).toBe(1);
  });
});

describe('line crossing: scaling config -> frame', () => {
  it('scales the line from 1920x1080 to a 960x540 frame', () => {
    // Config line y = 500, x in [400, 1500] -> frame y = 250, x in [200, 750]; extended=0.
    // A: frame x = 300, y_k = 155 + 10k; prev = 160; first y > 250 at k = 10 (255); disp 95 -> count at 10.
    // B: frame x = 850 (beyond the scaled segment's 750, inside the unscaled 400..1500) -> never.
    // C: frame x = 300, y_k = 405 + 10k: crosses the *unscaled* y = 500 at k = 10 but starts beyond y = 250 -> never.
    const engine = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { extended: false })] }]),
    );
    const results = run(
      engine,
      [moving(1, [300, 155], [0, 10], 30), moving(2, [850, 155], [0, 10], 30), moving(3, [300, 405], [0, 10], 12)],
      { width: 960, height: 540 },
    );
    expect(crossingFrames(results, 'L')).toEqual([10]);
    expect(results[10]!.objects.map((o) => o.id)).toEqual([1]);
  });

  it('scales non-uniformly (config 1000x1000 -> frame 2000x500)', () => {
    // Config line x = 500, y in [0, 1000], arrow (400,500) -> (600,500): counts left -> right.
    // Frame: sx = 2, sy = 0.5 -> line x = 1000, y in [0, 500]. extended=0.
    // Track x_k = 805 + 20k at y = 300: prev = 815; first x >= 1000 at k = 10 (1005); disp 190 -> 10.
    const engine = createAnalyticsEngine(
      analyticsConfig(
        [{ streamId: 0, lines: [lineRule('R', [[400, 500], [600, 500]], [[500, 0], [500, 1000]], { extended: false })] }],
        { configWidth: 1000, configHeight: 1000 },
      ),
    );
    const inside = run(engine, [moving(1, [805, 300], [20, 0], 20)], { width: 2000, height: 500 });
    expect(crossingFrames(inside, 'R')).toEqual([10]);
  });

  it('a frame size of 0 means config size', () => {
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down')] }]));
    expect(crossingFrames(run(engine, [moving(1, [950, 305], [0, 10], 40)], { width: 0, height: 0 }), 'L')).toEqual([20]);
  });
});
