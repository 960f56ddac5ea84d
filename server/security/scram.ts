// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka's ScramSaslServer: the
// broker stores only salt, iterations, StoredKey and ServerKey (never the password)
// and checks a client proof against StoredKey in constant time.
import crypto from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** Kafka's ScramMechanism type byte in DescribeUserScramCredentials / AlterUserScramCredentials */
export const SCRAM_TYPE: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
export const SCRAM_BY_TYPE = new Map<number, ScramMechanism>([[1, 'SCRAM-SHA-256'], [2, 'SCRAM-SHA-512']]);
/** Kafka's accepted range of iterations (ScramMechanism.minIterations / maxIterations) */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export interface ScramCredential { salt: Buffer; storedKey: Buffer; serverKey: Buffer; iterations: number }

const hash = (m: ScramMechanism) => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer) => crypto.createHmac(hash(m), key).update(data).digest();
const h = (m: ScramMechanism, data: Buffer) => crypto.createHash(hash(m)).update(data).digest();

export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return crypto.pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, m === 'SCRAM-SHA-256' ? 32 : 64, hash(m));
}

/** The credential the broker stores, from the salted password an admin client sends (KIP-554). */
export function credentialFromSalted(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return { salt, iterations, storedKey: h(m, clientKey), serverKey: hmac(m, salted, 'Server Key') };
}

export function credentialFromPassword(m: ScramMechanism, password: string, iterations = MIN_ITERATIONS, salt = crypto.randomBytes(32)): ScramCredential {
  return credentialFromSalted(m, saltedPassword(m, password, salt, iterations), salt, iterations);
}

/** Where SCRAM credentials live: the broker's metadata (a file for one node; the cluster store elsewhere). */
export interface ScramCredentialStore {
  get(user: string, m: ScramMechanism): ScramCredential | undefined;
  /** a cluster store answers once the store holds it */
  set(user: string, m: ScramMechanism, c: ScramCredential): void | Promise<void>;
  /** false if there was none */
  delete(user: string, m: ScramMechanism): boolean | Promise<boolean>;
  /** user → mechanisms with their iterations */
  users(): Map<string, { mechanism: ScramMechanism; iterations: number }[]>;
}

export class SaslAuthenticationFailed extends Error {}

const unescapeName = (s: string) => s.replace(/=2C/g, ',').replace(/=3D/g, '=');

/** One SCRAM exchange, server side: client-first → server-first, client-final → server-final. */
export class ScramServer {
  private step = 0;
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';
  private cred?: ScramCredential;
  user = '';

  constructor(private readonly m: ScramMechanism, private readonly store: ScramCredentialStore) {}

  private invalid(): never {
    throw new SaslAuthenticationFailed(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.m}`);
  }

  evaluate(token: Buffer): { response: Buffer; complete: boolean } {
    const text = token.toString('utf8');
    if (this.step === 0) {
      const m = /^((?:n|y|p=[^,]*),(?:a=[^,]*)?,)(n=([^,]*),r=([^,]+)(?:,.*)?)$/.exec(text);
      if (!m) throw new SaslAuthenticationFailed(`Invalid SCRAM client first message for ${this.m}`);
      this.gs2Header = m[1]; this.clientFirstBare = m[2]; this.user = unescapeName(m[3]);
      this.cred = this.store.get(this.user, this.m);
      if (!this.cred) this.invalid();
      this.nonce = m[4] + crypto.randomBytes(24).toString('base64');
      this.serverFirst = `r=${this.nonce},s=${this.cred.salt.toString('base64')},i=${this.cred.iterations}`;
      this.step = 1;
      return { response: Buffer.from(this.serverFirst), complete: false };
    }
    if (this.step === 1) {
      const m = /^(c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*),p=([^,]+)$/.exec(text);
      if (!m) throw new SaslAuthenticationFailed(`Invalid SCRAM client final message for ${this.m}`);
      // endsWith, as Kafka checks it: librdkafka sends its client nonce again in front of the combined one.
      if (!m[3].endsWith(this.nonce) || Buffer.from(m[2], 'base64').toString('utf8') !== this.gs2Header) this.invalid();
      const authMessage = `${this.clientFirstBare},${this.serverFirst},${m[1]}`;
      const cred = this.cred!;
      const proof = Buffer.from(m[4], 'base64');
      const signature = hmac(this.m, cred.storedKey, authMessage);
      if (proof.length !== signature.length) this.invalid();
      const clientKey = Buffer.alloc(proof.length);
      for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ signature[i];
      if (!crypto.timingSafeEqual(h(this.m, clientKey), cred.storedKey)) this.invalid();
      this.step = 2;
      return { response: Buffer.from(`v=${hmac(this.m, cred.serverKey, authMessage).toString('base64')}`), complete: true };
    }
    throw new SaslAuthenticationFailed('SCRAM exchange already complete');
  }
}
