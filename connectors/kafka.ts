// The runtime's Kafka clients all come from client/ (the platform's one client):
// this is where the worker's client settings are made (topics: KafkaAdmin.ensureTopic).
//
// Security settings by Kafka Connect's names: the worker's own clients (config, offset
// and status topics, admin) take the plain `security.protocol`, `sasl.*`, `ssl.*`; a
// task's producer takes `producer.*` then the connector's `producer.override.*`, its
// consumer `consumer.*` then `consumer.override.*`, its admin `admin.*` then
// `admin.override.*`. Tributary: a prefixed client starts from the worker's plain
// settings (Kafka Connect would start from nothing), so one set of settings serves all.
import type { Logger } from 'pino';
import type { ClientConfig, SecurityProps } from '../client/index.ts';

const SECURITY_KEY = /^(security\.protocol$|sasl\.|ssl\.)/;

/** The client security settings among `props` given under `prefix` (prefix stripped). */
export function securityProps(props: Record<string, string | undefined>, prefix = ''): SecurityProps {
  const out: SecurityProps = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || !k.startsWith(prefix)) continue;
    const name = k.slice(prefix.length);
    if (SECURITY_KEY.test(name)) out[name] = v;
  }
  return out;
}

/** A task client's security: the worker's plain settings, its `<kind>.` ones, then the connector's `<kind>.override.` ones. */
export function taskSecurity(workerRaw: Record<string, string>, connectorConfig: Record<string, string>, kind: 'producer' | 'consumer' | 'admin'): SecurityProps {
  return { ...securityProps(workerRaw), ...securityProps(workerRaw, `${kind}.`), ...securityProps(connectorConfig, `${kind}.override.`) };
}

/** The worker's client settings; `workerRaw` (the worker config) gives its security settings. */
export function connectClient(bootstrap: string | string[], clientId: string, logger?: Logger, workerRaw?: Record<string, string>): ClientConfig {
  const security = workerRaw ? securityProps(workerRaw) : {};
  return { bootstrap, clientId, logger, ...(Object.keys(security).length ? { security } : {}) };
}
