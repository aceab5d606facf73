// The pipeline's HTTP side on a real run of the shipped sample (no broker): read-only, bound to loopback,
// /metrics in strict Prometheus text format matching the run report, health endpoints, the page is
// self-contained, two pipelines in one process keep their own registries; and the liveness rule on a
// stalled stream.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { liveness } from '../../src/http/health.js';
import type { LiveState } from '../../src/http/state.js';
import { PAGE_HTML } from '../../src/http/page.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { sample } from '../helpers/samples.js';

function httpUrl(p: Pipeline): Promise<string> {
  return new Promise((resolve, reject) => {
    if (p.httpUrl) return resolve(p.httpUrl);
    p.on('info', (m) => {
      if (p.httpUrl) resolve(p.httpUrl);
      else if (m.startsWith('http:')) reject(new Error(m));
    });
    p.done.catch(reject);
  });
}

function raw(url: string, method: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(method === 'GET' || method === 'HEAD' ? undefined : '{}');
  });
}

describe('http: live page, metrics, health on a real run', () => {
  it('serves read-only endpoints on 127.0.0.1 and /metrics matches the run report', { timeout: 120_000 }, async () => {
    const p = createPipeline({
      inputs: [sample.stream],
      detector: sample.detector,
      analyticsConfig: sample.analyticsConfig,
      deviceIds: ['cam-h'],
      // Paced (18 s), so the pipeline is still running when readiness is asked for.
      realtime: true,
      http: { port: 0, lingerMs: 60_000 },
    });
    // A second pipeline in the same process: its own registry and port.
    const q = createPipeline({ inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig, deviceIds: ['cam-q'], http: { port: 0, lingerMs: 60_000 } });
    p.start();
    q.start();
    const [url, url2] = await Promise.all([httpUrl(p), httpUrl(q)]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url2).not.toBe(url);

    // Read-only: anything but GET/HEAD is refused, everywhere.
    for (const path of ['', 'metrics', 'healthz', 'readyz', 'events', 'stream/0/frame.jpg', 'nothing']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const r = await raw(url + path, method);
        expect(r.status, `${method} /${path}`).toBe(405);
        expect(r.headers.allow).toBe('GET, HEAD');
      }
    }
    // A stream that does not exist has no picture (stream 0's is tested below).
    expect((await fetch(`${url}stream/7/frame.jpg`)).status).toBe(404);
    expect((await fetch(`${url}nothing`)).status).toBe(404);
    const page = await fetch(url);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toBe(PAGE_HTML);
    // Self-contained: no URL to another host, no external script/style/font.
    expect(html.match(/(?:src|href)\s*=\s*["'](?:https?:)?\/\//gi) ?? []).toEqual([]);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    // Server-Sent Events keep coming (twice a second), the first one with the history for the chart.
    const events = await fetch(`${url}events`);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    let sse = '';
    while ((sse.match(/^data: /gm) ?? []).length < 3) sse += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const msgs = sse.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { t: number; history?: unknown; streams: Array<{ device: string; labels: string[] }> });
    expect(msgs[0]!.history).toBeDefined();
    expect(msgs[1]!.history).toBeUndefined();
    expect(msgs[2]!.t).toBeGreaterThan(msgs[0]!.t);
    expect(msgs[2]!.streams[0]).toMatchObject({ device: 'cam-h', labels: Object.keys(sample.truth.expected.lc_cum) });

    const ready = await fetch(`${url}readyz`);
    expect(ready.status).toBe(200); // running, no Kafka to wait for
    expect((await fetch(`${url}healthz`)).status).toBe(200);

    const report = await p.done;
    const report2 = await q.done;
    // After the end: alive, not ready, the final values still served (lingerMs).
    const h = await fetch(`${url}healthz`);
    expect(h.status).toBe(200);
    const r = await fetch(`${url}readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { reason: string }).reason).toMatch(/pipeline ended/);

    const m = parsePrometheusText(await (await fetch(`${url}metrics`)).text());
    const s0 = { stream: '0', device: 'cam-h' };
    expect(report.frames).toBe(sample.truth.frames);
    expect(sampleValue(m, 'ds_kafka_frames_total', s0)).toBe(report.streams[0]!.frames);
    for (const [label, n] of Object.entries(report.streams[0]!.lcCum)) {
      expect(sampleValue(m, 'ds_kafka_line_crossings_total', { ...s0, label }), label).toBe(n);
    }
    expect(report.streams[0]!.lcCum).toEqual(sample.truth.expected.lc_cum);
    expect(sampleValue(m, 'ds_kafka_messages_built_total', s0)).toBe(report.messages.built);
    expect(sampleValue(m, 'ds_kafka_events_dropped_total', s0)).toBe(report.eventsDropped);
    expect(sampleValue(m, 'ds_kafka_stream_state', { ...s0, state: 'eos' })).toBe(1);
    expect(sampleValue(m, 'ds_kafka_stream_state', { ...s0, state: 'running' })).toBe(0);
    expect(sampleValue(m, 'ds_kafka_pipeline_running')).toBe(0);
    expect(m.get('ds_kafka_frames_total')!.type).toBe('counter');
    expect(m.has('ds_kafka_messages_delivered_total')).toBe(false); // no Kafka, no producer metrics
    expect(m.has('process_cpu_seconds_total')).toBe(true);

    // The other pipeline's registry holds only its own stream.
    const m2 = parsePrometheusText(await (await fetch(`${url2}metrics`)).text());
    expect(m2.get('ds_kafka_frames_total')!.samples.map((x) => x.labels.device)).toEqual(['cam-q']);
    expect(sampleValue(m2, 'ds_kafka_frames_total', { device: 'cam-q' })).toBe(report2.frames);
  });

  it('a port that cannot be bound fails the run as a config error', { timeout: 60_000 }, async () => {
    const p = createPipeline({ inputs: [sample.stream], detector: sample.detector, http: { port: 0, lingerMs: 20_000 } }).start();
    const url = await httpUrl(p);
    const port = Number(new URL(url).port);
    const q = createPipeline({ inputs: [sample.stream], detector: sample.detector, http: { port } }).start();
    await expect(q.done).rejects.toThrow(/cannot serve http on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    await p.done;
  });

  it('the options are checked before anything starts', () => {
    expect(() => createPipeline({ inputs: [sample.stream], detector: sample.detector, http: { port: 70000 } })).toThrow(/http port/);
  });
});

describe('liveness', () => {
  const state = (streams: Array<Partial<LiveState['streams'][number]>>) =>
    ({ streams: streams.map((s, i) => ({ id: i, device: `d${i}`, input: 'rtsp://cam/x', frames: 10, state: 'running', lastAdvanceAt: 0, ...s })) }) as unknown as LiveState;
  it('a running camera stream whose frame count has not advanced for stallSeconds fails it, with the reason', () => {
    const r = liveness(state([{ lastAdvanceAt: 1000 }, { lastAdvanceAt: 50_000 }]), 30, 52_000);
    expect(r.ok).toBe(false);
    expect(r.body).toMatchObject({ status: 'stalled', streams: [0] });
    expect(String(r.body.reason)).toMatch(/stream 0 \(d0\): no new frame for 51 s \(at frame 10\)/);
  });
  it('streams that are connecting, reconnecting, ended or advancing are not stalled', () => {
    const r = liveness(state([{ state: 'connecting' }, { state: 'reconnecting' }, { state: 'eos' }, { state: 'error' }, { lastAdvanceAt: 40_000 }]), 30, 52_000);
    expect(r).toEqual({ ok: true, body: { status: 'ok' } });
  });
  it('a file that ended before the others is not stalled; every stream stuck is', () => {
    const files = (a: number, b: number) => state([{ input: 'a.mp4', lastAdvanceAt: a }, { input: 'file:///b.mp4', lastAdvanceAt: b }]);
    expect(liveness(files(1000, 50_000), 30, 52_000).ok).toBe(true);
    const stuck = liveness(files(1000, 15_000), 30, 52_000);
    expect(stuck.ok).toBe(false);
    expect(stuck.body.streams).toEqual([0, 1]);
  });
});

describe('http: the annotated picture of each stream', () => {
  it('/stream/0/frame.jpg is a JPEG of the processed frame with the rules drawn; other streams are 404', { timeout: 120_000 }, async () => {
    const p = createPipeline({
      inputs: [sample.stream],
      detector: sample.detector,
      analyticsConfig: sample.analyticsConfig,
      realtime: true,
      http: { port: 0 },
    });
    p.start();
    const url = await httpUrl(p);
    let jpeg: Buffer | undefined;
    for (let i = 0; i < 40 && !jpeg; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(`${url}stream/0/frame.jpg`);
      if (res.status === 200) {
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        jpeg = Buffer.from(await res.arrayBuffer());
      }
    }
    expect(jpeg, 'a picture within 10 s').toBeDefined();
    // JPEG SOI marker, and the frame size (SOF0: height, width) scaled to 640 px wide for 1280x720.
    expect(jpeg!.subarray(0, 2).toString('hex')).toBe('ffd8');
    const sof = jpeg!.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect([jpeg!.readUInt16BE(sof + 5), jpeg!.readUInt16BE(sof + 7)]).toEqual([360, 640]);
    expect((await fetch(`${url}stream/1/frame.jpg`)).status).toBe(404);
    expect(p.snapshot(0)).toBeInstanceOf(Buffer);
    await p.stop();
  });
});
