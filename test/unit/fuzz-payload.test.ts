// Fuzzing the payload from config file to JSON: hostile line-crossing and ROI labels, analyticsModule
// description, sensor id and [payload-static] keys/values (quotes, backslashes, control characters,
// U+2028, lone surrogates, non-ASCII, emoji, very long) are written into real config files as a user would
// write them, loaded, mapped and built by BOTH payload builders (native/core/payload via
// src/native/payload.ts, and src/payload/build.ts). The outcome is either a ConfigError that points at the
// line holding the hostile text, or byte-identical payloads that JSON.parse accepts and whose fields are
// exactly the values given.
//
// What the key-file format itself decides (not our choice, GLib's): a key cannot hold "\r", "\n" or "=",
// a line starting with "#" is a comment and with "[" a group header, trailing ASCII whitespace of a key is
// dropped; a file is UTF-8, so a lone surrogate written to it reads back as U+FFFD. The generators respect
// the first (such text cannot be typed as a key) and the oracle models the rest.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAnalyticsConfig } from '../../src/config/analytics-config.js';
import { ConfigError } from '../../src/config/errors.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { loadMsgconvConfig, type StaticValue } from '../../src/config/msgconv-config.js';
import { buildPayloadNative, extractKeyNative } from '../../src/native/payload.js';
import { buildPayload, extractKey, type FrameAnalyticsRecord } from '../../src/payload/build.js';
import { hostileCase, staticAsRead, writeHostileConfigs, type HostileCase, type HostileFiles } from '../helpers/hostile-config.js';

