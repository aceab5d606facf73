// How the library drives the DeepStream backend (src/pipeline/native-run.ts startDeepStreamRun), with the
// native pipeline replaced by a recorder (no DeepStream here): nvmsgbroker's conn-str and generated adaptor
// config (several hosts, default key deviceId), the per-SDK default nvinfer config left to the addon,
// --tracker-config passed through, start() as a promise (a failed start still ends the run with an eos), and a
// failing input reported for its stream only.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/native/addon.js';
import type { DeepStreamPipelineEvent, DeepStreamPipelineOptions } from '../../src/native/deepstream.js';
import { startDeepStreamRun, type NativeRunEvent } from '../../src/pipeline/native-run.js';
import { resolvePipelineOptions } from '../../src/pipeline/options.js';

const file = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const addon = loadAddon() as unknown as Record<string, unknown>;

interface Recorded {
  options: DeepStreamPipelineOptions;
  brokerConfigText: string;
  onEvent?: (e: DeepStreamPipelineEvent) => void;
  stopped: number;
}
let recorded: Recorded[] = [];
let startResult: () => Promise<void> = () => Promise.resolve();
let saved: unknown;

beforeEach(() => {
  recorded = [];
  startResult = () => Promise.resolve();
  saved = addon.DeepStreamPipeline;
  addon.DeepStreamPipeline = class {
    rec: Recorded;
    constructor(options: DeepStreamPipelineOptions) {
      this.rec = { options, brokerConfigText: readFileSync(options.brokerConfig!, 'utf8'), stopped: 0 };
      recorded.push(this.rec);
    }
    start(onEvent: (e: DeepStreamPipelineEvent) => void) {
      this.rec.onEvent = onEvent;
      return startResult();
    }
    stop() {
      this.rec.stopped++;
    }
    stats() {
      return {};
    }
  };
});
afterEach(() => {
  addon.DeepStreamPipeline = saved;
});

const resolved = (extra: Record<string, unknown> = {}) =>
  resolvePipelineOptions({
    inputs: [file('samples/sample_720p.h264'), file('samples/sample_720p.h264')],
    connStr: 'k1,k2;9092;ds-kafka',
    analyticsConfig: file('samples/config_nvdsanalytics.txt'),
    backend: 'deepstream',
    ...extra,
  });

const eosSummary = { wallMs: 1, stopped: false, frames: 2, framesWithoutAnalytics: 0, messages: 0, attachFailures: 0, eventsDropped: 0, extMsgLive: 0, streamErrors: [] };

describe('startDeepStreamRun', () => {
  it('several hosts: conn-str = first host; adaptor config with every host and partition-key deviceId', () => {
    startDeepStreamRun(resolved(), () => {});
    const r = recorded[0]!;
    expect(r.options.connStr).toBe('k1;9092');
    expect(r.options.topic).toBe('ds-kafka');
    expect(r.brokerConfigText).toMatch(/^partition-key=deviceId$/m);
    expect(r.brokerConfigText).toMatch(/^proto-cfg="bootstrap\.servers=k1:9092,k2:9092"$/m);
  });

  it("a kafka config's partition-key wins", () => {
    startDeepStreamRun(resolved({ kafkaConfig: file('config/cfg_kafka.txt') }), () => {});
    expect(recorded[0]!.brokerConfigText).toMatch(/^partition-key=/m);
  });

  it('no --infer-config: none is forced (the addon picks the SDK generation default from defaultConfigDir)', () => {
    startDeepStreamRun(resolved(), () => {});
    expect(recorded[0]!.options.inferConfig).toBeUndefined();
    expect(recorded[0]!.options.defaultConfigDir).toBe(file('config/deepstream').replace(/\/$/, ''));
    startDeepStreamRun(resolved({ inferConfig: '/my/pgie.txt' }), () => {});
    expect(recorded[1]!.options.inferConfig).toBe('/my/pgie.txt');
  });

  it('--tracker-config reaches nvtracker; the default is config/deepstream/config_tracker_IOU.yml', () => {
    startDeepStreamRun(resolved(), () => {});
    expect(recorded[0]!.options.trackerConfig).toBe(file('config/deepstream/config_tracker_IOU.yml'));
    startDeepStreamRun(resolved({ trackerConfig: '/my/tracker.yml' }), () => {});
    expect(recorded[1]!.options.trackerConfig).toBe('/my/tracker.yml');
  });

  it('a start that fails (never PLAYING) ends the run: error event, eos with every stream in error', async () => {
    startResult = () => Promise.reject(new Error('DeepStream pipeline: msgbroker: cannot connect'));
    const events: NativeRunEvent[] = [];
    startDeepStreamRun(resolved(), (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 10));
    expect(events[0]).toMatchObject({ kind: 'error', streamId: -1, message: expect.stringContaining('cannot connect') });
    const eos = events.find((e) => e.kind === 'eos') as Extract<NativeRunEvent, { kind: 'eos' }>;
    expect(eos.streams.map((s) => s.state)).toEqual(['error', 'error']);
  });

  it('one failing input is reported for its stream only; the others end normally', () => {
    const events: NativeRunEvent[] = [];
    startDeepStreamRun(resolved(), (e) => events.push(e));
    const emit = recorded[0]!.onEvent!;
    emit({ kind: 'streamError', streamId: 1, message: 'stream 1 (x): src-1: no such file' });
    emit({ kind: 'eos', ...eosSummary, streamErrors: [{ streamId: 1, message: 'stream 1 (x): src-1: no such file' }] });
    expect(events[0]).toMatchObject({ kind: 'error', streamId: 1 });
    const eos = events.find((e) => e.kind === 'eos') as Extract<NativeRunEvent, { kind: 'eos' }>;
    expect(eos.streams.map((s) => s.state)).toEqual(['eos', 'error']);
    expect(eos.streams[1]!.error).toMatch(/src-1/);
  });

  it('stop() reaches the native pipeline (before start resolved too: the addon applies it once PLAYING)', () => {
    let resolveStart!: () => void;
    startResult = () => new Promise<void>((r) => (resolveStart = r));
    const run = startDeepStreamRun(resolved(), () => {});
    run.stop();
    expect(recorded[0]!.stopped).toBe(1);
    resolveStart();
  });
});
