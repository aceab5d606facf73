// Pipeline options (the library's and the CLI's, one set) and their resolution: every config file is
// parsed here, before anything starts, so a bad file or input fails fast with a typed error.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ANALYTICS_DEFAULTS, loadAnalyticsConfig } from '../config/analytics-config.js';
import { ConfigError, makeWarning, type ConfigWarning } from '../config/errors.js';
import { buildPayloadMapping } from '../config/field-mapping.js';
import { defaultKafkaConfig, loadKafkaConfig, parseConnStr, type ConnStr, type KafkaConfig } from '../config/kafka-config.js';
import { loadMsgconvConfig, type MsgconvConfig } from '../config/msgconv-config.js';
import type { PayloadMapping, ResolvedAnalyticsConfig } from '../config/resolved.js';
import { InputError } from '../errors.js';
import { resolveDetector, type DetectorChoice, type ResolvedDetector } from '../native/detector.js';
import type { ReconnectOptions } from '../native/pipeline.js';
import { defaultStateDir, type ResumeMode, type ResumeSettings } from '../state/resume.js';
import { trackerConfig } from '../native/tracker.js';
import { loadAddon } from '../native/addon.js';
import type { RuleOrigin } from '../config/analytics-config.js';
import { checkKafkaProperties } from '../kafka/conf-check.js';
import { kafkajsSettings } from '../kafka/kafkajs-config.js';
import { propertyList } from '../kafka/properties.js';

export type Backend = 'auto' | 'cpu' | 'deepstream';
export type ProducerKind = 'native' | 'kafkajs';

export interface SendOn {
  /** Frames where a line was crossed (default true, as the seed). */
  lineCrossing?: boolean;
  /** Also every N-th frame (0 = off). */
  frameInterval?: number;
  /** Frames where an ROI count changed. */
  roiChange?: boolean;
  /** Frames where an overcrowding status changed. */
  overcrowdingChange?: boolean;
}

export interface PipelineOptions {
  /** Stream N = inputs[N]: file paths (.h264, .mp4, .mkv, .avi) or file:// / rtsp:// URIs. */
  inputs: string[];
  /** Kafka "host;port;topic" (DeepStream's conn-str). Absent: analytics only, nothing is published. */
  connStr?: string;
  /** cfg_kafka.txt path, or a parsed config. */
  kafkaConfig?: string | KafkaConfig;
  /** config_nvdsanalytics.txt path, or a resolved config. */
  analyticsConfig?: string | ResolvedAnalyticsConfig;
  /** Converter config (msgconv_config.txt: [analytics0], [sensorN], [payload-fields], [payload-static]). */
  msgconvConfig?: string | MsgconvConfig;
  /** Device id per stream (default: [sensorN] id of the converter config, else "stream-N"). */
  deviceIds?: string[];
  backend?: Backend;
  producer?: ProducerKind;
  sendOn?: SendOn;
  /**
   * CPU backend detector: 'dnn' (a trained network, config/detector_dnn.txt), 'motion' (background
   * subtraction, config/detector_motion.txt) or 'auto' (default: dnn when its model is installed, else motion).
   */
  detector?: DetectorChoice;
  /** CPU backend detector key file (its kind is read from it: a `model-file` key means dnn). */
  detectorConfig?: string;
  /** CPU backend tracker key file (default config/tracker_sort.txt). */
  trackerConfig?: string;
  /** Pace file inputs at their frame rate, like live cameras (default false). */
  realtime?: boolean;
  /** CPU backend, network inputs: a connection that shows no frame within this time is retried (default 8000 ms). */
  connectTimeoutMs?: number;
  /** CPU backend, network inputs: a running source without a new frame for this long is retried (default 10000 ms; 0 = off). */
  stallTimeoutMs?: number;
  /**
   * Network inputs: reconnect after an error, a stall or (rtsp/udp/...) an end of stream, forever by default,
   * with exponential backoff and full jitter (1 s doubling to 30 s). Tracks restart, lc_cum carries on.
   */
  reconnect?: ReconnectOptions;
  /** How long a message may wait for the broker before it counts as failed (default 300000 ms). */
  deliveryTimeoutMs?: number;
  /** How long stop()/end of stream waits for outstanding deliveries (default 30000 ms). */
  flushTimeoutMs?: number;
  /** Per-frame analytics records to JavaScript ('frame' events, records()); default true. */
  frameEvents?: boolean;
  /** Frame records that may wait for JavaScript before newer ones are dropped and counted (default 1024). */
  eventQueueSize?: number;
  /** DeepStream backend: nvinfer config (default config/deepstream/config_infer_primary.txt). */
  inferConfig?: string;
  /** DeepStream backend: nvmsgbroker proto-lib (default: the SDK's libnvds_kafka_proto.so). */
  protoLib?: string;
  /** DeepStream backend: on-screen display (default false, as --no-display). */
  display?: boolean;
  /**
   * CPU backend: write an annotated H.264 MP4 of the processed frames (rules, boxes with track id and class,
   * trails, line flashes, lc_cum panel), drawn and encoded natively. With several inputs the path needs a
   * `{stream}` placeholder (replaced by the stream index).
   */
  osdOutput?: string;
  /** Serve the live page, /metrics, /healthz and /readyz (read-only; src/http/). Needs frame events (kept on). */
  http?: HttpOptions;
  /**
   * Continue lc_cum_<label> across restarts (src/state/resume.ts): 'off' (default: from 0), 'file' (state
   * files in stateDir), 'fresh' (as file, but start from 0 and replace the saved state), 'kafka' (the newest
   * message of each device id on the topic).
   */
  resumeCounts?: ResumeMode;
  /** State directory for resumeCounts 'file' / 'fresh' (default $XDG_STATE_HOME/ds-kafka or ~/.local/state/ds-kafka). */
  stateDir?: string;
  /** resumeCounts 'kafka': how long reading the topic back may take before the start fails (default 30000 ms). */
  resumeTimeoutMs?: number;
  /**
   * Native producer: spool every message to this directory until the broker acknowledges it; what a killed
   * run left unacknowledged is re-sent (same messageid) at the next start. Off by default.
   */
  spoolDir?: string;
  /** Unacknowledged spool size limit in MiB (default 1024); beyond it messages are held in memory only. */
  spoolMaxMb?: number;
}

