// Fuzzing the config parsers (src/config/): whatever text a user hands us, the only failure is a
// ConfigError that names the file and a line of it; and configs generated from a model, written out the
// way a user would write them (GLib escapes, quotes, comments, CRLF, spaces around "="), parse back into
// exactly that model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseKafkaConfig, parseConnStr } from '../../src/config/kafka-config.js';
import { parseKeyFile } from '../../src/config/keyfile.js';
import { parseMsgconvConfig, type StaticValue } from '../../src/config/msgconv-config.js';
import { encodeValue, staticAsRead } from '../helpers/hostile-config.js';
import type { LineCrossingMode, ResolvedAnalyticsConfig, ResolvedStreamAnalytics, XY } from '../../src/config/resolved.js';

const FILE = 'fuzz/config.txt';
// Fixed by default (reproducible); FUZZ_SEED=<n> replays a run, FUZZ_SEED=random explores new inputs.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261130);
console.log(`fuzz-config-parsers: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
const runs = (n: number) => ({ numRuns: n, seed: SEED });

// ---- hostile text ----------------------------------------------------------------------------------------

const nasty = fc.constantFrom(
  '"', '\\', '\\s', '\\n', '\\x', '\\', ';', '\\;', '=', '==', '[', ']', '[]', '#', ' ', '\t', '\u0000', '\u0001',
  '\u007f', '\u00a0', '\u2028', '\u3000', '\uFEFF', '\ud800', '\udfff', '😀', 'é', '-1', '0', '1', '2147483648',
  '1.5', '1e3', '+7', 'true', 'false', 'loose', 'strict', '-stream-', '-stream-0', '999999999999', '',
);
const fragment = fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 8 }), fc.nat(5000).map(String));
const junk = fc.array(fragment, { maxLength: 8 }).map((a) => a.join(''));

const ANALYTICS_GROUPS = ['property', 'roi-filtering-stream', 'overcrowding-stream', 'line-crossing-stream', 'direction-detection-stream'];
const ANALYTICS_KEYS = [
  'enable', 'config-width', 'config-height', 'osd-mode', 'display-font-size', 'display-obj-cnt', 'obj-cnt-win-in-ms',
  'class-id', 'inverse-roi', 'object-threshold', 'time-threshold', 'extended', 'mode', 'roi-', 'line-crossing-', 'direction-',
];
const MSGCONV_GROUPS = ['sensor', 'place', 'analytics', 'payload-fields', 'payload-static'];
const MSGCONV_KEYS = [
  'enable', 'id', 'type', 'description', 'location', 'coordinate', 'name', 'source', 'version', 'lc-curr-template',
  'lc-cum-template', 'roi-template', 'oc-template', 'oc-count-template', 'dir-template', 'obj-count-template',
  'bogus-template', 'obj-count-classes', 'omit', 'lc_cum_straight', 'site', '__proto__',
];
const KAFKA_GROUPS = ['message-broker'];
const KAFKA_KEYS = [
  'proto-cfg', 'producer-proto-cfg', 'consumer-proto-cfg', 'consumer-group-id', 'partition-key', 'share-connection',
  'security.protocol', 'sasl.mechanism', 'ssl.ca.location', 'other',
];

/** A value that is sometimes well-formed for some key (numbers, lists, booleans, modes, templates). */
const value = fc.oneof(
  junk,
  fc.array(fc.integer({ min: -3, max: 3000 }).map(String), { maxLength: 10 }).map((a) => a.join(';')),
  fc.array(fragment, { maxLength: 5 }).map((a) => a.join(';')),
  fc.constantFrom('{label}', '{class}', 'x_{label}_{stream}', '{nope}', 'a=b;c=d', 'a=b;;', 'linger.ms=5', 'x.y'),
);

/** Key-file-shaped text: group headers, key=value lines, comments, junk; any line ending; maybe a BOM. */
function keyFileText(groups: string[], keys: string[]) {
  const header = fc
    .tuple(fc.constantFrom(...groups), fc.oneof(fc.constant(''), fc.nat(3).map((n) => `-${n}`), fc.nat(3).map(String), junk), fc.constantFrom('', ' ', ' x'))
    .map(([g, suffix, after]) => `[${g}${suffix}]${after}`);
  const entry = fc
    .tuple(fc.constantFrom(...keys), fc.oneof(fc.constant(''), junk), fc.constantFrom('=', ' = ', '= ', '=  "'), value)
    .map(([k, label, eq, v]) => `${k}${label}${eq}${v}`);
  const line = fc.oneof(
    { weight: 2, arbitrary: header },
    { weight: 6, arbitrary: entry },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '# comment', '  # indented', '; not a comment') },
    { weight: 1, arbitrary: junk },
  );
  return fc
    .tuple(fc.boolean(), fc.array(line, { maxLength: 25 }), fc.constantFrom('\n', '\r\n', '\r'))
    .map(([bom, lines, eol]) => (bom ? '\uFEFF' : '') + lines.join(eol));
}

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
);

function lineCount(text: string): number {
  return (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r\n|\n|\r/).length;
}

/** Runs a parser on text: it returns, or throws a ConfigError located at FILE:line within the text. */
function onlyLocatedConfigErrors(parse: (text: string, file: string) => unknown, text: string): 'ok' | 'error' {
  try {
    parse(text, FILE);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(e)}\n${JSON.stringify(text)}`);
    expect(e.file).toBe(FILE);
    expect(e.line, e.message).toBeTypeOf('number');
    expect(e.line!).toBeGreaterThanOrEqual(1);
    expect(e.line!).toBeLessThanOrEqual(lineCount(text));
    expect(e.message.startsWith(`${FILE}:${e.line}: `)).toBe(true);
    return 'error';
  }
}

