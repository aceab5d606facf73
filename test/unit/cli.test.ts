// The CLI's contract: every command and option is documented in --help and the README, and every invalid
// value gets one clear error line and exit code 2 (3 for inputs), before anything starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

function optionsOf(help: string): string[] {
  return [...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((o) => !['--help', '--version'].includes(o));
}

describe('documentation', () => {
  it('lists every command in --help and the README', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const commands = [...r.stdout.matchAll(/^\s+ds-kafka (\w+)/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['run', 'send', 'consume', 'config', 'sample', 'broker', 'capabilities']));
    for (const c of commands) expect(readme).toContain(`ds-kafka ${c}`);
  });

  for (const cmd of [['run'], ['send'], ['consume'], ['sample'], ['config', 'check']]) {
    it(`documents every option of "${cmd.join(' ')}" in the README`, async () => {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      const opts = optionsOf(r.stdout);
      expect(opts.length).toBeGreaterThan(0);
      for (const o of opts) expect(readme, `${o} of ${cmd.join(' ')}`).toContain(o);
    });
  }
});

describe('invalid values get one clear error line', () => {
  const base = ['run', '-i', sample.stream];
  const cases: Array<[string, string[], number, RegExp]> = [
    ['unknown option', [...base, '--frobnicate'], 2, /Unknown argument: frobnicate/],
    ['no input', ['run'], 2, /Missing required argument: input/],
    ['bad --backend', [...base, '--backend', 'gpu'], 2, /backend.*Invalid values|Invalid values[\s\S]*backend/],
    ['bad --producer', [...base, '--producer', 'java'], 2, /producer/],
    ['negative --frame-interval', [...base, '--frame-interval', '-1'], 2, /--frame-interval must be a whole number >= 0/],
    ['fractional --frame-interval', [...base, '--frame-interval', '2.5'], 2, /--frame-interval/],
    ['bad --send-on', [...base, '--send-on', 'always'], 2, /send-on/],
    ['zero --delivery-timeout', [...base, '--delivery-timeout', '0'], 2, /--delivery-timeout must be > 0/],
    ['too many --device-id', [...base, '--device-id', 'a', '--device-id', 'b'], 2, /2 --device-id values for 1 input/],
    ['kafkajs without --conn-str', [...base, '--producer', 'kafkajs'], 2, /--producer kafkajs needs --conn-str/],
    ['conn-str without topic', [...base, '--conn-str', 'localhost;9092'], 2, /topic/],
    ['conn-str with a bad port', [...base, '--conn-str', 'localhost;99999;t'], 2, /port/],
    ['missing analytics config', [...base, '--analytics-config', '/nope/config.txt'], 2, /\/nope\/config\.txt/],
    ['malformed analytics config', [...base, '--analytics-config', join(repoRoot, 'package.json')], 2, /package\.json:\d+/],
    ['missing kafka config', [...base, '--conn-str', 'h;1;t', '-c', '/nope/cfg_kafka.txt'], 2, /\/nope\/cfg_kafka\.txt/],
    ['missing input', ['run', '-i', '/nope/a.h264'], 3, /input not found: \/nope\/a\.h264/],
    ['empty input file', ['run', '-i', '/dev/null'], 3, /\/dev\/null/],
    ['--log-format', [...base, '--log-format', 'xml'], 2, /log-format/],
    ['config check on a missing file', ['config', 'check', '/nope.txt'], 3, /config file not found: \/nope\.txt/],
  ];
  for (const [name, args, code, pattern] of cases) {
    it(name, async () => {
      const r = await runCli(args, { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(code);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(pattern);
    });
  }
});
