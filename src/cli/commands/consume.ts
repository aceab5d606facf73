// `ds-kafka consume`: print the messages of a topic, optionally validating each against schema/.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { parseConnStr } from '../../config/kafka-config.js';
import { readMessages } from '../../kafka/consumer.js';
import { probeTopic, type TopicProbe } from '../../kafka/admin.js';
import { ConfigError } from '../../config/errors.js';
import { BrokerUnavailableError } from '../../errors.js';
import { loadMessageValidator } from '../../schema/validate.js';
import { createOutput, type LogFormat } from '../output.js';

export function consumeBuilder(y: Argv) {
  return y
    .option('conn-str', { type: 'string', demandOption: true, describe: 'Kafka "host;port;topic"' })
    .option('max-messages', { type: 'number', describe: 'stop after this many messages' })
    .option('idle-ms', { type: 'number', default: 5000, describe: 'stop after this long without a message' })
    .option('validate', { type: 'boolean', default: false, describe: 'validate every message against schema/ds-kafka-message.schema.json' })
    .option('keys', { type: 'boolean', default: false, describe: 'print "key<TAB>value"' });
}

interface ConsumeArgs {
  connStr: string;
  maxMessages?: number;
  idleMs: number;
  validate: boolean;
  keys: boolean;
  quiet: boolean;
  logFormat: LogFormat;
}

export async function consumeHandler(a: ArgumentsCamelCase<ConsumeArgs>): Promise<void> {
  const out = createOutput(a.logFormat, a.quiet);
  const conn = parseConnStr(a.connStr);
  const validate = a.validate ? loadMessageValidator() : undefined;
  // A wrong topic name is the user's mistake (exit 2), a broker that cannot be reached is not (exit 4);
  // reading never creates the topic.
  let probe: TopicProbe;
  try {
    probe = await probeTopic(conn.bootstrapServers, conn.topic);
  } catch (err) {
    throw new BrokerUnavailableError(`cannot reach the Kafka broker at ${conn.bootstrapServers}: ${(err as Error).message}`);
  }
  if (!probe.exists) {
    const topics = probe.topics ?? [];
    throw new ConfigError(
      `topic "${conn.topic}" does not exist on ${conn.bootstrapServers}` +
        (topics.length ? ` (topics there: ${topics.slice(0, 10).join(', ')}${topics.length > 10 ? ', …' : ''})` : ' (the broker has no topics)'),
      { key: 'conn-str' },
    );
  }
  let invalid = 0;
  const msgs = await readMessages({
    bootstrapServers: conn.bootstrapServers,
    topic: conn.topic,
    max: a.maxMessages,
    idleMs: a.idleMs,
    onMessage: (m) => {
      process.stdout.write(a.keys ? `${m.key ?? ''}\t${m.value}\n` : `${m.value}\n`);
      if (validate) {
        const problems = validate(m.value);
        if (problems) {
          invalid++;
          out.warn(`offset ${m.offset}: invalid message: ${problems}`);
        }
      }
    },
  });
  out.info(`${msgs.length} message(s) from "${conn.topic}"${validate ? `, ${invalid} invalid` : ''}`);
  if (invalid > 0) process.exitCode = 1;
}
