// StreamsConfig: Kafka Streams' config names, defaults and validation. A name we
// do not implement is warned about and ignored, as Kafka does with unknown configs.
import os from 'node:os';
import path from 'node:path';
import { Serdes, type Serde } from './serdes.ts';
import { LogAndContinueExceptionHandler, LogAndFailExceptionHandler, type DeserializationExceptionHandler } from './runtime/task.ts';

export type ProductionExceptionHandler = (record: { topic: string; key: Buffer | null; value: Buffer | null }, error: Error) => 'CONTINUE' | 'FAIL';

export interface StreamsConfigInput {
  'application.id'?: string;
  'bootstrap.servers'?: string | string[];
  'processing.guarantee'?: 'at_least_once' | 'exactly_once_v2' | 'exactly_once' | 'exactly_once_beta';
  'num.standby.replicas'?: number;
  'num.stream.threads'?: number;
  'state.dir'?: string;
  'commit.interval.ms'?: number;
  'default.key.serde'?: Serde<any> | string;
  'default.value.serde'?: Serde<any> | string;
  'default.deserialization.exception.handler'?: DeserializationExceptionHandler | 'LogAndContinueExceptionHandler' | 'LogAndFailExceptionHandler';
  'default.production.exception.handler'?: ProductionExceptionHandler | 'DefaultProductionExceptionHandler' | { deadLetterQueueTopic: string };
  'errors.deadletterqueue.topic.name'?: string;
  'replication.factor'?: number;
  'client.id'?: string;
  'application.server'?: string;
  'session.timeout.ms'?: number;
  'heartbeat.interval.ms'?: number;
  'transaction.timeout.ms'?: number;
  'statestore.cache.max.bytes'?: number;
  'cache.max.bytes.buffering'?: number;
  'auto.offset.reset'?: 'earliest' | 'latest';
  [k: string]: unknown;
}

const KNOWN = new Set(['application.id', 'bootstrap.servers', 'processing.guarantee', 'num.standby.replicas', 'num.stream.threads', 'state.dir', 'commit.interval.ms', 'default.key.serde', 'default.value.serde',
  'default.deserialization.exception.handler', 'default.production.exception.handler', 'errors.deadletterqueue.topic.name', 'replication.factor', 'client.id', 'application.server', 'session.timeout.ms',
  'heartbeat.interval.ms', 'transaction.timeout.ms', 'statestore.cache.max.bytes', 'cache.max.bytes.buffering', 'auto.offset.reset', 'topology.optimization', 'metrics.recording.level', 'max.task.idle.ms', 'poll.ms', 'restore.batch.size']);

export class ConfigException extends Error {
  constructor(name: string, value: unknown, why: string) { super(`Invalid value ${JSON.stringify(value)} for configuration ${name}: ${why}`); this.name = 'ConfigException'; }
}

export interface StreamsConfig {
  applicationId: string;
  bootstrapServers: string[];
  eos: boolean;
  standbyReplicas: number;
  stateDir: string;
  commitIntervalMs: number;
  defaultKeySerde: Serde<any>;
  defaultValueSerde: Serde<any>;
  deserializationHandler: DeserializationExceptionHandler;
  productionHandler: ProductionExceptionHandler;
  dlqTopic?: string;
  replicationFactor: number;
  clientId: string;
  applicationServer?: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  transactionTimeoutMs: number;
  autoOffsetReset: 'earliest' | 'latest';
  /** the record cache's budget for the instance (statestore.cache.max.bytes); 0 turns caching off */
  cacheMaxBytes: number;
  raw: StreamsConfigInput;
}

function serdeOf(name: string, v: unknown): Serde<any> {
  if (v === undefined) return Serdes.String();
  if (typeof v === 'string') {
    const short = v.replace(/^.*[.$]/, '').replace(/Serde$/, '');
    const f = (Serdes as Record<string, unknown>)[short];
    if (typeof f !== 'function' || short === 'serdeFrom') throw new ConfigException(name, v, `unknown serde; use Serdes.String(), Serdes.Long(), … or one of ${Object.keys(Serdes).filter((k) => k !== 'serdeFrom').join(', ')}`);
    return (f as () => Serde<any>)();
  }
  if (v && typeof (v as Serde<any>).serializer === 'function' && typeof (v as Serde<any>).deserializer === 'function') return v as Serde<any>;
  throw new ConfigException(name, v, 'not a Serde');
}

