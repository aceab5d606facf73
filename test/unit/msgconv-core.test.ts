// ds-kafka's DeepStream message converter (libnvds_dskafka_msgconv.so), SDK-free core, exercised on CPU
// through native/addon/msgconv_binding.cc: what it sends for an event meta carrying our DskExtMsg (the payload,
// verbatim, after the event meta's deep copy), what it sends for any other event meta (the seed-shaped
// fallback from [analytics0] / [sensorN]), and that its config reader agrees with the TypeScript one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYTICS_MODULE, parseMsgconvConfig, sensorIdForStream } from '../../src/config/msgconv-config.js';
import { loadAddon } from '../../src/native/addon.js';
import '../../src/native/msgconv.js';

const addon = loadAddon();
const file = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const read = (rel: string) => readFileSync(file(rel), 'utf8');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('converter config ([analytics0], [sensorN]) — same reading as src/config/msgconv-config.ts', () => {
  const configs = [
    'config/msgconv_config.txt',
    'test/fixtures/configs/msgconv_config.txt',
    'test/fixtures/configs/msgconv_config_quoted.txt',
  ];
  for (const rel of configs) {
    it(rel, () => {
      const text = read(rel);
      const native = addon.msgconvParseConfig(text, rel);
      const ts = parseMsgconvConfig(text, rel).config;
      expect(native.analyticsModule).toEqual(ts.analyticsModule);
      expect(native.analyticsModuleFromFile).toBe(ts.analyticsModuleFromFile);
      for (const s of ts.sensors) expect(native.sensorIds[String(s.index)]).toBe(sensorIdForStream(ts, s.index));
    });
  }

  it('strips one pair of surrounding quotes (the seed\'s "\\"Vehicle Detection...\\"" never reaches the payload)', () => {
    const c = addon.msgconvParseConfig('[analytics0]\ndescription="Vehicle Detection and License Plate Recognition"\n');
    expect(c.analyticsModule.description).toBe('Vehicle Detection and License Plate Recognition');
  });

  it('absent or disabled [analytics0]: the ds-kafka defaults; keys left out of a present group are empty', () => {
    expect(addon.msgconvParseConfig('[sensor0]\nid=a\n').analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    expect(addon.msgconvParseConfig('[analytics0]\nenable=0\nid=X\n').analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    expect(addon.msgconvParseConfig('[analytics0]\nid=X\n').analyticsModule).toEqual({ id: 'X', description: '', source: '', version: '' });
    expect(addon.msgconvParseConfig('[analytics1]\nid=X\n').analyticsModuleFromFile).toBe(false);
  });

  it('GLib escapes, comments, repeated keys (last wins), repeated groups (merged)', () => {
    const c = addon.msgconvParseConfig('# c\n[analytics0]\nid=a\\sb\nid=A\\tB\n[sensor3]\nid=x\n[sensor3]\nenable=0\n');
    expect(c.analyticsModule.id).toBe('A\tB');
    expect(c.sensorIds).toEqual({});
  });

  it('syntax errors name file and line (ctx_create then returns NULL and nvmsgconv refuses to start)', () => {
    expect(() => addon.msgconvParseConfig('id=1\n', 'c.txt')).toThrow(/c\.txt:1: .*before any \[group\]/);
    expect(() => addon.msgconvParseConfig('[analytics0]\nenable=yes\n', 'c.txt')).toThrow(/c\.txt:2: enable must be/);
    expect(() => addon.msgconvParseConfig('[sensorX]\nid=1\n', 'c.txt')).toThrow(/c\.txt:1: .*\[sensor<N>\]/);
    expect(() => addon.msgconvParseConfig('[analytics0]\nid=a\\q\n', 'c.txt')).toThrow(/c\.txt:2: invalid escape/);
    expect(() => addon.msgconvParseConfig('[a\nid=1\n', 'c.txt')).toThrow(/closing/);
  });
});

describe('payload for an event meta carrying ds-kafka\'s DskExtMsg', () => {
  it('is the payload verbatim, after attach -> deep copy -> convert -> release of both, with nothing leaked', () => {
    const payloads = [
      '{"messageid":"a","@timestamp":"t","deviceId":"d","analyticsModule":{"id":"XYZ","lc_curr_straight":1,"lc_cum_straight":39}}',
      '',
      'ü€😀 "quoted" \\ \n',
      'x'.repeat(1 << 20),
    ];
    const before = addon.msgconvExtMsgLive();
    for (const p of payloads) expect(addon.msgconvPayloadFromExtMsg(p)).toBe(p);
    expect(addon.msgconvExtMsgLive()).toBe(before);
  });

  it('wins over the event\'s own fields; a foreign extMsg or a too-small extMsgSize falls back', () => {
    const cfg = '[analytics0]\nid=XYZ\n[sensor0]\nid=device_test\n';
    const ev = { ts: '2022-08-20T09:05:01.695Z', sensorId: 0, messageId: 'm-1', extPayload: '{"mine":true}' };
    expect(addon.msgconvPayloadForEvent(ev, cfg)).toBe('{"mine":true}');
    for (const extKind of ['foreign', 'short'] as const) {
      const out = JSON.parse(addon.msgconvPayloadForEvent({ ...ev, extKind }, cfg));
      expect(out).toEqual({
        messageid: 'm-1',
        '@timestamp': '2022-08-20T09:05:01.695Z',
        deviceId: 'device_test',
        analyticsModule: { id: 'XYZ', description: '', source: '', version: '' },
      });
    }
  });
});

describe('fallback for other event metas (deepstream-app / test5 with msg-conv-msg2p-lib)', () => {
  const cfg = read('test/fixtures/configs/msgconv_config_quoted.txt');

  it('has the seed\'s shape and key order, with analyticsModule from [analytics0]', () => {
    const text = addon.msgconvPayloadForEvent({ ts: '2022-08-20T09:05:01.695Z', sensorId: 0 }, cfg);
    const msg = JSON.parse(text);
    expect(Object.keys(msg)).toEqual(['messageid', '@timestamp', 'deviceId', 'analyticsModule']);
    expect(msg.messageid).toMatch(UUID);
    expect(msg['@timestamp']).toBe('2022-08-20T09:05:01.695Z');
    expect(msg.deviceId).toBe('device_test');
    expect(msg.analyticsModule).toEqual({
      id: 'XYZ',
      description: 'Vehicle Detection and License Plate Recognition',
      source: 'OpenALR',
      version: '1.0',
    });
  });

  it('deviceId: sensorStr, else [sensor<sensorId>] id, else sensorId', () => {
    const dev = (e: { sensorStr?: string; sensorId?: number }) => JSON.parse(addon.msgconvPayloadForEvent(e, cfg)).deviceId;
    expect(dev({ sensorStr: 'cam-7', sensorId: 0 })).toBe('cam-7');
    expect(dev({ sensorId: 0 })).toBe('device_test');
    expect(dev({ sensorId: 5 })).toBe('5');
  });

  it('no ts: the current time, RFC 3339 with milliseconds; no config: the ds-kafka defaults', () => {
    const before = Date.now();
    const msg = JSON.parse(addon.msgconvPayloadForEvent({ sensorId: 1 }));
    expect(msg['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(msg['@timestamp'])).toBeGreaterThanOrEqual(before - 1);
    expect(msg.analyticsModule).toEqual(DEFAULT_ANALYTICS_MODULE);
    expect(JSON.parse(addon.msgconvPayloadForEvent({ sensorStr: 'a"b\\c\u0001' })).deviceId).toBe('a"b\\c\u0001');
  });
});