// Fixed by default (reproducible); FUZZ_SEED=<n> replays a run, FUZZ_SEED=random explores new inputs.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261213);
console.log(`fuzz-payload: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-fuzz-payload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What reading the written UTF-8 file gives back for a JS string (lone surrogates become U+FFFD). */
const asRead = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
/** GLib drops trailing whitespace of a key (g_ascii_isspace: space, \t, \n, \f, \r; not \v, not Unicode spaces). */
const keyAsRead = (k: string) => asRead(k).replace(/[ \t\n\f\r]+$/, '');
const hasControl = (s: string) => /[\x00-\x1f\x7f]/.test(s);
const FIELD_NAME_MAX = 256;

type Outcome = { kind: 'error'; line: number; file: string } | { kind: 'payload' };

/**
 * The outcome the case must have, in the order the checks run. Per file, the key-file syntax first (a key
 * must not be empty or hold a control character), then the meaning (a label must not be empty; a sensor id
 * not blank; a static name a valid, unreserved field name); the analytics file before the converter file;
 * then the fields are named (at most 256 characters; no static name equal to a counted one).
 */
function expectedOutcome(c: HostileCase, files: HostileFiles): Outcome {
  const at = (file: string, line: number): Outcome => ({ kind: 'error', file, line });
  const label = keyAsRead(c.lineLabel);
  const roi = keyAsRead(c.roiLabel);
  const key = keyAsRead(c.staticKey);
  if (hasControl(label)) return at(files.analytics, files.lines.lineLabel);
  if (hasControl(roi)) return at(files.analytics, files.lines.roiLabel);
  if (label === '') return at(files.analytics, files.lines.lineLabel);
  if (roi === '') return at(files.analytics, files.lines.roiLabel);
  if (key === '' || hasControl(key)) return at(files.msgconv, files.lines.staticKey);
  if (asRead(c.sensorId).trim() === '') return at(files.msgconv, files.lines.sensorId);
  // A field name: no surrounding (Unicode) whitespace, at most 256 characters, not a fixed field.
  const badName = (n: string) => n.trim() !== n || n.length > FIELD_NAME_MAX;
  if (badName(key) || ['id', 'description', 'source', 'version', '__proto__'].includes(key)) return at(files.msgconv, files.lines.staticKey);
  // Counted fields in order; a bad name, or one equal to the static name, is reported at its rule's line.
  const counted: Array<[string, number]> = [
    [`lc_curr_${label}`, files.lines.lineLabel],
    [`lc_cum_${label}`, files.lines.lineLabel],
    [`roi_${roi}`, files.lines.roiLabel],
  ];
  for (const [name, line] of counted) if (badName(name) || name === key) return at(files.analytics, line);
  return { kind: 'payload' };
}

/** The case with every non-ASCII character escaped (failure messages stay readable). */
const show = (c: HostileCase) => JSON.stringify(c).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

function check(c: HostileCase): 'error' | 'payload' {
  const files = writeHostileConfigs(dir, c);
  const want = expectedOutcome(c, files);
  let payloads: { native: string; ts: string; deviceId: string };
  try {
    const analytics = loadAnalyticsConfig(files.analytics);
    const msgconv = loadMsgconvConfig(files.msgconv).config;
    // As the pipeline resolves its options: the rules' origins let a field-name error name the rule's line.
    const mapping = buildPayloadMapping(analytics.config, msgconv, [0], { origins: analytics.origins });
    const deviceId = mapping.streams[0]!.deviceId!;
    const label = keyAsRead(c.lineLabel);
    const roi = keyAsRead(c.roiLabel);
    const frame: FrameAnalyticsRecord = {
      streamId: 0,
      frameNum: 41,
      ptsMs: 1366,
      objLCCurrCnt: { [label]: 1 },
      objLCCumCnt: { [label]: 7 },
      objInROIcnt: { [roi]: 2 },
      ocStatus: {},
      objCnt: {},
    };
    const ctx = { messageId: randomUUID(), timestamp: '2026-11-30T17:00:00.000Z', deviceId };
    payloads = { native: buildPayloadNative(mapping, frame, ctx), ts: buildPayload(mapping, frame, ctx), deviceId };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    expect(want.kind, `unexpected ConfigError: ${e.message.slice(0, 300)} for ${show(c)}`).toBe('error');
    if (want.kind !== 'error') return 'error';
    // The error points at the file and line that hold the hostile text.
    expect({ file: e.file, line: e.line }, `${e.message.slice(0, 300)} for ${show(c)}`).toEqual({ file: want.file, line: want.line });
    return 'error';
  }
  expect(want.kind, `expected a ConfigError for ${show(c)}`).toBe('payload');
  const { native, ts, deviceId } = payloads;
  expect(native).toBe(ts);
  const msg = JSON.parse(native) as { deviceId: string; analyticsModule: Record<string, StaticValue> };
  const am = msg.analyticsModule;
  const label = keyAsRead(c.lineLabel);
  expect(am[`lc_curr_${label}`]).toBe(1);
  expect(am[`lc_cum_${label}`]).toBe(7);
  expect(am[`roi_${keyAsRead(c.roiLabel)}`]).toBe(2);
  expect(am.description).toBe(asRead(c.description));
  expect(msg.deviceId).toBe(asRead(c.sensorId));
  expect(deviceId).toBe(asRead(c.sensorId));
  expect(am[keyAsRead(c.staticKey)]).toBe(staticAsRead(c.staticValue));
  // Exactly the fields asked for: 4 fixed, 3 counted, 1 static.
  expect(Object.keys(am)).toHaveLength(8);
  // The partition key (deviceId) is read back the same way on both sides.
  expect(extractKeyNative(native, 'deviceId')).toBe(extractKey(msg, 'deviceId'));
  return 'payload';
}

describe('payload fuzz: hostile labels, description, sensor id and static fields', () => {
  it('yield a ConfigError at the hostile line, or identical native/TS payloads that round-trip', () => {
    const seen = { error: 0, payload: 0 };
    fc.assert(
      // Half the cases with labels a user could mean (no control characters), so both outcomes get many runs.
      fc.property(fc.oneof(hostileCase(), hostileCase({ validKeys: true })), (c) => {
        seen[check(c)]++;
      }),
      { numRuns: 2000, seed: SEED },
    );
    console.log(`fuzz-payload: ${seen.payload} payloads built and read back, ${seen.error} located ConfigErrors`);
    // Both outcomes are exercised (a generator that only makes errors would prove nothing).
    expect(seen.payload).toBeGreaterThan(seen.error / 2);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('very long values: a 100 kB description, static value and sensor id go through; a 100 kB label is a located error', () => {
    const long = 'ab"\\\u2028😀\u0000'.repeat(100_000 / 8);
    const ok: HostileCase = { lineLabel: 'straight', roiLabel: 'Zone', description: long, sensorId: long, staticKey: 'note', staticValue: long };
    expect(check(ok)).toBe('payload');
    const files = writeHostileConfigs(dir, { ...ok, lineLabel: 'L'.repeat(100_000) });
    try {
      const analytics = loadAnalyticsConfig(files.analytics);
      buildPayloadMapping(analytics.config, loadMsgconvConfig(files.msgconv).config, [0], { origins: analytics.origins });
      expect.unreachable('a 100 kB label is not a field name');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).file).toBe(files.analytics);
      expect((e as ConfigError).line).toBe(files.lines.lineLabel);
    }
  });

  it('the written files are the ones a user would write (spot check of one hostile case)', () => {
    const files = writeHostileConfigs(dir, { lineLabel: 'a"b\\c', roiLabel: 'zone 1', description: ' x\n"y"\t', sensorId: 'cam\u20281', staticKey: 'k😀', staticValue: '12' });
    expect(check({ lineLabel: 'a"b\\c', roiLabel: 'zone 1', description: ' x\n"y"\t', sensorId: 'cam\u20281', staticKey: 'k😀', staticValue: '12' })).toBe('payload');
    expect(files.text.analytics).toContain('line-crossing-a"b\\c=');
    expect(files.text.msgconv).toContain('description=" x\\n"y"\\t"');
    expect(files.text.msgconv).toContain('k😀="12"');
  });
});
