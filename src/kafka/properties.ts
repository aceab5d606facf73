// librdkafka properties from cfg_kafka.txt, in DeepStream's precedence: proto-cfg, then
// producer-proto-cfg, then explicit SASL/SSL keys of [message-broker].
import type { KafkaConfig, KafkaProperty } from '../config/kafka-config.js';

export function producerPropertiesFrom(cfg: KafkaConfig | undefined): Array<[string, string]> {
  if (!cfg) return [];
  return [...cfg.protoCfg, ...cfg.producerProtoCfg, ...cfg.passthrough];
}

/**
 * Every librdkafka property of a config with where it is written (producer ones, in the order above, then
 * consumer-proto-cfg). A hand-made config (no `properties`) names its file and list, without a line.
 */
export function propertyList(cfg: KafkaConfig | undefined, which: 'producer' | 'all' = 'all'): KafkaProperty[] {
  if (!cfg) return [];
  const all =
    cfg.properties ??
    (
      [
        ['proto-cfg', cfg.protoCfg],
        ['producer-proto-cfg', cfg.producerProtoCfg],
        ['consumer-proto-cfg', cfg.consumerProtoCfg],
        ['group', cfg.passthrough],
      ] as const
    ).flatMap(([from, pairs]) =>
      pairs.map(([key, value]) => ({ key, value, from, location: { file: cfg.file, key: from === 'group' ? key : from } })),
    );
  const order = ['proto-cfg', 'producer-proto-cfg', 'group', 'consumer-proto-cfg'];
  return all
    .filter((p) => which === 'all' || p.from !== 'consumer-proto-cfg')
    .sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from));
}

/** A property's value for messages: secrets are masked. */
export function shownValue(key: string, value: string): string {
  return /pass|secret|\.pem$/i.test(key) ? '***' : value;
}
