// A library user in a child process (so a test can SIGKILL it): runs createPipeline() with the JSON
// options in argv[2] and prints every message event (after it was produced, so spooled) as a JSON line.
import { createPipeline } from '../../dist/index.js';

const p = createPipeline(JSON.parse(process.argv[2]));
p.on('message', (m) => {
  const { messageid } = JSON.parse(m.payload);
  process.stdout.write(JSON.stringify({ event: 'message', seq: m.seq, messageid, streamId: m.streamId }) + '\n');
});
p.on('delivery', (d) => process.stdout.write(JSON.stringify({ event: 'delivery', seq: d.seq, ok: d.ok }) + '\n'));
p.on('info', (m) => process.stdout.write(JSON.stringify({ event: 'info', message: m }) + '\n'));
p.start();
p.done.then(
  (r) => process.stdout.write(JSON.stringify({ event: 'report', report: r }) + '\n'),
  (e) => {
    process.stdout.write(JSON.stringify({ event: 'error', message: e.message, report: e.report }) + '\n');
    process.exitCode = 1;
  },
);
