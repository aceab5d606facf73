#!/usr/bin/env node
// ds-kafka command line. Commands live in ./commands, one file each.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { brokerCommand } from './commands/broker.js';
import { sendBuilder, send, type SendArgs } from './commands/send.js';
import { runBuilder, runHandler } from './commands/run.js';
import { configCommand } from './commands/config.js';
import { consumeBuilder, consumeHandler } from './commands/consume.js';
import { capabilitiesHandler } from './commands/capabilities.js';
import { sampleBuilder, sampleHandler } from './commands/sample.js';
import { previewBuilder, previewHandler } from './commands/preview.js';
import { ExitPending, exitWhenFlushed, fail, UsageError } from './fail.js';
import { createOutput, type LogFormat } from './output.js';
import { ExitCode } from './exit-codes.js';

const argv = hideBin(process.argv);

function outputFromArgv() {
  const i = argv.indexOf('--log-format');
  const format = (i >= 0 ? argv[i + 1] : undefined) === 'json' ? 'json' : 'text';
  return createOutput(format as LogFormat, argv.includes('--quiet'));
}

const cli = yargs(argv)
  .scriptName('ds-kafka')
  .usage('$0 <command> [options]\n\nVideo-analytics statistics (line crossing, ROI, overcrowding, direction) to Kafka as JSON.')
  .option('quiet', { type: 'boolean', default: false, global: true, describe: 'only results and errors' })
  .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, global: true, describe: 'text for people, json lines for services' })
  .command('run', 'run the analytics pipeline on video input(s) and publish to Kafka', runBuilder, runHandler)
  .command('preview', 'draw the analytics rules (lines, directions, ROIs) of a stream on a frame of the video, as a PNG', previewBuilder, previewHandler)
  .command('send', 'publish one JSON message with the native producer and report its delivery', sendBuilder, async (a) => {
    await send(a as unknown as SendArgs);
  })
  .command('consume', 'print messages from a topic (optionally validated against the schema)', consumeBuilder, consumeHandler)
  .command('config', 'check and explain config files', configCommand)
  .command('sample', 'write the bundled sample stream (with its config and ground truth) or render one from a scenario', sampleBuilder, sampleHandler)
  .command('broker', 'a local Apache Kafka broker (single-node KRaft) for trying things out', brokerCommand)
  .command('capabilities', 'show compiled-in backends and library versions', (y) => y, capabilitiesHandler)
  .demandCommand(1, 'choose a command')
  .strict()
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    if (err instanceof ExitPending) throw err;
    const out = outputFromArgv();
    // yargs' own validation errors (YError) are usage errors, as are our checks (UsageError).
    if (err && err.name !== 'YError') fail(out, err);
    out.error(`${(msg ?? err?.message ?? 'invalid command line').replace(/\s*\n\s*/g, ' ')} (see ds-kafka --help)`);
    exitWhenFlushed(ExitCode.usage);
  });

try {
  await cli.parseAsync();
} catch (err) {
  // ExitPending: an error was printed and the process exits once it is written.
  try {
    fail(outputFromArgv(), err instanceof Error && err.name === 'YError' ? new UsageError(err.message) : err);
  } catch (e) {
    if (!(e instanceof ExitPending)) throw e;
  }
}
