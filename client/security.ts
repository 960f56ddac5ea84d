// Kafka's client security settings → the library's TLS and SASL options, so every
// component reaches a secured broker with the names its users already write:
//   security.protocol=SASL_SSL
//   sasl.mechanism=SCRAM-SHA-512
//   sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="pw";
//   ssl.truststore.location=/etc/kafka/ca.pem        (PEM; ssl.truststore.certificates inline)
//   ssl.keystore.location=/etc/kafka/client.pem      (PEM key + chain, for mTLS; or .certificate.chain + .key)
// librdkafka's names (sasl.username, sasl.password, ssl.ca.location, ssl.certificate.location,
// ssl.key.location) are read too.
import fs from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { parseJaasConfig } from './jaas.ts';

export type SecurityProps = Record<string, string | undefined>;

export class ClientSecurityError extends Error {}

export interface ClientSecurity {
  tls?: TlsOptions;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

function read(setting: string, file: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new ClientSecurityError(`cannot read ${setting}=${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The library options for Kafka-named client security settings (`prefix` e.g. "kafkastore." for the registry). */
export function clientSecurity(props: SecurityProps, prefix = ''): ClientSecurity {
  const get = (n: string) => props[prefix + n] ?? undefined;
  const protocol = (get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) throw new ClientSecurityError(`${prefix}security.protocol=${protocol} is not one of ${PROTOCOLS.join(', ')}`);
  const out: ClientSecurity = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    const tls: TlsOptions = {};
    const trust = get('ssl.truststore.location') ?? get('ssl.ca.location');
    if (trust) tls.ca = read(`${prefix}ssl.truststore.location`, trust);
    else if (get('ssl.truststore.certificates')) tls.ca = get('ssl.truststore.certificates');
    const ks = get('ssl.keystore.location');
    if (ks) {
      const pem = read(`${prefix}ssl.keystore.location`, ks);
      tls.cert = pem; tls.key = pem;
    } else if (get('ssl.keystore.certificate.chain') && get('ssl.keystore.key')) {
      tls.cert = get('ssl.keystore.certificate.chain'); tls.key = get('ssl.keystore.key');
    } else if (get('ssl.certificate.location') && get('ssl.key.location')) {
      tls.cert = read(`${prefix}ssl.certificate.location`, get('ssl.certificate.location')!); tls.key = read(`${prefix}ssl.key.location`, get('ssl.key.location')!);
    }
    if (get('ssl.key.password')) tls.passphrase = get('ssl.key.password');
    // ssl.endpoint.identification.algorithm= (empty) switches host name checks off, as in Kafka.
    if (get('ssl.endpoint.identification.algorithm') === '') tls.checkServerIdentity = () => undefined;
    out.tls = tls;
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = (get('sasl.mechanism') ?? get('sasl.mechanisms') ?? 'GSSAPI').toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
      throw new ClientSecurityError(`${prefix}sasl.mechanism=${mechanism} is not supported by the platform's client: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
    }
    let username = get('sasl.username'); let password = get('sasl.password');
    const jaas = get('sasl.jaas.config');
    if (jaas) {
      let options: Record<string, string> | undefined;
      try { options = parseJaasConfig(`Client { ${jaas.trim().replace(/;?$/, ';')} };`).get('Client')?.[0]?.options; } catch (e) {
        throw new ClientSecurityError(`${prefix}sasl.jaas.config: ${(e as Error).message}`);
      }
      username = options?.username ?? username; password = options?.password ?? password;
    }
    if (!username || password === undefined) throw new ClientSecurityError(`${protocol} needs credentials: set ${prefix}sasl.jaas.config (username="…" password="…") or ${prefix}sasl.username and ${prefix}sasl.password`);
    out.sasl = { mechanism, username, password };
  }
  return out;
}
