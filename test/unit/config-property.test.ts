import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError } from '../../src/config/errors.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { parseKafkaConfig, parseConnStr } from '../../src/config/kafka-config.js';
import { parseMsgconvConfig } from '../../src/config/msgconv-config.js';

/** Runs fn; a thrown non-ConfigError fails the property. */
function onlyConfigErrors(fn: () => void): boolean {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  return true;
}

// Text that looks like a config: known group names and keys, numbers, separators, junk.
const token = fc.oneof(
  fc.constantFrom(
    '[property]',
    '[line-crossing-stream-0]',
    '[line-crossing-stream-1]',
    '[roi-filtering-stream-0]',
    '[overcrowding-stream-2]',
    '[direction-detection-stream-0]',
    '[line-crossing-stream-x]',
    '[',
    ']',
    'enable=1',
    'enable=0',
    'config-width=',
    'config-height=',
    'line-crossing-',
    'roi-',
    'direction-',
    'class-id=',
    'mode=',
    'extended=',
    'inverse-roi=',
    'object-threshold=',
    'osd-mode=',
    '=',
    ';',
    '-1',
    '"',
    '\\',
    '#',
    ' ',
    '\n',
    '\r\n',
    '__proto__',
    'constructor',
  ),
  fc.integer({ min: -5, max: 3000 }).map(String),
  fc.string({ maxLength: 6 }),
);
const configish = fc.array(token, { maxLength: 80 }).map((t) => t.join(''));

describe('parsers never throw anything but ConfigError', () => {
  it('parseAnalyticsConfig on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => onlyConfigErrors(() => parseAnalyticsConfig(text, 'f.txt'))),
      { numRuns: 500 },
    );
  });

  it('parseAnalyticsConfig (+ mapping) on config-like text', () => {
    fc.assert(
      fc.property(configish, (text) =>
        onlyConfigErrors(() => {
          const r = parseAnalyticsConfig(text, 'f.txt');
          expect(r.config.configWidth).toBeGreaterThan(0);
          for (const s of r.config.streams) {
            for (const l of s.lines) expect([...l.arrow, ...l.line].flat().every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
          }
          buildPayloadMapping(r.config, undefined, [0, 1, 2]);
        }),
      ),
      { numRuns: 2000 },
    );
  });

  it('kafka and msgconv parsers, and parseConnStr', () => {
    fc.assert(
      fc.property(configish, fc.string({ maxLength: 40 }), (text, s) =>
        onlyConfigErrors(() => {
          onlyConfigErrors(() => parseKafkaConfig(text.replace(/\[[^\]\n]*\]/, '[message-broker]'), 'k.txt'));
          onlyConfigErrors(() => parseMsgconvConfig(text.replace(/\[[^\]\n]*\]/, '[payload-static]'), 'm.txt'));
          onlyConfigErrors(() => parseConnStr(s));
        }),
      ),
      { numRuns: 500 },
    );
  });
});
