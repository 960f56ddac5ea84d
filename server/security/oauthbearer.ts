// SASL/OAUTHBEARER (RFC 7628, KIP-255) with the token checked as Kafka's
// OAuthBearerValidatorCallbackHandler checks it (KIP-768): a JWT signed with a key of
// a JWKS (sasl.oauthbearer.jwks.endpoint.url, file:// or http(s)://), RS256/384/512 or
// ES256/384/512 through node:crypto, `exp` in the future, `aud` holding one of
// sasl.oauthbearer.expected.audience and `iss` equal to sasl.oauthbearer.expected.issuer
// when they are set; the principal is the claim sasl.oauthbearer.sub.claim.name (sub).
// Kafka's default unsecured-JWS validator is not offered: a broker enabling OAUTHBEARER
// must name a JWKS.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { SaslAuthenticationFailed } from './scram.ts';

export interface OAuthBearerSettings {
  jwksUrl: string;
  audience: string[];
  issuer: string | null;
  subClaim: string;
  clockSkewMs: number;
  refreshMs: number;
  /** shortest wait between two JWKS reloads caused by an unknown key id */
  retryBackoffMs: number;
}

/** Reads the OAUTHBEARER settings (`listener.name.<l>.oauthbearer.` prefixed first, then the broker-wide names). */
export function oauthBearerSettings(get: (name: string) => string | null, listener: string): OAuthBearerSettings {
  const l = listener.toLowerCase();
  const v = (n: string) => get(`listener.name.${l}.oauthbearer.${n}`) ?? get(`listener.name.${l}.${n}`) ?? get(n);
  const jwksUrl = v('sasl.oauthbearer.jwks.endpoint.url');
  if (!jwksUrl) throw new Error(`listener ${listener} enables OAUTHBEARER but has no key set: set sasl.oauthbearer.jwks.endpoint.url (file:///path/jwks.json or https://issuer/.well-known/jwks.json); Kafka's unsecured JWS validator is not supported`);
  if (!/^(file|https?):/.test(jwksUrl)) throw new Error(`sasl.oauthbearer.jwks.endpoint.url must be a file://, http:// or https:// URL, got ${jwksUrl}`);
  const num = (n: string, d: number) => { const s = v(n); const x = s == null ? d : Number(s); if (!Number.isFinite(x) || x < 0) throw new Error(`${n} must be a non-negative number, got ${s}`); return x; };
  return {
    jwksUrl,
    audience: (v('sasl.oauthbearer.expected.audience') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    issuer: v('sasl.oauthbearer.expected.issuer') || null,
    subClaim: v('sasl.oauthbearer.sub.claim.name') || 'sub',
    clockSkewMs: num('sasl.oauthbearer.clock.skew.seconds', 30) * 1000,
    refreshMs: num('sasl.oauthbearer.jwks.endpoint.refresh.ms', 3_600_000),
    retryBackoffMs: num('sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', 100),
  };
}

interface Jwk { kid?: string; kty?: string; alg?: string; use?: string; [k: string]: unknown }

/** The keys of a JWKS, loaded at start, reloaded every refresh.ms and when a token names an unknown key id. */
export class JwksCache {
  private keys: { kid?: string; kty: string; alg?: string; key: crypto.KeyObject }[] = [];
  private timer?: NodeJS.Timeout;
  private lastLoad = 0;
  private loading?: Promise<void>;

  constructor(private readonly s: OAuthBearerSettings, private readonly logger?: Logger) {}

  async start(): Promise<void> {
    await this.load();
    if (this.s.refreshMs > 0) { this.timer = setInterval(() => void this.load().catch(() => undefined), this.s.refreshMs); this.timer.unref(); }
  }

  stop(): void { if (this.timer) clearInterval(this.timer); }

  load(): Promise<void> {
    if (this.loading) return this.loading;
    this.lastLoad = Date.now();
    this.loading = this.read().then((jwks) => {
      const keys: typeof this.keys = [];
      for (const jwk of jwks.keys ?? []) {
        if (jwk.use && jwk.use !== 'sig') continue;
        try { keys.push({ kid: jwk.kid, kty: String(jwk.kty), alg: jwk.alg, key: crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' }) }); } catch (e) {
          this.logger?.warn({ kid: jwk.kid, err: (e as Error).message }, 'JWKS key skipped');
        }
      }
      if (!keys.length) throw new Error(`no usable signing key in ${this.s.jwksUrl}`);
      this.keys = keys;
    }).catch((e) => {
      this.logger?.error({ url: this.s.jwksUrl, err: (e as Error).message }, 'JWKS could not be loaded');
      throw e;
    }).finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async read(): Promise<{ keys?: Jwk[] }> {
    const u = this.s.jwksUrl;
    if (u.startsWith('file:')) return JSON.parse(fs.readFileSync(fileURLToPath(u), 'utf8'));
    const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET ${u}: HTTP ${res.status}`);
    return await res.json() as { keys?: Jwk[] };
  }

  /** Keys that may have signed a token with this header. An unknown key id starts a reload (for the client's next try). */
  candidates(kid: string | undefined, kty: string): crypto.KeyObject[] {
    const found = this.keys.filter((k) => k.kty === kty && (kid === undefined || k.kid === kid)).map((k) => k.key);
    if (!found.length && kid !== undefined && Date.now() - this.lastLoad >= this.s.retryBackoffMs) void this.load().catch(() => undefined);
    return found;
  }
}

const ALGS: Record<string, { hash: string; kty: string; ecBytes?: number }> = {
  RS256: { hash: 'sha256', kty: 'RSA' }, RS384: { hash: 'sha384', kty: 'RSA' }, RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', ecBytes: 64 }, ES384: { hash: 'sha384', kty: 'EC', ecBytes: 96 }, ES512: { hash: 'sha512', kty: 'EC', ecBytes: 132 },
};

const b64json = (s: string, what: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* below */ }
  throw new SaslAuthenticationFailed(`invalid_token: the JWT ${what} is not a base64url JSON object`);
};

/** Checks a compact JWS; returns the principal name and when the token expires (ms since the epoch). */
export function validateJwt(token: string, s: OAuthBearerSettings, jwks: JwksCache, now = Date.now()): { principal: string; expiresAtMs: number } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new SaslAuthenticationFailed('invalid_token: not a signed JWT (header.payload.signature)');
  const header = b64json(parts[0], 'header');
  const alg = ALGS[String(header.alg)];
  if (!alg) throw new SaslAuthenticationFailed(`invalid_token: signature algorithm ${String(header.alg)} is not accepted (RS256/384/512, ES256/384/512)`);
  const kid = header.kid === undefined ? undefined : String(header.kid);
  const keys = jwks.candidates(kid, alg.kty);
  if (!keys.length) throw new SaslAuthenticationFailed(`invalid_token: no key${kid ? ` with kid ${kid}` : ''} in the JWKS`);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2], 'base64url');
  if (alg.ecBytes && sig.length !== alg.ecBytes) throw new SaslAuthenticationFailed('invalid_token: signature does not verify');
  const ok = keys.some((key) => {
    try { return crypto.verify(alg.hash, signed, alg.ecBytes ? { key, dsaEncoding: 'ieee-p1363' } : key, sig); } catch { return false; }
  });
  if (!ok) throw new SaslAuthenticationFailed('invalid_token: signature does not verify');
  const claims = b64json(parts[1], 'payload');
  if (typeof claims.exp !== 'number') throw new SaslAuthenticationFailed('invalid_token: no exp claim');
  const expiresAtMs = claims.exp * 1000;
  if (expiresAtMs + s.clockSkewMs <= now) throw new SaslAuthenticationFailed('invalid_token: the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 - s.clockSkewMs > now) throw new SaslAuthenticationFailed('invalid_token: the token is not valid yet (nbf)');
  if (s.audience.length) {
    const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : claims.aud === undefined ? [] : [String(claims.aud)];
    if (!aud.some((a) => s.audience.includes(a))) throw new SaslAuthenticationFailed(`invalid_token: audience ${JSON.stringify(claims.aud ?? null)} is not one of the expected ${s.audience.join(', ')}`);
  }
  if (s.issuer !== null && claims.iss !== s.issuer) throw new SaslAuthenticationFailed(`invalid_token: issuer ${JSON.stringify(claims.iss ?? null)} is not the expected ${s.issuer}`);
  const sub = claims[s.subClaim];
  if (typeof sub !== 'string' || !sub) throw new SaslAuthenticationFailed(`invalid_token: no ${s.subClaim} claim`);
  return { principal: sub, expiresAtMs };
}

/** The server side of one OAUTHBEARER exchange: the client's initial response `n,[a=authzid],^Aauth=Bearer <jwt>^A[k=v^A]*^A`. */
export class OAuthBearerServer {
  user = '';
  expiresAtMs?: number;
  constructor(private readonly s: OAuthBearerSettings, private readonly jwks: JwksCache) {}

  evaluate(token: Buffer): { response: Buffer; complete: boolean } {
    const text = token.toString('utf8');
    const m = /^([ny]|p=[^,]*),(a=[^,\u0001]*)?,\u0001((?:[A-Za-z]+=[^\u0001]*\u0001)*)\u0001$/.exec(text);
    if (!m) throw new SaslAuthenticationFailed('Invalid OAUTHBEARER client first message');
    let bearer: string | undefined;
    for (const kv of m[3].split('\u0001')) {
      const i = kv.indexOf('=');
      if (i > 0 && kv.slice(0, i) === 'auth') {
        const am = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(kv.slice(i + 1));
        if (!am) throw new SaslAuthenticationFailed('Invalid OAUTHBEARER client first message: auth is not "Bearer <token>"');
        bearer = am[1];
      }
    }
    if (!bearer) throw new SaslAuthenticationFailed('Invalid OAUTHBEARER client first message: no auth=Bearer token');
    const { principal, expiresAtMs } = validateJwt(bearer, this.s, this.jwks);
    const authzid = m[2]?.slice(2);
    if (authzid && authzid !== principal) throw new SaslAuthenticationFailed(`Authentication failed: Client requested an authorization id (${authzid}) that is different from the token's principal name (${principal})`);
    this.user = principal;
    this.expiresAtMs = expiresAtMs;
    return { response: Buffer.alloc(0), complete: true };
  }
}