export function streamsConfig(input: StreamsConfigInput, opts: { needsBroker: boolean; warn?: (m: string) => void }): StreamsConfig {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  for (const k of Object.keys(input)) if (!KNOWN.has(k) && !k.startsWith('consumer.') && !k.startsWith('producer.')) warn(`The configuration '${k}' was supplied but isn't a known config.`);
  const appId = input['application.id'];
  if (opts.needsBroker && (typeof appId !== 'string' || !appId)) throw new ConfigException('application.id', appId, 'Missing required configuration "application.id" which has no default value.');
  if (appId !== undefined && !/^[a-zA-Z0-9._-]+$/.test(appId)) throw new ConfigException('application.id', appId, 'may only contain ASCII alphanumerics, ".", "_" and "-"');
  const bs = input['bootstrap.servers'];
  const servers = Array.isArray(bs) ? bs : typeof bs === 'string' ? bs.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (opts.needsBroker && !servers.length) throw new ConfigException('bootstrap.servers', bs, 'Missing required configuration "bootstrap.servers" which has no default value.');
  const pg = input['processing.guarantee'] ?? 'at_least_once';
  if (!['at_least_once', 'exactly_once_v2', 'exactly_once', 'exactly_once_beta'].includes(pg)) throw new ConfigException('processing.guarantee', pg, 'String must be one of: at_least_once, exactly_once_v2');
  const eos = pg !== 'at_least_once';
  const int = (name: string, def: number, min = 0): number => {
    const v = input[name];
    if (v === undefined) return def;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new ConfigException(name, v, `must be an integer >= ${min}`);
    return n;
  };
  const threads = int('num.stream.threads', 1, 1);
  if (threads > 1) warn('num.stream.threads > 1: this runtime processes on one thread per instance (Node is single-threaded); run more instances instead.');
  const dh = input['default.deserialization.exception.handler'];
  const deserializationHandler = typeof dh === 'function' ? dh : dh === 'LogAndContinueExceptionHandler' ? LogAndContinueExceptionHandler : LogAndFailExceptionHandler;
  const ph = input['default.production.exception.handler'];
  const dlq = input['errors.deadletterqueue.topic.name'] ?? (ph && typeof ph === 'object' ? ph.deadLetterQueueTopic : undefined);
  const productionHandler: ProductionExceptionHandler = typeof ph === 'function' ? ph : () => (dlq ? 'CONTINUE' : 'FAIL');
  const reset = input['auto.offset.reset'] ?? 'earliest';
  if (reset !== 'earliest' && reset !== 'latest') throw new ConfigException('auto.offset.reset', reset, 'must be earliest or latest');
  return {
    applicationId: appId ?? 'test',
    bootstrapServers: servers,
    eos,
    standbyReplicas: int('num.standby.replicas', 0),
    stateDir: (input['state.dir'] as string | undefined) ?? path.join(os.tmpdir(), 'kafka-streams'),
    commitIntervalMs: int('commit.interval.ms', eos ? 100 : 30000),
    defaultKeySerde: serdeOf('default.key.serde', input['default.key.serde']),
    defaultValueSerde: serdeOf('default.value.serde', input['default.value.serde']),
    deserializationHandler,
    productionHandler,
    dlqTopic: dlq as string | undefined,
    replicationFactor: int('replication.factor', 1, 1),
    clientId: (input['client.id'] as string | undefined) ?? `${appId ?? 'test'}-${process.pid}`,
    applicationServer: input['application.server'] as string | undefined,
    sessionTimeoutMs: int('session.timeout.ms', 10000, 1),
    heartbeatIntervalMs: int('heartbeat.interval.ms', 1000, 1),
    transactionTimeoutMs: int('transaction.timeout.ms', 10000, 1),
    autoOffsetReset: reset,
    // Kafka 3.4 renamed cache.max.bytes.buffering to statestore.cache.max.bytes; the new name wins
    cacheMaxBytes: input['statestore.cache.max.bytes'] !== undefined ? int('statestore.cache.max.bytes', 10 * 1024 * 1024) : int('cache.max.bytes.buffering', 10 * 1024 * 1024),
    raw: input,
  };
}

/** Kafka's StreamsConfig constant names, for props objects written the Java way. */
export const StreamsConfig_ = {
  APPLICATION_ID_CONFIG: 'application.id', BOOTSTRAP_SERVERS_CONFIG: 'bootstrap.servers', PROCESSING_GUARANTEE_CONFIG: 'processing.guarantee',
  AT_LEAST_ONCE: 'at_least_once', EXACTLY_ONCE_V2: 'exactly_once_v2', NUM_STANDBY_REPLICAS_CONFIG: 'num.standby.replicas', STATE_DIR_CONFIG: 'state.dir',
  COMMIT_INTERVAL_MS_CONFIG: 'commit.interval.ms', DEFAULT_KEY_SERDE_CLASS_CONFIG: 'default.key.serde', DEFAULT_VALUE_SERDE_CLASS_CONFIG: 'default.value.serde',
  DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG: 'default.deserialization.exception.handler', DEFAULT_PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG: 'default.production.exception.handler',
  APPLICATION_SERVER_CONFIG: 'application.server', REPLICATION_FACTOR_CONFIG: 'replication.factor', CLIENT_ID_CONFIG: 'client.id',
} as const;
