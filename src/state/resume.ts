// Durable counting state (--resume-counts): where each stream's lc_cum_<label> continues from at start,
// and (file mode) keeping the state file current while the run goes on.
//
//   off    counts start at 0 (DeepStream's behaviour)
//   file   one state file per device id in --state-dir (state-file.ts); a damaged or foreign file is an error
//   fresh  as file, but existing state is ignored and replaced (counts start at 0)
//   kafka  the newest message of each device id on the topic (kafka-latest.ts); nothing is written locally
//
// Counts are keyed by device id and resumed by line label: a label that is still configured continues, a
// new one starts at 0, a removed one is dropped, and each such change is reported.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { PayloadMapping, ResolvedStreamAnalytics } from '../config/resolved.js';
import { readStateFile, STATE_FORMAT, writeStateFile, type CountState } from './state-file.js';
import { readLatestPerDevice, type LatestOptions } from './kafka-latest.js';

export type ResumeMode = 'off' | 'file' | 'fresh' | 'kafka';

export interface ResumeSettings {
  mode: ResumeMode;
  stateDir: string;
  /** kafka mode: how long reading the topic back may take before the start fails. */
  timeoutMs: number;
}

export interface StreamResume {
  streamId: number;
  deviceId: string;
  /** Added to the stream's cumulative counts (labels of the current config only). */
  counts: Record<string, number>;
  /** Where they came from: a state file, "topic[partition]@offset", or "" (nothing saved: from 0). */
  from: string;
  /** Messages of this device saved before (file mode), continued in the state. */
  messages: number;
}

export function defaultStateDir(): string {
  return join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'ds-kafka');
}

/** Identity of a stream's line-crossing rules: labels with their geometry, class filters and mode. */
export function configIdentity(stream: ResolvedStreamAnalytics | undefined): string {
  const lines = (stream?.lines ?? []).map((l) => [l.label, l.line, l.arrow, l.classIds, l.extended, l.mode]);
  lines.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return createHash('sha256').update(JSON.stringify(lines)).digest('hex').slice(0, 16);
}

/** The lc_cum fields of a stream's mapping: payload field name -> line label. */
function cumFields(mapping: PayloadMapping, streamId: number): Array<{ name: string; label: string }> {
  const s = mapping.streams.find((m) => m.streamId === streamId);
  return (s?.fields ?? []).filter((f) => f.source === 'lc_cum').map((f) => ({ name: f.name, label: f.key }));
}

/** The lc_cum_<label> counts a message (as sent by this mapping) carries. */
export function countsInMessage(mapping: PayloadMapping, streamId: number, message: Record<string, unknown>): Record<string, number> {
  const module = (message['analyticsModule'] ?? {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const f of cumFields(mapping, streamId)) {
    const v = module[f.name];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) out[f.label] = v;
  }
  return out;
}

export interface ResumeInput {
  settings: ResumeSettings;
  deviceIds: string[];
  streams: ResolvedStreamAnalytics[];
  mapping: PayloadMapping;
  kafka?: Omit<LatestOptions, 'deviceIds' | 'timeoutMs'>;
}

export interface ResumeResult {
  streams: StreamResume[];
  /** One line per stream: what was resumed from where, and what changed. */
  notes: string[];
}

