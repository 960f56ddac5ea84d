// TCP listener speaking Kafka's framing: 4-byte size, request header, body.
// Requests on one connection are handled in order and answered in order; a
// malformed frame closes that connection only.
import net from 'node:net';
import type { Logger } from 'pino';
import { Reader, Writer, ProtocolError } from '../protocol/buffers.ts';
import { API_BY_KEY } from '../protocol/apis/index.ts';
import { KafkaError, code } from '../errors.ts';
import { CloseConnection, NO_RESPONSE, type Handler, type RequestContext } from './api-handlers.ts';
import { listenOn } from './listen.ts';

export { CloseConnection, NO_RESPONSE, type Handler, type RequestContext } from './api-handlers.ts';

/** Sees every encoded response (server/metrics): API, version, body, top-level error. */
export interface RequestObserver {
  onResponse(ctx: RequestContext, version: number, body: any, errorCode: number | undefined): void;
}

export interface SocketServerOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  idleMs: number;
  logger: Logger;
  /** the registered handlers by API key (ApiHandlers) */
  handlers: { get(key: number): Handler | undefined };
  observer?: RequestObserver;
}

const API_VERSIONS_KEY = 18;

export class SocketServer {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private nextConnId = 1;
  port = 0;

  constructor(private readonly o: SocketServerOptions) {}

  /** open connections, and connections accepted since start */
  get connections(): { open: number; created: number } { return { open: this.sockets.size, created: this.nextConnId - 1 }; }

  async listen(): Promise<number> {
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    this.port = await listenOn(server, this.o.port, this.o.host);
    return this.port;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const connId = this.nextConnId++;
    const log = this.o.logger;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.o.idleMs, () => socket.destroy());
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let busy = false;
    const queue: Buffer[] = [];
    const host = socket.remoteAddress ?? '?';

    const fail = (why: string) => {
      log.warn({ connection: connId, client: host }, `closing connection: ${why}`);
      socket.destroy();
    };

    // Waits for the socket to drain (or close); both listeners go away together, so a
    // slow reader does not pile up one `close` listener per blocked write.
    const drained = () => new Promise<void>((resolve) => {
      const done = () => { socket.off('drain', done); socket.off('close', done); resolve(); };
      socket.on('drain', done); socket.on('close', done);
    });

