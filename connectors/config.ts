// Worker config (Kafka Connect's names) and the keys every connector config has
// (Kafka's ConnectorConfig / SinkConnectorConfig / SourceConnectorConfig), which
// validation merges with the plugin's own ConfigDef.
import { ConfigDef, ConfigException, Validators } from '../plugins/sdk/index.ts';
import { transformerFor } from './runtime/config-providers.ts';

export const WORKER_CONFIG = new ConfigDef()
  .define({ name: 'group.id', type: 'STRING', default: 'connect-cluster', documentation: 'Connect cluster name (distributed mode).' })
  .define({ name: 'key.converter', type: 'CLASS', default: 'org.apache.kafka.connect.json.JsonConverter', documentation: 'Default key converter of connectors.' })
  .define({ name: 'value.converter', type: 'CLASS', default: 'org.apache.kafka.connect.json.JsonConverter', documentation: 'Default value converter of connectors.' })
  .define({ name: 'header.converter', type: 'CLASS', default: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', documentation: 'Default header converter (headers pass through as bytes).' })
  .define({ name: 'offset.flush.interval.ms', type: 'LONG', default: 60000, validator: Validators.range(1, null), documentation: 'How often source offsets are committed and sink tasks flushed/committed.' })
  .define({ name: 'offset.flush.timeout.ms', type: 'LONG', default: 5000, validator: Validators.range(1, null), documentation: 'How long an offset commit may take.' })
  .define({ name: 'task.shutdown.graceful.timeout.ms', type: 'LONG', default: 5000, validator: Validators.range(0, null), documentation: 'How long tasks get to stop before they are abandoned.' })
  .define({ name: 'config.storage.topic', type: 'STRING', default: 'connect-configs', documentation: 'Compacted topic holding connector configs (1 partition).' })
  .define({ name: 'offset.storage.topic', type: 'STRING', default: 'connect-offsets', documentation: 'Compacted topic holding source offsets.' })
  .define({ name: 'status.storage.topic', type: 'STRING', default: 'connect-status', documentation: 'Compacted topic holding connector and task states.' })
  .define({ name: 'config.storage.replication.factor', type: 'SHORT', default: 3, documentation: 'Replication factor of the config topic (capped at the broker count).' })
  .define({ name: 'offset.storage.replication.factor', type: 'SHORT', default: 3, documentation: 'Replication factor of the offsets topic (capped at the broker count).' })
  .define({ name: 'status.storage.replication.factor', type: 'SHORT', default: 3, documentation: 'Replication factor of the status topic (capped at the broker count).' })
  .define({ name: 'offset.storage.partitions', type: 'INT', default: 25, validator: Validators.range(1, null), documentation: 'Partitions of the offsets topic when created.' })
  .define({ name: 'status.storage.partitions', type: 'INT', default: 5, validator: Validators.range(1, null), documentation: 'Partitions of the status topic when created.' })
  .define({ name: 'plugin.path', type: 'LIST', default: '', documentation: 'Directories holding plugins (npm packages or folders with a manifest), or plugin folders themselves.' })
  .define({ name: 'rest.advertised.host.name', type: 'STRING', default: null, documentation: 'Host name in worker ids and Location headers.' })
  .define({ name: 'exactly.once.source.support', type: 'STRING', default: 'disabled', validator: Validators.oneOf('disabled', 'preparing', 'enabled'), documentation: 'enabled: source tasks write records and offsets in one transaction per transaction.boundary (KIP-618); preparing behaves as disabled (the step of a rolling upgrade).' })
  .define({ name: 'task.restart.policy', type: 'STRING', default: 'none', validator: Validators.oneOf('none', 'backoff'), documentation: 'Tributary: "backoff" restarts FAILED tasks automatically (1 s doubling to 60 s); Kafka never does.' })
  .define({ name: 'task.isolation', type: 'STRING', default: 'thread', validator: Validators.oneOf('thread', 'none'), documentation: 'Tributary: "thread" runs every task (its plugin code, converters, transforms and Kafka clients) on its own worker thread, as Kafka Connect gives each task a thread; "none" runs tasks on the worker\'s event loop. Plugins given in-process (embedding, tests) always run on the event loop.' })
  .define({ name: 'task.blocked.threshold.ms', type: 'LONG', default: 5000, validator: Validators.range(0, null), documentation: 'Tributary (task.isolation=thread): a task whose thread does not return to its event loop for this long is reported FAILED with a "blocked" trace and a log line, until it runs again or is restarted (the restart ends the thread). 0 turns the check off.' })
  .define({ name: 'task.thread.spares', type: 'INT', default: 1, validator: Validators.range(0, 64), documentation: 'Tributary (task.isolation=thread): task threads the worker keeps loaded before any task needs one, so a task starting does not wait for its thread to load its modules (~0.6 s of CPU; a spare holds ~30 MB). A spare taken is replaced 3 s after its task started; a thread whose task stopped cleanly becomes a spare either way. 0: a thread starts with its task.' });

export type WorkerConfig = {
  'group.id': string; 'key.converter': string; 'value.converter': string; 'header.converter': string;
  'offset.flush.interval.ms': number; 'offset.flush.timeout.ms': number; 'task.shutdown.graceful.timeout.ms': number;
  'config.storage.topic': string; 'offset.storage.topic': string; 'status.storage.topic': string;
  'config.storage.replication.factor': number; 'offset.storage.replication.factor': number; 'status.storage.replication.factor': number;
  'offset.storage.partitions': number; 'status.storage.partitions': number; 'plugin.path': string[];
  'rest.advertised.host.name': string | null; 'task.restart.policy': 'none' | 'backoff';
  'task.isolation': 'thread' | 'none'; 'task.blocked.threshold.ms': number; 'task.thread.spares': number;
  'exactly.once.source.support': 'disabled' | 'preparing' | 'enabled';
  /** Every given key, raw (for key.converter.* / producer.* / consumer.* prefixes). */
  raw: Record<string, string>;
};

/** Parses the worker's config; names of other components are ignored (one config file serves all). */
export function loadWorkerConfig(props: Record<string, string>): WorkerConfig {
  const mine: Record<string, string> = {};
  for (const k of WORKER_CONFIG.keys.keys()) if (props[k] !== undefined) mine[k] = props[k];
  try {
    const worker = { ...(WORKER_CONFIG.parse(mine) as Omit<WorkerConfig, 'raw'>), raw: { ...props } };
    transformerFor(worker); // config.providers.* checked at start (runtime/config-providers.ts)
    return worker;
  } catch (e) {
    if (e instanceof ConfigException) throw Object.assign(new Error(`invalid Connect worker config ${e.key}: ${e.message}`), { exitCode: 2 });
    throw e;
  }
}

const COMMON = 'Common';
const TRANSFORMS = 'Transforms';
const PREDICATES = 'Predicates';
const ERRORS = 'Error Handling';

function common(): ConfigDef {
  return new ConfigDef()
    .define({ name: 'name', type: 'STRING', documentation: 'Globally unique name to use for this connector.', importance: 'HIGH', group: COMMON, orderInGroup: 1, width: 'MEDIUM', displayName: 'Connector name', validator: Validators.nonEmptyString() })
    .define({ name: 'connector.class', type: 'STRING', documentation: 'Name or alias of the class for this connector.', importance: 'HIGH', group: COMMON, orderInGroup: 2, width: 'LONG', displayName: 'Connector class' })
    .define({ name: 'tasks.max', type: 'INT', default: 1, validator: Validators.range(1, null), documentation: 'Maximum number of tasks to use for this connector.', importance: 'HIGH', group: COMMON, orderInGroup: 3, width: 'SHORT', displayName: 'Tasks max' })
    .define({ name: 'key.converter', type: 'CLASS', default: null, documentation: 'Converter class for keys (overrides the worker default).', importance: 'LOW', group: COMMON, orderInGroup: 4, width: 'SHORT', displayName: 'Key converter class' })
    .define({ name: 'value.converter', type: 'CLASS', default: null, documentation: 'Converter class for values (overrides the worker default).', importance: 'LOW', group: COMMON, orderInGroup: 5, width: 'SHORT', displayName: 'Value converter class' })
    .define({ name: 'header.converter', type: 'CLASS', default: null, documentation: 'HeaderConverter class (headers pass through as bytes).', importance: 'LOW', group: COMMON, orderInGroup: 6, width: 'SHORT', displayName: 'Header converter class' })
    .define({ name: 'config.action.reload', type: 'STRING', default: 'restart', validator: Validators.oneOf('none', 'restart'), documentation: 'What to do when external config providers change.', importance: 'LOW', group: COMMON, orderInGroup: 7, width: 'MEDIUM', displayName: 'Reload action' })
    .define({ name: 'transforms', type: 'LIST', default: '', documentation: 'Aliases for the transformations to be applied to records, in order.', importance: 'LOW', group: TRANSFORMS, orderInGroup: 1, width: 'LONG', displayName: 'Transforms' })
    .define({ name: 'predicates', type: 'LIST', default: '', documentation: 'Aliases for the predicates used by transformations.', importance: 'LOW', group: PREDICATES, orderInGroup: 1, width: 'LONG', displayName: 'Predicates' })
    .define({ name: 'errors.retry.timeout', type: 'LONG', default: 0, validator: Validators.range(-1, null), documentation: 'Maximum duration in ms a failed operation is retried; 0 = no retries, -1 = forever.', importance: 'MEDIUM', group: ERRORS, orderInGroup: 1, width: 'MEDIUM', displayName: 'Retry Timeout for Errors' })
    .define({ name: 'errors.retry.delay.max.ms', type: 'LONG', default: 60000, validator: Validators.range(1, null), documentation: 'Maximum delay in ms between consecutive retries (exponential backoff from 300 ms).', importance: 'MEDIUM', group: ERRORS, orderInGroup: 2, width: 'MEDIUM', displayName: 'Maximum Delay Between Retries for Errors' })
    .define({ name: 'errors.tolerance', type: 'STRING', default: 'none', validator: Validators.oneOf('none', 'all'), recommendedValues: ['none', 'all'], documentation: 'none: an error fails the task; all: skip problematic records (and send them to the dead letter queue if set).', importance: 'MEDIUM', group: ERRORS, orderInGroup: 3, width: 'SHORT', displayName: 'Error Tolerance' })
    .define({ name: 'errors.log.enable', type: 'BOOLEAN', default: false, documentation: 'Log each error with its operation and record coordinates.', importance: 'MEDIUM', group: ERRORS, orderInGroup: 4, width: 'SHORT', displayName: 'Log Errors' })
    .define({ name: 'errors.log.include.messages', type: 'BOOLEAN', default: false, documentation: 'Include the record (key, value, headers) in error logs.', importance: 'MEDIUM', group: ERRORS, orderInGroup: 5, width: 'SHORT', displayName: 'Log Error Details' })
    .define({ name: 'errors.deadletterqueue.topic.name', type: 'STRING', default: '', documentation: 'Topic receiving records that failed (sinks: the original bytes; Tributary also for sources: the converted record).', importance: 'MEDIUM', group: ERRORS, orderInGroup: 6, width: 'MEDIUM', displayName: 'Dead Letter Queue Topic Name' })
    .define({ name: 'errors.deadletterqueue.topic.replication.factor', type: 'SHORT', default: 3, documentation: 'Replication factor of the dead letter topic when created (capped at the broker count).', importance: 'MEDIUM', group: ERRORS, orderInGroup: 7, width: 'MEDIUM', displayName: 'Dead Letter Queue Topic Replication Factor' })
    .define({ name: 'errors.deadletterqueue.context.headers.enable', type: 'BOOLEAN', default: true, documentation: 'Add __connect.errors.* headers with the error context to dead-lettered records (Kafka defaults to false).', importance: 'MEDIUM', group: ERRORS, orderInGroup: 8, width: 'MEDIUM', displayName: 'Enable Error Context Headers' });
}

export function sinkCommonConfig(): ConfigDef {
  return common()
    .define({ name: 'topics', type: 'LIST', default: '', documentation: 'List of topics to consume, separated by commas.', importance: 'HIGH', group: COMMON, orderInGroup: 8, width: 'LONG', displayName: 'Topics' })
    .define({ name: 'topics.regex', type: 'STRING', default: '', documentation: 'Regular expression giving topics to consume.', importance: 'HIGH', group: COMMON, orderInGroup: 9, width: 'LONG', displayName: 'Topics regex' });
}

const EOS = 'Exactly Once Support';

export function sourceCommonConfig(): ConfigDef {
  return common()
    .define({ name: 'exactly.once.support', type: 'STRING', default: 'requested', validator: Validators.oneOf('requested', 'required'), recommendedValues: ['requested', 'required'], documentation: 'required: refuse the connector unless it declares exactly-once support (checked when the worker has exactly.once.source.support=enabled); requested: no check.', importance: 'MEDIUM', group: EOS, orderInGroup: 1, width: 'SHORT', displayName: 'Exactly once support' })
    .define({ name: 'transaction.boundary', type: 'STRING', default: 'poll', validator: Validators.oneOf('poll', 'interval', 'connector'), recommendedValues: ['poll', 'interval', 'connector'], documentation: 'With exactly-once sources: poll = one transaction per poll() batch; interval = every transaction.boundary.interval.ms; connector = the task defines them (TransactionContext).', importance: 'MEDIUM', group: EOS, orderInGroup: 2, width: 'SHORT', displayName: 'Transaction Boundary' })
    .define({ name: 'transaction.boundary.interval.ms', type: 'LONG', default: null, validator: Validators.range(0, null), documentation: 'With transaction.boundary=interval: how long a transaction stays open (default: the worker\'s offset.flush.interval.ms).', importance: 'LOW', group: EOS, orderInGroup: 3, width: 'SHORT', displayName: 'Transaction boundary interval' });
}

export function parseErrorConfig(props: Record<string, string>): ErrorConfig {
  const v = common().parse({ name: 'x', 'connector.class': 'x', ...props });
  return {
    tolerance: v['errors.tolerance'] as 'none' | 'all',
    retryTimeoutMs: v['errors.retry.timeout'] as number,
    retryDelayMaxMs: v['errors.retry.delay.max.ms'] as number,
    logEnable: v['errors.log.enable'] as boolean,
    logIncludeMessages: v['errors.log.include.messages'] as boolean,
    dlqTopic: (v['errors.deadletterqueue.topic.name'] as string) || null,
    dlqReplicationFactor: v['errors.deadletterqueue.topic.replication.factor'] as number,
    dlqContextHeaders: v['errors.deadletterqueue.context.headers.enable'] as boolean,
  };
}

export interface ErrorConfig {
  tolerance: 'none' | 'all';
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  logEnable: boolean;
  logIncludeMessages: boolean;
  dlqTopic: string | null;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
}
