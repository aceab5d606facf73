// npm run soak -- --minutes N [--streams K] [--broker-restart-every S] [--json file]
//                 [--frame-interval F] [--port 29592] [--rss-tolerance 5] [--warmup 60] [--report-every 30]
//
// A long run in real time against a local broker that is restarted on a schedule, with figures:
//   - its own single-node KRaft broker (port 29592, fresh temp directory), restarted every S seconds
//     (default 300) with its data kept, as a rolling broker upgrade would;
//   - ONE library pipeline (as `ds-kafka run -i … -i …`) with K streams (default 3), paced at 30 fps
//     (realtime: true), motion detector, native producer. Each input is the shipped 18 s sample repeated
//     end to end into one long H.264 stream of N minutes, so the long-running path runs: one decoder,
//     tracker, analytics engine and producer per stream for the whole soak (no restarts that would hide a
//     slow leak), and the counts at the end are known exactly (copies x the sample's ground truth);
//   - a message on every crossing and every F-th frame (default 30: one a second per stream);
//   - every 30 s one line: elapsed, RSS, V8 heap, open fds, threads, frames, messages produced /
//     delivered / failed;
//   - at the end the topic is read back: duplicates by messageid, messages missing (produced but not read),
//     final lc_cum per stream against the ground truth, RSS first (the first sample after a 60 s warm-up)
//     vs last (the last sample while the inputs still ran), its trend in MB/min, and a verdict line.
// Exit code 0 when nothing was lost or duplicated, counts are exact and RSS stayed within --rss-tolerance %.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalBroker } from '../src/broker/local-broker.js';
import { ensureTopic } from '../src/kafka/admin.js';
import { readMessages } from '../src/kafka/consumer.js';
import { createPipeline } from '../src/pipeline/pipeline.js';
import type { RunReport } from '../src/pipeline/events.js';
import { clock, machineLine, sampleProcess, slope, type ProcessSample } from './lib/process-stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
function opt(name: string, fallback: number): number;
function opt(name: string, fallback: string | undefined): string | undefined;
function opt(name: string, fallback: number | string | undefined): number | string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  if (typeof fallback === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}`);
    return n;
  }
  return v;
}

const minutes = opt('minutes', 30);
const streams = Math.max(1, Math.floor(opt('streams', 3)));
const restartEveryS = opt('broker-restart-every', 300);
const frameInterval = Math.floor(opt('frame-interval', 30));
const port = opt('port', 29592);
const reportEveryS = opt('report-every', 30);
const rssTolerancePct = opt('rss-tolerance', 5);
const warmupS = opt('warmup', 60);
const jsonFile = opt('json', undefined);

const SAMPLE = join(root, 'samples', 'sample_720p.h264');
const ANALYTICS = join(root, 'samples', 'config_nvdsanalytics.txt');
const truth = JSON.parse(readFileSync(join(root, 'samples', 'sample_720p.truth.json'), 'utf8')) as {
  frames: number;
  fps: number;
  expected: { lc_cum: Record<string, number> };
};

/** The sample's analytics config with its stream-0 rules repeated for streams 1..n-1. */
function writeAnalyticsConfig(path: string, n: number): void {
  const text = readFileSync(ANALYTICS, 'utf8');
  const group = /^\[line-crossing-stream-0\][^[]*/m.exec(text)?.[0];
  if (!group) throw new Error(`${ANALYTICS}: no [line-crossing-stream-0] group`);
  const more = Array.from({ length: n - 1 }, (_, i) => group.replace('[line-crossing-stream-0]', `[line-crossing-stream-${i + 1}]`));
  writeFileSync(path, [text, ...more].join('\n'));
}

/** The sample repeated `copies` times: H.264 Annex B streams concatenate into one valid stream. */
function writeLongInput(path: string, copies: number): void {
  const one = readFileSync(SAMPLE);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < copies; i++) writeSync(fd, one);
  } finally {
    closeSync(fd);
  }
}

interface Tick extends ProcessSample {
  elapsedMs: number;
  /** Frames advanced since the previous sample (false once the inputs ended and the run is flushing). */
  running: boolean;
  frames: number;
  produced: number;
  delivered: number;
  failed: number;
  brokerUp: boolean;
}

async function main(): Promise<number> {
  const sampleSeconds = truth.frames / truth.fps;
  const copies = Math.max(1, Math.ceil((minutes * 60) / sampleSeconds));
  const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-soak-'));
  const input = join(dir, `sample_x${copies}.h264`);
  writeLongInput(input, copies);
  writeAnalyticsConfig(join(dir, 'config_nvdsanalytics.txt'), streams);
  const topic = `soak-${Date.now()}`;
  const loadStart = loadavg();
  console.log(machineLine() + ((globalThis as { gc?: unknown }).gc ? '; heap sampled after a full GC (--expose-gc)' : ''));
  console.log(
    `soak: ${streams} stream(s) x ${copies} copies of the 18 s sample (${((copies * sampleSeconds) / 60).toFixed(1)} min) in real time, ` +
      `one pipeline, motion detector, native producer, a message per crossing and every ${frameInterval} frames; ` +
      `broker on port ${port} restarted every ${restartEveryS} s; topic ${topic}`,
  );

  const brokerLog = (l: string) => process.stderr.write(`[broker] ${l}\n`);
  let broker = await LocalBroker.start({ port, dir: join(dir, 'broker'), log: brokerLog });
  try {
    return await soak(dir, input, copies, sampleSeconds, topic, loadStart, () => broker, (b) => (broker = b), brokerLog);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function soak(
  dir: string,
  input: string,
  copies: number,
  sampleSeconds: number,
  topic: string,
  loadStart: number[],
  getBroker: () => LocalBroker,
  setBroker: (b: LocalBroker) => void,
  brokerLog: (l: string) => void,
): Promise<number> {
  const bootstrap = getBroker().bootstrapServers;
  await ensureTopic(bootstrap, topic, streams);

  const ids = new Set<string>();
  let frames = 0;
  let warnings = 0;
  const p = createPipeline({
    inputs: Array.from({ length: streams }, () => input),
    deviceIds: Array.from({ length: streams }, (_, i) => `soak-cam-${i}`),
    detector: 'motion',
    analyticsConfig: join(dir, 'config_nvdsanalytics.txt'),
    connStr: `localhost;${port};${topic}`,
    realtime: true,
    sendOn: { lineCrossing: true, frameInterval },
    // A restart during the final flush must not count messages as failed.
    flushTimeoutMs: 180_000,
  });
  // A service listens to frames; the soak does too, so the JS side of the long-running path is exercised.
  p.on('frame', () => frames++);
  p.on('message', (m) => {
    const id = /^\{"messageid":"([^"]+)"/.exec(m.payload)?.[1];
    // A copy: V8 keeps a matched substring as a slice of its parent, so storing `id` itself would keep every
    // whole payload alive (~450 B a message) and show up as growth of this process, not of the pipeline.
    if (id) ids.add(Buffer.from(id, 'latin1').toString('latin1'));
  });
  p.on('warning', (w) => {
    // Broker restarts make librdkafka warn about lost connections; count them, print the first few.
    if (++warnings <= 5) console.log(`  warning: ${w.message}`);
  });

  const started = Date.now();
  const ticks: Tick[] = [];
  let brokerUp = true;
  const restarts: Array<{ atMs: number; downMs: number }> = [];
  // With node --expose-gc the heap figure is what is retained (a full GC first), not garbage not yet collected.
  const gc = (globalThis as { gc?: () => void }).gc;
  const tick = (ended = false) => {
    gc?.();
    const s = p.producerStats();
    const t: Tick = { elapsedMs: Date.now() - started, running: !ended && frames > (ticks.at(-1)?.frames ?? 0), ...sampleProcess(), frames, produced: s?.produced ?? 0, delivered: s?.delivered ?? 0, failed: s?.failed ?? 0, brokerUp };
    ticks.push(t);
    console.log(
      `  ${clock(t.elapsedMs).padStart(6)}  rss ${t.rssMb.toFixed(1)} MB  heap ${t.heapMb.toFixed(1)} MB  fds ${t.fds}  threads ${t.threads}  ` +
        `frames ${t.frames}  produced ${t.produced} delivered ${t.delivered} failed ${t.failed}${brokerUp ? '' : '  (broker down)'}${t.running ? '' : '  (inputs ended)'}`,
    );
  };
  const timer = setInterval(() => tick(), reportEveryS * 1000);

  let ended = false;
  const restartLoop = (async () => {
    if (restartEveryS <= 0) return;
    for (let n = 1; ; n++) {
      while (Date.now() - started < n * restartEveryS * 1000) {
        if (ended) return;
        await sleep(250);
      }
      if (ended) return;
      const t0 = Date.now();
      brokerUp = false;
      await getBroker().stop();
      setBroker(await LocalBroker.start({ port, dir: join(dir, 'broker'), keepData: true, log: brokerLog }));
      brokerUp = true;
      restarts.push({ atMs: t0 - started, downMs: Date.now() - t0 });
      console.log(`  ${clock(Date.now() - started).padStart(6)}  broker restarted (stopped at ${clock(t0 - started)}, down ${((Date.now() - t0) / 1000).toFixed(1)} s, data kept)`);
    }
  })();

  const onSignal = () => void p.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let report: RunReport;
  try {
    report = await p.start().done;
  } catch (err) {
    report = (err as { report?: RunReport }).report ?? (() => { throw err; })();
    console.log(`  pipeline ended with: ${(err as Error).message}`);
  }
  ended = true;
  clearInterval(timer);
  tick(true);
  await restartLoop; // a restart in progress finishes: the topic is read from a running broker
  const wallMs = Date.now() - started;

  // Read everything back.
  const got = await readMessages({ bootstrapServers: bootstrap, topic, idleMs: 10_000, timeoutMs: 600_000 });
  const seen = new Map<string, number>();
  const lastCum = new Map<string, Record<string, number>>();
  for (const m of got) {
    const msg = JSON.parse(m.value) as { messageid: string; deviceId: string; analyticsModule: Record<string, unknown> };
    seen.set(msg.messageid, (seen.get(msg.messageid) ?? 0) + 1);
    const cum = lastCum.get(msg.deviceId) ?? {};
    for (const label of Object.keys(truth.expected.lc_cum)) {
      const v = msg.analyticsModule[`lc_cum_${label}`];
      if (typeof v === 'number') cum[label] = Math.max(cum[label] ?? 0, v);
    }
    lastCum.set(msg.deviceId, cum);
  }
  const duplicates = [...seen.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
  const missing = [...ids].filter((id) => !seen.has(id)).length;
  const unexpected = [...seen.keys()].filter((id) => !ids.has(id)).length;
  const delivery = report.delivery;

  // Counts: a run that reached the end of its input has counted copies x the sample's ground truth.
  const expectedCum = Object.fromEntries(Object.entries(truth.expected.lc_cum).map(([k, v]) => [k, v * copies]));
  const countRows = report.streams.map((s) => ({
    deviceId: s.deviceId,
    state: s.state,
    frames: s.frames,
    report: s.lcCum,
    lastMessage: lastCum.get(s.deviceId) ?? {},
  }));
  const countsExact =
    !report.stopped && countRows.every((r) => Object.entries(expectedCum).every(([k, v]) => r.report[k] === v && r.lastMessage[k] === v));

  // RSS while the pipeline runs (samples after the inputs ended measure teardown, not the long run).
  const live = ticks.filter((t) => t.running);
  if (live.length === 0) throw new Error(`no sample while the pipeline ran (run longer than --report-every ${reportEveryS} s)`);
  // After the warm-up (decoders, tracker histories, producer buffers and malloc arenas reach their working size).
  const first = live.find((t) => t.elapsedMs >= warmupS * 1000) ?? live[0]!;
  const last = live.at(-1)!;
  const rssValues = live.map((t) => t.rssMb);
  const changePct = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
  const steady = live.filter((t) => t.elapsedMs >= first.elapsedMs);
  const slopeMbPerMin = slope(steady.map((t) => t.elapsedMs / 60000), steady.map((t) => t.rssMb));
  // A leak keeps its slope; warm-up steps (a broker restart's buffers, a new malloc arena) do not.
  const secondHalf = steady.slice(Math.floor(steady.length / 2));
  const lateSlopeMbPerMin = slope(secondHalf.map((t) => t.elapsedMs / 60000), secondHalf.map((t) => t.rssMb));
  const rssFlat = Math.abs(changePct) <= rssTolerancePct;

  console.log(`\nend after ${clock(wallMs)} (${report.stopped ? 'stopped' : 'end of input'}); ${restarts.length} broker restart(s), down ${restarts.map((r) => `${(r.downMs / 1000).toFixed(1)} s`).join(', ') || '-'}`);
  console.log(`frames ${report.frames} (${report.fps.toFixed(1)} fps over all streams), warnings ${warnings}, events dropped ${report.eventsDropped}`);
  console.log(`messages: built ${report.messages.built}, produced ${delivery?.produced ?? 0}, delivered ${delivery?.delivered ?? 0}, failed ${delivery?.failed ?? 0}, lost ${report.messages.lost}`);
  console.log(`read back: ${got.length} message(s), ${seen.size} distinct messageid(s); duplicates ${duplicates}, missing ${missing} (produced, not read), unexpected ${unexpected}`);
  for (const r of countRows) {
    console.log(`  ${r.deviceId}: ${r.state}, ${r.frames} frames, lc_cum ${JSON.stringify(r.report)} (last message ${JSON.stringify(r.lastMessage)}; expected ${JSON.stringify(expectedCum)})`);
  }
  console.log(
    `RSS: ${live[0]!.rssMb.toFixed(1)} MB at ${clock(live[0]!.elapsedMs)}; first after the ${warmupS} s warm-up ${first.rssMb.toFixed(1)} MB at ${clock(first.elapsedMs)}, last ${last.rssMb.toFixed(1)} MB at ${clock(last.elapsedMs)}, ` +
      `min ${Math.min(...rssValues).toFixed(1)} max ${Math.max(...rssValues).toFixed(1)} MB, trend ${slopeMbPerMin >= 0 ? '+' : ''}${slopeMbPerMin.toFixed(2)} MB/min (second half ${lateSlopeMbPerMin >= 0 ? '+' : ''}${lateSlopeMbPerMin.toFixed(2)}); ` +
      `fds ${first.fds} -> ${last.fds}, threads ${first.threads} -> ${last.threads}`,
  );
  const ok = duplicates === 0 && missing === 0 && unexpected === 0 && (delivery?.failed ?? 1) === 0 && countsExact && rssFlat;
  const verdict =
    `${rssFlat ? `RSS flat within ${Math.abs(changePct).toFixed(1)}%` : `RSS NOT flat: ${changePct >= 0 ? '+' : ''}${changePct.toFixed(1)}%`} ` +
    `(${first.rssMb.toFixed(1)} -> ${last.rssMb.toFixed(1)} MB); ${duplicates} duplicate(s), ${missing} missing, ` +
    `${delivery?.failed ?? '?'} failed; counts ${countsExact ? 'exact' : 'NOT exact'}`;
  console.log(`verdict: ${verdict}`);

  if (jsonFile) {
    const out = {
      machine: machineLine(),
      loadAverage: { start: loadStart, end: loadavg() },
      options: { minutes, streams, restartEveryS, frameInterval, port, reportEveryS, warmupS },
      input: { copies, seconds: copies * sampleSeconds, framesPerStream: copies * truth.frames },
      wallMs,
      restarts,
      ticks,
      report: { frames: report.frames, fps: report.fps, stopped: report.stopped, messages: report.messages, delivery, eventsDropped: report.eventsDropped, warnings },
      readBack: { read: got.length, distinct: seen.size, duplicates, missing, unexpected },
      counts: { expected: expectedCum, streams: countRows, exact: countsExact },
      rss: { firstAtMs: first.elapsedMs, firstMb: first.rssMb, lastAtMs: last.elapsedMs, lastMb: last.rssMb, minMb: Math.min(...rssValues), maxMb: Math.max(...rssValues), changePct, slopeMbPerMin, lateSlopeMbPerMin, tolerancePct: rssTolerancePct },
      verdict,
      ok,
    };
    writeFileSync(jsonFile, JSON.stringify(out, null, 2) + '\n');
    console.log(`JSON: ${jsonFile}`);
  }

  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`soak failed: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
