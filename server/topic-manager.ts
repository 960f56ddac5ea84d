// Topic lifecycle: validation of names and configs, creation (explicit and
// automatic), deletion, partition growth and config changes.
import { KafkaError } from './errors.ts';
import { TOPIC_CONFIG_BY_NAME, checkValue, checkDynamicBrokerConfigs, type BrokerConfig } from './config.ts';
import type { MetadataStore, TopicMeta } from './cluster/metadata-store.ts';
import type { ReplicaManager } from './replica-manager.ts';
import type { ClusterControl, StoreChanges } from './cluster/postgres-cluster-view.ts';

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME = 249;

export function validateTopicName(name: string): void {
  if (!name) throw new KafkaError('INVALID_TOPIC_EXCEPTION', 'Topic name is empty');
  if (name === '.' || name === '..') throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic name cannot be "${name}"`);
  if (name.length > MAX_TOPIC_NAME) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic name is longer than ${MAX_TOPIC_NAME} characters`);
  if (!LEGAL.test(name)) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic name "${name}" is illegal: it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
}

export function validateTopicConfigs(configs: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(configs)) {
    const def = TOPIC_CONFIG_BY_NAME.get(k);
    if (!def) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${k}`);
    if (v == null) throw new KafkaError('INVALID_CONFIG', `Null value not supported for topic config ${k}`);
    const err = checkValue(def, v);
    if (err) throw new KafkaError('INVALID_CONFIG', err);
    out[k] = v;
  }
  return out;
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
/** the replication factor config of each internal topic (used in a cluster) */
const INTERNAL_RF: Record<string, string> = { __consumer_offsets: 'offsets.topic.replication.factor', __transaction_state: 'transaction.state.log.replication.factor' };

/**
 * Kafka's controller refuses more than 10,000 new partitions in one request
 * (ReplicationControlManager's MAX_PARTITIONS_PER_BATCH); a CreatePartitions asking for
 * 2^31 of them ran the broker out of memory (found by the protocol fuzzer).
 */
export const MAX_NEW_PARTITIONS_PER_REQUEST = 10_000;
function checkNewPartitions(n: number): void {
  if (n > MAX_NEW_PARTITIONS_PER_REQUEST) throw new KafkaError('POLICY_VIOLATION', `Excessively large number of partitions per request: ${n} (at most ${MAX_NEW_PARTITIONS_PER_REQUEST}).`);
}

export class TopicManager {
  private nodeId = -1;
  constructor(
    readonly metadata: MetadataStore,
    readonly replicas: ReplicaManager,
    readonly config: BrokerConfig,
    private readonly listeners: { created?: (t: TopicMeta) => void; deleted?: (t: TopicMeta) => void; grown?: (t: TopicMeta, from: number) => void } = {},
    /** in a cluster: the store every change goes through (null on a single node: the metadata file) */
    private readonly control: ClusterControl | null = null,
  ) {}

  /** Topics being created in the store on behalf of a synchronous caller (auto-creation, coordinators). */
  private pending = new Map<string, Promise<unknown>>();
  private lastInternalWarning = 0;

  get(name: string): TopicMeta | undefined { return this.metadata.get(name); }

  create(name: string, partitions: number, replicationFactor: number, configs: Record<string, string | null>, validateOnly = false, internal = false): TopicMeta | null {
    validateTopicName(name);
    if (this.metadata.get(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    if (partitions === -1) partitions = this.config.int('num.partitions');
    if (replicationFactor === -1) replicationFactor = this.config.int('default.replication.factor');
    if (partitions < 1) throw new KafkaError('INVALID_PARTITIONS', `Number of partitions must be at least 1, got ${partitions}.`);
    checkNewPartitions(partitions);
    if (replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}.`);
    if (this.control) {
      const isInternal = internal || INTERNAL_TOPICS.has(name);
      if (INTERNAL_RF[name]) {
        // As Kafka: never a thinner internal topic than configured; wait for the brokers instead.
        replicationFactor = this.config.int(INTERNAL_RF[name]);
        const alive = this.control.aliveBrokers().length;
        if (alive < replicationFactor) {
          const msg = `Number of alive brokers ${alive} does not meet the required replication factor ${replicationFactor} for ${name} (${INTERNAL_RF[name]}); start more brokers or lower it.`;
          if (Date.now() - this.lastInternalWarning > 10_000) { this.lastInternalWarning = Date.now(); this.replicas.logger.warn(msg); }
          throw new KafkaError('COORDINATOR_NOT_AVAILABLE', msg);
        }
      }
      const clean = validateTopicConfigs(configs);
      if (replicationFactor > this.control.aliveBrokers().length) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${this.control.aliveBrokers().length}.`);
      if (validateOnly) return null;
      // The store is asynchronous: start the creation and let the client retry, as Kafka answers auto-creation.
      if (!this.pending.has(name)) {
        const p = this.control.createTopic({ name, partitions, replicationFactor, configs: clean, internal: isInternal })
          .catch((e) => { if (!(e instanceof KafkaError && e.errorName === 'TOPIC_ALREADY_EXISTS')) this.replicas.logger.warn({ err: e, topic: name }, 'creating the topic in the metadata store failed'); })
          .finally(() => this.pending.delete(name));
        this.pending.set(name, p);
      }
      throw new KafkaError('LEADER_NOT_AVAILABLE', `Topic '${name}' is being created; retry.`);
    }
    if (replicationFactor > 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: 1.`);
    const clean = validateTopicConfigs(configs);
    if (validateOnly) return null;
    const t = this.metadata.createTopic(name, partitions, clean, internal || INTERNAL_TOPICS.has(name));
    this.replicas.openTopic(t);
    this.listeners.created?.(t);
    return t;
  }

  /**
   * CreateTopics: on one node the same as create(); in a cluster the store places
   * the replicas (or takes `assignments`, preferred leader first) and this waits for it.
   */
  async createTopic(name: string, partitions: number, replicationFactor: number, configs: Record<string, string | null>, validateOnly = false, assignments?: number[][]): Promise<TopicMeta | null> {
    if (!this.control) {
      if (assignments?.some((a) => a.some((x) => x !== this.metadata.nodeId))) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Replica assignment names brokers other than ${this.metadata.nodeId}.`);
      return this.create(name, partitions, replicationFactor, configs, validateOnly);
    }
    validateTopicName(name);
    if (this.metadata.get(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    if (assignments?.length) { partitions = assignments.length; replicationFactor = assignments[0].length; }
    if (partitions === -1) partitions = this.config.int('num.partitions');
    if (replicationFactor === -1) replicationFactor = this.config.int('default.replication.factor');
    if (partitions < 1) throw new KafkaError('INVALID_PARTITIONS', `Number of partitions must be at least 1, got ${partitions}.`);
    checkNewPartitions(partitions);
    if (replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}.`);
    const alive = this.control.aliveBrokers().length;
    if (!assignments?.length && replicationFactor > alive) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${alive}.`);
    const clean = validateTopicConfigs(configs);
    if (validateOnly) return null;
    return this.control.createTopic({ name, partitions, replicationFactor, assignments, configs: clean, internal: INTERNAL_TOPICS.has(name) });
  }

  /** DeleteTopics; in a cluster every broker drops its logs when the store's change reaches it. */
  async deleteTopic(name: string): Promise<void> {
    if (!this.control) return this.delete(name);
    if (!this.metadata.get(name)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    if (!this.config.bool('delete.topic.enable')) throw new KafkaError('TOPIC_DELETION_DISABLED', 'Topic deletion is disabled (delete.topic.enable=false).');
    if (INTERNAL_TOPICS.has(name)) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Internal topic '${name}' cannot be deleted.`);
    await this.control.deleteTopic(name);
  }

  /** CreatePartitions, with optional replica assignments of the new partitions. */
  async createPartitions(name: string, count: number, validateOnly: boolean, assignments?: number[][]): Promise<void> {
    if (!this.control) {
      if (assignments?.some((a) => a.some((x) => x !== this.metadata.nodeId))) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Replica assignment names brokers other than ${this.metadata.nodeId}.`);
      return this.addPartitions(name, count, validateOnly);
    }
    const t = this.metadata.get(name);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    if (count <= t.partitions.length) throw new KafkaError('INVALID_PARTITIONS', `Topic currently has ${t.partitions.length} partitions, which is higher than or equal to the requested ${count}.`);
    checkNewPartitions(count - t.partitions.length);
    if (validateOnly) return;
    await this.control.createPartitions(name, count, assignments);
  }

  /** AlterConfigs / IncrementalAlterConfigs on a topic. */
  async alterTopicConfigs(name: string, configs: Record<string, string>): Promise<void> {
    if (!this.control) return this.setConfigs(name, configs);
    if (!this.metadata.get(name)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    await this.control.setTopicConfigs(name, validateTopicConfigs(configs));
  }

  /** AlterConfigs / IncrementalAlterConfigs on a BROKER resource. */
  async alterBrokerConfigs(resource: string, configs: Record<string, string>, validateOnly = false): Promise<void> {
    if (!this.control) return this.setBrokerConfigs(resource, configs, validateOnly);
    if (resource !== '' && !/^\d+$/.test(resource)) throw new KafkaError('INVALID_REQUEST', `Broker id must be an integer or empty for the cluster default, not '${resource}'.`);
    const err = checkDynamicBrokerConfigs(configs);
    if (err) throw new KafkaError('INVALID_REQUEST', `Invalid config value for resource ConfigResource(type=BROKER, name='${resource}'): ${err}`);
    if (validateOnly) return;
    await this.control.setBrokerConfigs(resource, configs);
  }

  /** A change made in the store (by any broker) reached this one: open, drop or reconfigure local logs. */
  applyStoreChanges(c: StoreChanges): void {
    for (const t of c.deleted) { this.replicas.deleteTopic(t); this.listeners.deleted?.(t); }
    // The replica manager opens the partitions placed on this broker when their states arrive.
    for (const t of c.created) this.listeners.created?.(t);
    for (const { topic, from } of c.grown) this.listeners.grown?.(topic, from);
    for (const t of c.reconfigured) this.replicas.reconfigure(t);
    if (c.brokerConfigsChanged) {
      this.loadBrokerConfigs(this.nodeId);
      for (const t of this.metadata.list()) this.replicas.reconfigure(t);
    }
  }

  /** Creates a topic on first use when auto.create.topics.enable is on. */
  autoCreate(name: string): TopicMeta | undefined {
    const existing = this.metadata.get(name);
    if (existing) return existing;
    if (!this.config.bool('auto.create.topics.enable')) return undefined;
    validateTopicName(name);
    return this.create(name, -1, -1, {}) ?? undefined;
  }

  delete(name: string): void {
    const t = this.metadata.get(name);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    if (!this.config.bool('delete.topic.enable')) throw new KafkaError('TOPIC_DELETION_DISABLED', 'Topic deletion is disabled (delete.topic.enable=false).');
    if (INTERNAL_TOPICS.has(name)) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Internal topic '${name}' cannot be deleted.`);
    this.replicas.deleteTopic(t);
    this.metadata.deleteTopic(name);
    this.listeners.deleted?.(t);
  }

  addPartitions(name: string, count: number, validateOnly: boolean): void {
    const t = this.metadata.get(name);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    if (count <= t.partitions.length) throw new KafkaError('INVALID_PARTITIONS', `Topic currently has ${t.partitions.length} partitions, which is higher than or equal to the requested ${count}.`);
    checkNewPartitions(count - t.partitions.length);
    if (validateOnly) return;
    const from = t.partitions.length;
    this.metadata.addPartitions(name, count);
    this.replicas.openTopic(this.metadata.get(name)!);
    this.listeners.grown?.(this.metadata.get(name)!, from);
  }

  /** Applies the persisted dynamic broker configs (this broker's and the cluster default) on start. */
  loadBrokerConfigs(nodeId: number): void {
    this.nodeId = nodeId;
    for (const [resource, map] of [[String(nodeId), this.config.dynamic.broker], ['', this.config.dynamic.cluster]] as const) {
      map.clear();
      for (const [k, v] of Object.entries(this.metadata.getBrokerConfigs(resource))) map.set(k, v);
    }
  }

  brokerConfigs(resource: string): Record<string, string> { return this.metadata.getBrokerConfigs(resource); }

  /**
   * Replaces the dynamic configs of a BROKER resource ("" = cluster-wide default,
   * else a broker id), as Kafka's AlterConfigs does: persisted in cluster metadata,
   * in effect at once for topics that have no override of their own.
   */
  setBrokerConfigs(resource: string, configs: Record<string, string>, validateOnly = false): void {
    if (resource !== '' && !/^\d+$/.test(resource)) throw new KafkaError('INVALID_REQUEST', `Broker id must be an integer or empty for the cluster default, not '${resource}'.`);
    const err = checkDynamicBrokerConfigs(configs);
    if (err) throw new KafkaError('INVALID_REQUEST', `Invalid config value for resource ConfigResource(type=BROKER, name='${resource}'): ${err}`);
    if (validateOnly) return;
    this.metadata.setBrokerConfigs(resource, configs);
    const map = resource === '' ? this.config.dynamic.cluster : resource === String(this.nodeId) ? this.config.dynamic.broker : null;
    if (!map) return;
    map.clear();
    for (const [k, v] of Object.entries(configs)) map.set(k, v);
    for (const t of this.metadata.list()) this.replicas.reconfigure(t);
  }

  setConfigs(name: string, configs: Record<string, string>): void {
    const t = this.metadata.get(name);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    this.metadata.setConfigs(name, validateTopicConfigs(configs));
    this.replicas.reconfigure(this.metadata.get(name)!);
  }
}
