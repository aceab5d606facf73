// `ds-kafka run`: the pipeline on video input(s), publishing analytics to Kafka.
// Flags follow DeepStream's apps where they overlap (-i, --conn-str, -c, -p, -s, --no-display).
import { existsSync } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { formatWarning } from '../../config/errors.js';
import { DeliveryError, InputError } from '../../errors.js';
import { createPipeline, type Pipeline } from '../../pipeline/pipeline.js';
import type { RunReport } from '../../pipeline/events.js';
import type { Backend, ProducerKind } from '../../pipeline/options.js';
import type { DetectorChoice } from '../../native/detector.js';
import type { ResumeMode } from '../../state/resume.js';
import { ExitCode } from '../exit-codes.js';
import { fail, UsageError } from '../fail.js';
import { createOutput, type LogFormat, type Output } from '../output.js';
import { Progress } from '../progress.js';
import { checkTopic } from '../../kafka/topic-check.js';

export function runBuilder(y: Argv) {
  return y
    .option('input', { alias: 'i', type: 'string', array: true, demandOption: true, describe: 'video file or URI (.h264, .mp4, .mkv, .avi, file://, rtsp://); repeat for several streams: stream N = N-th input' })
    .option('conn-str', { type: 'string', describe: 'Kafka "host;port;topic" (nvmsgbroker\'s conn-str). Without it: analytics only, counts printed' })
    .option('kafka-config', { alias: 'c', type: 'string', describe: 'cfg_kafka.txt: [message-broker] proto-cfg, producer-proto-cfg, partition-key, SASL/SSL' })
    .option('analytics-config', { type: 'string', describe: 'config_nvdsanalytics.txt: lines, ROIs, overcrowding, directions per stream' })
    .option('msgconv-config', { type: 'string', describe: 'converter config: [analytics0] (analyticsModule), [sensorN] (device ids), [payload-fields], [payload-static]' })
    .option('device-id', { type: 'string', array: true, describe: 'device id per stream, in input order (default: [sensorN] id, else stream-N)' })
    .option('backend', { choices: ['auto', 'cpu', 'deepstream'] as const, default: 'auto' as const, describe: 'deepstream when compiled in and its elements are registered; else cpu' })
    .option('producer', { choices: ['native', 'kafkajs'] as const, default: 'native' as const, describe: 'native: librdkafka in C++ (idempotent); kafkajs: the JavaScript path' })
    .option('frame-interval', { type: 'number', default: 0, describe: 'also send every N frames (0 = only on events)' })
    .option('send-on', { choices: ['crossing', 'roi-change', 'overcrowding-change'] as const, array: true, default: ['crossing'] as const, describe: 'which frames become messages' })
    .option('detector', { choices: ['auto', 'dnn', 'motion'] as const, default: 'auto' as const, describe: 'CPU backend detector: dnn (trained network, config/detector_dnn.txt), motion (background subtraction); auto: dnn when its model is installed' })
    .option('detector-config', { type: 'string', describe: 'CPU backend detector config (default config/detector_dnn.txt or config/detector_motion.txt; its kind is read from the file)' })
    .option('tracker-config', { type: 'string', describe: 'tracker config: CPU backend key file (default config/tracker_sort.txt); DeepStream backend nvtracker ll-config-file (default config/deepstream/config_tracker_IOU.yml)' })
    .option('realtime', { type: 'boolean', default: false, describe: 'pace file inputs at their frame rate, like live cameras' })
    .option('connect-timeout', { type: 'number', default: 8000, describe: 'network inputs (rtsp://, http://, udp://...): ms a connection may take to show its first frame before it is retried' })
    .option('stall-timeout', { type: 'number', default: 10000, describe: 'network inputs: ms without a new frame before a running source counts as stalled and is reconnected (0 = off)' })
    .option('reconnect-attempts', { type: 'number', default: 0, describe: 'network inputs: retries per outage before the stream fails (0 = forever); the delay doubles from 1 s up to --reconnect-max-delay, with full jitter' })
    .option('reconnect-max-delay', { type: 'number', default: 30000, describe: 'network inputs: cap of the reconnect delay in ms' })
    .option('delivery-timeout', { type: 'number', default: 300000, describe: 'ms a message may wait for the broker (buffered meanwhile) before it counts as failed' })
    .option('flush-timeout', { type: 'number', default: 30000, describe: 'ms to wait for outstanding deliveries at the end or on SIGINT/SIGTERM' })
    .option('proto-lib', { alias: 'p', type: 'string', describe: 'DeepStream backend: nvmsgbroker proto-lib (default: the SDK\'s libnvds_kafka_proto.so); ignored on cpu' })
    .option('schema', { alias: 's', type: 'number', describe: 'DeepStream backend: accepted for compatibility with the seed (ds-kafka always sends its own schema)' })
    .option('infer-config', { type: 'string', describe: 'DeepStream backend: nvinfer config (default: the SDK sample detector config for the running DeepStream, config/deepstream/config_infer_primary*.txt); ignored on cpu' })
    .option('http-port', { type: 'number', describe: 'serve the live page, /metrics (Prometheus), /healthz and /readyz on this port (0 = any free port; the URL is printed); read-only' })
    .option('http-host', { type: 'string', describe: 'interface for --http-port (default 127.0.0.1: this machine only; 0.0.0.0 in containers)' })
    .option('osd-output', { type: 'string', describe: 'CPU backend: write an annotated H.264 MP4 (rules, boxes with id and class, trails, crossings, lc_cum); with several inputs use {stream} in the path, e.g. out-{stream}.mp4' })
    .option('resume-counts', { choices: ['off', 'file', 'fresh', 'kafka'] as const, default: 'off' as const, describe: 'continue lc_cum_<label> across restarts: file (state per device id in --state-dir), kafka (newest message per device id on the topic), fresh (file, starting again from 0); off: from 0' })
    .option('state-dir', { type: 'string', describe: 'directory of the counting state for --resume-counts file/fresh (default $XDG_STATE_HOME/ds-kafka, else ~/.local/state/ds-kafka)' })
    .option('resume-timeout', { type: 'number', default: 30000, describe: 'ms --resume-counts kafka may take to read the topic back before the start fails' })
    .option('spool-dir', { type: 'string', describe: 'native producer: keep every message on disk here until the broker acknowledges it; a killed run\'s unacknowledged messages are re-sent (same messageid) at the next start' })
    .option('spool-max-mb', { type: 'number', default: 1024, describe: 'unacknowledged spool size limit; beyond it new messages are held in memory only (with a warning) until it drains' })
    .option('display', { type: 'boolean', default: false, describe: 'DeepStream backend: on-screen display (--no-display to keep it off); the cpu backend never displays' })
    .check((a) => {
      const bad = (a.input as string[]).filter((i) => typeof i !== 'string' || i.length === 0);
      if (bad.length) throw new UsageError('--input needs a file path or URI');
      if (!Number.isInteger(a.frameInterval) || (a.frameInterval as number) < 0) throw new UsageError('--frame-interval must be a whole number >= 0');
      if (!((a.deliveryTimeout as number) > 0)) throw new UsageError('--delivery-timeout must be > 0 ms');
      if (!((a.flushTimeout as number) >= 0)) throw new UsageError('--flush-timeout must be >= 0 ms');
      const whole = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= 86_400_000;
      if (!whole(a.connectTimeout, 100)) throw new UsageError('--connect-timeout must be a whole number of ms >= 100');
      if (!whole(a.stallTimeout, 0)) throw new UsageError('--stall-timeout must be a whole number of ms >= 0 (0 = off)');
      if (!whole(a.reconnectAttempts, 0)) throw new UsageError('--reconnect-attempts must be a whole number >= 0 (0 = forever)');
      if (!whole(a.reconnectMaxDelay, 1000)) throw new UsageError('--reconnect-max-delay must be a whole number of ms >= 1000');
      const ids = (a.deviceId as string[] | undefined) ?? [];
      if (ids.length > (a.input as string[]).length) throw new UsageError(`${ids.length} --device-id values for ${(a.input as string[]).length} input(s)`);
      if (ids.some((d) => d.length === 0) || (a.deviceId !== undefined && ids.length === 0)) throw new UsageError('--device-id cannot be empty');
      if (a.httpPort !== undefined && (!Number.isInteger(a.httpPort) || (a.httpPort as number) < 0 || (a.httpPort as number) > 65535)) throw new UsageError('--http-port must be a port number 0-65535');
      if (a.httpHost !== undefined && a.httpPort === undefined) throw new UsageError('--http-host needs --http-port');
      if (a.osdOutput !== undefined && (a.input as string[]).length > 1 && !String(a.osdOutput).includes('{stream}'))
        throw new UsageError(`--osd-output needs a {stream} placeholder with ${(a.input as string[]).length} inputs (e.g. out-{stream}.mp4)`);
      if (a.producer === 'kafkajs' && !a.connStr) throw new UsageError('--producer kafkajs needs --conn-str');
      // The spool and resume options are checked where the library checks them (src/pipeline/options.ts).
      if (a.stateDir !== undefined && !['file', 'fresh'].includes(a.resumeCounts as string)) throw new UsageError('--state-dir needs --resume-counts file or fresh');
      return true;
    });
}

