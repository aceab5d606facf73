// The CPU backend pipeline (native/cpu/pipeline.h through native/addon/pipeline_binding.cc):
// decode (GStreamer) -> motion detection (OpenCV) -> SORT tracking -> analytics, all in C++.
// Frames never cross into JavaScript; per-frame analytics records, warnings, errors, state changes and the end-of-run
// summary arrive as events through a bounded, non-blocking queue (frame events beyond eventQueueSize are
// dropped and counted in eventsDropped; warning/error/state/eos are never dropped).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameAnalyticsRecord } from '../payload/build.js';
import { loadAddon, packageRoot } from './addon.js';

export type KeyFileValue = string | number | boolean | number[];

export interface CpuPipelineOptions {
  /** Stream N = inputs[N]: a file path (.h264 elementary stream, MP4/MKV/AVI...) or a file:// / rtsp:// URI. */
  inputs: string[];
  /** ResolvedAnalyticsConfig as JSON (src/config/resolved.ts). Absent: counts objects only (objCnt). */
  analyticsConfigJson?: string;
  /** 'motion' (default) or 'dnn' (detectorConfigPath is then a config/detector_dnn.txt-style file). */
  detectorKind?: 'motion' | 'dnn';
  /** The detector's key file. Absent: the motion detector's built-in defaults (the shipped file's values). */
  detectorConfigPath?: string;
  /** config/tracker_sort.txt-style key file. */
  trackerConfigPath?: string;
  /** Key overrides applied on top of the detector file, e.g. { 'processing-width': 480 }. */
  detector?: Record<string, KeyFileValue>;
  /** Key overrides applied on top of the tracker file, e.g. { 'min-hits': 5 }. */
  tracker?: Record<string, KeyFileValue>;
  /** Pace file inputs at their frame rate, as a live camera would (default false: as fast as possible). */
  realtime?: boolean;
  /** Decoded frames buffered per stream between the decoder and the worker (default 4). */
  queueFrames?: number;
  /** Network inputs: a connection that shows no frame within this time is retried (default 8000 ms). */
  connectTimeoutMs?: number;
  /** Network inputs: a running connection without a frame for this long is retried (default 10000 ms; 0 = off). */
  stallTimeoutMs?: number;
  /** Network inputs: reconnection after an error, a stall or (live sources) an end; see ReconnectOptions. */
  reconnect?: ReconnectOptions;
  /** avdec_h264 max-threads: -1 = auto (default: 1 with fewer than 3 cores per stream, else 0), 0 = libav's frame threading, N = N threads. */
  decoderThreads?: number;
  /** Downscale in GStreamer (videoscale) instead of OpenCV (default false; OpenCV measured faster). */
  scaleInGstreamer?: boolean;
  /** Deliver per-frame events to JavaScript (default true). */
  frameEvents?: boolean;
  /** Frame events that may wait for JavaScript before newer ones are dropped (default 1024). */
  eventQueueSize?: number;
  /** Per stream index: line-crossing counts resumed from an earlier run (--resume-counts), added to lc_cum. */
  cumulativeBase?: Array<Record<string, number>>;
  /** Turn frames into Kafka messages on the worker thread (src/pipeline/ sets this up). */
  publish?: PublishOptions;
  /** Message events that may wait for JavaScript before newer ones are dropped (default 65536). */
  messageQueueSize?: number;
  /** Annotated H.264 MP4 per stream index ("" = none): drawn and encoded natively (native/cpu/osd/). */
  osdOutputs?: string[];
  /** Keep a JPEG of each stream's latest annotated frame (2 per second) for snapshot() (the live page). */
  snapshots?: boolean;
}

/**
 * How a network input comes back (rtsp://, http(s)://, udp://...; files never reconnect): the delay before
 * retry N is drawn uniformly between 100 ms and min(maxDelayMs, initialDelayMs * 2^(N-1)) ("full jitter").
 */
export interface ReconnectOptions {
  /** Retries per outage before the stream ends in 'error' (default 0 = forever). */
  attempts?: number;
  /** Upper bound of the first retry's delay (default 1000 ms). */
  initialDelayMs?: number;
  /** Cap of the delay's upper bound (default 30000 ms). */
  maxDelayMs?: number;
}

/**
 * A stream's state: connecting (before its first frame) -> running -> [reconnecting -> running]* -> eos |
 * error | stopped. 'error' is final: a file that cannot be read, or a network input out of reconnect attempts.
 */
export type StreamState = 'connecting' | 'running' | 'reconnecting' | 'eos' | 'error' | 'stopped';
export const STREAM_STATES: readonly StreamState[] = ['connecting', 'running', 'reconnecting', 'eos', 'error', 'stopped'];

