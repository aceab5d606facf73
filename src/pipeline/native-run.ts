// Starts the native CPU backend for resolved options and adapts its events for Pipeline.
// (The DeepStream backend plugs in here with the same event shape when it is compiled in.)
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { InputError } from '../errors.js';
import { isModelError, resolveDetector } from '../native/detector.js';
import { loadAddon, packageRoot } from '../native/addon.js';
import {
  createDeepStreamPipeline,
  deepstreamBrokerSettings,
  writeDeepStreamBrokerConfig,
  type DeepStreamPipelineEvent,
} from '../native/deepstream.js';
import {
  defaultCpuConfigPaths,
  type CpuMessageEvent,
  type CpuEosEvent,
  type CpuPipelineEvent,
  type CpuStateEvent,
  type CpuStreamSummary,
  type NativeCpuPipeline,
} from '../native/pipeline.js';
import { NativeKafkaProducer } from '../kafka/native-producer.js';
import type { MessageProducer } from '../kafka/types.js';
import type { FrameRecord } from './events.js';
import type { ResolvedPipelineOptions } from './options.js';

export type NativeRunEvent =
  | { kind: 'frame'; record: FrameRecord }
  | CpuMessageEvent
  | { kind: 'warning' | 'error'; streamId: number; message: string }
  | CpuStateEvent
  | CpuEosEvent;

export interface NativeRun {
  stop(): void;
  /** The latest annotated picture of a stream (CPU backend with the live page on). */
  snapshot?(streamId: number): Buffer | undefined;
}

export function startCpuRun(
  o: ResolvedPipelineOptions,
  producer: MessageProducer | undefined,
  onEvent: (e: NativeRunEvent) => void,
  cumulativeBase: Array<Record<string, number>> = [],
): NativeRun {
  const addon = loadAddon();
  const defaults = defaultCpuConfigPaths();
  const partitionKey = o.kafka?.config.partitionKey ?? 'deviceId';
  const detector = o.detector ?? resolveDetector('auto', o.detectorConfig);
  const options = {
    inputs: o.inputs,
    analyticsConfigJson: JSON.stringify(o.analytics),
    detectorKind: detector.kind,
    detectorConfigPath: detector.configPath,
    trackerConfigPath: o.trackerConfig ?? defaults.trackerConfigPath,
    realtime: o.realtime,
    // Network inputs: connect timeout, stall watchdog, reconnection with backoff.
    connectTimeoutMs: o.live.connectTimeoutMs,
    stallTimeoutMs: o.live.stallTimeoutMs,
    reconnect: o.live.reconnect,
    cumulativeBase,
    frameEvents: o.frameEvents,
    eventQueueSize: o.eventQueueSize,
    ...(o.osdOutputs ? { osdOutputs: o.osdOutputs } : {}),
    // The live page shows each stream's annotated picture.
    ...(o.http ? { snapshots: true } : {}),
    publish: {
      mappingJson: JSON.stringify(o.mapping),
      policy: {
        onLineCrossing: o.sendOn.lineCrossing,
        frameInterval: o.sendOn.frameInterval,
        onRoiChange: o.sendOn.roiChange,
        onOvercrowdingChange: o.sendOn.overcrowdingChange,
      },
      deviceIds: o.deviceIds,
      partitionKey,
      // The native producer is fed on the worker thread; the kafkajs path gets message events instead.
      ...(producer instanceof NativeKafkaProducer ? { producer: producer.nativeHandle } : {}),
    },
  };
  let pipeline: NativeCpuPipeline;
  try {
    pipeline = new addon.CpuPipeline(options);
  } catch (err) {
    // A model file that exists but cannot be used is a config problem (exit 2), like a missing one.
    if (isModelError(err)) throw new ConfigError(`${detector.configPath}: ${(err as Error).message}`);
    throw err;
  }
  pipeline.start((e: CpuPipelineEvent) => {
    if (e.kind === 'frame') {
      const { kind: _k, timings: _t, ...record } = e;
      onEvent({ kind: 'frame', record });
    } else {
      onEvent(e);
    }
  });
  return { stop: () => pipeline.stop(), snapshot: (id) => pipeline.snapshot(id) };
}

/**
 * The DeepStream backend: nvdsanalytics counts, our probe builds the payload (same core code), nvmsgconv
 * (our converter library) and nvmsgbroker publish. Events are adapted to the CPU backend's shape.
 */
