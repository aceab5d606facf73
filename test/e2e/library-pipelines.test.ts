// The library without a broker: several pipelines in one process, the records() iterator, stop() mid-run,
// and typed errors for bad options.
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { createPipeline, runPipeline } from '../../src/pipeline/pipeline.js';
import { sample } from '../helpers/samples.js';

describe('library pipelines', () => {
  it('runs two pipelines at once in one process, each with its own counts', { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([
      runPipeline({ inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig, deviceIds: ['a'], frameEvents: false }),
      runPipeline({ inputs: [sample.stream], detector: sample.detector, deviceIds: ['b'], frameEvents: false }), // no analytics config: objects only
    ]);
    expect(a.streams[0]).toMatchObject({ deviceId: 'a', state: 'eos', frames: sample.truth.frames, lcCum: sample.truth.expected.lc_cum });
    expect(b.streams[0]).toMatchObject({ deviceId: 'b', state: 'eos', frames: sample.truth.frames, lcCum: {} });
  });

  it('records() yields every frame in order with the running counts', { timeout: 120_000 }, async () => {
    const p = createPipeline({ inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig }).start();
    const frames: number[] = [];
    let last: Record<string, number> = {};
    let crossings = 0;
    for await (const r of p.records(4096)) {
      frames.push(r.frameNum);
      last = r.objLCCumCnt;
      crossings += Object.values(r.objLCCurrCnt).reduce((s, n) => s + n, 0);
    }
    const report = await p.done;
    expect(frames).toEqual(Array.from({ length: sample.truth.frames }, (_, i) => i));
    expect(last).toEqual(sample.truth.expected.lc_cum);
    expect(crossings).toBe(Object.values(sample.truth.expected.lc_cum).reduce((s, n) => s + n, 0));
    expect(report.eventsDropped).toBe(0);
  });

  it('stop() mid-run resolves with a stopped report', { timeout: 60_000 }, async () => {
    const p = createPipeline({ inputs: [sample.stream], detector: sample.detector, analyticsConfig: sample.analyticsConfig, realtime: true }).start();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await p.stop();
    expect(report.stopped).toBe(true);
    expect(report.streams[0]!.state).toBe('stopped');
    expect(report.streams[0]!.frames).toBeGreaterThan(10);
    expect(report.streams[0]!.frames).toBeLessThan(sample.truth.frames);
  });

  it('throws typed errors before starting anything', () => {
    expect(() => createPipeline({ inputs: ['/nope.h264'] })).toThrow(InputError);
    expect(() => createPipeline({ inputs: [sample.stream], analyticsConfig: sample.stream })).toThrow(ConfigError);
    expect(() => createPipeline({ inputs: [sample.stream], connStr: 'localhost;9092' })).toThrow(ConfigError);
  });
});
