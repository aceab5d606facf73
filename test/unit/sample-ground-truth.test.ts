// Ground truth from hand-built trajectories: line-crossing semantics (arrow sense, segment vs extended,
// once per object per label, visibility) without any renderer or analytics engine.
import { describe, expect, it } from 'vitest';

import { checkScenario } from '../../src/sample/check.js';
import { computeGroundTruth, expectedCumulativeAt, sideChanges } from '../../src/sample/ground-truth.js';
import {
  normalizeScenario,
  positionAt,
  scenarioAnalyticsConfig,
  scenarioConfigText,
  ScenarioError,
  type Scenario,
  type ScenarioLine,
  type ScenarioObject,
} from '../../src/sample/scenario.js';

// Seed-style line: horizontal segment y = 450 from x = 200 to 1080, arrow pointing up (y decreasing).
const straight: ScenarioLine = { label: 'straight', arrow: [[640, 600], [640, 300]], line: [[200, 450], [1080, 450]], extended: false };

function scenario(objects: ScenarioObject[], lines: ScenarioLine[] = [straight], extra: Partial<Scenario> = {}): Scenario {
  return { seed: 1, frames: 300, objects, analytics: { lines }, ...extra };
}

const car = (path: Array<[number, number, number]>, extra: Partial<ScenarioObject> = {}): ScenarioObject => ({
  size: [80, 140],
  path: path.map(([frame, x, y]) => ({ frame, x, y })),
  ...extra,
});

describe('positionAt', () => {
  it('interpolates linearly between waypoints and clamps to the ends', () => {
    const o = car([
      [10, 100, 700],
      [20, 200, 600],
      [40, 200, 200],
    ]);
    expect(positionAt(o, 0)).toEqual({ x: 100, y: 700 });
    expect(positionAt(o, 15)).toEqual({ x: 150, y: 650 });
    expect(positionAt(o, 30)).toEqual({ x: 200, y: 400 });
    expect(positionAt(o, 99)).toEqual({ x: 200, y: 200 });
  });
});

