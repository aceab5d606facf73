// Small admin helpers on kafkajs (topic creation, readiness). Only used for setup, never for the data path.
import kafkajs, { type KafkaConfig } from 'kafkajs';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

/** TLS/SASL for admin requests (the kafkajs mapping of cfg_kafka.txt's security properties). */
export interface AdminConnection {
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
}

function client(bootstrapServers: string, connectionTimeout = 3000, connection: AdminConnection = {}) {
  return new Kafka({
    clientId: 'ds-kafka-admin',
    brokers: bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout,
    retry: { retries: 0 },
    ...connection,
  });
}

export interface TopicProbe {
  exists: boolean;
  /** The broker's auto.create.topics.enable (undefined when it may not be read). */
  autoCreate?: boolean;
  /** Some of the topics the broker has (when the topic does not exist). */
  topics?: string[];
}

/**
 * Whether a topic exists, and if not whether the broker would create it. A plain metadata listing (it
 * never creates the topic itself). Rejects when the broker cannot be reached.
 */
export async function probeTopic(bootstrapServers: string, topic: string, connection: AdminConnection = {}): Promise<TopicProbe> {
  const admin = client(bootstrapServers, 3000, connection).admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (topics.includes(topic)) return { exists: true };
    let autoCreate: boolean | undefined;
    try {
      const { brokers } = await admin.describeCluster();
      const r = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.BROKER, name: String(brokers[0]?.nodeId ?? ''), configNames: ['auto.create.topics.enable'] }],
        includeSynonyms: false,
      });
      const v = r.resources[0]?.configEntries.find((e) => e.configName === 'auto.create.topics.enable')?.configValue;
      if (v !== undefined && v !== null) autoCreate = v === 'true';
    } catch {
      // Not allowed to read the broker's config: unknown.
    }
    return { exists: false, autoCreate, topics: topics.filter((t) => !t.startsWith('__')).sort() };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True when the broker answers a metadata request. */
export async function brokerAnswers(bootstrapServers: string, timeoutMs = 3000): Promise<boolean> {
  const admin = client(bootstrapServers, timeoutMs).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates the topic if it does not exist; resolves when it is ready for producing. */
export async function ensureTopic(bootstrapServers: string, topic: string, partitions = 1): Promise<void> {
  const admin = new Kafka({
    clientId: 'ds-kafka-admin',
    brokers: bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(bootstrapServers: string, topic: string): Promise<void> {
  const admin = client(bootstrapServers, 5000).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}
