// Issue 4's acceptance: on every generated scenario, the real CPU backend (GStreamer decode of the
// generated H.264 -> motion detection -> SORT -> analytics engine) ends with lc_cum per label equal to
// the ground truth computed from the scenario's exact trajectories.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { generateScenarioSample, loadScenario } from '../../src/sample/index.js';
import { scenarioConfigText } from '../../src/sample/scenario.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'scenarios');
const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CPU backend counts equal the ground truth on generated scenarios', () => {
  const names = readdirSync(fixtures).filter((f) => f.endsWith('.json'));
  it('has the required scenarios', () => {
    expect(names.map((n) => basename(n, '.json')).sort()).toEqual(
      [
        'crossing-both-ways',
        'near-edge',
        'several-at-once',
        'stop-near-line',
        'turn-back',
        // the motion detector's hard cases (test/e2e/motion-detector-scenes.test.ts looks closer)
        'dark-objects',
        'exposure-steps',
        'wait-at-line',
        'slow-mover',
      ].sort(),
    );
  });

  for (const name of names) {
    it(`${basename(name, '.json')}`, { timeout: 240_000 }, async () => {
      const scenario = await loadScenario(join(fixtures, name));
      const stream = join(dir, `${scenario.name}.h264`);
      const configPath = join(dir, `${scenario.name}.config_nvdsanalytics.txt`);
      const { truth } = await generateScenarioSample(scenario, stream);
      writeFileSync(configPath, scenarioConfigText(scenario));

      // The same path as `ds-kafka run -i <stream> --analytics-config <file>` (no Kafka needed here).
      // Painted shapes are the motion detector's test (a trained network does not see them as objects).
      const report = await runPipeline({ inputs: [stream], detector: 'motion', analyticsConfig: configPath, frameEvents: false });
      expect(report.streams[0]!.state).toBe('eos');
      expect(report.streams[0]!.frames).toBe(truth.frames);
      const expected = truth.expected.lc_cum;
      // Every configured label is reported, with exactly the expected total.
      expect(report.streams[0]!.lcCum).toEqual(expected);
    });
  }
});
