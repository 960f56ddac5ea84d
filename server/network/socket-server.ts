// TCP listener speaking Kafka's framing: 4-byte size, request header, body.
// Requests on one connection are handled in order and answered in order; Produce
// requests may overlap (see dispatch in accept); a malformed frame closes that
// connection only.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { Reader, Writer, ProtocolError } from '../protocol/buffers.ts';
import { API_BY_KEY } from '../protocol/apis/index.ts';
import { KafkaError, code } from '../errors.ts';
import { CloseConnection, NO_RESPONSE, type Handler, type RequestContext } from './api-handlers.ts';
import { listenOn } from './listen.ts';
import { ANONYMOUS, mapDistinguishedName, subjectDn, type Session } from '../security/principal.ts';
import type { SecurityProtocol } from '../security/listeners.ts';
import { watchFiles, type TlsSettings } from '../security/tls.ts';
import { SaslAuthenticator, type SaslSettings, type SaslStep } from '../security/sasl.ts';
import type { AuthFailureLimiter } from '../security/auth-failure-limiter.ts';
import { SharedBuffer, requestFrames } from '../log/read-buffers.ts';

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
  /** the listener this server is (default PLAINTEXT) */
  listenerName?: string;
  protocol?: SecurityProtocol;
  /** SSL / SASL_SSL listeners */
  tls?: TlsSettings;
  /** SASL_PLAINTEXT / SASL_SSL listeners */
  sasl?: SaslSettings;
  /** ssl.principal.mapping.rules, parsed: a verified client certificate's subject → principal name */
  principalOf?: (dn: string) => string;
  /** connection.failed.authentication.delay.ms: a failed authentication is answered this late (slows password guessing) */
  failedAuthDelayMs?: number;
  /** sasl.server.max.receive.size: largest frame before authentication */
  saslMaxReceiveBytes?: number;
  /** Produce requests of one connection handled while earlier ones wait for their replicas (default 16) */
  maxInFlightPerConnection?: number;
  /** failed authentications per client address, shared by the broker's listeners (delay grows, then refuse) */
  authFailures?: AuthFailureLimiter;
}

const API_VERSIONS_KEY = 18;
const SASL_HANDSHAKE_KEY = 17;
const SASL_AUTHENTICATE_KEY = 36;

/** Answer, then close the connection (a failed SASL exchange), after `delayMs`. */
class ReplyThenClose {
  constructor(readonly chunks: Buffer[], readonly reason: string, readonly delayMs: number) {}
}
/** A reply's bytes; `afterWrite` (the request's afterReply) runs once the socket is done with them. */
type Chunks = Buffer[] & { afterWrite?: (() => void)[] };
type Outcome = Chunks | null | CloseConnection | ReplyThenClose;

/**
 * APIs whose requests of one connection may be handled before the previous one is
 * answered. Kafka mutes a connection until its request is answered; with acks=all
 * that costs a whole replication round trip per request, so a client pipelining
 * produces (librdkafka's max.in.flight, kafkajs) got one request per round trip.
 * Produce appends synchronously when handled, so overlapping keeps the append order.
 */
const PIPELINED_APIS = new Set([0]);
const DEFAULT_MAX_IN_FLIGHT = 16;
const PRODUCE_KEY = 0;
/** Produce requests from this size on are joined into a pooled buffer (ctx.frame) instead of a fresh one. */
const POOLED_FRAME_MIN = 64 * 1024;

/** The byte at `i` of the bytes held in `chunks`. */
function byteAt(chunks: Buffer[], i: number): number {
  for (const c of chunks) { if (i < c.length) return c[i]; i -= c.length; }
  return -1;
}

/**
 * Copies bytes [from, from + dst.length) of `chunks` into `dst` and returns what follows
 * them (a view of the last chunk, or empty).
 */
function copyOut(chunks: Buffer[], from: number, dst: Buffer): Buffer {
  const to = from + dst.length;
  let at = 0; let filled = 0;
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k];
    const start = Math.max(from - at, 0);
    const end = Math.min(to - at, c.length);
    if (end > start) filled += c.copy(dst, filled, start, end);
    at += c.length;
    if (at >= to) return k === chunks.length - 1 ? c.subarray(c.length - (at - to)) : Buffer.concat([c.subarray(c.length - (at - to)), ...chunks.slice(k + 1)]);
  }
  return Buffer.alloc(0);
}