describe('config parsers: any text yields a result or a ConfigError naming the file and line', () => {
  const parsers: Array<[string, (t: string, f: string) => unknown, fc.Arbitrary<string>]> = [
    ['key file', parseKeyFile, keyFileText([...ANALYTICS_GROUPS, ...MSGCONV_GROUPS, ...KAFKA_GROUPS], [...ANALYTICS_KEYS, ...MSGCONV_KEYS])],
    ['analytics config', parseAnalyticsConfig, keyFileText(ANALYTICS_GROUPS, ANALYTICS_KEYS)],
    ['converter config', parseMsgconvConfig, keyFileText(MSGCONV_GROUPS, MSGCONV_KEYS)],
    ['Kafka adaptor config', parseKafkaConfig, keyFileText(KAFKA_GROUPS, KAFKA_KEYS)],
  ];
  for (const [name, parse, shaped] of parsers) {
    it(`${name}: random text and key-file-shaped text`, () => {
      const outcomes = { ok: 0, error: 0 };
      fc.assert(
        fc.property(fc.oneof({ weight: 1, arbitrary: anyText }, { weight: 4, arbitrary: shaped }), (text) => {
          outcomes[onlyLocatedConfigErrors(parse, text)]++;
        }),
        runs(1500),
      );
      // Both outcomes must be reached, or the generator tests nothing past the first line.
      expect(outcomes.ok).toBeGreaterThan(0);
      expect(outcomes.error).toBeGreaterThan(0);
    });
  }

  it('conn-str: any string parses or is a ConfigError keyed "conn-str"', () => {
    const part = fc.oneof(junk, fc.constantFrom('localhost', 'k1,k2', '[::1]', 'h:9092', '9092', '0', '65536', 'ds-kafka', '..', 'a'.repeat(250)));
    const connStr = fc.oneof(anyText, fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join(';')));
    let ok = 0;
    fc.assert(
      fc.property(connStr, fc.option(part, { nil: undefined }), (s, topic) => {
        try {
          const c = parseConnStr(s, topic === undefined ? {} : { topic });
          ok++;
          expect(c.bootstrapServers.split(',')).toHaveLength(c.hosts.length);
          expect(c.port).toBeGreaterThanOrEqual(1);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          expect(e.key).toBe('conn-str');
        }
      }),
      runs(3000),
    );
    expect(ok).toBeGreaterThan(0);
  });
});

