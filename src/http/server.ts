// The pipeline's HTTP side (--http-port; library: http: { port, host }): the live page, Server-Sent
// Events, Prometheus metrics, liveness and readiness. Read-only by construction: only GET and HEAD are
// served (405 otherwise) and no handler calls anything on the pipeline that changes it. Binds 127.0.0.1
// unless told otherwise.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpOptions } from '../pipeline/options.js';
import { KafkaReachability, liveness, readiness } from './health.js';
import { createMetrics } from './metrics.js';
import { PAGE_HTML } from './page.js';
import { producerPropertiesFrom } from '../kafka/properties.js';
import { LiveState } from './state.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/** The pipeline as the HTTP side sees it (a Pipeline; snapshot() once the pipeline offers pictures). */
type HttpSource = Pipeline & {
  /** The annotated picture of a stream as JPEG, when the pipeline offers one. */
  snapshot?(streamId: number): Buffer | undefined;
};

export interface HttpHandle {
  /** Resolves with the URL once listening (rejects when the port cannot be bound). */
  readonly listening: Promise<string>;
  /** Stops the server from keeping the process alive (it goes on serving). */
  unref(): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  // Nothing outside this server: inline style/script only, pictures and events from here.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

export function startHttpServer(p: Pipeline, opts: HttpOptions): HttpHandle {
  const pipeline = p as HttpSource;
  const state = new LiveState(pipeline);
  const k = pipeline.options.kafka;
  const props = producerPropertiesFrom(k?.config);
  const proto = props.filter(([key]) => key === 'security.protocol').pop()?.[1]?.toLowerCase() ?? 'plaintext';
  const kafka = k ? new KafkaReachability(k.conn.bootstrapServers, proto !== 'plaintext') : undefined;
  if (kafka) {
    pipeline.on('delivery', (d) => kafka.onDelivery(d.ok));
    pipeline.on('warning', (w) => {
      if (w.source === 'kafka') kafka.onProducerWarning(w.message);
    });
    kafka.start();
  }
  const registry = createMetrics(state, kafka, k?.conn.topic);
  const stallSeconds = opts.stallSeconds ?? 30;
  const clients = new Set<ServerResponse>();

  const snapshotJson = (withHistory: boolean): string => {
    const d = state.delivery();
    return JSON.stringify({
      t: Math.round((Date.now() - state.startedAt) / 100) / 10,
      ended: state.ended,
      // The page polls /stream/<N>/frame.jpg only when the pipeline can offer pictures.
      pictures: typeof pipeline.snapshot === 'function',
      stopped: state.report?.stopped ?? false,
      kafka: k ? { servers: k.conn.bootstrapServers, topic: k.conn.topic, reachable: kafka?.reachable ?? null } : null,
      messages: { built: state.messagesBuilt, delivered: d?.delivered ?? 0, failed: d?.failed ?? 0, inFlight: d?.inFlight ?? 0 },
      streams: state.streams.map((s) => ({
        id: s.id, device: s.device, input: s.input, state: s.state, frames: s.frames, fps: s.fps, messages: s.messages, labels: s.labels, lcCum: s.lcCum,
        ...(s.error ? { error: s.error } : {}),
      })),
      ...(withHistory ? { history: state.history } : {}),
    });
  };
  const push = setInterval(() => {
    if (clients.size === 0) return;
    const msg = `data: ${snapshotJson(false)}\n\n`;
    for (const c of clients) c.write(msg);
  }, 500);
  push.unref();

  const send = (res: ServerResponse, code: number, type: string, body: string | Buffer, head: boolean) => {
    res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(head ? undefined : body);
  };
  const json = (res: ServerResponse, code: number, body: unknown, head: boolean) =>
    send(res, code, 'application/json; charset=utf-8', JSON.stringify(body) + '\n', head);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume(); // a body is never read; drain it so the connection stays usable
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      res.setHeader('connection', 'close');
      return json(res, 405, { error: 'read-only: only GET and HEAD are served' }, false);
    }
    const head = req.method === 'HEAD';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML, head);
    if (path === '/favicon.ico') {
      res.writeHead(204, SECURITY_HEADERS);
      return void res.end();
    }
    if (path === '/metrics') return send(res, 200, registry.contentType, await registry.metrics(), head);
    if (path === '/healthz') {
      const r = liveness(state, stallSeconds);
      return json(res, r.ok ? 200 : 503, r.body, head);
    }
    if (path === '/readyz') {
      const r = readiness(state, kafka);
      return json(res, r.ok ? 200 : 503, r.body, head);
    }
    if (path === '/events') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      if (head) return void res.end();
      res.write(`retry: 2000\ndata: ${snapshotJson(true)}\n\n`);
      clients.add(res);
      res.on('close', () => clients.delete(res));
      return;
    }
    const m = /^\/stream\/(\d+)\/frame\.jpg$/.exec(path);
    if (m) {
      const jpeg = pipeline.snapshot?.(Number(m[1]));
      if (!jpeg || jpeg.length === 0) return json(res, 404, { error: `no picture for stream ${m[1]}` }, head);
      return send(res, 200, 'image/jpeg', jpeg, head);
    }
    return json(res, 404, { error: 'not found', paths: ['/', '/events', '/metrics', '/healthz', '/readyz', '/stream/<N>/frame.jpg'] }, head);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { error: err.message }, false);
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  const listening = new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve(urlOf(host, (server.address() as AddressInfo).port));
    });
  });
  listening.catch(() => {});

  let closed: Promise<void> | undefined;
  return {
    listening,
    unref: () => void server.unref(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(push);
        state.close();
        kafka?.close();
        for (const c of clients) c.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
