// Starts the native CPU backend for resolved options and adapts its events for Pipeline.
// (The DeepStream backend plugs in here with the same event shape when it is compiled in.)
import { loadAddon } from '../native/addon.js';
import {
  defaultCpuConfigPaths,
  type CpuAnalyticsRecord,
  type CpuEosEvent,
  type CpuPipelineEvent,
  type NativeCpuPipeline,
} from '../native/pipeline.js';
import { NativeKafkaProducer } from '../kafka/native-producer.js';
import type { MessageProducer } from '../kafka/types.js';
import type { BackendChoice } from './backend.js';
import type { FrameRecord } from './events.js';
import type { ResolvedPipelineOptions } from './options.js';

export type NativeRunEvent =
  | { kind: 'frame'; record: FrameRecord }
  | {
      kind: 'message';
      streamId: number;
      frameNum: number;
      reason: string;
      key: string | null;
      payload: string;
      seq: number;
      error?: string;
      ctx: { messageId: string; timestamp: string; deviceId: string };
      record: CpuAnalyticsRecord;
    }
  | { kind: 'warning' | 'error'; streamId: number; message: string }
  | CpuEosEvent;

export interface NativeRun {
  stop(): void;
}

export function startCpuRun(
  o: ResolvedPipelineOptions,
  _backend: BackendChoice,
  producer: MessageProducer | undefined,
  onEvent: (e: NativeRunEvent) => void,
): NativeRun {
  const addon = loadAddon();
  const defaults = defaultCpuConfigPaths();
  const partitionKey = o.kafka?.config.partitionKey ?? 'deviceId';
  const pipeline: NativeCpuPipeline = new addon.CpuPipeline({
    inputs: o.inputs,
    analyticsConfigJson: JSON.stringify(o.analytics),
    detectorConfigPath: o.detectorConfig ?? defaults.detectorConfigPath,
    trackerConfigPath: o.trackerConfig ?? defaults.trackerConfigPath,
    realtime: o.realtime,
    frameEvents: o.frameEvents,
    eventQueueSize: o.eventQueueSize,
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
  });
  pipeline.start((e: CpuPipelineEvent) => {
    if (e.kind === 'frame') {
      const { kind: _k, timings: _t, ...record } = e;
      onEvent({ kind: 'frame', record });
    } else {
      onEvent(e);
    }
  });
  return { stop: () => pipeline.stop() };
}
