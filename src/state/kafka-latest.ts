// --resume-counts kafka: the topic itself is the state. At start, read back the newest message of each
// device id (messages are keyed by device id, so a device's messages share a partition; keyless topics
// work too, just slower) and take its lc_cum_<label> fields. The tail of every partition is read first;
// only a device not found there costs a scan from the start. Bounded by a timeout.
import kafkajs from 'kafkajs';
import { BrokerUnavailableError } from '../errors.js';

const { Kafka, logLevel } = kafkajs;

export interface LatestMessage {
  deviceId: string;
  message: Record<string, unknown>;
  partition: number;
  offset: string;
  timestamp: string;
}

export interface LatestOptions {
  bootstrapServers: string;
  topic: string;
  deviceIds: string[];
  timeoutMs: number;
  /** Messages read back from each partition's end before scanning it whole (default 20000). */
  tailMessages?: number;
  /** kafkajs client settings beyond brokers (ssl, sasl), when the topic needs them. */
  client?: Partial<kafkajs.KafkaConfig>;
}

class Timeout extends Error {}

/** The newest message per device id found on the topic (devices without any are absent). */
export async function readLatestPerDevice(o: LatestOptions): Promise<Map<string, LatestMessage>> {
  const deadline = Date.now() + o.timeoutMs;
  const kafka = new Kafka({
    clientId: 'ds-kafka-resume',
    brokers: o.bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(5000, o.timeoutMs),
    retry: { retries: 2 },
    ...o.client,
  });
  const admin = kafka.admin();
  let offsets: Array<{ partition: number; low: string; high: string }>;
  try {
    await withDeadline(admin.connect(), deadline);
    const topics = await withDeadline(admin.listTopics(), deadline);
    if (!topics.includes(o.topic)) return new Map();
    offsets = await withDeadline(admin.fetchTopicOffsets(o.topic), deadline);
  } catch (err) {
    throw new BrokerUnavailableError(`cannot read ${o.topic} on ${o.bootstrapServers} for the last counts: ${describe(err, o.timeoutMs)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const wanted = new Set(o.deviceIds);
  const found = new Map<string, LatestMessage>();
  const tail = BigInt(o.tailMessages ?? 20000);
  const starts = offsets.map((p) => {
    const low = BigInt(p.low), high = BigInt(p.high);
    return { partition: p.partition, start: high - tail > low ? high - tail : low, low, high };
  });
  await scan(kafka, o, starts.map((s) => ({ ...s })), wanted, found, deadline);
  const missing = [...wanted].filter((d) => !found.has(d));
  const rest = starts.filter((s) => s.start > s.low).map((s) => ({ partition: s.partition, start: s.low, low: s.low, high: s.start }));
  if (missing.length > 0 && rest.length > 0) await scan(kafka, o, rest, new Set(missing), found, deadline);
  return found;
}

type Range = { partition: number; start: bigint; high: bigint };

async function scan(
  kafka: kafkajs.Kafka,
  o: LatestOptions,
  ranges: Range[],
  wanted: Set<string>,
  found: Map<string, LatestMessage>,
  deadline: number,
): Promise<void> {
  const todo = ranges.filter((r) => r.high > r.start);
  if (todo.length === 0) return;
  const left = new Map(todo.map((r) => [r.partition, r]));
  const consumer = kafka.consumer({ groupId: `ds-kafka-resume-${process.pid}-${Date.now()}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
  try {
    await withDeadline(consumer.connect(), deadline);
    await withDeadline(consumer.subscribe({ topic: o.topic, fromBeginning: true }), deadline);
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const r = left.get(batch.partition);
        if (!r) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset >= r.high) break;
          const hit = parse(m.value, wanted);
          if (hit && newer(hit, m.timestamp, found.get(hit.deviceId)))
            found.set(hit.deviceId, { ...hit, partition: batch.partition, offset: m.offset, timestamp: m.timestamp });
          if (offset >= r.high - 1n) left.delete(batch.partition);
        }
        // Offsets may have gaps (compaction, transaction markers): the batch says how far it read.
        if (batch.messages.length > 0 && BigInt(batch.lastOffset()) >= r.high - 1n) left.delete(batch.partition);
      },
    });
    // kafkajs accepts seek() only once run() has set the group up, which happens asynchronously.
    for (const r of todo) {
      for (;;) {
        try {
          consumer.seek({ topic: o.topic, partition: r.partition, offset: r.start.toString() });
          break;
        } catch (err) {
          if (!/not initialized/i.test((err as Error).message) || Date.now() > deadline) throw err;
          await new Promise((res) => setTimeout(res, 20));
        }
      }
    }
    while (left.size > 0) {
      if (Date.now() > deadline) throw new Timeout();
      await new Promise((res) => setTimeout(res, 50));
    }
  } catch (err) {
    throw new BrokerUnavailableError(`cannot read ${o.topic} on ${o.bootstrapServers} for the last counts: ${describe(err, o.timeoutMs)}`);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

function parse(value: Buffer | null, wanted: Set<string>): { deviceId: string; message: Record<string, unknown> } | undefined {
  if (!value) return undefined;
  try {
    const message = JSON.parse(value.toString('utf8')) as Record<string, unknown>;
    const deviceId = message['deviceId'];
    if (typeof deviceId !== 'string' || !wanted.has(deviceId)) return undefined;
    return { deviceId, message };
  } catch {
    return undefined; // not one of ours
  }
}

/** Newest by the message's @timestamp, then by broker timestamp (equal ms: the later one read wins). */
function newer(hit: { message: Record<string, unknown> }, brokerTs: string, prev: LatestMessage | undefined): boolean {
  if (!prev) return true;
  const t = Date.parse(String(hit.message['@timestamp'])), pt = Date.parse(String(prev.message['@timestamp']));
  if (Number.isFinite(t) && Number.isFinite(pt) && t !== pt) return t > pt;
  return Number(brokerTs) >= Number(prev.timestamp);
}

async function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Timeout()), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Timeout) return `no answer within ${timeoutMs} ms`;
  return (err as Error).message;
}
