// One connection from this broker to another, speaking the Kafka protocol through
// the broker's own API declarations (server/protocol/apis): a follower's fetches
// and OffsetForLeaderEpoch requests. Requests are pipelined; replies are matched by
// correlation id. Any socket error fails every request in flight and the connection
// is done: the owner opens a new one.
import net from 'node:net';
import { Reader, Writer } from '../protocol/buffers.ts';
import { API_BY_KEY } from '../protocol/apis/index.ts';
import type { ApiDecl, RequestOf, ResponseOf } from '../protocol/schema.ts';

/** A request as this side writes it (any field may be left out: the encoder writes its default). */
export type RequestBody<D extends ApiDecl> = ResponseOf<Omit<D, 'response'> & { response: D['request'] }>;
/** A response as this side reads it (every field present). */
export type DecodedResponse<D extends ApiDecl> = RequestOf<Omit<D, 'request'> & { request: D['response'] }>;

export class BrokerConnectionError extends Error {}

interface Pending { key: number; version: number; resolve: (v: any) => void; reject: (e: Error) => void }

export class BrokerConnection {
  private socket!: net.Socket;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  closed = false;
  /** told once when the connection ends */
  onClose?: () => void;

  private constructor(readonly host: string, readonly port: number, private readonly clientId: string, private readonly timeoutMs: number) {}

  static connect(host: string, port: number, clientId: string, timeoutMs = 30000): Promise<BrokerConnection> {
    const c = new BrokerConnection(host, port, clientId, timeoutMs);
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, noDelay: true });
      c.socket = s;
      const onError = (e: Error) => { s.destroy(); reject(new BrokerConnectionError(`cannot connect to broker ${host}:${port}: ${e.message}`)); };
      s.setTimeout(timeoutMs, () => s.destroy(new Error(`connect timed out after ${timeoutMs} ms`)));
      s.once('error', onError);
      s.once('connect', () => {
        s.off('error', onError);
        s.setTimeout(0);
        s.on('data', (d) => c.onData(d));
        s.on('error', (e) => c.fail(e));
        s.on('close', () => c.fail(new Error('connection closed')));
        resolve(c);
      });
    });
  }

  /** Sends one request and resolves with its decoded response. */
  send<D extends ApiDecl>(decl: D, version: number, body: RequestBody<D>, timeoutMs = this.timeoutMs): Promise<DecodedResponse<D>> {
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
        key: decl.key, version,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      for (const c of chunks) this.socket.write(c);
    });
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

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    const id = r.int32();
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const api = API_BY_KEY.get(p.key)!;
    try {
      if (api.flexible(p.version) && p.key !== 18) { const n = r.uvarint(); for (let i = 0; i < n; i++) { r.uvarint(); r.raw(r.uvarint()); } }
      p.resolve(api.response(p.version).decode(r));
    } catch (e) {
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
