// The DeepStream backend (native/deepstream/ through native/addon/deepstream_binding.cc), present only in
// builds made against a DeepStream SDK (cmake -DDS_KAFKA_DEEPSTREAM=ON|AUTO with DEEPSTREAM_DIR). Same
// event/start/stop shape as the CPU backend (./pipeline.ts). Analytics come from nvdsanalytics; messages are
// built natively by the probe (same core payload builder as the CPU backend) and published by nvmsgconv
// (our converter library libnvds_dskafka_msgconv.so) + nvmsgbroker (libnvds_kafka_proto.so).
import { loadAddon } from './addon.js';
import type { SendPolicyOptions } from './msgconv.js';

export interface DeepStreamPipelineOptions {
  /** Stream N = inputs[N]: .h264 files (filesrc ! h264parse ! nvv4l2decoder) or any URI (uridecodebin). */
  inputs: string[];
  /** nvinfer config-file (e.g. config/deepstream/config_infer_primary.txt). */
  inferConfig: string;
  /** nvdsanalytics config-file (config_nvdsanalytics.txt). */
  analyticsConfig: string;
  /** nvmsgbroker conn-str without the topic: "host;port". */
  connStr: string;
  topic: string;
  /** PayloadMapping JSON (src/config/resolved.ts). */
  mappingJson: string;
  trackerLib?: string;
  trackerConfig?: string;
  trackerWidth?: number;
  trackerHeight?: number;
  analyticsUniqueId?: number;
  msgconvConfig?: string;
  /** Path of libnvds_dskafka_msgconv.so (default: the one built with the addon). */
  msgconvLib?: string;
  payloadType?: number;
  componentId?: number;
  protoLib?: string;
  /** cfg_kafka.txt */
  brokerConfig?: string;
  /** true: OSD + nveglglessink; false (default): fakesink, as --no-display. */
  display?: boolean;
  muxWidth?: number;
  muxHeight?: number;
  batchedPushTimeoutUs?: number;
  gpuId?: number;
  policy?: SendPolicyOptions;
  /** deviceId per stream (default "stream-<N>"). */
  deviceIds?: string[];
  frameEvents?: boolean;
  messageEvents?: boolean;
  eventQueueSize?: number;
}

export interface DsFrameEvent {
  kind: 'frame';
  streamId: number;
  frameNum: number;
  ptsMs: number;
  numObjects: number;
  objLCCurrCnt: Record<string, number>;
  objLCCumCnt: Record<string, number>;
  objInROIcnt: Record<string, number>;
  ocStatus: Record<string, boolean>;
  objCnt: Record<string, number>;
}

export interface DsMessageEvent {
  kind: 'message';
  streamId: number;
  frameNum: number;
  reason: string;
  messageId: string;
  timestamp: string;
  deviceId: string;
  /** Exactly what nvmsgconv hands to nvmsgbroker. */
  payload: string;
}

export interface DsNoticeEvent {
  kind: 'warning' | 'error';
  message: string;
}

export interface DsRunSummary {
  wallMs: number;
  stopped: boolean;
  error?: string;
  frames: number;
  framesWithoutAnalytics: number;
  messages: number;
  attachFailures: number;
  eventsDropped: number;
}

export interface DsEosEvent extends DsRunSummary {
  kind: 'eos';
}

export type DeepStreamPipelineEvent = DsFrameEvent | DsMessageEvent | DsNoticeEvent | DsEosEvent;

export interface NativeDeepStreamPipeline {
  start(onEvent: (event: DeepStreamPipelineEvent) => void): NativeDeepStreamPipeline;
  /** Sends EOS (nvmsgbroker flushes) and returns; an eos event (stopped: true) follows. */
  stop(): void;
  stats(): DsRunSummary & { running: boolean };
}

export interface DeepStreamAvailability {
  /** The addon was built against a DeepStream SDK. */
  compiled: boolean;
  /** Compiled, and every needed GStreamer element is registered. */
  available: boolean;
  missing: string[];
  sdkDir?: string;
  msgconvLib?: string;
}

declare module './addon.js' {
  interface NativeAddon {
    DeepStreamPipeline?: new (options: DeepStreamPipelineOptions) => NativeDeepStreamPipeline;
    deepstreamElementsAvailable?(): { available: boolean; ok: boolean; missing: string[]; sdkDir: string; msgconvLib: string };
  }
}

export const DEEPSTREAM_ELEMENTS = ['nvstreammux', 'nvinfer', 'nvtracker', 'nvdsanalytics', 'nvmsgconv', 'nvmsgbroker'] as const;

/** Whether the DeepStream backend can run here, and if not, why. Never throws for a CPU-only build. */
export function deepstreamAvailability(): DeepStreamAvailability {
  const addon = loadAddon();
  if (!addon.deepstreamElementsAvailable || !addon.DeepStreamPipeline) {
    return { compiled: false, available: false, missing: [...DEEPSTREAM_ELEMENTS] };
  }
  const { available, missing, sdkDir, msgconvLib } = addon.deepstreamElementsAvailable();
  return { compiled: true, available, missing, sdkDir, msgconvLib };
}

/** Splits a seed-style conn-str "host;port;topic" into nvmsgbroker's conn-str ("host;port") and topic. */
export function splitConnStr(connStr: string): { connStr: string; topic: string | undefined } {
  const parts = connStr.split(';');
  if (parts.length >= 3) return { connStr: parts.slice(0, 2).join(';'), topic: parts.slice(2).join(';') || undefined };
  return { connStr, topic: undefined };
}

/** Creates the native pipeline; throws a clear error when the build has no DeepStream backend. */
export function createDeepStreamPipeline(options: DeepStreamPipelineOptions): NativeDeepStreamPipeline {
  const addon = loadAddon();
  if (!addon.DeepStreamPipeline) {
    throw new Error(
      'this build of ds-kafka has no DeepStream backend: rebuild inside a DeepStream 7.x environment with ' +
        'DS_KAFKA_DEEPSTREAM=ON (see docker/README.md), or use the CPU backend',
    );
  }
  return new addon.DeepStreamPipeline(options);
}
