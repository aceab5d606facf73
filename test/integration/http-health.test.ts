// /healthz and /readyz of a real `ds-kafka run --http-port 0` when its broker goes away and comes back.
// This file runs its own broker (as delivery-faults.test.ts) so it can stop it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBroker } from '../../src/broker/local-broker.js';
import { ensureTopic } from '../../src/kafka/admin.js';
import { runCli } from '../helpers/cli.js';
import { deliveryLine } from '../helpers/samples.js';
import { makeH264 } from '../helpers/h264.js';

const PORT = Number(process.env.DS_KAFKA_HTTP_FAULT_PORT ?? 29292);
const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-http-broker-'));
let broker: LocalBroker;

beforeAll(async () => {
  broker = await LocalBroker.start({ port: PORT, dir });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function status(url: string): Promise<{ code: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { code: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Polls until check() holds; returns the last result. */
async function until<T>(what: string, get: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await get();
  while (!check(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await sleep(250);
    last = await get();
  }
  return last;
}

describe('health endpoints follow the broker', () => {
  it('readyz: 200 with the broker up, 503 with a reason while it is down, 200 again after; healthz stays 200', { timeout: 180_000 }, async () => {
    const topic = 'http-health';
    await ensureTopic(broker.bootstrapServers, topic);
    // A 2-minute stream paced like a camera (stopped with SIGTERM once the checks are done); motion
    // detection on 320x180 keeps it cheap; a message every 20 frames keeps the producer busy across the outage.
    const video = makeH264(dir, 'camera.h264', { frames: 1200, width: 320, height: 180, fps: 10 });
    let url = '';
    let err = '';
    let pid = 0;
    const run = runCli(
      ['run', '-i', video, '--detector', 'motion', '--realtime', '--frame-interval', '20',
        '--conn-str', `localhost;${PORT};${topic}`, '--flush-timeout', '60000', '--log-format', 'json', '--http-port', '0'],
      {
        timeoutMs: 170_000,
        onSpawn: (p) => (pid = p),
        onStderr: (c) => {
          err += c;
          url ||= /"msg":"http: live page (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)?.[1] ?? '';
        },
      },
    );
    await until('the URL', async () => url, (u) => u !== '', 20_000);
    const up = await until('ready', () => status(`${url}readyz`), (s) => s.code === 200, 15_000);
    expect(up.body).toMatchObject({ status: 'ready', kafka: { servers: `localhost:${PORT}`, reachable: true } });
    expect((await status(`${url}healthz`)).code).toBe(200);

    const restarting = broker.restart(10_000); // stop, 10 s down, start with the same data
    const down = await until('not ready', () => status(`${url}readyz`), (s) => s.code === 503, 20_000);
    expect(down.body.status).toBe('not ready');
    expect(String(down.body.reason)).toMatch(new RegExp(`kafka localhost:${PORT} not reachable`));
    expect(down.body.kafka).toMatchObject({ reachable: false });
    // Liveness does not depend on Kafka: the pipeline goes on (messages are buffered).
    const live = await status(`${url}healthz`);
    expect(live).toEqual({ code: 200, body: { status: 'ok' } });
    const metricsDown = await (await fetch(`${url}metrics`)).text();
    expect(metricsDown).toMatch(new RegExp(`^ds_kafka_producer_connected\\{topic="${topic}"\\} 0$`, 'm'));

    await restarting;
    const back = await until('ready again', () => status(`${url}readyz`), (s) => s.code === 200, 20_000);
    expect(back.body).toMatchObject({ status: 'ready', kafka: { reachable: true } });

    process.kill(pid, 'SIGTERM');
    const r = await run;
    expect(r.code, r.stderr).toBe(143);
    const d = deliveryLine(r.stdout);
    expect(d.built).toBeGreaterThan(0);
    expect(d.delivered).toBe(d.built);
  });
});