export function startDeepStreamRun(
  o: ResolvedPipelineOptions,
  onEvent: (e: NativeRunEvent) => void,
  cumulativeBase: Array<Record<string, number>> = [],
): NativeRun {
  if (!o.kafka) throw new InputError('the DeepStream backend publishes through nvmsgbroker: give --conn-str');
  if (!o.files.analyticsConfig) throw new InputError('the DeepStream backend needs --analytics-config as a file (nvdsanalytics reads it)');
  // nvmsgbroker gets the first host in conn-str and every host (and the message key, default deviceId) in a
  // generated adaptor config: see deepstreamBrokerSettings().
  const broker = deepstreamBrokerSettings(o.kafka.conn, o.kafka.config);
  const brokerFile = writeDeepStreamBrokerConfig(broker.configText);
  const started = Date.now();
  const frames = new Map<number, number>();
  const lcCum = new Map<number, Record<string, number>>();
  const streamErrors = new Map<number, string>();
  let ds;
  try {
    ds = createDeepStreamPipeline({
      inputs: o.inputs,
      // Absent: the config shipped for the running SDK generation, or an error naming --infer-config.
      ...(o.inferConfig ? { inferConfig: o.inferConfig } : {}),
      defaultConfigDir: join(packageRoot, 'config', 'deepstream'),
      trackerConfig: o.trackerConfig ?? join(packageRoot, 'config', 'deepstream', 'config_tracker_IOU.yml'),
      analyticsConfig: o.files.analyticsConfig,
      connStr: broker.connStr,
      topic: o.kafka.conn.topic,
      mappingJson: JSON.stringify(o.mapping),
      ...(o.files.msgconvConfig ? { msgconvConfig: o.files.msgconvConfig } : {}),
      brokerConfig: brokerFile.path,
      ...(o.protoLib ? { protoLib: o.protoLib } : {}),
      display: o.display,
      // One annotated video (nvdsosd): several streams are tiled into it, so {stream} becomes "all".
      ...(o.osdOutputPattern !== undefined ? { osdOutput: o.osdOutputPattern.replaceAll('{stream}', 'all') } : {}),
      deviceIds: o.deviceIds,
      cumulativeBase,
      // RTSP comes back through nvurisrcbin (a fixed interval, no jittered backoff): the stall watchdog in whole
      // seconds, the attempts with nvurisrcbin's -1 for forever.
      rtspReconnectIntervalS: Math.ceil(o.live.stallTimeoutMs / 1000),
      rtspReconnectAttempts: o.live.reconnect.attempts === 0 ? -1 : o.live.reconnect.attempts,
      policy: {
        onLineCrossing: o.sendOn.lineCrossing,
        frameInterval: o.sendOn.frameInterval,
        onRoiChange: o.sendOn.roiChange,
        onOvercrowdingChange: o.sendOn.overcrowdingChange,
      },
      frameEvents: true,
      messageEvents: true,
      eventQueueSize: o.eventQueueSize,
    });
  } catch (err) {
    brokerFile.remove();
    throw err;
  }
  const eos = (e: { error?: string; stopped: boolean; frames: number; eventsDropped: number }) => {
    brokerFile.remove();
    const wallMs = Date.now() - started;
    const streams = o.inputs.map((input, i) => {
      const n = frames.get(i) ?? 0;
      const error = streamErrors.get(i) ?? e.error;
      const state: CpuStreamSummary['state'] = error ? 'error' : e.stopped ? 'stopped' : 'eos';
      return {
        ...emptyStreamSummary(i, input),
        state,
        ...(error ? { error } : {}),
        frames: n,
        fps: wallMs > 0 ? (n * 1000) / wallMs : 0,
        lcCum: lcCum.get(i) ?? {},
      };
    });
    // Each stream's final state ('connecting' is every stream's first; nvurisrcbin's reconnections are its own).
    for (const s of streams) if (!streamErrors.has(s.streamId)) onEvent({ kind: 'state', streamId: s.streamId, state: s.state, ...(s.error ? { reason: s.error } : {}), reconnects: 0 });
    onEvent({ kind: 'eos', wallMs, frames: e.frames, fps: wallMs > 0 ? (e.frames * 1000) / wallMs : 0, stopped: e.stopped, eventsDropped: e.eventsDropped, messagesDropped: 0, streams });
  };

  // start() resolves once PLAYING; nvinfer's engine build runs on a worker thread, not on this one.
  ds.start((e: DeepStreamPipelineEvent) => {
    switch (e.kind) {
      case 'frame': {
        frames.set(e.streamId, (frames.get(e.streamId) ?? 0) + 1);
        if (frames.get(e.streamId) === 1) onEvent({ kind: 'state', streamId: e.streamId, state: 'running', reconnects: 0 });
        lcCum.set(e.streamId, e.objLCCumCnt);
        if (o.frameEvents) {
          const { kind: _k, ...rest } = e;
          onEvent({ kind: 'frame', record: { ...rest, dirCnt: {}, width: 0, height: 0, objects: [] } });
        }
        break;
      }
      case 'message':
        onEvent({
          kind: 'message',
          streamId: e.streamId,
          frameNum: e.frameNum,
          reason: e.reason,
          key: e.deviceId,
          payload: e.payload,
          seq: 0,
          ctx: { messageId: e.messageId, timestamp: e.timestamp, deviceId: e.deviceId },
          record: { streamId: e.streamId, frameNum: e.frameNum, ptsMs: 0, objLCCurrCnt: {}, objLCCumCnt: {}, objInROIcnt: {}, ocStatus: {}, objCnt: {}, dirCnt: {} },
        });
        break;
      case 'streamError':
        // One input failed; the others go on.
        streamErrors.set(e.streamId, e.message);
        onEvent({ kind: 'error', streamId: e.streamId, message: e.message });
        onEvent({ kind: 'state', streamId: e.streamId, state: 'error', reason: e.message, reconnects: 0 });
        break;
      case 'warning':
      case 'error':
        onEvent({ kind: e.kind, streamId: -1, message: e.message });
        break;
      case 'eos':
        eos(e);
        break;
    }
  }).catch((err: Error) => {
    // Never reached PLAYING (broker unreachable, nvinfer config or engine failure): no eos event follows.
    onEvent({ kind: 'error', streamId: -1, message: err.message });
    eos({ error: err.message, stopped: false, frames: 0, eventsDropped: 0 });
  });
  return { stop: () => ds.stop() };
}

function emptyStreamSummary(streamId: number, input: string): CpuStreamSummary {
  const stat = { meanMs: 0, maxMs: 0, totalMs: 0 };
  return {
    streamId, input, state: 'connecting', reconnects: 0, frames: 0, dropped: 0, warnings: 0, undecodable: 0, width: 0, height: 0,
    wallMs: 0, fps: 0, lastPtsMs: 0, live: false, detector: 'nvinfer',
    timings: { decodeWait: stat, scale: stat, detect: stat, infer: stat, track: stat, analytics: stat, process: stat },
  };
}
