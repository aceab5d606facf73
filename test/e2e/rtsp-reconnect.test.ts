// Live sources that come back (issue #13): a real RTSP camera (gst-rtsp-server looping the sample, see
// test/helpers/rtsp-server.ts) is taken away and brought back mid-run. The stream goes reconnecting ->
// running, frames and lc_cum carry on (never back), tracks restart, and a second stream in the same pipeline
// never notices.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FrameRecord, StreamStateEvent } from '../../src/pipeline/events.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { requireRtspServer, RtspServer } from '../helpers/rtsp-server.js';
import { sample } from '../helpers/samples.js';

interface Seen {
  at: number;
  frameNum: number;
  ptsMs: number;
  lcCum: Record<string, number>;
  ids: number[];
}

const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Records a pipeline's frames and state changes per stream, with wall-clock times. */
function watch(p: Pipeline, streams: number) {
  const frames: Seen[][] = Array.from({ length: streams }, () => []);
  const states: Array<Array<StreamStateEvent & { at: number }>> = Array.from({ length: streams }, () => []);
  p.on('frame', (f: FrameRecord) =>
    frames[f.streamId]!.push({ at: Date.now(), frameNum: f.frameNum, ptsMs: f.ptsMs, lcCum: { ...f.objLCCumCnt }, ids: f.objects.map((o) => o.id) }),
  );
  p.on('state', (e) => states[e.streamId]!.push({ ...e, at: Date.now() }));
  const last = (s: number) => states[s]!.at(-1)?.state;
  return { frames, states, last };
}

/** Frame numbers go up by one, times never go back, and no line's lc_cum ever decreases. */
function expectContinuous(seen: Seen[]): void {
  for (let i = 1; i < seen.length; i++) {
    const a = seen[i - 1]!, b = seen[i]!;
    expect(b.frameNum, `frame after ${a.frameNum}`).toBeGreaterThan(a.frameNum);
    expect(b.ptsMs, `ptsMs at frame ${b.frameNum}`).toBeGreaterThanOrEqual(a.ptsMs);
    for (const [label, n] of Object.entries(a.lcCum)) expect(b.lcCum[label], `lc_cum ${label} at frame ${b.frameNum}`).toBeGreaterThanOrEqual(n);
  }
}

let dir: string;
let twoPasses: string;
let analyticsConfig: string;
const servers: RtspServer[] = [];
const pipelines: Pipeline[] = [];

beforeAll(() => {
  requireRtspServer();
  dir = mkdtempSync(join(tmpdir(), 'dsk-rtsp-'));
  // The second stream: the sample twice (an H.264 elementary stream concatenates), ~36 s in real time.
  const one = readFileSync(sample.stream);
  twoPasses = join(dir, 'sample-twice.h264');
  writeFileSync(twoPasses, Buffer.concat([one, one]));
  // The sample's lines for both streams.
  const cfg = readFileSync(sample.analyticsConfig, 'utf8');
  const lines = cfg.slice(cfg.indexOf('[line-crossing-stream-0]'));
  analyticsConfig = join(dir, 'analytics.txt');
  writeFileSync(analyticsConfig, `${cfg}\n${lines.replace('[line-crossing-stream-0]', '[line-crossing-stream-1]')}`);
});

afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop().catch(() => {});
  for (const s of servers.splice(0)) await s.kill();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RTSP source that goes away and comes back (CPU backend)', () => {
  it('a camera stopped for 20 s and restarted is reconnected and counted on; a second stream is unaffected', { timeout: 90_000 }, async () => {
    const cam = await new RtspServer(sample.stream).start();
    servers.push(cam);
    const p = createPipeline({
      inputs: [cam.url, twoPasses],
      detector: sample.detector,
      analyticsConfig,
      realtime: true,
      // Short delays keep the test short: the camera is retried every <= 2 s while it is away.
      reconnect: { initialDelayMs: 500, maxDelayMs: 2000 },
      http: { port: 0 },
    });
    pipelines.push(p);
    const w = watch(p, 2);
    const url = new Promise<string>((resolve) => p.on('info', () => p.httpUrl && resolve(p.httpUrl)));
    p.start();
    const metrics = async () => parsePrometheusText(await (await fetch(`${await url}metrics`)).text());
    const stateGauge = (m: Awaited<ReturnType<typeof metrics>>, stream: number, state: string) =>
      sampleValue(m, 'ds_kafka_stream_state', { stream: String(stream), device: `stream-${stream}`, state });

    // Running and counting before the outage.
    await until('the camera stream to count a crossing', () => total(w.frames[0]!.at(-1)?.lcCum ?? {}) >= 1 && w.frames[0]!.length >= 120, 30_000);
    const before = w.frames[0]!.at(-1)!;
    const idsBefore = new Set(w.frames[0]!.flatMap((f) => f.ids));

    await cam.kill();
    const killedAt = Date.now();
    await until('reconnecting', () => w.last(0) === 'reconnecting', 10_000);
    // Prometheus sees it too: the camera reconnecting, the file running; /healthz stays ok (not stalled).
    const during = await metrics();
    expect(stateGauge(during, 0, 'reconnecting')).toBe(1);
    expect(stateGauge(during, 0, 'running')).toBe(0);
    expect(stateGauge(during, 1, 'running')).toBe(1);
    expect(sampleValue(during, 'ds_kafka_stream_reconnects_total', { stream: '0', device: 'stream-0' })).toBe(1);
    expect((await fetch(`${await url}healthz`)).status).toBe(200);
    await sleep(20_000 - (Date.now() - killedAt));
    await cam.start();
    const restartedAt = Date.now();

    // Back, and counting on from where it was.
    await until('the camera stream to run again', () => w.last(0) === 'running', 15_000);
    await until('a crossing after the reconnect', () => total(w.frames[0]!.at(-1)!.lcCum) > total(before.lcCum) && w.frames[0]!.filter((f) => f.at > restartedAt).length >= 60, 30_000);
    const after = await metrics();
    expect(stateGauge(after, 0, 'running')).toBe(1);
    expect(sampleValue(after, 'ds_kafka_stream_reconnects_total', { stream: '0', device: 'stream-0' })).toBe(1);
    // The file stream ends on its own (its whole length in real time).
    await until('the file stream to end', () => w.last(1) === 'eos', 30_000);
    const report = await p.stop();

    // Camera: running -> reconnecting (attempts while away, none succeeding) -> running again.
    const cam0 = w.states[0]!;
    const outage = cam0.filter((s) => s.at >= killedAt && s.at < restartedAt);
    expect(outage.length).toBeGreaterThan(0);
    expect(outage.every((s) => s.state === 'reconnecting')).toBe(true);
    expect(outage[0]!.reason).toContain(cam.url);
    expect(outage.map((s) => s.attempt)).toEqual(outage.map((_, i) => i + 1));
    for (const s of outage) expect(s.retryInMs).toBeLessThanOrEqual(2000);
    expect(outage.length).toBeGreaterThanOrEqual(5); // retried all along the 20 s, not once
    const back = cam0.find((s) => s.at >= restartedAt && s.state === 'running');
    expect(back, JSON.stringify(cam0)).toBeDefined();
    expect(back!.reconnects).toBe(1);
    expect(w.frames[0]!.some((f) => f.at > killedAt + 3500 && f.at < restartedAt)).toBe(false);

    // Frames and counts carried on: no frame number, time or count went back; the outage is a gap in ptsMs.
    const seen0 = w.frames[0]!;
    expectContinuous(seen0);
    const firstAfter = seen0.find((f) => f.at > restartedAt)!;
    const lastBefore = seen0.filter((f) => f.at <= killedAt).at(-1)!;
    expect(firstAfter.ptsMs - lastBefore.ptsMs).toBeGreaterThan(15_000);
    expect(total(seen0.at(-1)!.lcCum)).toBeGreaterThan(total(before.lcCum));
    // Tracks restarted: no object id from before the outage is seen after it.
    expect(seen0.filter((f) => f.at > restartedAt).flatMap((f) => f.ids).some((id) => idsBefore.has(id))).toBe(false);

    // The file stream never noticed: it ran through the outage and to its end, every frame, no reconnect.
    expect(w.states[1]!.map((s) => s.state)).toEqual(['connecting', 'running', 'eos']);
    expect(w.frames[1]!.filter((f) => f.at > killedAt && f.at < restartedAt).length).toBeGreaterThan(100);
    expectContinuous(w.frames[1]!);

    // The report: the camera stopped by stop() after one outage, its lc_cum the last frame's; the file ended.
    const [r0, r1] = report.streams;
    expect(r0).toMatchObject({ state: 'stopped', reconnects: 1, lcCum: seen0.at(-1)!.lcCum });
    expect(r0!.frames).toBe(seen0.at(-1)!.frameNum + 1);
    expect(r1).toMatchObject({ state: 'eos', reconnects: 0, frames: 2 * sample.truth.frames });
    expect(total(r1!.lcCum)).toBeGreaterThanOrEqual(total(sample.truth.expected.lc_cum));
  });

  it('a hung camera (no frame, connection open) is caught by the stall watchdog and reconnected when it answers again', { timeout: 60_000 }, async () => {
    const cam = await new RtspServer(sample.stream).start();
    servers.push(cam);
    const p = createPipeline({
      inputs: [cam.url],
      detector: sample.detector,
      analyticsConfig: sample.analyticsConfig,
      stallTimeoutMs: 3000,
      connectTimeoutMs: 2000,
      reconnect: { initialDelayMs: 300, maxDelayMs: 1000 },
    });
    pipelines.push(p);
    const w = watch(p, 1);
    p.start();
    await until('frames', () => w.frames[0]!.length >= 60, 20_000);

    cam.pause();
    const pausedAt = Date.now();
    await until('the stall to be noticed', () => w.last(0) === 'reconnecting', 10_000);
    const stall = w.states[0]!.find((s) => s.state === 'reconnecting')!;
    expect(stall.reason).toBe(`${cam.url}: no frame for 3000 ms (source stalled)`);
    expect(stall.at - pausedAt).toBeGreaterThanOrEqual(2500);
    // Retries while it hangs time out (the server accepts the connection but never answers).
    await until('a second attempt', () => w.states[0]!.some((s) => s.state === 'reconnecting' && (s.attempt ?? 0) >= 2), 15_000);

    cam.resume();
    const resumedAt = Date.now();
    await until('running again', () => w.last(0) === 'running', 20_000);
    await until('frames after', () => w.frames[0]!.filter((f) => f.at > resumedAt).length >= 60, 20_000);
    const report = await p.stop();
    expectContinuous(w.frames[0]!);
    expect(report.streams[0]).toMatchObject({ state: 'stopped', reconnects: 1 });
  });

  it('a camera that never answers ends in error after its attempts; the other stream is unaffected', { timeout: 60_000 }, async () => {
    // A port nothing listens on: every attempt is refused at once.
    const dead = 'rtsp://127.0.0.1:9/cam';
    const p = createPipeline({ inputs: [dead, sample.stream], detector: sample.detector, reconnect: { attempts: 3, initialDelayMs: 200, maxDelayMs: 400 } });
    pipelines.push(p);
    const w = watch(p, 2);
    const err = await p.start().done.then(
      () => undefined,
      (e: Error & { report?: { streams: Array<{ state: string; reconnects: number; frames: number; error?: string }> } }) => e,
    );
    expect(err?.message).toMatch(/^cannot open rtsp:\/\/127\.0\.0\.1:9\/cam: .*\(gave up after 3 reconnect attempts\)$/);
    expect(w.states[0]!.map((s) => `${s.state}${s.attempt ?? ''}`)).toEqual(['connecting', 'reconnecting1', 'reconnecting2', 'reconnecting3', 'error']);
    expect(err!.report!.streams[0]).toMatchObject({ state: 'error', reconnects: 1, frames: 0 });
    expect(err!.report!.streams[1]).toMatchObject({ state: 'eos', reconnects: 0, frames: sample.truth.frames });
  });
});
