// The small producer interface every Kafka client sits behind (native librdkafka, kafkajs), so the
// pipeline does not care which one sends, and kafkajs (unmaintained) can be replaced without churn.

export interface DeliveryEvent {
  type: 'delivery';
  seq: number;
  ok: boolean;
  error?: string;
  partition: number;
  offset: number;
  latencyMs: number;
}

export interface ProducerLogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export type ProducerEvent = DeliveryEvent | ProducerLogEvent;

export interface DeliveryStats {
  produced: number;
  delivered: number;
  failed: number;
  inFlight: number;
  /** Delivery-report events JavaScript was too slow to receive (counts above stay exact). */
  droppedEvents: number;
  /** With a spool (native producer, spoolDir). */
  spool?: SpoolStats;
}

export interface SpoolStats {
  /** Unacknowledged messages of an earlier run, re-sent at start (same bytes, same messageid). */
  resent: number;
  /** Messages written to the spool in this run. */
  spooled: number;
  /** Messages not spooled because it was full (held in memory only, as without a spool). */
  unspooled: number;
  /** On disk and not acknowledged yet: re-sent at the next start if the run ends now. */
  pending: number;
  /** Spool bytes on disk. */
  bytes: number;
}

export interface ProducerOptions {
  bootstrapServers: string;
  topic: string;
  /** librdkafka properties, in order; later ones win (proto-cfg, producer-proto-cfg, SASL/SSL). */
  properties?: Array<[string, string]>;
  /** How long a message may wait for the broker before it counts as failed (default 300000). */
  deliveryTimeoutMs?: number;
  /** Native producer only: spool directory (kept until acknowledged; re-sent at the next start). */
  spoolDir?: string;
  /** Native producer only: unacknowledged bytes the spool may hold (default 1 GiB). */
  spoolMaxBytes?: number;
}

export interface MessageProducer {
  readonly kind: 'native' | 'kafkajs';
  /** Enqueues one message; returns its sequence number (from 1). Never waits for the broker. */
  send(key: string | null, value: string): number;
  /** Resolves true when everything sent so far is delivered or failed. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes (up to timeoutMs), then closes; resolves with the final counts. */
  close(timeoutMs: number): Promise<DeliveryStats>;
  stats(): DeliveryStats;
}