interface RunArgs {
  input: string[];
  connStr?: string;
  kafkaConfig?: string;
  analyticsConfig?: string;
  msgconvConfig?: string;
  deviceId?: string[];
  backend: Backend;
  producer: ProducerKind;
  frameInterval: number;
  sendOn: Array<'crossing' | 'roi-change' | 'overcrowding-change'>;
  detector: DetectorChoice;
  detectorConfig?: string;
  trackerConfig?: string;
  realtime: boolean;
  connectTimeout: number;
  stallTimeout: number;
  reconnectAttempts: number;
  reconnectMaxDelay: number;
  inferConfig?: string;
  protoLib?: string;
  display: boolean;
  deliveryTimeout: number;
  flushTimeout: number;
  osdOutput?: string;
  httpPort?: number;
  httpHost?: string;
  resumeCounts: ResumeMode;
  stateDir?: string;
  resumeTimeout: number;
  spoolDir?: string;
  spoolMaxMb: number;
  quiet: boolean;
  logFormat: LogFormat;
}

function printReport(out: Output, report: RunReport, p: Pipeline): void {
  for (const s of report.streams) {
    const counts = Object.entries(s.lcCum).map(([k, v]) => `${k}=${v}`).join(' ');
    out.result(
      `stream ${s.streamId} (${s.deviceId}) ${s.input}: ${s.state}, ${s.frames} frames at ${s.fps.toFixed(1)} fps` +
        (s.reconnects ? `, ${s.reconnects} reconnect${s.reconnects === 1 ? '' : 's'}` : '') +
        (counts ? `; lc_cum ${counts}` : '') +
        (s.error ? `; ${s.error}` : ''),
      { event: 'stream', ...s },
    );
  }
  for (const s of report.streams) {
    const file = p.options.osdOutputs?.[s.streamId];
    if (file && existsSync(file)) out.result(`stream ${s.streamId}: annotated video written to ${file}`, { event: 'osd-output', streamId: s.streamId, file });
  }
  const d = report.delivery;
  const k = p.options.kafka;
  if (d && k) {
    const sp = d.spool;
    out.result(
      `kafka ${k.conn.bootstrapServers} topic "${k.conn.topic}": ${report.messages.built} messages, ` +
        `${d.delivered} delivered, ${d.failed + d.inFlight + report.messages.lost} not delivered` +
        (sp ? `; spool ${p.options.spool!.dir}: ${sp.resent} re-sent from an earlier run, ${sp.pending} left for the next start` + (sp.unspooled ? `, ${sp.unspooled} not spooled (full)` : '') : ''),
      { event: 'delivery', built: report.messages.built, ...d, lost: report.messages.lost },
    );
  } else if (k) {
    // DeepStream backend: nvmsgbroker publishes; its Kafka adaptor reports no per-message delivery.
    out.result(
      `kafka ${k.conn.bootstrapServers} topic "${k.conn.topic}": ${report.messages.built} messages handed to nvmsgbroker`,
      { event: 'delivery', built: report.messages.built },
    );
  } else {
    out.result(`${report.messages.built} messages built (no --conn-str: nothing published)`, { event: 'delivery', built: report.messages.built });
  }
}

