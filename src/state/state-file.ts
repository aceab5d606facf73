// One device's durable counting state (--resume-counts file): a small JSON file per device id, written
// atomically (temp file, fsync, rename, fsync of the directory) and guarded by a checksum, so a crash
// mid-write leaves the previous state and a damaged or foreign file is refused instead of trusted.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';

export const STATE_FORMAT = 'ds-kafka/count-state@1';

export interface CountState {
  format: typeof STATE_FORMAT;
  deviceId: string;
  /** Identity of the stream's line-crossing rules (labels and geometry), see configIdentity(). */
  config: string;
  /** Cumulative line crossings per label (lc_cum_<label>) as of the last saved message. */
  lcCum: Record<string, number>;
  /** Messages of this device saved so far, across runs: the last message's sequence number. */
  messages: number;
  lastMessageId?: string;
  lastTimestamp?: string;
  updatedAt: string;
}

/** File name for a device id: readable prefix plus a hash, so any id (slashes, unicode) is one safe name. */
export function stateFileName(deviceId: string): string {
  const safe = deviceId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  const hash = createHash('sha256').update(deviceId).digest('hex').slice(0, 12);
  return `${safe}-${hash}.json`;
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Reads a device's state; undefined when there is none. Throws ConfigError naming the file when it is unusable. */
export function readStateFile(dir: string, deviceId: string): { state: CountState; file: string } | undefined {
  const file = join(dir, stateFileName(deviceId));
  if (!existsSync(file)) return undefined;
  const hint = 'fix or remove it, or start the counts from 0 with --resume-counts fresh';
  let doc: { state?: unknown; checksum?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch (err) {
    throw new ConfigError(`${file}: counting state is not valid JSON (${(err as Error).message}): ${hint}`);
  }
  const body = JSON.stringify(doc?.state);
  if (typeof doc?.checksum !== 'string' || doc.checksum !== checksum(body))
    throw new ConfigError(`${file}: counting state fails its checksum (damaged or edited): ${hint}`);
  const s = doc.state as Partial<CountState>;
  if (s.format !== STATE_FORMAT) throw new ConfigError(`${file}: not a ds-kafka counting state (format ${JSON.stringify(s.format)}): ${hint}`);
  if (s.deviceId !== deviceId)
    throw new ConfigError(`${file}: counting state of device "${String(s.deviceId)}", not "${deviceId}": ${hint}`);
  const counts = s.lcCum ?? {};
  for (const [label, n] of Object.entries(counts))
    if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${file}: count of "${label}" is not a whole number >= 0: ${hint}`);
  return { state: s as CountState, file };
}

/** Writes a device's state atomically; a crash leaves either the old or the new file, never a mix. */
export function writeStateFile(dir: string, state: CountState): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, stateFileName(state.deviceId));
  const tmp = `${file}.${process.pid}.tmp`;
  const body = JSON.stringify(state);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify({ state, checksum: checksum(body) }, null, 1) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // The rename itself must survive a power cut: sync the directory entry.
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  return file;
}
