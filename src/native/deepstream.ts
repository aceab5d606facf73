// The DeepStream backend (native/deepstream/ through native/addon/deepstream_binding.cc), present only in
// builds made against a DeepStream SDK (cmake -DDS_KAFKA_DEEPSTREAM=ON|AUTO with DEEPSTREAM_DIR). Same
// event/start/stop shape as the CPU backend (./pipeline.ts). Analytics come from nvdsanalytics; messages are
// built natively by the probe (same core payload builder as the CPU backend) and published by nvmsgconv
// (our converter library libnvds_dskafka_msgconv.so) + nvmsgbroker (libnvds_kafka_proto.so).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAddon } from './addon.js';
import type { SendPolicyOptions } from './msgconv.js';
import type { ConnStr, KafkaConfig } from '../config/kafka-config.js';

export interface DeepStreamPipelineOptions {
  /**
   * Stream N = inputs[N]: .h264 files (filesrc ! h264parse ! nvv4l2decoder), rtsp:// (nvurisrcbin with
   * rtsp-reconnect-interval when the SDK has it) or any other URI (uridecodebin).
   */
  inputs: string[];
  /**
   * nvinfer config-file. Absent: the config ds-kafka ships for the running SDK (config/deepstream:
   * config_infer_primary_ds6.txt for 6.0-6.3, config_infer_primary.txt for >= 7.1), or an error naming
   * --infer-config when none fits or its sample model is not installed.
   */
  inferConfig?: string;
  /** Where the shipped nvinfer configs are (default config/deepstream of the package). */
  defaultConfigDir?: string;
  /**
   * nvurisrcbin's rtsp-reconnect-interval: its stall watchdog in seconds (default 10; 0 = off); also its wait
   * after an error (init-rtsp-reconnect-interval, 10 s when the watchdog is off).
   */
  rtspReconnectIntervalS?: number;
  /** nvurisrcbin's rtsp-reconnect-attempts (default -1 = forever), where the SDK has it. */
  rtspReconnectAttempts?: number;
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
  /** Annotated MP4 (nvdsosd picture, x264enc); several streams are tiled into one video. */
  osdOutput?: string;
  muxWidth?: number;
  muxHeight?: number;
  batchedPushTimeoutUs?: number;
  gpuId?: number;
  policy?: SendPolicyOptions;
  /** deviceId per stream (default "stream-<N>"). */
  deviceIds?: string[];
  /** Per stream index: counts resumed from an earlier run (--resume-counts), added to nvdsanalytics' lc_cum. */
  cumulativeBase?: Array<Record<string, number>>;
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

/** One input failed; the others go on (the run fails only when every input failed). */
export interface DsStreamErrorEvent {
  kind: 'streamError';
  streamId: number;
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
  /** DskExtMsg objects still allocated by the probe (0 after EOS: every event meta was released). */
  extMsgLive: number;
  /** Inputs that failed alone. */
  streamErrors: Array<{ streamId: number; message: string }>;
}

export interface DsEosEvent extends DsRunSummary {
  kind: 'eos';
}

export type DeepStreamPipelineEvent = DsFrameEvent | DsMessageEvent | DsNoticeEvent | DsStreamErrorEvent | DsEosEvent;

export interface NativeDeepStreamPipeline {
  /**
   * Resolves once the pipeline plays. Reaching PLAYING waits for nvinfer to load or build its TensorRT engine
   * (seconds to minutes): that runs on a worker thread, the event loop stays free. Rejects when the pipeline
   * cannot start (no eos event follows then). stop() before it resolves is applied once it plays.
   */
  start(onEvent: (event: DeepStreamPipelineEvent) => void): Promise<void>;
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
  /** The DeepStream release the addon was built against, and the one running here (nvds_version()). */
  sdkBuilt?: string;
  sdkRuntime?: string;
  /** Why the backend refuses to run in this SDK (built for another release), if it does. */
  versionError?: string;
}

/** What the pipeline is made of (native/core/deepstream/pipeline_plan.h), for tests and diagnostics. */
export interface DeepStreamPlan {
  live: boolean;
  elements: Array<{ factory: string; name: string; stream: number; props: Record<string, string> }>;
  links: Array<{ from: string; to: string; toPad?: string; dynamic: boolean }>;
}

declare module './addon.js' {
  interface NativeAddon {
    DeepStreamPipeline?: new (options: DeepStreamPipelineOptions) => NativeDeepStreamPipeline;
    deepstreamElementsAvailable?(): {
      available: boolean;
      ok: boolean;
      missing: string[];
      sdkDir: string;
      msgconvLib: string;
      sdkBuilt: string;
      sdkRuntime?: string;
      versionError?: string;
    };
    deepstreamPlan(options: Partial<DeepStreamPipelineOptions> & { inputs: string[] }, caps?: { nvurisrcbin?: boolean }): DeepStreamPlan;
    deepstreamStreamOfPath(gstObjectPath: string): number;
    deepstreamSdkCheck(built: string, runtime: string | null): string;
    deepstreamDefaultInferConfig(sdkVersion: string): string;
    deepstreamInferConfigMissingModel(configText: string, configDir: string, existingPaths: string[]): string;
    msgconvStartConverter(
      configFile: string | null,
      built: string,
      runtime: string | null,
    ): { ok: boolean; error?: string; analyticsModuleId?: string };
  }
}

export const DEEPSTREAM_ELEMENTS = ['nvstreammux', 'nvinfer', 'nvtracker', 'nvdsanalytics', 'nvmsgconv', 'nvmsgbroker'] as const;

/** Whether the DeepStream backend can run here, and if not, why. Never throws for a CPU-only build. */
export function deepstreamAvailability(): DeepStreamAvailability {
  const addon = loadAddon();
  if (!addon.deepstreamElementsAvailable || !addon.DeepStreamPipeline) {
    return { compiled: false, available: false, missing: [...DEEPSTREAM_ELEMENTS] };
  }
  const { available, missing, sdkDir, msgconvLib, sdkBuilt, sdkRuntime, versionError } = addon.deepstreamElementsAvailable();
  return {
    compiled: true,
    available,
    missing,
    sdkDir,
    msgconvLib,
    sdkBuilt,
    ...(sdkRuntime ? { sdkRuntime } : {}),
    ...(versionError ? { versionError } : {}),
  };
}

/** Splits a seed-style conn-str "host;port;topic" into nvmsgbroker's conn-str ("host;port") and topic. */
export function splitConnStr(connStr: string): { connStr: string; topic: string | undefined } {
  const parts = connStr.split(';');
  if (parts.length >= 3) return { connStr: parts.slice(0, 2).join(';'), topic: parts.slice(2).join(';') || undefined };
  return { connStr, topic: undefined };
}

/** The longest value DeepStream's Kafka adaptor reads from its config (MAX_FIELD_LEN 1024, with the NUL). */
export const KAFKA_ADAPTOR_MAX_VALUE = 1023;

/**
 * nvmsgbroker's conn-str and config file (cfg_kafka.txt) for a ds-kafka Kafka setup, so the DeepStream Kafka
 * adaptor (libnvds_kafka_proto.so) behaves like ds-kafka's own producer:
 *
 * - Several hosts ("k1,k2;9092;t"): the adaptor resolves the conn-str host field as ONE name (getaddrinfo,
 *   then bootstrap.servers = "<host>:<port>"), so "k1,k2" fails. The conn-str gets the first host (the
 *   adaptor's start-up reachability check) and proto-cfg gets bootstrap.servers with every host, which
 *   librdkafka applies after the conn-str's (the adaptor parses proto-cfg after setting bootstrap.servers).
 * - The message key: without partition-key the adaptor keys by "sensor.id", which ds-kafka's payload does not
 *   have (messages would go unkeyed). The config always names the key: the kafka config's partition-key,
 *   default deviceId, as the CPU backend.
 * - ds-kafka's [message-broker] passthrough keys (security.protocol, sasl.*, ssl.*) go into proto-cfg, which
 *   is where the adaptor reads librdkafka settings.
 */
export function deepstreamBrokerSettings(conn: ConnStr, config: KafkaConfig): { connStr: string; configText: string } {
  const first = conn.hosts[0]!.replace(/^\[(.*)\]$/, '$1');
  const kv = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${k}=${v}`).join(';');
  const proto: Array<[string, string]> = [['bootstrap.servers', conn.bootstrapServers], ...config.protoCfg, ...config.passthrough];
  const value = (key: string, v: string) => {
    if (v.length > KAFKA_ADAPTOR_MAX_VALUE) {
      throw new Error(
        `${key} for DeepStream's Kafka adaptor is ${v.length} characters; it reads at most ${KAFKA_ADAPTOR_MAX_VALUE} ` +
          '(shorten the kafka config, or list fewer hosts)',
      );
    }
    // GLib key-file string: backslashes escaped; the adaptor strips one pair of quotes.
    return `"${v.replace(/\\/g, '\\\\')}"`;
  };
  const lines = [
    '# Written by ds-kafka for nvmsgbroker (DeepStream Kafka adaptor); see deepstreamBrokerSettings().',
    '[message-broker]',
    `partition-key=${config.partitionKey}`,
    `proto-cfg=${value('proto-cfg', kv(proto))}`,
  ];
  if (config.producerProtoCfg.length > 0) lines.push(`producer-proto-cfg=${value('producer-proto-cfg', kv(config.producerProtoCfg))}`);
  if (config.consumerProtoCfg.length > 0) lines.push(`consumer-proto-cfg=${value('consumer-proto-cfg', kv(config.consumerProtoCfg))}`);
  if (config.consumerGroupId) lines.push(`consumer-group-id=${config.consumerGroupId}`);
  if (config.shareConnection) lines.push('share-connection=1');
  return { connStr: `${first};${conn.port}`, configText: `${lines.join('\n')}\n` };
}

/** Writes deepstreamBrokerSettings()' config to a private temporary file; remove() deletes it. */
export function writeDeepStreamBrokerConfig(configText: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-broker-'));
  const path = join(dir, 'cfg_kafka.txt');
  writeFileSync(path, configText, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Creates the native pipeline; throws a clear error when the build has no DeepStream backend. */
export function createDeepStreamPipeline(options: DeepStreamPipelineOptions): NativeDeepStreamPipeline {
  const addon = loadAddon();
  if (!addon.DeepStreamPipeline) {
    throw new Error(
      'this build of ds-kafka has no DeepStream backend: rebuild inside a DeepStream environment (6.0-6.3 or ' +
        '>= 7.1) with DS_KAFKA_DEEPSTREAM=ON (see docker/README.md), or use the CPU backend',
    );
  }
  return new addon.DeepStreamPipeline(options);
}
