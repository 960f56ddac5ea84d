// One connection from this broker to another, speaking the Kafka protocol through
// the broker's own API declarations (server/protocol/apis): a follower's fetches
// and OffsetForLeaderEpoch requests. Requests are pipelined; replies are matched by
// correlation id. Any socket error fails every request in flight and the connection
// is done: the owner opens a new one. Over an SSL/SASL inter-broker listener the
// connection is TLS and logs in (SaslHandshake v1, SaslAuthenticate) before use.
import net from 'node:net';
import tls from 'node:tls';
import { Reader, Writer } from '../protocol/buffers.ts';
import { API_BY_KEY, SaslAuthenticate, SaslHandshake } from '../protocol/apis/index.ts';
import { ERROR_NAME_BY_CODE } from '../errors.ts';
import type { ApiDecl, RequestOf, ResponseOf } from '../protocol/schema.ts';
import type { InterBrokerSecurity } from './inter-broker-client.ts';
import { ScramClient } from './scram-client.ts';
import { ReadBufferPool } from '../log/read-buffers.ts';

/**
 * Buffers that large responses (a follower's fetches) are read into in place. A fresh
 * buffer per 1 MiB fetch response cost the follower page faults and zeroing of new
 * memory and V8 garbage collections (external memory); a request sent with sendLeased
 * hands its frame back once the caller is done with the response's bytes.
 */
export const responseFrames = new ReadBufferPool(32 * 1024 * 1024);

/** A decoded response whose byte fields may point into a pooled frame: release() once they are no longer read. */
export interface Leased<T> { res: T; release(): void }

/** A request as this side writes it (any field may be left out: the encoder writes its default). */
export type RequestBody<D extends ApiDecl> = ResponseOf<Omit<D, 'response'> & { response: D['request'] }>;
/** A response as this side reads it (every field present). */
export type DecodedResponse<D extends ApiDecl> = RequestOf<Omit<D, 'request'> & { request: D['response'] }>;

export class BrokerConnectionError extends Error {}

interface Pending { key: number; version: number; leased: boolean; resolve: (v: any) => void; reject: (e: Error) => void }

