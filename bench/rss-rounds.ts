// npx tsx bench/rss-rounds.ts [--rounds 25] [--pipelines 20] [--frames 90] [--variants default,arena2,trim]
//                             [--stop-after-ms 0] [--no-gc] [--json file]
//
// Rounds of P library pipelines started at once and run to their end (or stopped after --stop-after-ms),
// no Kafka, motion detector, on a short generated 720p stream: does RSS grow round after round, and is
// that a leak or glibc's malloc arenas keeping freed memory? Each variant runs in its own process:
//   default  glibc's defaults (up to 8 x cores arenas: every decoder/worker thread may get its own)
//   arena2   MALLOC_ARENA_MAX=2
//   trim     defaults, and malloc_trim(0) after every round (called through gdb: the addon has no hook)
//   mmap     GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 (large blocks always mmapped)
//   arena2-mmap  both settings
// After every round (JS garbage collected first, unless --no-gc) each process reports RSS, V8 heap, open
// fds, threads, the malloc arenas found in /proc/self/smaps and glibc's malloc_stats() totals (through
// gdb): "in use" is what the program holds (grows with every round in a leak), "system" what malloc
// keeps from the kernel (grows without "in use" when freed memory stays in arenas).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPipeline } from '../src/pipeline/pipeline.js';
import { machineLine, sampleProcess, slope } from './lib/process-stats.js';
import { ensureTestStream } from './lib/stream.js';

const args = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const str = (name: string, fallback: string | undefined) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const rounds = num('rounds', 25);
const pipelines = num('pipelines', 20);
const frames = num('frames', 90);
const stopAfterMs = num('stop-after-ms', 0);
const forceGc = !args.includes('--no-gc');

/** glibc arena heaps in /proc/self/smaps: 64 MB-aligned anonymous mappings (rw part + reserved rest = 64 MB). */
function arenas(): { count: number; rssMb: number } {
  const HEAP = 64 * 2 ** 20;
  const maps = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  let count = 0;
  let rss = 0;
  for (let i = 0; i < maps.length; i++) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*\n/.exec(maps[i]!);
    if (!m) continue;
    const start = parseInt(m[1]!, 16);
    if (start % HEAP !== 0) continue;
    const next = /^([0-9a-f]+)-([0-9a-f]+) ---p /.exec(maps[i + 1] ?? '');
    const end = next && parseInt(next[1]!, 16) === parseInt(m[2]!, 16) ? parseInt(next[2]!, 16) : parseInt(m[2]!, 16);
    if (end - start !== HEAP) continue;
    count++;
    rss += Number(/^Rss:\s+(\d+) kB/m.exec(maps[i]!)?.[1] ?? 0) * 1024;
  }
  return { count, rssMb: Math.round((rss / 2 ** 20) * 10) / 10 };
}

interface RoundSample {
  round: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  threads: number;
  arenas: number;
  arenaRssMb: number;
  frames: number;
  ms: number;
}

async function child(): Promise<void> {
  const input = ensureTestStream(frames);
  const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const sample = (round: number, totalFrames: number, ms: number): RoundSample => {
    const p = sampleProcess();
    const a = arenas();
    return { round, rssMb: p.rssMb, heapMb: p.heapMb, fds: p.fds, threads: p.threads, arenas: a.count, arenaRssMb: a.rssMb, frames: totalFrames, ms };
  };
  const gc = async () => {
    if (!forceGc || !global.gc) return;
    // Two passes with a turn of the event loop between: N-API finalizers run after the first.
    global.gc();
    await new Promise((r) => setImmediate(r));
    global.gc();
  };
  await gc();
  console.log(JSON.stringify({ kind: 'round', ...sample(0, 0, 0) }));
  for (let round = 1; round <= rounds; round++) {
    if ((await commands.next()).value !== 'go') return;
    const t0 = Date.now();
    const ps = Array.from({ length: pipelines }, () => createPipeline({ inputs: [input], detector: 'motion' }).start());
    if (stopAfterMs > 0) setTimeout(() => ps.forEach((p) => void p.stop()), stopAfterMs);
    const reports = await Promise.all(ps.map((p) => p.done));
    const ms = Date.now() - t0;
    await gc();
    console.log(JSON.stringify({ kind: 'round', ...sample(round, reports.reduce((n, r) => n + r.frames, 0), ms) }));
    // The parent may call malloc_stats/malloc_trim now; then it asks for a sample after them.
    if ((await commands.next()).value !== 'sample') return;
    console.log(JSON.stringify({ kind: 'after', ...sample(round, 0, 0) }));
  }
  if ((await commands.next()).value === 'go') process.exit(0);
}

/** How each variant's process is started (environment) and treated between rounds. */
const MMAP_128K = 'glibc.malloc.mmap_threshold=131072';
const VARIANTS: Record<string, { env: Record<string, string>; trim: boolean }> = {
  default: { env: {}, trim: false },
  arena2: { env: { MALLOC_ARENA_MAX: '2' }, trim: false },
  trim: { env: {}, trim: true },
  // A fixed mmap threshold (glibc raises it up to 32 MB after the first large free): blocks of 128 kB and
  // more - video frames - are mmapped and go back to the kernel when freed.
  mmap: { env: { GLIBC_TUNABLES: MMAP_128K }, trim: false },
  'arena2-mmap': { env: { MALLOC_ARENA_MAX: '2', GLIBC_TUNABLES: MMAP_128K }, trim: false },
};

