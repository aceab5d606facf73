// cfg_kafka.txt (DeepStream's Kafka adaptor config, group [message-broker]) and the nvmsgbroker
// `conn-str` ("host;port;topic").
//
// [message-broker] keys:
//   proto-cfg            librdkafka "k=v;k=v" for producer and consumer        -> protoCfg
//   producer-proto-cfg   librdkafka "k=v;k=v" for the producer only            -> producerProtoCfg
//   consumer-proto-cfg   librdkafka "k=v;k=v" for the consumer only            -> consumerProtoCfg
//   consumer-group-id    string                                                -> consumerGroupId
//   partition-key        dotted path into the outgoing JSON whose string value becomes the message key.
//                        Default here: `deviceId` (the seed's choice and this project's payload shape).
//                        DeepStream's own default is `sensor.id`, which our payload does not have.
//   share-connection     bool, default false (DeepStream's default)
//   security.protocol, sasl.*, ssl.*, enable.ssl.certificate.verification   written directly as keys of the group: passed to librdkafka as is
//                        (after proto-cfg and producer-proto-cfg, so they win) -> passthrough
// bootstrap.servers (or its alias metadata.broker.list) in a k=v list is an error: the brokers come from
// the conn-str, which the run reports and checks; a second address would silently win over it.
// Any other key is a warning. Values may be wrapped in double quotes (DeepStream's samples do it for
// proto-cfg); the quotes are removed. In a "k=v;k=v" list a trailing ";" is allowed, spaces around keys and
// values are trimmed, an element without "=" or with an empty key is an error, and a key given twice keeps
// both pairs in order (librdkafka applies them in order, so the last wins) with a warning.

import { ConfigError, makeWarning, type ConfigLocation, type ConfigWarning } from './errors.js';
import { entryLocation, getBool, getString, groupLocation, parseKeyFile, type KeyFileEntry, readConfigFile } from './keyfile.js';

export const DEFAULT_PARTITION_KEY = 'deviceId';
export const KAFKA_GROUP = 'message-broker';

export interface KafkaConfig {
  /** The file name it was parsed under. */
  file: string;
  protoCfg: Array<[string, string]>;
  producerProtoCfg: Array<[string, string]>;
  consumerProtoCfg: Array<[string, string]>;
  consumerGroupId: string | undefined;
  /** Dotted path into the outgoing JSON (default `deviceId`). */
  partitionKey: string;
  /** partitionKey split on dots. */
  partitionKeyPath: string[];
  shareConnection: boolean;
  /** security.protocol, sasl.*, ssl.* keys written directly in [message-broker], in file order. */
  passthrough: Array<[string, string]>;
  /** Every librdkafka property above with where it is written (absent on hand-made configs). */
  properties?: KafkaProperty[];
  warnings: ConfigWarning[];
}

/** One librdkafka property and where it is written, so a refusal can name file:line. */
export interface KafkaProperty {
  key: string;
  value: string;
  /** The list it is in, or `group` for a security.protocol, sasl.* or ssl.* key of [message-broker]. */
  from: 'proto-cfg' | 'producer-proto-cfg' | 'consumer-proto-cfg' | 'group';
  location: ConfigLocation;
}

/** Keys that set the broker address: the conn-str's job. */
const BOOTSTRAP_KEYS = ['bootstrap.servers', 'metadata.broker.list'];

export function defaultKafkaConfig(file = '<defaults>'): KafkaConfig {
  return {
    file,
    protoCfg: [],
    producerProtoCfg: [],
    consumerProtoCfg: [],
    consumerGroupId: undefined,
    partitionKey: DEFAULT_PARTITION_KEY,
    partitionKeyPath: [DEFAULT_PARTITION_KEY],
    shareConnection: false,
    passthrough: [],
    properties: [],
    warnings: [],
  };
}

const KNOWN_KEYS = [
  'proto-cfg',
  'producer-proto-cfg',
  'consumer-proto-cfg',
  'consumer-group-id',
  'partition-key',
  'share-connection',
];

export function isPassthroughKey(key: string): boolean {
  return (
    key === 'security.protocol' || key === 'enable.ssl.certificate.verification' || /^sasl\.[a-z0-9.]+$/.test(key) || /^ssl\.[a-z0-9.]+$/.test(key)
  );
}

