// The pure parts of "live sources that come back" (native/cpu/reconnect_policy.h, AnalyticsEngine::forgetObjects):
// the backoff a dropped camera waits before each retry, and what the counting engine keeps across a reconnect.
// The real thing, with an RTSP server taken away mid-run: test/e2e/rtsp-reconnect.test.ts.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/native/addon.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import '../../src/native/pipeline.js';
import { analyticsConfig, buildFrames, horizontalLine, moving } from '../helpers/synthetic-tracks.js';

const delay = (attempt: number, u?: number, policy = {}) => loadAddon().cpuReconnectDelay(policy, attempt, u);

describe('reconnect backoff: exponential with full jitter', () => {
  it('the ceiling doubles from 1 s per attempt up to the 30 s cap (defaults), without overflow', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => delay(a, 0).ceilingMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(delay(100_000, 0).ceilingMs).toBe(30000);
    expect([1, 2, 3, 4].map((a) => delay(a, 0, { initialDelayMs: 300, maxDelayMs: 1000 }).ceilingMs)).toEqual([300, 600, 1000, 1000]);
  });

  it('the delay is uniform between a 100 ms floor and the ceiling', () => {
    expect(delay(3, 0).delayMs).toBe(100);
    expect(delay(3, 0.5).delayMs).toBe(100 + 0.5 * (4000 - 100));
    expect(delay(3, 0.999999).delayMs).toBeLessThanOrEqual(4000);
    expect(delay(3, 0.999999).delayMs).toBeGreaterThan(3990);
  });

  it('random draws fill the whole range (full jitter: cameras that dropped together do not retry in step)', () => {
    const draws = Array.from({ length: 2000 }, () => delay(5).delayMs);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...draws)).toBeLessThanOrEqual(16000);
    // Spread over the range, not bunched at the ceiling (equal jitter) or at one value (no jitter).
    expect(draws.filter((d) => d < 4000).length).toBeGreaterThan(200);
    expect(draws.filter((d) => d > 12000).length).toBeGreaterThan(200);
    expect(new Set(draws).size).toBeGreaterThan(1000);
  });

  it('attempts: 0 = forever, N = give up after the N-th retry', () => {
    expect(delay(1_000_000, 0).exhausted).toBe(false);
    expect(delay(3, 0, { attempts: 3 }).exhausted).toBe(false);
    expect(delay(4, 0, { attempts: 3 }).exhausted).toBe(true);
  });

  it('rejects policies that cannot work', () => {
    expect(() => delay(1, 0, { attempts: -1 })).toThrow(/reconnect\.attempts/);
    expect(() => delay(1, 0, { initialDelayMs: 0 })).toThrow(/reconnect\.initialDelayMs/);
    expect(() => delay(1, 0, { initialDelayMs: 5000, maxDelayMs: 1000 })).toThrow(/maxDelayMs must be >= /);
  });
});

describe('the counting engine across a reconnect (forgetObjects)', () => {
  // Line y = 500 counting downwards (loose). Object 1 crosses at frame 20 (before the reconnect). Object 7
  // approaches from y = 305 and is last seen at y = 435 (frame 29); right after, object 7 is at y = 560 — as a
  // restarted tracker that reused ids would report a different object there.
  const config = analyticsConfig([{ streamId: 0, lines: [horizontalLine('L', 'down', { mode: 'loose' })] }]);
  const frames = buildFrames([
    moving(1, [950, 305], [0, 10], 26),
    moving(7, [1300, 305], [0, 10], 14, { startFrame: 16 }),
    moving(7, [1300, 560], [0, 10], 10, { startFrame: 30 }),
    moving(8, [600, 305], [0, 10], 30, { startFrame: 30 }),
  ]);
  const before = frames.slice(0, 30);
  const after = frames.slice(30);

  it('without forgetting, the jump of a remembered id across the line counts (the false crossing)', () => {
    const engine = createAnalyticsEngine(config);
    const r = engine.processBatch(frames);
    expect(r[29]!.objLCCumCnt.L).toBe(1);
    expect(r[30]!.objLCCurrCnt.L).toBe(1);
  });

  it('after forgetObjects the old id cannot cross, the count carries on and new objects count', () => {
    const engine = createAnalyticsEngine(config);
    const r1 = engine.processBatch(before);
    expect(r1.at(-1)!.objLCCumCnt.L).toBe(1);
    engine.forgetObjects(0);
    const r2 = engine.processBatch(after);
    expect(r2[0]!.objLCCurrCnt.L).toBe(0);
    expect(r2[0]!.objLCCumCnt.L).toBe(1); // not reset
    // Object 8 (a new object after the reconnect) crosses at its 20th frame: counted on top.
    expect(r2.map((r) => r.objLCCurrCnt.L ?? 0).reduce((a, b) => a + b, 0)).toBe(1);
    expect(r2[20]!.objLCCurrCnt.L).toBe(1);
    expect(r2.at(-1)!.objLCCumCnt.L).toBe(2);
  });
});
