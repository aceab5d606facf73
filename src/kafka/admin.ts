// Small admin helpers on kafkajs (topic creation, readiness). Only used for setup, never for the data path.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

function client(bootstrapServers: string, connectionTimeout = 3000) {
  return new Kafka({
    clientId: 'ds-kafka-admin',
    brokers: bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout,
    retry: { retries: 0 },
  });
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