interface MallocTotals {
  systemMb: number;
  inUseMb: number;
}

/** Calls malloc_stats() (and malloc_trim(0) when asked) in the process through gdb. */
function gdbMalloc(pid: number, trim: boolean): void {
  const ex = ['-ex', 'call (void)malloc_stats()'];
  if (trim) ex.push('-ex', 'call (int)malloc_trim(0)');
  const r = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', ...ex], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`gdb failed: ${r.stderr || r.error?.message}`);
}

function parseMallocStats(text: string): MallocTotals | undefined {
  const m = /Total \(incl\. mmap\):\s*\nsystem bytes\s*=\s*(\d+)\s*\nin use bytes\s*=\s*(\d+)/.exec(text);
  if (!m) return undefined;
  const mb = (s: string) => Math.round((Number(s) / 2 ** 20) * 10) / 10;
  return { systemMb: mb(m[1]!), inUseMb: mb(m[2]!) };
}

interface VariantResult {
  variant: string;
  rounds: Array<RoundSample & { afterTrimRssMb: number; malloc?: MallocTotals }>;
}

async function runVariant(variant: string): Promise<VariantResult> {
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  delete env.GLIBC_TUNABLES;
  const settings = VARIANTS[variant];
  if (!settings) throw new Error(`unknown variant ${variant} (known: ${Object.keys(VARIANTS).join(', ')})`);
  Object.assign(env, settings.env);
  const self = fileURLToPath(import.meta.url);
  const c = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: c.stdout })[Symbol.asyncIterator]();
  const next = async (kind: string) => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`${variant}: child ended early:\n${stderr.slice(-3000)}`);
      if (value.startsWith('{')) {
        const o = JSON.parse(value) as RoundSample & { kind: string };
        if (o.kind === kind) return o;
      }
    }
  };
  const out: VariantResult = { variant, rounds: [] };
  const base = await next('round');
  out.rounds.push({ ...base, afterTrimRssMb: base.rssMb });
  for (let round = 1; round <= rounds; round++) {
    c.stdin.write('go\n');
    const s = await next('round');
    const mark = stderr.length;
    gdbMalloc(c.pid!, settings.trim);
    await new Promise((r) => setTimeout(r, 200)); // the child's stderr (malloc_stats) arrives
    const malloc = parseMallocStats(stderr.slice(mark));
    c.stdin.write('sample\n');
    const after = await next('after');
    out.rounds.push({ ...s, afterTrimRssMb: after.rssMb, ...(malloc ? { malloc } : {}) });
    console.log(
      `  ${variant.padEnd(8)} round ${String(round).padStart(3)}: rss ${s.rssMb.toFixed(1)} MB` +
        (settings.trim ? ` (after trim ${after.rssMb.toFixed(1)})` : '') +
        `  heap ${s.heapMb.toFixed(1)}  arena heaps ${s.arenas} (${s.arenaRssMb.toFixed(1)} MB)` +
        (malloc ? `  malloc in use ${malloc.inUseMb.toFixed(1)} / system ${malloc.systemMb.toFixed(1)} MB` : '') +
        `  fds ${s.fds} threads ${s.threads}  ${s.frames} frames in ${s.ms} ms`,
    );
  }
  c.stdin.write('go\n');
  await new Promise((r) => c.once('close', r));
  return out;
}

async function parent(): Promise<void> {
  const variants = (str('variants', 'default,arena2,trim') ?? '').split(',').filter(Boolean);
  console.log(machineLine());
  console.log(`${rounds} rounds x ${pipelines} pipelines at once (motion detector, no Kafka, ${frames}-frame 720p input), GC before each sample: ${forceGc}`);
  const results: VariantResult[] = [];
  for (const v of variants) results.push(await runVariant(v));

  console.log('\nvariant   rss r0 -> r1 -> r5 -> last (MB)   last half MB/round   malloc in use r1 -> last   system r1 -> last   arena heaps last');
  for (const r of results) {
    const at = (i: number) => r.rounds[Math.min(i, r.rounds.length - 1)]!;
    const trimmed = VARIANTS[r.variant]!.trim;
    const rss = (i: number) => (trimmed ? at(i).afterTrimRssMb : at(i).rssMb);
    const half = r.rounds.slice(Math.ceil(r.rounds.length / 2));
    const perRound = slope(half.map((x) => x.round), half.map((x) => (trimmed ? x.afterTrimRssMb : x.rssMb)));
    const last = r.rounds.at(-1)!;
    console.log(
      `${r.variant.padEnd(8)}  ${rss(0).toFixed(0)} -> ${rss(1).toFixed(0)} -> ${rss(5).toFixed(0)} -> ${rss(rounds).toFixed(0)}` +
        `${' '.repeat(14)}${perRound >= 0 ? '+' : ''}${perRound.toFixed(2)}` +
        `${' '.repeat(16)}${at(1).malloc?.inUseMb.toFixed(1) ?? '?'} -> ${last.malloc?.inUseMb.toFixed(1) ?? '?'}` +
        `          ${at(1).malloc?.systemMb.toFixed(1) ?? '?'} -> ${last.malloc?.systemMb.toFixed(1) ?? '?'}          ${last.arenas}`,
    );
  }
  const json = str('json', undefined);
  if (json) writeFileSync(json, JSON.stringify({ machine: machineLine(), rounds, pipelines, frames, stopAfterMs, forceGc, results }, null, 2) + '\n');
}

if (args.includes('--child')) {
  child().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
} else {
  parent().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