/** A dispatched request: its reply (or the promise of it), and whether it may overlap others. */
interface Slot { overlap: boolean; out: Outcome | Promise<Outcome> }

interface Conn {
  id: number;
  host: string;
  session: Session;
  sasl: SaslAuthenticator | null;
  /** KIP-368: a re-authentication in progress on an authenticated connection */
  reauth: SaslAuthenticator | null;
  /** KIP-368: when the session ends unless re-authenticated (ms since the epoch) */
  expiresAtMs?: number;
  expiry?: NodeJS.Timeout;
  close(why: string): void;
}

export class SocketServer {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private raw = new Set<net.Socket>();
  private nextConnId = 1;
  private unwatch?: () => void;
  port = 0;

  constructor(private readonly o: SocketServerOptions) {}

  /** open connections, and connections accepted since start */
  get connections(): { open: number; created: number } { return { open: this.sockets.size, created: this.nextConnId - 1 }; }

  get listenerName(): string { return this.o.listenerName ?? 'PLAINTEXT'; }

  async listen(): Promise<number> {
    let server: net.Server;
    const t = this.o.tls;
    if (t) {
      const secure = tls.createServer({
        ...t.options(),
        requestCert: t.clientAuth !== 'none', rejectUnauthorized: t.clientAuth === 'required',
      });
      secure.on('secureConnection', (s) => this.accept(s));
      // A plaintext client or garbage on a TLS port fails the handshake: that connection only.
      secure.on('tlsClientError', (e, s) => { this.o.logger.info({ listener: this.listenerName, client: s.remoteAddress, err: e.message }, 'TLS handshake failed'); s.destroy(); });
      if (t.files.length) this.unwatch = watchFiles(t.files, () => secure.setSecureContext(t.options()), this.o.logger);
      server = secure;
    } else {
      server = net.createServer((s) => this.accept(s));
    }
    this.server = server;
    // Every TCP connection, also one still in its TLS handshake: close() ends them all.
    server.on('connection', (s: net.Socket) => { this.raw.add(s); s.once('close', () => this.raw.delete(s)); });
    this.port = await listenOn(server, this.o.port, this.o.host);
    return this.port;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.unwatch?.();
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.sockets) sock.destroy();
    for (const sock of this.raw) sock.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const connId = this.nextConnId++;
    const log = this.o.logger;
    const limiter = this.o.authFailures;
    if (this.o.sasl && limiter?.blocked(socket.remoteAddress ?? '?')) {
      log.warn({ connection: connId, client: socket.remoteAddress, listener: this.listenerName, failures: limiter.count(socket.remoteAddress ?? '?') }, 'closing connection: too many failed authentications from this address');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.o.idleMs, () => socket.destroy());
    let pending: Buffer[] = [];
    let pendingLen = 0;
    /** frames read, not yet dispatched (with the pooled buffer a large Produce was read into) */
    const frames: { frame: Buffer; shared: SharedBuffer | null }[] = [];
    /** dispatched requests whose replies are not written yet, in request order */
    const inflight: Slot[] = [];
    let writing = false;
    let stopped = false; // a reply closed (or is closing) the connection: dispatch nothing more
    /**
     * Reading is paused while a request read waits for dispatch (Kafka mutes such a channel):
     * without it, a producer pipelining faster than acks=all completes had every request read
     * and joined into a frame up front — ~80 MB of queued 1 MiB Produce frames on an RF=3
     * leader under librdkafka, each a fresh allocation — instead of being held back by TCP.
     */
    let paused = false;
    const host = socket.remoteAddress ?? '?';
    const maxInFlight = this.o.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT;
    const fail = (why: string) => {
      stopped = true;
      log.warn({ connection: connId, client: host }, `closing connection: ${why}`);
      socket.destroy();
    };
    const conn: Conn = { id: connId, host, session: this.sessionOf(socket, host), sasl: this.o.sasl ? new SaslAuthenticator(this.o.sasl) : null, reauth: null, close: fail };

    // Waits for the socket to drain (or close); both listeners go away together, so a
    // slow reader does not pile up one `close` listener per blocked write.
    const drained = () => new Promise<void>((resolve) => {
      const done = () => { socket.off('drain', done); socket.off('close', done); resolve(); };
      socket.on('drain', done); socket.on('close', done);
    });

