// Foundation: a message produced by the native addon (librdkafka) reaches the real broker with its key,
// read back by kcat (independent client) and by the project's own consumer; bad invocations fail clearly.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { readMessages } from '../../src/kafka/consumer.js';
import { kcatRead, runCli } from '../helpers/cli.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');

describe('ds-kafka send (native producer) against a real broker', () => {
  it('delivers a keyed JSON message that kcat and our consumer read back', async () => {
    const topic = `first-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    const message = JSON.stringify({ deviceId: 'device-42', analyticsModule: { id: 'XYZ', lc_cum_straight: 7 } });
    const r = await runCli(['send', '--conn-str', `localhost;${port};${topic}`, '--key', 'device-42', '--message', message]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`delivered to localhost:${port} topic "${topic}" partition 0 offset 0 key "device-42"`));

    const viaKcat = await kcatRead(bootstrap, topic);
    expect(viaKcat).toEqual([{ key: 'device-42', value: message }]);

    const viaConsumer = await readMessages({ bootstrapServers: bootstrap, topic, max: 1, idleMs: 3000 });
    expect(viaConsumer.map((m) => [m.key, m.value])).toEqual([['device-42', message]]);
  });

  it('uses the message deviceId as key when no --key is given (partition-key default)', async () => {
    const topic = `first-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    const r = await runCli(['send', '--conn-str', `localhost;${port};${topic}`, '--message', '{"deviceId":"cam-7"}']);
    expect(r.code).toBe(0);
    expect(await kcatRead(bootstrap, topic)).toEqual([{ key: 'cam-7', value: '{"deviceId":"cam-7"}' }]);
  });
});

describe('clear one-line errors with documented exit codes', () => {
  const oneErrorLine = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('error:'));

  it('malformed --conn-str (no topic: DeepStream would publish to a topic named "9092")', async () => {
    const r = await runCli(['send', '--conn-str', 'localhost;9092']);
    expect(r.code).toBe(2);
    const lines = oneErrorLine(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/conn-str/i);
    expect(lines[0]).toMatch(/topic/i);
  });

  it('malformed --conn-str (bad port)', async () => {
    const r = await runCli(['send', '--conn-str', 'localhost;notaport;t']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)[0]).toMatch(/port/i);
  });

  it('unreachable broker at startup: not delivered before the deadline, exit 4', async () => {
    const started = Date.now();
    const r = await runCli(['send', '--conn-str', 'localhost;1;nowhere', '--timeout', '3000', '--quiet'], { timeoutMs: 30_000 });
    expect(r.code).toBe(4);
    const lines = oneErrorLine(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not delivered to localhost:1 topic "nowhere" within 3000 ms/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('missing video file for run: exit 3 before touching Kafka', async () => {
    const r = await runCli(['run', '-i', '/nonexistent/stream.h264', '--conn-str', `localhost;${port};x`]);
    expect(r.code).toBe(3);
    const lines = oneErrorLine(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\/nonexistent\/stream\.h264/);
  });
});