/** Decides every stream's starting counts. Throws ConfigError for unusable state (naming the file). */
export async function resolveResume(r: ResumeInput): Promise<ResumeResult> {
  const { settings, deviceIds } = r;
  const seen = new Map<string, number>();
  deviceIds.forEach((d, i) => {
    if (seen.has(d))
      throw new ConfigError(`--resume-counts keeps counts per device id, but streams ${seen.get(d)} and ${i} are both "${d}": give each input its own --device-id`);
    seen.set(d, i);
  });
  const labelsOf = (i: number) => (r.streams.find((s) => s.streamId === i)?.lines ?? []).map((l) => l.label);
  const streams: StreamResume[] = [];
  const notes: string[] = [];
  let latest: Awaited<ReturnType<typeof readLatestPerDevice>> | undefined;
  if (settings.mode === 'kafka') {
    if (!r.kafka) throw new ConfigError('--resume-counts kafka reads the topic back: give --conn-str');
    latest = await readLatestPerDevice({ ...r.kafka, deviceIds, timeoutMs: settings.timeoutMs });
  }
  for (const [i, deviceId] of deviceIds.entries()) {
    const labels = labelsOf(i);
    const who = `stream ${i} (${deviceId})`;
    let saved: Record<string, number> | undefined;
    let from = '';
    let messages = 0;
    let sameRules: boolean | undefined;
    if (settings.mode === 'file') {
      const got = readStateFile(settings.stateDir, deviceId);
      if (got) {
        saved = got.state.lcCum;
        from = got.file;
        messages = got.state.messages;
        sameRules = got.state.config === configIdentity(r.streams.find((s) => s.streamId === i));
      }
    } else if (latest) {
      const m = latest.get(deviceId);
      if (m) {
        saved = countsInMessage(r.mapping, i, m.message);
        from = `${r.kafka!.topic}[${m.partition}]@${m.offset}`;
      }
    }
    const counts: Record<string, number> = {};
    if (!saved) {
      const why = settings.mode === 'fresh' ? 'starting from 0 (--resume-counts fresh)' : `no saved counts (${settings.mode === 'kafka' ? 'no earlier message on the topic' : `nothing in ${settings.stateDir}`}): starting from 0`;
      notes.push(`${who}: ${why}`);
    } else {
      for (const l of labels) if (saved[l] !== undefined) counts[l] = saved[l]!;
      const added = labels.filter((l) => saved![l] === undefined);
      const removed = Object.keys(saved).filter((l) => !labels.includes(l));
      const list = Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ') || 'nothing';
      let line = `${who}: resumed lc_cum ${list} from ${from}`;
      if (added.length) line += `; new line(s) ${added.join(', ')} start at 0`;
      if (removed.length) line += `; no longer configured, dropped: ${removed.map((l) => `${l}=${saved![l]}`).join(' ')}`;
      if (sameRules === false && added.length === 0 && removed.length === 0) line += '; the lines\' geometry or filters changed since they were saved';
      notes.push(line);
    }
    streams.push({ streamId: i, deviceId, counts, from, messages });
  }
  return { streams, notes };
}

/**
 * Keeps the state files current (file/fresh modes). The state follows the last message that is sure to
 * reach Kafka: acknowledged by the broker, or (with --spool-dir, or on DeepStream where nvmsgbroker
 * publishes) handed over. Writes are throttled per device; what a SIGKILL can lose is the last ~100 ms.
 */
export class CountStateWriter {
  private readonly states = new Map<number, CountState>();
  private readonly dirty = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  /** A write failed (disk full, permissions): reported once through onError, retried on the next change. */
  private failed = false;

  constructor(
    private readonly dir: string,
    streams: StreamResume[],
    analytics: ResolvedStreamAnalytics[],
    private readonly onError: (message: string) => void,
    private readonly throttleMs = 100,
  ) {
    const now = new Date().toISOString();
    for (const s of streams) {
      this.states.set(s.streamId, {
        format: STATE_FORMAT,
        deviceId: s.deviceId,
        config: configIdentity(analytics.find((a) => a.streamId === s.streamId)),
        lcCum: { ...s.counts },
        messages: s.messages,
        updatedAt: now,
      });
      this.dirty.add(s.streamId);
    }
    // The config identity (and, with fresh, the reset) is on disk before the first frame.
    this.flush();
  }

  /** A message that reached (or is sure to reach) Kafka, with the counts it carries. */
  record(streamId: number, counts: Record<string, number>, message?: { id: string; timestamp: string }): void {
    const s = this.states.get(streamId);
    if (!s) return;
    // Counts only grow; a late event for an older message never moves the state back.
    for (const [k, v] of Object.entries(counts)) if (v > (s.lcCum[k] ?? 0)) s.lcCum[k] = v;
    if (message) {
      s.messages += 1;
      s.lastMessageId = message.id;
      s.lastTimestamp = message.timestamp;
    }
    s.updatedAt = new Date().toISOString();
    this.dirty.add(streamId);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWrite + this.throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Writes every changed state now (at the end of a run, and from the throttle timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWrite = Date.now();
    for (const id of [...this.dirty]) {
      try {
        writeStateFile(this.dir, this.states.get(id)!);
        this.dirty.delete(id);
        this.failed = false;
      } catch (err) {
        if (!this.failed) this.onError(`cannot save counting state in ${this.dir}: ${(err as Error).message}`);
        this.failed = true;
      }
    }
  }

  counts(streamId: number): Record<string, number> {
    return { ...(this.states.get(streamId)?.lcCum ?? {}) };
  }
}
