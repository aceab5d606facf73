// Before a run publishes: does its topic exist? A missing topic on a broker that does not create topics
// would otherwise only show as "N not delivered" when the delivery deadline passes. A broker that cannot be
// reached at start is not an error here: the producers buffer and deliver once it is up (as always).
import { ConfigError } from '../config/errors.js';
import type { ConnStr, KafkaConfig } from '../config/kafka-config.js';
import { probeTopic } from './admin.js';
import { kafkajsConnection } from './kafkajs-config.js';
import { propertyList } from './properties.js';

export interface TopicCheck {
  /** exists; created (missing, the broker creates it on the first message); unreachable or unchecked: not known. */
  state: 'exists' | 'created' | 'unreachable' | 'unchecked';
  /** One line for the run's output (absent when the topic exists). */
  note?: string;
}

/**
 * Checks the topic of a run (`pipeline.options`). Throws ConfigError when the topic does not exist and
 * will not be created: the broker does not auto-create topics, the native producer is told not to ask
 * (allow.auto.create.topics=false), or the producer is kafkajs (which never asks).
 */
export async function checkTopic(
  options: { kafka?: { conn: ConnStr; config: KafkaConfig }; producer: 'native' | 'kafkajs' },
  timeoutMs = 5000,
): Promise<TopicCheck> {
  const k = options.kafka;
  if (!k) return { state: 'unchecked' };
  const { bootstrapServers, topic } = k.conn;
  const connection = kafkajsConnection(k.config);
  if (!connection) return { state: 'unchecked', note: `topic "${topic}" not checked at start (security settings the check cannot use)` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let probe;
  try {
    probe = await Promise.race([probeTopic(bootstrapServers, topic, connection), timeout]);
  } catch (err) {
    return { state: 'unreachable', note: `broker ${bootstrapServers} not reachable at start (${(err as Error).message}): messages are kept until it is` };
  } finally {
    clearTimeout(timer);
  }
  if (probe.exists) return { state: 'exists' };

  const askOff = propertyList(k.config, 'producer').some((p) => p.key === 'allow.auto.create.topics' && /^(false|0)$/i.test(p.value));
  const why =
    options.producer === 'kafkajs'
      ? 'and the kafkajs producer never creates topics'
      : askOff
        ? 'and allow.auto.create.topics=false in the Kafka config'
        : probe.autoCreate === false
          ? 'and the broker does not create topics (auto.create.topics.enable=false)'
          : undefined;
  if (why === undefined) {
    const note =
      probe.autoCreate === true
        ? `topic "${topic}" does not exist yet: the broker creates it on the first message (auto.create.topics.enable=true)`
        : `topic "${topic}" does not exist on ${bootstrapServers} (whether the broker creates topics could not be read)`;
    return { state: probe.autoCreate === true ? 'created' : 'unchecked', note };
  }
  const shown = (probe.topics ?? []).slice(0, 10);
  const others = (probe.topics?.length ?? 0) > shown.length ? `, … (${probe.topics!.length} in all)` : '';
  throw new ConfigError(
    `topic "${topic}" does not exist on ${bootstrapServers} ${why}: create it ` +
      `(local broker: ds-kafka broker start --topic ${topic}) or fix the topic name` +
      (shown.length ? `; topics there: ${shown.join(', ')}${others}` : '; the broker has no topics'),
    { key: 'conn-str' },
  );
}