// ---- round trips -----------------------------------------------------------------------------------------

/** GLib's g_ascii_isspace minus \v (what a key file trims around keys and values). */
const ASCII_SPACE = /^[ \t\n\f\r]|[ \t\n\f\r]$/;

const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;

/** Any well-formed string (what a UTF-8 file can hold), with the characters that trip escaping. */
const textValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.oneof(nasty.filter(wellFormed), fc.string({ unit: 'grapheme', maxLength: 1 })), maxLength: 8 }),
);

/** A key suffix (label, static field name) a user can write: no "=", no control characters, not trimmed. */
const keyText = fc
  .string({ unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.constantFrom('"', '\\', ' ', ';', '#', '[', '\u00a0', '\u3000', 'é', '😀')), minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes('=') && !/[\x00-\x1f\x7f]/.test(s) && !ASCII_SPACE.test(s));

const lineMode = fc.constantFrom<LineCrossingMode>('loose', 'balanced', 'strict');
const coord = fc.oneof(fc.nat(2000), fc.nat(2 ** 31 - 1));
const point: fc.Arbitrary<XY> = fc.tuple(coord, coord);
const classIds = fc.oneof(fc.constant<number[]>([]), fc.uniqueArray(fc.nat(90), { minLength: 1, maxLength: 4 }));

interface Style {
  eq: string;
  eol: string;
  quoteNumbers: boolean;
  trailingSemicolon: boolean;
  comments: boolean;
}
const style: fc.Arbitrary<Style> = fc.record({
  eq: fc.constantFrom('=', ' = ', '=\t', '  =  '),
  eol: fc.constantFrom('\n', '\r\n'),
  quoteNumbers: fc.boolean(),
  trailingSemicolon: fc.boolean(),
  comments: fc.boolean(),
});

function list(values: number[], st: Style): string {
  const s = values.join(';') + (st.trailingSemicolon && values.length > 0 ? ';' : '');
  return st.quoteNumbers ? `"${s}"` : s;
}

function writeKeyFile(groups: Array<[string, Array<[string, string]>]>, st: Style): string {
  const out: string[] = [];
  for (const [name, entries] of groups) {
    if (st.comments) out.push(`# [${name}] follows`);
    out.push(`[${name}]`);
    for (const [k, v] of entries) {
      out.push(`${k}${st.eq}${v}`);
      if (st.comments) out.push('  # a comment with = and ; and [brackets]');
    }
    out.push('');
  }
  return out.join(st.eol);
}

type Stream = ResolvedStreamAnalytics;
const uniqueLabels = (min: number) => fc.uniqueArray(keyText, { minLength: min, maxLength: 3 });

const streamArb = (streamId: number): fc.Arbitrary<Stream> =>
  fc.record({
    streamId: fc.constant(streamId),
    rois: fc.tuple(uniqueLabels(0), fc.boolean(), classIds).chain(([labels, inverse, ids]) =>
      fc.tuple(...labels.map((label) => fc.array(point, { minLength: 3, maxLength: 6 }).map((polygon) => ({ label, polygon, inverse, classIds: ids })))),
    ),
    overcrowding: fc.tuple(uniqueLabels(0), fc.nat(50), fc.nat(100000), classIds).chain(([labels, objectThreshold, timeThresholdMs, ids]) =>
      fc.tuple(...labels.map((label) => fc.array(point, { minLength: 3, maxLength: 5 }).map((polygon) => ({ label, polygon, objectThreshold, timeThresholdMs, classIds: ids })))),
    ),
    lines: fc.tuple(uniqueLabels(1), classIds, fc.boolean(), lineMode).chain(([labels, ids, extended, mode]) =>
      fc.tuple(...labels.map((label) => fc.tuple(point, point, point, point).map(([a, b, c, d]) => ({ label, arrow: [a, b] as [XY, XY], line: [c, d] as [XY, XY], classIds: ids, extended, mode })))),
    ),
    directions: fc.tuple(uniqueLabels(0), classIds).chain(([labels, ids]) =>
      fc.tuple(...labels.map((label) => fc.tuple(point, point).map(([from, to]) => ({ label, from, to, classIds: ids })))),
    ),
  });

