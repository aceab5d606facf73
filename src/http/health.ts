// /healthz (liveness) and /readyz (readiness) decisions, and whether Kafka is reachable.
//   healthz: 200 while no running stream is stalled (its frame count has not advanced for stallSeconds;
//            see liveness() for file inputs).
//   readyz:  200 while the pipeline runs and (with Kafka) the broker is reachable.
// Kafka reachability comes from two sources: the producer's own events (a delivery acknowledged = up;
// "no broker reachable" = down, at once) and a probe every few seconds (a metadata request on plaintext
// listeners, a TCP connect when SASL/SSL is configured, whose credentials the probe does not have).
import { connect } from 'node:net';
import { brokerAnswers } from '../kafka/admin.js';
import type { LiveState } from './state.js';

export interface HealthResult {
  ok: boolean;
  body: Record<string, unknown>;
}

/** A camera or other network source (its frames can stop coming); not a file. */
function isNetwork(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('file://');
}

/**
 * A network stream is stalled when its own frame count has not advanced for stallSeconds. A file input
 * either advances or ends, and files of different lengths end at different times (the end of one stream
 * is only reported with the run's end), so a file stream counts as stalled only when no stream of the
 * pipeline has advanced for stallSeconds: the run as a whole is stuck.
 */
export function liveness(state: LiveState, stallSeconds: number, now = Date.now()): HealthResult {
  const anyAdvance = Math.max(0, ...state.streams.map((s) => s.lastAdvanceAt));
  const since = (s: LiveState['streams'][number]) => now - (isNetwork(s.input) ? s.lastAdvanceAt : anyAdvance);
  const stalled = state.streams.filter((s) => s.state === 'running' && since(s) > stallSeconds * 1000);
  if (stalled.length === 0) return { ok: true, body: { status: 'ok' } };
  return {
    ok: false,
    body: {
      status: 'stalled',
      reason: stalled
        .map((s) => `stream ${s.id} (${s.device}): no new frame for ${Math.round((now - s.lastAdvanceAt) / 1000)} s (at frame ${s.frames})`)
        .join('; '),
      streams: stalled.map((s) => s.id),
    },
  };
}

export function readiness(state: LiveState, kafka: KafkaReachability | undefined): HealthResult {
  const reasons: string[] = [];
  if (state.ended) reasons.push(`pipeline ended (${state.report?.stopped ? 'stopped' : 'end of input'})`);
  else if (state.streams.every((s) => s.state === 'error')) reasons.push('every stream failed');
  if (kafka && !state.ended) {
    if (kafka.reachable === undefined) reasons.push(`kafka ${kafka.servers}: not checked yet`);
    else if (!kafka.reachable) reasons.push(`kafka ${kafka.servers} not reachable: ${kafka.reason}`);
  }
  const body: Record<string, unknown> = { status: reasons.length ? 'not ready' : 'ready' };
  if (reasons.length) body.reason = reasons.join('; ');
  if (kafka) body.kafka = { servers: kafka.servers, reachable: kafka.reachable ?? null, since: kafka.since ? new Date(kafka.since).toISOString() : null };
  return { ok: reasons.length === 0, body };
}

// Only "every broker is down": one broker of several refusing a connection does not make Kafka unreachable.
const DOWN = /no broker reachable|all brokers? (are )?down|ALL_BROKERS_DOWN/i;

export class KafkaReachability {
  reachable: boolean | undefined;
  reason = 'not checked yet';
  since = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(
    readonly servers: string,
    private readonly secured: boolean,
    private readonly intervalMs = 3000,
  ) {}

  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** A delivery report: ok means the broker acknowledged. */
  onDelivery(ok: boolean): void {
    if (ok) this.set(true, 'a delivery was acknowledged');
  }

  /** A producer warning (librdkafka error callback / log line). */
  onProducerWarning(message: string): void {
    if (DOWN.test(message)) this.set(false, message);
  }

  private set(ok: boolean, reason: string): void {
    if (this.closed) return;
    if (ok !== this.reachable) this.since = Date.now();
    this.reachable = ok;
    this.reason = reason;
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      const ok = this.secured ? await tcpReachable(this.servers, 2000) : await brokerAnswers(this.servers, 2000);
      this.set(ok, ok ? (this.secured ? 'a broker accepts connections' : 'a broker answered a metadata request') : 'no broker answered');
    } finally {
      this.probing = false;
    }
  }
}

/** True when any of the "host:port,host:port" servers accepts a TCP connection within timeoutMs. */
function tcpReachable(servers: string, timeoutMs: number): Promise<boolean> {
  const targets = servers.split(',').map((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
  });
  return new Promise((resolve) => {
    let left = targets.length;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      if (ok || --left === 0) {
        done = true;
        resolve(ok);
      }
    };
    for (const t of targets) {
      const sock = connect({ host: t.host, port: t.port, timeout: timeoutMs });
      sock.once('connect', () => {
        sock.destroy();
        finish(true);
      });
      sock.once('timeout', () => {
        sock.destroy();
        finish(false);
      });
      sock.once('error', () => finish(false));
    }
  });
}
