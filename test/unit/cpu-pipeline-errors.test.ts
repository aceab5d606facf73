// Bad inputs never crash or hang the CPU pipeline: each ends with a clear message (error) or a warning
// while the run goes on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuPipelineError, runCpuPipeline, type CpuFrameEvent } from '../../src/native/pipeline.js';
import { runCli } from '../helpers/cli.js';
import { flipBytesCopy, makeH264, truncateCopy, writeText } from '../helpers/h264.js';

const FRAMES = 150;
let dir: string;
let ball: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dsk-cpu-bad-'));
  ball = makeH264(dir, 'ball.h264', { frames: FRAMES, width: 640, height: 360 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<CpuPipelineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CpuPipelineError);
    return err as CpuPipelineError;
  }
  throw new Error('the run was expected to fail');
}

describe('CPU pipeline: bad inputs', () => {
  it('missing file -> "input not found: <path>"', async () => {
    const missing = join(dir, 'nope.h264');
    const err = await failure(runCpuPipeline({ inputs: [missing] }));
    expect(err.message).toBe(`input not found: ${missing}`);
    expect(err.result.streams[0]).toMatchObject({ state: 'error', frames: 0, error: `input not found: ${missing}` });
  });

  it('missing container file and file:// URI -> "input not found"', async () => {
    const missing = join(dir, 'nope.mp4');
    expect((await failure(runCpuPipeline({ inputs: [missing] }))).message).toBe(`input not found: ${missing}`);
    expect((await failure(runCpuPipeline({ inputs: [`file://${missing}`] }))).message).toBe(`input not found: ${missing}`);
  });

  it('a text file named .h264 -> "cannot decode <path>: ..."', async () => {
    const text = writeText(join(dir, 'notes.h264'), 'this is not a video\n'.repeat(200));
    const err = await failure(runCpuPipeline({ inputs: [text] }));
    expect(err.message).toMatch(new RegExp(`^cannot decode ${text}: No valid frames`));
  });

  it('a text file named .mp4 -> "cannot decode <path>: ..."', async () => {
    const text = writeText(join(dir, 'notes.mp4'), 'this is not a video\n'.repeat(200));
    const err = await failure(runCpuPipeline({ inputs: [text] }));
    expect(err.message).toMatch(new RegExp(`^cannot decode ${text}: `));
  });

  it('a truncated stream decodes what is there and ends normally', async () => {
    const cut = truncateCopy(ball, join(dir, 'cut.h264'), 0.6);
    const r = await runCpuPipeline({ inputs: [cut] });
    expect(r.errors).toEqual([]);
    expect(r.streams[0]!.state).toBe('eos');
    expect(r.streams[0]!.frames).toBeGreaterThan(FRAMES * 0.4);
    expect(r.streams[0]!.frames).toBeLessThan(FRAMES);
  });

  it('bytes flipped mid-stream -> a warning, and the run goes on to the end', async () => {
    const bad = flipBytesCopy(ball, join(dir, 'flipped.h264'), 0.5, 4096);
    const frames: CpuFrameEvent[] = [];
    const r = await runCpuPipeline({ inputs: [bad] }, (f) => frames.push(f));
    expect(r.errors).toEqual([]);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(r.warnings[0]!.message).toMatch(new RegExp(`^${bad}: corrupt or undecodable data: \\d+ frame\\(s\\) could not be decoded`));
    expect(r.streams[0]).toMatchObject({ state: 'eos', warnings: r.warnings.length });
    expect(r.streams[0]!.undecodable).toBeGreaterThan(0);
    // Frames after the damaged part are decoded and analysed (the stream is 5 s long).
    expect(frames.at(-1)!.ptsMs).toBeGreaterThan(4000);
  });

  it('one bad input does not stop the others', async () => {
    const missing = join(dir, 'gone.h264');
    const err = await failure(runCpuPipeline({ inputs: [ball, missing] }));
    expect(err.message).toBe(`input not found: ${missing}`);
    expect(err.result.streams.map((s) => [s.state, s.frames])).toEqual([
      ['eos', FRAMES],
      ['error', 0],
    ]);
  });

  it('unreachable rtsp://127.0.0.1:9/x with a bounded reconnect -> a clear error within a few seconds', async () => {
    // Network inputs retry forever by default (test/e2e/rtsp-reconnect.test.ts); one retry here.
    const t0 = Date.now();
    const err = await failure(runCpuPipeline({ inputs: ['rtsp://127.0.0.1:9/x'], connectTimeoutMs: 3000, reconnect: { attempts: 1 } }));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.message).toMatch(/^cannot open rtsp:\/\/127\.0\.0\.1:9\/x: .*\(gave up after 1 reconnect attempt\)$/);
    expect(err.result.streams[0]).toMatchObject({ state: 'error', reconnects: 1, frames: 0 });
  });

  it('a bad detector config names file, line and key', () => {
    const cfg = join(dir, 'detector.txt');
    writeFileSync(cfg, '[property]\nalgorithm=mog2\nprocessing-width=wide\n');
    return expect(runCpuPipeline({ inputs: [ball], detectorConfigPath: cfg })).rejects.toThrow(
      `${cfg}:3: key 'processing-width' in [property]: expected an integer, got 'wide'`,
    );
  });
});

describe('CPU pipeline: containers with audio', () => {
  const gst = (args: string[]) => {
    const r = spawnSync('gst-launch-1.0', ['-q', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gst-launch-1.0 ${args.join(' ')}: ${r.stderr}`);
  };

  it('an audio-only MP4 ends at once with "no video stream" (it used to never end); another input is unaffected', { timeout: 60_000 }, async () => {
    const audio = join(dir, 'audio-only.mp4');
    gst(['audiotestsrc', 'num-buffers=100', '!', 'avenc_aac', '!', 'mp4mux', '!', 'filesink', `location=${audio}`]);
    const t0 = Date.now();
    const err = await failure(runCpuPipeline({ inputs: [audio, ball] }));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(err.message).toBe(`cannot decode ${audio}: no video stream in it (audio or other data only)`);
    expect(err.result.streams[0]).toMatchObject({ state: 'error', frames: 0 });
    expect(err.result.streams[1]).toMatchObject({ state: 'eos', frames: FRAMES });
  });

  it('an MP4 with AAC audio decodes its video without GLib warnings on stderr (--log-format json stays clean)', { timeout: 60_000 }, async () => {
    const av = join(dir, 'with-audio.mp4');
    gst([
      'mp4mux', 'name=m', '!', 'filesink', `location=${av}`,
      'videotestsrc', 'num-buffers=60', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!', 'x264enc', '!', 'm.',
      'audiotestsrc', 'num-buffers=60', '!', 'avenc_aac', '!', 'm.',
    ]);
    const r = await runCli(['run', '-i', av, '--detector', 'motion', '--log-format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/GLib|WARNING \*\*/);
    for (const line of r.stderr.split('\n').filter((l) => l.length > 0)) expect(() => JSON.parse(line), line).not.toThrow();
    expect(r.stdout).toMatch(/"frames":60/);
  });
});
