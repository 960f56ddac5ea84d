// Listeners as Kafka names them: `listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093`,
// `advertised.listeners`, `listener.security.protocol.map`, `inter.broker.listener.name`.

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const PROTOCOLS: SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ListenerSpec {
  /** upper case, as Kafka normalises listener names */
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
}

export interface Endpoint { host: string; port: number }

/** A bad listener setting; the broker refuses to start with it (ConfigError is thrown by the caller). */
export class ListenerConfigError extends Error {}

function parseEndpoints(setting: string, value: string): { name: string; host: string; port: number }[] {
  const out: { name: string; host: string; port: number }[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    // NAME://host:port, NAME://[::1]:port, NAME://:port (all interfaces, as Kafka)
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(raw);
    if (!m || Number(m[3]) > 65535) throw new ListenerConfigError(`Invalid value ${JSON.stringify(raw)} in ${setting}: expected NAME://HOST:PORT (for example PLAINTEXT://127.0.0.1:9092)`);
    const name = m[1].toUpperCase();
    if (out.some((e) => e.name === name)) throw new ListenerConfigError(`${setting} names the listener ${name} twice: each listener name must be unique`);
    out.push({ name, host: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3]) });
  }
  return out;
}

/** `listener.security.protocol.map`: listener name → security protocol (default: each protocol maps to itself). */
export function parseProtocolMap(value: string | null): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>(PROTOCOLS.map((p) => [p, p]));
  if (!value) return map;
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, proto] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !PROTOCOLS.includes(proto as SecurityProtocol)) {
      throw new ListenerConfigError(`Invalid value ${JSON.stringify(pair)} in listener.security.protocol.map: expected NAME:PROTOCOL with PROTOCOL one of ${PROTOCOLS.join(', ')}`);
    }
    map.set(name, proto as SecurityProtocol);
  }
  return map;
}

export interface ListenerConfig {
  listeners: ListenerSpec[];
  /** what Metadata answers per listener name; a listener not advertised is advertised as bound */
  advertised: Map<string, Endpoint>;
  interBrokerListener: string;
}

/**
 * Reads the listener settings. Without `listeners` there is one PLAINTEXT listener on
 * host:port (the --host/--kafka-port flags); with it, the flags (when given) replace the
 * first listener's host and port.
 */
export function listenerConfig(get: (name: string) => string | null, flags: { host?: string; port?: number }): ListenerConfig {
  const map = parseProtocolMap(get('listener.security.protocol.map'));
  const value = get('listeners');
  const eps = value ? parseEndpoints('listeners', value) : [{ name: 'PLAINTEXT', host: flags.host ?? '127.0.0.1', port: flags.port ?? 9092 }];
  if (!eps.length) throw new ListenerConfigError('listeners is empty: name at least one listener, for example PLAINTEXT://127.0.0.1:9092');
  if (value) {
    if (flags.host !== undefined) eps[0].host = flags.host;
    if (flags.port !== undefined) eps[0].port = flags.port;
  }
  const listeners = eps.map((e) => {
    const protocol = map.get(e.name);
    if (!protocol) throw new ListenerConfigError(`No security protocol defined for listener ${e.name}: add ${e.name}:PROTOCOL to listener.security.protocol.map`);
    return { ...e, protocol };
  });
  const advertised = new Map<string, Endpoint>();
  const adv = get('advertised.listeners');
  if (adv) {
    for (const e of parseEndpoints('advertised.listeners', adv)) {
      if (!listeners.some((l) => l.name === e.name)) throw new ListenerConfigError(`advertised.listeners names ${e.name}, which is not in listeners`);
      advertised.set(e.name, { host: e.host, port: e.port });
    }
  }
  const inter = (get('inter.broker.listener.name') ?? listeners[0].name).toUpperCase();
  if (!listeners.some((l) => l.name === inter)) throw new ListenerConfigError(`inter.broker.listener.name=${inter} is not one of the listeners (${listeners.map((l) => l.name).join(', ')})`);
  return { listeners, advertised, interBrokerListener: inter };
}

/** A wildcard bind address is advertised as loopback (a client cannot connect to 0.0.0.0). */
export function advertisableHost(host: string): string {
  return host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