    // Handles the frames read so far as far as ordering allows. A request is handled
    // when nothing is in flight; a Produce also while only Produces are in flight (up to
    // maxInFlight), so an acks=all request waiting for its followers does not hold up
    // the next one. Their appends happen here, synchronously and in request order (an
    // idempotent producer's sequences stay in order); replies still go out in order.
    const dispatch = () => {
      while (frames.length && !stopped && !socket.destroyed) {
        const { frame, shared } = frames[0];
        const raw = conn.sasl?.state === 'raw';
        const overlap = !raw && (!conn.sasl || conn.sasl.complete) && frame.length >= 2 && PIPELINED_APIS.has(frame.readInt16BE(0));
        if (inflight.length && !(overlap && inflight.length < maxInFlight && inflight.every((x) => x.overlap))) break;
        frames.shift();
        let out: Outcome | Promise<Outcome>;
        try {
          out = raw ? this.rawToken(frame, conn) : this.handle(frame, conn, shared);
        } catch (e) {
          out = new CloseConnection(`internal error: ${(e as Error).message}`);
        }
        // A reply that cannot be encoded closes the connection, whenever its turn comes.
        if (out instanceof Promise) out = out.catch((e: Error) => new CloseConnection(`internal error: ${e.message}`));
        inflight.push({ overlap, out });
      }
      if (frames.length && !paused && !socket.destroyed) { paused = true; socket.pause(); }
      else if (!frames.length && paused) { paused = false; socket.resume(); }
      if (inflight.length) void writeReplies();
    };

