// The SASL exchange of one connection, as Kafka's SaslServerAuthenticator runs it:
// ApiVersions and SaslHandshake are the only requests before authentication; after
// SaslHandshake v1 the tokens come in SaslAuthenticate requests, after v0 as raw
// size-prefixed frames (the pre-KIP-152 flow). A failure answers
// SASL_AUTHENTICATION_FAILED with Kafka's message, then closes the connection.
import crypto from 'node:crypto';
import { ScramServer, SaslAuthenticationFailed, SCRAM_MECHANISMS, type ScramCredentialStore, type ScramMechanism } from './scram.ts';
import { parseJaasValue } from './jaas-value.ts';
import { JwksCache, OAuthBearerServer, oauthBearerSettings, type OAuthBearerSettings } from './oauthbearer.ts';
import { code } from '../errors.ts';

export { SaslAuthenticationFailed };

interface MechanismServer {
  evaluate(token: Buffer): { response: Buffer; complete: boolean };
  /** the authenticated user name, once complete */
  readonly user: string;
  /** when the credential stops being valid (OAUTHBEARER's token exp), ms since the epoch */
  readonly expiresAtMs?: number;
}

/** PLAIN (RFC 4616) against users of the JAAS config (`user_NAME="password"`, Kafka's PlainLoginModule). */
class PlainServer implements MechanismServer {
  user = '';
  constructor(private readonly users: Map<string, string>) {}
  evaluate(token: Buffer): { response: Buffer; complete: boolean } {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslAuthenticationFailed('Invalid SASL/PLAIN response: expected 3 tokens');
    const [authzid, user, password] = parts;
    this.user = user;
    if (!user) throw new SaslAuthenticationFailed('Authentication failed: username not specified');
    if (!password) throw new SaslAuthenticationFailed('Authentication failed: password not specified');
    const expected = this.users.get(user);
    // Compare digests so the time taken says nothing about the password or whether the user exists.
    const a = crypto.createHash('sha256').update(password).digest();
    const b = crypto.createHash('sha256').update(expected ?? '\u0000no user').digest();
    if (!crypto.timingSafeEqual(a, b) || expected === undefined) throw new SaslAuthenticationFailed('Authentication failed: Invalid username or password');
    if (authzid && authzid !== user) throw new SaslAuthenticationFailed('Authentication failed: Client requested an authorization id that is different from username');
    return { response: Buffer.alloc(0), complete: true };
  }
}

export const SUPPORTED_MECHANISMS = ['PLAIN', ...SCRAM_MECHANISMS, 'OAUTHBEARER'];

export interface SaslSettings {
  /** sasl.enabled.mechanisms of the listener */
  mechanisms: string[];
  /** PLAIN users from the listener's plain.sasl.jaas.config */
  plainUsers: Map<string, string>;
  scram: ScramCredentialStore;
  /** OAUTHBEARER: the token checks and the JWKS (started by the broker) */
  oauth?: { settings: OAuthBearerSettings; jwks: JwksCache };
  /** connections.max.reauth.ms (KIP-368): 0 = sessions never expire */
  reauthMs: number;
}

/** Reads a SASL listener's settings (`listener.name.<l>.` prefixed names first). */
export function saslSettings(get: (name: string) => string | null, listener: string, scram: ScramCredentialStore): SaslSettings {
  const l = listener.toLowerCase();
  const mechanisms = (get(`listener.name.${l}.sasl.enabled.mechanisms`) ?? get('sasl.enabled.mechanisms') ?? 'GSSAPI')
    .split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unsupported = mechanisms.filter((m) => !SUPPORTED_MECHANISMS.includes(m));
  if (unsupported.length) throw new Error(`sasl.enabled.mechanisms for listener ${listener} names ${unsupported.join(', ')}, which this broker does not support: use ${SUPPORTED_MECHANISMS.join(', ')}`);
  const plainUsers = new Map<string, string>();
  if (mechanisms.includes('PLAIN')) {
    const name = `listener.name.${l}.plain.sasl.jaas.config`;
    const value = get(name) ?? get(`listener.name.${l}.sasl.jaas.config`) ?? get('sasl.jaas.config');
    if (!value) throw new Error(`listener ${listener} enables PLAIN but has no users: set ${name}="org.apache.kafka.common.security.plain.PlainLoginModule required user_NAME=\\"PASSWORD\\";"`);
    for (const [k, v] of parseJaasValue(name, value).options) if (k.startsWith('user_')) plainUsers.set(k.slice(5), v);
  }
  let oauth: SaslSettings['oauth'];
  if (mechanisms.includes('OAUTHBEARER')) {
    const jaas = get(`listener.name.${l}.oauthbearer.sasl.jaas.config`);
    if (jaas) parseJaasValue(`listener.name.${l}.oauthbearer.sasl.jaas.config`, jaas); // checked; the module takes no options we use
    const settings = oauthBearerSettings(get, listener);
    oauth = { settings, jwks: new JwksCache(settings) };
  }
  const reauth = get(`listener.name.${l}.connections.max.reauth.ms`) ?? get('connections.max.reauth.ms') ?? '0';
  const reauthMs = Number(reauth);
  if (!Number.isInteger(reauthMs) || reauthMs < 0) throw new Error(`connections.max.reauth.ms must be a non-negative integer, got ${reauth}`);
  return { mechanisms, plainUsers, scram, oauth, reauthMs };
}

