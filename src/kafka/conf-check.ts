// librdkafka properties checked by librdkafka itself before anything starts (a scratch configuration in
// the addon, no client): an unknown name or a bad value is a ConfigError naming file:line and the key,
// instead of a producer that fails while being created (exit 1, no file) or a `config check` that passes.
import type { KafkaConfig } from '../config/kafka-config.js';
import { ConfigError } from '../config/errors.js';
import { loadAddon } from '../native/addon.js';
import { propertyList, shownValue } from './properties.js';

declare module '../native/addon.js' {
  interface NativeAddon {
    /** The first property librdkafka refuses (index into pairs, librdkafka's text), or null. */
    kafkaConfCheck(pairs: Array<[string, string]>): { index: number; error: string } | null;
  }
}

/** Throws ConfigError for the first property of the config that librdkafka refuses. */
export function checkKafkaProperties(cfg: KafkaConfig): void {
  const props = propertyList(cfg, 'all');
  if (props.length === 0) return;
  // Also for configs built by hand (a parsed file refuses it already): the brokers come from the conn-str.
  const bootstrap = props.find((p) => p.key === 'bootstrap.servers' || p.key === 'metadata.broker.list');
  if (bootstrap) throw new ConfigError(`${bootstrap.key} cannot be set here: the brokers come from the conn-str (--conn-str, library: connStr)`, bootstrap.location);
  const addon = loadAddon();
  // An addon built before this check existed: the producer still refuses a bad property when it is created.
  if (typeof addon.kafkaConfCheck !== 'function') return;
  const problem = addon.kafkaConfCheck(props.map((p) => [p.key, p.value]));
  if (!problem) return;
  const p = props[problem.index]!;
  const hint = /No such configuration property/.test(problem.error) ? " (see librdkafka's CONFIGURATION.md for the property names)" : '';
  throw new ConfigError(`librdkafka property ${p.key}=${shownValue(p.key, p.value)}: ${problem.error}${hint}`, p.location);
}
