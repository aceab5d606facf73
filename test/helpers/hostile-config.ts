// Hostile user text for the fuzz tests, written into config files the way a user would write it:
// labels and static field names as keys (verbatim: a key-file key has no escapes), descriptions, sensor ids
// and string values with GLib escapes (\\ \n \r \t) and quotes where the edges would be trimmed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

export interface HostileCase {
  /** Label of a line-crossing rule on stream 0 (the shipped sample's "straight" geometry). */
  lineLabel: string;
  /** Label of an ROI on stream 0. */
  roiLabel: string;
  /** [analytics0] description (analyticsModule.description). */
  description: string;
  /** [sensor0] id: stream 0's deviceId and message key. */
  sensorId: string;
  /** A [payload-static] field. */
  staticKey: string;
  staticValue: string | number | boolean;
}

/** The characters that break escaping, JSON, UTF-8 or the key-file format. */
const hostileUnit = fc.constantFrom(
  '"', '\\', '\u0000', '\u0001', '\b', '\f', '\t', '\v', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udc00',
  '\ud83d', '😀', '👩‍👩‍👧', 'é', 'e\u0301', '\uFEFF', '\u00a0', '\u3000', '\uFFFD', ' ', ';', '#', '[', ']', '{label}',
  'x', 'Entry', '__proto__', 'constructor', '1', '-',
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.oneof(hostileUnit, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }) },
  // Long enough to cross the 256-character limit of a field name.
  { weight: 1, arbitrary: fc.string({ unit: hostileUnit, minLength: 200, maxLength: 400 }) },
);

/** A key cannot hold a line break or "=" in any key file: such text cannot be typed as a key. */
const asKey = (s: string) => s.replace(/[\r\n=]/g, '_');

/**
 * Hostile cases. With `validKeys`, labels and the static name are made acceptable (control characters and
 * surrounding whitespace removed, at most 200 characters, never empty) so that every case reaches Kafka
 * while quotes, backslashes, U+2028, emoji and lone surrogates stay in.
 */
export function hostileCase(opts: { validKeys?: boolean } = {}): fc.Arbitrary<HostileCase> {
  const valid = (s: string) => (opts.validKeys ? s.replace(/[\x00-\x1f\x7f]/g, '').trim().slice(0, 200) || 'x' : s);
  return fc.record({
    lineLabel: hostileString.map((s) => valid(asKey(s))),
    roiLabel: hostileString.map((s) => valid(asKey(s))),
    description: hostileString,
    sensorId: hostileString,
    // A static name starts its line: leading whitespace, "#" (a comment) or "[" (a group) are not a name.
    staticKey: hostileString.map((s) => {
      const k = valid(asKey(s)).replace(/^[\s#[]+/, '');
      return opts.validKeys && k === '' ? 'x' : k;
    }),
    staticValue: fc.oneof(hostileString, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean()),
  });
}

/**
 * What a [payload-static] value written by writeHostileConfigs (strings quoted, numbers as JSON.stringify
 * writes them) reads back as: a lone surrogate becomes U+FFFD (the file is UTF-8); -0 is written "0"; an
 * integer beyond 2^53 stays an exact string (src/config/msgconv-config.ts typeStaticValue).
 */
export function staticAsRead(v: string | number | boolean): string | number | boolean {
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('utf8');
  if (typeof v === 'number') {
    const text = JSON.stringify(v);
    return /^-?\d+$/.test(text) && !Number.isSafeInteger(v) ? text : Number(text);
  }
  return v;
}

/** GLib trims these around keys and values (g_ascii_isspace; \v and Unicode spaces are not trimmed). */
const EDGE_SPACE = /^[ \t\n\f\r]|[ \t\n\f\r]$/;

/** A string as a key-file value that reads back as exactly that string (escapes; quotes when needed). */
export function encodeValue(s: string, quote: boolean): string {
  const esc = s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  const needsQuotes = EDGE_SPACE.test(esc) || (esc.length >= 2 && esc.startsWith('"') && esc.endsWith('"'));
  return quote || needsQuotes ? `"${esc}"` : esc;
}

export interface HostileFiles {
  analytics: string;
  msgconv: string;
  /** 1-based line of each hostile entry. */
  lines: { lineLabel: number; roiLabel: number; sensorId: number; staticKey: number };
  text: { analytics: string; msgconv: string };
}

/** Writes config_nvdsanalytics.txt and msgconv_config.txt for the case into dir (overwriting). */
export function writeHostileConfigs(dir: string, c: HostileCase, name = 'fuzz'): HostileFiles {
  const analytics = [
    '[property]',
    'enable=1',
    'config-width=1280',
    'config-height=720',
    '',
    '[line-crossing-stream-0]',
    'enable=1',
    'class-id=-1',
    'extended=0',
    'mode=loose',
    `line-crossing-${c.lineLabel}=640;600;640;300;200;450;1080;450`,
    '',
    '[roi-filtering-stream-0]',
    'enable=1',
    `roi-${c.roiLabel}=100;100;1180;100;1180;620;100;620`,
  ];
  const staticText = typeof c.staticValue === 'string' ? encodeValue(c.staticValue, true) : JSON.stringify(c.staticValue);
  const msgconv = [
    '[sensor0]',
    'enable=1',
    `id=${encodeValue(c.sensorId, false)}`,
    '',
    '[analytics0]',
    'enable=1',
    'id=XYZ',
    `description=${encodeValue(c.description, false)}`,
    'source=fuzz',
    'version=1.0',
    '',
    '[payload-static]',
    `${c.staticKey}=${staticText}`,
  ];
  const files = { analytics: join(dir, `${name}_nvdsanalytics.txt`), msgconv: join(dir, `${name}_msgconv.txt`) };
  const text = { analytics: analytics.join('\n') + '\n', msgconv: msgconv.join('\n') + '\n' };
  writeFileSync(files.analytics, text.analytics);
  writeFileSync(files.msgconv, text.msgconv);
  return {
    ...files,
    lines: { lineLabel: 11, roiLabel: 15, sensorId: 3, staticKey: 13 },
    text,
  };
}
