// Certificates for TLS tests, made with openssl: a CA, and certificates it signs
// (server: SAN localhost/127.0.0.1; client: a subject that becomes the principal).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Cert { key: string; cert: string; /** key + certificate in one PEM file (ssl.keystore.location) */ pem: string }
export interface Ca { key: string; cert: string; dir: string }

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

export function makeCa(dir: string, cn = 'Tributary Test CA'): Ca {
  const key = path.join(dir, 'ca.key'); const cert = path.join(dir, 'ca.crt');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`]);
  return { key, cert, dir };
}

/** A certificate signed by `ca` for `subject` (e.g. /C=US/O=Acme/CN=alice), written as NAME.key, NAME.crt, NAME.pem. */
export function makeCert(ca: Ca, name: string, subject: string, san = 'DNS:localhost,IP:127.0.0.1'): Cert {
  const d = ca.dir;
  const key = path.join(d, `${name}.key`); const csr = path.join(d, `${name}.csr`); const cert = path.join(d, `${name}.crt`); const pem = path.join(d, `${name}.pem`);
  const ext = path.join(d, `${name}.ext`);
  fs.writeFileSync(ext, `subjectAltName=${san}\n`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  fs.writeFileSync(pem, fs.readFileSync(key, 'utf8') + fs.readFileSync(cert, 'utf8'));
  return { key, cert, pem };
}