export interface CpuStateEvent {
  kind: 'state';
  streamId: number;
  state: StreamState;
  /** reconnecting: what ended the connection; error: the error. */
  reason?: string;
  /** reconnecting: the retry about to be made (1, 2, ... per outage). */
  attempt?: number;
  /** reconnecting: the backoff before that retry. */
  retryInMs?: number;
  /** Outages so far: times this stream went to reconnecting. */
  reconnects: number;
}

export interface PublishOptions {
  /** PayloadMapping as JSON (src/config/resolved.ts). */
  mappingJson: string;
  policy: { onLineCrossing: boolean; frameInterval: number; onRoiChange: boolean; onOvercrowdingChange: boolean };
  /** Per stream index. */
  deviceIds: string[];
  /** cfg_kafka.txt partition-key: dotted path into the message ('' = no key). */
  partitionKey: string;
  /** A NativeProducer: messages are produced natively. Absent: they reach JS as 'message' events. */
  producer?: unknown;
}

/** One analytics record as messages carry it: src/payload/build.ts's record, with dirCnt always present. */
export type CpuAnalyticsRecord = FrameAnalyticsRecord & { dirCnt: Record<string, number> };

export interface CpuMessageEvent {
  kind: 'message';
  streamId: number;
  frameNum: number;
  reason: string;
  key: string | null;
  /** Built natively (core payload builder). */
  payload: string;
  /** Producer sequence number; 0 when no native producer was given. */
  seq: number;
  /** The native producer refused the message (closed or fatal). */
  error?: string;
  ctx: { messageId: string; timestamp: string; deviceId: string };
  record: CpuAnalyticsRecord;
}

export interface TrackedBox {
  id: number;
  classId: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Missed by the detector in this frame: held at its last measured box (tracker coast-ms). */
  coasting?: boolean;
}

export interface FrameTimings {
  decodeWaitMs: number;
  scaleMs: number;
  detectMs: number;
  /** Of detectMs: the network's forward pass (DNN detector), 0 when it did not run. */
  inferMs: number;
  inferred: boolean;
  trackMs: number;
  analyticsMs: number;
  /** scale + detect + track + analytics */
  processMs: number;
}

/** One frame's analytics record (NvDsAnalyticsFrameMeta's fields) plus frame meta. */
export interface CpuFrameEvent extends CpuAnalyticsRecord {
  kind: 'frame';
  width: number;
  height: number;
  numObjects: number;
  objects: TrackedBox[];
  timings: FrameTimings;
}

export interface CpuWarningEvent {
  kind: 'warning';
  streamId: number;
  message: string;
}

export interface CpuErrorEvent {
  kind: 'error';
  streamId: number;
  message: string;
}

export interface StageStat {
  meanMs: number;
  maxMs: number;
  totalMs: number;
  /** Frames the stage ran on. */
  count?: number;
}

export interface CpuStreamSummary {
  streamId: number;
  input: string;
  state: StreamState;
  error?: string;
  /** Network inputs: outages (times the stream went to reconnecting); counts carry on across them. */
  reconnects: number;
  frames: number;
  /** Frames dropped before processing (live inputs only, when processing lags). */
  dropped: number;
  warnings: number;
  /** Frames the decoder could not decode (corrupt input); skipped with a warning. */
  undecodable: number;
  width: number;
  height: number;
  wallMs: number;
  fps: number;
  lastPtsMs: number;
  live: boolean;
  /** Detector::describe(), e.g. "motion" or "dnn yolox_nano (416x416, yolox, motion-gated)". */
  detector: string;
  timings: {
    decodeWait: StageStat;
    scale: StageStat;
    detect: StageStat;
    /** The network's forward pass, over the frames it ran on (count < frames: interval, motion gate). */
    infer: StageStat;
    track: StageStat;
    analytics: StageStat;
    process: StageStat;
  };
}

export interface CpuRunSummary {
  wallMs: number;
  frames: number;
  fps: number;
  stopped: boolean;
  /** Frame events dropped because JavaScript fell behind (the analytics themselves are never skipped). */
  eventsDropped: number;
  streams: CpuStreamSummary[];
}

export interface CpuEosEvent extends CpuRunSummary {
  kind: 'eos';
  /** Message events JavaScript could not receive in time (only matters without a native producer). */
  messagesDropped: number;
  streams: Array<CpuStreamSummary & { lcCum: Record<string, number> }>;
}

export type CpuPipelineEvent = CpuFrameEvent | CpuWarningEvent | CpuErrorEvent | CpuEosEvent | CpuMessageEvent | CpuStateEvent;

