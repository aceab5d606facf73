// `ds-kafka broker start|stop|status`: a local single-node KRaft Kafka broker for trying ds-kafka out
// (jars from Maven Central on first use; needs Java 17).
import type { Argv } from 'yargs';
import { hasBrokerData, LocalBroker, readBrokerState, stopDetachedBroker } from '../../broker/local-broker.js';
import { ensureKafkaDist } from '../../broker/kafka-dist.js';
import { ensureTopic } from '../../kafka/admin.js';
import { createOutput } from '../output.js';

export function brokerCommand(y: Argv) {
  return y
    .command(
      'start',
      'start a local Kafka broker in the background (keeps the data of its last run; --fresh wipes it)',
      (b) =>
        b
          .option('port', { type: 'number', default: 9092, describe: 'client port on 127.0.0.1' })
          .option('topic', { type: 'string', array: true, default: ['ds-kafka'], describe: 'topics to create' })
          .option('partitions', { type: 'number', default: 1 })
          .option('fresh', { type: 'boolean', default: false, describe: 'wipe the data of the previous run (acknowledged messages are kept otherwise)' }),
      async (a) => {
        const out = createOutput('text', Boolean(a.quiet));
        const existing = readBrokerState(a.port);
        if (existing) {
          out.result(`broker already running on ${existing.bootstrapServers} (pid ${existing.pid})`);
        } else {
          // A restart after a crash must not delete what the broker acknowledged: keep the data unless asked.
          const kept = !a.fresh && hasBrokerData(a.port);
          const broker = await LocalBroker.start({ port: a.port, detached: true, keepData: !a.fresh, log: (l) => out.info(l) });
          out.result(
            `broker running on ${broker.bootstrapServers} (pid ${broker.state.pid}); ` +
              `data: ${kept ? 'kept from its previous run (--fresh wipes it)' : 'fresh'}; log: ${broker.state.logFile}`,
          );
        }
        for (const t of a.topic) await ensureTopic(`localhost:${a.port}`, t, a.partitions);
        out.result(`topics ready: ${a.topic.join(', ')}`);
      },
    )
    .command(
      'stop',
      'stop the local Kafka broker',
      (b) => b.option('port', { type: 'number', default: 9092 }),
      async (a) => {
        const out = createOutput('text', Boolean(a.quiet));
        const stopped = await stopDetachedBroker(a.port);
        out.result(stopped ? `stopped broker on ${stopped.bootstrapServers} (pid ${stopped.pid})` : `no local broker running on port ${a.port}`);
      },
    )
    .command(
      'status',
      'say whether the local Kafka broker is running',
      (b) => b.option('port', { type: 'number', default: 9092 }),
      (a) => {
        const s = readBrokerState(a.port);
        createOutput().result(s ? `running on ${s.bootstrapServers} (pid ${s.pid}); log: ${s.logFile}` : `not running (port ${a.port})`);
        if (!s) process.exitCode = 1;
      },
    )
    .command(
      'fetch',
      'resolve the Kafka jars from Maven Central into the cache (done by start on first use)',
      (b) => b,
      async (a) => {
        const out = createOutput('text', Boolean(a.quiet));
        const d = await ensureKafkaDist((l) => out.info(l));
        out.result(`Apache Kafka ${d.version}: ${d.libDir}`);
      },
    )
    .demandCommand(1, 'choose: start, stop, status or fetch');
}
