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
    ['a file that is not video', ['run', '-i', join(repoRoot, 'README.md')], 3, /cannot decode .*README\.md: This appears to be a text file/],
    ['--log-format', [...base, '--log-format', 'xml'], 2, /log-format/],
    ['--stall-timeout', [...base, '--stall-timeout', '-1'], 2, /--stall-timeout must be a whole number of ms >= 0/],
    ['--reconnect-attempts', [...base, '--reconnect-attempts', '1.5'], 2, /--reconnect-attempts must be a whole number >= 0 \(0 = forever\)/],
    ['--spool-dir without --conn-str', [...base, '--spool-dir', '/tmp/x'], 2, /--spool-dir keeps messages for Kafka: give --conn-str/],
    ['--spool-dir with kafkajs', [...base, '--conn-str', 'h;1;t', '--producer', 'kafkajs', '--spool-dir', '/tmp/x'], 2, /--spool-dir works with the native producer/],
    ['zero --spool-max-mb', [...base, '--conn-str', 'h;1;t', '--spool-dir', '/tmp/x', '--spool-max-mb', '0'], 2, /--spool-max-mb \(spoolMaxMb\) must be > 0/],
    ['--resume-counts kafka without --conn-str', [...base, '--resume-counts', 'kafka'], 2, /--resume-counts kafka reads the counts back from the topic: give --conn-str/],
    ['zero --resume-timeout', [...base, '--resume-timeout', '0'], 2, /--resume-timeout \(resumeTimeoutMs\) must be > 0 ms/],
    ['--state-dir without a file mode', [...base, '--state-dir', '/tmp/x'], 2, /--state-dir needs --resume-counts file or fresh/],
    ['bad --resume-counts', [...base, '--resume-counts', 'always'], 2, /resume-counts/],
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

describe('ds-kafka config check', () => {
  const fx = (f: string) => join(repoRoot, 'test', 'fixtures', 'configs', f);

  it('explains the seed-style config: its rule in words and the fields it produces', async () => {
    const r = await runCli(['config', 'check', fx('config_nvdsanalytics_seed_style.txt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/line "straight"/);
    expect(r.stdout).toMatch(/lc_curr_straight/);
    expect(r.stdout).toMatch(/lc_cum_straight/);
  });

  it('explains the DeepStream-style sample per stream, with the converter config applied', async () => {
    const r = await runCli(['config', 'check', fx('config_nvdsanalytics_deepstream_sample.txt'), fx('msgconv_config.txt'), fx('cfg_kafka.txt')]);
    expect(r.code, r.stderr).toBe(0);
    for (const field of ['lc_curr_Exit', 'lc_cum_Exit', 'roi_RF', 'dir_South', 'dir_North', 'oc_OC']) expect(r.stdout).toContain(field);
    expect(r.stdout).toMatch(/stream 0/i);
    expect(r.stdout).toMatch(/stream 1/i);
    expect(r.stdout).toMatch(/message key = value of "deviceId"/);
  });

  it('exits 2 on a malformed file with file:line, group and key', async () => {
    const bad = join(repoRoot, 'test', 'fixtures', 'configs', 'config_nvdsanalytics_seed_style.txt');
    const { mkdtempSync, writeFileSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dsk-cfg-')), 'broken.txt');
    writeFileSync(file, read(bad, 'utf8').replace('line-crossing-straight=640;600;640;300;200;450;1080;450', 'line-crossing-straight=640;600;640;300;200;450;1080'));
    const r = await runCli(['config', 'check', file]);
    expect(r.code).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/broken\.txt:\d+: \[line-crossing-stream-0\] line-crossing-straight: expected 8 values/);
  });
});
