// What the HTTP side knows about a running pipeline, gathered from its events only (the HTTP side never
// calls into the pipeline except for read-only stats and snapshots): per stream frames, fps, state and
// lc_cum per label, a per-second history of lc_cum for the page's chart, and the run's message counts.
import { STREAM_STATES, type StreamState } from '../native/pipeline.js';
import type { FrameRecord, RunReport } from '../pipeline/events.js';
import type { DeliveryStats } from '../kafka/types.js';
import type { Pipeline } from '../pipeline/pipeline.js';

export { STREAM_STATES, type StreamState };

export interface LiveStream {
  id: number;
  device: string;
  input: string;
  state: StreamState;
  /** Network inputs: outages so far (times the stream went to reconnecting). */
  reconnects: number;
  /** Frames processed (the last frame number seen + 1, or the report's count at the end). */
  frames: number;
  /** Frame events received by JavaScript (frames - received = events dropped). */
  received: number;
  fps: number;
  labels: string[];
  lcCum: Record<string, number>;
  messages: number;
  /** Wall time (ms) of the last frame advance. */
  lastAdvanceAt: number;
  error?: string;
}

const HISTORY = 600; // one sample a second: the last 10 minutes

export class LiveState {
  readonly startedAt = Date.now();
  readonly streams: LiveStream[];
  report: RunReport | undefined;
  /** Per stream: [seconds since start, lc_cum per label in label order][]. */
  readonly history: Array<Array<[number, number[]]>>;
  private fpsBase: Array<{ at: number; frames: number }>;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly source: Pipeline) {
    const o = source.options;
    this.streams = o.inputs.map((input, id) => {
      const labels = [...new Set(o.analytics.streams.find((s) => s.streamId === id)?.lines.map((l) => l.label) ?? [])];
      return {
        id, device: o.deviceIds[id] ?? `stream-${id}`, input, state: 'connecting', reconnects: 0, frames: 0, received: 0, fps: 0,
        labels, lcCum: Object.fromEntries(labels.map((l) => [l, 0])), messages: 0, lastAdvanceAt: Date.now(),
      };
    });
    this.history = this.streams.map(() => []);
    this.fpsBase = this.streams.map(() => ({ at: Date.now(), frames: 0 }));
    source.on('frame', (f) => this.onFrame(f));
    source.on('message', (m) => {
      const s = this.streams[m.streamId];
      if (s) s.messages++;
    });
    source.on('warning', (w) => {
      const s = w.streamId !== undefined ? this.streams[w.streamId] : undefined;
      if (s && w.streamError) {
        s.state = 'error';
        s.error = w.message;
      }
    });
    source.on('state', (e) => {
      const s = this.streams[e.streamId];
      if (!s || this.report) return;
      s.state = e.state;
      s.reconnects = e.reconnects;
      if (e.state === 'error' && e.reason) s.error = e.reason;
    });
    source.on('eos', (r) => this.onEos(r));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    this.tick();
  }

  get ended(): boolean {
    return this.report !== undefined;
  }

  get messagesBuilt(): number {
    return this.report?.messages.built ?? this.streams.reduce((a, s) => a + s.messages, 0);
  }

  /** The producer's counts: final ones from the report, else live from the producer. */
  delivery(): DeliveryStats | undefined {
    if (this.report) return this.report.delivery;
    try {
      return this.source.producerStats();
    } catch {
      return undefined;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private onFrame(f: FrameRecord): void {
    const s = this.streams[f.streamId];
    if (!s || this.report) return;
    s.received++;
    if (f.frameNum + 1 > s.frames) {
      s.frames = f.frameNum + 1;
      s.lastAdvanceAt = Date.now();
    }
    // The DeepStream backend reports no 'running' state of its own: its first frame says it.
    if (s.state === 'connecting') s.state = 'running';
    for (const [label, n] of Object.entries(f.objLCCumCnt)) {
      if (!(label in s.lcCum)) s.labels.push(label);
      s.lcCum[label] = Math.max(n, s.lcCum[label] ?? 0);
    }
  }

  private onEos(r: RunReport): void {
    this.report = r;
    for (const rs of r.streams) {
      const s = this.streams[rs.streamId];
      if (!s) continue;
      s.state = rs.state;
      s.reconnects = rs.reconnects ?? s.reconnects;
      s.frames = Math.max(s.frames, rs.frames);
      s.fps = rs.fps;
      if (rs.error) s.error = rs.error;
      for (const [label, n] of Object.entries(rs.lcCum)) {
        if (!(label in s.lcCum)) s.labels.push(label);
        s.lcCum[label] = n;
      }
    }
    this.tick();
  }

  /** Once a second: fps over the last second, one history sample per stream. */
  private tick(): void {
    const now = Date.now();
    const t = Math.round((now - this.startedAt) / 100) / 10;
    this.streams.forEach((s, i) => {
      const base = this.fpsBase[i]!;
      if (!this.report && now > base.at) {
        s.fps = ((s.frames - base.frames) * 1000) / (now - base.at);
        this.fpsBase[i] = { at: now, frames: s.frames };
      }
      const h = this.history[i]!;
      h.push([t, s.labels.map((l) => s.lcCum[l] ?? 0)]);
      if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
    });
  }
}
