// The CPU backend end to end on real H.264: GStreamer decode -> motion detection -> tracking -> analytics.
// The stream is generated in the test (videotestsrc pattern=ball: a ball moving over black).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/native/addon.js';
import { runCpuPipeline, type CpuFrameEvent, type CpuPipelineEvent } from '../../src/native/pipeline.js';
import { hasGstLaunch, makeH264 } from '../helpers/h264.js';

const FRAMES = 150;
let dir: string;
let ball: string;

beforeAll(() => {
  if (!hasGstLaunch()) throw new Error('gst-launch-1.0 is needed to generate test streams (gstreamer1.0-tools)');
  dir = mkdtempSync(join(tmpdir(), 'dsk-cpu-'));
  ball = makeH264(dir, 'ball.h264', { frames: FRAMES, width: 640, height: 360 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Everything a run emits, in order. */
function collect(options: ConstructorParameters<ReturnType<typeof loadAddon>['CpuPipeline']>[0]) {
  return new Promise<CpuPipelineEvent[]>((resolve) => {
    const events: CpuPipelineEvent[] = [];
    const p = new (loadAddon().CpuPipeline)(options);
    p.start((e) => {
      events.push(e);
      if (e.kind === 'eos') resolve(events);
    });
  });
}

describe('CPU pipeline on a generated H.264 stream', () => {
  it('decodes every frame, in order, with presentation times', async () => {
    const frames: CpuFrameEvent[] = [];
    const result = await runCpuPipeline({ inputs: [ball] }, (f) => frames.push(f));
    expect(result.streams[0]).toMatchObject({ streamId: 0, state: 'eos', frames: FRAMES, dropped: 0, width: 640, height: 360 });
    expect(result.errors).toEqual([]);
    expect(result.eventsDropped).toBe(0);
    expect(frames).toHaveLength(FRAMES);
    expect(frames.map((f) => f.frameNum)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    expect(frames[0]!.ptsMs).toBe(0);
    expect(frames[30]!.ptsMs).toBeGreaterThanOrEqual(999);
    expect(frames[30]!.ptsMs).toBeLessThanOrEqual(1001);
    for (const f of frames) expect(f).toMatchObject({ kind: 'frame', streamId: 0, width: 640, height: 360 });
  });

  it('detects the moving ball and tracks it as one id', async () => {
    const frames: CpuFrameEvent[] = [];
    // Detection in every frame (the shipped config detects every other frame; see the interval test below).
    await runCpuPipeline({ inputs: [ball], detector: { interval: 0 } }, (f) => frames.push(f));
    const ids = new Set(frames.flatMap((f) => f.objects.map((o) => o.id)));
    expect([...ids]).toEqual([1]);
    // After the detector's warm-up (15 frames) and the tracker's probation (3 hits), the ball is in
    // (nearly) every frame.
    const tracked = frames.slice(20).filter((f) => f.numObjects === 1).length;
    expect(tracked / (FRAMES - 20)).toBeGreaterThan(0.95);
    // It moves: its box travels, and it has the ball's size (about 40 px at this resolution).
    const boxes = frames.flatMap((f) => f.objects);
    const xs = boxes.map((b) => b.left + b.width / 2);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(100);
    for (const b of boxes.slice(5)) {
      expect(b.width).toBeGreaterThan(20);
      expect(b.width).toBeLessThan(90);
    }
    expect(frames.at(-1)!.objCnt).toEqual({ '0': 1 });
  });

  it('detector interval: detects every other frame, still tracks the ball in every frame as one id', async () => {
    const frames: CpuFrameEvent[] = [];
    const r = await runCpuPipeline({ inputs: [ball], detector: { interval: 1 } }, (f) => frames.push(f));
    expect(r.streams[0]!.frames).toBe(FRAMES);
    expect(new Set(frames.flatMap((f) => f.objects.map((o) => o.id)))).toEqual(new Set([1]));
    const tracked = frames.slice(40).filter((f) => f.numObjects === 1).length;
    expect(tracked / (FRAMES - 40)).toBeGreaterThan(0.95);
    // Odd frames skip the detector entirely.
    expect(frames.filter((f) => f.frameNum % 2 === 1).every((f) => f.timings.detectMs === 0)).toBe(true);
  });

  it('feeds the analytics engine: a full-frame ROI counts the ball', async () => {
    const analytics = {
      enable: true,
      configWidth: 640,
      configHeight: 360,
      osdMode: 0,
      displayFontSize: 12,
      displayObjCnt: false,
      objCntWinMs: 0,
      streams: [
        {
          streamId: 0,
          rois: [{ label: 'all', polygon: [[0, 0], [640, 0], [640, 360], [0, 360]], inverse: false, classIds: [] }],
          overcrowding: [],
          lines: [],
          directions: [],
        },
      ],
    };
    const frames: CpuFrameEvent[] = [];
    await runCpuPipeline({ inputs: [ball], analyticsConfigJson: JSON.stringify(analytics) }, (f) => frames.push(f));
    const last = frames.at(-1)!;
    expect(last.objInROIcnt).toEqual({ all: 1 });
    expect(last.ocStatus).toEqual({});
    // The ROI test point is the bottom centre of the box: objects whose bottom centre is clearly inside count.
    let compared = 0;
    for (const f of frames) {
      const pts = f.objects.map((o) => [o.left + o.width / 2, o.top + o.height]);
      if (pts.some(([x, y]) => Math.abs(x! - 320) > 318 || Math.abs(y! - 180) > 178)) continue; // on an edge
      expect(f.objInROIcnt.all).toBe(f.numObjects);
      compared++;
    }
    expect(compared).toBeGreaterThan(FRAMES / 2);
  });

  it('runs several inputs as streams 0..N-1, ids unique across streams', async () => {
    const frames: CpuFrameEvent[] = [];
    const result = await runCpuPipeline({ inputs: [ball, `file://${ball}`] }, (f) => frames.push(f));
    expect(result.streams.map((s) => [s.streamId, s.state, s.frames])).toEqual([
      [0, 'eos', FRAMES],
      [1, 'eos', FRAMES],
    ]);
    const idsOf = (sid: number) => new Set(frames.filter((f) => f.streamId === sid).flatMap((f) => f.objects.map((o) => o.id)));
    const a = idsOf(0);
    const b = idsOf(1);
    expect(a.size).toBe(1);
    expect(b.size).toBe(1);
    expect([...a].some((id) => b.has(id))).toBe(false);
  });

  it('reports per-stage timings in the end-of-stream summary', async () => {
    const events = await collect({ inputs: [ball], frameEvents: false });
    // Without frame events: the stream's state changes (connecting, running at its first frame, eos at its end), then eos.
    expect(events.map((e) => (e.kind === 'state' ? `${e.kind}:${e.state}` : e.kind))).toEqual(['state:connecting', 'state:running', 'state:eos', 'eos']);
    const eos = events[3]!;
    if (eos.kind !== 'eos') throw new Error('eos expected');
    const s = eos.streams[0]!;
    expect(s.frames).toBe(FRAMES);
    expect(s.fps).toBeGreaterThan(30);
    for (const stage of ['decodeWait', 'scale', 'detect', 'track', 'analytics', 'process'] as const) {
      expect(s.timings[stage].meanMs).toBeGreaterThanOrEqual(0);
      expect(s.timings[stage].maxMs).toBeGreaterThanOrEqual(s.timings[stage].meanMs);
    }
    expect(s.timings.detect.totalMs).toBeGreaterThan(0);
  });

  it('stop() ends the run gracefully (eos with stopped: true) and is idempotent', async () => {
    const addon = loadAddon();
    const p = new addon.CpuPipeline({ inputs: [ball], realtime: true });
    const eos = await new Promise<CpuPipelineEvent>((resolve) => {
      let stopped = false;
      p.start((e) => {
        if (e.kind === 'frame' && e.frameNum === 5 && !stopped) {
          stopped = true;
          p.stop();
          p.stop();
        }
        if (e.kind === 'eos') resolve(e);
      });
    });
    if (eos.kind !== 'eos') throw new Error('eos expected');
    expect(eos.stopped).toBe(true);
    expect(eos.streams[0]!.state).toBe('stopped');
    expect(eos.streams[0]!.frames).toBeLessThan(FRAMES);
    p.stop();
    expect(p.stats().running).toBe(false);
  });

  it('realtime paces a file at its frame rate', async () => {
    const short = makeH264(dir, 'short.h264', { frames: 30, width: 320, height: 240 });
    const t0 = Date.now();
    const r = await runCpuPipeline({ inputs: [short], realtime: true });
    expect(r.streams[0]!.frames).toBe(30);
    expect(Date.now() - t0).toBeGreaterThan(800);
  });

  it('validates options in the constructor', () => {
    const addon = loadAddon();
    expect(() => new addon.CpuPipeline({ inputs: [] })).toThrow(/inputs must be a non-empty array/);
    expect(() => new addon.CpuPipeline({ inputs: [ball], detector: { 'processing-widht': 320 } })).toThrow(
      /key 'processing-widht' in \[property\]: unknown key/,
    );
    expect(() => new addon.CpuPipeline({ inputs: [ball], analyticsConfigJson: '{"streams": 3}' })).toThrow(/analytics config/);
  });
});
