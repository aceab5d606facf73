// A Node service that runs ds-kafka as a library: it publishes a camera's line-crossing counts to Kafka
// and also reacts to them itself. Run: npx tsx examples/node-service.ts <video> <host;port;topic>
import { createPipeline, ConfigError, InputError, DeliveryError } from 'ds-kafka';

const [input = 'samples/real/people-one-by-one-a.mp4', connStr = 'localhost;9092;ds-kafka'] = process.argv.slice(2);

const pipeline = createPipeline({
  inputs: [input],
  connStr,
  analyticsConfig: 'samples/real/people-one-by-one-a.analytics.txt', // lines "Entry" and "Exit"
  detector: 'auto', // the DNN detector when its model is installed (npm run setup), else motion detection
  msgconvConfig: 'config/msgconv_config.txt',
  kafkaConfig: 'config/cfg_kafka.txt',
  deviceIds: ['gate-1'],
  sendOn: { lineCrossing: true, frameInterval: 200 }, // on every crossing, and a heartbeat every 200 frames
});

pipeline.on('message', (m) => console.log(`sent #${m.seq} (${m.reason}) key=${m.key}`));
pipeline.on('delivery', (d) => {
  if (!d.ok) console.error(`delivery #${d.seq} failed: ${d.error}`);
});
pipeline.on('warning', (w) => console.warn(`warning (${w.source}): ${w.message}`));

// Stop cleanly on SIGTERM/SIGINT (Kubernetes, Ctrl-C): stop() flushes Kafka and resolves with the report.
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void pipeline.stop());

pipeline.start();

// Per-frame analytics as an async iterator; a slow loop never holds up the video (bounded, drops counted).
let crossings = 0;
for await (const frame of pipeline.records()) {
  for (const [label, n] of Object.entries(frame.objLCCurrCnt)) {
    if (n > 0) console.log(`frame ${frame.frameNum}: ${n} crossing(s) of "${label}", total ${frame.objLCCumCnt[label]}`);
    crossings += n;
  }
}

try {
  const report = await pipeline.done;
  console.log(`done: ${report.frames} frames, ${crossings} crossings, ${report.delivery?.delivered} of ${report.messages.built} messages delivered`);
} catch (err) {
  if (err instanceof ConfigError || err instanceof InputError) console.error(`cannot run: ${err.message}`);
  else if (err instanceof DeliveryError) console.error(`${err.failed} message(s) not delivered: ${err.message}`);
  else throw err;
  process.exitCode = 1;
}
