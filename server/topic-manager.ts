// Topic lifecycle: validation of names and configs, creation (explicit and
// automatic), deletion, partition growth and config changes.
import { KafkaError } from './errors.ts';
import { TOPIC_CONFIG_BY_NAME, checkValue, type BrokerConfig } from './config.ts';
import type { MetadataStore, TopicMeta } from './cluster/metadata-store.ts';
import type { ReplicaManager } from './replica-manager.ts';

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

export class TopicManager {
  constructor(
    readonly metadata: MetadataStore,
    readonly replicas: ReplicaManager,
    readonly config: BrokerConfig,
    private readonly listeners: { created?: (t: TopicMeta) => void; deleted?: (t: TopicMeta) => void } = {},
  ) {}

  get(name: string): TopicMeta | undefined { return this.metadata.get(name); }

  create(name: string, partitions: number, replicationFactor: number, configs: Record<string, string | null>, validateOnly = false, internal = false): TopicMeta | null {
    validateTopicName(name);
    if (this.metadata.get(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    if (partitions === -1) partitions = this.config.int('num.partitions');
    if (replicationFactor === -1) replicationFactor = this.config.int('default.replication.factor');
    if (partitions < 1) throw new KafkaError('INVALID_PARTITIONS', `Number of partitions must be at least 1, got ${partitions}.`);
    if (partitions > 100000) throw new KafkaError('INVALID_PARTITIONS', `Number of partitions ${partitions} is above the limit of 100000.`);
    if (replicationFactor < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}.`);
    if (replicationFactor > 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: 1.`);
    const clean = validateTopicConfigs(configs);
    if (validateOnly) return null;
    const t = this.metadata.createTopic(name, partitions, clean, internal || INTERNAL_TOPICS.has(name));
    this.replicas.openTopic(t);
    this.listeners.created?.(t);
    return t;
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
    if (validateOnly) return;
    this.metadata.addPartitions(name, count);
    this.replicas.openTopic(this.metadata.get(name)!);
  }

  setConfigs(name: string, configs: Record<string, string>): void {
    const t = this.metadata.get(name);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    this.metadata.setConfigs(name, validateTopicConfigs(configs));
    this.replicas.reconfigure(this.metadata.get(name)!);
  }
}
