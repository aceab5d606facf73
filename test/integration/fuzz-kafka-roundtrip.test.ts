// Fuzz-generated hostile configs (labels, description, sensor id, static fields: quotes, backslashes,
// control characters, U+2028, non-ASCII, emoji, long strings) through the real broker and back:
//   1. the library pipeline (native analytics engine -> native payload builder -> native producer) on the
//      shipped sample, with the sample's "straight" line renamed to a hostile label;
//   2. more cases through the native producer that `ds-kafka send` uses, payloads from the native builder.
// Read back with src/kafka/consumer.ts: every value is the exact bytes sent, valid JSON, fields equal.
// Fixed seed (printed; FUZZ_SEED overrides it), so a failure is reproducible.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError } from '../../src/config/errors.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { loadMsgconvConfig } from '../../src/config/msgconv-config.js';
import { ensureTopic } from '../../src/kafka/admin.js';
import { readMessages } from '../../src/kafka/consumer.js';
import { NativeKafkaProducer } from '../../src/kafka/native-producer.js';
import { buildPayloadNative, extractKeyNative } from '../../src/native/payload.js';
import type { MessageEvent } from '../../src/pipeline/events.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import { hostileCase, staticAsRead, writeHostileConfigs, type HostileCase } from '../helpers/hostile-config.js';
import { sample } from '../helpers/samples.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');
// FUZZ_SEED=<n> replays a run, FUZZ_SEED=random explores new inputs.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 13_2026);
console.log(`fuzz-kafka-roundtrip: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

const tmp = mkdtempSync(join(tmpdir(), 'ds-kafka-fuzz-kafka-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Reading a written UTF-8 file turns a lone surrogate into U+FFFD. */
const asRead = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const keyAsRead = (k: string) => asRead(k).replace(/[ \t\n\f\r]+$/, '');

interface Loaded {
  c: HostileCase;
  files: ReturnType<typeof writeHostileConfigs>;
  mapping: ReturnType<typeof buildPayloadMapping>;
}

/** The first `n` generated cases that are valid configs (a blank sensor id or a reserved static name is not; the unit fuzz covers those errors). */
function validCases(n: number): Loaded[] {
  const out: Loaded[] = [];
  for (const [i, c] of fc.sample(hostileCase({ validKeys: true }), { seed: SEED, numRuns: 400 }).entries()) {
    const files = writeHostileConfigs(tmp, c, `case${i}`);
    try {
      const a = loadAnalyticsConfig(files.analytics);
      const mapping = buildPayloadMapping(a.config, loadMsgconvConfig(files.msgconv).config, [0], { origins: a.origins });
      out.push({ c, files, mapping });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
    if (out.length === n) break;
  }
  expect(out).toHaveLength(n);
  const show = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const { c } of out) console.log(`  label ${show(c.lineLabel)} roi ${show(c.roiLabel)} static ${show(c.staticKey)}=${show(String(c.staticValue))} device ${show(c.sensorId)}`);
  return out;
}

type Message = { deviceId: string; analyticsModule: Record<string, unknown> };

function expectFields(value: string, c: HostileCase): Message {
  const msg = JSON.parse(value) as Message;
  const am = msg.analyticsModule;
  expect(msg.deviceId).toBe(asRead(c.sensorId));
  expect(am.description).toBe(asRead(c.description));
  expect(am[keyAsRead(c.staticKey)]).toBe(staticAsRead(c.staticValue));
  return msg;
}

describe('fuzz: hostile configs through the real broker', () => {
  const cases = validCases(12);

  it('the library pipeline on the sample publishes hostile labels and statics that read back exactly', { timeout: 180_000 }, async () => {
    for (const { c, files } of cases.slice(0, 2)) {
      const topic = `fuzz-pipe-${randomUUID().slice(0, 8)}`;
      await ensureTopic(bootstrap, topic);
      const sent: MessageEvent[] = [];
      const p = createPipeline({
        inputs: [sample.stream],
        detector: sample.detector,
        analyticsConfig: files.analytics,
        msgconvConfig: files.msgconv,
        connStr: `localhost;${port};${topic}`,
      });
      p.on('message', (m) => sent.push(m));
      const report = await p.start().done;
      const label = keyAsRead(c.lineLabel);
      // The native engine counted under the hostile label exactly what the sample's "straight" line counts.
      expect(report.streams[0]!.lcCum[label]).toBe(sample.truth.expected.lc_cum.straight);
      expect(report.delivery?.delivered).toBe(sent.length);
      expect(sent.length).toBeGreaterThan(0);

      const got = await readMessages({ bootstrapServers: bootstrap, topic, max: sent.length, idleMs: 3000 });
      expect(got.map((m) => m.value)).toEqual(sent.map((m) => m.payload));
      for (const m of got) {
        const msg = expectFields(m.value, c);
        expect(m.key).toBe(msg.deviceId === '' ? null : msg.deviceId);
      }
      const last = JSON.parse(got.at(-1)!.value) as Message;
      expect(last.analyticsModule[`lc_cum_${label}`]).toBe(sample.truth.expected.lc_cum.straight);
    }
  });

  it('native-built payloads sent through the native producer (as `ds-kafka send`) read back byte for byte', { timeout: 60_000 }, async () => {
    const topic = `fuzz-send-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    const producer = new NativeKafkaProducer({ bootstrapServers: bootstrap, topic });
    const sent: Array<{ key: string | null; value: string; c: HostileCase }> = [];
    for (const [i, { c, mapping }] of cases.slice(2).entries()) {
      const label = keyAsRead(c.lineLabel);
      const frame = { streamId: 0, frameNum: i, ptsMs: i * 33, objLCCurrCnt: { [label]: 1 }, objLCCumCnt: { [label]: i + 1 }, objInROIcnt: { [keyAsRead(c.roiLabel)]: 3 }, ocStatus: {}, objCnt: {} };
      const value = buildPayloadNative(mapping, frame, { messageId: randomUUID(), timestamp: new Date().toISOString(), deviceId: mapping.streams[0]!.deviceId! });
      const key = extractKeyNative(value, 'deviceId');
      producer.send(key, value);
      sent.push({ key, value, c });
    }
    const stats = await producer.close(20_000);
    expect(stats).toMatchObject({ produced: sent.length, delivered: sent.length, failed: 0 });

    const got = await readMessages({ bootstrapServers: bootstrap, topic, max: sent.length, idleMs: 3000 });
    expect(got.map((m) => [m.key, m.value])).toEqual(sent.map((s) => [s.key, s.value]));
    got.forEach((m, i) => {
      const { c } = sent[i]!;
      const am = expectFields(m.value, c).analyticsModule;
      expect(am[`lc_cum_${keyAsRead(c.lineLabel)}`]).toBe(i + 1);
      expect(am[`roi_${keyAsRead(c.roiLabel)}`]).toBe(3);
    });
  });
});
