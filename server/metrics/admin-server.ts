// The broker's admin HTTP port (Redpanda's 9644): /metrics (Prometheus text),
// /health (the process answers: live) and /ready (logs recovered, coordinators
// loaded, Kafka listener up: 200; otherwise 503). Plain node:http: three routes,
// and it must answer while the broker is still starting.
//
// In a cluster, /ready also names the metadata store's state but stays 200 while the
// store is unreachable: the broker still serves produce and fetch for the partitions it
// leads, and every broker loses the store at once, so a 503 would take the whole cluster
// out of a load balancer or a Kubernetes Service for an outage of the control plane only
// (and a restart cannot help: a broker cannot start without its store).
import http from 'node:http';
import { listenOn } from '../network/listen.ts';

export interface AdminServerOptions {
  host: string;
  port: number;
  /** Prometheus exposition and its content type; null while metrics are off */
  metrics: () => { text: Promise<string>; contentType: string } | null;
  /** null when ready, else why not (shown in the 503 body) */
  notReady: () => string | null;
  /** cluster mode only: the metadata store as this broker last found it (shown in /ready's body) */
  metadataStore?: () => { reachable: boolean; unreachableSince: number | null };
}

/** Parses `admin.listeners` (`http://HOST:PORT`, comma-separated; `HOST:PORT` also accepted). */
export function parseAdminListeners(value: string): { host: string; port: number }[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^(?:http:\/\/)?\[?([^\]]*?)\]?:(\d+)\/?$/.exec(s);
    if (!m || Number(m[2]) > 65535) throw new Error(`Invalid value ${JSON.stringify(s)} for configuration admin.listeners: expected http://HOST:PORT`);
    return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
  });
}

export class AdminServer {
  private server?: http.Server;
  port = 0;

  constructor(private readonly o: AdminServerOptions) {}

  async listen(): Promise<number> {
    const server = http.createServer((req, res) => { void this.route(req, res); });
    server.keepAliveTimeout = 65000;
    this.server = server;
    this.port = await listenOn(server, this.o.port, this.o.host);
    return this.port;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, 'method not allowed\n'); return; }
    try {
      switch (url) {
        case '/health': send(200, '{"status":"UP"}\n', 'application/json'); return;
        case '/ready': {
          const why = this.o.notReady();
          const store = this.o.metadataStore?.();
          const metadataStore = store && (store.reachable
            ? { metadataStore: { status: 'UP' } }
            : { metadataStore: { status: 'DOWN', since: store.unreachableSince === null ? null : new Date(store.unreachableSince).toISOString(), detail: 'serving produce and fetch for the partitions this broker leads; no leader election, topic creation, config change or reassignment until it returns' } });
          send(why ? 503 : 200, JSON.stringify({ ...(why ? { status: 'DOWN', reason: why } : { status: 'UP' }), ...metadataStore }) + '\n', 'application/json');
          return;
        }
        case '/metrics': {
          const m = this.o.metrics();
          if (!m) { send(404, 'metrics are disabled\n'); return; }
          send(200, await m.text, m.contentType);
          return;
        }
        default: send(404, 'not found: try /metrics, /health or /ready\n');
      }
    } catch (e) {
      send(500, `${(e as Error).message}\n`);
    }
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
