// How this broker reaches the others (its replica fetchers): over the listener named by
// inter.broker.listener.name (the first listener when unset), with that listener's
// security, as Kafka's broker-to-broker clients do. TLS presents this broker's own
// keystore and trusts its truststore (the same ssl.* settings, listener.name.<l>.
// prefixed first); ssl.endpoint.identification.algorithm=https (Kafka's default)
// checks the other broker's certificate names its host. SASL logs in with
// sasl.mechanism.inter.broker.protocol (PLAIN, SCRAM-SHA-256/512) and the
// username/password options of the listener's JAAS config for that mechanism
// (listener.name.<l>.<mechanism>.sasl.jaas.config: the broker's own login; for PLAIN
// beside the user_NAME entries it accepts; a SCRAM user must exist in the store).
import type tls from 'node:tls';
import { parseJaasValue } from '../security/jaas-value.ts';
import type { SecurityProtocol } from '../security/listeners.ts';
import { listenerGet, tlsSettings } from '../security/tls.ts';

export interface InterBrokerSecurity {
  /** the listener name whose registered endpoints are dialled */
  listenerName: string;
  protocol: SecurityProtocol;
  /** TLS client options, read when a connection opens (rotated files are picked up) */
  tls?: () => tls.ConnectionOptions;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
}

export class InterBrokerConfigError extends Error {}

export const PLAINTEXT_INTER_BROKER: InterBrokerSecurity = { listenerName: 'PLAINTEXT', protocol: 'PLAINTEXT' };

export function interBrokerSecurity(get: (name: string) => string | null, listener: { name: string; protocol: SecurityProtocol }): InterBrokerSecurity {
  const out: InterBrokerSecurity = { listenerName: listener.name, protocol: listener.protocol };
  const lget = listenerGet(get, listener.name);
  if (listener.protocol === 'SSL' || listener.protocol === 'SASL_SSL') {
    const settings = tlsSettings(lget, listener.name);
    const algorithm = (lget('ssl.endpoint.identification.algorithm') ?? 'https').trim().toLowerCase();
    if (algorithm !== '' && algorithm !== 'https') throw new InterBrokerConfigError(`ssl.endpoint.identification.algorithm=${algorithm} is not supported: use https (check the host name) or an empty value (do not)`);
    out.tls = () => {
      const o = settings.options();
      return { cert: o.cert, key: o.key, passphrase: o.passphrase, ca: o.ca, rejectUnauthorized: true, ...(algorithm === '' ? { checkServerIdentity: () => undefined } : {}) };
    };
  }
  if (listener.protocol === 'SASL_PLAINTEXT' || listener.protocol === 'SASL_SSL') {
    const mechanism = (get('sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI').trim().toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') throw new InterBrokerConfigError(`sasl.mechanism.inter.broker.protocol=${mechanism} is not supported for inter-broker connections over ${listener.name}: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`);
    const l = listener.name.toLowerCase();
    const name = `listener.name.${l}.${mechanism.toLowerCase()}.sasl.jaas.config`;
    const value = get(name) ?? get(`listener.name.${l}.sasl.jaas.config`) ?? get('sasl.jaas.config');
    const options = value ? parseJaasValue(name, value).options : new Map<string, string>();
    const username = options.get('username'); const password = options.get('password');
    if (!username || !password) throw new InterBrokerConfigError(`inter.broker.listener.name=${listener.name} uses SASL ${mechanism}: set username="..." password="..." (this broker's own login) in ${name}`);
    out.sasl = { mechanism, username, password };
  }
  return out;
}
