// --resume-counts file without a broker: counts continue across runs, per device id and line label; a
// changed config resumes the labels that remain and says so; damaged, foreign or ambiguous state is a
// ConfigError naming the file (exit 2 from the CLI) unless the run asks to start fresh.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import type { RunReport } from '../../src/pipeline/events.js';
import { stateFileName } from '../../src/state/state-file.js';
import { runCli } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const truth = sample.truth.expected.lc_cum;

async function run(stateDir: string, extra: Record<string, unknown> = {}): Promise<{ report: RunReport; info: string[] }> {
  const p: Pipeline = createPipeline({
    inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig, deviceIds: ['cam-1'],
    frameEvents: false, resumeCounts: 'file', stateDir, ...extra,
  });
  const info: string[] = [];
  p.on('info', (m) => info.push(m));
  p.start();
  return { report: await p.done, info };
}

const times = (k: number) => Object.fromEntries(Object.entries(truth).map(([l, v]) => [l, v * k]));

describe('--resume-counts file', () => {
  it('continues lc_cum across runs and keeps a checksummed state per device id', { timeout: 120_000 }, async () => {
    const stateDir = join(dir, 'a');
    const first = await run(stateDir);
    expect(first.report.streams[0]!.lcCum).toEqual(truth);
    expect(first.info.join('\n')).toMatch(/stream 0 \(cam-1\): no saved counts .*starting from 0/);
    const second = await run(stateDir);
    expect(second.report.streams[0]!.resumed?.counts).toEqual(truth);
    expect(second.report.streams[0]!.lcCum).toEqual(times(2));
    const file = join(stateDir, stateFileName('cam-1'));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { state: { lcCum: Record<string, number>; deviceId: string }; checksum: string };
    expect(saved.state.deviceId).toBe('cam-1');
    expect(saved.state.lcCum).toEqual(times(2));
    expect(saved.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no leftovers of the atomic write
  });

  it('a changed config resumes the labels that still exist and says which changed', { timeout: 120_000 }, async () => {
    const stateDir = join(dir, 'b');
    await run(stateDir);
    const [kept, renamed] = Object.keys(truth) as [string, string];
    const cfg = join(dir, 'renamed.txt');
    writeFileSync(cfg, readFileSync(sample.analyticsConfig, 'utf8').replace(`line-crossing-${renamed}=`, 'line-crossing-Leave='));
    const again = await run(stateDir, { analyticsConfig: cfg });
    expect(again.report.streams[0]!.resumed?.counts).toEqual({ [kept]: truth[kept] });
    expect(again.report.streams[0]!.lcCum).toEqual({ [kept]: 2 * truth[kept]!, Leave: truth[renamed] });
    const note = again.info.find((m) => m.startsWith('resume-counts:'))!;
    expect(note).toContain(`resumed lc_cum ${kept}=${truth[kept]}`);
    expect(note).toContain('new line(s) Leave start at 0');
    expect(note).toContain(`dropped: ${renamed}=${truth[renamed]}`);
  });

  it('a damaged or foreign state file is refused naming the file; fresh starts again from 0', { timeout: 120_000 }, async () => {
    const stateDir = join(dir, 'c');
    await run(stateDir);
    const file = join(stateDir, stateFileName('cam-1'));
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/"straight": \d+/, '"straight": 999'));
    await expect(run(stateDir)).rejects.toThrow(ConfigError);
    await expect(run(stateDir)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: counting state fails its checksum`));
    // The CLI says the same with exit code 2.
    const cli = await runCli([
      'run', '-i', sample.stream, '--detector', sample.detector, '--analytics-config', sample.analyticsConfig,
      '--device-id', 'cam-1', '--resume-counts', 'file', '--state-dir', stateDir,
    ], { timeoutMs: 60_000 });
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stderr).toContain(file);

    // Another device's state under this device's name.
    writeFileSync(join(stateDir, stateFileName('cam-2')), good);
    await expect(run(stateDir, { deviceIds: ['cam-2'] })).rejects.toThrow(/counting state of device "cam-1", not "cam-2"/);

    const fresh = await run(stateDir, { resumeCounts: 'fresh' });
    expect(fresh.report.streams[0]!.lcCum).toEqual(truth);
    const next = await run(stateDir);
    expect(next.report.streams[0]!.lcCum).toEqual(times(2));
  });

  it('--resume-counts kafka reads back with the config\'s security settings, or refuses what kafkajs cannot do', async () => {
    const cfg = join(dir, 'cfg_kafka_ssl.txt');
    writeFileSync(cfg, '[message-broker]\nproto-cfg = "security.protocol=SSL;ssl.ca.location=probe"\n');
    const p = createPipeline({ inputs: [sample.stream], detector: sample.detector, connStr: 'localhost;1;t', kafkaConfig: cfg, resumeCounts: 'kafka' }).start();
    await expect(p.done).rejects.toThrow(/--resume-counts kafka reads the topic with kafkajs, which cannot use the security settings/);
  });

  it('two streams with one device id cannot share a state', async () => {
    const p = createPipeline({ inputs: [sample.stream, sample.stream], detector: sample.detector, deviceIds: ['x', 'x'], resumeCounts: 'file', stateDir: dir }).start();
    await expect(p.done).rejects.toThrow(/streams 0 and 1 are both "x"/);
  });
});
