import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAnalyticsConfig, parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError } from '../../src/config/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url));
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const FILE = 'config_nvdsanalytics.txt';

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e;
  }
  throw new Error('expected a ConfigError');
}

const PROPERTY = '[property]\nenable=1\nconfig-width=1920\nconfig-height=1080\n';

/** Parses `PROPERTY + body`; line numbers of body start at 5. */
function parse(body: string) {
  return parseAnalyticsConfig(PROPERTY + body, FILE);
}

describe('parseAnalyticsConfig: the shared samples', () => {
  it('seed style: one line "straight" on stream 0', () => {
    const r = parseAnalyticsConfig(read('config_nvdsanalytics_seed_style.txt'), 'seed.txt');
    expect(r.warnings).toEqual([]);
    expect(r.config).toEqual({
      enable: true,
      configWidth: 1280,
      configHeight: 720,
      osdMode: 2,
      displayFontSize: 12,
      displayObjCnt: false,
      objCntWinMs: 0,
      streams: [
        {
          streamId: 0,
          rois: [],
          overcrowding: [],
          lines: [
            {
              label: 'straight',
              arrow: [
                [640, 600],
                [640, 300],
              ],
              line: [
                [200, 450],
                [1080, 450],
              ],
              classIds: [],
              extended: false,
              mode: 'loose',
            },
          ],
          directions: [],
        },
      ],
    });
    expect(r.origins).toEqual([
      { file: 'seed.txt', line: 11, group: 'line-crossing-stream-0', key: 'line-crossing-straight', streamId: 0, kind: 'line', label: 'straight' },
    ]);
  });

  it('DeepStream sample: ROI, line and directions on stream 0, overcrowding on stream 1', () => {
    const r = loadAnalyticsConfig(fixture('config_nvdsanalytics_deepstream_sample.txt'));
    expect(r.warnings).toEqual([]);
    const [s0, s1] = r.config.streams;
    expect(r.config.streams).toHaveLength(2);
    expect(s0!.streamId).toBe(0);
    expect(s0!.rois).toEqual([
      { label: 'RF', polygon: [[295, 643], [579, 634], [642, 913], [56, 828]], inverse: false, classIds: [] },
    ]);
    expect(s0!.overcrowding).toEqual([]);
    expect(s0!.lines).toEqual([
      { label: 'Exit', arrow: [[789, 672], [1084, 900]], line: [[851, 773], [1203, 732]], classIds: [0], extended: false, mode: 'loose' },
    ]);
    expect(s0!.directions).toEqual([
      { label: 'South', from: [284, 840], to: [360, 662], classIds: [0] },
      { label: 'North', from: [1106, 622], to: [1312, 701], classIds: [0] },
    ]);
    expect(s1).toEqual({
      streamId: 1,
      rois: [],
      lines: [],
      directions: [],
      overcrowding: [
        { label: 'OC', polygon: [[295, 643], [579, 634], [642, 913], [56, 828]], objectThreshold: 3, timeThresholdMs: 2000, classIds: [] },
      ],
    });
  });
});

