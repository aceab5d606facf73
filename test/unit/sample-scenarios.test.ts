// The scenario fixtures and the shipped sample: clean (exact ground truth is reachable by a real
// pipeline), expected counts as documented, and the shipped files consistent with each other.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { packageRoot } from '../../src/native/addon.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import { checkScenario } from '../../src/sample/check.js';
import { loadScenario } from '../../src/sample/generate.js';
import { computeGroundTruth, type Crossing, type GroundTruth } from '../../src/sample/ground-truth.js';
import {
  boxAt,
  normalizeScenario,
  scenarioAnalyticsConfig,
  scenarioConfigText,
  visibleAt,
  type Scenario,
} from '../../src/sample/scenario.js';

/** Runs the project's analytics engine on the scenario's exact boxes (clipped to the frame, one tracker id
 * per object): a perfect detector + tracker. Returns its crossings and final objLCCumCnt. */
function perfectPipeline(scenario: Scenario): { crossings: Crossing[]; lcCum: Record<string, number> } {
  const s = normalizeScenario(scenario);
  const engine = createAnalyticsEngine(scenarioAnalyticsConfig(s));
  const crossings: Crossing[] = [];
  let lcCum: Record<string, number> = {};
  for (let frame = 0; frame < s.frames; ++frame) {
    const objects = s.objects.flatMap((o, i) => {
      if (!visibleAt(s, o, frame)) return [];
      const b = boxAt(o, frame);
      const left = Math.max(0, b.left);
      const top = Math.max(0, b.top);
      const right = Math.min(s.width, b.left + b.width);
      const bottom = Math.min(s.height, b.top + b.height);
      return [{ id: i, classId: o.classId, left, top, width: right - left, height: bottom - top }];
    });
    const r = engine.process({ streamId: 0, frameNum: frame, ptsMs: (frame * 1000) / s.fps, frameWidth: s.width, frameHeight: s.height, objects });
    for (const o of r.objects) for (const label of o.lcStatus) crossings.push({ frame, objectIndex: Number(o.id), label });
    lcCum = r.objLCCumCnt;
  }
  const order = s.analytics.lines.map((l) => l.label);
  crossings.sort((a, b) => a.frame - b.frame || a.objectIndex - b.objectIndex || order.indexOf(a.label) - order.indexOf(b.label));
  return { crossings, lcCum };
}

const fixtures = join(packageRoot, 'test', 'fixtures', 'scenarios');
const samples = join(packageRoot, 'samples');

const expected: Record<string, Record<string, number>> = {
  'crossing-both-ways': { straight: 2 },
  'several-at-once': { straight: 4 },
  'stop-near-line': { straight: 1 },
  'turn-back': { straight: 2 },
  'near-edge': { left: 1, bottom: 1 },
  'dark-objects': { straight: 3 },
  'exposure-steps': { straight: 4 },
  'wait-at-line': { straight: 1 },
  'slow-mover': { straight: 1, Exit: 1 },
};

describe('scenario fixtures', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json'));

  it('include every required case', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(expect.arrayContaining(Object.keys(expected).sort()));
  });

  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    it(`${name}: clean, with the documented counts`, async () => {
      const s = await loadScenario(join(fixtures, file));
      expect(s.name).toBe(name);
      expect(checkScenario(s)).toEqual([]);
      const truth = computeGroundTruth(s);
      if (expected[name]) expect(truth.expected.lc_cum).toEqual(expected[name]);
      expect(truth.frames).toBeGreaterThan(100);
      expect(scenarioConfigText(s)).toMatch(/\[line-crossing-stream-0\]\nenable=1\nline-crossing-/);
    });

    it(`${name}: the config text parses to scenarioAnalyticsConfig, and the engine on perfect boxes agrees`, async () => {
      const s = await loadScenario(join(fixtures, file));
      const parsed = parseAnalyticsConfig(scenarioConfigText(s), 'config_nvdsanalytics.txt');
      expect(parsed.warnings).toEqual([]);
      expect(parsed.config).toEqual(scenarioAnalyticsConfig(s));
      const truth = computeGroundTruth(s);
      const engine = perfectPipeline(s);
      expect(engine.lcCum).toEqual(truth.expected.lc_cum);
      expect(engine.crossings).toEqual(truth.expected.crossings);
    });
  }
});

describe('shipped sample (samples/)', () => {
  const scenario = JSON.parse(readFileSync(join(samples, 'sample_720p.scenario.json'), 'utf8')) as Scenario;
  const truth = JSON.parse(readFileSync(join(samples, 'sample_720p.truth.json'), 'utf8')) as GroundTruth;

  it('is a clean scenario with two labels, counted both ways and with objects that must not count', () => {
    expect(checkScenario(scenario)).toEqual([]);
    expect(truth).toMatchObject({ width: 1280, height: 720, fps: 30 });
    expect(truth.frames / truth.fps).toBeGreaterThanOrEqual(15);
    expect(truth.frames / truth.fps).toBeLessThanOrEqual(20);
    expect(truth.expected.lc_cum).toEqual({ straight: 4, Exit: 3 });
    const counted = new Set(truth.expected.crossings.map((c) => c.objectIndex));
    expect(scenario.objects.length - counted.size).toBeGreaterThanOrEqual(2);
  });

  it('matches the analytics engine fed perfect boxes', () => {
    const engine = perfectPipeline(scenario);
    expect(engine.lcCum).toEqual(truth.expected.lc_cum);
    expect(engine.crossings).toEqual(truth.expected.crossings);
  });

  it('has truth.json and config_nvdsanalytics.txt up to date with the scenario', () => {
    expect(computeGroundTruth(scenario)).toEqual(truth);
    const config = readFileSync(join(samples, 'config_nvdsanalytics.txt'), 'utf8');
    expect(config).toBe(scenarioConfigText(scenario));
    expect(config).toMatch(/^extended=0$/m);
    expect(config).toMatch(/^mode=loose$/m);
    expect(config).toMatch(/^line-crossing-straight=640;600;640;300;200;450;1080;450$/m);
  });

  it('is an H.264 elementary stream of at most 3 MB that decodes to every frame', async () => {
    const path = join(samples, 'sample_720p.h264');
    expect(statSync(path).size).toBeLessThanOrEqual(3 * 1024 * 1024);
    const { stdout } = await promisify(execFile)(
      'gst-launch-1.0',
      ['-v', 'filesrc', `location=${path}`, '!', 'h264parse', '!', 'avdec_h264', '!', 'fakesink', 'silent=false'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout.split('\n').filter((l) => l.includes('last-message = chain')).length).toBe(truth.frames);
    expect(stdout).toMatch(/avdec_h264.*src: caps = video\/x-raw, format=\(string\)I420, width=\(int\)1280, height=\(int\)720/);
  });
});
