// The native payload builder (native/core/payload/) and its TypeScript twin (src/payload/build.ts) must
// write the same bytes for the same frame, with JSON.stringify's semantics: the native path and the kafkajs
// path send identical messages.
//
// Strings: the property runs on well-formed strings (any code point, astral included). JS strings can also
// hold lone surrogates. The binding reads strings as UTF-16 and passes them on as WTF-8, and the JSON
// writer escapes a lone surrogate as \udXXX like JSON.stringify, so context strings (deviceId, ...) and
// record labels keep parity even then. The exception is the mapping: it crosses as JSON text, and the
// native JSON parser rejects an escaped lone surrogate, so such a mapping throws natively (config files
// are read as UTF-8 and can never produce one). The separate tests below cover these cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldSource, PayloadField, PayloadMapping } from '../../src/config/resolved.js';
import { buildPayloadNative } from '../../src/native/payload.js';
import { buildPayload, type FrameAnalyticsRecord, type MessageContext } from '../../src/payload/build.js';

const SOURCES: FieldSource[] = ['lc_curr', 'lc_cum', 'roi_count', 'oc_status', 'obj_count', 'dir_count'];
const MAX_U32 = 0xffffffff;

// ---- arbitraries -----------------------------------------------------------------------------------------

/** Strings that stress escaping: quotes, backslashes, every control character, DEL, U+2028, emoji. */
const nasty = fc.constantFrom(
  '"',
  '\\',
  '\\"',
  '\b\f\n\r\t',
  '\u0000',
  '\u0001\u001f',
  '\u007f',
  '\u2028\u2029',
  '😀',
  '👩‍👩‍👧',
  'é',
  'e\u0301',
  '\uFEFF',
  '\uFFFD',
  'straight',
  'Entry',
  'Exit',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '"quoted"',
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(nasty, fc.string({ unit: 'grapheme', maxLength: 1 })), maxLength: 6 }) },
);

/** Static field numbers: every kind JSON.stringify has its own rule for. */
const staticNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(
    0,
    -0,
    0.1,
    -0.1,
    0.5,
    1e21,
    1e20,
    -1e21,
    123e-20,
    1e-6,
    1e-7,
    1.5e-7,
    0.000001234,
    5e-324,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 64,
    2 ** 63,
    1e19,
    -(2 ** 53) + 1,
    123456789.123456789,
    1 / 3,
  ),
);
const staticValue = fc.oneof(text, staticNumber, fc.boolean());

/** A class-id key as configs write them, or a malformed one (which must match nothing on both sides). */
const classKey = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 5 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('007', '-0', '+1', ' 1', '1 ', '1.5', '1e2', '0x1', '', '-', '2147483648', '-2147483649', '99999999999999999999', 'NaN', '\u00a01', '١') },
);

interface Case {
  mapping: PayloadMapping;
  frame: FrameAnalyticsRecord;
  ctx: MessageContext;
}

