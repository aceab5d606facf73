// Counts and messages that survive SIGKILL (issue 13's "done when"): a run killed mid-stream and started
// again with the same flags continues lc_cum_* from the last delivered message (--resume-counts file and
// kafka), and with --spool-dir every message produced before the kill reaches the topic, any duplicate
// byte-identical (same messageid). Real broker of this file's own (it is stopped for the spool test).
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBroker } from '../../src/broker/local-broker.js';
import { ensureTopic } from '../../src/kafka/admin.js';
import { kcatRead, repoRoot, runCli } from '../helpers/cli.js';
import { resultLines, sample } from '../helpers/samples.js';

const PORT = Number(process.env.DS_KAFKA_DURABLE_PORT ?? 29792);
const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-durable-'));
let broker: LocalBroker;
let n = 0;

beforeAll(async () => {
  broker = await LocalBroker.start({ port: PORT, dir: join(dir, 'broker') });
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freshTopic(): Promise<string> {
  const topic = `durable-${++n}`;
  await ensureTopic(broker.bootstrapServers, topic);
  return topic;
}

type Module = Record<string, unknown>;
const modules = (msgs: Array<{ value: string }>) => msgs.map((m) => (JSON.parse(m.value) as { analyticsModule: Module }).analyticsModule);
/** lc_cum_<label> / lc_curr_<label> fields of a message (the default mapping's names). */
function fields(m: Module, prefix: 'lc_cum_' | 'lc_curr_'): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v as number]));
}

function runArgs(topic: string, deviceId: string, extra: string[]): string[] {
  return [
    'run', '-i', sample.stream, '--detector', sample.detector, '--analytics-config', sample.analyticsConfig,
    '--conn-str', `localhost;${PORT};${topic}`, '--device-id', deviceId, '--log-format', 'json', ...extra,
  ];
}

/** Plays the sample like a camera and SIGKILLs the run once `atLeast` messages are on the topic (+600 ms). */
async function killAfterMessages(topic: string, args: string[], atLeast: number): Promise<void> {
  let pid = 0;
  const run = runCli([...args, '--realtime'], { timeoutMs: 60_000, onSpawn: (p) => (pid = p) });
  for (;;) {
    if ((await kcatRead(broker.bootstrapServers, topic)).length >= atLeast) break;
    await sleep(200);
  }
  // The sample's 5th crossing (frame 374) is followed by 2.7 s without one: the kill lands between messages.
  await sleep(600);
  process.kill(pid, 'SIGKILL');
  const r = await run;
  expect(r.signal).toBe('SIGKILL');
}

describe.each([
  ['file', (d: string) => ['--resume-counts', 'file', '--state-dir', d]],
  ['kafka', (_d: string) => ['--resume-counts', 'kafka']],
] as const)('--resume-counts %s after SIGKILL', (mode, flags) => {
  it('continues lc_cum_* from the last delivered message', { timeout: 150_000 }, async () => {
    const topic = await freshTopic();
    const stateDir = join(dir, `state-${mode}`);
    const args = runArgs(topic, `cam-kill-${mode}`, flags(stateDir));
    await killAfterMessages(topic, args, 5);
    const before = modules(await kcatRead(broker.bootstrapServers, topic));
    expect(before.length).toBeGreaterThanOrEqual(5);
    const last = fields(before.at(-1)!, 'lc_cum_');
    expect(Object.values(last).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const again = await runCli(args, { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(0);
    const stream = resultLines(again.stdout).find((o) => o.event === 'stream') as { resumed?: { counts: Record<string, number> }; lcCum: Record<string, number> };
    expect(stream.resumed?.counts).toEqual(last);
    expect(again.stdout + again.stderr).toMatch(/resume-counts: stream 0 \(cam-kill-\w+\): resumed lc_cum/);

    const after = modules(await kcatRead(broker.bootstrapServers, topic)).slice(before.length);
    expect(after.length).toBeGreaterThan(0);
    // Never below what consumers already saw, and every crossing of the new run adds on top.
    for (const m of after) for (const [label, v] of Object.entries(fields(m, 'lc_cum_'))) expect(v).toBeGreaterThanOrEqual(last[label]!);
    const added: Record<string, number> = {};
    for (const m of after) for (const [label, v] of Object.entries(fields(m, 'lc_curr_'))) added[label] = (added[label] ?? 0) + v;
    const final = fields(after.at(-1)!, 'lc_cum_');
    for (const label of Object.keys(last)) expect(final[label]).toBe(last[label]! + (added[label] ?? 0));
    expect(stream.lcCum).toEqual(final);
  });
});

describe('--spool-dir after SIGKILL', () => {
  it('every message produced before the kill is on the topic afterwards; duplicates only with the same messageid', { timeout: 200_000 }, async () => {
    const topic = await freshTopic();
    const spool = join(dir, 'spool');
    await broker.stop(); // nothing can be acknowledged: everything lives in the spool only
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'test', 'helpers', 'pipeline-child.mjs'), JSON.stringify({
        inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig,
        connStr: `localhost;${PORT};${topic}`, deviceIds: ['cam-spool'], realtime: true, spoolDir: spool,
      })],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const produced = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; messageid?: string }).filter((e) => e.event === 'message');
    const deadline = Date.now() + 60_000;
    while (produced().length < 3 && Date.now() < deadline) await sleep(200);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const ids = produced().map((e) => e.messageid!);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    // A write cut off by the kill: a torn record at a segment's end is ignored, not fatal.
    const seg = readdirSync(spool).find((f) => f.endsWith('.log'))!;
    appendFileSync(join(spool, seg), Buffer.from([0x44, 0x53, 0x4b, 0x53, 9, 0, 0]));

    await broker.restart();
    const again = await runCli(runArgs(topic, 'cam-spool', ['--spool-dir', spool]), { timeoutMs: 90_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/re-sending \d+ unacknowledged message/);
    expect(again.stdout + again.stderr).toMatch(/ignored 7 byte\(s\) of a record cut off/);
    const delivery = resultLines(again.stdout).find((o) => o.event === 'delivery') as { spool: { resent: number; pending: number } };
    expect(delivery.spool.resent).toBeGreaterThanOrEqual(ids.length);
    expect(delivery.spool.pending).toBe(0);

    const msgs = await kcatRead(broker.bootstrapServers, topic);
    const byId = new Map<string, string[]>();
    for (const m of msgs) {
      const id = (JSON.parse(m.value) as { messageid: string }).messageid;
      byId.set(id, [...(byId.get(id) ?? []), m.value]);
    }
    for (const id of ids) expect(byId.has(id), `message ${id} produced before the kill`).toBe(true);
    for (const copies of byId.values()) expect(new Set(copies).size).toBe(1);
    // Nothing left behind once everything is acknowledged.
    expect(readdirSync(spool).filter((f) => f.startsWith('seg-'))).toEqual([]);
  });
});