export interface HttpOptions {
  /** TCP port; 0 = any free port (the URL is in Pipeline.httpUrl and an 'info' event). */
  port: number;
  /** Interface to bind (default 127.0.0.1: this machine only). */
  host?: string;
  /** /healthz fails when a running stream's frame count has not advanced for this long (default 30 s). */
  stallSeconds?: number;
  /** After the run ends, keep serving the final values this long (default 0), e.g. for a last scrape. */
  lingerMs?: number;
}

export interface ResolvedPipelineOptions {
  inputs: string[];
  /** The files as given (the DeepStream backend hands them to nvdsanalytics, nvmsgconv, nvmsgbroker). */
  files: { analyticsConfig?: string; msgconvConfig?: string; kafkaConfig?: string };
  analytics: ResolvedAnalyticsConfig;
  mapping: PayloadMapping;
  deviceIds: string[];
  kafka?: { conn: ConnStr; config: KafkaConfig };
  producer: ProducerKind;
  backend: Backend;
  sendOn: Required<SendOn>;
  /** The CPU backend's detector (absent when the DeepStream backend was asked for). */
  detector?: ResolvedDetector;
  detectorConfig?: string;
  trackerConfig?: string;
  realtime: boolean;
  /** Network inputs: connect timeout, stall watchdog and reconnection (defaults filled in). */
  live: { connectTimeoutMs: number; stallTimeoutMs: number; reconnect: Required<ReconnectOptions> };
  deliveryTimeoutMs: number;
  flushTimeoutMs: number;
  frameEvents: boolean;
  eventQueueSize: number;
  inferConfig?: string;
  protoLib?: string;
  display: boolean;
  /** Annotated MP4 per stream (osdOutput with {stream} replaced). */
  osdOutputs?: string[];
  /** osdOutput as given (the DeepStream backend writes one tiled video). */
  osdOutputPattern?: string;
  http?: HttpOptions;
  resume: ResumeSettings;
  spool?: { dir: string; maxBytes: number };
  warnings: ConfigWarning[];
}