const caseArb: fc.Arbitrary<Case> = fc
  .tuple(
    fc.uniqueArray(text, { minLength: 1, maxLength: 6 }),
    fc.uniqueArray(fc.integer({ min: -1, max: 6 }), { minLength: 1, maxLength: 3 }),
  )
  .chain(([labels, streamIds]) => {
    const label = fc.constantFrom(...labels);
    const classIds = fc.integer({ min: -1, max: 5 });
    const field: fc.Arbitrary<PayloadField> = fc.constantFrom(...SOURCES).chain((source) =>
      fc.record({
        name: fc.oneof(text, label),
        source: fc.constant(source),
        key: source === 'obj_count' ? classKey : fc.oneof({ weight: 5, arbitrary: label }, { weight: 1, arbitrary: text }),
      }),
    );
    const mapping: fc.Arbitrary<PayloadMapping> = fc.record({
      streams: fc.array(fc.record({ streamId: fc.constantFrom(...streamIds), fields: fc.array(field, { maxLength: 8 }) }), {
        maxLength: 3,
      }),
      analyticsModule: fc.record({ id: text, description: text, source: text, version: text }),
      staticFields: fc.dictionary(fc.oneof(text, label), staticValue, { maxKeys: 6 }),
    });
    const counts = (max: number) =>
      fc.dictionary(label, fc.oneof(fc.integer({ min: 0, max: Math.min(max, 5) }), fc.integer({ min: 0, max }), fc.constant(max)), {
        maxKeys: labels.length,
      });
    const frame: fc.Arbitrary<FrameAnalyticsRecord> = fc.record(
      {
        streamId: fc.oneof(fc.constantFrom(...streamIds), fc.integer({ min: -1, max: 6 })),
        frameNum: fc.maxSafeNat(),
        ptsMs: fc.maxSafeInteger(),
        objLCCurrCnt: counts(Number.MAX_SAFE_INTEGER),
        objLCCumCnt: counts(Number.MAX_SAFE_INTEGER),
        objInROIcnt: counts(MAX_U32),
        ocStatus: fc.dictionary(label, fc.boolean(), { maxKeys: labels.length }),
        objCnt: fc.dictionary(classIds.map(String), fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(MAX_U32)), { maxKeys: 4 }),
        dirCnt: fc.dictionary(label, fc.integer({ min: 0, max: 40 }), { maxKeys: labels.length }),
      },
      { requiredKeys: ['streamId', 'frameNum', 'ptsMs', 'objLCCurrCnt', 'objLCCumCnt', 'objInROIcnt', 'ocStatus', 'objCnt'] },
    );
    const ctx: fc.Arbitrary<MessageContext> = fc.record({ messageId: fc.oneof(fc.uuid({ version: 4 }), text), timestamp: text, deviceId: text });
    return fc.record({ mapping, frame, ctx });
  });

function both(c: Case): { native: string; ts: string } {
  return { native: buildPayloadNative(JSON.stringify(c.mapping), c.frame, c.ctx), ts: buildPayload(c.mapping, c.frame, c.ctx) };
}

// ---- tests -----------------------------------------------------------------------------------------------

