// librdkafka properties from cfg_kafka.txt, in DeepStream's precedence: proto-cfg, then
// producer-proto-cfg, then explicit SASL/SSL keys of [message-broker].
import type { KafkaConfig } from '../config/kafka-config.js';

export function producerPropertiesFrom(cfg: KafkaConfig | undefined): Array<[string, string]> {
  if (!cfg) return [];
  return [...cfg.protoCfg, ...cfg.producerProtoCfg, ...cfg.passthrough];
}
