// Against the real broker (auto.create.topics.enable=false, like production): a missing topic fails fast
// with the reason, for run and consume; a broker that is down at start is not a topic error; kafkajs takes
// the cfg_kafka.txt properties it can honour and fails a message the broker refuses as too large at once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { KafkajsProducer } from '../../src/kafka/kafkajs-producer.js';
import type { DeliveryEvent } from '../../src/kafka/types.js';
import { kcatRead, runCli } from '../helpers/cli.js';
import { deliveryLine, sample } from '../helpers/samples.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');
const tmp = mkdtempSync(join(tmpdir(), 'dsk-topic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));
const runArgs = (connStr: string, extra: string[] = []) => [
  'run', '-i', sample.stream, '--detector', sample.detector, '--analytics-config', sample.analyticsConfig,
  '--conn-str', connStr, ...extra,
];

describe('a missing topic', () => {
  it('run fails at start (exit 2) with the reason, for either producer, before decoding anything', { timeout: 60_000 }, async () => {
    const topic = `missing-${randomUUID().slice(0, 8)}`;
    for (const producer of ['native', 'kafkajs']) {
      const started = Date.now();
      const r = await runCli(runArgs(`localhost;${port};${topic}`, ['--producer', producer, '--flush-timeout', '30000']), { timeoutMs: 50_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(errorLines(r.stderr)[0]).toMatch(new RegExp(`topic "${topic}" does not exist on localhost:${port} and (the broker does not create topics \\(auto\\.create\\.topics\\.enable=false\\)|the kafkajs producer never creates topics)`));
      expect(r.stdout).not.toMatch(/frames/); // no report: nothing ran
      expect(Date.now() - started).toBeLessThan(15_000); // not after the flush timeout
    }
  });

  it('consume: exit 2 for a missing topic, exit 4 for a broker that cannot be reached', { timeout: 60_000 }, async () => {
    const missing = await runCli(['consume', '--conn-str', `localhost;${port};missing-${randomUUID().slice(0, 8)}`, '--idle-ms', '1000']);
    expect(missing.code, missing.stderr).toBe(2);
    expect(errorLines(missing.stderr)[0]).toMatch(/does not exist on localhost/);
    const down = await runCli(['consume', '--conn-str', 'localhost;1;t', '--idle-ms', '1000']);
    expect(down.code, down.stderr).toBe(4);
    expect(errorLines(down.stderr)[0]).toMatch(/cannot reach the Kafka broker at localhost:1/);
  });

  it('a broker down at start is not a topic error: the run goes on, and its failure says why', { timeout: 90_000 }, async () => {
    const r = await runCli(runArgs('localhost;1;t', ['--delivery-timeout', '1500', '--flush-timeout', '5000']), { timeoutMs: 80_000 });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/broker localhost:1 not reachable at start/);
    expect(r.stdout).toMatch(new RegExp(`${sample.truth.frames} frames`)); // it decoded everything
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(/not delivered to localhost:1 topic "t" \(last delivery error: .+\)/);
  });
});

describe('--producer kafkajs with cfg_kafka.txt', () => {
  it('delivers with the properties it honours (client.id, timeouts) against the real broker', { timeout: 120_000 }, async () => {
    const topic = `kafkajs-cfg-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    const cfg = join(tmp, 'cfg_kafka.txt');
    writeFileSync(cfg, '[message-broker]\nproto-cfg="client.id=probe-cam;request.timeout.ms=10000;acks=all"\nsecurity.protocol=PLAINTEXT\n');
    const r = await runCli(runArgs(`localhost;${port};${topic}`, ['--producer', 'kafkajs', '-c', cfg, '--log-format', 'json']), { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    const d = deliveryLine(r.stdout);
    expect(d.delivered).toBe(d.built);
    expect(d.built).toBeGreaterThan(0);
    expect(await kcatRead(bootstrap, topic)).toHaveLength(d.built);
  });

  it('a message the broker refuses as too large fails at once with its reason; the others are delivered', { timeout: 60_000 }, async () => {
    const topic = `too-large-${randomUUID().slice(0, 8)}`;
    const admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '3000' }] }], waitForLeaders: true });
    await admin.disconnect();

    const events: DeliveryEvent[] = [];
    const p = new KafkajsProducer({ bootstrapServers: bootstrap, topic, deliveryTimeoutMs: 60_000 }, (e) => e.type === 'delivery' && events.push(e));
    // Small messages around a big one: together they exceed the limit too, so batches must be split.
    const small = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(100) }));
    const started = Date.now();
    small.slice(0, 20).forEach((m) => p.send('k', m));
    const bigSeq = p.send('k', JSON.stringify({ big: 'y'.repeat(10_000) }));
    small.slice(20).forEach((m) => p.send('k', m));
    const stats = await p.close(50_000);
    expect(Date.now() - started).toBeLessThan(20_000); // not retried until the deadline
    expect(stats).toMatchObject({ produced: 41, delivered: 40, failed: 1, inFlight: 0 });
    const big = events.find((e) => e.seq === bigSeq)!;
    expect(big.ok).toBe(false);
    expect(big.error).toMatch(/refused by the broker: .*larger than the max message size/);
    const onTopic = await kcatRead(bootstrap, topic);
    expect(onTopic.map((m) => m.value)).toEqual(small); // in order, each once
  });
});
