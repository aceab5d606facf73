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
import { CountStateWriter, resolveResume, type ResumeInput, type StreamResume } from '../state/resume.js';
import { kafkajsConnection } from '../kafka/kafkajs-config.js';
import { StateFollower } from '../state/state-follower.js';

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
  /** --resume-counts: per stream, what the run continued from; the state files' feed (file modes). */
  private resumed: StreamResume[] | undefined;
  private state: StateFollower | undefined;

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
        ...(o.spool ? { spoolDir: o.spool.dir, spoolMaxBytes: o.spool.maxBytes } : {}),
      };
      const onEvent = (e: ProducerEvent) => {
        if (e.type === 'delivery') {
          this.state?.onDelivery(e.seq, e.ok);
          this.emit('delivery', e);
        } else if (e.level === 'warn' || e.level === 'error') this.emit('warning', { source: 'kafka', message: e.message });
        else if (e.level === 'info' && e.message.startsWith('spool ')) this.emit('info', e.message);
      };
      try {
        this.producer =
          o.producer === 'kafkajs' ? new KafkajsProducer(producerOptions, onEvent) : new NativeKafkaProducer(producerOptions, onEvent);
      } catch (err) {
        // librdkafka refusing a property combination (e.g. acks=1 with idempotence) and a spool directory
        // that is locked or unwritable are the user's to fix: exit 2, not "a bug".
        const userFixable = /spool|^Kafka property|^cannot create Kafka producer/.test((err as Error).message);
        const e = userFixable ? new ConfigError((err as Error).message) : (err as Error);
        this.rejectDone(e);
        throw e;
      }
    }
    if (o.spool && backend.backend !== 'cpu') {
      const e = new ConfigError('--spool-dir works with the CPU backend: on DeepStream, nvmsgbroker publishes');
      this.rejectDone(e);
      throw e;
    }
    if (o.http) this.startHttp(o.http);
    const launch = (bases: Array<Record<string, number>>) => {
      const onEvent = (e: NativeRunEvent) => this.onNativeEvent(e);
      this.run = backend.backend === 'deepstream' ? startDeepStreamRun(o, onEvent, bases) : startCpuRun(o, this.producer, onEvent, bases);
      if (this.stopping) this.run.stop();
    };
    if (o.resume.mode === 'off') {
      try {
        launch([]);
      } catch (err) {
        this.abortStart(err as Error);
        throw err;
      }
    } else {
      // Reading the saved counts may take a while (kafka mode): the native run starts once they are known.
      this.resumeThenLaunch(launch).catch((err: Error) => this.abortStart(err, true));
    }
    return this;
  }

  private abortStart(err: Error, async = false): void {
    void this.producer?.close(0);
    void this.http?.close();
    if (async) this.fail(err);
    else this.rejectDone(err);
  }

  private async resumeThenLaunch(launch: (bases: Array<Record<string, number>>) => void): Promise<void> {
    const o = this.options;
    // Messages re-sent from the spool go first, so the topic's newest message is really the newest.
    if (o.resume.mode === 'kafka' && (this.producer?.stats().spool?.resent ?? 0) > 0) await this.producer!.flush(o.resume.timeoutMs);
    let kafka: ResumeInput['kafka'];
    if (o.kafka && o.resume.mode === 'kafka') {
      // Read back with the same TLS/SASL the config gives the producer.
      const client = kafkajsConnection(o.kafka.config);
      if (!client) throw new ConfigError('--resume-counts kafka reads the topic with kafkajs, which cannot use the security settings of the Kafka config (see --producer kafkajs in the README)');
      kafka = { bootstrapServers: o.kafka.conn.bootstrapServers, topic: o.kafka.conn.topic, client };
    }
    const r = await resolveResume({ settings: o.resume, deviceIds: o.deviceIds, streams: o.analytics.streams, mapping: o.mapping, ...(kafka ? { kafka } : {}) });
    for (const n of r.notes) this.emit('info', `resume-counts: ${n}`);
    this.resumed = r.streams;
    if (o.resume.mode === 'file' || o.resume.mode === 'fresh') {
      const writer = new CountStateWriter(o.resume.stateDir, r.streams, o.analytics.streams, (m) =>
        this.emit('warning', { source: 'pipeline', message: m }),
      );
      // With a spool (or nvmsgbroker), a built message is as good as delivered: it is re-sent after a crash.
      const handedOver = this.backend === 'deepstream' || o.spool !== undefined;
      this.state = new StateFollower(writer, o.mapping, handedOver ? 'handed-over' : 'acknowledged');
    }
    launch(r.streams.map((s) => s.counts));
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

  /**
   * A listener that throws stops neither the pipeline nor the listeners after it (records() and the
   * report are never lost): its exception is rethrown on the next tick, so it reaches process
   * 'uncaughtException' like one thrown in any Node event handler, instead of vanishing in the native
   * callback with only a DEP0168 warning. Not an 'error' event: that one means the run failed.
   */
  override emit<K extends keyof PipelineEvents>(event: K, ...args: PipelineEvents[K]): boolean {
    const listeners = this.rawListeners(event) as Array<(...a: unknown[]) => unknown>;
    // No listener: EventEmitter's own behaviour (an unheard 'error' throws).
    if (listeners.length === 0) return super.emit(event, ...(args as never));
    for (const l of listeners) {
      try {
        l.apply(this, args);
      } catch (err) {
        process.nextTick(() => {
          throw err;
        });
      }
    }
    return true;
  }

  private onNativeEvent(e: NativeRunEvent): void {
    switch (e.kind) {
      case 'frame':
        for (const q of this.queues) q.push(e.record);
        this.emit('frame', e.record);
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
        if (!e.error) this.state?.onMessage(e.streamId, e.seq, e.payload);
        this.emit('message', { streamId: e.streamId, frameNum: e.frameNum, reason: e.reason, key: e.key, payload: e.payload, seq: e.seq });
        break;
      }
      case 'warning':
        this.emit('warning', { streamId: e.streamId, source: 'pipeline', message: e.message });
        break;
      case 'error':
        this.emit('warning', { streamId: e.streamId, source: 'pipeline', message: e.message, streamError: true });
        break;
      case 'state': {
        const { kind: _kind, ...change } = e;
        this.emit('state', change);
        break;
      }
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
      const undelivered = delivery ? delivery.failed + delivery.inFlight + this.lost : 0;
      this.state?.onEnd(e.streams, undelivered === 0);
      const streams: StreamReport[] = e.streams.map((s) => {
        const r = this.resumed?.find((x) => x.streamId === s.streamId);
        return { ...s, deviceId: this.options.deviceIds[s.streamId] ?? `stream-${s.streamId}`, ...(r ? { resumed: { counts: r.counts, from: r.from } } : {}) };
      });
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
            `${delivery.failed + delivery.inFlight + this.lost} of ${this.built} message(s) not delivered to ${this.options.kafka!.conn.bootstrapServers} topic "${this.options.kafka!.conn.topic}"` +
              (delivery.spool && delivery.spool.pending > 0 ? ` (${delivery.spool.pending} kept in spool ${this.options.spool!.dir}: re-sent at the next start)` : ''),
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