describe('parseAnalyticsConfig: DeepStream defaults', () => {
  it('extended absent = true, mode absent = loose, class-id absent = every class', () => {
    const r = parse('[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;2;0;2;2;0\n');
    expect(r.config.streams[0]!.lines[0]).toMatchObject({ extended: true, mode: 'loose', classIds: [] });
  });

  it('class-id: empty or containing -1 means every class; duplicates are dropped', () => {
    const ids = (v: string) =>
      parse(`[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10;0;10;10\nclass-id=${v}\n`).config.streams[0]!.rois[0]!.classIds;
    expect(ids('')).toEqual([]);
    expect(ids('-1')).toEqual([]);
    expect(ids('0;-1;2')).toEqual([]);
    expect(ids('2;0;2;')).toEqual([2, 0]);
  });

  it('[property] defaults and the missing-size warning', () => {
    const r = parseAnalyticsConfig('[property]\nenable=1\n', FILE);
    expect(r.config).toMatchObject({ configWidth: 1920, configHeight: 1080, osdMode: 2, displayFontSize: 12, displayObjCnt: false, objCntWinMs: 0 });
    expect(r.warnings.filter((w) => w.code === 'missing-key').map((w) => w.message)).toEqual([
      expect.stringMatching(/^config-width not set: using 1920/),
      expect.stringMatching(/^config-height not set: using 1080/),
    ]);
    const none = parseAnalyticsConfig('', FILE);
    expect(none.config.enable).toBe(true);
    expect(none.warnings.map((w) => w.code)).toEqual(['missing-key']);
  });

  it('overcrowding defaults: object-threshold 1, time-threshold 2000', () => {
    const r = parse('[overcrowding-stream-2]\nenable=1\nroi-Q=0;0;10;0;10;10\n');
    expect(r.config.streams[0]).toMatchObject({ streamId: 2, overcrowding: [{ label: 'Q', objectThreshold: 1, timeThresholdMs: 2000 }] });
  });

  it('group-level class-id/mode/extended apply to every label, wherever written', () => {
    const r = parse(
      '[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;2;0;2;2;0\nline-crossing-B=1;1;2;2;0;3;3;0\nmode=strict\nextended=0\nclass-id=1;2\n',
    );
    for (const l of r.config.streams[0]!.lines) expect(l).toMatchObject({ mode: 'strict', extended: false, classIds: [1, 2] });
  });

  it('groups with enable=0, or without enable (as in DeepStream), contribute nothing', () => {
    const r = parse(
      '[roi-filtering-stream-0]\nenable=0\nroi-A=0;0;10;0;10;10\n[line-crossing-stream-1]\nline-crossing-B=1;1;2;2;0;2;2;0\n',
    );
    expect(r.config.streams).toEqual([]);
    expect(r.warnings.map((w) => [w.code, w.group, w.line])).toEqual([
      ['disabled', 'roi-filtering-stream-0', 5],
      ['missing-enable', 'line-crossing-stream-1', 8],
    ]);
  });

  it('a repeated label replaces the earlier one in place, with a warning', () => {
    const r = parse(
      '[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;2;0;2;2;0\nline-crossing-B=1;1;2;2;0;3;3;0\n' +
        '[line-crossing-stream-00]\nenable=1\nline-crossing-A=5;5;6;6;0;9;9;0\n',
    );
    const lines = r.config.streams[0]!.lines;
    expect(lines.map((l) => l.label)).toEqual(['A', 'B']);
    expect(lines[0]!.arrow).toEqual([[5, 5], [6, 6]]);
    const w = r.warnings.find((x) => x.code === 'duplicate-label')!;
    expect(w).toMatchObject({ file: FILE, line: 11, group: 'line-crossing-stream-00', key: 'line-crossing-A' });
    expect(w.message).toMatch(/already defined for stream 0 at config_nvdsanalytics.txt:7/);
  });

  it('unknown keys and groups are warnings', () => {
    const r = parse('[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;2;0;2;2;0\ninverse-roi=1\n[tracker]\nfoo=1\n');
    expect(r.warnings.map((w) => [w.code, w.line, w.group, w.key])).toEqual([
      ['unknown-key', 8, 'line-crossing-stream-0', 'inverse-roi'],
      ['unknown-group', 9, 'tracker', undefined],
    ]);
    const p = parseAnalyticsConfig('[property]\nenable=1\nconfig-width=10\nconfig-height=10\ncolor=red\n', FILE);
    expect(p.warnings).toEqual([expect.objectContaining({ code: 'unknown-key', line: 5, key: 'color' })]);
  });

  it('coordinates outside config-width x config-height are a warning', () => {
    const r = parse('[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;2000;0;10;1100\n');
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'out-of-bounds', line: 7, key: 'roi-A', message: expect.stringMatching(/\(2000,0\) \(10,1100\) outside .*1920x1080/) }),
    ]);
  });

  it('an arrow parallel to its line is a warning', () => {
    const r = parse('[line-crossing-stream-0]\nenable=1\nline-crossing-A=0;0;10;0;0;5;20;5\n');
    expect(r.warnings.map((w) => w.code)).toEqual(['degenerate-geometry']);
  });

  it('[property] enable=0 keeps the rules but warns', () => {
    const r = parseAnalyticsConfig('[property]\nenable=0\nconfig-width=100\nconfig-height=100\n[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10;0;10;10\n', FILE);
    expect(r.config.enable).toBe(false);
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'disabled', line: 2, key: 'enable' })]);
  });
});