/** Parses a librdkafka "k=v;k=v" list into ordered pairs. Errors name the entry's file/line/key. */
export function parseProtoCfg(e: KeyFileEntry, warnings: ConfigWarning[] = []): Array<[string, string]> {
  const text = getString(e);
  const out: Array<[string, string]> = [];
  const parts = text.split(';');
  if (parts.length > 0 && parts[parts.length - 1]!.trim() === '') parts.pop();
  parts.forEach((part, i) => {
    const p = part.trim();
    if (p === '') {
      throw new ConfigError(`element ${i + 1} of the k=v;k=v list is empty`, entryLocation(e));
    }
    const eq = p.indexOf('=');
    if (eq < 0) {
      throw new ConfigError(`element ${i + 1} "${p}" is not key=value (librdkafka properties are written k=v;k=v)`, entryLocation(e));
    }
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1).trim();
    if (k === '') {
      throw new ConfigError(`element ${i + 1} "${p}" has an empty property name`, entryLocation(e));
    }
    if (/\s/.test(k)) {
      throw new ConfigError(`property name "${k}" contains whitespace`, entryLocation(e));
    }
    if (BOOTSTRAP_KEYS.includes(k)) {
      throw new ConfigError(
        `${k} cannot be set here: the brokers come from the conn-str ("host;port;topic", --conn-str), which the run ` +
          'reports and checks; a second address here would silently replace it',
        entryLocation(e),
      );
    }
    if (out.some(([pk]) => pk === k)) {
      warnings.push(makeWarning('duplicate-key', `property "${k}" is set twice in the list; the last one wins`, entryLocation(e)));
    }
    out.push([k, v]);
  });
  return out;
}

function parsePartitionKey(e: KeyFileEntry): string[] {
  const s = getString(e).trim();
  const path = s.split('.');
  if (s === '' || path.some((p) => p === '')) {
    throw new ConfigError(
      `"${s}" is not a dotted path into the message (e.g. deviceId or analyticsModule.id)`,
      entryLocation(e),
    );
  }
  return path;
}

/** Parses cfg_kafka.txt text. Throws ConfigError; warnings are in the result. */
export function parseKafkaConfig(text: string, fileName: string): KafkaConfig {
  const { keyFile, warnings } = parseKeyFile(text, fileName);
  const cfg = defaultKafkaConfig(fileName);
  cfg.warnings = warnings;
  let found = false;
  // The entry each list was last read from (a repeated key keeps its last value).
  const listEntries = new Map<KafkaProperty['from'], KeyFileEntry>();
  const groupProps: KafkaProperty[] = [];
  for (const group of keyFile.groups) {
    if (group.name !== KAFKA_GROUP) {
      warnings.push(makeWarning('unknown-group', `unknown group, ignored (the Kafka adaptor reads [${KAFKA_GROUP}])`, groupLocation(group)));
      continue;
    }
    found = true;
    for (const e of group.entries) {
      switch (e.key) {
        case 'proto-cfg':
          cfg.protoCfg = parseProtoCfg(e, warnings);
          listEntries.set('proto-cfg', e);
          break;
        case 'producer-proto-cfg':
          cfg.producerProtoCfg = parseProtoCfg(e, warnings);
          listEntries.set('producer-proto-cfg', e);
          break;
        case 'consumer-proto-cfg':
          cfg.consumerProtoCfg = parseProtoCfg(e, warnings);
          listEntries.set('consumer-proto-cfg', e);
          break;
        case 'consumer-group-id': {
          const s = getString(e).trim();
          if (s === '') throw new ConfigError('consumer group id is empty', entryLocation(e));
          cfg.consumerGroupId = s;
          break;
        }
        case 'partition-key':
          cfg.partitionKeyPath = parsePartitionKey(e);
          cfg.partitionKey = cfg.partitionKeyPath.join('.');
          break;
        case 'share-connection':
          cfg.shareConnection = getBool(e);
          break;
        default:
          if (isPassthroughKey(e.key)) {
            cfg.passthrough.push([e.key, getString(e).trim()]);
            groupProps.push({ key: e.key, value: getString(e).trim(), from: 'group', location: entryLocation(e) });
          } else {
            warnings.push(
              makeWarning(
                'unknown-key',
                `unknown key, ignored (known: ${KNOWN_KEYS.join(', ')}, security.protocol, sasl.*, ssl.*; ` +
                  `other librdkafka properties go in proto-cfg="k=v;k=v")`,
                entryLocation(e),
              ),
            );
          }
      }
    }
  }
  const listed = (from: 'proto-cfg' | 'producer-proto-cfg' | 'consumer-proto-cfg', pairs: Array<[string, string]>): KafkaProperty[] => {
    const e = listEntries.get(from);
    return e ? pairs.map(([key, value]) => ({ key, value, from, location: entryLocation(e) })) : [];
  };
  cfg.properties = [
    ...listed('proto-cfg', cfg.protoCfg),
    ...listed('producer-proto-cfg', cfg.producerProtoCfg),
    ...listed('consumer-proto-cfg', cfg.consumerProtoCfg),
    ...groupProps,
  ];
  if (!found) {
    warnings.push(
      makeWarning('missing-key', `no [${KAFKA_GROUP}] group: using the defaults (partition-key=${DEFAULT_PARTITION_KEY})`, {
        file: fileName,
      }),
    );
  }
  return cfg;
}

