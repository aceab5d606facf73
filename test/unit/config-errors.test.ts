// User config mistakes are config errors (exit 2, file:line), never "a bug" (exit 1) and never silently
// ignored: librdkafka properties, detector/tracker files `config check` must recognise, -c without
// --conn-str, --device-id without a value, very long values, streams without rules, huge static integers.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectConfigKind, PROPERTY_KEYS } from '../../src/config/explain.js';
import { parseMsgconvConfig } from '../../src/config/msgconv-config.js';
import { loadAddon } from '../../src/native/addon.js';
import { resolvePipelineOptions } from '../../src/pipeline/options.js';
import { cliPath, repoRoot, runCli } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';

const tmp = mkdtempSync(join(tmpdir(), 'dsk-cfgerr-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));
const motion = ['--detector', 'motion'];

describe('config errors exit 2 with file:line', () => {
  it('run and send: an unknown or invalid librdkafka property in proto-cfg; config check refuses the same file', async () => {
    const unknown = file('unknown.txt', '[message-broker]\nproto-cfg="no.such.property=1"\n');
    const invalid = file('invalid.txt', '[message-broker]\n# a comment\nproto-cfg="linger.ms=abc"\n');
    for (const [args, pattern] of [
      [['run', '-i', sample.stream, ...motion, '--conn-str', 'localhost;1;t', '-c', unknown], /unknown\.txt:2: .*no\.such\.property=1: No such configuration property/],
      [['send', '--conn-str', 'localhost;1;t', '-c', invalid], /invalid\.txt:3: .*linger\.ms=abc: Invalid value/],
      [['config', 'check', invalid], /invalid\.txt:3: .*linger\.ms=abc/],
      [['config', 'check', unknown], /unknown\.txt:2: .*no\.such\.property/],
    ] as Array<[string[], RegExp]>) {
      const r = await runCli(args, { timeoutMs: 30_000 });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(errorLines(r.stderr)).toHaveLength(1);
      expect(errorLines(r.stderr)[0]).toMatch(pattern);
    }
  });

  it('bootstrap.servers in proto-cfg is refused, saying to use --conn-str', async () => {
    const f = file('bootstrap.txt', '[message-broker]\nproto-cfg="bootstrap.servers=elsewhere:9092"\n');
    const r = await runCli(['run', '-i', sample.stream, ...motion, '--conn-str', 'localhost;1;t', '-c', f], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/bootstrap\.txt:2: .*bootstrap\.servers cannot be set here.*--conn-str/);
  });

  it('run: --producer kafkajs refuses a property kafkajs cannot honour, naming the key and file:line', async () => {
    const f = file('kafkajs.txt', '[message-broker]\nproto-cfg="client.id=cam"\nsecurity.protocol=SASL_SSL\nsasl.mechanisms=GSSAPI\n');
    const r = await runCli(['run', '-i', sample.stream, ...motion, '--producer', 'kafkajs', '--conn-str', 'localhost;1;t', '-c', f], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/kafkajs\.txt:4: \[message-broker\] sasl\.mechanisms: sasl\.mechanisms=GSSAPI: kafkajs supports PLAIN/);
  });

  it('a bad --tracker-config fails before the run, with file:line; config check sends detector and tracker files to their parsers', async () => {
    const tracker = file('tracker.txt', '[property]\nmin-hits=3\nmax-age-msec=500\n');
    const run = await runCli(['run', '-i', sample.stream, ...motion, '--tracker-config', tracker], { timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(errorLines(run.stderr)[0]).toMatch(/tracker\.txt:3: key 'max-age-msec'/);

    const motionCfg = file('motion.txt', '[property]\nalgorithm=mog2\nhold-ms=abc\n');
    const badValue = file('tracker2.txt', '[property]\ncoast-ms=abc\n');
    const nothingKnown = file('nothing.txt', '[property]\nmin-hitz=3\n');
    for (const [f, pattern] of [
      [tracker, /tracker\.txt:3: key 'max-age-msec' in \[property\]: unknown key/],
      [motionCfg, /motion\.txt:3: key 'hold-ms'/],
      [badValue, /tracker2\.txt:2: key 'coast-ms'/],
      [nothingKnown, /nothing\.txt: not a config ds-kafka reads/],
    ] as Array<[string, RegExp]>) {
      const r = await runCli(['config', 'check', f]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(errorLines(r.stderr)[0]).toMatch(pattern);
    }
  });

  it('-c with a missing file is an error without --conn-str too; --device-id needs a value', async () => {
    const c = await runCli(['run', '-i', sample.stream, ...motion, '-c', '/nonexistent/cfg_kafka.txt'], { timeoutMs: 30_000 });
    expect(c.code, c.stderr).toBe(2);
    expect(errorLines(c.stderr)[0]).toMatch(/\/nonexistent\/cfg_kafka\.txt/);
    const d = await runCli(['run', '-i', sample.stream, ...motion, '--device-id'], { timeoutMs: 30_000 });
    expect(d.code, d.stderr).toBe(2);
    expect(errorLines(d.stderr)[0]).toMatch(/--device-id cannot be empty/);
  });
});

describe('very long values', () => {
  it('a 100 kB label: one capped error line that keeps file:line', async () => {
    const label = 'L'.repeat(100_000);
    const f = file('long.txt', `[property]\nenable=1\nconfig-width=1280\nconfig-height=720\n[line-crossing-stream-0]\nenable=1\nline-crossing-${label}=1;1;1;2;0;1;2;1\nclass-id=-1\n`);
    const r = await runCli(['config', 'check', f]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    const line = errorLines(r.stderr)[0]!;
    expect(line).toMatch(/long\.txt:7: /);
    expect(line).toMatch(/… \(100014 characters\)/);
    expect(line.length).toBeLessThan(1000);
  });

  it('an error longer than a pipe buffer reaches a slow reader whole', async () => {
    // The reader starts after a second, so the pipe (64 KiB) is full when the CLI exits.
    const input = `/${'a'.repeat(100_000)}`;
    const out = await new Promise<string>((resolve) => {
      const c = spawn('bash', ['-c', `node "$0" run -i "$1" 2>&1 | (sleep 1; cat)`, cliPath, input], { cwd: repoRoot });
      let s = '';
      c.stdout.on('data', (d: Buffer) => (s += d.toString()));
      c.on('close', () => resolve(s));
    });
    expect(out).toBe(`error: input not found: ${input}\n`);
  });
});

describe('config kinds and quiet losses', () => {
  it('the [property] key lists of the detector and tracker kinds are the native parsers\' lists', () => {
    const f = file('unknown-key.txt', '[property]\nzzz=1\n');
    const known = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return /known keys: ([^)]*)/.exec((e as Error).message)![1]!.split(', ').sort();
      }
      throw new Error('expected an unknown-key error');
    };
    expect(known(() => loadAddon().trackerConfig(f))).toEqual([...PROPERTY_KEYS.tracker].sort());
    expect(known(() => loadAddon().cpuDetectorConfig(f))).toEqual([...PROPERTY_KEYS['motion-detector']].sort());
    expect(detectConfigKind('[property]\nmin-hits=3\nbogus=1\n')).toBe('tracker');
    expect(detectConfigKind('[property]\nhold-ms=1\n')).toBe('motion-detector');
    expect(detectConfigKind('[property]\noutput-format=yolox\n')).toBe('dnn-detector');
    expect(detectConfigKind('[property]\nenable=1\nconfig-width=1\n')).toBe('analytics');
  });

  it('a stream without [*-stream-N] groups in the analytics config gets a warning naming it', () => {
    const analytics = file('one-stream.txt', '[property]\nenable=1\nconfig-width=1280\nconfig-height=720\n[line-crossing-stream-0]\nenable=1\nline-crossing-a=1;1;1;2;0;1;2;1\nclass-id=-1\n');
    const o = resolvePipelineOptions({ inputs: [sample.stream, sample.stream], analyticsConfig: analytics, detector: 'motion' });
    const w = o.warnings.filter((x) => /has no rules/.test(x.message));
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toMatch(/^stream 1 \(.*sample_720p\.h264\) has no rules: .*\[line-crossing-stream-1\]/);
    expect(w[0]!.file).toBe(analytics);
  });

  it('a static integer beyond 2^53 stays exact, as a string, with a warning', () => {
    const r = parseMsgconvConfig('[payload-static]\nbig=12345678901234567890\nsmall=9007199254740991\nneg=-9007199254740993\n', 'm.txt');
    expect(r.config.staticFields.map((s) => s.value)).toEqual(['12345678901234567890', 9007199254740991, '-9007199254740993']);
    const w = r.warnings.filter((x) => /2\^53/.test(x.message));
    expect(w.map((x) => x.line)).toEqual([2, 4]);
  });
});
