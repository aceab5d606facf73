// The motion detector's keys for its three real-world fixes (config/detector_motion.txt): shadow handling
// (detect-shadows, shadow-texture-tolerance), the selective background update (selective-update,
// hold-margin, hold-ms) and exposure handling (gain-compensation, relearn-fraction, relearn-frames).
// The shipped file must load, and every bad value is an error naming file, line and key.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { loadAddon, packageRoot } from '../../src/native/addon.js';
import '../../src/native/pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'dsk-motion-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shipped = join(packageRoot, 'config', 'detector_motion.txt');
const NEW_KEYS = ['shadow-texture-tolerance', 'selective-update', 'hold-margin', 'hold-ms', 'gain-compensation', 'relearn-fraction', 'relearn-frames'];

function file(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `[property]\nalgorithm=mog2\n${body}\n`);
  return p;
}

describe('motion detector config: the new keys', () => {
  it('the shipped file documents and sets every new key, with the safe defaults', () => {
    const text = readFileSync(shipped, 'utf8');
    const values = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[a-z0-9-]+=/.test(l))
        .map((l) => l.split('=') as [string, string]),
    );
    expect(values).toMatchObject({
      'detect-shadows': '0',
      'shadow-texture-tolerance': '0.06',
      'selective-update': '1',
      'hold-margin': '2',
      'hold-ms': '10000',
      'gain-compensation': '1',
      'relearn-fraction': '0.1',
      'relearn-frames': '3',
    });
    // Each new key is explained by a comment right above it.
    for (const key of NEW_KEYS) expect(text).toMatch(new RegExp(`#[^\\n]*\\n${key}=`));
    expect(() => loadAddon().cpuDetectorConfig(shipped)).not.toThrow();
  });

  it('accepts every new key in range', () => {
    const p = file(
      'ok.txt',
      'detect-shadows=1\nshadow-texture-tolerance=0\nselective-update=0\nhold-margin=0\nhold-ms=0\ngain-compensation=0\nrelearn-fraction=0\nrelearn-frames=0',
    );
    expect(() => loadAddon().cpuDetectorConfig(p)).not.toThrow();
  });

  const bad: Array<[string, string]> = [
    ['shadow-texture-tolerance', '-0.1'],
    ['selective-update', 'maybe'],
    ['hold-margin', '-1'],
    ['hold-ms', '1.5'],
    ['gain-compensation', '2'],
    ['relearn-fraction', '1.5'],
    ['relearn-frames', 'x'],
  ];
  for (const [key, value] of bad) {
    it(`rejects ${key}=${value} naming file, line and key`, () => {
      const p = file(`bad-${key}.txt`, `history=300\n${key}=${value}`);
      expect(() => loadAddon().cpuDetectorConfig(p)).toThrow(`${p}:4: key '${key}' in [property]`);
    });
  }

  it('takes the keys as JS overrides too', () => {
    expect(() => loadAddon().cpuDetectorConfig({ 'hold-ms': 5000, 'gain-compensation': false })).not.toThrow();
    expect(() => loadAddon().cpuDetectorConfig({ 'hold-ms': -1 })).toThrow(/hold-ms/);
  });
});
