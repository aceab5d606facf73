// `ds-kafka broker start` keeps what the broker acknowledged across a restart (a crash must not delete
// messages); --fresh wipes it. Real broker on its own port, messages read back with kcat.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/broker/paths.js';
import { runCli } from '../helpers/cli.js';

const PORT = Number(process.env.DS_KAFKA_BROKER_CLI_PORT ?? 29392);
// The broker's data lives under the shared cache (~/.cache/ds-kafka/broker-<port>): a port of its own.
const env = {};
afterAll(async () => {
  await runCli(['broker', 'stop', '--port', String(PORT)], { env, timeoutMs: 60_000 });
});

function kcatCount(topic: string): number {
  const r = spawnSync('kcat', ['-C', '-b', `localhost:${PORT}`, '-t', topic, '-o', 'beginning', '-e', '-q'], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.split('\n').filter((l) => l.length > 0).length;
}

describe('ds-kafka broker start', () => {
  it('keeps acknowledged messages across a stop/start; --fresh wipes them, and each start says which', { timeout: 240_000 }, async () => {
    const start = (extra: string[] = []) => runCli(['broker', 'start', '--port', String(PORT), '--topic', 'kept', ...extra], { env, timeoutMs: 120_000 });
    const stop = () => runCli(['broker', 'stop', '--port', String(PORT)], { env, timeoutMs: 60_000 });

    // A port never used before has no directory yet: the first start must create it.
    rmSync(join(cacheDir(), `broker-${PORT}`), { recursive: true, force: true });
    const first = await start(['--fresh']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/data: fresh/);
    for (const m of ['{"n":1}', '{"n":2}']) {
      const r = await runCli(['send', '--conn-str', `localhost;${PORT};kept`, '--message', m], { env, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(kcatCount('kept')).toBe(2);

    expect((await stop()).code).toBe(0);
    const again = await start();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/data: kept from its previous run/);
    expect(kcatCount('kept')).toBe(2);

    expect((await stop()).code).toBe(0);
    const fresh = await start(['--fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/data: fresh/);
    expect(kcatCount('kept')).toBe(0);
  });
});
