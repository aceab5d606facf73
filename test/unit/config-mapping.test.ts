import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError, type ConfigWarning } from '../../src/config/errors.js';
import { detectConfigKind, detectConfigKindOfFile, explainConfig } from '../../src/config/explain.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { DEFAULT_ANALYTICS_MODULE, parseMsgconvConfig } from '../../src/config/msgconv-config.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url));
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const shipped = (name: string) => fileURLToPath(new URL(`../../config/${name}`, import.meta.url));

const names = (m: ReturnType<typeof buildPayloadMapping>, streamId: number) =>
  m.streams.find((s) => s.streamId === streamId)!.fields.map((f) => f.name);

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
const msgconv = (text: string) => parseMsgconvConfig(text, 'msgconv.txt').config;

describe('buildPayloadMapping', () => {
  it('seed style yields exactly lc_curr_straight and lc_cum_straight, with the seed\'s analyticsModule', () => {
    const a = parseAnalyticsConfig(read('config_nvdsanalytics_seed_style.txt'), 'seed.txt');
    const m = buildPayloadMapping(a.config, parseMsgconvConfig(read('msgconv_config.txt'), 'm.txt').config, [0]);
    expect(m).toEqual({
      streams: [
        {
          streamId: 0,
          deviceId: 'device_test',
          fields: [
            { name: 'lc_curr_straight', source: 'lc_curr', key: 'straight' },
            { name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' },
          ],
        },
      ],
      analyticsModule: { id: 'XYZ', description: 'Vehicle Detection and License Plate Recognition', source: 'OpenALR', version: '1.0' },
      staticFields: {},
    });
  });

  it('DeepStream sample: lines, ROI, directions on stream 0; overcrowding on stream 1', () => {
    const a = parseAnalyticsConfig(read('config_nvdsanalytics_deepstream_sample.txt'), 'ds.txt');
    const m = buildPayloadMapping(a.config, undefined, [0, 1]);
    expect(m.streams[0]!.fields).toEqual([
      { name: 'lc_curr_Exit', source: 'lc_curr', key: 'Exit' },
      { name: 'lc_cum_Exit', source: 'lc_cum', key: 'Exit' },
      { name: 'roi_RF', source: 'roi_count', key: 'RF' },
      { name: 'dir_South', source: 'dir_count', key: 'South' },
      { name: 'dir_North', source: 'dir_count', key: 'North' },
    ]);
    expect(m.streams[1]!.fields).toEqual([
      { name: 'oc_OC', source: 'oc_status', key: 'OC' },
      { name: 'oc_count_OC', source: 'roi_count', key: 'OC' },
    ]);
    expect(m.analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    expect(m.streams[0]!.deviceId).toBeUndefined();
  });

  it('keeps the caller\'s stream order, gives unconfigured streams no fields, warns about unused rules', () => {
    const a = parseAnalyticsConfig(read('config_nvdsanalytics_deepstream_sample.txt'), 'ds.txt');
    const warnings: ConfigWarning[] = [];
    const m = buildPayloadMapping(a.config, undefined, [2, 0, 2], { warnings });
    expect(m.streams.map((s) => [s.streamId, s.fields.length])).toEqual([
      [2, 0],
      [0, 5],
    ]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unused', message: expect.stringMatching(/stream 1/) })]);
  });

  it('labels are verbatim and in config order', () => {
    const a = parseAnalyticsConfig(
      PROPERTY +
        '[line-crossing-stream-0]\nenable=1\nline-crossing-Zeta=1;1;2;2;0;2;2;0\nline-crossing-alpha beta=1;1;2;2;0;3;3;0\n',
      'a.txt',
    );
    expect(names(buildPayloadMapping(a.config, undefined, [0]), 0)).toEqual([
      'lc_curr_Zeta',
      'lc_cum_Zeta',
      'lc_curr_alpha beta',
      'lc_cum_alpha beta',
    ]);
    expect(a.warnings.map((w) => w.code)).toEqual(['label-characters']);
  });

  it('renames, templates, omit, obj-count-classes and static fields', () => {
    const a = parseAnalyticsConfig(
      PROPERTY +
        '[line-crossing-stream-0]\nenable=1\nline-crossing-straight=1;1;2;2;0;2;2;0\n' +
        '[roi-filtering-stream-0]\nenable=1\nroi-A=0;0;10;0;10;10\nroi-B=0;0;10;0;10;10\n',
      'a.txt',
    );
    const mc = msgconv(
      '[payload-fields]\nlc_curr_straight=crossings_now\nlc-cum-template=total_{label}\nroi-template=in_{label}_{stream}\n' +
        'omit=in_ignored;roi_B\nobj-count-classes=2;0\nnope=whatever\n' +
        '[payload-static]\nsite=w7\nfloor=2\noutdoor=false\n',
    );
    const warnings: ConfigWarning[] = [];
    const m = buildPayloadMapping(a.config, mc, [0], { warnings });
    expect(m.streams[0]!.fields).toEqual([
      { name: 'crossings_now', source: 'lc_curr', key: 'straight' },
      { name: 'total_straight', source: 'lc_cum', key: 'straight' },
      { name: 'in_A_0', source: 'roi_count', key: 'A' },
      { name: 'obj_count_2', source: 'obj_count', key: '2' },
      { name: 'obj_count_0', source: 'obj_count', key: '0' },
    ]);
    expect(m.staticFields).toEqual({ site: 'w7', floor: 2, outdoor: false });
    expect(Object.keys(m.staticFields)).toEqual(['site', 'floor', 'outdoor']);
    expect(warnings.map((w) => [w.code, w.line, w.key])).toEqual([
      ['unused', 7, 'nope'],
      ['unused', 5, 'omit'],
    ]);
  });

  it('display-obj-cnt=1 adds obj_count for the class ids named in the stream\'s rules', () => {
    const a = parseAnalyticsConfig(
      '[property]\nenable=1\nconfig-width=100\nconfig-height=100\ndisplay-obj-cnt=1\n' +
        '[line-crossing-stream-0]\nenable=1\nclass-id=2;0\nline-crossing-L=1;1;2;2;0;2;2;0\n' +
        '[roi-filtering-stream-0]\nenable=1\nclass-id=5\nroi-R=0;0;10;0;10;10\n',
      'a.txt',
    );
    expect(names(buildPayloadMapping(a.config, undefined, [0]), 0)).toEqual([
      'lc_curr_L',
      'lc_cum_L',
      'roi_R',
      'obj_count_0',
      'obj_count_2',
      'obj_count_5',
    ]);
  });

  it('[property] enable=0 produces no counted fields', () => {
    const a = parseAnalyticsConfig(read('config_nvdsanalytics_seed_style.txt').replace('enable=1', 'enable=0'), 'a.txt');
    expect(a.config.enable).toBe(false);
    expect(buildPayloadMapping(a.config, undefined, [0]).streams[0]!.fields).toEqual([]);
  });

  it('two fields with the same name are an error naming both', () => {
    const a = parseAnalyticsConfig(
      PROPERTY + '[line-crossing-stream-0]\nenable=1\nline-crossing-a=1;1;2;2;0;2;2;0\nline-crossing-b=1;1;2;2;0;3;3;0\n',
      'a.txt',
    );
    let e = catchError(() => buildPayloadMapping(a.config, msgconv('[payload-fields]\n#\nlc_curr_b=lc_cum_a\n'), [0]));
    expect(e).toMatchObject({ file: 'msgconv.txt', line: 3, group: 'payload-fields', key: 'lc_curr_b' });
    expect(e.detail).toBe(
      'stream 0: payload field name "lc_cum_a" is produced by both lc_cum_a and lc_curr_b (renamed to "lc_cum_a" at msgconv.txt:3)',
    );
    e = catchError(() => buildPayloadMapping(a.config, msgconv('[payload-fields]\nlc-curr-template=count\n'), [0]));
    expect(e.detail).toMatch(/"count" is produced by both lc_curr_a \(template "count" at msgconv.txt:2\) and lc_curr_b/);
    e = catchError(() => buildPayloadMapping(a.config, msgconv('[payload-fields]\nlc_cum_a=id\n'), [0]));
    expect(e.detail).toMatch(/would be named "id", a fixed field of analyticsModule/);
    e = catchError(() => buildPayloadMapping(a.config, msgconv('[payload-static]\nlc_cum_a=1\n'), [0]));
    expect(e.detail).toMatch(/"lc_cum_a" is produced by both lc_cum_a and the static field at msgconv.txt:2/);
  });

  it('labels that collide through the default names are caught too', () => {
    const a = parseAnalyticsConfig(
      PROPERTY + '[overcrowding-stream-0]\nenable=1\nroi-a=0;0;10;0;10;10\nroi-count_a=0;0;10;0;10;10\n',
      'a.txt',
    );
    const e = catchError(() => buildPayloadMapping(a.config, undefined, [0]));
    expect(e.detail).toBe('stream 0: payload field name "oc_count_a" is produced by both oc_count_a and oc_count_a');
  });
});

describe('explainConfig', () => {
  it('explains each rule, the fields and the warnings', () => {
    const a = parseAnalyticsConfig(read('config_nvdsanalytics_deepstream_sample.txt') + '\n[extra]\n', 'config_nvdsanalytics.txt');
    const mc = parseMsgconvConfig(read('msgconv_config.txt'), 'msgconv_config.txt');
    const text = explainConfig(a, buildPayloadMapping(a.config, mc.config, [0, 1]), mc.warnings);
    expect(text).toContain(
      'line "Exit" [line 24]: counts objects of class 0 crossing segment (851,773)-(1203,732) in the direction of arrow ' +
        '(789,672)→(1084,900); finite segment (extended=0); mode loose (moves > ~32 px, cos ≥ 0.1, seen > 3 frames)',
    );
    expect(text).toContain('stream 0 (deviceId "device_test"):');
    expect(text).toContain('roi "RF" [line 11]: counts objects of every class inside polygon (295,643) (579,634) (642,913) (56,828)');
    expect(text).toMatch(/stream 1:\n  overcrowding "OC" \[line 17\]: overcrowded when ≥ 3 objects of every class/);
    expect(text).toMatch(/lc_curr_Exit +crossings of line "Exit" in this frame/);
    expect(text).toMatch(/oc_OC +true when "OC" is overcrowded in this frame/);
    expect(text).toContain('direction "South" [line 31]');
    expect(text).toContain('1 warning:\n  config_nvdsanalytics.txt:35: [extra] unknown group');
  });
});

describe('detectConfigKind', () => {
  it('tells the three kinds apart by their groups', () => {
    expect(detectConfigKindOfFile(fixture('config_nvdsanalytics_deepstream_sample.txt'))).toBe('analytics');
    expect(detectConfigKindOfFile(fixture('config_nvdsanalytics_seed_style.txt'))).toBe('analytics');
    expect(detectConfigKindOfFile(fixture('cfg_kafka.txt'))).toBe('kafka');
    expect(detectConfigKindOfFile(fixture('msgconv_config.txt'))).toBe('msgconv');
    expect(detectConfigKind('[line-crossing-stream-3]\n')).toBe('analytics');
    expect(detectConfigKind('[payload-static]\nx=1\n')).toBe('msgconv');
    expect(detectConfigKind('# nothing\n[foo]\n')).toBe('unknown');
    expect(detectConfigKind('')).toBe('unknown');
  });
});

describe('shipped defaults in config/', () => {
  it('parse without warnings and produce the seed\'s fields', async () => {
    const { loadAnalyticsConfig } = await import('../../src/config/analytics-config.js');
    const { loadKafkaConfig } = await import('../../src/config/kafka-config.js');
    const { loadMsgconvConfig } = await import('../../src/config/msgconv-config.js');
    const a = loadAnalyticsConfig(shipped('config_nvdsanalytics.txt'));
    const k = loadKafkaConfig(shipped('cfg_kafka.txt'));
    const m = loadMsgconvConfig(shipped('msgconv_config.txt'));
    expect([...a.warnings, ...k.warnings, ...m.warnings]).toEqual([]);
    expect(a.config).toMatchObject({ configWidth: 1280, configHeight: 720 });
    expect(k.partitionKey).toBe('deviceId');
    const mapping = buildPayloadMapping(a.config, m.config, [0]);
    expect(names(mapping, 0)).toEqual(['lc_curr_straight', 'lc_cum_straight']);
    expect(mapping.streams[0]!.deviceId).toBe('device_test');
    expect(detectConfigKindOfFile(shipped('config_nvdsanalytics.txt'))).toBe('analytics');
    expect(detectConfigKindOfFile(shipped('cfg_kafka.txt'))).toBe('kafka');
    expect(detectConfigKindOfFile(shipped('msgconv_config.txt'))).toBe('msgconv');
  });

  it('the commented examples in config/ are valid when uncommented', async () => {
    const uncomment = (t: string) => t.replace(/^#(?=\[|[A-Za-z_][\w.-]*\s?=)/gm, '');
    const a = parseAnalyticsConfig(uncomment(readFileSync(shipped('config_nvdsanalytics.txt'), 'utf8')), 'a.txt');
    expect(a.warnings).toEqual([]);
    const m = parseMsgconvConfig(uncomment(readFileSync(shipped('msgconv_config.txt'), 'utf8')), 'm.txt');
    expect(m.warnings).toEqual([]);
    const { parseKafkaConfig } = await import('../../src/config/kafka-config.js');
    const k = parseKafkaConfig(uncomment(readFileSync(shipped('cfg_kafka.txt'), 'utf8')), 'k.txt');
    expect(k.warnings).toEqual([]);
    expect(k.passthrough.map(([key]) => key)).toEqual(['security.protocol', 'sasl.mechanisms', 'sasl.username', 'sasl.password', 'ssl.ca.location']);
    const mapping = buildPayloadMapping(a.config, m.config, [0]);
    expect(names(mapping, 0)).toEqual([
      'crossings_now',
      'crossings_total',
      'roi_Entrance',
      'oc_Queue',
      'dir_Up',
      'dir_Down',
      'obj_count_0',
      'obj_count_2',
    ]);
    expect(mapping.staticFields).toEqual({ site: 'warehouse-7', floor: 2, outdoor: false, zip: '01234' });
  });
});
