// Every message either builder writes validates against schema/ds-kafka-message.schema.json; the seed's
// example validates except for its quoted description; message ids are UUID v4 and timestamps RFC 3339
// UTC milliseconds; the partition key is read from the message the same way on both sides.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldSource, PayloadField, PayloadMapping } from '../../src/config/resolved.js';
import { buildPayloadNative, extractKeyNative, rfc3339MillisNative, uuidV4Native } from '../../src/native/payload.js';
import { buildPayload, extractKey, newMessageContext, type FrameAnalyticsRecord } from '../../src/payload/build.js';
import { loadMessageValidator, messageSchemaPath } from '../../src/schema/validate.js';

// loadMessageValidator() compiles the schema with Ajv strict mode, which refuses the union `type` of
// analyticsModule.additionalProperties unless allowUnionTypes is set. Until src/schema/validate.ts passes
// it, the first test below fails and the others validate with the same schema file and options plus
// allowUnionTypes, so they still check what they are about.
let loadError: unknown;
const validate: (json: string | object) => string | undefined = (() => {
  try {
    return loadMessageValidator();
  } catch (e) {
    loadError = e;
    const require = createRequire(import.meta.url);
    const Ajv2020 = require('ajv/dist/2020.js') as new (opts: object) => {
      compile(schema: object): ((v: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
    };
    const addFormats = require('ajv-formats') as (ajv: object) => void;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const v = ajv.compile(JSON.parse(readFileSync(messageSchemaPath, 'utf8')) as object);
    return (json: string | object) => {
      const value: unknown = typeof json === 'string' ? JSON.parse(json) : json;
      if (v(value)) return undefined;
      return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    };
  }
})();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339_MS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;
// system_clock's nanosecond range, the native rfc3339Millis' domain (1677-09-22 .. 2262-04-11).
const MAX_CLOCK_MS = 9_223_372_036_854;

const SEED_MESSAGE =
  '{ "messageid" : "34359fe1-fa36-4268-b6fc-a302dbab8be9", "@timestamp" : "2022-08-20T09:05:01.695Z", "deviceId" : "device_test", ' +
  '"analyticsModule" : { "id" : "XYZ", "description" : "\\"Vehicle Detection and License Plate Recognition\\"", "source" : "OpenALR", ' +
  '"version" : "1.0", "lc_curr_straight" : 1, "lc_cum_straight" : 39 } }';

const PREFIX: Record<FieldSource, string> = {
  lc_curr: 'lc_curr_',
  lc_cum: 'lc_cum_',
  roi_count: 'roi_',
  oc_status: 'oc_',
  obj_count: 'obj_count_',
  dir_count: 'dir_',
};
const RESERVED = /^(id|description|source|version)$|^(lc_(curr|cum)_|roi_|oc_|dir_|obj_count_)./su;

// ---- a generated, config-like mapping (default field names) and frames ---------------------------------

const label = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }), fc.constantFrom('straight', 'Entry', 'Exit', 'zone "A"', 'a\\b', '😀'));
const notQuoted = fc.string({ unit: 'binary', maxLength: 30 }).filter((d) => !(d.length >= 2 && d.startsWith('"') && d.endsWith('"')));

const mappingAndFrame = fc.uniqueArray(label, { minLength: 1, maxLength: 5 }).chain((labels) => {
  const lab = fc.constantFrom(...labels);
  const field: fc.Arbitrary<PayloadField> = fc
    .constantFrom<FieldSource>('lc_curr', 'lc_cum', 'roi_count', 'oc_status', 'obj_count', 'dir_count')
    .chain((source) => (source === 'obj_count' ? fc.integer({ min: -1, max: 5 }).map(String) : lab).map((key) => ({ name: PREFIX[source] + key, source, key })));
  const mapping: fc.Arbitrary<PayloadMapping> = fc.record({
    streams: fc.array(fc.record({ streamId: fc.integer({ min: 0, max: 2 }), fields: fc.uniqueArray(field, { selector: (f) => f.name, maxLength: 10 }) }), {
      maxLength: 3,
    }),
    analyticsModule: fc.record({ id: fc.string(), description: notQuoted, source: fc.string(), version: fc.string() }),
    staticFields: fc.dictionary(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).filter((k) => !RESERVED.test(k)),
      fc.oneof(fc.string({ unit: 'binary' }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean()),
      { maxKeys: 4 },
    ),
  });
  const counts = (max: number) => fc.dictionary(lab, fc.oneof(fc.nat(10), fc.integer({ min: 0, max })), { maxKeys: labels.length });
  const frame: fc.Arbitrary<FrameAnalyticsRecord> = fc.record({
    streamId: fc.integer({ min: 0, max: 2 }),
    frameNum: fc.maxSafeNat(),
    ptsMs: fc.maxSafeNat(),
    objLCCurrCnt: counts(Number.MAX_SAFE_INTEGER),
    objLCCumCnt: counts(Number.MAX_SAFE_INTEGER),
    objInROIcnt: counts(0xffffffff),
    ocStatus: fc.dictionary(lab, fc.boolean(), { maxKeys: labels.length }),
    objCnt: fc.dictionary(fc.integer({ min: -1, max: 5 }).map(String), fc.nat(0xffffffff), { maxKeys: 3 }),
    dirCnt: fc.dictionary(lab, fc.nat(30), { maxKeys: labels.length }),
  });
  return fc.tuple(mapping, frame);
});

