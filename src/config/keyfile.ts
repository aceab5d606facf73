// A GLib key-file parser (the format of every DeepStream `.txt` config), with line numbers.
//
// Follows GLib's GKeyFile as DeepStream uses it (list separator `;`):
// - `[group]` headers; whitespace after `]` is accepted; an empty name or `[`/`]` inside is an error.
// - `key=value`; whitespace (ASCII only, as g_ascii_isspace) around the key and after `=` is dropped (trailing whitespace of the value is
//   dropped too); the value keeps its inner spaces. Keys may contain anything but `=`.
// - Comment lines start with `#` (after optional whitespace). `;` does NOT start a comment in GLib: a line
//   like `; note` is an error, as it is for g_key_file_load_from_file.
// - Blank lines are ignored; `\r\n` line ends and a UTF-8 BOM are accepted.
// - A key before the first group is an error ("Key file does not start with a group").
// - A group that appears twice is merged into the first (as GLib does), with a warning.
// - A key repeated in a group: the last value wins (as g_key_file_get_* returns it), with a warning; the key
//   keeps the position of its first occurrence.
// - Escapes, as g_key_file_get_string: `\s` space, `\n`, `\t`, `\r`, `\\`; in lists also `\;` (a literal `;`
//   inside an element). Any other escape, or a `\` at the end, is an error. We also accept `\;` in plain
//   strings (GLib rejects it there) since it can only mean a semicolon.
// - Lists split on unescaped `;`; a trailing `;` is allowed (`1;2;` = `1;2`), an empty value is an empty
//   list, and an empty element in the middle (`1;;2`) stays an empty element (and fails a number parse).
// - Booleans: exactly `true`, `false`, `1`, `0` (GLib is case-sensitive). Integers: optional sign and decimal
//   digits, 32-bit range (GLib uses strtol; surrounding whitespace is tolerated).
//
// One deliberate difference ("like GLib, minus the literal surrounding quotes"): a value wrapped in one
// pair of double quotes has them stripped when read (`description="Vehicle Detection"` reads as
// `Vehicle Detection`, not `"Vehicle Detection"`). The entry remembers that it was quoted (`quoted`), so
// callers that type values (payload-static) can keep quoted values as strings.

import { readFileSync } from 'node:fs';
import { ConfigError, makeWarning, type ConfigLocation, type ConfigWarning } from './errors.js';

export interface KeyFileEntry {
  file: string;
  group: string;
  key: string;
  /** The value as written after `=`, trimmed, with one pair of surrounding double quotes removed. */
  raw: string;
  /** True when the written value was wrapped in double quotes (which were removed from `raw`). */
  quoted: boolean;
  /** 1-based line of the (last) occurrence. */
  line: number;
}

export interface KeyFileGroup {
  file: string;
  name: string;
  /** 1-based line of the first `[name]` header. */
  line: number;
  /** In order of first appearance; a repeated key holds its last value. */
  entries: KeyFileEntry[];
}

export interface KeyFile {
  file: string;
  /** In order of first appearance. */
  groups: KeyFileGroup[];
}

export interface KeyFileParseResult {
  keyFile: KeyFile;
  warnings: ConfigWarning[];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function entryLocation(e: KeyFileEntry): ConfigLocation {
  return { file: e.file, line: e.line, group: e.group, key: e.key };
}

export function groupLocation(g: KeyFileGroup): ConfigLocation {
  return { file: g.file, line: g.line, group: g.name };
}

function entryError(e: KeyFileEntry, detail: string): ConfigError {
  return new ConfigError(detail, entryLocation(e));
}

/** Removes one pair of surrounding double quotes, if the whole value is wrapped in them. */
export function stripSurroundingQuotes(value: string): { value: string; quoted: boolean } {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return { value: value.slice(1, -1), quoted: true };
  }
  return { value, quoted: false };
}

/**
 * Trims what GLib trims around lines, keys and values (g_ascii_isspace: space, \t, \n, \f, \r), not
 * String.prototype.trim's Unicode spaces: a label or description ending in U+00A0, U+2028 or U+3000
 * keeps it, as DeepStream would (found by test/unit/fuzz-config-parsers.test.ts).
 */
export function asciiTrim(s: string): string {
  return s.replace(/^[ \t\n\f\r]+|[ \t\n\f\r]+$/g, '');
}