export type SaslStep =
  | { body: Record<string, unknown>; close?: undefined; principal?: string; expiresAtMs?: number }
  | { body: Record<string, unknown> | null; close: string; failed?: boolean };

export class SaslAuthenticator {
  state: 'handshake' | 'authenticate' | 'raw' | 'done' = 'handshake';
  mechanism = '';
  private server?: MechanismServer;

  constructor(private readonly s: SaslSettings) {}

  get complete(): boolean { return this.state === 'done'; }

  handshake(version: number, mechanism: string): SaslStep {
    if (this.state !== 'handshake') return { body: { errorCode: code('ILLEGAL_SASL_STATE'), mechanisms: this.s.mechanisms }, close: 'SaslHandshake received twice' };
    if (!this.s.mechanisms.includes(mechanism)) {
      return { body: { errorCode: code('UNSUPPORTED_SASL_MECHANISM'), mechanisms: this.s.mechanisms }, close: `unsupported SASL mechanism ${mechanism}` };
    }
    this.mechanism = mechanism;
    this.server = mechanism === 'PLAIN' ? new PlainServer(this.s.plainUsers)
      : mechanism === 'OAUTHBEARER' ? new OAuthBearerServer(this.s.oauth!.settings, this.s.oauth!.jwks)
      : new ScramServer(mechanism as ScramMechanism, this.s.scram);
    this.state = version === 0 ? 'raw' : 'authenticate';
    return { body: { errorCode: 0, mechanisms: this.s.mechanisms } };
  }

  /** One token (SaslAuthenticate's auth_bytes, or a raw frame after a v0 handshake). */
  token(bytes: Buffer): SaslStep {
    if (!this.server || (this.state !== 'authenticate' && this.state !== 'raw')) {
      return { body: { errorCode: code('ILLEGAL_SASL_STATE'), errorMessage: 'SaslAuthenticate before SaslHandshake', authBytes: Buffer.alloc(0) }, close: 'SaslAuthenticate before SaslHandshake' };
    }
    try {
      const r = this.server.evaluate(bytes);
      if (!r.complete) return { body: { errorCode: 0, errorMessage: null, authBytes: r.response, sessionLifetimeMs: 0n } };
      this.state = 'done';
      // KIP-368, as Kafka's SaslServerAuthenticator: with connections.max.reauth.ms set, the session
      // lasts that long, or until the credential expires if that comes first.
      const now = Date.now();
      let lifetime = 0;
      if (this.s.reauthMs > 0) lifetime = Math.max(1, Math.min(this.s.reauthMs, this.server.expiresAtMs !== undefined ? this.server.expiresAtMs - now : Infinity));
      return { body: { errorCode: 0, errorMessage: null, authBytes: r.response, sessionLifetimeMs: BigInt(lifetime) }, principal: `User:${this.server.user}`, expiresAtMs: lifetime ? now + lifetime : undefined };
    } catch (e) {
      const message = e instanceof SaslAuthenticationFailed ? e.message : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`;
      return { body: { errorCode: code('SASL_AUTHENTICATION_FAILED'), errorMessage: message, authBytes: Buffer.alloc(0) }, close: message, failed: true };
    }
  }

  /** the user named in the exchange so far (for the failure log) */
  get user(): string { return this.server?.user ?? ''; }
}