export interface NativeCpuPipeline {
  /** Starts every stream; events arrive on the JS thread. Once per instance. */
  start(onEvent: (event: CpuPipelineEvent) => void): NativeCpuPipeline;
  /** Graceful and idempotent; an eos event (stopped: true) still follows. */
  stop(): void;
  /** The latest annotated JPEG of a stream (options.snapshots), or undefined. */
  snapshot(streamId: number): Buffer | undefined;
  stats(): CpuRunSummary & { running: boolean };
}

export interface DecodeOnlyResult {
  frames: number;
  wallMs: number;
  fps: number;
  error?: string;
}

declare module './addon.js' {
  interface NativeAddon {
    CpuPipeline: new (options: CpuPipelineOptions) => NativeCpuPipeline;
    /** The reconnect backoff (native/cpu/reconnect_policy.h) for retry `attempt`; u in [0, 1) replaces the random draw. */
    cpuReconnectDelay(policy: ReconnectOptions, attempt: number, u?: number): { ceilingMs: number; delayMs: number; exhausted: boolean };
    /** Decode-only throughput of one input (the benchmark baseline). */
    cpuDecodeOnly(input: string, decoderThreads?: number): Promise<DecodeOnlyResult>;
    /** The resolved detector parameters of a key file and/or overrides (throws naming file, line, key). */
    cpuDetectorConfig(
      pathOrOverrides?: string | Record<string, KeyFileValue>,
      overrides?: Record<string, KeyFileValue>,
    ): Record<string, unknown>;
  }
}

/** The shipped configs (config/detector_motion.txt, config/tracker_sort.txt), when present. */
export function defaultCpuConfigPaths(): { detectorConfigPath?: string; trackerConfigPath?: string } {
  const d = join(packageRoot, 'config', 'detector_motion.txt');
  const t = join(packageRoot, 'config', 'tracker_sort.txt');
  return { ...(existsSync(d) ? { detectorConfigPath: d } : {}), ...(existsSync(t) ? { trackerConfigPath: t } : {}) };
}

export interface CpuRunResult extends Omit<CpuEosEvent, 'kind'> {
  warnings: CpuWarningEvent[];
  errors: CpuErrorEvent[];
}

export class CpuPipelineError extends Error {
  constructor(
    message: string,
    readonly result: CpuRunResult,
  ) {
    super(message);
    this.name = 'CpuPipelineError';
  }
}

export interface RunCpuPipelineControl {
  /** Aborting stops the pipeline gracefully; the promise then resolves with stopped: true. */
  signal?: AbortSignal;
  onWarning?: (w: CpuWarningEvent) => void;
  onState?: (s: CpuStateEvent) => void;
}

/**
 * Runs the CPU pipeline to the end of every input. Resolves with the run summary (plus the warnings);
 * rejects with CpuPipelineError (message = the errors, `result` = the summary) when any input failed.
 * Uses the shipped detector/tracker configs unless paths are given.
 */
export function runCpuPipeline(
  options: CpuPipelineOptions,
  onFrame?: (frame: CpuFrameEvent) => void,
  control: RunCpuPipelineControl = {},
): Promise<CpuRunResult> {
  const addon = loadAddon();
  const opts: CpuPipelineOptions = { ...defaultCpuConfigPaths(), ...options, frameEvents: options.frameEvents ?? !!onFrame };
  return new Promise<CpuRunResult>((resolve, reject) => {
    let pipeline: NativeCpuPipeline;
    try {
      pipeline = new addon.CpuPipeline(opts);
    } catch (err) {
      reject(err);
      return;
    }
    const warnings: CpuWarningEvent[] = [];
    const errors: CpuErrorEvent[] = [];
    const onAbort = () => pipeline.stop();
    if (control.signal?.aborted) queueMicrotask(onAbort);
    control.signal?.addEventListener('abort', onAbort, { once: true });
    pipeline.start((event) => {
      switch (event.kind) {
        case 'frame':
          onFrame?.(event);
          break;
        case 'warning':
          warnings.push(event);
          control.onWarning?.(event);
          break;
        case 'error':
          errors.push(event);
          break;
        case 'state':
          control.onState?.(event);
          break;
        case 'eos': {
          control.signal?.removeEventListener('abort', onAbort);
          const { kind: _kind, ...summary } = event;
          const result: CpuRunResult = { ...summary, warnings, errors };
          if (errors.length > 0) reject(new CpuPipelineError(errors.map((e) => e.message).join('; '), result));
          else resolve(result);
          break;
        }
      }
    });
  });
}
