// StreamsConfig: Kafka Streams' config names, defaults and validation. The plain keys
// are declared with the platform's one ConfigDef (common/config-def.ts); serdes and
// handlers (objects in TypeScript, class names in Kafka) are read beside it. A name we
// do not implement is warned about and ignored, as Kafka does with unknown configs.
import os from 'node:os';
import path from 'node:path';
import { CONNECT_WORDING, ConfigDef, ConfigException, Validators, type ConfigWording } from '../common/config-def.ts';
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

/** Kafka Streams' wording of a bad value: the value as JSON (a string in quotes) */
const WORDING: ConfigWording = { ...CONNECT_WORDING, invalid: (name, shown, reason) => `Invalid value ${JSON.stringify(shown)} for configuration ${name}: ${reason}` };
const atLeast = (min: number) => Validators.range(min, null, WORDING);
const GUARANTEES = ['at_least_once', 'exactly_once_v2', 'exactly_once', 'exactly_once_beta'];

/** The plain keys, with Kafka Streams' names and defaults (a default of null: worked out from the others, or none). */
export const STREAMS_CONFIG_DEF = new ConfigDef(WORDING)
  .define({ name: 'application.id', type: 'STRING', default: null, importance: 'HIGH', documentation: 'The application\'s id: its consumer group, the prefix of its internal topics and its state directory.',
    validator: (name, v) => (/^[a-zA-Z0-9._-]+$/.test(String(v)) ? undefined : WORDING.invalid(name, v, 'may only contain ASCII alphanumerics, ".", "_" and "-"')) })
  .define({ name: 'bootstrap.servers', type: 'LIST', default: [], importance: 'HIGH', documentation: 'host:port pairs of brokers to connect to first.' })
  .define({ name: 'processing.guarantee', type: 'STRING', default: 'at_least_once', importance: 'MEDIUM', documentation: 'at_least_once or exactly_once_v2 (exactly_once and exactly_once_beta are read as exactly_once_v2).',
    validator: (name, v) => (GUARANTEES.includes(String(v)) ? undefined : WORDING.invalid(name, v, 'String must be one of: at_least_once, exactly_once_v2')) })
  .define({ name: 'num.standby.replicas', type: 'INT', default: 0, validator: atLeast(0), documentation: 'Standby copies of each task\'s persistent stores on other instances.' })
  .define({ name: 'num.stream.threads', type: 'INT', default: 1, validator: atLeast(1), documentation: 'One thread per instance here (Node); more instances share the work instead.' })
  .define({ name: 'state.dir', type: 'STRING', default: path.join(os.tmpdir(), 'kafka-streams'), documentation: 'Where the state stores live.' })
  .define({ name: 'commit.interval.ms', type: 'LONG', default: null, validator: atLeast(0), documentation: 'How often to commit; default 30000, or 100 under exactly_once_v2.' })
  .define({ name: 'replication.factor', type: 'INT', default: 1, validator: atLeast(1), documentation: 'Replication factor of the internal topics.' })
  .define({ name: 'client.id', type: 'STRING', default: null, documentation: 'Client id prefix; default <application.id>-<pid>.' })
  .define({ name: 'application.server', type: 'STRING', default: null, documentation: 'host:port of this instance\'s query server, announced to the others.' })
  .define({ name: 'session.timeout.ms', type: 'INT', default: 10000, validator: atLeast(1), documentation: 'Group session timeout.' })
  .define({ name: 'heartbeat.interval.ms', type: 'INT', default: 1000, validator: atLeast(1), documentation: 'Group heartbeat interval.' })
  .define({ name: 'transaction.timeout.ms', type: 'INT', default: 10000, validator: atLeast(1), documentation: 'Transaction timeout under exactly_once_v2.' })
  .define({ name: 'statestore.cache.max.bytes', type: 'LONG', default: null, validator: atLeast(0), documentation: 'The record cache\'s budget for the instance; 0 turns caching off.' })
  .define({ name: 'cache.max.bytes.buffering', type: 'LONG', default: 10 * 1024 * 1024, validator: atLeast(0), documentation: 'The old name of statestore.cache.max.bytes (which wins).' })
  .define({ name: 'auto.offset.reset', type: 'STRING', default: 'earliest', validator: Validators.in(['earliest', 'latest'], WORDING), documentation: 'Where a partition without a committed offset starts.' });

