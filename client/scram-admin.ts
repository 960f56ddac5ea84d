// SCRAM users over Kafka's KIP-554 APIs (DescribeUserScramCredentials,
// AlterUserScramCredentials), as kafka-configs --alter --add-config 'SCRAM-SHA-512=[…]'
// does: the password is salted and hashed here (PBKDF2), only the salted form is sent.
import crypto from 'node:crypto';
import { Connection, describeUserScramCredentialsV0, alterUserScramCredentialsV0 } from '@platformatic/kafka';
import { baseOptions, bootstrapList, type ClientConfig } from './config.ts';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
const TYPE: Record<ScramMechanismName, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
const NAME = new Map<number, ScramMechanismName>([[1, 'SCRAM-SHA-256'], [2, 'SCRAM-SHA-512']]);

export interface ScramUser { user: string; credentials: { mechanism: string; iterations: number }[] }

/** A per-user failure from the broker (errorName: Kafka's error name). */
export class ScramAdminError extends Error {
  constructor(message: string, readonly errorCode: number) { super(message); }
}

/** The response of a KIP-554 call, also when the library raised it as a ResponseError. */
async function answer<T>(p: Promise<T>): Promise<T> {
  try { return await p; } catch (e) {
    const r = (e as { response?: T }).response;
    if (r) return r;
    throw e;
  }
}

export class ScramAdmin {
  private readonly conn: Connection;
  private connected?: Promise<void>;
  constructor(private readonly cfg: ClientConfig) {
    const o = baseOptions(cfg);
    this.conn = new Connection(cfg.clientId, { connectTimeout: 10000, requestTimeout: cfg.requestTimeoutMs ?? 30000, tls: o.tls, sasl: o.sasl as any });
  }

  private async ready(): Promise<Connection> {
    const [hostPort] = bootstrapList(this.cfg.bootstrap);
    const i = hostPort.lastIndexOf(':');
    this.connected ??= this.conn.connect(hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1))) as Promise<void>;
    await this.connected;
    return this.conn;
  }

  async list(users: string[] = []): Promise<ScramUser[]> {
    const r = await answer(describeUserScramCredentialsV0.api.async(await this.ready(), users.map((name) => ({ name }))));
    if (r.errorCode) throw new ScramAdminError(r.errorMessage ?? `error ${r.errorCode}`, r.errorCode);
    const bad = r.results.find((x) => x.errorCode);
    if (bad) throw new ScramAdminError(bad.errorMessage ?? `error ${bad.errorCode}`, bad.errorCode);
    return r.results.map((x) => ({ user: x.user, credentials: x.credentialInfos.map((c) => ({ mechanism: NAME.get(c.mechanism) ?? String(c.mechanism), iterations: c.iterations })) }));
  }

  async set(user: string, password: string, mechanism: ScramMechanismName = 'SCRAM-SHA-512', iterations = 4096): Promise<void> {
    const salt = crypto.randomBytes(32);
    const salted = crypto.pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, mechanism === 'SCRAM-SHA-256' ? 32 : 64, mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
    await this.alter([], [{ name: user, mechanism: TYPE[mechanism], iterations, salt, saltedPassword: salted }]);
  }

  async delete(user: string, mechanism: ScramMechanismName): Promise<void> {
    await this.alter([{ name: user, mechanism: TYPE[mechanism] }], []);
  }

  private async alter(deletions: { name: string; mechanism: number }[], upsertions: { name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }[]): Promise<void> {
    const r = await answer(alterUserScramCredentialsV0.api.async(await this.ready(), deletions, upsertions));
    const bad = r.results.find((x) => x.errorCode);
    if (bad) throw new ScramAdminError(bad.errorMessage ?? `error ${bad.errorCode}`, bad.errorCode);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.conn.close(() => resolve()));
  }
}
