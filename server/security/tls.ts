// TLS material by Kafka's names with PEM (KIP-651): `ssl.keystore.type=PEM` with either
// `ssl.keystore.location` (one file: key and certificate chain) or inline
// `ssl.keystore.certificate.chain` + `ssl.keystore.key`; `ssl.truststore.location` or
// `ssl.truststore.certificates`; `ssl.client.auth`. Each may be given per listener as
// `listener.name.<name>.ssl.…`. Files are watched: a certificate rotated on disk is
// served to new connections without a restart.
import fs from 'node:fs';
import type tls from 'node:tls';
import type { Logger } from 'pino';

export type ClientAuth = 'none' | 'requested' | 'required';

export class TlsConfigError extends Error {}

/** Looks a setting up for one listener: `listener.name.<l>.<name>` first, then `<name>`. */
export type ListenerGet = (name: string) => string | null;

export function listenerGet(get: (name: string) => string | null, listener: string): ListenerGet {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  return (name) => get(prefix + name) ?? get(name);
}

export interface TlsSettings {
  options: () => tls.SecureContextOptions;
  clientAuth: ClientAuth;
  /** files to watch for rotation */
  files: string[];
}

function readPem(setting: string, file: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new TlsConfigError(`cannot read ${setting}=${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function pemBlocks(text: string, kind: RegExp): string {
  return (text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? []).filter((b) => kind.test(b.split('\n')[0])).join('\n');
}

export function tlsSettings(get: ListenerGet, listener: string): TlsSettings {
  const ks = (get('ssl.keystore.type') ?? 'PEM').toUpperCase();
  if (ks !== 'PEM') throw new TlsConfigError(`ssl.keystore.type=${ks} is not supported for listener ${listener}: use PEM (KIP-651) with ssl.keystore.location or ssl.keystore.certificate.chain and ssl.keystore.key`);
  const ts = (get('ssl.truststore.type') ?? 'PEM').toUpperCase();
  if (ts !== 'PEM') throw new TlsConfigError(`ssl.truststore.type=${ts} is not supported for listener ${listener}: use PEM`);
  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase() as ClientAuth;
  if (!['none', 'requested', 'required'].includes(clientAuth)) throw new TlsConfigError(`Invalid value ${clientAuth} for configuration ssl.client.auth: must be one of none | requested | required`);
  const location = get('ssl.keystore.location');
  const chain = get('ssl.keystore.certificate.chain');
  const inlineKey = get('ssl.keystore.key');
  const keyPassword = get('ssl.key.password') ?? undefined;
  const trustLocation = get('ssl.truststore.location');
  const trustInline = get('ssl.truststore.certificates');
  if (!location && !(chain && inlineKey)) {
    throw new TlsConfigError(`listener ${listener} uses TLS but has no key: set ssl.keystore.location (a PEM file with the private key and certificate chain) or ssl.keystore.certificate.chain and ssl.keystore.key`);
  }
  const files = [location, trustLocation].filter((f): f is string => !!f);
  const options = (): tls.SecureContextOptions => {
    let cert: string; let key: string;
    if (location) {
      const pem = readPem('ssl.keystore.location', location);
      cert = pemBlocks(pem, /CERTIFICATE/);
      key = pemBlocks(pem, /PRIVATE KEY/);
      if (!cert || !key) throw new TlsConfigError(`ssl.keystore.location=${location} must hold a PEM private key and certificate chain`);
    } else { cert = chain!; key = inlineKey!; }
    const ca = trustLocation ? readPem('ssl.truststore.location', trustLocation) : trustInline ?? undefined;
    return { cert, key, passphrase: keyPassword, ca };
  };
  return { options, clientAuth, files };
}

/** Calls `reload` when any of `files` changes (stat polling survives atomic replace by rename). */
export function watchFiles(files: string[], reload: () => void, logger: Logger, intervalMs = 1000): () => void {
  const listeners = files.map((file) => {
    const l = (cur: fs.Stats, prev: fs.Stats) => {
      if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
      try { reload(); logger.info({ file }, 'TLS material reloaded'); } catch (e) { logger.error({ file, err: (e as Error).message }, 'TLS material changed but could not be loaded; still serving the previous certificate'); }
    };
    fs.watchFile(file, { interval: intervalMs, persistent: false }, l);
    return () => fs.unwatchFile(file, l);
  });
  return () => { for (const u of listeners) u(); };
}
