// The project's own consumer (kafkajs), for `ds-kafka consume`, tests and examples.
// Reads from the beginning with a throwaway group, stops after `max` messages or `idleMs` of silence.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export interface ConsumedMessage {
  key: string | null;
  value: string;
  partition: number;
  offset: string;
  timestamp: string;
}

export interface ReadOptions {
  bootstrapServers: string;
  topic: string;
  /** Stop after this many messages (default: unlimited). */
  max?: number;
  /** Stop after this long without a new message (default 5000 ms). */
  idleMs?: number;
  /** Overall limit (default 120000 ms). */
  timeoutMs?: number;
  fromBeginning?: boolean;
  onMessage?: (m: ConsumedMessage) => void;
  signal?: AbortSignal;
}

export async function readMessages(opts: ReadOptions): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'ds-kafka-consume', brokers: opts.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `ds-kafka-consume-${process.pid}-${Date.now()}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const got: ConsumedMessage[] = [];
  const idleMs = opts.idleMs ?? 5000;
  let lastAt = Date.now();
  const started = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const m: ConsumedMessage = {
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value ? message.value.toString('utf8') : '',
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
        };
        lastAt = Date.now();
        if (opts.max === undefined || got.length < opts.max) {
          got.push(m);
          opts.onMessage?.(m);
        }
      },
    });
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (opts.max !== undefined && got.length >= opts.max) break;
      if (opts.signal?.aborted) break;
      const now = Date.now();
      // Idle counts from the first message, or from the start for an empty topic (group join takes a while).
      if (now - lastAt > idleMs && (got.length > 0 || now - started > idleMs + 5000)) break;
      if (now - started > (opts.timeoutMs ?? 120000)) break;
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}
