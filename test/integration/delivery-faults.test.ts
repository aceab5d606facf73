// Nothing lost, nothing duplicated: the native producer against a real broker that is down at start,
// restarts mid-run, and a run stopped with SIGTERM. This file runs its own broker so it can stop it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBroker } from '../../src/broker/local-broker.js';
import { ensureTopic } from '../../src/kafka/admin.js';
import { kcatRead, runCli } from '../helpers/cli.js';
import { deliveryLine, sample } from '../helpers/samples.js';

const PORT = Number(process.env.DS_KAFKA_FAULT_PORT ?? 29192);
const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-fault-broker-'));
let broker: LocalBroker;
let n = 0;

beforeAll(async () => {
  broker = await LocalBroker.start({ port: PORT, dir });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freshTopic(): Promise<string> {
  const topic = `faults-${++n}`;
  await ensureTopic(broker.bootstrapServers, topic);
  return topic;
}

function runArgs(topic: string, extra: string[] = []): string[] {
  return [
    'run', '-i', sample.stream, '--detector', sample.detector,
    '--analytics-config', sample.analyticsConfig,
    '--conn-str', `localhost;${PORT};${topic}`,
    '--device-id', 'cam-f',
    '--log-format', 'json',
    ...extra,
  ];
}

async function expectExactlyOnce(topic: string, built: number): Promise<void> {
  const msgs = await kcatRead(broker.bootstrapServers, topic);
  const ids = msgs.map((m) => (JSON.parse(m.value) as { messageid: string }).messageid);
  expect(msgs.length).toBe(built);
  expect(new Set(ids).size).toBe(built);
}

describe('native producer delivery under broker faults', () => {
  it('broker down when the run starts, up 10 s later: every message delivered exactly once', { timeout: 180_000 }, async () => {
    const topic = await freshTopic();
    await broker.stop();
    const run = runCli(runArgs(topic, ['--flush-timeout', '90000']), { timeoutMs: 170_000 });
    await sleep(10_000);
    await broker.restart(); // same data (and topic), same port
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/buffered|Connection refused|brokers are down/i); // it warned instead of refusing
    const d = deliveryLine(r.stdout);
    expect(d.built).toBeGreaterThanOrEqual(Object.values(sample.truth.expected.lc_cum).reduce((a, b) => a + b, 0));
    expect(d.delivered).toBe(d.built);
    await expectExactlyOnce(topic, d.built);
  });

  it('broker restarted mid-run: nothing lost, nothing duplicated', { timeout: 180_000 }, async () => {
    const topic = await freshTopic();
    // --realtime: the 18 s sample plays like a camera, so the restart happens between crossings.
    const run = runCli(runArgs(topic, ['--realtime', '--flush-timeout', '90000']), { timeoutMs: 170_000 });
    await sleep(4_000);
    await broker.restart(2_000);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const d = deliveryLine(r.stdout);
    expect(d.delivered).toBe(d.built);
    await expectExactlyOnce(topic, d.built);
  });

  it('SIGTERM mid-run: stops, flushes, reports; everything produced so far is delivered', { timeout: 120_000 }, async () => {
    const topic = await freshTopic();
    let pid = 0;
    const run = runCli(runArgs(topic, ['--realtime']), { timeoutMs: 100_000, onSpawn: (p) => (pid = p) });
    await sleep(8_000); // past the first crossings (frames 81 and 178 of the sample at 30 fps)
    process.kill(pid, 'SIGTERM');
    const r = await run;
    expect(r.code).toBe(143);
    const d = deliveryLine(r.stdout);
    expect(d.built).toBeGreaterThan(0);
    expect(d.delivered).toBe(d.built);
    expect(d.failed + d.inFlight + d.lost).toBe(0);
    await expectExactlyOnce(topic, d.built);
    // It stopped early: fewer messages than a full run sends.
    expect(d.built).toBeLessThan(Object.values(sample.truth.expected.lc_cum).reduce((a, b) => a + b, 0));
  });
});
