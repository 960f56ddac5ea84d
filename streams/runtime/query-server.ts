// The optional HTTP server for interactive queries across instances: each instance
// answers for the keys it holds and forwards the others to the instance that
// holds them (found from the group's assignment and each member's application.server).
//   GET /stores/:store/keys/:key  → 200 {"key","value","host"} | 404 {"error_code":40403,…}
//   GET /stores/:store/all        → 200 [{"key","value"}…] of this instance only
import http from 'node:http';
import type { Serde } from '../serdes.ts';
import { Serdes } from '../serdes.ts';
import type { KafkaStreams } from './kafka-streams.ts';

export interface QueryServer { port: number; close(): Promise<void> }

/** Listens on the port of the instance's `application.server` (host:port) unless `port` is given. */
export async function startQueryServer(streams: KafkaStreams, opts: { port?: number; host?: string; keySerde?: Serde<unknown> } = {}): Promise<QueryServer> {
  const keySerde = (opts.keySerde ?? Serdes.String()) as Serde<unknown>;
  const self = streams.applicationServer();
  const port = opts.port ?? Number(self?.split(':').pop() ?? 0);
  const send = (res: http.ServerResponse, code: number, body: unknown) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/stores\/([^/]+)\/(?:keys\/(.+)|all)$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) return send(res, 404, { error_code: 404, message: 'GET /stores/:store/keys/:key or /stores/:store/all' });
      const store = decodeURIComponent(m[1]);
      let view;
      try { view = streams.store(store); } catch (e) { return send(res, 404, { error_code: 40401, message: (e as Error).message }); }
      if (m[2] === undefined) return send(res, 200, view.all());
      const key = decodeURIComponent(m[2]);
      const meta = await streams.queryMetadataForKeyAsync(store, key, keySerde.serializer());
      if (meta.local) {
        const value = view.get(key);
        return value === undefined ? send(res, 404, { error_code: 40403, message: `key ${key} not found in ${store}` }) : send(res, 200, { key, value, host: self ?? null });
      }
      if (!meta.activeHost || url.searchParams.has('forwarded')) return send(res, 503, { error_code: 50301, message: `no instance holds partition ${meta.partition} of ${store} right now (rebalancing?)` });
      const r = await fetch(`http://${meta.activeHost}/stores/${encodeURIComponent(store)}/keys/${encodeURIComponent(key)}?forwarded=1`);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(await r.text());
    })().catch((e) => send(res, 500, { error_code: 500, message: (e as Error).message }));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, opts.host ?? '127.0.0.1', () => resolve()); });
  const bound = (server.address() as { port: number }).port;
  return { port: bound, close: () => new Promise<void>((r) => server.close(() => r())) };
}
