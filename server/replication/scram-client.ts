// The client side of one SCRAM exchange (RFC 5802/7677, as Kafka's ScramSaslClient):
// client-first → server-first (nonce, salt, iterations) → client-final with the proof →
// server-final, whose signature proves the broker knew the credential too.
import crypto from 'node:crypto';
import { saltedPassword, type ScramMechanism } from '../security/scram.ts';

const hash = (m: ScramMechanism) => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
const hmac = (m: ScramMechanism, key: Buffer, data: string) => crypto.createHmac(hash(m), key).update(data).digest();

/** SCRAM user names escape ',' and '=' (RFC 5802 5.1). */
const escapeName = (u: string) => u.replace(/=/g, '=3D').replace(/,/g, '=2C');

export class ScramClient {
  private readonly nonce = crypto.randomBytes(24).toString('base64');
  private readonly clientFirstBare: string;
  private authMessage = '';
  private serverKey = Buffer.alloc(0);

  constructor(private readonly m: ScramMechanism, user: string, private readonly password: string) {
    this.clientFirstBare = `n=${escapeName(user)},r=${this.nonce}`;
  }

  first(): Buffer { return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8'); }

  /** The client-final message for the server-first one. */
  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const attrs = new Map(text.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as [string, string]));
    const nonce = attrs.get('r'); const salt = attrs.get('s'); const iterations = Number(attrs.get('i'));
    if (!nonce || !salt || !Number.isInteger(iterations) || iterations < 1) throw new Error(`invalid SCRAM server-first message: ${text}`);
    if (!nonce.startsWith(this.nonce)) throw new Error('SCRAM server nonce does not extend the client nonce');
    const salted = saltedPassword(this.m, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = hmac(this.m, salted, 'Client Key');
    const storedKey = crypto.createHash(hash(this.m)).update(clientKey).digest();
    this.serverKey = hmac(this.m, salted, 'Server Key');
    const withoutProof = `c=biws,r=${nonce}`;
    this.authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const signature = hmac(this.m, storedKey, this.authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i] ^ signature[i];
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server-final message's signature. */
  verify(serverFinal: Buffer): void {
    const text = serverFinal.toString('utf8');
    if (text.startsWith('e=')) throw new Error(`SCRAM failed: ${text.slice(2)}`);
    const expected = hmac(this.m, this.serverKey, this.authMessage).toString('base64');
    if (text !== `v=${expected}`) throw new Error('SCRAM server signature does not match: the broker does not hold this credential');
  }
}