/** Reads (synchronously) and parses a cfg_kafka.txt file. */
export function loadKafkaConfig(path: string): KafkaConfig {
  return parseKafkaConfig(readConfigFile(path, 'Kafka adaptor config'), path);
}

// ---------------------------------------------------------------------------------------------------
// conn-str

export interface ConnStr {
  /** The host field as written (may be a comma-separated list). */
  host: string;
  /** Each host of the host field. */
  hosts: string[];
  port: number;
  topic: string;
  /** librdkafka bootstrap.servers: every host with the port, comma-separated. */
  bootstrapServers: string;
}

const CONN_STR_SOURCE = 'conn-str';
const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/;
const TOPIC_RE = /^[A-Za-z0-9._-]+$/;

function connError(s: string, detail: string): ConfigError {
  return new ConfigError(`"${s}": ${detail}`, { key: CONN_STR_SOURCE });
}

/**
 * Parses DeepStream's nvmsgbroker conn-str, "host;port;topic".
 *
 * - The host field may list several brokers separated by commas, all on the given port
 *   ("k1,k2;9092;t" -> bootstrap.servers "k1:9092,k2:9092"). A host with its own ":port" is rejected.
 * - "host;port" without a topic is rejected unless `options.topic` is given (the equivalent of
 *   nvmsgbroker's `topic` property): DeepStream would take the text after the last ";" as the topic and
 *   publish to a topic named after the port.
 * - Port: 1..65535. Topic: Kafka's legal characters [A-Za-z0-9._-], at most 249, not "." or "..".
 */
export function parseConnStr(s: string, options: { topic?: string } = {}): ConnStr {
  const fields = s.split(';').map((f) => f.trim());
  if (fields.length > 3) {
    throw connError(s, `expected "host;port;topic", got ${fields.length} fields`);
  }
  const [host = '', portText = '', topicField] = fields;
  if (host === '') throw connError(s, 'the host is empty (expected "host;port;topic", e.g. "localhost;9092;ds-kafka")');
  if (fields.length < 2 || portText === '') {
    throw connError(s, 'the port is missing (expected "host;port;topic", e.g. "localhost;9092;ds-kafka")');
  }
  const hosts = host.split(',').map((h) => h.trim());
  for (const h of hosts) {
    if (h === '') throw connError(s, 'the host list has an empty entry');
    if (/^[^[]*:\d*$/.test(h)) {
      throw connError(s, `host "${h}" carries a port; write the port in the second field ("host;port;topic")`);
    }
    if (!HOST_RE.test(h)) throw connError(s, `"${h}" is not a valid host name or address`);
  }
  if (!/^\d+$/.test(portText)) throw connError(s, `port "${portText}" is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw connError(s, `port ${port} is out of range (1-65535)`);

  let topic: string;
  if (topicField === undefined) {
    if (options.topic === undefined) {
      throw connError(
        s,
        `no topic: write "host;port;topic" (e.g. "${host};${port};ds-kafka"). DeepStream's nvmsgbroker would take ` +
          `the text after the last ";" as the topic and silently publish to a topic named "${portText}"`,
      );
    }
    topic = options.topic.trim();
  } else {
    if (topicField === '') throw connError(s, 'the topic (third field) is empty');
    if (options.topic !== undefined && options.topic.trim() !== topicField) {
      throw connError(s, `two different topics: "${topicField}" in conn-str and "${options.topic}" given separately`);
    }
    topic = topicField;
  }
  if (topic === '' || topic === '.' || topic === '..' || topic.length > 249 || !TOPIC_RE.test(topic)) {
    throw connError(s, `"${topic}" is not a legal Kafka topic name (letters, digits, ".", "_", "-"; at most 249)`);
  }
  return { host, hosts, port, topic, bootstrapServers: hosts.map((h) => `${h}:${port}`).join(',') };
}
