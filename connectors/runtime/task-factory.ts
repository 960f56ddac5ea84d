// Builds a task runner from a task's resolved config: its converters, transforms,
// error handling and Kafka clients. One function for both hosts: the worker's event
// loop (task.isolation=none, in-process plugins) and a task thread (task-thread.ts),
// which gets the same TaskSpec as plain data.
import { KafkaProducer, type ClientConfig, type KafkaAdmin } from '../../client/index.ts';
import type { Logger } from 'pino';
import type { Connector, Props, SinkConnector, SinkTask, SourceConnector, SourceTask } from '../../plugins/sdk/index.ts';
import { parseErrorConfig } from '../config.ts';
import type { Plugins } from './plugins.ts';
import { makeConverter } from './converters.ts';
import { TransformChain, listOf, subProps } from './transform-chain.ts';
import { taskSecurity } from '../kafka.ts';
import { SourceTaskRunner, type EosOptions } from './source-task-runner.ts';
import { SinkTaskRunner } from './sink-task-runner.ts';
import type { TaskListener, TaskRunner, TaskStateAccess } from './task-runner.ts';

/** Everything a task needs that is data (structured-cloneable: it crosses to a task thread). */
export interface TaskSpec {
  connector: string;
  taskId: number;
  generation: number;
  /** the connector's config, config providers resolved */
  config: Props;
  /** the task's config, resolved */
  taskProps: Props;
  startPaused: boolean;
  /** the worker's raw config (default converters, producer.* / consumer.*) */
  workerRaw: Record<string, string>;
  flushIntervalMs: number;
  registryUrl?: string;
  /** exactly-once source (KIP-618): the task's transactional.id and where its offsets go */
  eos: { transactionalId: string; offsetTopic: string } | null;
}

/** What the host gives: live objects, per host. */
export interface TaskEnv {
  client: ClientConfig;
  plugins: Plugins;
  state: TaskStateAccess;
  admin: KafkaAdmin;
  logger: Logger;
  listener: TaskListener;
  /** sinks: the producer of the dead letter queue */
  dlqProducer: KafkaProducer;
  /** the running connector's instance, when this host has it (its taskClass()) */
  connectorInstance?: Connector;
  fence?: () => boolean;
  /** exactly-once: resolves once the worker read connect-offsets to its end */
  readOffsetsToEnd?: () => Promise<void>;
}

/** Builds (not starts) the runner; on a source with exactly-once, also fences older instances of the task. */
export async function createTaskRunner(spec: TaskSpec, env: TaskEnv): Promise<TaskRunner> {
  const { connector, taskId, generation, config } = spec;
  const cls = config['connector.class'];
  const desc = env.plugins.resolve(cls, ['source', 'sink']);
  if (!desc) throw new Error(`Failed to find any class that implements Connector and which name matches ${cls}`);
  const connectorInstance = env.connectorInstance ?? new (desc.cls as new () => Connector)();
  const keyConverter = await makeConverter('key', config, spec.workerRaw, env.plugins, { registryUrl: spec.registryUrl });
  const valueConverter = await makeConverter('value', config, spec.workerRaw, env.plugins, { registryUrl: spec.registryUrl });
  const chain = TransformChain.build(config, env.plugins);
  const errors = parseErrorConfig(config);
  const common = { connector, taskId, generation, taskProps: { ...spec.taskProps }, keyConverter, valueConverter, chain, errors, admin: env.admin, state: env.state, logger: env.logger, listener: env.listener, flushIntervalMs: spec.flushIntervalMs, startPaused: spec.startPaused, fence: env.fence };
  if (desc.type === 'source') {
    const producerProps = { ...subProps(spec.workerRaw, 'producer.'), ...subProps(config, 'producer.override.') };
    const producer = new KafkaProducer({
      ...env.client,
      security: taskSecurity(spec.workerRaw, config, 'producer'),
      clientId: `connector-producer-${connector}-${taskId}`,
      idempotent: true,
      autoCreateTopics: true,
      ...(producerProps['compression.type'] && producerProps['compression.type'] !== 'none' ? { compression: producerProps['compression.type'] as 'gzip' } : {}),
      ...(spec.eos ? { transactionalId: spec.eos.transactionalId } : {}),
      ...(producerProps['transaction.timeout.ms'] ? { transactionTimeoutMs: Number(producerProps['transaction.timeout.ms']) } : {}),
    });
    let eosOpts: EosOptions = undefined;
    if (spec.eos) {
      try {
        // InitProducerId with our transactional.id: bumps the epoch, aborts what an older instance left
        // open, and fences it at the broker (its later writes and commits fail)
        await producer.initTransactions();
        // then read what the older instance committed before its offsets are handed to the task
        await env.readOffsetsToEnd?.();
      } catch (e) {
        await producer.close();
        throw e;
      }
      const boundary = (config['transaction.boundary'] ?? 'poll') as 'poll' | 'interval' | 'connector';
      const iv = config['transaction.boundary.interval.ms'];
      eosOpts = { boundary, intervalMs: iv !== undefined && iv !== '' ? Number(iv) : spec.flushIntervalMs, offsetTopic: spec.eos.offsetTopic };
    }
    const taskClass = (connectorInstance as SourceConnector).taskClass() as new () => SourceTask;
    const r = new SourceTaskRunner({ ...common, taskClass, producer, eos: eosOpts });
    const stop = r.stop.bind(r);
    r.stop = async () => { await stop(); await producer.close(); };
    return r;
  }
  const consumerProps = { ...subProps(spec.workerRaw, 'consumer.'), ...subProps(config, 'consumer.override.') };
  const taskClass = (connectorInstance as SinkConnector).taskClass() as new () => SinkTask;
  return new SinkTaskRunner({
    ...common, taskClass, client: { ...env.client, security: taskSecurity(spec.workerRaw, config, 'consumer') }, producer: env.dlqProducer, consumerProps,
    topics: listOf(config.topics), topicsRegex: config['topics.regex'] || null,
  });
}
