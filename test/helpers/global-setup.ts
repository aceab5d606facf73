// Integration tests share one real Apache Kafka broker (single-node KRaft from Maven Central jars),
// started here on a test port with a fresh data directory and stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LocalBroker } from '../../src/broker/local-broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBootstrap: string;
    kafkaPort: number;
  }
}

export const TEST_BROKER_PORT = Number(process.env.DS_KAFKA_TEST_PORT ?? 29092);

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-test-broker-'));
  const broker = await LocalBroker.start({
    port: TEST_BROKER_PORT,
    dir,
    log: (l) => process.stderr.write(`[broker] ${l}\n`),
  });
  project.provide('kafkaBootstrap', broker.bootstrapServers);
  project.provide('kafkaPort', TEST_BROKER_PORT);
  return async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