describe('computeGroundTruth', () => {
  it('counts a crossing in the arrow sense, at the first frame on the line or beyond it', () => {
    // y = 650 - 10·f: on the line at f = 20
    const t = computeGroundTruth(scenario([car([[0, 500, 650], [60, 500, 50]])]));
    expect(t.expected.lc_cum).toEqual({ straight: 1 });
    expect(t.expected.crossings).toEqual([{ frame: 20, objectIndex: 0, label: 'straight' }]);
    // y = 655 - 10·f: beyond the line first at f = 21
    expect(computeGroundTruth(scenario([car([[0, 500, 655], [60, 500, 55]])])).expected.crossings[0]!.frame).toBe(21);
  });

  it('treats reaching the line as crossing it, without flapping while resting on it', () => {
    // up to the line, rest on it, then back down: one forward crossing, then one backward
    const s = scenario([car([[0, 500, 600], [15, 500, 450], [40, 500, 450], [60, 500, 650]])]);
    expect(sideChanges(s).map((c) => [c.frame, c.forward])).toEqual([
      [15, true],
      [41, false],
    ]);
    expect(computeGroundTruth(s).expected.lc_cum.straight).toBe(1);
  });

  it('does not count a crossing against the arrow', () => {
    const s = scenario([car([[0, 500, 100], [60, 500, 700]])]);
    expect(computeGroundTruth(s).expected.lc_cum).toEqual({ straight: 0 });
    const changes = sideChanges(s);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ forward: false, counted: false, onSegment: true });
  });

  it('counts both ways across two labels with opposite arrows', () => {
    const down: ScenarioLine = { ...straight, label: 'down', arrow: [[640, 300], [640, 600]] };
    const t = computeGroundTruth(
      scenario(
        [car([[0, 400, 700], [100, 400, 100]]), car([[0, 800, 100], [100, 800, 700]]), car([[50, 600, 700], [150, 600, 100]])],
        [straight, down],
      ),
    );
    expect(t.expected.lc_cum).toEqual({ straight: 2, down: 1 });
    expect(t.expected.crossings.map((c) => [c.objectIndex, c.label])).toEqual([
      [0, 'straight'],
      [1, 'down'],
      [2, 'straight'],
    ]);
  });

  it('does not count an object that turns back before the line', () => {
    const t = computeGroundTruth(scenario([car([[0, 500, 700], [50, 500, 520], [100, 500, 700]])]));
    expect(t.expected.lc_cum.straight).toBe(0);
    expect(t.expected.crossings).toEqual([]);
  });

  it('counts an object that stops near the line and then crosses, but not one that stops and leaves', () => {
    const t = computeGroundTruth(
      scenario([
        car([[0, 400, 700], [40, 400, 530], [80, 400, 530], [140, 400, 100]]),
        car([[0, 800, 700], [40, 800, 530], [80, 800, 530], [140, 1400, 530]]),
      ]),
    );
    expect(t.expected.lc_cum.straight).toBe(1);
    expect(t.expected.crossings[0]).toMatchObject({ objectIndex: 0 });
    expect(t.expected.crossings[0]!.frame).toBeGreaterThan(80);
  });

  it('counts an object once per label however often it crosses', () => {
    const t = computeGroundTruth(
      scenario([car([[0, 500, 700], [40, 500, 300], [80, 500, 600], [120, 500, 300], [160, 500, 600], [200, 500, 100]])]),
    );
    expect(t.expected.lc_cum.straight).toBe(1);
    expect(sideChanges(scenario([car([[0, 500, 700], [40, 500, 300], [80, 500, 600], [120, 500, 300]])])).map((c) => c.forward)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('uses the finite segment when extended=false and the infinite line when extended=true', () => {
    const beyondEnd = car([[0, 1180, 700], [60, 1180, 100]]); // x = 1180, past the segment's end at 1080
    expect(computeGroundTruth(scenario([beyondEnd], [{ ...straight, extended: false }])).expected.lc_cum.straight).toBe(0);
    expect(computeGroundTruth(scenario([beyondEnd], [{ ...straight, extended: true }])).expected.lc_cum.straight).toBe(1);
    // extended defaults to true, as in nvdsanalytics
    const { extended: _, ...noExtended } = straight;
    expect(computeGroundTruth(scenario([beyondEnd], [noExtended])).expected.lc_cum.straight).toBe(1);
  });

  it('takes the sense from the arrow even when the arrow does not straddle the line', () => {
    const arrowAbove: ScenarioLine = { ...straight, arrow: [[640, 300], [640, 200]] };
    expect(computeGroundTruth(scenario([car([[0, 500, 700], [60, 500, 100]])], [arrowAbove])).expected.lc_cum.straight).toBe(1);
  });

  it('works on an oblique line', () => {
    const diag: ScenarioLine = { label: 'diag', arrow: [[300, 300], [500, 500]], line: [[200, 600], [600, 200]], extended: false };
    const t = computeGroundTruth(scenario([car([[0, 250, 250], [60, 550, 550]]), car([[0, 560, 560], [60, 260, 260]])], [diag]));
    expect(t.expected.lc_cum.diag).toBe(1);
    expect(t.expected.crossings[0]!.objectIndex).toBe(0);
  });

  it('scales lines from config space to the frame', () => {
    // 1920×1080 config; line at y = 675 config = 450 frame
    const line: ScenarioLine = { label: 'L', arrow: [[960, 900], [960, 450]], line: [[300, 675], [1620, 675]], extended: false };
    const s = scenario([car([[0, 640, 480], [10, 640, 420]])], [line], {});
    s.analytics.configWidth = 1920;
    s.analytics.configHeight = 1080;
    const t = computeGroundTruth(s);
    expect(t.expected.lc_cum.L).toBe(1);
    expect(t.expected.crossings[0]!.frame).toBe(5); // y = 480 - 6·f: 450 at f = 5
    expect(t.configWidth).toBe(1920);
  });

  it('honours class ids', () => {
    const onlyClass2: ScenarioLine = { ...straight, classIds: [2] };
    const objs = [car([[0, 400, 700], [60, 400, 100]]), car([[0, 700, 700], [60, 700, 100]], { classId: 2 })];
    const t = computeGroundTruth(scenario(objs, [onlyClass2]));
    expect(t.expected.crossings.map((c) => c.objectIndex)).toEqual([1]);
  });

  it('ignores what happens outside the frame or outside the object\'s lifetime', () => {
    const ext: ScenarioLine = { ...straight, extended: true };
    const offscreen = car([[0, -200, 700], [60, -200, 100]]); // crosses the infinite line at x = -200
    const gone = car([[0, 500, 700], [60, 500, 100]], { disappear: 20 }); // removed at y = 500, before the line
    const late = car([[0, 600, 700], [60, 600, 100]], { appear: 40 }); // appears at y = 300, already beyond
    expect(computeGroundTruth(scenario([offscreen, gone, late], [ext])).expected.lc_cum.straight).toBe(0);
  });

  it('writes every label, object spans and a cumulative timeline', () => {
    const exit: ScenarioLine = { label: 'Exit', arrow: [[1100, 400], [1220, 400]], line: [[1160, 150], [1160, 650]], extended: false };
    const t = computeGroundTruth(
      scenario([car([[0, 500, 700], [60, 500, 100]]), car([[10, 500, 700], [100, 500, 100]], { id: 'second' })], [straight, exit], {
        name: 'demo',
        frames: 120,
      }),
    );
    expect(t).toMatchObject({ scenario: 'demo', width: 1280, height: 720, frames: 120, fps: 30 });
    expect(t.expected.lc_cum).toEqual({ straight: 2, Exit: 0 });
    expect(t.objects[1]).toMatchObject({ index: 1, id: 'second', classId: 0, firstFrame: 10 });
    const [c0, c1] = t.expected.crossings;
    expect(expectedCumulativeAt(t, c0!.frame - 1)).toEqual({ straight: 0, Exit: 0 });
    expect(expectedCumulativeAt(t, c0!.frame)).toEqual({ straight: 1, Exit: 0 });
    expect(expectedCumulativeAt(t, c1!.frame)).toEqual({ straight: 2, Exit: 0 });
  });
});

describe('normalizeScenario', () => {
  it('applies the defaults', () => {
    const s = normalizeScenario({ seed: 3, objects: [car([[5, 10, 20], [50, 10, 30]])], analytics: { lines: [] } });
    expect(s).toMatchObject({ name: 'scenario', width: 1280, height: 720, fps: 30, frames: 51 });
    expect(s.objects[0]).toMatchObject({ id: 'object0', shape: 'rect', classId: 0, appear: 5, disappear: 50 });
    expect(normalizeScenario({ seed: 3, durationSec: 2.5, objects: [], analytics: { lines: [] } }).frames).toBe(75);
    const l = normalizeScenario(scenario([], [{ label: 'a', arrow: [[0, 10], [0, 0]], line: [[0, 5], [10, 5]] }])).analytics.lines[0];
    expect(l).toMatchObject({ extended: true, mode: 'loose', classIds: [-1] });
  });

  it('rejects malformed scenarios with the field named', () => {
    expect(() => normalizeScenario({ objects: [], analytics: { lines: [] } } as unknown as Scenario)).toThrow(/seed/);
    expect(() => normalizeScenario(scenario([car([[10, 0, 0], [10, 1, 1]])]))).toThrow(/objects\[0\]\.path\[1\]\.frame/);
    expect(() => normalizeScenario(scenario([], [{ ...straight, arrow: [[200, 450], [400, 450]] }]))).toThrow(/parallel/);
    expect(() => normalizeScenario(scenario([], [straight, { ...straight }]))).toThrow(/used twice/);
    expect(() => normalizeScenario(scenario([], [straight, { ...straight, label: 'b', mode: 'strict' }]))).toThrow(ScenarioError);
    expect(() => normalizeScenario({ ...scenario([]), width: 641 })).toThrow(/even/);
    expect(() => normalizeScenario(scenario([{ ...car([[0, 1, 1]]), luma: 300 }]))).toThrow(/objects\[0\]\.luma/);
    expect(() => normalizeScenario({ ...scenario([]), exposureSteps: [{ frame: 5, gain: 0 }] })).toThrow(/exposureSteps\[0\]\.gain/);
    expect(() =>
      normalizeScenario({ ...scenario([]), exposureSteps: [{ frame: 5, gain: 1.2 }, { frame: 5, gain: 1 }] }),
    ).toThrow(/exposureSteps\[1\]\.frame/);
    expect(normalizeScenario({ ...scenario([]), exposureSteps: [{ frame: 5, gain: 1.2, rampFrames: 3 }] }).exposureSteps).toHaveLength(1);
    expect(() => normalizeScenario(scenario([{ ...car([[0, 1, 1]]), shadow: { offset: [1] as never } }]))).toThrow(/objects\[0\]\.shadow\.offset/);
    expect(() => normalizeScenario(scenario([{ ...car([[0, 1, 1]]), shadow: { offset: [1, 2], factor: 2 } }]))).toThrow(/shadow\.factor/);
  });
});

describe('analytics config for a scenario', () => {
  const exit: ScenarioLine = { label: 'Exit', arrow: [[1100, 400], [1220, 400]], line: [[1160, 150], [1160, 650]], extended: false };
  const s = scenario([], [{ ...straight, mode: 'loose' }, { ...exit, mode: 'loose' }], { name: 'cfg' });

  it('resolves to ResolvedAnalyticsConfig', () => {
    const c = scenarioAnalyticsConfig(s);
    expect(c).toMatchObject({ enable: true, configWidth: 1280, configHeight: 720 });
    expect(c.streams[0]!.lines).toEqual([
      { label: 'straight', arrow: [[640, 600], [640, 300]], line: [[200, 450], [1080, 450]], classIds: [], extended: false, mode: 'loose' },
      { label: 'Exit', arrow: [[1100, 400], [1220, 400]], line: [[1160, 150], [1160, 650]], classIds: [], extended: false, mode: 'loose' },
    ]);
  });

  it('writes config_nvdsanalytics.txt key-file text', () => {
    const text = scenarioConfigText(s);
    expect(text).toContain('[property]\nenable=1\nconfig-width=1280\nconfig-height=720\n');
    expect(text).toContain(
      '[line-crossing-stream-0]\nenable=1\nline-crossing-straight=640;600;640;300;200;450;1080;450\n' +
        'line-crossing-Exit=1100;400;1220;400;1160;150;1160;650\nclass-id=-1\nextended=0\nmode=loose\n',
    );
  });
});

describe('checkScenario', () => {
  it('accepts a clean crossing', () => {
    expect(checkScenario(scenario([car([[0, 500, 865], [170, 500, -10]])]))).toEqual([]);
  });

  it('flags an object that lingers near the line without crossing', () => {
    const issues = checkScenario(scenario([car([[0, 500, 865], [80, 500, 460], [160, 500, 865]])]));
    expect(issues.join('\n')).toMatch(/bottom centre is within 15 px of line "straight"/);
    // 30 px short, its box across the line: clean since the detector keeps whole boxes (selective update).
    expect(checkScenario(scenario([car([[0, 500, 865], [80, 500, 480], [160, 500, 865]])]))).toEqual([]);
  });

  it('accepts a 1.5 s wait near the line, flags one longer than 5 s', () => {
    expect(checkScenario(scenario([car([[0, 500, 865], [80, 500, 480], [125, 500, 480], [205, 500, 865]])]))).toEqual([]);
    const issues = checkScenario(scenario([car([[0, 500, 865], [80, 500, 480], [240, 500, 480], [320, 500, 865]])]));
    expect(issues.join('\n')).toMatch(/stands still for more than 150 frames/);
  });

  it('flags objects close enough to merge, slow crossings and crossings at the frame edge', () => {
    const issues = checkScenario(
      scenario([
        car([[0, 400, 865], [170, 400, -10]]),
        car([[0, 490, 865], [170, 490, -10]]), // 10 px gap
        car([[0, 800, 600], [300, 800, 420]]), // 0.6 px/frame
      ]),
    ).join('\n');
    expect(issues).toMatch(/object 0 \(object0\) and object 1 \(object1\) are 10\.0 px apart/);
    expect(issues).toMatch(/object 2 .* moved only/);
    const edge = checkScenario(
      scenario([car([[0, 500, 865], [170, 500, -10]])], [{ label: 'top', arrow: [[640, 60], [640, 0]], line: [[100, 30], [1180, 30]], extended: false }]),
    ).join('\n');
    expect(edge).toMatch(/not fully inside the frame/);
  });
});
