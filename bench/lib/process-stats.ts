// This process's memory and file descriptors, for the soak and RSS benchmarks, and a machine line that says
// what the figures were measured on.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface ProcessSample {
  /** Resident set size (MB): native pipeline, librdkafka and V8 together. */
  rssMb: number;
  /** V8 heap in use (MB). */
  heapMb: number;
  /** Memory outside the V8 heap that JavaScript objects hold (Buffers, MB). */
  externalMb: number;
  /** Open file descriptors (/proc/self/fd). */
  fds: number;
  /** Threads of this process (/proc/self/status). */
  threads: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export function sampleProcess(): ProcessSample {
  const m = process.memoryUsage();
  const threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed), externalMb: mb(m.external), fds: readdirSync('/proc/self/fd').length, threads };
}

export function machineLine(): string {
  return (
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}, ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}` +
    // The malloc settings change RSS figures (README "Memory").
    (process.env.MALLOC_ARENA_MAX ? `, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : '') +
    (process.env.GLIBC_TUNABLES ? `, GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES}` : '')
  );
}

/** Least-squares slope of y over x (e.g. MB per minute); 0 with fewer than two points. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** m:ss */
export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
