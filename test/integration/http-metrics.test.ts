// /metrics against the real broker: a run of the shipped sample publishing to Kafka with the HTTP side on;
// scraped while it runs (counters only go up) and after the end, parsed by a strict Prometheus text parser
// and matched against the run report (frames, lc_cum per label, messages built / delivered) and against
// what kcat reads back from the topic.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import { kcatRead } from '../helpers/cli.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { sample } from '../helpers/samples.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');

describe('http /metrics with Kafka', () => {
  it('counters match the run report and the topic', { timeout: 180_000 }, async () => {
    const topic = `http-metrics-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    const p = createPipeline({
      inputs: [sample.stream],
      detector: sample.detector,
      analyticsConfig: sample.analyticsConfig,
      msgconvConfig: sample.msgconvConfig,
      kafkaConfig: sample.kafkaConfig,
      connStr: `localhost;${port};${topic}`,
      deviceIds: ['gate-m'],
      realtime: true, // 18 s, so there is time to scrape while it runs
      http: { port: 0, lingerMs: 60_000 },
    });
    const url = new Promise<string>((resolve) => p.on('info', () => p.httpUrl && resolve(p.httpUrl)));
    p.start();
    const base = await url;
    const s0 = { stream: '0', device: 'gate-m' };

    // While it runs: scraped every second, every counter is monotonic; ready once Kafka answered.
    const scrapes: Array<ReturnType<typeof parsePrometheusText>> = [];
    let ended = false;
    void p.done.finally(() => (ended = true)).catch(() => {});
    let readySeen = false;
    while (!ended && scrapes.length < 30) {
      scrapes.push(parsePrometheusText(await (await fetch(`${base}metrics`)).text()));
      if ((await fetch(`${base}readyz`)).status === 200) readySeen = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(readySeen).toBe(true);
    expect(scrapes.length).toBeGreaterThan(5);
    const frames = scrapes.map((m) => sampleValue(m, 'ds_kafka_frames_total', s0));
    expect(frames.some((f, i) => i > 0 && f > frames[i - 1]!)).toBe(true);
    for (let i = 1; i < frames.length; i++) expect(frames[i]).toBeGreaterThanOrEqual(frames[i - 1]!);
    expect(sampleValue(scrapes[2]!, 'ds_kafka_stream_state', { ...s0, state: 'running' })).toBe(1);
    expect(sampleValue(scrapes[2]!, 'ds_kafka_producer_connected', { topic })).toBe(1);
    expect(sampleValue(scrapes[2]!, 'ds_kafka_fps', s0)).toBeGreaterThan(10); // paced at 30 fps

    const report = await p.done;
    const m = parsePrometheusText(await (await fetch(`${base}metrics`)).text());
    const st = report.streams[0]!;
    expect(st.lcCum).toEqual(sample.truth.expected.lc_cum);
    expect(sampleValue(m, 'ds_kafka_frames_total', s0)).toBe(st.frames);
    expect(st.frames).toBe(sample.truth.frames);
    for (const [label, n] of Object.entries(st.lcCum)) expect(sampleValue(m, 'ds_kafka_line_crossings_total', { ...s0, label }), label).toBe(n);
    expect(sampleValue(m, 'ds_kafka_messages_built_total', s0)).toBe(report.messages.built);
    expect(sampleValue(m, 'ds_kafka_messages_produced_total', { topic })).toBe(report.delivery!.produced);
    expect(sampleValue(m, 'ds_kafka_messages_delivered_total', { topic })).toBe(report.delivery!.delivered);
    expect(sampleValue(m, 'ds_kafka_messages_failed_total', { topic })).toBe(0);
    expect(sampleValue(m, 'ds_kafka_producer_in_flight_messages', { topic })).toBe(0);
    expect(report.delivery!.delivered).toBe(report.messages.built);
    expect(sampleValue(m, 'ds_kafka_stream_state', { ...s0, state: 'eos' })).toBe(1);
    // The topic holds exactly the delivered messages, and their last lc_cum equals the counters.
    const msgs = await kcatRead(bootstrap, topic);
    expect(msgs).toHaveLength(sampleValue(m, 'ds_kafka_messages_delivered_total', { topic }));
    const last = (JSON.parse(msgs.at(-1)!.value) as { analyticsModule: Record<string, number> }).analyticsModule;
    for (const label of Object.keys(st.lcCum)) expect(last[`lc_cum_${label}`]).toBe(sampleValue(m, 'ds_kafka_line_crossings_total', { ...s0, label }));
  });
});
