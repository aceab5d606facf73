import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import {
  findEntry,
  findGroup,
  getBool,
  getInt,
  getIntList,
  getList,
  getString,
  parseKeyFile,
} from '../../src/config/keyfile.js';

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function entry(text: string, group: string, key: string) {
  const { keyFile } = parseKeyFile(text, 'k.txt');
  const e = findEntry(findGroup(keyFile, group)!, key);
  expect(e).toBeDefined();
  return e!;
}

describe('GLib key-file parser', () => {
  it('reads groups, keys, comments and blank lines with line numbers', () => {
    const text = '\uFEFF# comment\n\n  [a]  \n x = 1 \r\n  # indented comment\ny=hello world  \n[b]\nz=\n';
    const { keyFile, warnings } = parseKeyFile(text, 'k.txt');
    expect(warnings).toEqual([]);
    expect(keyFile.groups.map((g) => [g.name, g.line])).toEqual([
      ['a', 3],
      ['b', 7],
    ]);
    const a = keyFile.groups[0]!;
    expect(a.entries.map((e) => [e.key, e.raw, e.line])).toEqual([
      ['x', '1', 4],
      ['y', 'hello world', 6],
    ]);
    expect(findEntry(keyFile.groups[1]!, 'z')!.raw).toBe('');
  });

  it('strips one pair of surrounding quotes and remembers it', () => {
    const e = entry('[g]\ndescription="Vehicle Detection and License Plate Recognition"\n', 'g', 'description');
    expect(getString(e)).toBe('Vehicle Detection and License Plate Recognition');
    expect(e.quoted).toBe(true);
    const plain = entry('[g]\nk=a "b" c\n', 'g', 'k');
    expect(getString(plain)).toBe('a "b" c');
    expect(plain.quoted).toBe(false);
  });

  it('resolves GLib escapes', () => {
    expect(getString(entry('[g]\nk=\\sa\\tb\\nc\\\\d\n', 'g', 'k'))).toBe(' a\tb\nc\\d');
    expect(getList(entry('[g]\nk=a\\;b;c\n', 'g', 'k'))).toEqual(['a;b', 'c']);
    const bad = catchError(() => getString(entry('[g]\nk=a\\qb\n', 'g', 'k')));
    expect(bad.line).toBe(2);
    expect(bad.key).toBe('k');
    expect(bad.message).toMatch(/invalid escape sequence "\\q"/);
    expect(catchError(() => getString(entry('[g]\nk=ab\\\n', 'g', 'k'))).message).toMatch(/ends with an escape/);
  });

  it('splits lists on ";" with an optional trailing ";"', () => {
    expect(getList(entry('[g]\nk=1;2;3;\n', 'g', 'k'))).toEqual(['1', '2', '3']);
    expect(getList(entry('[g]\nk=1;2;3\n', 'g', 'k'))).toEqual(['1', '2', '3']);
    expect(getList(entry('[g]\nk=\n', 'g', 'k'))).toEqual([]);
    expect(getList(entry('[g]\nk=1;;2\n', 'g', 'k'))).toEqual(['1', '', '2']);
    expect(getIntList(entry('[g]\nk=1; 2 ;+3;-4\n', 'g', 'k'))).toEqual([1, 2, 3, -4]);
  });

  it('parses GLib booleans and integers strictly', () => {
    for (const [v, b] of [
      ['1', true],
      ['true', true],
      ['0', false],
      ['false', false],
    ] as const) {
      expect(getBool(entry(`[g]\nk=${v}\n`, 'g', 'k'))).toBe(b);
    }
    const e = catchError(() => getBool(entry('[g]\nk=yes\n', 'g', 'k')));
    expect(e.message).toBe('k.txt:2: [g] k: expected a boolean (1, 0, true or false), got "yes"');
    expect(getInt(entry('[g]\nk= 42 \n', 'g', 'k'))).toBe(42);
    expect(catchError(() => getInt(entry('[g]\nk=4.5\n', 'g', 'k'))).message).toMatch(/expected an integer, got "4.5"/);
    expect(catchError(() => getInt(entry('[g]\nk=99999999999\n', 'g', 'k'))).message).toMatch(/expected an integer/);
    expect(catchError(() => getInt(entry('[g]\nk=5\n', 'g', 'k'), { min: 0, max: 2 })).message).toMatch(
      /must be between 0 and 2, got 5/,
    );
  });

  it('warns on a repeated key (last wins) and merges a repeated group', () => {
    const { keyFile, warnings } = parseKeyFile('[g]\na=1\nb=2\na=3\n[h]\n[g]\nc=4\n', 'k.txt');
    const g = findGroup(keyFile, 'g')!;
    expect(g.entries.map((e) => [e.key, e.raw, e.line])).toEqual([
      ['a', '3', 4],
      ['b', '2', 3],
      ['c', '4', 7],
    ]);
    expect(warnings.map((w) => [w.code, w.line, w.group, w.key])).toEqual([
      ['duplicate-key', 4, 'g', 'a'],
      ['duplicate-group', 6, 'g', undefined],
    ]);
  });

  it('rejects what GLib rejects, naming the line', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['k=1\n', 1, /comes before any \[group\]/],
      ['[g]\n; note\n', 2, /only "#" starts a comment/],
      ['[g]\njust text\n', 2, /not a key=value pair/],
      ['[g\n', 1, /closing "\]"/],
      ['[]\n', 1, /invalid group name/],
      ['[g] x\n', 1, /unexpected text after the group header/],
      ['[g]\n=1\n', 2, /empty key/],
    ];
    for (const [text, line, re] of cases) {
      const e = catchError(() => parseKeyFile(text, 'k.txt'));
      expect(e.file).toBe('k.txt');
      expect(e.line).toBe(line);
      expect(e.message).toMatch(re);
    }
  });
});