export class BrokerConnection {
  private socket!: net.Socket;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  /**
   * Plaintext connections read in place (net's onread): a response is read straight into
   * a buffer of its own size once its length is known, so a follower's fetch responses are
   * not copied again to join the socket's chunks (Buffer.concat was ~10% of a catching-up
   * follower's CPU). What arrives between responses lands in `scratch` and is copied out.
   */
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);
  /** the response being read in place: its 4-byte size and body; null between responses */
  private frame: Buffer | null = null;
  /** the pooled buffer `frame` lies in, if it came from responseFrames */
  private frameLease: Buffer | null = null;
  private filled = 0;
  closed = false;
  /** told once when the connection ends */
  onClose?: () => void;

  private constructor(readonly host: string, readonly port: number, private readonly clientId: string, private readonly timeoutMs: number) {}

  static async connect(host: string, port: number, clientId: string, timeoutMs = 30000, security?: InterBrokerSecurity): Promise<BrokerConnection> {
    const c = await BrokerConnection.open(host, port, clientId, timeoutMs, security);
    if (security?.sasl) {
      try { await c.login(security.sasl); } catch (e) { c.close(); throw e; }
    }
    return c;
  }

  private static open(host: string, port: number, clientId: string, timeoutMs: number, security?: InterBrokerSecurity): Promise<BrokerConnection> {
    const c = new BrokerConnection(host, port, clientId, timeoutMs);
    return new Promise((resolve, reject) => {
      const secure = security?.tls?.();
      const s: net.Socket = secure
        ? tls.connect({ ...secure, host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port, noDelay: true, onread: { buffer: () => c.readTarget(), callback: (n: number) => { c.onRead(n); return true; } } });
      if (secure) s.setNoDelay(true);
      c.socket = s;
      const onError = (e: Error) => { s.destroy(); reject(new BrokerConnectionError(`cannot connect to broker ${host}:${port}${secure ? ' (TLS)' : ''}: ${e.message}`)); };
      s.setTimeout(timeoutMs, () => s.destroy(new Error(`connect timed out after ${timeoutMs} ms`)));
      s.once('error', onError);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        s.off('error', onError);
        s.setTimeout(0);
        if (secure) s.on('data', (d) => c.onData(d)); // plaintext reads in place (onread)
        s.on('error', (e) => c.fail(e));
        s.on('close', () => c.fail(new Error('connection closed')));
        resolve(c);
      });
    });
  }

  /** SASL PLAIN (RFC 4616) or SCRAM with SaslHandshake v1 + SaslAuthenticate, as Kafka's clients log in. */
  private async login(sasl: NonNullable<InterBrokerSecurity['sasl']>): Promise<void> {
    const hs = await this.send(SaslHandshake, 1, { mechanism: sasl.mechanism });
    if (hs.errorCode) throw new BrokerConnectionError(`broker ${this.host}:${this.port} refused SASL mechanism ${sasl.mechanism} (${ERROR_NAME_BY_CODE.get(hs.errorCode) ?? hs.errorCode}; it enables ${hs.mechanisms.join(', ')})`);
    const step = async (token: Buffer) => {
      const r = await this.send(SaslAuthenticate, 2, { authBytes: token });
      if (r.errorCode) throw new BrokerConnectionError(`SASL ${sasl.mechanism} login to broker ${this.host}:${this.port} as ${sasl.username} failed: ${r.errorMessage ?? ERROR_NAME_BY_CODE.get(r.errorCode)}`);
      return r.authBytes;
    };
    if (sasl.mechanism === 'PLAIN') { await step(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8')); return; }
    const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
    const serverFirst = await step(scram.first());
    const serverFinal = await step(scram.final(serverFirst));
    try { scram.verify(serverFinal); } catch (e) { throw new BrokerConnectionError(`broker ${this.host}:${this.port}: ${(e as Error).message}`); }
  }

  /** Sends one request and resolves with its decoded response. */
  send<D extends ApiDecl>(decl: D, version: number, body: RequestBody<D>, timeoutMs = this.timeoutMs): Promise<DecodedResponse<D>> {
    return this.request(decl, version, body, timeoutMs, false);
  }

  /**
   * As send, but the response's byte fields (a fetch's records) may lie in a pooled
   * buffer: the caller calls release() once it no longer reads them (after appending),
   * and keeps no reference to them afterwards.
   */
  sendLeased<D extends ApiDecl>(decl: D, version: number, body: RequestBody<D>, timeoutMs = this.timeoutMs): Promise<Leased<DecodedResponse<D>>> {
    return this.request(decl, version, body, timeoutMs, true);
  }

  private request(decl: ApiDecl, version: number, body: any, timeoutMs: number, leased: boolean): Promise<any> {
    if (this.closed) return Promise.reject(new BrokerConnectionError(`connection to ${this.host}:${this.port} is closed`));
    const api = API_BY_KEY.get(decl.key)!;
    const id = this.nextId++;
    const w = new Writer(256);
    w.int32(0);
    w.int16(decl.key); w.int16(version); w.int32(id); w.nullableString(this.clientId);
    if (api.flexible(version)) w.uvarint(0);
    api.request(version).encode(w, body);
    const chunks = w.chunksOut();
    chunks[0].writeInt32BE(w.length - 4, 0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new BrokerConnectionError(`${decl.name} to ${this.host}:${this.port} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        key: decl.key, version, leased,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      for (const c of chunks) this.socket.write(c);
    });
  }

  /** Where the next read goes: the rest of the response being read, else the scratch buffer. */
  private readTarget(): Buffer {
    return this.frame ? this.frame.subarray(this.filled) : this.scratch;
  }

  /** `n` bytes were read into readTarget()'s buffer. */
  private onRead(n: number): void {
    if (this.closed) return;
    if (this.frame) {
      this.filled += n;
      if (this.filled < this.frame.length) return;
      const f = this.frame;
      const lease = this.frameLease;
      this.frame = null;
      this.frameLease = null;
      this.onFrame(f.subarray(4), lease);
      return;
    }
    // Scratch: whole small responses (copied out, the scratch is reused), and the start of a
    // larger one, copied into a buffer of its size that the following reads fill in place.
    let data = this.scratch.subarray(0, n);
    if (this.buffered) { data = Buffer.concat([...this.chunks, data]); this.chunks = []; this.buffered = 0; }
    let pos = 0;
    while (data.length - pos >= 4) {
      const size = data.readInt32BE(pos);
      if (size < 4) { this.fail(new BrokerConnectionError(`broker ${this.host}:${this.port} sent a response of invalid size ${size}`)); return; }
      if (data.length - pos >= 4 + size) {
        this.onFrame(Buffer.from(data.subarray(pos + 4, pos + 4 + size)));
        if (this.closed) return;
        pos += 4 + size;
        continue;
      }
      const lease = responseFrames.acquire(4 + size);
      this.frame = lease ? lease.subarray(0, 4 + size) : Buffer.allocUnsafe(4 + size);
      this.frameLease = lease;
      this.filled = data.copy(this.frame, 0, pos);
      return;
    }
    // fewer than 4 bytes of the next size: kept until the next read
    if (pos < data.length) { this.chunks = [Buffer.from(data.subarray(pos))]; this.buffered = data.length - pos; }
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
      const size = head.readInt32BE(0);
      if (this.buffered < size + 4) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const frame = all.subarray(4, size + 4);
      const rest = all.subarray(size + 4);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.onFrame(frame);
    }
  }

  /** A whole response; `lease` is the pooled buffer it lies in (handed back here unless a leased request takes it). */
  private onFrame(frame: Buffer, lease: Buffer | null = null): void {
    const r = new Reader(frame);
    const id = r.int32();
    const p = this.pending.get(id);
    const giveBack = () => { if (lease) responseFrames.release(lease); };
    if (!p) { giveBack(); return; }
    this.pending.delete(id);
    const api = API_BY_KEY.get(p.key)!;
    try {
      if (api.flexible(p.version) && p.key !== 18) { const n = r.uvarint(); for (let i = 0; i < n; i++) { r.uvarint(); r.raw(r.uvarint()); } }
      const res = api.response(p.version).decode(r);
      // Only a leased request's caller knows when the bytes are done with; others keep theirs (collected as usual).
      if (p.leased) { let done = false; p.resolve({ res, release: () => { if (!done) { done = true; giveBack(); } } }); } else p.resolve(res);
    } catch (e) {
      giveBack();
      p.reject(e as Error);
    }
  }

  private fail(e: Error): void {
    if (!this.closed) { this.closed = true; this.socket.destroy(); this.onClose?.(); }
    const err = e instanceof BrokerConnectionError ? e : new BrokerConnectionError(`broker ${this.host}:${this.port}: ${e.message}`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  close(): void { this.fail(new BrokerConnectionError('closed')); }
}

/**
 * One connection per other broker, opened on first use over the inter-broker listener's
 * security (TLS, SASL login, as the replica fetchers connect) and forgotten once it closes
 * or fails to open, so the next use reconnects. The coordinators keep one each.
 */
export class PeerConnections {
  private readonly conns = new Map<number, Promise<BrokerConnection>>();

  constructor(private readonly o: {
    clientId: () => string;
    endpoint: (id: number) => { host: string; port: number } | null;
    security: () => InterBrokerSecurity | undefined;
  }) {}

  get(id: number): Promise<BrokerConnection> {
    let c = this.conns.get(id);
    if (!c) {
      const ep = this.o.endpoint(id);
      if (!ep) return Promise.reject(new Error(`broker ${id} is not alive`));
      const opening = BrokerConnection.connect(ep.host, ep.port, this.o.clientId(), 30000, this.o.security());
      c = opening;
      opening.then((x) => { x.onClose = () => { if (this.conns.get(id) === opening) this.conns.delete(id); }; }, () => { this.conns.delete(id); });
      this.conns.set(id, opening);
    }
    return c;
  }

  /** After a failed request: the next get() opens a new connection. */
  forget(id: number): void { this.conns.delete(id); }

  closeAll(): void {
    for (const c of this.conns.values()) void c.then((x) => x.close(), () => {});
    this.conns.clear();
  }
}