    const drainQueue = async () => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length && !socket.destroyed) {
          const frame = queue.shift()!;
          const out = this.handle(frame, connId, host);
          const chunks = out instanceof Promise ? await out : out;
          if (chunks === null) { fail('malformed request'); return; }
          if (chunks instanceof CloseConnection) { fail(chunks.reason); return; }
          if (socket.destroyed) return;
          if (chunks.length === 0) continue;
          socket.cork();
          let ok = true;
          for (const c of chunks) ok = socket.write(c) && ok;
          socket.uncork();
          if (!ok) await drained();
        }
      } catch (e) {
        fail(`internal error: ${(e as Error).message}`);
      } finally {
        busy = false;
      }
    };

    let need = -1; // size of the frame being read, once its prefix is in
    socket.on('data', (data: Buffer) => {
      pending.push(data); pendingLen += data.length;
      for (;;) {
        if (need < 0) {
          if (pendingLen < 4) break;
          if (pending[0].length < 4) pending = [Buffer.concat(pending, pendingLen)];
          need = pending[0].readInt32BE(0);
          if (need < 8 || need > this.o.maxRequestBytes) {
            fail(need > this.o.maxRequestBytes
              ? `request of ${need} bytes exceeds socket.request.max.bytes=${this.o.maxRequestBytes}`
              : `invalid request size ${need}`);
            return;
          }
        }
        if (pendingLen < 4 + need) break;
        const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
        queue.push(all.subarray(4, 4 + need));
        const rest = all.subarray(4 + need);
        pending = rest.length ? [rest] : [];
        pendingLen = rest.length;
        need = -1;
      }
      if (queue.length) void drainQueue();
    });
    socket.on('error', () => { /* reset by peer etc.; close handles cleanup */ });
    socket.on('close', () => { this.sockets.delete(socket); });
  }

  /** Decodes, dispatches and encodes one request. null = close the connection. */
  private handle(frame: Buffer, connId: number, host: string): Buffer[] | null | CloseConnection | Promise<Buffer[] | null | CloseConnection> {
    const r = new Reader(frame);
    let apiKey: number; let apiVersion: number; let correlationId: number; let clientId: string | null;
    try {
      apiKey = r.int16(); apiVersion = r.int16(); correlationId = r.int32(); clientId = r.nullableString();
    } catch { return null; }
    const api = API_BY_KEY.get(apiKey);
    if (!api) {
      this.o.logger.warn({ apiKey, clientId }, 'unknown api key');
      return null;
    }
    const ctx: RequestContext = { apiKey, apiVersion, correlationId, clientId, clientHost: host, connectionId: connId, api, receivedAt: performance.now() };
    const d = api.decl;
    if (apiVersion < d.minVersion || apiVersion > d.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) {
        // Answer with a v0 body so any client can read our ranges and retry lower.
        return this.encode(ctx, 0, this.o.handlers.get(API_VERSIONS_KEY)!(ctx, {}), code('UNSUPPORTED_VERSION'));
      }
      this.o.logger.info({ api: d.name, version: apiVersion, clientId }, 'unsupported api version');
      return this.encode(ctx, apiVersion, {}, code('UNSUPPORTED_VERSION'));
    }
    let request: any;
    try {
      if (api.flexible(apiVersion)) {
        // request header v2: tagged fields after client id
        const n = r.uvarint();
        for (let i = 0; i < n; i++) { r.uvarint(); r.raw(r.uvarint()); }
      }
      request = api.request(apiVersion).decode(r);
    } catch (e) {
      if (e instanceof ProtocolError || e instanceof RangeError) {
        this.o.logger.warn({ api: d.name, version: apiVersion, clientId, err: (e as Error).message }, 'malformed request');
        return null;
      }
      throw e;
    }
    const handler = this.o.handlers.get(apiKey);
    if (!handler) return this.encode(ctx, apiVersion, {}, code('UNSUPPORTED_VERSION'));
    let result: any;
    try {
      result = handler(ctx, request);
    } catch (e) {
      return this.encode(ctx, apiVersion, {}, this.errorCode(e, ctx));
    }
    if (result instanceof Promise) {
      return result.then(
        (res) => this.encode(ctx, apiVersion, res),
        (e) => this.encode(ctx, apiVersion, {}, this.errorCode(e, ctx)),
      );
    }
    return this.encode(ctx, apiVersion, result);
  }

  private errorCode(e: unknown, ctx: RequestContext): number {
    if (e instanceof KafkaError) return e.code;
    this.o.logger.error({ err: e, api: ctx.api.decl.name, version: ctx.apiVersion }, 'request handler failed');
    return -1;
  }

  private encode(ctx: RequestContext, version: number, body: any, errorCode?: number): Buffer[] | CloseConnection {
    this.o.observer?.onResponse(ctx, version, body, errorCode);
    if (body instanceof CloseConnection) return body;
    if (body === NO_RESPONSE && errorCode === undefined) return [];
    if (body === NO_RESPONSE) body = {};
    if (errorCode !== undefined) body = { ...body, errorCode };
    const w = new Writer(512);
    w.int32(0); // size, patched below
    w.int32(ctx.correlationId);
    // ApiVersions always answers with response header v0.
    if (ctx.api.flexible(version) && ctx.apiKey !== API_VERSIONS_KEY) w.uvarint(0);
    ctx.api.response(version).encode(w, body);
    const chunks = w.chunksOut();
    chunks[0].writeInt32BE(w.length - 4, 0);
    return chunks;
  }
}
