// JWTs signed in the test with node:crypto, and the JWKS that verifies them.
import crypto from 'node:crypto';

export interface SigningKey { kid: string; alg: 'RS256' | 'ES256'; privateKey: crypto.KeyObject; jwk: crypto.JsonWebKey }

export function signingKey(kid: string, alg: 'RS256' | 'ES256'): SigningKey {
  const { privateKey, publicKey } = alg === 'RS256'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function jwks(keys: SigningKey[]): string {
  return JSON.stringify({ keys: keys.map((k) => k.jwk) });
}

/** A compact JWS of `claims` (exp defaults to an hour from now), signed by `key` under `kid` (default the key's own). */
export function signJwt(key: SigningKey, claims: Record<string, unknown>, kid = key.kid): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ iat: now, exp: now + 3600, ...claims })).toString('base64url');
  const input = Buffer.from(`${header}.${payload}`);
  const sig = key.alg === 'RS256'
    ? crypto.sign('sha256', input, key.privateKey)
    : crypto.sign('sha256', input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${sig.toString('base64url')}`;
}