/** Parses the text of a key file. Throws ConfigError on a syntax error. */
export function parseKeyFile(text: string, fileName: string): KeyFileParseResult {
  const warnings: ConfigWarning[] = [];
  const groups: KeyFileGroup[] = [];
  const byName = new Map<string, KeyFileGroup>();
  let current: KeyFileGroup | undefined;

  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i] ?? '';
    const trimmed = asciiTrim(line);
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    if (trimmed.startsWith('[')) {
      const close = trimmed.indexOf(']');
      if (close < 0) {
        throw new ConfigError(`group header without a closing "]": ${trimmed}`, { file: fileName, line: lineNo });
      }
      const rest = asciiTrim(trimmed.slice(close + 1));
      if (rest !== '') {
        throw new ConfigError(`unexpected text after the group header: ${rest}`, { file: fileName, line: lineNo });
      }
      const name = trimmed.slice(1, close);
      if (name === '' || name.includes('[') || /[\x00-\x1f\x7f]/.test(name)) {
        throw new ConfigError(`invalid group name "[${name}]"`, { file: fileName, line: lineNo });
      }
      const existing = byName.get(name);
      if (existing) {
        warnings.push(
          makeWarning(
            'duplicate-group',
            `group appears again (first at line ${existing.line}); its keys are merged into the first, as GLib does`,
            { file: fileName, line: lineNo, group: name },
          ),
        );
        current = existing;
      } else {
        current = { file: fileName, name, line: lineNo, entries: [] };
        groups.push(current);
        byName.set(name, current);
      }
      continue;
    }

    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      const hint = trimmed.startsWith(';') ? ' (only "#" starts a comment in a GLib key file)' : '';
      throw new ConfigError(`line is not a key=value pair, a [group] or a # comment: ${trimmed}${hint}`, {
        file: fileName,
        line: lineNo,
      });
    }
    const key = asciiTrim(trimmed.slice(0, eq));
    if (!current) {
      throw new ConfigError(`key "${key}" comes before any [group] header`, { file: fileName, line: lineNo });
    }
    if (key === '') {
      throw new ConfigError(`empty key before "="`, { file: fileName, line: lineNo, group: current.name });
    }
    if (/[\x00-\x1f\x7f]/.test(key)) {
      throw new ConfigError(`key contains a control character`, { file: fileName, line: lineNo, group: current.name });
    }
    const { value, quoted } = stripSurroundingQuotes(asciiTrim(trimmed.slice(eq + 1)));
    const entry: KeyFileEntry = { file: fileName, group: current.name, key, raw: value, quoted, line: lineNo };
    const prev = current.entries.findIndex((e) => e.key === key);
    if (prev >= 0) {
      const old = current.entries[prev]!;
      warnings.push(
        makeWarning('duplicate-key', `key repeated (also at line ${old.line}); the last value wins`, entryLocation(entry)),
      );
      current.entries[prev] = entry;
    } else {
      current.entries.push(entry);
    }
  }
  return { keyFile: { file: fileName, groups }, warnings };
}

/** Looks a group up by name. */
export function findGroup(kf: KeyFile, name: string): KeyFileGroup | undefined {
  return kf.groups.find((g) => g.name === name);
}

/** Looks an entry up by key. */
export function findEntry(g: KeyFileGroup, key: string): KeyFileEntry | undefined {
  return g.entries.find((e) => e.key === key);
}

/** Unescapes one piece of a value (GLib escapes; `\;` is accepted everywhere). */
function unescape(e: KeyFileEntry, s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[i + 1];
    i++;
    switch (n) {
      case 's':
        out += ' ';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
        out += '\\';
        break;
      case ';':
        out += ';';
        break;
      case undefined:
        throw entryError(e, 'value ends with an escape character "\\"');
      default:
        throw entryError(e, `invalid escape sequence "\\${n}" (GLib knows \\s \\n \\t \\r \\\\ and \\; in lists)`);
    }
  }
  return out;
}

/** The value as a string (escapes resolved, surrounding quotes already removed). */
export function getString(e: KeyFileEntry): string {
  return unescape(e, e.raw);
}

/** The value as a `;` list (escapes resolved per element; a trailing `;` allowed). */
export function getList(e: KeyFileEntry): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (let i = 0; i < e.raw.length; i++) {
    const c = e.raw[i]!;
    if (c === '\\') {
      cur += c + (e.raw[i + 1] ?? '');
      i++;
    } else if (c === ';') {
      pieces.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur !== '') pieces.push(cur);
  return pieces.map((p) => unescape(e, p));
}

/** Parses a GLib integer (decimal, optional sign, 32-bit). Returns undefined when it is not one. */
export function parseGlibInt(s: string): number | undefined {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < INT32_MIN || n > INT32_MAX) return undefined;
  return n === 0 ? 0 : n; // no -0
}

export function getInt(e: KeyFileEntry, opts: { min?: number; max?: number } = {}): number {
  const s = getString(e);
  const n = parseGlibInt(s);
  if (n === undefined) {
    const hint = /^[+-]?\d*\.\d+$/.test(s.trim()) ? ' (DeepStream reads integers only)' : '';
    throw entryError(e, `expected an integer, got "${s}"${hint}`);
  }
  if (opts.min !== undefined && n < opts.min) {
    throw entryError(e, `must be ${opts.max !== undefined ? `between ${opts.min} and ${opts.max}` : `at least ${opts.min}`}, got ${n}`);
  }
  if (opts.max !== undefined && n > opts.max) {
    throw entryError(e, `must be ${opts.min !== undefined ? `between ${opts.min} and ${opts.max}` : `at most ${opts.max}`}, got ${n}`);
  }
  return n;
}

export function getBool(e: KeyFileEntry): boolean {
  const s = getString(e).trim();
  if (s === '1' || s === 'true') return true;
  if (s === '0' || s === 'false') return false;
  throw entryError(e, `expected a boolean (1, 0, true or false), got "${s}"`);
}

/** The value as a `;` list of integers. `what` names an element in errors ("coordinate", "class id"). */
export function getIntList(e: KeyFileEntry, what = 'value'): number[] {
  return getList(e).map((p, i) => {
    const n = parseGlibInt(p);
    if (n === undefined) {
      const shown = p.trim() === '' ? 'an empty element' : `"${p.trim()}"`;
      const hint = /^[+-]?\d*\.\d+$/.test(p.trim()) ? ' (DeepStream reads integers only)' : '';
      throw entryError(e, `${what} ${i + 1} is not an integer: ${shown}${hint}`);
    }
    return n;
  });
}

/** Reads a config file (synchronously: done once at start-up); a failure is a ConfigError naming the path. */
export function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the ${what}: ${(err as Error).message}`, { file: path });
  }
}