/** An analytics config that counts nothing but objects: for runs without config_nvdsanalytics.txt. */
function emptyAnalytics(streams: number): ResolvedAnalyticsConfig {
  const d = ANALYTICS_DEFAULTS;
  return {
    enable: d.enable,
    configWidth: d.configWidth,
    configHeight: d.configHeight,
    osdMode: d.osdMode,
    displayFontSize: d.displayFontSize,
    displayObjCnt: d.displayObjCnt,
    objCntWinMs: d.objCntWinMs,
    streams: Array.from({ length: streams }, (_, i) => ({ streamId: i, rois: [], overcrowding: [], lines: [], directions: [] })),
  };
}

function isUri(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

/** Checks a local input before the pipeline starts: a missing file is an InputError naming it. */
export function checkInput(input: string): void {
  if (input.startsWith('file://')) return checkInput(decodeURIComponent(new URL(input).pathname));
  if (isUri(input)) return;
  if (!existsSync(input)) throw new InputError(`input not found: ${input}`);
  const st = statSync(input);
  if (!st.isFile()) throw new InputError(`input is not a file: ${input}`);
  if (st.size === 0) throw new InputError(`input is empty: ${input}`);
}

/**
 * The motion detector reports one class id for everything it sees: a rule whose class filter excludes it
 * would silently count nothing (e.g. people lines with class-id=2 when the DNN model is not installed).
 */
function detectorClassWarnings(detector: ResolvedDetector, analytics: ResolvedAnalyticsConfig, file?: string): ConfigWarning[] {
  if (detector.kind !== 'motion') return [];
  const classId = Number(detector.config['class-id']);
  const out: ConfigWarning[] = [];
  for (const s of analytics.streams) {
    const rules = [...s.lines, ...s.rois, ...s.overcrowding, ...s.directions];
    const excluded = rules.filter((r) => r.classIds.length > 0 && !r.classIds.includes(-1) && !r.classIds.includes(classId));
    if (excluded.length === 0) continue;
    out.push(
      makeWarning(
        'unused',
        `stream ${s.streamId}: ${excluded.map((r) => `"${r.label}"`).join(', ')} count only class-id ${[...new Set(excluded.flatMap((r) => r.classIds))].join(';')}, ` +
          `but the motion detector reports every object as class ${classId} (${detector.reason}): they will count nothing. ` +
          'Install the DNN model (npm run setup) or set class-id in the motion detector config.',
        file ? { file } : {},
      ),
    );
  }
  return out;
}

/** A stream the analytics config has no [*-stream-N] group for gets no rules: say so, naming it. */
function streamsWithoutRules(analytics: ResolvedAnalyticsConfig, inputs: string[], file?: string): ConfigWarning[] {
  if (!analytics.enable) return [];
  return inputs.flatMap((input, i) =>
    analytics.streams.some((s) => s.streamId === i)
      ? []
      : [
          makeWarning(
            'unused',
            `stream ${i} (${input}) has no rules: the analytics config has no [line-crossing-stream-${i}], ` +
              `[roi-filtering-stream-${i}], [overcrowding-stream-${i}] or [direction-detection-stream-${i}] group, so nothing is counted on it`,
            file ? { file } : {},
          ),
        ],
  );
}

function checkTrackerConfig(path: string): void {
  if (!existsSync(path)) throw new ConfigError(`tracker config not found: ${path}`);
  try {
    trackerConfig(path);
  } catch (err) {
    // The native parser's message already names file:line and key.
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
}

function resolveLiveOptions(opts: PipelineOptions): ResolvedPipelineOptions['live'] {
  const whole = (name: string, v: number | undefined, def: number, min: number): number => {
    if (v === undefined) return def;
    if (!Number.isInteger(v) || v < min || v > 86_400_000) throw new ConfigError(`${name} must be a whole number ${min}-86400000, got ${v}`);
    return v;
  };
  const r = opts.reconnect ?? {};
  const reconnect = {
    attempts: whole('reconnect attempts', r.attempts, 0, 0),
    initialDelayMs: whole('reconnect initialDelayMs', r.initialDelayMs, 1000, 1),
    maxDelayMs: whole('reconnect maxDelayMs', r.maxDelayMs, 30_000, 1),
  };
  if (reconnect.maxDelayMs < reconnect.initialDelayMs)
    throw new ConfigError(`reconnect maxDelayMs (${reconnect.maxDelayMs}) must be >= initialDelayMs (${reconnect.initialDelayMs})`);
  return {
    connectTimeoutMs: whole('connect timeout (ms)', opts.connectTimeoutMs, 8000, 100),
    stallTimeoutMs: whole('stall timeout (ms)', opts.stallTimeoutMs, 10_000, 0),
    reconnect,
  };
}

function checkHttp(h: HttpOptions): HttpOptions {
  if (!Number.isInteger(h.port) || h.port < 0 || h.port > 65535) throw new ConfigError(`http port must be a whole number 0-65535, got ${h.port}`);
  if (h.stallSeconds !== undefined && !(h.stallSeconds > 0)) throw new ConfigError(`http stallSeconds must be > 0, got ${h.stallSeconds}`);
  return { ...h };
}

/** --osd-output per stream: `{stream}` is required with several inputs; the directory must exist. */
export function resolveOsdOutputs(pattern: string, inputs: number): string[] {
  if (pattern.length === 0) throw new InputError('the annotated video path (osdOutput) is empty');
  if (inputs > 1 && !pattern.includes('{stream}'))
    throw new InputError(`${inputs} inputs write ${inputs} annotated videos: put {stream} in the path (e.g. out-{stream}.mp4)`);
  const paths = Array.from({ length: inputs }, (_, i) => pattern.replaceAll('{stream}', String(i)));
  for (const p of paths) {
    const dir = dirname(p);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`cannot write the annotated video ${p}: directory ${dir} not found`);
  }
  return paths;
}

export function resolvePipelineOptions(opts: PipelineOptions): ResolvedPipelineOptions {
  if (!opts.inputs || opts.inputs.length === 0) throw new InputError('no input: give at least one video file or URI');
  opts.inputs.forEach(checkInput);
  const warnings: ConfigWarning[] = [];

  let analytics: ResolvedAnalyticsConfig;
  let origins: RuleOrigin[] | undefined;
  if (typeof opts.analyticsConfig === 'string') {
    const r = loadAnalyticsConfig(opts.analyticsConfig);
    analytics = r.config;
    origins = r.origins;
    warnings.push(...r.warnings);
  } else {
    analytics = opts.analyticsConfig ?? emptyAnalytics(opts.inputs.length);
  }

  let msgconv: MsgconvConfig | undefined;
  if (typeof opts.msgconvConfig === 'string') {
    const r = loadMsgconvConfig(opts.msgconvConfig);
    msgconv = r.config;
    warnings.push(...r.warnings);
  } else {
    msgconv = opts.msgconvConfig;
  }

  const streamIds = opts.inputs.map((_, i) => i);
  const mapping = buildPayloadMapping(analytics, msgconv, streamIds, { warnings, ...(origins ? { origins } : {}) });
  if (opts.analyticsConfig !== undefined) warnings.push(...streamsWithoutRules(analytics, opts.inputs, typeof opts.analyticsConfig === 'string' ? opts.analyticsConfig : undefined));
  if (opts.deviceIds && opts.deviceIds.length > opts.inputs.length) {
    throw new InputError(`${opts.deviceIds.length} device ids for ${opts.inputs.length} input(s): give at most one per input`);
  }
  const deviceIds = streamIds.map(
    (i) => opts.deviceIds?.[i] ?? mapping.streams.find((s) => s.streamId === i)?.deviceId ?? `stream-${i}`,
  );

  let kafka: ResolvedPipelineOptions['kafka'];
  // A Kafka config is read and checked even without connStr, so a missing or bad file is never ignored.
  const kafkaConfig = typeof opts.kafkaConfig === 'string' ? loadKafkaConfig(opts.kafkaConfig) : opts.kafkaConfig;
  if (kafkaConfig) checkKafkaProperties(kafkaConfig);
  if (opts.connStr !== undefined) {
    const config = kafkaConfig ?? defaultKafkaConfig();
    warnings.push(...config.warnings);
    kafka = { conn: parseConnStr(opts.connStr), config };
    // kafkajs honours only part of librdkafka's properties: refuse the others here (file:line), never drop them.
    if (opts.producer === 'kafkajs') kafkajsSettings(propertyList(config, 'producer'));
  } else if (kafkaConfig) {
    warnings.push(makeWarning('unused', 'Kafka config read but not used: nothing is published without a conn-str (--conn-str)', { file: kafkaConfig.file }));
  }

  const files: ResolvedPipelineOptions['files'] = {};
  if (typeof opts.analyticsConfig === 'string') files.analyticsConfig = opts.analyticsConfig;
  if (typeof opts.msgconvConfig === 'string') files.msgconvConfig = opts.msgconvConfig;
  if (typeof opts.kafkaConfig === 'string') files.kafkaConfig = opts.kafkaConfig;

  const detector = opts.backend === 'deepstream' ? undefined : resolveDetector(opts.detector ?? 'auto', opts.detectorConfig);
  // The CPU tracker's key file, parsed now so a bad one is a ConfigError (file:line) before anything starts.
  // (Only where the CPU backend surely runs: on DeepStream it is nvtracker's YAML.)
  if (opts.trackerConfig !== undefined && (opts.backend === 'cpu' || (detector && !loadAddon().capabilities().deepstream)))
    checkTrackerConfig(opts.trackerConfig);
  if (detector) warnings.push(...detectorClassWarnings(detector, analytics, files.analyticsConfig));

  return {
    inputs: opts.inputs,
    files,
    analytics,
    mapping,
    deviceIds,
    kafka,
    producer: opts.producer ?? 'native',
    backend: opts.backend ?? 'auto',
    sendOn: {
      lineCrossing: opts.sendOn?.lineCrossing ?? true,
      frameInterval: opts.sendOn?.frameInterval ?? 0,
      roiChange: opts.sendOn?.roiChange ?? false,
      overcrowdingChange: opts.sendOn?.overcrowdingChange ?? false,
    },
    ...(detector ? { detector } : {}),
    detectorConfig: opts.detectorConfig,
    trackerConfig: opts.trackerConfig,
    realtime: opts.realtime ?? false,
    live: resolveLiveOptions(opts),
    deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 300_000,
    flushTimeoutMs: opts.flushTimeoutMs ?? 30_000,
    // The HTTP side counts from frame events.
    frameEvents: opts.http ? true : (opts.frameEvents ?? true),
    eventQueueSize: opts.eventQueueSize ?? 1024,
    inferConfig: opts.inferConfig,
    protoLib: opts.protoLib,
    display: opts.display ?? false,
    ...(opts.osdOutput !== undefined
      ? { osdOutputs: resolveOsdOutputs(opts.osdOutput, opts.inputs.length), osdOutputPattern: opts.osdOutput }
      : {}),
    ...(opts.http ? { http: checkHttp(opts.http) } : {}),
    resume: resolveResumeSettings(opts, kafka !== undefined),
    ...(opts.spoolDir !== undefined ? { spool: resolveSpool(opts, kafka !== undefined) } : {}),
    warnings,
  };
}

function resolveResumeSettings(opts: PipelineOptions, hasKafka: boolean): ResumeSettings {
  const mode = opts.resumeCounts ?? 'off';
  if (!['off', 'file', 'fresh', 'kafka'].includes(mode)) throw new ConfigError(`resumeCounts must be off, file, fresh or kafka, got ${JSON.stringify(mode)}`);
  if (mode === 'kafka' && !hasKafka) throw new ConfigError('--resume-counts kafka reads the counts back from the topic: give --conn-str');
  const timeoutMs = opts.resumeTimeoutMs ?? 30_000;
  if (!(timeoutMs > 0)) throw new ConfigError(`--resume-timeout (resumeTimeoutMs) must be > 0 ms, got ${timeoutMs}`);
  if (opts.stateDir !== undefined && opts.stateDir.length === 0) throw new ConfigError('the state directory (--state-dir) is empty');
  return { mode, stateDir: opts.stateDir ?? defaultStateDir(), timeoutMs };
}

function resolveSpool(opts: PipelineOptions, hasKafka: boolean): { dir: string; maxBytes: number } {
  if (!opts.spoolDir) throw new ConfigError('the spool directory (--spool-dir) is empty');
  if (!hasKafka) throw new ConfigError('--spool-dir keeps messages for Kafka: give --conn-str');
  if ((opts.producer ?? 'native') !== 'native') throw new ConfigError('--spool-dir works with the native producer (librdkafka), not --producer kafkajs');
  if (opts.backend === 'deepstream') throw new ConfigError('--spool-dir works with the CPU backend: on DeepStream, nvmsgbroker publishes');
  const mb = opts.spoolMaxMb ?? 1024;
  if (!(mb > 0)) throw new ConfigError(`--spool-max-mb (spoolMaxMb) must be > 0, got ${mb}`);
  return { dir: opts.spoolDir, maxBytes: Math.floor(mb * 1024 * 1024) };
}