    const writeReplies = async () => {
      if (writing) return;
      writing = true;
      try {
        while (inflight.length && !socket.destroyed) {
          const slot = inflight[0];
          const chunks = slot.out instanceof Promise ? await slot.out : slot.out;
          if (chunks === null) { fail('malformed request'); return; }
          if (chunks instanceof CloseConnection) { fail(chunks.reason); return; }
          if (chunks instanceof ReplyThenClose) {
            stopped = true;
            if (chunks.delayMs > 0) await new Promise((r) => setTimeout(r, chunks.delayMs));
            if (!socket.destroyed) socket.end(Buffer.concat(chunks.chunks));
            log.info({ connection: connId, client: host, listener: this.listenerName }, `closing connection: ${chunks.reason}`);
            return;
          }
          if (socket.destroyed) return;
          let ok = true;
          if (!chunks.length && chunks.afterWrite) for (const f of chunks.afterWrite) f(); // acks=0: nothing to write
          if (chunks.length) {
            const after = chunks.afterWrite;
            const last = chunks.length - 1;
            socket.cork();
            for (let i = 0; i < last; i++) ok = socket.write(chunks[i]) && ok;
            // Writes finish in order: the last one's callback (also called when the write fails) frees them all.
            ok = (after ? socket.write(chunks[last], () => { for (const f of after) f(); }) : socket.write(chunks[last])) && ok;
            socket.uncork();
          }
          // write() says false for any reply over the high-water mark, also one the kernel took whole
          // (nothing left queued): only bytes still queued are waited for.
          if (!ok && socket.writableLength > 0) await drained();
          inflight.shift();
          dispatch();
        }
      } catch (e) {
        fail(`internal error: ${(e as Error).message}`);
      } finally {
        writing = false;
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
          // Before authentication a frame is small (sasl.server.max.receive.size); a raw SASL token may be shorter than a header.
          const max = conn.sasl && !conn.sasl.complete ? Math.min(this.o.maxRequestBytes, this.o.saslMaxReceiveBytes ?? 524288) : this.o.maxRequestBytes;
          const min = conn.sasl?.state === 'raw' ? 0 : 8;
          if (need < min || need > max) {
            fail(need > max
              ? (max === this.o.maxRequestBytes ? `request of ${need} bytes exceeds socket.request.max.bytes=${max}` : `frame of ${need} bytes before authentication exceeds sasl.server.max.receive.size=${max}`)
              : `invalid request size ${need}`);
            return;
          }
        }
        if (pendingLen < 4 + need) break;
        let rest: Buffer;
        const pooled = need >= POOLED_FRAME_MIN && conn.sasl?.state !== 'raw' && byteAt(pending, 4) === 0 && byteAt(pending, 5) === PRODUCE_KEY ? requestFrames.acquire(need) : null;
        if (pooled) {
          // A large Produce: joined into a pooled buffer, given back once the request and whatever kept its batches (the tail cache, fetch replies) are done.
          rest = copyOut(pending, 4, pooled.subarray(0, need));
          frames.push({ frame: pooled.subarray(0, need), shared: new SharedBuffer(pooled, requestFrames, need) });
        } else {
          const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
          frames.push({ frame: all.subarray(4, 4 + need), shared: null });
          rest = all.subarray(4 + need);
        }
        pending = rest.length ? [rest] : [];
        pendingLen = rest.length;
        need = -1;
      }
      if (frames.length) dispatch();
    });
    socket.on('error', () => { /* reset by peer etc.; close handles cleanup */ });
    socket.on('close', () => { this.sockets.delete(socket); clearTimeout(conn.expiry); });
  }

  /** KIP-368: the session ends at `expiresAtMs`; a connection not re-authenticating by then is closed, as Kafka closes it. */
  private startSession(conn: Conn, expiresAtMs: number | undefined): void {
    clearTimeout(conn.expiry);
    conn.expiresAtMs = expiresAtMs;
    if (expiresAtMs === undefined) return;
    conn.expiry = setTimeout(() => { if (!conn.reauth) conn.close('SASL session expired without re-authentication (connections.max.reauth.ms)'); }, Math.max(0, expiresAtMs - Date.now()));
    conn.expiry.unref();
  }

  /** Who a new connection is before any SASL: a verified client certificate's mapped subject, else ANONYMOUS. */
  private sessionOf(socket: net.Socket, host: string): Session {
    let principal = ANONYMOUS;
    if (socket instanceof tls.TLSSocket && socket.authorized && !this.o.sasl) {
      const cert = socket.getPeerX509Certificate();
      if (cert) {
        const dn = subjectDn(cert);
        principal = `User:${this.o.principalOf ? this.o.principalOf(dn) : dn}`;
      }
    }
    return { principal, clientHost: host, listenerName: this.listenerName, securityProtocol: this.o.protocol ?? 'PLAINTEXT' };
  }

  /** A SaslHandshake or SaslAuthenticate step: answer, and on failure answer then close. */
  private saslReply(ctx: RequestContext, version: number, step: SaslStep, conn: Conn, auth: SaslAuthenticator): Outcome {
    if (step.close === undefined && step.principal && conn.reauth) {
      // Kafka refuses a principal change on re-authentication.
      if (step.principal !== conn.session.principal) {
        const why = `Cannot change principals during re-authentication from ${conn.session.principal}: ${step.principal}`;
        step = { body: { errorCode: code('SASL_AUTHENTICATION_FAILED'), errorMessage: why, authBytes: Buffer.alloc(0) }, close: why, failed: true };
      } else {
        conn.reauth = null;
        this.o.logger.debug({ connection: conn.id, principal: step.principal }, 're-authenticated');
        this.reauthentications++;
      }
    }
    if (step.close === undefined) {
      if (step.principal) {
        conn.session.principal = step.principal;
        this.o.logger.debug({ connection: conn.id, principal: step.principal }, 'authenticated');
        this.startSession(conn, step.expiresAtMs);
      }
      return this.encode(ctx, version, step.body);
    }
    return this.saslFailure(ctx, version, step, conn, auth);
  }

  private saslFailure(ctx: RequestContext | null, version: number, step: SaslStep & { close: string }, conn: Conn, auth: SaslAuthenticator): ReplyThenClose {
    let delay = 0;
    if (step.failed) {
      this.o.logger.warn({ connection: conn.id, client: conn.host, listener: this.listenerName, mechanism: auth.mechanism, principal: `User:${auth.user}` }, `failed authentication: ${step.close}`);
      delay = this.o.authFailures ? this.o.authFailures.failed(conn.host) : this.o.failedAuthDelayMs ?? 100;
    }
    const out = ctx && step.body ? this.encode(ctx, version, step.body) : [];
    return new ReplyThenClose(out instanceof CloseConnection ? [] : out, step.close, delay);
  }

  /** connections that re-authenticated (KIP-368) since start */
  reauthentications = 0;

  /** A raw SASL token after a v0 SaslHandshake: answered with a size-prefixed raw token, or a close on failure. */
  private rawToken(frame: Buffer, conn: Conn): Outcome {
    const step = conn.sasl!.token(frame);
    if (step.close !== undefined) return this.saslFailure(null, 0, step, conn, conn.sasl!);
    if (step.principal) { conn.session.principal = step.principal; this.startSession(conn, step.expiresAtMs); }
    const bytes = (step.body as { authBytes: Buffer }).authBytes;
    const head = Buffer.alloc(4); head.writeInt32BE(bytes.length, 0);
    return [head, bytes];
  }

  /** Decodes, dispatches and encodes one request. null = close the connection. */
  private handle(frame: Buffer, conn: Conn, shared: SharedBuffer | null = null): Outcome | Promise<Outcome> {
    const connId = conn.id; const host = conn.host;
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
    const ctx: RequestContext = { apiKey, apiVersion, correlationId, clientId, clientHost: host, connectionId: connId, api, receivedAt: performance.now(), session: conn.session };
    // The request holds its pooled frame until its reply is written (a reply never written leaves it to the GC).
    if (shared) { ctx.frame = shared; ctx.afterReply = [() => shared.release()]; }
    // KIP-368: past its session's end, a connection may only re-authenticate.
    if (conn.expiresAtMs !== undefined && Date.now() >= conn.expiresAtMs && !conn.reauth && apiKey !== SASL_HANDSHAKE_KEY) {
      return new CloseConnection('SASL session expired without re-authentication (connections.max.reauth.ms)');
    }
    // Before authentication on a SASL listener: ApiVersions and SaslHandshake (then SaslAuthenticate) only, as Kafka.
    if (conn.sasl && !conn.sasl.complete && apiKey !== API_VERSIONS_KEY && apiKey !== SASL_HANDSHAKE_KEY && apiKey !== SASL_AUTHENTICATE_KEY) {
      return new CloseConnection(`Unexpected Kafka request of type ${api.decl.name} during SASL handshake`);
    }
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
    if (conn.sasl && !conn.sasl.complete) {
      if (apiKey === SASL_HANDSHAKE_KEY) return this.saslReply(ctx, apiVersion, conn.sasl.handshake(apiVersion, request.mechanism), conn, conn.sasl);
      if (apiKey === SASL_AUTHENTICATE_KEY) return this.saslReply(ctx, apiVersion, conn.sasl.token(request.authBytes), conn, conn.sasl);
    }
    // KIP-368 re-authentication: a new SaslHandshake (v1) on an authenticated connection, same mechanism, same principal.
    if (conn.sasl?.complete && this.o.sasl!.reauthMs > 0 && (apiKey === SASL_HANDSHAKE_KEY || (apiKey === SASL_AUTHENTICATE_KEY && conn.reauth))) {
      if (apiKey === SASL_HANDSHAKE_KEY) {
        if (conn.reauth || apiVersion < 1 || request.mechanism !== conn.sasl.mechanism) {
          const why = conn.reauth ? 'SaslHandshake received twice during re-authentication' : apiVersion < 1 ? 'Re-authentication needs SaslHandshake v1 or later' : `Re-authentication must use the same mechanism (${conn.sasl.mechanism}), not ${request.mechanism}`;
          return this.saslFailure(ctx, apiVersion, { body: { errorCode: code('ILLEGAL_SASL_STATE'), mechanisms: this.o.sasl!.mechanisms }, close: why }, conn, conn.sasl);
        }
        conn.reauth = new SaslAuthenticator(this.o.sasl!);
        return this.saslReply(ctx, apiVersion, conn.reauth.handshake(apiVersion, request.mechanism), conn, conn.reauth);
      }
      return this.saslReply(ctx, apiVersion, conn.reauth!.token(request.authBytes), conn, conn.reauth!);
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

  private encode(ctx: RequestContext, version: number, body: any, errorCode?: number): Chunks | CloseConnection {
    this.o.observer?.onResponse(ctx, version, body, errorCode);
    if (body instanceof CloseConnection) return body;
    if (body === NO_RESPONSE && errorCode === undefined) {
      const none: Chunks = [];
      if (ctx.afterReply?.length) none.afterWrite = ctx.afterReply;
      return none;
    }
    if (body === NO_RESPONSE) body = {};
    if (errorCode !== undefined) body = { ...body, errorCode };
    const w = new Writer(512);
    w.int32(0); // size, patched below
    w.int32(ctx.correlationId);
    // ApiVersions always answers with response header v0.
    if (ctx.api.flexible(version) && ctx.apiKey !== API_VERSIONS_KEY) w.uvarint(0);
    ctx.api.response(version).encode(w, body);
    const chunks: Chunks = w.chunksOut();
    chunks[0].writeInt32BE(w.length - 4, 0);
    if (ctx.afterReply?.length) chunks.afterWrite = ctx.afterReply;
    return chunks;
  }
}
