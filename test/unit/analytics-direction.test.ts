// Direction detection (shared/docs/deepstream-reference.md §1): disp^2 > 3000, seen > 10 frames,
// cos(movement, direction) >= 0.5 -> "DIR:<label>"; almost static over the history -> "STOPPED".
// prev = mean of the 2 oldest history samples (history = previous frames, max 50); framesSeen = k + 1.
// STOPPED (engine.cc): seen > 10 frames, >= 10 history samples, all within 10 px of the current point.
import { describe, expect, it } from 'vitest';
import type { AnalyticsFrameResult } from '../../src/native/analytics.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import { analyticsConfig, moving, path, run } from '../helpers/synthetic-tracks.js';

const SOUTH = { label: 'South', from: [950, 100] as [number, number], to: [950, 900] as [number, number], classIds: [] };
const EAST = { label: 'East', from: [100, 500] as [number, number], to: [900, 500] as [number, number], classIds: [] };

/** dirStatus of `id` per frame ('' when the object is not listed). */
function dirOf(results: AnalyticsFrameResult[], id: number): string[] {
  return results.map((r) => r.objects.find((o) => o.id === id)?.dirStatus ?? '');
}

describe('direction detection', () => {
  it('labels movement by the best matching direction once the object is old enough', () => {
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, directions: [SOUTH, EAST] }]));
    const results = run(engine, [
      // id 1 down 10 px/frame: prev = 205, disp = 10k - 5 (> 54.77 from k = 6); seen > 10 from k = 10 -> DIR:South.
      moving(1, [300, 200], [0, 10], 30),
      // id 2 (10, 4)/frame: cos with East = 10/sqrt(116) = 0.928, with South 0.371 -> DIR:East from k = 10
      //   (disp^2 at k=10 = 95^2 + 38^2 = 10469 > 3000).
      moving(2, [300, 600], [10, 4], 30),
      // id 3 north: cos with South = -1, with East = 0 -> never.
      moving(3, [1500, 900], [0, -10], 30),
    ]);
    const south = dirOf(results, 1);
    expect(south.slice(0, 10)).toEqual(Array(10).fill(''));
    expect(south.slice(10)).toEqual(Array(20).fill('DIR:South'));
    const east = dirOf(results, 2);
    expect(east.slice(0, 10)).toEqual(Array(10).fill(''));
    expect(east.slice(10)).toEqual(Array(20).fill('DIR:East'));
    expect(dirOf(results, 3)).toEqual(Array(30).fill(''));
    // direction adds nothing to the frame maps
    expect(results[20]!.objLCCumCnt).toEqual({});
    expect(results[20]!.objInROIcnt).toEqual({});
  });

  it('cos below 0.5 is no direction', () => {
    // (10, 20)/frame against East only: cos = 10/sqrt(500) = 0.447 < 0.5 -> never.
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, directions: [EAST] }]));
    expect(dirOf(run(engine, [moving(1, [300, 100], [10, 20], 30)]), 1)).toEqual(Array(30).fill(''));
  });

  it('a tie goes to the first configured direction', () => {
    // (10, 10)/frame: cos with South and East are both 0.7071 -> South (configured first).
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, directions: [SOUTH, EAST] }]));
    expect(dirOf(run(engine, [moving(1, [300, 100], [10, 10], 12)]), 1)[11]).toBe('DIR:South');
  });

  it('a still object is STOPPED after more than 10 frames; a slow walker never gets a direction', () => {
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, directions: [SOUTH, EAST] }]));
    // id 1 jitters x = 1198 / 1202 around (1200, 300): every sample within 4 px.
    //   k = 9: seen 10, not > 10 -> ''. k >= 10: seen 11 > 10, 10 history samples -> STOPPED.
    const jitter: Array<[number, number]> = Array.from({ length: 40 }, (_, k) => [k % 2 ? 1202 : 1198, 300]);
    // id 2 walks 1 px/frame down: disp = k - 0.5 while k <= 50, 49.5 afterwards: 49.5^2 = 2450 < 3000 -> no DIR.
    //   k = 10: the oldest sample (y = 100) is exactly 10 px from y = 110 -> STOPPED (boundary inclusive);
    //   k = 11: the oldest is 11 px away -> ''.
    const results = run(engine, [path(1, jitter), moving(2, [1600, 100], [0, 1], 80)]);
    const still = dirOf(results, 1);
    expect(still.slice(0, 10)).toEqual(Array(10).fill(''));
    expect(still.slice(10, 40)).toEqual(Array(30).fill('STOPPED'));
    const slow = dirOf(results, 2);
    expect(slow[9]).toBe('');
    expect(slow[10]).toBe('STOPPED');
    expect(slow.slice(11)).toEqual(Array(69).fill(''));
  });

  it('class filters apply per direction rule', () => {
    const west = { label: 'West', from: [900, 500] as [number, number], to: [100, 500] as [number, number], classIds: [7] };
    const engine = createAnalyticsEngine(analyticsConfig([{ streamId: 0, directions: [west] }]));
    const results = run(engine, [moving(1, [1500, 300], [-10, 0], 20, { classId: 0 }), moving(2, [1500, 600], [-10, 0], 20, { classId: 7 })]);
    expect(dirOf(results, 1)).toEqual(Array(20).fill(''));
    expect(dirOf(results, 2).slice(10)).toEqual(Array(10).fill('DIR:West'));
  });

  it('scales the direction vector (a 45° config vector becomes steeper in a squeezed frame)', () => {
    // Config 1000x1000, direction (0,0) -> (100,100). Frame 1000x4000: sy = 4 -> vector (100, 400).
    // Movement (10, 0)/frame: cos with (100,400) = 100/sqrt(170000) = 0.243 < 0.5 -> never.
    // Without the scaling the cos would be 0.707 (>= 0.5).
    const diag = { label: 'Diag', from: [0, 0] as [number, number], to: [100, 100] as [number, number], classIds: [] };
    const cfg = analyticsConfig([{ streamId: 0, directions: [diag] }], { configWidth: 1000, configHeight: 1000 });
    const squeezed = run(createAnalyticsEngine(cfg), [moving(1, [100, 500], [10, 0], 20)], { width: 1000, height: 4000 });
    expect(dirOf(squeezed, 1)).toEqual(Array(20).fill(''));
    const same = run(createAnalyticsEngine(cfg), [moving(1, [100, 500], [10, 0], 20)], { width: 1000, height: 1000 });
    expect(dirOf(same, 1)[15]).toBe('DIR:Diag');
  });
});
