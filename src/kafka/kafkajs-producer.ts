// The JavaScript path (--producer kafkajs): the seed's "simpler approach" done right. Messages queue in
// memory and a single sender loop delivers them in order, reconnecting with backoff while the broker is
// down, until delivered or past the delivery deadline. kafkajs is unmaintained: it stays behind the
// MessageProducer interface so it can be swapped out.
//
// Delivery guarantee: at least once. kafkajs' idempotence does not survive a re-sent batch after a
// connection loss, so a broker restart can duplicate a batch; the native producer has no such gap.
import kafkajs from 'kafkajs';
import { kafkajsSettings } from './kafkajs-config.js';
import type { DeliveryEvent, DeliveryStats, MessageProducer, ProducerEvent, ProducerOptions } from './types.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

/** The broker refuses a batch for its size: smaller batches may pass; a single message never will. */
function sizeRefusal(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

interface Pending {
  seq: number;
  key: string | null;
  value: string;
  at: number;
}

const MAX_BATCH = 500;

export class KafkajsProducer implements MessageProducer {
  readonly kind = 'kafkajs' as const;
  private readonly producer: kafkajs.Producer;
  private readonly queue: Pending[] = [];
  private seq = 0;
  private delivered = 0;
  private failed = 0;
  private connected = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly deadlineMs: number;
  private readonly compression: kafkajs.CompressionTypes | undefined;
  /** Messages per send: halved while the broker refuses a batch as too large, back to MAX_BATCH after. */
  private batchSize = MAX_BATCH;

  constructor(
    private readonly options: ProducerOptions,
    private readonly onEvent: (e: ProducerEvent) => void = () => {},
  ) {
    // cfg_kafka.txt's properties: what kafkajs can honour, or a ConfigError (never silently dropped).
    const settings = kafkajsSettings(options.properties ?? []);
    this.deadlineMs = settings.deliveryTimeoutMs ?? options.deliveryTimeoutMs ?? 300_000;
    this.compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : undefined;
    const kafka = new Kafka({
      clientId: settings.clientId ?? 'ds-kafka',
      brokers: options.bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: settings.connectionTimeout ?? 3000,
      ...(settings.requestTimeout !== undefined ? { requestTimeout: settings.requestTimeout } : {}),
      ...(settings.ssl ? { ssl: settings.ssl } : {}),
      ...(settings.sasl ? { sasl: settings.sasl } : {}),
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  send(key: string | null, value: string): number {
    if (this.closed) throw new Error('producer is closed');
    const seq = ++this.seq;
    this.queue.push({ seq, key, value, at: Date.now() });
    this.loop ??= this.run();
    this.wake?.();
    return seq;
  }

  stats(): DeliveryStats {
    return { produced: this.seq, delivered: this.delivered, failed: this.failed, inFlight: this.seq - this.delivered - this.failed, droppedEvents: 0 };
  }

  async flush(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.stats().inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.stats().inFlight === 0;
  }

  async close(timeoutMs: number): Promise<DeliveryStats> {
    await this.flush(timeoutMs);
    this.closed = true;
    // Whatever is still queued after the flush deadline is reported as failed, never silently dropped.
    for (const p of this.queue.splice(0)) this.report(p, false, 'not delivered before close');
    this.wake?.();
    await this.loop;
    if (this.connected) await this.producer.disconnect().catch(() => {});
    return this.stats();
  }

  private report(p: Pending, ok: boolean, error?: string, partition = -1, offset = -1): void {
    if (ok) this.delivered++;
    else this.failed++;
    const e: DeliveryEvent = { type: 'delivery', seq: p.seq, ok, partition, offset, latencyMs: Date.now() - p.at };
    if (error) e.error = error;
    // A throwing callback must not look like a failed send (the batch would be sent again).
    try {
      this.onEvent(e);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  private async run(): Promise<void> {
    let backoff = 200;
    while (!this.closed || this.queue.length > 0) {
      if (this.queue.length === 0) {
        if (this.closed) break;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      const now = Date.now();
      while (this.queue.length > 0 && now - this.queue[0]!.at > this.deadlineMs) {
        this.report(this.queue.shift()!, false, `not delivered within ${this.deadlineMs} ms`);
      }
      // The batch leaves the queue while it is in flight, so close() can fail what is queued without
      // touching it; a failed send puts it back at the front, in order.
      const batch = this.queue.splice(0, this.batchSize);
      if (batch.length === 0) continue;
      try {
        if (!this.connected) {
          await this.producer.connect();
          this.connected = true;
        }
        const res = await this.producer.send({
          topic: this.options.topic,
          acks: -1,
          ...(this.compression !== undefined ? { compression: this.compression } : {}),
          messages: batch.map((p) => ({ key: p.key, value: p.value })),
        });
        const first = res[0];
        const base = first ? Number(first.baseOffset ?? first.offset ?? -1) : -1;
        batch.forEach((p, i) => this.report(p, true, undefined, first?.partition ?? -1, base >= 0 ? base + i : -1));
        backoff = 200;
        this.batchSize = MAX_BATCH;
      } catch (err) {
        // Too large is not retriable: split the batch until the one message the broker refuses fails at
        // once with its reason, instead of being retried until the deadline.
        if (sizeRefusal(err)) {
          if (batch.length === 1) this.report(batch[0]!, false, `refused by the broker: ${(err as Error).message}`);
          else {
            this.batchSize = Math.max(1, Math.floor(batch.length / 2));
            this.queue.unshift(...batch);
          }
          continue;
        }
        if (this.closed) {
          for (const p of batch) this.report(p, false, `not delivered before close: ${(err as Error).message}`);
          break;
        }
        this.queue.unshift(...batch);
        this.onEvent({ type: 'log', level: 'warn', message: `kafkajs: ${(err as Error).message}; retrying (messages stay queued)` });
        if (this.connected) {
          await this.producer.disconnect().catch(() => {});
          this.connected = false;
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }
}
