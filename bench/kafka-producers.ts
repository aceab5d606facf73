// Kafka delivery benchmark, in one run on loopback against a real single-node KRaft broker that it starts
// (port 39092, temp dir) and stops:
//   (a) the native producer (NativeKafkaProducer: librdkafka in the addon)
//   (b) the kafkajs path (KafkajsProducer)
//   (c) baseline: plain librdkafka through kcat, producing the same payloads from a file
// Same N realistic payloads (~300 bytes, built by src/payload/build.ts, keyed by deviceId) for all three,
// all idempotent with acks=all and linger.ms=5. Each measurement is cold, like the kcat process: from
// creating the producer to every message acknowledged and the producer closed. Rounds rotate the order;
// the table shows the median round. Client CPU per message is reported too: unlike wall time it barely
// moves when other work shares the machine (the broker's JVM always does, on the same cores). Delivery latency (produce -> ack, from the delivery events' latencyMs)
// is measured twice: under the burst (queueing behind everything sent before) and paced at a fixed rate
// (the streaming case: a few hundred messages a second).
//
//   npx tsx bench/kafka-producers.ts [--messages 20000] [--rounds 5] [--port 39092] [--paced-rate 1000]
//                                    [--paced-messages 3000] [--no-write]
//
// DS_KAFKA_ADDON selects the addon build (default build/Release/ds_kafka.node).
import { spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { LocalBroker } from '../src/broker/local-broker.js';
import { kafkaVersion } from '../src/broker/kafka-dist.js';
import type { PayloadMapping } from '../src/config/resolved.js';
import { ensureTopic } from '../src/kafka/admin.js';
import { KafkajsProducer } from '../src/kafka/kafkajs-producer.js';
import { NativeKafkaProducer } from '../src/kafka/native-producer.js';
import type { DeliveryStats, MessageProducer, ProducerEvent } from '../src/kafka/types.js';
import { loadAddon } from '../src/native/addon.js';
import { buildPayload, newMessageContext, type FrameAnalyticsRecord } from '../src/payload/build.js';

export interface BenchKafkaProducersOptions {
  /** Messages per measured run (default 20000). */
  messages?: number;
  /** Rounds of (native, kafkajs, kcat), order rotated each round (default 5). */
  rounds?: number;
  /** Client port of the broker this benchmark starts (default 39092). */
  port?: number;
  /** Use this running broker instead of starting one. */
  bootstrapServers?: string;
  /** Paced latency run: messages per second and count (default 1000/s, 3000 messages). 0 skips it. */
  pacedRate?: number;
  pacedMessages?: number;
  /** kcat binary (default "kcat"). */
  kcat?: string;
  /** Where the JSON goes (default bench/results/kafka-producers.json); null = do not write. */
  resultsFile?: string | null;
  log?: (line: string) => void;
}

export interface Latency {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ProducerRun {
  messages: number;
  seconds: number;
  messagesPerSec: number;
  /** Payload bytes (values only) per second, MB = 1e6 bytes. */
  mbPerSec: number;
  /** Messages in the topic afterwards (idempotent: exactly `messages`). */
  stored: number;
  /** Client CPU time (user + system, all threads of the producing process) per 1000 messages. */
  cpuMsPer1000: number;
  delivered?: number;
  failed?: number;
  droppedEvents?: number;
  latencyMs?: Latency;
}

export interface ProducerResult {
  /** The median round (by messages/s). */
  median: ProducerRun;
  rounds: ProducerRun[];
  /** Paced run: delivery latency at a fixed send rate. */
  paced?: { rate: number; messages: number; latencyMs: Latency; stored: number };
}

export interface KafkaProducersBenchResults {
  benchmark: 'kafka-producers';
  date: string;
  machine: { nproc: number; cpuModel: string; node: string; platform: string; loadAvgStart: number[]; loadAvgEnd: number[] };
  versions: { kafkaBroker: string; librdkafkaNative: string; kcat: string };
  config: { messages: number; rounds: number; payloadBytesAvg: number; keyed: 'deviceId'; producerSettings: string; bootstrapServers: string };
  native: ProducerResult;
  /** The native producer with --spool-dir: every message on disk until acknowledged. */
  nativeSpool: ProducerResult;
  kafkajs: ProducerResult;
  kcat: ProducerResult;
  /** Throughput ratios of the medians; cpu* = client CPU per message ratios (robust to a loaded machine). */
  ratios: { nativeOverKcat: number; kafkajsOverNative: number; cpuNativeOverKcat: number; cpuKafkajsOverNative: number; spoolOverNative: number; cpuSpoolOverNative: number };
}

// ---- payloads ----------------------------------------------------------------------------------------------

const MAPPING: PayloadMapping = {
  streams: [0, 1, 2, 3].map((streamId) => ({
    streamId,
    fields: [
      { name: 'lc_curr_straight', source: 'lc_curr', key: 'straight' },
      { name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' },
      { name: 'roi_RF', source: 'roi_count', key: 'RF' },
    ],
  })),
  analyticsModule: { id: 'XYZ', description: 'Vehicle Detection and License Plate Recognition', source: 'OpenALR', version: '1.0' },
  staticFields: {},
};

/** N keyed messages as a line-crossing pipeline would send them: 4 cameras, growing cumulative counts. */
export function makePayloads(n: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const cum = [0, 0, 0, 0];
  const t0 = Date.UTC(2025, 0, 1, 8, 0, 0);
  for (let i = 0; i < n; i++) {
    const s = i % 4;
    cum[s]! += 1;
    const frame: FrameAnalyticsRecord = {
      streamId: s,
      frameNum: Math.floor(i / 4) * 7,
      ptsMs: Math.floor(i / 4) * 233,
      objLCCurrCnt: { straight: 1, Exit: i % 3 === 0 ? 1 : 0 },
      objLCCumCnt: { straight: cum[s]!, Exit: Math.floor(cum[s]! / 3) },
      objInROIcnt: { RF: (i * 7) % 13 },
      ocStatus: { OC: (i * 7) % 13 > 9 },
      objCnt: { '0': (i * 5) % 9, '2': i % 4 },
    };
    const deviceId = `camera-${String(s + 1).padStart(2, '0')}`;
    out.push([deviceId, buildPayload(MAPPING, frame, newMessageContext(deviceId, new Date(t0 + i * 8)))]);
  }
  return out;
}

// ---- measurement -----------------------------------------------------------------------------------------

function latency(xs: number[]): Latency {
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! : NaN);
  return { samples: s.length, p50: q(0.5), p99: q(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor((xs.length - 1) / 2)]!;
const medianOf = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function storedCount(bootstrapServers: string, topic: string): Promise<number> {
  const admin = new kafkajs.Kafka({ clientId: 'ds-kafka-bench', brokers: bootstrapServers.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

type Kind = 'native' | 'native-spool' | 'kafkajs';
const SETTINGS = 'enable.idempotence=true acks=all linger.ms=5';
let spoolNo = 0;
let spoolRoot = tmpdir(); // the benchmark's work directory once it runs (removed at the end)

function makeProducer(kind: Kind, bootstrapServers: string, topic: string, onEvent: (e: ProducerEvent) => void): MessageProducer {
  if (kind === 'kafkajs') return new KafkajsProducer({ bootstrapServers, topic }, onEvent);
  // native-spool: the same producer with --spool-dir (a fresh spool per run, under the OS temp dir's disk).
  const spool = kind === 'native-spool' ? { spoolDir: join(spoolRoot, `spool-${++spoolNo}`) } : {};
  return new NativeKafkaProducer({ bootstrapServers, topic, properties: [['linger.ms', '5']], ...spool }, onEvent);
}

/** Burst: everything as fast as the producer takes it (yielding every 500 so delivery events drain). */
async function runBurst(kind: Kind, bootstrapServers: string, topic: string, payloads: Array<[string, string]>): Promise<ProducerRun> {
  const lat: number[] = [];
  let failed = 0;
  const onEvent = (e: ProducerEvent) => {
    if (e.type !== 'delivery') return;
    if (e.ok) lat.push(e.latencyMs);
    else failed++; // counted natively too (stats.failed)
  };
  const bytes = payloads.reduce((n, [, v]) => n + Buffer.byteLength(v), 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const p = makeProducer(kind, bootstrapServers, topic, onEvent);
  for (let i = 0; i < payloads.length; i++) {
    const [k, v] = payloads[i]!;
    p.send(k, v);
    if (i % 100 === 99) await yieldToLoop();
  }
  const flushed = await p.flush(120_000);
  const stats: DeliveryStats = await p.close(10_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (!flushed) throw new Error(`${kind}: not everything was delivered within 120 s (${JSON.stringify(stats)})`);
  await sleep(50); // the last delivery events
  return {
    messages: payloads.length,
    seconds: round2(seconds * 1000) / 1000,
    messagesPerSec: Math.round(payloads.length / seconds),
    mbPerSec: round2(bytes / seconds / 1e6),
    stored: await storedCount(bootstrapServers, topic),
    cpuMsPer1000: round2(((cpu.user + cpu.system) / 1000 / payloads.length) * 1000),
    delivered: stats.delivered,
    failed: stats.failed,
    droppedEvents: stats.droppedEvents,
    latencyMs: latency(lat),
  };
}

/** Paced: a fixed send rate, in 10 ms ticks, so latency is the producer's own, not a queue behind a burst. */
async function runPaced(kind: Kind, bootstrapServers: string, topic: string, payloads: Array<[string, string]>, rate: number) {
  const lat: number[] = [];
  const p = makeProducer(kind, bootstrapServers, topic, (e) => {
    if (e.type === 'delivery' && e.ok) lat.push(e.latencyMs);
  });
  // Connect and warm up outside the measurement.
  p.send(payloads[0]![0], payloads[0]![1]);
  await p.flush(30_000);
  await sleep(100); // its delivery event
  lat.length = 0;
  const start = performance.now();
  let sent = 1;
  while (sent < payloads.length) {
    const due = Math.min(payloads.length, 1 + Math.floor(((performance.now() - start) / 1000) * rate));
    for (; sent < due; sent++) p.send(payloads[sent]![0], payloads[sent]![1]);
    await sleep(10);
  }
  await p.flush(60_000);
  await p.close(10_000);
  await sleep(50);
  return { rate, messages: payloads.length - 1, latencyMs: latency(lat), stored: await storedCount(bootstrapServers, topic) };
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runKcat(kcat: string, bootstrapServers: string, topic: string, file: string, payloads: Array<[string, string]>): Promise<ProducerRun> {
  const bytes = payloads.reduce((n, [, v]) => n + Buffer.byteLength(v), 0);
  const args = ['-P', '-b', bootstrapServers, '-t', topic, '-K', '\t', '-l', file, '-X', 'enable.idempotence=true', '-X', 'acks=all', '-X', 'linger.ms=5'];
  // bash's `time` gives the child's CPU time (user, system) on the last stderr line.
  const t0 = performance.now();
  const r = await run('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$@"', 'bash', kcat, ...args]);
  const seconds = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`kcat exited ${r.code}: ${r.stderr}`);
  const times = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  const cpuMs = times ? (Number(times[1]) + Number(times[2])) * 1000 : NaN;
  return {
    messages: payloads.length,
    seconds: round2(seconds * 1000) / 1000,
    messagesPerSec: Math.round(payloads.length / seconds),
    mbPerSec: round2(bytes / seconds / 1e6),
    stored: await storedCount(bootstrapServers, topic),
    cpuMsPer1000: round2((cpuMs / payloads.length) * 1000),
  };
}

// ---- the benchmark ---------------------------------------------------------------------------------------

const defaultResultsFile = join(dirname(fileURLToPath(import.meta.url)), 'results', 'kafka-producers.json');

export async function benchKafkaProducers(opts: BenchKafkaProducersOptions = {}): Promise<KafkaProducersBenchResults> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const n = opts.messages ?? 20_000;
  const rounds = opts.rounds ?? 5;
  const loadAvgStart = loadavg().map(round2);
  const pacedRate = opts.pacedRate ?? 1000;
  const pacedMessages = opts.pacedMessages ?? 3000;
  const kcat = opts.kcat ?? 'kcat';
  const resultsFile = opts.resultsFile === undefined ? defaultResultsFile : opts.resultsFile;

  const kcatVersion = (await run(kcat, ['-V']).catch(() => ({ stdout: '', stderr: '', code: 1 }))).stdout.match(/Version (\S+).*?librdkafka (\S+)/s);
  if (!kcatVersion) throw new Error(`kcat not found or unreadable version (${kcat}); install it: sudo apt-get install -y kcat`);

  const work = mkdtempSync(join(tmpdir(), 'ds-kafka-bench-producers-'));
  spoolRoot = work;
  let broker: LocalBroker | undefined;
  try {
    let bootstrapServers = opts.bootstrapServers;
    if (!bootstrapServers) {
      log(`starting a Kafka broker on port ${opts.port ?? 39092} (data in ${work}) ...`);
      broker = await LocalBroker.start({ port: opts.port ?? 39092, dir: join(work, 'broker'), heapMb: 1024 });
      bootstrapServers = broker.bootstrapServers;
    }
    const payloads = makePayloads(n);
    const avgBytes = Math.round(payloads.reduce((s, [, v]) => s + Buffer.byteLength(v), 0) / n);
    const file = join(work, 'payloads.tsv');
    writeFileSync(file, payloads.map(([k, v]) => `${k}\t${v}\n`).join(''));
    log(`${n} messages, ${avgBytes} bytes on average, e.g. ${payloads[0]![1]}`);

    let topicNo = 0;
    const freshTopic = async (what: string) => {
      const t = `bench-${what}-${process.pid}-${++topicNo}`;
      await ensureTopic(bootstrapServers!, t, 1);
      return t;
    };

    // Warm-up: broker JIT, page cache, our JIT; not recorded.
    const warm = payloads.slice(0, Math.min(n, 5000));
    log('warming up ...');
    await runBurst('native', bootstrapServers, await freshTopic('warm'), warm);
    await runBurst('kafkajs', bootstrapServers, await freshTopic('warm'), warm);
    const warmFile = join(work, 'warm.tsv');
    writeFileSync(warmFile, warm.map(([k, v]) => `${k}\t${v}\n`).join(''));
    await runKcat(kcat, bootstrapServers, await freshTopic('warm'), warmFile, warm);

    const runs: Record<Kind | 'kcat', ProducerRun[]> = { native: [], 'native-spool': [], kafkajs: [], kcat: [] };
    const order: Array<Kind | 'kcat'> = ['native', 'native-spool', 'kafkajs', 'kcat'];
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < order.length; j++) {
        const kind = order[(r + j) % order.length]!;
        const topic = await freshTopic(kind);
        const res = kind === 'kcat' ? await runKcat(kcat, bootstrapServers, topic, file, payloads) : await runBurst(kind, bootstrapServers, topic, payloads);
        if (res.stored !== n) throw new Error(`${kind}: ${res.stored} messages stored in ${topic}, expected ${n}`);
        runs[kind].push(res);
        log(`round ${r + 1} ${kind.padEnd(12)} ${String(res.messagesPerSec).padStart(7)} msg/s  ${res.seconds.toFixed(3)} s` +
            (res.latencyMs ? `  latency p50 ${res.latencyMs.p50.toFixed(1)} ms p99 ${res.latencyMs.p99.toFixed(1)} ms (${res.latencyMs.samples} samples)` : ''));
      }
    }

    const paced: Partial<Record<Kind, ProducerResult['paced']>> = {};
    if (pacedRate > 0 && pacedMessages > 0) {
      for (const kind of ['native', 'kafkajs'] as const) {
        const res = await runPaced(kind, bootstrapServers, await freshTopic(`paced-${kind}`), payloads.slice(0, pacedMessages + 1), pacedRate);
        paced[kind] = res;
        log(`paced ${kind.padEnd(7)} ${pacedRate} msg/s: latency p50 ${res.latencyMs.p50.toFixed(2)} ms p99 ${res.latencyMs.p99.toFixed(2)} ms (${res.latencyMs.samples} samples)`);
      }
    }

    const result = (kind: Kind | 'kcat'): ProducerResult => {
      const out: ProducerResult = { median: median(runs[kind], (x) => x.messagesPerSec), rounds: runs[kind] };
      if (kind !== 'kcat' && paced[kind]) out.paced = paced[kind];
      return out;
    };
    const native = result('native');
    const nativeSpool = result('native-spool');
    const kj = result('kafkajs');
    const kc = result('kcat');
    const addon = loadAddon();
    const results: KafkaProducersBenchResults = {
      benchmark: 'kafka-producers',
      date: new Date().toISOString(),
      machine: {
        nproc: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        loadAvgStart,
        loadAvgEnd: loadavg().map(round2),
      },
      versions: { kafkaBroker: kafkaVersion(), librdkafkaNative: addon.capabilities().versions.librdkafka, kcat: `${kcatVersion[1]} (librdkafka ${kcatVersion[2]})` },
      config: { messages: n, rounds, payloadBytesAvg: avgBytes, keyed: 'deviceId', producerSettings: SETTINGS, bootstrapServers },
      native,
      nativeSpool,
      kafkajs: kj,
      kcat: kc,
      ratios: {
        nativeOverKcat: round2(native.median.messagesPerSec / kc.median.messagesPerSec),
        kafkajsOverNative: round2(kj.median.messagesPerSec / native.median.messagesPerSec),
        cpuNativeOverKcat: round2(medianOf(runs.native.map((x) => x.cpuMsPer1000)) / medianOf(runs.kcat.map((x) => x.cpuMsPer1000))),
        cpuKafkajsOverNative: round2(medianOf(runs.kafkajs.map((x) => x.cpuMsPer1000)) / medianOf(runs.native.map((x) => x.cpuMsPer1000))),
        spoolOverNative: round2(nativeSpool.median.messagesPerSec / native.median.messagesPerSec),
        cpuSpoolOverNative: round2(medianOf(runs['native-spool'].map((x) => x.cpuMsPer1000)) / medianOf(runs.native.map((x) => x.cpuMsPer1000))),
      },
    };
    log('');
    log(formatTable(results));
    if (resultsFile) {
      mkdirSync(dirname(resultsFile), { recursive: true });
      writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
      log(`\nresults: ${resultsFile}`);
    }
    return results;
  } finally {
    if (broker) await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatTable(r: KafkaProducersBenchResults): string {
  const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
  const rows: string[][] = [
    ['producer', 'msg/s', 'MB/s', 'time s', 'CPU ms/1k msg', 'burst p50 ms', 'burst p99 ms', 'lat. samples', 'paced p50 ms', 'paced p99 ms'],
  ];
  for (const [name, res] of [
    ['native (librdkafka addon)', r.native],
    ['native + --spool-dir', r.nativeSpool],
    ['kafkajs', r.kafkajs],
    ['kcat (plain librdkafka)', r.kcat],
  ] as const) {
    const m = res.median;
    const cpu = medianOf(res.rounds.map((x) => x.cpuMsPer1000));
    const samples = m.latencyMs ? `${m.latencyMs.samples}/${m.messages}` : '—';
    rows.push([name, String(m.messagesPerSec), f(m.mbPerSec, 2), f(m.seconds, 3), f(cpu), f(m.latencyMs?.p50), f(m.latencyMs?.p99), samples, f(res.paced?.latencyMs.p50), f(res.paced?.latencyMs.p99)]);
  }
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join('  ');
  const paced = r.native.paced ? `; paced = ${r.native.paced.rate} msg/s for ${r.native.paced.messages} messages` : '';
  return [
    `Kafka producers, ${r.config.messages} messages x ${r.config.payloadBytesAvg} B, median of ${r.config.rounds} rounds, loopback, Kafka ${r.versions.kafkaBroker} (KRaft, 1 partition), ${r.config.producerSettings}`,
    `machine: ${r.machine.nproc} CPUs, ${r.machine.cpuModel}, Node ${r.machine.node}, load average ${r.machine.loadAvgStart[0]} -> ${r.machine.loadAvgEnd[0]}; ` +
      `librdkafka ${r.versions.librdkafkaNative} (addon), kcat ${r.versions.kcat}`,
    `time = create producer -> all acked -> closed (kcat: whole process); CPU = client process, median of rounds${paced}`,
    `lat. samples = delivery events received (the native event channel drops events, never counts, when JS lags)`,
    '',
    line(rows[0]!),
    ...rows.slice(1).map(line),
    '',
    `native / kcat    = ${r.ratios.nativeOverKcat.toFixed(2)} throughput, ${r.ratios.cpuNativeOverKcat.toFixed(2)} CPU per message`,
    `kafkajs / native = ${r.ratios.kafkajsOverNative.toFixed(2)} throughput, ${r.ratios.cpuKafkajsOverNative.toFixed(2)} CPU per message`,
    `spool / native   = ${r.ratios.spoolOverNative.toFixed(2)} throughput, ${r.ratios.cpuSpoolOverNative.toFixed(2)} CPU per message`,
  ].join('\n');
}

// ---- CLI -------------------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  benchKafkaProducers({
    messages: opt('--messages'),
    rounds: opt('--rounds'),
    port: opt('--port'),
    pacedRate: opt('--paced-rate'),
    pacedMessages: opt('--paced-messages'),
    resultsFile: args.includes('--no-write') ? null : undefined,
  }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}