describe('payload schema', () => {
  it('loadMessageValidator() compiles the shipped schema (needs allowUnionTypes in src/schema/validate.ts)', () => {
    expect(loadError === undefined ? undefined : String(loadError)).toBeUndefined();
  });

  it('every built message validates (native with native context, TS with newMessageContext)', () => {
    fc.assert(
      fc.property(
        mappingAndFrame,
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 253402300799999 }),
        ([mapping, frame], deviceId, at) => {
          const tsMsg = buildPayload(mapping, frame, newMessageContext(deviceId, new Date(at)));
          expect(validate(tsMsg)).toBeUndefined();
          const nativeAt = Math.min(at, MAX_CLOCK_MS);
          const nativeMsg = buildPayloadNative(mapping, frame, { messageId: uuidV4Native(), timestamp: rfc3339MillisNative(nativeAt), deviceId });
          expect(validate(nativeMsg)).toBeUndefined();
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("the seed's example message fails only because of its quoted description", () => {
    const err = validate(SEED_MESSAGE);
    expect(err).toMatch(/^\/analyticsModule\/description must NOT be valid$/);
    const fixed = JSON.parse(SEED_MESSAGE) as { analyticsModule: { description: string } };
    fixed.analyticsModule.description = fixed.analyticsModule.description.replace(/^"(.*)"$/, '$1');
    expect(fixed.analyticsModule.description).toBe('Vehicle Detection and License Plate Recognition');
    expect(validate(fixed)).toBeUndefined();
  });

  it('rejects what the builders never write', () => {
    const good = JSON.parse(
      buildPayload(
        {
          streams: [{ streamId: 0, fields: [{ name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' }] }],
          analyticsModule: { id: 'XYZ', description: 'd', source: 's', version: '1.0' },
          staticFields: {},
        },
        { streamId: 0, frameNum: 0, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: { straight: 3 }, objInROIcnt: {}, ocStatus: {}, objCnt: {} },
        newMessageContext('cam'),
      ),
    ) as Record<string, unknown> & { analyticsModule: Record<string, unknown> };
    expect(validate(good)).toBeUndefined();
    const variants: Array<[string, (m: typeof good) => void]> = [
      ['uuid v1', (m) => (m.messageid = '34359fe1-fa36-1268-b6fc-a302dbab8be9')],
      ['uppercase uuid', (m) => (m.messageid = '34359FE1-FA36-4268-B6FC-A302DBAB8BE9')],
      ['timestamp without ms', (m) => (m['@timestamp'] = '2022-08-20T09:05:01Z')],
      ['timestamp with offset', (m) => (m['@timestamp'] = '2022-08-20T09:05:01.695+02:00')],
      ['impossible date', (m) => (m['@timestamp'] = '2022-02-30T09:05:01.695Z')],
      ['empty deviceId', (m) => (m.deviceId = '')],
      ['count as double', (m) => (m.analyticsModule.lc_cum_straight = 3.5)],
      ['negative count', (m) => (m.analyticsModule.lc_cum_straight = -1)],
      ['count as string', (m) => (m.analyticsModule.lc_cum_straight = '3')],
      ['oc as number', (m) => (m.analyticsModule.oc_zone = 1)],
      ['extra top-level field', (m) => (m.place = {})],
    ];
    for (const [what, mutate] of variants) {
      const m = structuredClone(good);
      mutate(m);
      expect(validate(m), what).toBeDefined();
    }
  });
});

describe('message id and timestamp', () => {
  it('uuidV4 is a lowercase RFC 4122 version-4 UUID, unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      const u = uuidV4Native();
      expect(u).toMatch(UUID_V4);
      seen.add(u);
    }
    expect(seen.size).toBe(20000);
    // Version and variant bits only: the other 122 bits vary (each hex digit position takes many values).
    const ids = [...seen].slice(0, 2000).map((u) => u.replace(/-/g, ''));
    for (const pos of [0, 8, 13, 17, 31]) expect(new Set(ids.map((u) => u[pos])).size, `position ${pos}`).toBeGreaterThan(8);
    expect(randomUUID()).toMatch(UUID_V4); // what the TS path uses
  });

  it('rfc3339Millis matches Date.prototype.toISOString over its whole range', () => {
    const fixed: Array<[number, string]> = [
      [0, '1970-01-01T00:00:00.000Z'],
      [-1, '1969-12-31T23:59:59.999Z'],
      [-1000, '1969-12-31T23:59:59.000Z'],
      [-1001, '1969-12-31T23:59:58.999Z'],
      [1660986301695, '2022-08-20T09:05:01.695Z'],
      [951782400000, '2000-02-29T00:00:00.000Z'],
      [4102444799999, '2099-12-31T23:59:59.999Z'],
    ];
    for (const [ms, want] of fixed) {
      expect(rfc3339MillisNative(ms)).toBe(want);
      expect(new Date(ms).toISOString()).toBe(want);
    }
    fc.assert(
      fc.property(fc.integer({ min: -MAX_CLOCK_MS, max: MAX_CLOCK_MS }), (ms) => {
        const s = rfc3339MillisNative(ms);
        expect(s).toBe(new Date(ms).toISOString());
        expect(s).toMatch(RFC3339_MS);
      }),
      { numRuns: 20000 },
    );
    expect(() => rfc3339MillisNative(MAX_CLOCK_MS + 1)).toThrow(RangeError);
    expect(() => rfc3339MillisNative(0.5)).toThrow(RangeError);
  });
});

describe('partition key (cfg_kafka.txt partition-key)', () => {
  const mapping: PayloadMapping = {
    streams: [
      {
        streamId: 0,
        fields: [
          { name: 'lc_curr_straight', source: 'lc_curr', key: 'straight' },
          { name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' },
          { name: 'oc_zone', source: 'oc_status', key: 'zone' },
        ],
      },
    ],
    analyticsModule: { id: 'XYZ', description: 'Vehicle Detection and License Plate Recognition', source: 'OpenALR', version: '1.0' },
    staticFields: { ratio: 0.5, big: 1e21, site: '', neg: -7, 'a.b': 'dotted' },
  };
  const frame: FrameAnalyticsRecord = {
    streamId: 0,
    frameNum: 7,
    ptsMs: 233,
    objLCCurrCnt: { straight: 1 },
    objLCCumCnt: { straight: 39 },
    objInROIcnt: {},
    ocStatus: { zone: true },
    objCnt: {},
  };
  const msg = buildPayload(mapping, frame, { messageId: '34359fe1-fa36-4268-b6fc-a302dbab8be9', timestamp: '2022-08-20T09:05:01.695Z', deviceId: 'device_test' });
  const both = (path: string) => {
    const ts = extractKey(JSON.parse(msg), path);
    expect(extractKeyNative(msg, path), path).toBe(ts);
    return ts;
  };

  it('reads deviceId (the seed), nested paths and integral numbers; a missing path gives no key', () => {
    expect(both('deviceId')).toBe('device_test');
    expect(both('analyticsModule.id')).toBe('XYZ');
    expect(both('analyticsModule.lc_cum_straight')).toBe('39');
    expect(both('analyticsModule.neg')).toBe('-7');
    expect(both('analyticsModule.big')).toBe('1e+21');
    expect(both('sensor.id')).toBeNull(); // DeepStream's default path; absent from our messages
    expect(both('analyticsModule.missing')).toBeNull();
    expect(both('deviceId.length')).toBeNull();
    expect(both('analyticsModule')).toBeNull(); // an object
    expect(both('analyticsModule.oc_zone')).toBeNull(); // a boolean
    expect(both('analyticsModule.ratio')).toBeNull(); // not integral
    expect(both('analyticsModule.site')).toBeNull(); // empty string = no key (librdkafka gets a null key)
    expect(both('analyticsModule.a.b')).toBeNull(); // dots always separate
    expect(both('')).toBeNull();
    expect(both('.')).toBeNull();
    expect(both('analyticsModule.')).toBeNull();
    expect(both('constructor')).toBeNull();
    expect(both('__proto__')).toBeNull();
    expect(extractKeyNative('not json', 'deviceId')).toBeNull();
  });

  it('agrees on generated messages and paths', () => {
    fc.assert(
      fc.property(mappingAndFrame, fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), fc.nat(20), ([m, f], deviceId, pick) => {
        const message = buildPayload(m, f, newMessageContext(deviceId));
        const am = Object.keys((JSON.parse(message) as { analyticsModule: object }).analyticsModule);
        const paths = ['deviceId', 'messageid', '@timestamp', 'analyticsModule', ...am.map((k) => `analyticsModule.${k}`), `analyticsModule.x${pick}`];
        for (const p of paths) expect(extractKeyNative(message, p), p).toBe(extractKey(JSON.parse(message), p));
      }),
      { numRuns: 500 },
    );
  });
});
