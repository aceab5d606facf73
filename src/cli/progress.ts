// Live progress for `ds-kafka run`: one rewritten status line on a terminal; periodic JSON lines for
// services (--log-format json); nothing with --quiet.
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
      this.out.info('progress', { frames: this.frames, fps: Math.round(fps), messages: this.messages, delivered: this.delivered, failed: this.failed, lcCum: Object.fromEntries(this.cum) });
      return;
    }
    const delivery = this.publishing ? `, delivered ${this.delivered}${this.failed ? `, failed ${this.failed}` : ''}` : ' (not published)';
    const line = `frames ${this.frames} (${fps.toFixed(0)} fps) | ${counts || 'no crossings yet'} | messages ${this.messages}${delivery}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${line}`);
      this.lineShown = true;
    } else {
      this.out.info(line);
    }
  }
}
