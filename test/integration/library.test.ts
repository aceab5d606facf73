// The library face: examples/node-service.ts (the README's example, verbatim) against the real broker,
// and two streams with different per-stream configs and device ids in one run.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { generateScenarioSample, loadScenario } from '../../src/sample/index.js';
import { scenarioConfigText } from '../../src/sample/scenario.js';
import { loadMessageValidator } from '../../src/schema/validate.js';
import { kcatRead, repoRoot } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';
import { realClips } from '../helpers/real-clips.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');
const tmp = mkdtempSync(join(tmpdir(), 'ds-kafka-lib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runExample(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'examples', 'node-service.ts'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('library', () => {
  it('the README example (examples/node-service.ts) runs against the real broker', { timeout: 120_000 }, async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const example = readFileSync(join(repoRoot, 'examples', 'node-service.ts'), 'utf8');
    // The README shows the example file's code (from the import on), so what users copy is what we test.
    expect(readme).toContain(example.slice(example.indexOf('import {')).trim());

    const topic = `lib-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    // The example's real clip (DNN detector) and its frame-by-frame ground truth.
    const clip = realClips().find((c) => c.name === 'people-one-by-one-a')!;
    const r = await runExample([clip.video, `localhost;${port};${topic}`]);
    expect(r.code, r.stderr).toBe(0);
    const total = Object.values(clip.truth.expected.lcCum).reduce((a, b) => a + b, 0);
    expect(r.stdout).toMatch(new RegExp(`done: ${clip.truth.frames} frames, ${total} crossings, (\\d+) of \\1 messages delivered`));
    const msgs = await kcatRead(bootstrap, topic);
    // Crossing messages plus a heartbeat every 200 frames (frames 0 and 200 of 300).
    expect(msgs.filter((m) => m.key === 'gate-1').length).toBe(msgs.length);
    const built = Number(/of (\d+) messages delivered/.exec(r.stdout)![1]);
    expect(msgs).toHaveLength(built);
    expect(r.stdout.match(/sent #\d+ \(interval\)/g)).toHaveLength(2);
  });

  it('two inputs with different per-stream configs publish with their own device ids in one run', { timeout: 240_000 }, async () => {
    // Stream 1: a generated scenario with its own line labels, next to the shipped sample as stream 0.
    const scenario = await loadScenario(join(repoRoot, 'test', 'fixtures', 'scenarios', 'crossing-both-ways.json'));
    // Its own labels, so each stream's messages must carry only their stream's fields.
    for (const line of scenario.analytics.lines) line.label = `south_${line.label}`;
    const stream1 = join(tmp, 'stream1.h264');
    const { truth: truth1 } = await generateScenarioSample(scenario, stream1);
    const stream1Groups = scenarioConfigText(scenario)
      .split(/^(?=\[)/m)
      .filter((g) => g.startsWith('[line-crossing-stream-0]'))
      .map((g) => g.replace('[line-crossing-stream-0]', '[line-crossing-stream-1]'));
    const config = join(tmp, 'config_nvdsanalytics.txt');
    writeFileSync(config, `${readFileSync(sample.analyticsConfig, 'utf8')}\n${stream1Groups.join('\n')}`);
    const labels0 = Object.keys(sample.truth.expected.lc_cum);
    const labels1 = Object.keys(truth1.expected.lc_cum);
    expect(labels1.some((l) => labels0.includes(l))).toBe(false); // really different configs

    const topic = `multi-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic, 2);
    const report = await runPipeline({
      inputs: [sample.stream, stream1],
      detector: sample.detector,
      analyticsConfig: config,
      connStr: `localhost;${port};${topic}`,
      deviceIds: ['cam-north', 'cam-south'],
      frameEvents: false,
    });
    expect(report.streams.map((s) => [s.deviceId, s.state])).toEqual([['cam-north', 'eos'], ['cam-south', 'eos']]);
    expect(report.streams[0]!.lcCum).toEqual(sample.truth.expected.lc_cum);
    expect(report.streams[1]!.lcCum).toEqual(truth1.expected.lc_cum);

    const validate = loadMessageValidator();
    const msgs = await kcatRead(bootstrap, topic);
    expect(msgs).toHaveLength(report.delivery!.delivered);
    const byKey = new Map<string, Array<Record<string, number>>>();
    for (const m of msgs) {
      expect(validate(m.value)).toBeUndefined();
      const p = JSON.parse(m.value) as { deviceId: string; analyticsModule: Record<string, number> };
      expect(p.deviceId).toBe(m.key);
      byKey.set(m.key, [...(byKey.get(m.key) ?? []), p.analyticsModule]);
    }
    expect([...byKey.keys()].sort()).toEqual(['cam-north', 'cam-south']);
    const check = (key: string, labels: string[], other: string[], expected: Record<string, number>) => {
      const list = byKey.get(key)!;
      for (const am of list) {
        for (const l of labels) expect(am).toHaveProperty(`lc_cum_${l}`);
        for (const l of other) expect(am).not.toHaveProperty(`lc_cum_${l}`);
      }
      // Per-partition order is per key, so the last message of each device has its final totals.
      for (const l of labels) expect(list.at(-1)![`lc_cum_${l}`]).toBe(expected[l]);
    };
    check('cam-north', labels0, labels1, sample.truth.expected.lc_cum);
    check('cam-south', labels1, labels0, truth1.expected.lc_cum);
  });
});