describe('payload parity: native builder vs src/payload/build.ts', () => {
  it('writes the same bytes for generated mappings, frames and contexts (well-formed strings)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { native, ts } = both(c);
        expect(native).toBe(ts);
        // And it is JSON that reads back as what was put in.
        const parsed = JSON.parse(native) as { deviceId: string; analyticsModule: Record<string, unknown> };
        expect(parsed.deviceId).toBe(c.ctx.deviceId);
      }),
      { numRuns: 3000 },
    );
  });

  it('writes static numbers exactly as JSON.stringify does', () => {
    const mapping = (v: number): PayloadMapping => ({
      streams: [],
      analyticsModule: { id: 'i', description: 'd', source: 's', version: 'v' },
      staticFields: { n: v },
    });
    const frame: FrameAnalyticsRecord = { streamId: 0, frameNum: 0, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: {}, objInROIcnt: {}, ocStatus: {}, objCnt: {} };
    const ctx: MessageContext = { messageId: 'm', timestamp: 't', deviceId: 'd' };
    const numOf = (payload: string) => /"n":([^}]*)\}\}$/.exec(payload)![1];
    // Hand-checked against JSON.stringify.
    const table: Array<[number, string]> = [
      [0.1, '0.1'],
      [-0, '0'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [-1e21, '-1e+21'],
      [1e-6, '0.000001'],
      [1e-7, '1e-7'],
      [1.5e-7, '1.5e-7'],
      [123e-20, '1.23e-18'],
      [5e-324, '5e-324'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [2 ** 53, '9007199254740992'],
      [2 ** 64, '18446744073709552000'],
      [1 / 3, '0.3333333333333333'],
      [-2.5, '-2.5'],
      [123456789012345680000, '123456789012345680000'],
    ];
    for (const [v, want] of table) {
      expect(JSON.stringify(v)).toBe(want);
      expect(numOf(buildPayloadNative(mapping(v), frame, ctx)), String(v)).toBe(want);
      expect(numOf(buildPayload(mapping(v), frame, ctx))).toBe(want);
    }
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(numOf(buildPayloadNative(mapping(v), frame, ctx))).toBe(JSON.stringify(v));
      }),
      { numRuns: 20000 },
    );
  });

  it('never reads Object.prototype for labels such as constructor, toString, __proto__', () => {
    const labels = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const fields: PayloadField[] = labels.flatMap((key) => SOURCES.filter((s) => s !== 'obj_count').map((source) => ({ name: `${source}_${key}`, source, key })));
    const mapping: PayloadMapping = {
      streams: [{ streamId: 0, fields }],
      analyticsModule: { id: 'i', description: 'd', source: 's', version: 'v' },
      staticFields: {},
    };
    const frame: FrameAnalyticsRecord = { streamId: 0, frameNum: 0, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: {}, objInROIcnt: {}, ocStatus: {}, objCnt: {}, dirCnt: {} };
    const ctx: MessageContext = { messageId: 'm', timestamp: 't', deviceId: 'd' };
    const ts = buildPayload(mapping, frame, ctx);
    expect(ts).toBe(buildPayloadNative(mapping, frame, ctx));
    const am = (JSON.parse(ts) as { analyticsModule: Record<string, unknown> }).analyticsModule;
    for (const f of fields) expect(am[f.name], f.name).toBe(f.source === 'oc_status' ? false : 0);
    // And when they are real labels, their values are read.
    const own = JSON.parse('{"constructor":3,"__proto__":4}') as Record<string, number>;
    const frame2 = { ...frame, objLCCumCnt: own, dirCnt: own };
    expect(buildPayload(mapping, frame2, ctx)).toBe(buildPayloadNative(mapping, frame2, ctx));
    const am2 = (JSON.parse(buildPayload(mapping, frame2, ctx)) as { analyticsModule: Record<string, unknown> }).analyticsModule;
    expect(am2.lc_cum___proto__).toBe(4);
    expect(am2.dir_count_constructor).toBe(3);
  });

  it('reads obj_count keys by one rule on both sides: canonical decimal int32 only', () => {
    const keys = ['0', '2', '-1', '007', '-0', '+1', ' 1', '1.5', '1e0', '0x1', '', '2147483647', '2147483648', '\u00a02', '٢'];
    const mapping: PayloadMapping = {
      streams: [{ streamId: 0, fields: keys.map((key, i) => ({ name: `f${i}`, source: 'obj_count' as const, key })) }],
      analyticsModule: { id: 'i', description: 'd', source: 's', version: 'v' },
      staticFields: {},
    };
    const frame: FrameAnalyticsRecord = {
      streamId: 0,
      frameNum: 0,
      ptsMs: 0,
      objLCCurrCnt: {},
      objLCCumCnt: {},
      objInROIcnt: {},
      ocStatus: {},
      objCnt: { '0': 10, '1': 11, '2': 12, '7': 17, '-1': 9, '2147483647': 5 },
    };
    const ctx: MessageContext = { messageId: 'm', timestamp: 't', deviceId: 'd' };
    const ts = buildPayload(mapping, frame, ctx);
    expect(buildPayloadNative(mapping, frame, ctx)).toBe(ts);
    const am = (JSON.parse(ts) as { analyticsModule: Record<string, number> }).analyticsModule;
    expect(keys.map((_, i) => am[`f${i}`])).toEqual([10, 12, 9, 17, 10, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]);
  });

  describe('lone surrogates (JS strings that are not well-formed UTF-16)', () => {
    const loneish = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 10 });
    const wellFormedMapping: PayloadMapping = {
      streams: [{ streamId: 0, fields: [{ name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' }] }],
      analyticsModule: { id: 'XYZ', description: 'd', source: 's', version: '1.0' },
      staticFields: { site: 'north' },
    };
    const frame: FrameAnalyticsRecord = { streamId: 0, frameNum: 1, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: { straight: 2 }, objInROIcnt: {}, ocStatus: {}, objCnt: {} };

    it('keeps parity in the message context: both escape them as \\udXXX', () => {
      const ctx = { messageId: 'a\ud800b', timestamp: '\udfff', deviceId: 'cam\ud83d' };
      const native = buildPayloadNative(wellFormedMapping, frame, ctx);
      expect(native).toBe(buildPayload(wellFormedMapping, frame, ctx));
      expect(native).toContain('"deviceId":"cam\\ud83d"');
      fc.assert(
        fc.property(loneish, loneish, loneish, (messageId, timestamp, deviceId) => {
          const c = { messageId, timestamp, deviceId };
          expect(buildPayloadNative(wellFormedMapping, frame, c)).toBe(buildPayload(wellFormedMapping, frame, c));
        }),
        { numRuns: 2000 },
      );
    });

    it('keeps parity for record labels (a lone-surrogate label matches no mapping key on either side)', () => {
      const f2 = { ...frame, objLCCumCnt: { straight: 2, ['straight\ud800']: 5, '\udc00': 1 } };
      const ctx = { messageId: 'm', timestamp: 't', deviceId: 'd' };
      expect(buildPayloadNative(wellFormedMapping, f2, ctx)).toBe(buildPayload(wellFormedMapping, f2, ctx));
    });

    it('a mapping holding one is rejected natively (it crosses as JSON; documented limitation)', () => {
      const bad: PayloadMapping = { ...wellFormedMapping, staticFields: { site: 'north\ud800' } };
      const ctx = { messageId: 'm', timestamp: 't', deviceId: 'd' };
      expect(buildPayload(bad, frame, ctx)).toContain('"site":"north\\ud800"');
      expect(() => buildPayloadNative(bad, frame, ctx)).toThrow(/payload mapping: not JSON/);
    });
  });

  it('rejects malformed frames with a TypeError/RangeError naming the field (no silent truncation)', () => {
    const mapping = JSON.stringify({ streams: [], analyticsModule: { id: 'i', description: 'd', source: 's', version: 'v' }, staticFields: {} });
    const ctx = { messageId: 'm', timestamp: 't', deviceId: 'd' };
    const base: FrameAnalyticsRecord = { streamId: 0, frameNum: 0, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: {}, objInROIcnt: {}, ocStatus: {}, objCnt: {} };
    const bad: Array<[Partial<Record<keyof FrameAnalyticsRecord, unknown>>, RegExp]> = [
      [{ objLCCumCnt: { a: -1 } }, /frame\.objLCCumCnt\[a\]/],
      [{ objLCCumCnt: { a: 2 ** 53 } }, /frame\.objLCCumCnt\[a\]/],
      [{ objLCCurrCnt: { a: 1.5 } }, /frame\.objLCCurrCnt\[a\]/],
      [{ objInROIcnt: { a: 2 ** 32 } }, /frame\.objInROIcnt\[a\]/],
      [{ ocStatus: { a: 1 } }, /frame\.ocStatus\[a\] must be a boolean/],
      [{ objCnt: { '007': 1 } }, /frame\.objCnt: key "007"/],
      [{ objCnt: { x: 1 } }, /frame\.objCnt: key "x"/],
      [{ dirCnt: { N: 1e7 } }, /frame\.dirCnt\[N\]/],
      [{ streamId: 2 ** 31 }, /frame\.streamId/],
      [{ objCnt: undefined }, /frame\.objCnt must be an object/],
    ];
    for (const [patch, re] of bad) {
      expect(() => buildPayloadNative(mapping, { ...base, ...patch } as FrameAnalyticsRecord, ctx), re.source).toThrow(re);
    }
    expect(() => buildPayloadNative('{', base, ctx)).toThrow(/payload mapping: not JSON/);
    expect(() => buildPayloadNative('{"streams":[{"streamId":0,"fields":[{"name":"x","source":"nope","key":"k"}]}]}', base, ctx)).toThrow(
      /\$\.streams\[0\]\.fields\[0\]\.source: unknown source "nope"/,
    );
  });
});
