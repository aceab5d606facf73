import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import {
  DEFAULT_ANALYTICS_MODULE,
  loadMsgconvConfig,
  parseMsgconvConfig,
  sensorIdForStream,
} from '../../src/config/msgconv-config.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url));

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e;
  }
  throw new Error('expected a ConfigError');
}

describe('msgconv config', () => {
  it('parses the shared sample: analyticsModule and sensor0', () => {
    const { config, warnings } = loadMsgconvConfig(fixture('msgconv_config.txt'));
    expect(warnings).toEqual([]);
    expect(config.analyticsModule).toEqual({
      id: 'XYZ',
      description: 'Vehicle Detection and License Plate Recognition',
      source: 'OpenALR',
      version: '1.0',
    });
    expect(config.analyticsModuleFromFile).toBe(true);
    expect(config.sensors).toEqual([
      expect.objectContaining({ index: 0, enable: true, id: 'device_test', type: 'Camera', description: 'Entrance camera' }),
    ]);
    expect(sensorIdForStream(config, 0)).toBe('device_test');
    expect(sensorIdForStream(config, 1)).toBeUndefined();
  });

  it('fixes the seed\'s quotes bug: description="..." has no quotes in the payload', () => {
    const text = readFileSync(fixture('msgconv_config_quoted.txt'), 'utf8');
    expect(text).toContain('description="Vehicle Detection and License Plate Recognition"');
    const { config, warnings } = parseMsgconvConfig(text, 'msgconv_config_quoted.txt');
    expect(warnings).toEqual([]);
    expect(config.analyticsModule.description).toBe('Vehicle Detection and License Plate Recognition');
    expect(JSON.stringify(config.analyticsModule)).not.toContain('\\"');
    expect(config.sensors[0]!.description).toBe('Aisle Camera');
    expect(config.places[0]).toMatchObject({ id: '1', name: 'HWY_20_AND_LOCUST__EBA' });
    expect(config.places[0]!.subFields).toEqual([
      ['place-sub-field1', 'C_127_158'],
      ['place-sub-field2', 'Lane 1'],
      ['place-sub-field3', 'P1'],
    ]);
  });

  it('defaults analyticsModule when [analytics0] is absent or disabled', () => {
    expect(parseMsgconvConfig('[sensor0]\nid=cam\n', 'm.txt').config.analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    const r = parseMsgconvConfig('[analytics0]\nenable=0\nid=X\n', 'm.txt');
    expect(r.config.analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    expect(r.warnings.map((w) => w.code)).toEqual(['disabled']);
    // Present group: missing keys are empty strings.
    expect(parseMsgconvConfig('[analytics0]\nid=X\n', 'm.txt').config.analyticsModule).toEqual({ id: 'X', description: '', source: '', version: '' });
  });

  it('sensor enable=0 gives no device id; sensor enable absent = enabled', () => {
    const { config } = parseMsgconvConfig('[sensor0]\nenable=0\nid=a\n[sensor1]\nid=b\n', 'm.txt');
    expect(sensorIdForStream(config, 0)).toBeUndefined();
    expect(sensorIdForStream(config, 1)).toBe('b');
  });

  it('types [payload-static] values', () => {
    const { config } = parseMsgconvConfig(
      '[payload-static]\nsite=warehouse-7\nfloor=2\nratio=-1.5e3\nlive=true\noff=false\nzip="01234"\nflag="true"\nn=012\nsp="  a b "\n',
      'm.txt',
    );
    expect(config.staticFields.map((s) => [s.name, s.value])).toEqual([
      ['site', 'warehouse-7'],
      ['floor', 2],
      ['ratio', -1500],
      ['live', true],
      ['off', false],
      ['zip', '01234'],
      ['flag', 'true'],
      ['n', '012'],
      ['sp', '  a b '],
    ]);
  });

  it('reads [payload-fields] renames, templates, obj-count-classes and omit', () => {
    const { config } = parseMsgconvConfig(
      '[payload-fields]\nlc_curr_straight=crossings_now\nlc-cum-template=total_{label}_s{stream}\nobj-count-classes=2;0;2\nomit=roi_A;oc_B;\n',
      'm.txt',
    );
    const pf = config.payloadFields;
    expect(pf.renames.map((r) => [r.from, r.to, r.loc.line])).toEqual([['lc_curr_straight', 'crossings_now', 2]]);
    expect(pf.templates.lc_cum!.value).toBe('total_{label}_s{stream}');
    expect(pf.objCountClasses!.value).toEqual([2, 0]);
    expect(pf.omit.map((o) => o.name)).toEqual(['roi_A', 'oc_B']);
  });

  it('rejects bad names and templates with file/line/key', () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['[payload-fields]\nlc_curr_a=\n', 2, 'lc_curr_a', /new field name is empty/],
      ['[payload-fields]\nlc-curr-template=x_{name}\n', 2, 'lc-curr-template', /unknown placeholder \{name\}/],
      ['[payload-fields]\nobj-count-template=c_{label}\n', 2, 'obj-count-template', /unknown placeholder \{label\}/],
      ['[payload-fields]\nfoo-template=x\n', 2, 'foo-template', /unknown template/],
      ['[payload-fields]\nobj-count-classes=0;-1\n', 2, 'obj-count-classes', /class id -1 is invalid/],
      ['[payload-static]\nid=5\n', 2, 'id', /fixed field of analyticsModule/],
      ['[payload-static]\n__proto__=1\n', 2, '__proto__', /not allowed/],
      ['[sensor]\nid=x\n', 1, '', /missing or invalid index/],
    ];
    for (const [text, line, key, re] of cases) {
      const e = catchError(() => parseMsgconvConfig(text, 'msgconv.txt'));
      expect(e.file).toBe('msgconv.txt');
      expect(e.line).toBe(line);
      expect(e.key ?? '').toBe(key);
      expect(e.detail).toMatch(re);
    }
  });

  it('unknown keys and groups are warnings', () => {
    const { warnings } = parseMsgconvConfig('[sensor0]\nid=a\ncolour=red\n[extras]\n[analytics1]\nid=z\n', 'm.txt');
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['unknown-key', 3],
      ['unknown-group', 4],
      ['unused', 5],
    ]);
  });
});
