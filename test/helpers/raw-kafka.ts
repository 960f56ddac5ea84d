// A bare Kafka-protocol connection for tests that must see exactly what the broker
// answers (SASL steps, session lifetimes, when it closes), encoded and decoded with the
// broker's own API declarations.
import net from 'node:net';
import { Reader, Writer } from '../../server/protocol/buffers.ts';
import type { ApiCodec } from '../../server/protocol/schema.ts';
import { API_BY_NAME } from '../../server/protocol/apis/index.ts';

export class RawKafkaConnection {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer | null) => void)[] = [];
  private corr = 0;
  closed = false;
  readonly closedAt: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + n);
        this.buf = this.buf.subarray(4 + n);
        this.waiting.shift()?.(frame);
      }
    });
    this.closedAt = new Promise((resolve) => socket.on('close', () => { this.closed = true; for (const w of this.waiting.splice(0)) w(null); resolve(); }));
    socket.on('error', () => undefined);
  }

  static connect(port: number, o: { host?: string; localAddress?: string } = {}): Promise<RawKafkaConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: o.host ?? '127.0.0.1', localAddress: o.localAddress }, () => resolve(new RawKafkaConnection(s)));
      s.once('error', reject);
    });
  }

  /** Sends one request; resolves with the decoded response, or null if the broker closed the connection instead. */
  send(apiName: string, version: number, body: Record<string, unknown>): Promise<any | null> {
    const api = API_BY_NAME.get(apiName) as ApiCodec;
    const w = new Writer(256);
    w.int32(0);
    w.int16(api.decl.key); w.int16(version); w.int32(++this.corr); w.nullableString('raw-test');
    if (api.flexible(version)) w.uvarint(0);
    api.request(version).encode(w, body);
    const out = w.toBuffer();
    out.writeInt32BE(out.length - 4, 0);
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      this.waiting.push((frame) => {
        if (!frame) return resolve(null);
        const r = new Reader(frame);
        r.int32();
        if (api.flexible(version) && api.decl.key !== 18) { const n = r.uvarint(); for (let i = 0; i < n; i++) { r.uvarint(); r.raw(r.uvarint()); } }
        resolve(api.response(version).decode(r));
      });
      this.socket.write(out);
    });
  }

  /** SaslHandshake v1 + one SaslAuthenticate (PLAIN, OAUTHBEARER): the SaslAuthenticate response, or null if closed. */
  async saslOnce(mechanism: string, token: Buffer, authVersion = 1): Promise<any | null> {
    const hs = await this.send('SaslHandshake', 1, { mechanism });
    if (!hs) return null;
    if (hs.errorCode !== 0) return { errorCode: hs.errorCode, errorMessage: `handshake error ${hs.errorCode}` };
    return this.send('SaslAuthenticate', authVersion, { authBytes: token });
  }

  close(): void { this.socket.destroy(); }
}

export const plainToken = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);
export const oauthToken = (jwt: string) => Buffer.from(`n,,\u0001auth=Bearer ${jwt}\u0001\u0001`);
