// Live progress for `ds-kafka run`: one rewritten status line on a terminal; periodic JSON lines for
// services (--log-format json); nothing with --quiet. A stream that loses its source says so at once (a
// warning, even with --quiet) and again when it runs again.
import type { StreamStateEvent } from '../pipeline/events.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { LogFormat, Output } from './output.js';

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frames = 0;
  private lastFrames = 0;
  private lastAt = Date.now();
  private delivered = 0;
  private failed = 0;
  private messages = 0;
  private readonly cum = new Map<number, Record<string, number>>();
  private readonly states = new Map<number, StreamStateEvent['state']>();
  private readonly tty: boolean;
  private lineShown = false;
  private readonly publishing: boolean;

  constructor(
    private readonly out: Output,
    pipeline: Pipeline,
    private readonly format: LogFormat,
    private readonly quiet: boolean,
  ) {
    this.tty = Boolean(process.stderr.isTTY) && format === 'text';
    this.publishing = pipeline.options.kafka !== undefined;
    pipeline.on('frame', (f) => {
      this.frames++;
      this.cum.set(f.streamId, f.objLCCumCnt);
    });
    pipeline.on('message', () => this.messages++);
    pipeline.on('delivery', (d) => (d.ok ? this.delivered++ : this.failed++));
    pipeline.on('state', (e) => this.onState(e));
  }

  private onState(e: StreamStateEvent): void {
    const before = this.states.get(e.streamId);
    this.states.set(e.streamId, e.state);
    const fields = { event: 'state', ...e };
    if (e.state === 'reconnecting') {
      const wait = e.retryInMs !== undefined ? ` in ${(e.retryInMs / 1000).toFixed(1)} s` : '';
      this.clearLine();
      this.out.warn(`stream ${e.streamId}: reconnecting${wait} (attempt ${e.attempt ?? 1}): ${e.reason ?? 'connection lost'}`, fields);
    } else if (e.state === 'running' && before === 'reconnecting') {
      this.clearLine();
      this.out.info(`stream ${e.streamId}: running again (${e.reconnects} reconnect${e.reconnects === 1 ? '' : 's'} so far; tracks restarted, counts carry on)`, fields);
    }
  }

  start(): void {
    if (this.quiet) return;
    this.timer = setInterval(() => this.tick(), this.tty ? 500 : 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
  }

  warn(msg: string): void {
    this.clearLine();
    this.out.warn(msg);
  }

  note(msg: string): void {
    this.clearLine();
    this.out.info(msg);
  }

  private clearLine(): void {
    if (this.tty && this.lineShown) process.stderr.write('\r\x1b[K');
    this.lineShown = false;
  }

  private tick(): void {
    const now = Date.now();
    const fps = ((this.frames - this.lastFrames) * 1000) / Math.max(1, now - this.lastAt);
    this.lastFrames = this.frames;
    this.lastAt = now;
    const counts = [...this.cum.entries()]
      .map(([s, c]) => Object.entries(c).map(([k, v]) => `${this.cum.size > 1 ? `${s}:` : ''}${k}=${v}`).join(' '))
      .filter(Boolean)
      .join(' ');
    if (this.format === 'json') {
      this.out.info('progress', { frames: this.frames, fps: Math.round(fps), messages: this.messages, delivered: this.delivered, failed: this.failed, lcCum: Object.fromEntries(this.cum), states: Object.fromEntries(this.states) });
      return;
    }
    const delivery = this.publishing ? `, delivered ${this.delivered}${this.failed ? `, failed ${this.failed}` : ''}` : ' (not published)';
    // Streams that are not running right now (connecting, reconnecting), by name.
    const waiting = [...this.states.entries()].filter(([, st]) => st === 'connecting' || st === 'reconnecting').map(([id, st]) => `stream ${id} ${st}`);
    const line = `frames ${this.frames} (${fps.toFixed(0)} fps) | ${counts || 'no crossings yet'} | messages ${this.messages}${delivery}${waiting.length ? ` | ${waiting.join(', ')}` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${line}`);
      this.lineShown = true;
    } else {
      this.out.info(line);
    }
  }
}