export async function runHandler(a: ArgumentsCamelCase<RunArgs>): Promise<void> {
  const out = createOutput(a.logFormat, a.quiet);
  const pipeline = createPipeline({
    inputs: a.input,
    connStr: a.connStr,
    kafkaConfig: a.kafkaConfig,
    analyticsConfig: a.analyticsConfig,
    msgconvConfig: a.msgconvConfig,
    deviceIds: a.deviceId,
    backend: a.backend,
    producer: a.producer,
    sendOn: {
      lineCrossing: a.sendOn.includes('crossing'),
      roiChange: a.sendOn.includes('roi-change'),
      overcrowdingChange: a.sendOn.includes('overcrowding-change'),
      frameInterval: a.frameInterval,
    },
    detector: a.detector,
    detectorConfig: a.detectorConfig,
    trackerConfig: a.trackerConfig,
    realtime: a.realtime,
    connectTimeoutMs: a.connectTimeout,
    stallTimeoutMs: a.stallTimeout,
    reconnect: { attempts: a.reconnectAttempts, maxDelayMs: a.reconnectMaxDelay },
    inferConfig: a.inferConfig,
    protoLib: a.protoLib,
    display: a.display,
    deliveryTimeoutMs: a.deliveryTimeout,
    flushTimeoutMs: a.flushTimeout,
    ...(a.osdOutput !== undefined ? { osdOutput: a.osdOutput } : {}),
    ...(a.httpPort !== undefined ? { http: { port: a.httpPort, ...(a.httpHost ? { host: a.httpHost } : {}) } } : {}),
    resumeCounts: a.resumeCounts,
    ...(a.stateDir !== undefined ? { stateDir: a.stateDir } : {}),
    resumeTimeoutMs: a.resumeTimeout,
    ...(a.spoolDir !== undefined ? { spoolDir: a.spoolDir, spoolMaxMb: a.spoolMaxMb } : {}),
  });
  for (const w of pipeline.options.warnings) out.warn(formatWarning(w));
  const progress = new Progress(out, pipeline, a.logFormat, a.quiet);
  pipeline.on('info', (m) => progress.note(m));
  pipeline.on('warning', (w) => {
    if (w.source === 'config') return; // printed above
    // With one input, its error is the run's error line; with several, say early that one stream stopped.
    if (w.streamError && a.input.length === 1) return;
    progress.warn(`${w.streamId !== undefined ? `stream ${w.streamId}: ` : ''}${w.message}`);
  });

  // A missing topic fails now, not as a count when the delivery deadline passes; a broker that is down
  // at start keeps today's behaviour (messages wait for it).
  const topic = await checkTopic(pipeline.options);
  if (topic.note) progress.note(`kafka: ${topic.note}`);
  // The broker's reason for the last failed delivery, for the final error line.
  let deliveryError: string | undefined;
  pipeline.on('delivery', (d) => {
    if (!d.ok && d.error) deliveryError = d.error;
  });

  let signal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal) {
      out.error(`second ${sig}: exiting without waiting for the flush`);
      process.exit(sig === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
    }
    signal = sig;
    progress.note(`${sig}: stopping, flushing Kafka (up to ${a.flushTimeout} ms)…`);
    void pipeline.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  pipeline.start();
  progress.start();
  let report: RunReport;
  try {
    report = await pipeline.done;
  } catch (err) {
    progress.stop();
    const r = (err as { report?: RunReport }).report;
    if (r) printReport(out, r, pipeline);
    if (err instanceof DeliveryError && deliveryError) err.message += ` (last delivery error: ${deliveryError})`;
    if (err instanceof InputError || err instanceof DeliveryError) fail(out, err);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.stop();
  printReport(out, report, pipeline);
  if (signal) process.exit(signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
}