const analyticsArb: fc.Arbitrary<ResolvedAnalyticsConfig> = fc
  .uniqueArray(fc.nat(70000 > 65535 ? 65535 : 70000), { minLength: 1, maxLength: 3 })
  .chain((ids) =>
    fc.record({
      enable: fc.constant(true),
      configWidth: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      configHeight: fc.integer({ min: 1, max: 8000 }),
      osdMode: fc.integer({ min: 0, max: 2 }),
      displayFontSize: fc.integer({ min: 1, max: 200 }),
      displayObjCnt: fc.boolean(),
      objCntWinMs: fc.nat(),
      streams: fc.tuple(...[...ids].sort((a, b) => a - b).map(streamArb)),
    }),
  );

function writeAnalytics(c: ResolvedAnalyticsConfig, st: Style): string {
  const b = (v: boolean) => (v ? '1' : '0');
  const groups: Array<[string, Array<[string, string]>]> = [
    [
      'property',
      [
        ['enable', '1'],
        ['config-width', st.quoteNumbers ? `"${c.configWidth}"` : String(c.configWidth)],
        ['config-height', String(c.configHeight)],
        ['osd-mode', String(c.osdMode)],
        ['display-font-size', String(c.displayFontSize)],
        ['display-obj-cnt', c.displayObjCnt ? 'true' : 'false'],
        ['obj-cnt-win-in-ms', String(c.objCntWinMs)],
      ],
    ],
  ];
  const ids = (x: number[]) => (x.length === 0 ? '-1' : list(x, st));
  for (const s of c.streams) {
    const n = s.streamId;
    if (s.lines.length) {
      const l0 = s.lines[0]!;
      groups.push([
        `line-crossing-stream-${n}`,
        [
          ['enable', '1'],
          ...s.lines.map((l): [string, string] => [`line-crossing-${l.label}`, list([...l.arrow.flat(), ...l.line.flat()], st)]),
          ['class-id', ids(l0.classIds)],
          ['extended', b(l0.extended)],
          ['mode', l0.mode],
        ],
      ]);
    }
    if (s.rois.length) {
      groups.push([
        `roi-filtering-stream-${n}`,
        [['enable', 'true'], ['inverse-roi', b(s.rois[0]!.inverse)], ['class-id', ids(s.rois[0]!.classIds)], ...s.rois.map((r): [string, string] => [`roi-${r.label}`, list(r.polygon.flat(), st)])],
      ]);
    }
    if (s.overcrowding.length) {
      const o = s.overcrowding[0]!;
      groups.push([
        `overcrowding-stream-${n}`,
        [
          ['enable', '1'],
          ...s.overcrowding.map((r): [string, string] => [`roi-${r.label}`, list(r.polygon.flat(), st)]),
          ['object-threshold', String(o.objectThreshold)],
          ['time-threshold', String(o.timeThresholdMs)],
          ['class-id', ids(o.classIds)],
        ],
      ]);
    }
    if (s.directions.length) {
      groups.push([
        `direction-detection-stream-${n}`,
        [['enable', '1'], ['class-id', ids(s.directions[0]!.classIds)], ...s.directions.map((d): [string, string] => [`direction-${d.label}`, list([...d.from, ...d.to], st)])],
      ]);
    }
  }
  return writeKeyFile(groups, st);
}

