// The library's pipeline: one object per run, several per process if you like.
//
//   const p = createPipeline({ inputs: ['cam.h264'], connStr: 'localhost;9092;ds-kafka', analyticsConfig: 'config_nvdsanalytics.txt' });
//   p.on('message', (m) => ...);
//   const report = await p.start().done;
//
// Video and analytics stay in native threads; JavaScript receives bounded, droppable event streams and
// can never stall decoding. stop() flushes Kafka and resolves with the final report.
import { EventEmitter } from 'node:events';
import { DeliveryError, InputError } from '../errors.js';
import { KafkajsProducer } from '../kafka/kafkajs-producer.js';
import { NativeKafkaProducer } from '../kafka/native-producer.js';
import { producerPropertiesFrom } from '../kafka/properties.js';
import type { MessageProducer, ProducerEvent } from '../kafka/types.js';
import { buildPayload } from '../payload/build.js';
import { chooseBackend } from './backend.js';
import type { FrameRecord, PipelineEvents, RunReport, StreamReport } from './events.js';
import { resolvePipelineOptions, type PipelineOptions, type ResolvedPipelineOptions } from './options.js';
import { startCpuRun, startDeepStreamRun, type NativeRun, type NativeRunEvent } from './native-run.js';
import { RecordQueue } from './record-queue.js';
import { startHttpServer, type HttpHandle } from '../http/server.js';
import { ConfigError } from '../config/errors.js';
import type { DeliveryStats } from '../kafka/types.js';

export class Pipeline extends EventEmitter<PipelineEvents> {
  readonly options: ResolvedPipelineOptions;
  /** Resolves with the final report after the end of every input (or stop()) and the Kafka flush. */
  readonly done: Promise<RunReport>;
  private resolveDone!: (r: RunReport) => void;
  private rejectDone!: (e: Error) => void;
  private run: NativeRun | undefined;
  private producer: MessageProducer | undefined;
  private started = false;
  private backend: 'cpu' | 'deepstream' = 'cpu';
  private stopping = false;
  private built = 0;
  private lost = 0;
  private readonly queues = new Set<RecordQueue<FrameRecord>>();
  private http: HttpHandle | undefined;
  private httpUrlValue: string | undefined;

  /** Parses and checks every option (throws ConfigError / InputError); starts nothing. */
  constructor(options: PipelineOptions) {
    super();
    this.options = resolvePipelineOptions(options);
    this.done = new Promise<RunReport>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // `done` carries the failure; an 'error' listener is optional.
    this.done.catch(() => {});
    for (const w of this.options.warnings) queueMicrotask(() => this.emit('warning', { source: 'config', message: w.message }));
  }

  start(): this {
    if (this.started) throw new Error('pipeline already started');
    this.started = true;
    const o = this.options;
    const backend = chooseBackend(o.backend);
    this.backend = backend.backend;
    queueMicrotask(() => this.emit('info', `backend: ${backend.backend} (${backend.reason})`));
    const detector = o.detector;
    if (backend.backend === 'cpu' && detector) {
      const model = detector.kind === 'dnn' ? ` ${String(detector.config['model'])}` : '';
      queueMicrotask(() => this.emit('info', `detector: ${detector.kind}${model} (${detector.reason})`));
    }
    // On DeepStream, nvmsgbroker publishes; our producers serve the CPU backend.
    if (o.kafka && backend.backend === 'cpu') {
      const producerOptions = {
        bootstrapServers: o.kafka.conn.bootstrapServers,
        topic: o.kafka.conn.topic,
        properties: producerPropertiesFrom(o.kafka.config),
        deliveryTimeoutMs: o.deliveryTimeoutMs,
      };
      const onEvent = (e: ProducerEvent) => {
        if (e.type === 'delivery') this.emit('delivery', e);
        else if (e.level === 'warn' || e.level === 'error') this.emit('warning', { source: 'kafka', message: e.message });
      };
      this.producer =
        o.producer === 'kafkajs' ? new KafkajsProducer(producerOptions, onEvent) : new NativeKafkaProducer(producerOptions, onEvent);
    }
    if (o.http) this.startHttp(o.http);
    try {
      const onEvent = (e: NativeRunEvent) => this.onNativeEvent(e);
      this.run = backend.backend === 'deepstream' ? startDeepStreamRun(o, onEvent) : startCpuRun(o, this.producer, onEvent);
    } catch (err) {
      void this.producer?.close(0);
      void this.http?.close();
      this.rejectDone(err as Error);
      throw err;
    }
    return this;
  }

  /** Stops decoding, flushes Kafka, resolves with the final report. Idempotent. */
  /** The latest annotated JPEG of a stream while the live page is on (CPU backend), else undefined. */
  snapshot(streamId: number): Buffer | undefined {
    return this.run?.snapshot?.(streamId);
  }

  async stop(): Promise<RunReport> {
    if (!this.started) throw new Error('pipeline not started');
    if (!this.stopping) {
      this.stopping = true;
      this.run?.stop();
    }
    return this.done;
  }

