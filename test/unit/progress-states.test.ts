// `ds-kafka run`'s progress output across a camera outage (src/cli/progress.ts): one warning per reconnect
// attempt with its reason and delay, a line when the stream runs again, and the waiting streams in the
// periodic status (JSON: `states`). The states themselves come from the pipeline (test/e2e/rtsp-reconnect.test.ts).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../../src/cli/progress.js';
import type { Output } from '../../src/cli/output.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

function setup(format: 'text' | 'json', quiet = false) {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const out: Output = {
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    result: (msg, fields) => lines.push({ level: 'result', msg, fields }),
  };
  const pipeline = Object.assign(new EventEmitter(), { options: { kafka: undefined } }) as unknown as Pipeline;
  const progress = new Progress(out, pipeline, format, quiet);
  return { lines, pipeline, progress };
}

afterEach(() => vi.useRealTimers());

describe('progress output of stream states', () => {
  it('says when a stream reconnects (why, which attempt, how soon) and when it runs again', () => {
    const { lines, pipeline } = setup('text');
    pipeline.emit('state', { streamId: 0, state: 'running', reconnects: 0 });
    expect(lines).toEqual([]); // the first start is not news
    pipeline.emit('state', { streamId: 0, state: 'reconnecting', reason: 'cannot open rtsp://cam/1: refused', attempt: 2, retryInMs: 1340, reconnects: 1 });
    pipeline.emit('state', { streamId: 0, state: 'running', reconnects: 1 });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'stream 0: reconnecting in 1.3 s (attempt 2): cannot open rtsp://cam/1: refused'],
      ['info', 'stream 0: running again (1 reconnect so far; tracks restarted, counts carry on)'],
    ]);
    expect(lines[0]!.fields).toMatchObject({ event: 'state', streamId: 0, state: 'reconnecting', attempt: 2, retryInMs: 1340 });
  });

  it('the reconnect warning is shown even with --quiet', () => {
    const { lines, pipeline } = setup('text', true);
    pipeline.emit('state', { streamId: 1, state: 'reconnecting', reason: 'x: no frame for 10000 ms (source stalled)', attempt: 1, retryInMs: 800, reconnects: 1 });
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('the periodic JSON progress carries every stream state', () => {
    vi.useFakeTimers();
    const { lines, pipeline, progress } = setup('json');
    pipeline.emit('state', { streamId: 0, state: 'running', reconnects: 0 });
    pipeline.emit('state', { streamId: 1, state: 'reconnecting', reason: 'r', attempt: 1, retryInMs: 500, reconnects: 1 });
    progress.start();
    vi.advanceTimersByTime(5000);
    progress.stop();
    const tick = lines.find((l) => l.msg === 'progress');
    expect(tick?.fields?.states).toEqual({ 0: 'running', 1: 'reconnecting' });
  });
});
