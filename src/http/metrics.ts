// /metrics: Prometheus text format (prom-client), one Registry per pipeline so several pipelines in one
// process never collide. Values are read from the live state at scrape time; counters only ever go up.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { KafkaReachability } from './health.js';
import { STREAM_STATES, type LiveState } from './state.js';

type Labels = Record<string, string>;

/** A counter that follows a monotonic total read at scrape time (it adds the difference). */
function follow(c: Counter<string>, last: Map<string, number>, labels: Labels, total: number): void {
  const k = JSON.stringify(labels);
  const d = total - (last.get(k) ?? 0);
  if (d > 0) {
    c.inc(labels, d);
    last.set(k, total);
  } else if (!last.has(k)) {
    c.inc(labels, 0);
    last.set(k, 0);
  }
}

export function createMetrics(state: LiveState, kafka: KafkaReachability | undefined, topic: string | undefined): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const streamLabels = ['stream', 'device'] as const;
  const sl = (s: { id: number; device: string }): Labels => ({ stream: String(s.id), device: s.device });
  const seen = new Map<string, number>();
  const crossSeen = new Map<string, number>();
  const msgSeen = new Map<string, number>();
  const dropSeen = new Map<string, number>();
  const prodSeen = new Map<string, number>();
  const reconnectSeen = new Map<string, number>();

  const frames: Counter<string> = new Counter({
    name: 'ds_kafka_frames_total',
    help: 'Frames processed (decoded, detected, tracked and counted) per stream',
    labelNames: streamLabels,
    registers: [registry],
    collect() {
      for (const s of state.streams) follow(frames, seen, sl(s), s.frames);
    },
  });
  new Gauge({
    name: 'ds_kafka_fps',
    help: 'Frames processed per second per stream (over the last second; the run average after the end)',
    labelNames: streamLabels,
    registers: [registry],
    collect() {
      for (const s of state.streams) this.set(sl(s), Math.round(s.fps * 100) / 100);
    },
  });
  const crossings: Counter<string> = new Counter({
    name: 'ds_kafka_line_crossings_total',
    help: 'Line crossings per stream and line label (lc_cum_<label> of the messages)',
    labelNames: ['stream', 'device', 'label'],
    registers: [registry],
    collect() {
      for (const s of state.streams) for (const l of s.labels) follow(crossings, crossSeen, { ...sl(s), label: l }, s.lcCum[l] ?? 0);
    },
  });
  const built: Counter<string> = new Counter({
    name: 'ds_kafka_messages_built_total',
    help: 'Messages built from the analytics per stream (handed to the producer)',
    labelNames: streamLabels,
    registers: [registry],
    collect() {
      for (const s of state.streams) follow(built, msgSeen, sl(s), s.messages);
    },
  });
  const dropped: Counter<string> = new Counter({
    name: 'ds_kafka_events_dropped_total',
    help: 'Frame events not delivered to JavaScript because its listeners fell behind (counts and messages are unaffected)',
    labelNames: streamLabels,
    registers: [registry],
    collect() {
      for (const s of state.streams) follow(dropped, dropSeen, sl(s), Math.max(0, s.frames - s.received));
    },
  });
  new Gauge({
    name: 'ds_kafka_stream_state',
    help: 'Stream state (connecting, running, reconnecting, eos, error, stopped): 1 for the current state, 0 for the others',
    labelNames: ['stream', 'device', 'state'],
    registers: [registry],
    collect() {
      for (const s of state.streams) for (const st of STREAM_STATES) this.set({ ...sl(s), state: st }, s.state === st ? 1 : 0);
    },
  });
  const reconnects: Counter<string> = new Counter({
    name: 'ds_kafka_stream_reconnects_total',
    help: 'Network inputs: times the stream lost its source and went to reconnecting (counts carry on across)',
    labelNames: streamLabels,
    registers: [registry],
    collect() {
      for (const s of state.streams) follow(reconnects, reconnectSeen, sl(s), s.reconnects);
    },
  });
  new Gauge({
    name: 'ds_kafka_pipeline_running',
    help: '1 while the pipeline runs, 0 after the end of every input or stop()',
    registers: [registry],
    collect() {
      this.set(state.ended ? 0 : 1);
    },
  });

  if (topic !== undefined) {
    const pl = { topic };
    const counter = (name: string, help: string, pick: (d: NonNullable<ReturnType<LiveState['delivery']>>) => number) => {
      const c: Counter<string> = new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers: [registry],
        collect() {
          const d = state.delivery();
          const total = d ? pick(d) : 0;
          const prev = prodSeen.get(name) ?? 0;
          if (total > prev) {
            c.inc(pl, total - prev);
            prodSeen.set(name, total);
          } else if (!prodSeen.has(name)) {
            c.inc(pl, 0);
            prodSeen.set(name, 0);
          }
        },
      });
    };
    counter('ds_kafka_messages_produced_total', 'Messages handed to the Kafka producer', (d) => d.produced);
    counter('ds_kafka_messages_delivered_total', 'Messages acknowledged by the broker', (d) => d.delivered);
    counter('ds_kafka_messages_failed_total', 'Messages that failed (delivery timeout, fatal error)', (d) => d.failed);
    counter('ds_kafka_delivery_events_dropped_total', 'Delivery-report events JavaScript was too slow to receive (the counts stay exact)', (d) => d.droppedEvents);
    new Gauge({
      name: 'ds_kafka_producer_in_flight_messages',
      help: 'Messages queued in the producer or in flight to the broker (not yet acknowledged or failed)',
      labelNames: ['topic'],
      registers: [registry],
      collect() {
        this.set(pl, state.delivery()?.inFlight ?? 0);
      },
    });
    new Gauge({
      name: 'ds_kafka_producer_connected',
      help: 'Whether a Kafka broker is reachable (1) or not (0); absent until first checked',
      labelNames: ['topic'],
      registers: [registry],
      collect() {
        this.reset();
        if (kafka?.reachable !== undefined) this.set(pl, kafka.reachable ? 1 : 0);
      },
    });
  }
  return registry;
}