  /** With `http`: the server's URL (e.g. http://127.0.0.1:8080/) once it listens; also said in an 'info' event. */
  get httpUrl(): string | undefined {
    return this.httpUrlValue;
  }

  /** The producer's counts so far (absent without Kafka or on the DeepStream backend). Read-only. */
  producerStats(): DeliveryStats | undefined {
    return this.producer?.stats();
  }

  private startHttp(h: NonNullable<ResolvedPipelineOptions['http']>): void {
    const http = (this.http = startHttpServer(this, h));
    http.listening.then(
      (url) => {
        this.httpUrlValue = url;
        this.emit('info', `http: live page ${url} (also ${url}metrics, ${url}healthz, ${url}readyz)`);
      },
      (err: Error) => {
        // A port that cannot be bound is a configuration error: the run stops.
        this.fail(new ConfigError(`cannot serve http on ${h.host ?? '127.0.0.1'}:${h.port}: ${err.message}`));
        this.stop().catch(() => {});
      },
    );
    // After the end, the final values stay served for lingerMs (without keeping the process alive).
    const end = () => {
      http.unref();
      setTimeout(() => void http.close(), h.lingerMs ?? 0).unref();
    };
    this.done.then(end, end);
  }

  /** Per-frame analytics records as an async iterator (bounded: the oldest are dropped and counted). */
  records(capacity = 1024): AsyncIterableIterator<FrameRecord> {
    const q = new RecordQueue<FrameRecord>(capacity, () => this.queues.delete(q));
    this.queues.add(q);
    return q;
  }

  private onNativeEvent(e: NativeRunEvent): void {
    switch (e.kind) {
      case 'frame':
        this.emit('frame', e.record);
        for (const q of this.queues) q.push(e.record);
        break;
      case 'message': {
        this.built++;
        if (this.producer?.kind === 'kafkajs') {
          // The JavaScript path builds its own payload (byte-for-byte the native one) and sends it.
          const payload = buildPayload(this.options.mapping, e.record, e.ctx);
          e.seq = this.producer.send(e.key, payload);
          e.payload = payload;
        } else if (e.error) {
          this.lost++;
          this.emit('warning', { streamId: e.streamId, source: 'kafka', message: `message not queued: ${e.error}` });
        }
        this.emit('message', { streamId: e.streamId, frameNum: e.frameNum, reason: e.reason, key: e.key, payload: e.payload, seq: e.seq });
        break;
      }
      case 'warning':
        this.emit('warning', { streamId: e.streamId, source: 'pipeline', message: e.message });
        break;
      case 'error':
        this.emit('warning', { streamId: e.streamId, source: 'pipeline', message: e.message, streamError: true });
        break;
      case 'eos':
        void this.finish(e);
        break;
    }
  }

  /** `done` rejects; 'error' is emitted only to listeners (an unheard 'error' event would throw). */
  private fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.rejectDone(err);
  }

  private async finish(e: Extract<NativeRunEvent, { kind: 'eos' }>): Promise<void> {
    try {
      // Messages the JS path could not receive were never sent: they count as lost.
      this.lost += e.messagesDropped;
      const delivery = this.producer ? await this.producer.close(this.options.flushTimeoutMs) : undefined;
      for (const q of this.queues) q.end();
      const streams: StreamReport[] = e.streams.map((s) => ({ ...s, deviceId: this.options.deviceIds[s.streamId] ?? `stream-${s.streamId}` }));
      const report: RunReport = {
        backend: this.backend,
        stopped: e.stopped,
        wallMs: e.wallMs,
        frames: e.frames,
        fps: e.fps,
        streams,
        messages: { built: this.built, lost: this.lost },
        delivery,
        eventsDropped: e.eventsDropped,
      };
      this.emit('eos', report);
      const failedStreams = streams.filter((s) => s.state === 'error');
      if (failedStreams.length > 0) {
        const err = Object.assign(new InputError(failedStreams.map((s) => s.error ?? `stream ${s.streamId} failed`).join('; ')), { report });
        this.fail(err);
      } else if (delivery && (delivery.failed > 0 || delivery.inFlight > 0 || this.lost > 0)) {
        const err = Object.assign(
          new DeliveryError(
            `${delivery.failed + delivery.inFlight + this.lost} of ${this.built} message(s) not delivered to ${this.options.kafka!.conn.bootstrapServers} topic "${this.options.kafka!.conn.topic}"`,
            delivery.failed + delivery.inFlight + this.lost,
          ),
          { report },
        );
        this.fail(err);
      } else {
        this.resolveDone(report);
      }
    } catch (err) {
      this.rejectDone(err as Error);
    }
  }
}

/** Creates (and validates) a pipeline; call start() to run it. */
export function createPipeline(options: PipelineOptions): Pipeline {
  return new Pipeline(options);
}

/** Runs to the end of every input and resolves with the report (rejects on input or delivery failure). */
export async function runPipeline(options: PipelineOptions, signal?: AbortSignal): Promise<RunReport> {
  const p = createPipeline(options).start();
  const onAbort = () => void p.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await p.done;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