const KNOWN = new Set([...STREAMS_CONFIG_DEF.keys.keys(), 'default.key.serde', 'default.value.serde', 'default.deserialization.exception.handler', 'default.production.exception.handler',
  'errors.deadletterqueue.topic.name', 'topology.optimization', 'metrics.recording.level', 'max.task.idle.ms', 'poll.ms', 'restore.batch.size']);

/** common/config-def's ConfigException naming the key, worded as Kafka Streams words it */
const bad = (name: string, value: unknown, why: string) => new ConfigException(name, WORDING.invalid(name, value, why));

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
    if (typeof f !== 'function' || short === 'serdeFrom') throw bad(name, v, `unknown serde; use Serdes.String(), Serdes.Long(), … or one of ${Object.keys(Serdes).filter((k) => k !== 'serdeFrom').join(', ')}`);
    return (f as () => Serde<any>)();
  }
  if (v && typeof (v as Serde<any>).serializer === 'function' && typeof (v as Serde<any>).deserializer === 'function') return v as Serde<any>;
  throw bad(name, v, 'not a Serde');
}

export function streamsConfig(input: StreamsConfigInput, opts: { needsBroker: boolean; warn?: (m: string) => void }): StreamsConfig {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  for (const k of Object.keys(input)) if (!KNOWN.has(k) && !k.startsWith('consumer.') && !k.startsWith('producer.')) warn(`The configuration '${k}' was supplied but isn't a known config.`);
  const c = STREAMS_CONFIG_DEF.parse(input);
  const appId = c['application.id'] as string | null;
  if (opts.needsBroker && !appId) throw bad('application.id', input['application.id'], 'Missing required configuration "application.id" which has no default value.');
  const servers = c['bootstrap.servers'];
  if (opts.needsBroker && !servers.length) throw bad('bootstrap.servers', input['bootstrap.servers'], 'Missing required configuration "bootstrap.servers" which has no default value.');
  const eos = c['processing.guarantee'] !== 'at_least_once';
  if (c['num.stream.threads'] > 1) warn('num.stream.threads > 1: this runtime processes on one thread per instance (Node is single-threaded); run more instances instead.');
  const dh = input['default.deserialization.exception.handler'];
  const deserializationHandler = typeof dh === 'function' ? dh : dh === 'LogAndContinueExceptionHandler' ? LogAndContinueExceptionHandler : LogAndFailExceptionHandler;
  const ph = input['default.production.exception.handler'];
  const dlq = input['errors.deadletterqueue.topic.name'] ?? (ph && typeof ph === 'object' ? ph.deadLetterQueueTopic : undefined);
  const productionHandler: ProductionExceptionHandler = typeof ph === 'function' ? ph : () => (dlq ? 'CONTINUE' : 'FAIL');
  return {
    applicationId: appId ?? 'test',
    bootstrapServers: servers,
    eos,
    standbyReplicas: c['num.standby.replicas'],
    stateDir: c['state.dir'],
    commitIntervalMs: (c['commit.interval.ms'] as number | null) ?? (eos ? 100 : 30000),
    defaultKeySerde: serdeOf('default.key.serde', input['default.key.serde']),
    defaultValueSerde: serdeOf('default.value.serde', input['default.value.serde']),
    deserializationHandler,
    productionHandler,
    dlqTopic: dlq as string | undefined,
    replicationFactor: c['replication.factor'],
    clientId: (c['client.id'] as string | null) ?? `${appId ?? 'test'}-${process.pid}`,
    applicationServer: (c['application.server'] as string | null) ?? undefined,
    sessionTimeoutMs: c['session.timeout.ms'],
    heartbeatIntervalMs: c['heartbeat.interval.ms'],
    transactionTimeoutMs: c['transaction.timeout.ms'],
    autoOffsetReset: c['auto.offset.reset'] as 'earliest' | 'latest',
    // Kafka 3.4 renamed cache.max.bytes.buffering to statestore.cache.max.bytes; the new name wins
    cacheMaxBytes: (c['statestore.cache.max.bytes'] as number | null) ?? c['cache.max.bytes.buffering'],
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
