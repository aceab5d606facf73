// Feeds the state writer from a run's events: a message's counts are saved once it is acknowledged (its
// delivery report), or at once when delivery is someone else's promise (the spool re-sends it after a
// crash; on DeepStream nvmsgbroker owns it). Message and delivery events travel on different native
// queues, so either may arrive first.
import type { PayloadMapping } from '../config/resolved.js';
import { countsInMessage, type CountStateWriter } from './resume.js';

interface Pending {
  streamId: number;
  counts: Record<string, number>;
  message: { id: string; timestamp: string };
}

export class StateFollower {
  private readonly pending = new Map<number, Pending>();
  private readonly deliveredFirst = new Set<number>();

  constructor(
    readonly writer: CountStateWriter,
    private readonly mapping: PayloadMapping,
    /** 'acknowledged': wait for the delivery report; 'handed-over': save when the message is built. */
    private readonly saveWhen: 'acknowledged' | 'handed-over',
  ) {}

  onMessage(streamId: number, seq: number, payload: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      return;
    }
    const p: Pending = {
      streamId,
      counts: countsInMessage(this.mapping, streamId, msg),
      message: { id: String(msg['messageid'] ?? ''), timestamp: String(msg['@timestamp'] ?? '') },
    };
    if (this.saveWhen === 'handed-over' || seq <= 0) return this.writer.record(p.streamId, p.counts, p.message);
    if (this.deliveredFirst.delete(seq)) return this.writer.record(p.streamId, p.counts, p.message);
    this.pending.set(seq, p);
  }

  onDelivery(seq: number, ok: boolean): void {
    if (this.saveWhen === 'handed-over') return;
    const p = this.pending.get(seq);
    if (!p) {
      // The message event is still on its way (or was dropped: then the next message carries higher counts).
      if (ok && this.deliveredFirst.size < 65536) this.deliveredFirst.add(seq);
      return;
    }
    this.pending.delete(seq);
    if (ok) this.writer.record(p.streamId, p.counts, p.message);
  }

  /**
   * End of the run: when nothing is left undelivered, the final counts (crossings after the last message
   * included) become the state; otherwise it stays at the last acknowledged message. Then written out.
   */
  onEnd(finalCounts: Array<{ streamId: number; lcCum: Record<string, number> }>, allDelivered: boolean): void {
    if (allDelivered || this.saveWhen === 'handed-over') for (const s of finalCounts) this.writer.record(s.streamId, s.lcCum);
    this.writer.flush();
  }
}