describe('parseAnalyticsConfig: errors name file, line, group and key', () => {
  const cases: Array<{ name: string; body: string; line: number; group: string; key?: string; message: string | RegExp }> = [
    {
      name: '7 values instead of 8',
      body: '[line-crossing-stream-0]\nenable=1\n#Label;direction;lc\n#\n#\n#\nline-crossing-Exit=789;672;1084;900;851;773;1203\n',
      line: 11,
      group: 'line-crossing-stream-0',
      key: 'line-crossing-Exit',
      message: 'expected 8 values (arrow x1;y1;x2;y2 then line x1;y1;x2;y2), got 7',
    },
    {
      name: 'odd polygon count',
      body: '[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10;0;10\n',
      line: 7,
      group: 'roi-filtering-stream-0',
      key: 'roi-A',
      message: 'expected an even number of values (x1;y1;x2;y2;...), got 5',
    },
    {
      name: 'fewer than 3 polygon points',
      body: '[overcrowding-stream-0]\nenable=1\nroi-A=0;0;10;0\n',
      line: 7,
      group: 'overcrowding-stream-0',
      key: 'roi-A',
      message: 'a polygon needs at least 3 points (6 values), got 2',
    },
    {
      name: '8 values for a direction',
      body: '[direction-detection-stream-0]\nenable=1\ndirection-N=1;2;3;4;5;6;7;8\n',
      line: 7,
      group: 'direction-detection-stream-0',
      key: 'direction-N',
      message: /^expected 4 values \(x1;y1;x2;y2: the direction from point 1 to point 2\), got 8/,
    },
    {
      name: 'negative coordinate',
      body: '[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;-2;0;2;2;0\n',
      line: 7,
      group: 'line-crossing-stream-0',
      key: 'line-crossing-A',
      message: 'coordinate 4 is negative (-2); coordinates must be >= 0',
    },
    {
      name: 'non-numeric coordinate',
      body: '[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;x;0;2;2;0\n',
      line: 7,
      group: 'line-crossing-stream-0',
      key: 'line-crossing-A',
      message: 'coordinate 4 is not an integer: "x"',
    },
    {
      name: 'decimal coordinate',
      body: '[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10.5;0;10;10\n',
      line: 7,
      group: 'roi-filtering-stream-0',
      key: 'roi-A',
      message: /coordinate 3 is not an integer: "10.5" \(DeepStream reads integers only\)/,
    },
    {
      name: 'unknown mode',
      body: '[line-crossing-stream-0]\nenable=1\nline-crossing-A=1;1;2;2;0;2;2;0\nmode=lose\n',
      line: 8,
      group: 'line-crossing-stream-0',
      key: 'mode',
      message: 'unknown mode "lose": use loose, balanced or strict',
    },
    {
      name: 'bad class-id',
      body: '[line-crossing-stream-0]\nenable=1\nclass-id=0;-3\nline-crossing-A=1;1;2;2;0;2;2;0\n',
      line: 7,
      group: 'line-crossing-stream-0',
      key: 'class-id',
      message: /^class id -3 is invalid/,
    },
    {
      name: 'non-integer class-id',
      body: '[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10;0;10;10\nclass-id=car\n',
      line: 8,
      group: 'roi-filtering-stream-0',
      key: 'class-id',
      message: 'class id 1 is not an integer: "car"',
    },
    {
      name: 'bad boolean',
      body: '[line-crossing-stream-0]\nenable=yes\nline-crossing-A=1;1;2;2;0;2;2;0\n',
      line: 6,
      group: 'line-crossing-stream-0',
      key: 'enable',
      message: 'expected a boolean (1, 0, true or false), got "yes"',
    },
    {
      name: 'bad integer',
      body: '[overcrowding-stream-0]\nenable=1\nroi-A=0;0;10;0;10;10\nobject-threshold=many\n',
      line: 8,
      group: 'overcrowding-stream-0',
      key: 'object-threshold',
      message: 'expected an integer, got "many"',
    },
    {
      name: 'missing stream index',
      body: '[line-crossing-stream]\nenable=1\n',
      line: 5,
      group: 'line-crossing-stream',
      message: /^missing stream index: expected \[line-crossing-stream-<N>\]/,
    },
    {
      name: 'invalid stream index',
      body: '[roi-filtering-stream-one]\nenable=1\n',
      line: 5,
      group: 'roi-filtering-stream-one',
      message: /^invalid stream index "one"/,
    },
    {
      name: 'empty label',
      body: '[line-crossing-stream-0]\nenable=1\nline-crossing-=1;1;2;2;0;2;2;0\n',
      line: 7,
      group: 'line-crossing-stream-0',
      key: 'line-crossing-',
      message: /^empty label/,
    },
    {
      name: 'enabled group without rules',
      body: '[roi-filtering-stream-0]\nenable=1\nclass-id=0\n',
      line: 5,
      group: 'roi-filtering-stream-0',
      message: /^no roi-<label>=\.\.\. key in an enabled group/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = catchError(() => parse(c.body));
      expect(e.file).toBe(FILE);
      expect(e.line).toBe(c.line);
      expect(e.group).toBe(c.group);
      expect(e.key).toBe(c.key);
      if (typeof c.message === 'string') {
        expect(e.detail).toBe(c.message);
        expect(e.message).toBe(`${FILE}:${c.line}: [${c.group}] ${c.key ? `${c.key}: ` : ''}${c.message}`);
      } else expect(e.detail).toMatch(c.message);
    });
  }

  it('the message has the documented form', () => {
    const e = catchError(() => parse('[line-crossing-stream-0]\nenable=1\n#\n#\n#\n#\nline-crossing-Exit=789;672;1084;900;851;773;1203\n'));
    expect(e.message).toBe(
      'config_nvdsanalytics.txt:11: [line-crossing-stream-0] line-crossing-Exit: expected 8 values (arrow x1;y1;x2;y2 then line x1;y1;x2;y2), got 7',
    );
  });

  it('non-positive config-width / osd-mode out of range', () => {
    let e = catchError(() => parseAnalyticsConfig('[property]\nenable=1\nconfig-width=0\nconfig-height=720\n', FILE));
    expect(e).toMatchObject({ file: FILE, line: 3, group: 'property', key: 'config-width', detail: 'must be a positive number of pixels, got 0' });
    e = catchError(() => parseAnalyticsConfig('[property]\nconfig-height=-5\n', FILE));
    expect(e).toMatchObject({ line: 2, key: 'config-height' });
    e = catchError(() => parseAnalyticsConfig('[property]\nosd-mode=3\n', FILE));
    expect(e).toMatchObject({ line: 2, key: 'osd-mode', detail: 'must be between 0 and 2, got 3' });
  });

  it('validates disabled groups too (DeepStream parses them)', () => {
    const e = catchError(() => parse('[roi-filtering-stream-0]\nenable=0\nroi-A=0;0;10\n'));
    expect(e).toMatchObject({ line: 7, key: 'roi-A' });
  });

  it('a missing file is a ConfigError naming it', () => {
    const e = catchError(() => loadAnalyticsConfig('/nonexistent/config_nvdsanalytics.txt'));
    expect(e.file).toBe('/nonexistent/config_nvdsanalytics.txt');
    expect(e.message).toMatch(/cannot read the analytics config/);
  });
});