describe('config parsers: generated valid configs round-trip', () => {
  it('analytics config: every property, stream, rule, label and coordinate reads back', () => {
    fc.assert(
      fc.property(analyticsArb, style, (model, st) => {
        const text = writeAnalytics(model, st);
        const { config, warnings, origins } = parseAnalyticsConfig(text, FILE);
        expect(config, text).toEqual(model);
        expect(origins).toHaveLength(model.streams.reduce((n, s) => n + s.lines.length + s.rois.length + s.overcrowding.length + s.directions.length, 0));
        // Each origin points at the line that holds its rule.
        const lines = text.split(st.eol);
        for (const o of origins) expect(lines[o.line - 1]!.startsWith(`${o.key}${st.eq}`), o.key).toBe(true);
        // Warnings only of the kinds such a file can deserve (geometry, label characters), never errors in disguise.
        for (const w of warnings) expect(['out-of-bounds', 'degenerate-geometry', 'label-characters', 'label-overlap']).toContain(w.code);
      }),
      runs(400),
    );
  });

  const staticValue: fc.Arbitrary<StaticValue> = fc.oneof(
    textValue,
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom('true', 'false', '12', '-0', '1e3', '007', '0x10', ' 5', 'NaN'),
  );
  // A static name is also a field name: no surrounding whitespace of any kind, not a fixed field.
  const staticName = keyText.filter((k) => !['id', 'description', 'source', 'version', '__proto__'].includes(k) && !/^[#[]/.test(k) && k.trim() === k);

  it('converter config: sensors, analytics0 strings and typed static fields read back', () => {
    const model = fc.record({
      sensors: fc.uniqueArray(fc.record({ index: fc.nat(65535), id: textValue.filter((s) => s.trim() !== ''), type: textValue, description: textValue }), { selector: (s) => s.index, maxLength: 3 }),
      module: fc.record({ id: textValue, description: textValue, source: textValue, version: textValue }),
      statics: fc.uniqueArray(fc.tuple(staticName, staticValue, fc.boolean()), { selector: ([k]) => k, maxLength: 5 }),
      quote: fc.boolean(),
    });
    fc.assert(
      fc.property(model, style, (m, st) => {
        const str = (s: string) => encodeValue(s, m.quote);
        // A string static is quoted unless unquoted text reads as the same string (not a number or boolean).
        const staticText = ([, v, q]: [string, StaticValue, boolean]) =>
          typeof v !== 'string' ? JSON.stringify(v) : q || /^(true|false|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/.test(v) ? encodeValue(v, true) : encodeValue(v, false);
        const text = writeKeyFile(
          [
            ...m.sensors.map((s): [string, Array<[string, string]>] => [`sensor${s.index}`, [['enable', '1'], ['id', str(s.id)], ['type', str(s.type)], ['description', str(s.description)]]]),
            ['analytics0', [['enable', '1'], ['id', str(m.module.id)], ['description', str(m.module.description)], ['source', str(m.module.source)], ['version', str(m.module.version)]]],
            ['payload-static', m.statics.map((s): [string, string] => [s[0], staticText(s)])],
          ],
          st,
        );
        const { config } = parseMsgconvConfig(text, FILE);
        expect(config.analyticsModule, text).toEqual(m.module);
        expect(config.sensors.map((s) => ({ index: s.index, id: s.id, type: s.type, description: s.description }))).toEqual(
          m.sensors.map(({ index, id, type, description }) => ({ index, id, type, description })),
        );
        // Numbers are written as JSON.stringify writes them: -0 reads as 0, an integer beyond 2^53 as its exact text.
        expect(config.staticFields.map((s) => [s.name, s.value])).toEqual(m.statics.map(([k, v]) => [k, staticAsRead(v)]));
      }),
      runs(500),
    );
  });

  it('Kafka adaptor config: librdkafka lists, partition key, flags and SASL/SSL keys read back', () => {
    const propName = fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/);
    const propValue = fc.string({ unit: 'binary', maxLength: 15 }).filter((v) => !v.includes(';') && v.trim() === v);
    const pairs = fc.array(fc.tuple(propName, propValue), { maxLength: 5 });
    const model = fc.record({
      protoCfg: pairs,
      producerProtoCfg: pairs,
      consumerProtoCfg: pairs,
      consumerGroupId: fc.option(textValue.filter((s) => s.trim() === s && s !== ''), { nil: undefined }),
      partitionKeyPath: fc.array(fc.stringMatching(/^[A-Za-z0-9_@-]{1,10}$/), { minLength: 1, maxLength: 3 }),
      shareConnection: fc.boolean(),
      passthrough: fc.uniqueArray(fc.tuple(fc.constantFrom('security.protocol', 'sasl.mechanism', 'sasl.username', 'ssl.ca.location', 'ssl.key.password'), propValue), { selector: ([k]) => k, maxLength: 3 }),
    });
    fc.assert(
      fc.property(model, style, fc.boolean(), (m, st, trailing) => {
        const kv = (p: Array<[string, string]>) => encodeValue(p.map(([k, v]) => `${k}=${v}`).join(';') + (trailing && p.length ? ';' : ''), true);
        const entries: Array<[string, string]> = [
          ['proto-cfg', kv(m.protoCfg)],
          ['producer-proto-cfg', kv(m.producerProtoCfg)],
          ['consumer-proto-cfg', kv(m.consumerProtoCfg)],
          ['partition-key', m.partitionKeyPath.join('.')],
          ['share-connection', m.shareConnection ? 'true' : '0'],
          ...m.passthrough.map(([k, v]): [string, string] => [k, encodeValue(v, false)]),
        ];
        if (m.consumerGroupId !== undefined) entries.push(['consumer-group-id', encodeValue(m.consumerGroupId, false)]);
        const text = writeKeyFile([['message-broker', entries]], st);
        const cfg = parseKafkaConfig(text, FILE);
        expect(cfg.protoCfg, text).toEqual(m.protoCfg);
        expect(cfg.producerProtoCfg).toEqual(m.producerProtoCfg);
        expect(cfg.consumerProtoCfg).toEqual(m.consumerProtoCfg);
        expect(cfg.consumerGroupId).toBe(m.consumerGroupId);
        expect(cfg.partitionKeyPath).toEqual(m.partitionKeyPath);
        expect(cfg.shareConnection).toBe(m.shareConnection);
        expect(cfg.passthrough).toEqual(m.passthrough);
      }),
      runs(500),
    );
  });
});

describe('found by fuzzing', () => {
  it('keys and values keep Unicode spaces at their edges: only ASCII whitespace is trimmed, as GLib does', () => {
    // String.prototype.trim dropped these: "Exit\u00a0" was counted as "Exit", an NBSP-only label was "empty".
    const a = parseAnalyticsConfig('[line-crossing-stream-0]\nenable=1\nline-crossing-Exit\u00a0 =1;1;1;5;0;3;2;3\nline-crossing-\u3000=1;1;1;5;0;3;2;3\n', FILE);
    expect(a.config.streams[0]!.lines.map((l) => l.label)).toEqual(['Exit\u00a0', '\u3000']);
    const m = parseMsgconvConfig('[analytics0]\n\tdescription = Caméra\u3000 \t\nid=\u2028x\u2029\nsource=\uFEFFs\n', FILE);
    expect(m.config.analyticsModule).toMatchObject({ description: 'Caméra\u3000', id: '\u2028x\u2029', source: '\uFEFFs' });
    // A line that starts with a Unicode space is not a comment (GLib: not a key=value either).
    expect(() => parseKeyFile('[g]\n\u00a0# not a comment\n', FILE)).toThrow(/:2: .*not a key=value/);
  });
});
