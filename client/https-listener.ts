// The HTTP listener of the registry, Connect's REST API and the UI, by the names
// Confluent's registry and Kafka Connect use:
//   listeners=https://0.0.0.0:8081
//   ssl.keystore.type=PEM
//   ssl.keystore.location=/etc/tributary/registry.pem     (PEM: private key + certificate chain)
//   (or ssl.keystore.certificate.chain + ssl.keystore.key inline; ssl.key.password for an encrypted key)
//   ssl.client.auth=required + ssl.truststore.location=ca.pem       client certificates (Kafka Connect's
//   name; the registry's ssl.client.authentication=NONE|REQUESTED|REQUIRED and older ssl.client.auth=true too)
// Kafka Connect's `listeners.https.ssl.*` names win over the plain `ssl.*` ones, so a
// worker can serve HTTPS with one certificate and reach the broker with another.
// Here (beside jaas.ts) because three components share it and none may import another.
import fs from 'node:fs';
import type { Server as TlsServer } from 'node:tls';

export interface HttpListener {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** https: the server's key and certificate chain (PEM) */
  tls?: { key: string; cert: string; passphrase?: string; ca?: string; requestCert?: boolean; rejectUnauthorized?: boolean };
  /** https from ssl.keystore.location: the file watched for a new certificate */
  keystoreFile?: string;
}

/** A listener setting that cannot be used: the component does not start (exit 2). */
export class HttpListenerError extends Error { readonly exitCode = 2; }

function readPem(setting: string, file: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new HttpListenerError(`cannot read ${setting}=${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The listener from `listeners` (one http:// or https:// URL), else http on `fallback`
 * (the --*-port / --host flags). `what` names the component in errors.
 */
export function httpListener(props: Record<string, string | undefined>, fallback: { host: string; port: number }, what: string): HttpListener {
  const raw = (props.listeners ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!raw.length) return { scheme: 'http', ...fallback };
  if (raw.length > 1) throw new HttpListenerError(`${what}: listeners=${props.listeners}: Tributary serves one listener per component; give one http:// or https:// URL`);
  const m = raw[0].match(/^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/i);
  if (!m) throw new HttpListenerError(`${what}: listeners=${raw[0]} is not http://HOST:PORT or https://HOST:PORT`);
  const scheme = m[1].toLowerCase() as 'http' | 'https';
  const host = m[2].replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(m[3]);
  if (port > 65535) throw new HttpListenerError(`${what}: listeners=${raw[0]}: port out of range`);
  if (scheme === 'http') return { scheme, host, port };
  const get = (n: string) => props[`listeners.https.${n}`] ?? props[n];
  const type = (get('ssl.keystore.type') ?? 'PEM').toUpperCase();
  if (type !== 'PEM') throw new HttpListenerError(`${what}: ssl.keystore.type=${type} is not supported: use PEM (KIP-651) with ssl.keystore.location`);
  let key: string | undefined; let cert: string | undefined;
  const loc = get('ssl.keystore.location');
  if (loc) { key = cert = readPem('ssl.keystore.location', loc); }
  else if (get('ssl.keystore.certificate.chain') && get('ssl.keystore.key')) { cert = get('ssl.keystore.certificate.chain'); key = get('ssl.keystore.key'); }
  if (!key || !cert) throw new HttpListenerError(`${what}: listeners=${raw[0]} needs ssl.keystore.location (a PEM file with the key and certificate chain) or ssl.keystore.certificate.chain and ssl.keystore.key`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new HttpListenerError(`${what}: ssl.keystore.location${loc ? `=${loc}` : ''} holds no PEM private key`);
  if (!/-----BEGIN CERTIFICATE-----/.test(cert)) throw new HttpListenerError(`${what}: ssl.keystore.location${loc ? `=${loc}` : ''} holds no PEM certificate`);
  const passphrase = get('ssl.key.password');
  const clientAuthRaw = get('ssl.client.authentication') ?? get('ssl.client.auth') ?? 'none';
  const clientAuth = ({ true: 'required', false: 'none' } as Record<string, string>)[clientAuthRaw.toLowerCase()] ?? clientAuthRaw.toLowerCase();
  if (!['none', 'requested', 'required'].includes(clientAuth)) throw new HttpListenerError(`${what}: ssl.client.auth=${clientAuthRaw} is not one of none, requested, required`);
  let ca: string | undefined;
  if (clientAuth !== 'none') {
    const trust = get('ssl.truststore.location');
    ca = trust ? readPem('ssl.truststore.location', trust) : get('ssl.truststore.certificates');
    if (!ca) throw new HttpListenerError(`${what}: ssl.client.auth=${clientAuth} needs ssl.truststore.location (PEM CA certificates the client certificates are checked against)`);
  }
  const tls = { key, cert, ...(passphrase ? { passphrase } : {}), ...(ca ? { ca, requestCert: true, rejectUnauthorized: clientAuth === 'required' } : {}) };
  return { scheme, host, port, tls, ...(loc ? { keystoreFile: loc } : {}) };
}

interface ReloadLog { info(o: object, msg: string): void; error(o: object, msg: string): void }

/**
 * Serves a certificate replaced on disk (ssl.keystore.location) to new connections,
 * without a restart, as the broker does: the file is polled (a rename-into-place is
 * seen too); a file that does not load keeps the previous certificate and logs why.
 * Returns the function that stops watching.
 */
export function watchHttpsKeystore(server: unknown, l: HttpListener, log?: ReloadLog, intervalMs = 1000): () => void {
  const file = l.keystoreFile;
  if (!l.tls || !file) return () => undefined;
  const onChange = (cur: fs.Stats, prev: fs.Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    try {
      const pem = fs.readFileSync(file, 'utf8');
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error('no PEM private key and certificate in it (yet)');
      (server as TlsServer).setSecureContext({ key: pem, cert: pem, ...(l.tls!.passphrase ? { passphrase: l.tls!.passphrase } : {}), ...(l.tls!.ca ? { ca: l.tls!.ca } : {}) });
      log?.info({ file }, 'HTTPS certificate reloaded');
    } catch (e) {
      log?.error({ file, err: (e as Error).message }, 'HTTPS certificate changed but could not be loaded; still serving the previous one');
    }
  };
  fs.watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  return () => fs.unwatchFile(file, onChange);
}

/** The URL a client on this machine uses for a bound listener. */
export function listenerUrl(l: HttpListener, port: number): string {
  const h = l.host === '0.0.0.0' || l.host === '::' ? '127.0.0.1' : l.host;
  return `${l.scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
