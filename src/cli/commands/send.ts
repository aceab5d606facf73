// `ds-kafka send`: publish one JSON message through the native producer and report its delivery.
// The smallest end-to-end check of a deployment's Kafka settings (conn-str, cfg_kafka.txt, SASL/SSL).
import type { Argv } from 'yargs';
import { loadKafkaConfig, parseConnStr } from '../../config/kafka-config.js';
import { DeliveryError } from '../../errors.js';
import { NativeKafkaProducer } from '../../kafka/native-producer.js';
import type { DeliveryEvent } from '../../kafka/types.js';
import { UsageError } from '../fail.js';
import { createOutput, type LogFormat } from '../output.js';
import { producerPropertiesFrom } from '../../kafka/properties.js';
import { checkKafkaProperties } from '../../kafka/conf-check.js';

export interface SendArgs {
  connStr: string;
  kafkaConfig?: string;
  key?: string;
  message?: string;
  timeout: number;
  quiet: boolean;
  logFormat: LogFormat;
}

export function sendBuilder(y: Argv) {
  return y
    .option('conn-str', { type: 'string', demandOption: true, describe: 'Kafka "host;port;topic", as DeepStream\'s nvmsgbroker' })
    .option('kafka-config', { alias: 'c', type: 'string', describe: 'cfg_kafka.txt ([message-broker] proto-cfg, SASL/SSL)' })
    .option('key', { type: 'string', describe: 'message key (default: the message\'s deviceId)' })
    .option('message', { alias: 'm', type: 'string', describe: 'JSON message (default: a small hello in the seed\'s shape)' })
    .option('timeout', { type: 'number', default: 10000, describe: 'delivery deadline in ms' });
}

export async function send(args: SendArgs): Promise<DeliveryEvent> {
  const out = createOutput(args.logFormat, args.quiet);
  const conn = parseConnStr(args.connStr);
  const kafkaCfg = args.kafkaConfig ? loadKafkaConfig(args.kafkaConfig) : undefined;
  if (kafkaCfg) checkKafkaProperties(kafkaCfg);
  const message =
    args.message ??
    JSON.stringify({
      messageid: crypto.randomUUID(),
      '@timestamp': new Date().toISOString(),
      deviceId: args.key ?? 'ds-kafka-hello',
      analyticsModule: { id: 'ds-kafka', description: 'hello from ds-kafka send', source: 'ds-kafka', version: '1.0' },
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (e) {
    throw new UsageError(`--message is not valid JSON: ${(e as Error).message}`);
  }
  const key = args.key ?? (typeof (parsed as { deviceId?: unknown })?.deviceId === 'string' ? (parsed as { deviceId: string }).deviceId : null);

  let report: DeliveryEvent | undefined;
  const producer = new NativeKafkaProducer(
    {
      bootstrapServers: conn.bootstrapServers,
      topic: conn.topic,
      properties: producerPropertiesFrom(kafkaCfg),
      deliveryTimeoutMs: args.timeout,
    },
    (e) => {
      if (e.type === 'delivery') report = e;
      else if (e.level === 'warn' || e.level === 'error') out.info(`kafka: ${e.message}`);
    },
  );
  producer.send(key, message);
  const stats = await producer.close(args.timeout + 5000);
  if (stats.delivered !== 1) {
    const why = report?.error ?? 'no delivery report';
    throw new DeliveryError(
      `message not delivered to ${conn.bootstrapServers} topic "${conn.topic}" within ${args.timeout} ms: ${why}` +
        ` (is the broker running and the topic created? local broker: npx ds-kafka broker start --topic ${conn.topic})`,
      1,
    );
  }
  const r = report!;
  out.result(
    `delivered to ${conn.bootstrapServers} topic "${conn.topic}" partition ${r.partition} offset ${r.offset}` +
      ` key ${key === null ? '(none)' : JSON.stringify(key)} in ${r.latencyMs.toFixed(1)} ms`,
    { topic: conn.topic, partition: r.partition, offset: r.offset, key, latencyMs: r.latencyMs },
  );
  return r;
}
