// ApiVersions, Metadata, DescribeCluster and topic administration.
import type { Logger } from 'pino';
import type { ApiHandler, ApiHandlers } from '../network/api-handlers.ts';
import { KafkaError, code } from '../errors.ts';
import {
  API_DECLS, AlterConfigs, ApiVersions, CreatePartitions, CreateTopics, DeleteTopics, DescribeCluster, DescribeConfigs,
  DescribeLogDirs, FindCoordinator, IncrementalAlterConfigs, Metadata, ElectLeaders, AlterPartitionReassignments, ListPartitionReassignments,
} from '../protocol/apis/index.ts';
import { TOPIC_CONFIGS, BROKER_CONFIGS, TOPIC_CONFIG_BY_NAME, BROKER_CONFIG_BY_NAME, DYNAMIC_BROKER_CONFIGS, ConfigSource, type BrokerConfig, type BrokerConfigKey, type ConfigSynonym } from '../config.ts';
import type { MetadataStore, TopicMeta } from '../cluster/metadata-store.ts';
import type { TopicManager } from '../topic-manager.ts';
import type { ReplicaManager } from '../replica-manager.ts';
import type { BrokerInfo, ClusterView, PartitionState } from '../cluster/cluster-view.ts';
import type { ClusterControl, PartitionResult } from '../cluster/postgres-cluster-view.ts';
import { partitionFor } from '../txn/transaction-coordinator.ts';

/** What the admin APIs may use of their broker. */
export interface AdminContext {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly topics: TopicManager;
  /** partition sizes (DescribeLogDirs) */
  readonly replicas: ReplicaManager;
  /** brokers, controller and partition leadership */
  readonly cluster: ClusterView;
  /** the cluster's store (elections, reassignments); null on a single node */
  readonly control: ClusterControl | null;
  readonly dataDir: string;
  /** where clients reach this broker (known once it listens) */
  /** where clients of a listener reach this broker (the listener the request came in on) */
  endpoint(listener?: string): { host: string; port: number };
  diskStats(): { total: number; free: number };
}

/** Registers the admin APIs (ApiVersions is registered last by the broker: it lists what is registered). */
export function registerAdminHandlers(h: ApiHandlers, ctx: AdminContext): void {
  h.handle(Metadata, metadataHandler(ctx));
  h.handle(FindCoordinator, findCoordinatorHandler(ctx));
  h.handle(CreateTopics, createTopicsHandler(ctx));
  h.handle(DeleteTopics, deleteTopicsHandler(ctx));
  h.handle(DescribeConfigs, describeConfigsHandler(ctx));
  h.handle(AlterConfigs, alterConfigsHandler(ctx));
  h.handle(DescribeLogDirs, describeLogDirsHandler(ctx));
  h.handle(CreatePartitions, createPartitionsHandler(ctx));
  h.handle(IncrementalAlterConfigs, incrementalAlterConfigsHandler(ctx));
  h.handle(DescribeCluster, describeClusterHandler(ctx));
  h.handle(ElectLeaders, electLeadersHandler(ctx));
  h.handle(AlterPartitionReassignments, alterPartitionReassignmentsHandler(ctx));
  h.handle(ListPartitionReassignments, listPartitionReassignmentsHandler(ctx));
}

// librdkafka 2.0 enables features only when these old versions are in range
// (PROTOCOL-NOTES pitfall 3), so they are advertised from 0.
export function apiVersionsHandler(handlers: ApiHandlers): ApiHandler<typeof ApiVersions> {
  // Computed on first use: every handler is registered by the time a client asks.
  let apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[] | undefined;
  return () => {
    apiKeys ??= API_DECLS.filter((d) => handlers.has(d.key)).map((d) => ({ apiKey: d.key, minVersion: d.minVersion, maxVersion: d.maxVersion }));
    return { errorCode: 0, apiKeys, throttleTimeMs: 0, finalizedFeaturesEpoch: -1n };
  };
}

function topicMetadata(b: AdminContext, t: TopicMeta, v: number, alive: Set<number>) {
  return {
    errorCode: 0, name: t.name, topicId: t.id, isInternal: t.internal,
    partitions: t.partitions.map((p) => ({
      // An offline partition (no live in-sync replica): clients wait and ask again.
      errorCode: p.leader === -1 ? code('LEADER_NOT_AVAILABLE') : 0, partitionIndex: p.partition, leaderId: p.leader, leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas, isrNodes: p.isr, offlineReplicas: p.replicas.filter((r) => !alive.has(r)),
    })),
    topicAuthorizedOperations: v >= 8 ? -2147483648 : 0,
  };
}

/** The brokers clients may use: every live registered broker with its advertised endpoint and rack. */
function liveBrokers(b: AdminContext) {
  return b.cluster.brokers().filter((x) => x.alive);
}

/** Where a client of `listener` reaches broker `x`: this broker knows its own; others registered theirs per listener. */
function reach(b: AdminContext, x: BrokerInfo, listener?: string): { host: string; port: number } {
  if (x.nodeId === b.nodeId) return b.endpoint(listener);
  return (listener && x.endpoints?.[listener]) || { host: x.host, port: x.port };
}

export function metadataHandler(b: AdminContext): ApiHandler<typeof Metadata> {
  return (ctx, req) => {
    const v = ctx.apiVersion;
    const live = liveBrokers(b);
    const alive = new Set(live.map((x) => x.nodeId));
    // Every broker as reachable on the listener the client came in on.
    const brokers = live.map((x) => ({ nodeId: x.nodeId, ...reach(b, x, ctx.session?.listenerName), rack: x.rack }));
    let topics: any[];
    if (req.topics == null || (v === 0 && req.topics.length === 0)) {
      topics = b.metadata.list().map((t) => topicMetadata(b, t, v, alive));
    } else {
      const allowAuto = v < 4 ? true : req.allowAutoTopicCreation !== false;
      topics = req.topics.map((rt: any) => {
        let name: string | null = rt.name;
        if (name == null && rt.topicId) name = b.metadata.getById(rt.topicId)?.name ?? null;
        if (name == null) return { errorCode: code('UNKNOWN_TOPIC_ID'), name: null, topicId: rt.topicId, isInternal: false, partitions: [] };
        let t = b.metadata.get(name);
        if (!t && allowAuto) {
          try { t = b.topics.autoCreate(name); } catch (e) {
            return { errorCode: e instanceof KafkaError ? e.code : -1, name, topicId: '', isInternal: false, partitions: [] };
          }
        }
        if (!t) return { errorCode: code('UNKNOWN_TOPIC_OR_PARTITION'), name, topicId: '', isInternal: false, partitions: [] };
        return topicMetadata(b, t, v, alive);
      });
    }
    return {
      throttleTimeMs: 0, brokers, clusterId: b.metadata.clusterId, controllerId: b.cluster.controllerId(), topics,
      clusterAuthorizedOperations: -2147483648,
    };
  };
}

export function describeClusterHandler(b: AdminContext): ApiHandler<typeof DescribeCluster> {
  return (ctx, _req) => ({
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: 1, clusterId: b.metadata.clusterId, controllerId: b.cluster.controllerId(),
    brokers: liveBrokers(b).map((x) => ({ brokerId: x.nodeId, ...reach(b, x, ctx.session?.listenerName), rack: x.rack })),
    clusterAuthorizedOperations: -2147483648,
  });
}

function errBody(e: unknown, b: AdminContext): { errorCode: number; errorMessage: string } {
  if (e instanceof KafkaError) return { errorCode: e.code, errorMessage: e.message };
  b.logger.error({ err: e }, 'admin request failed');
  return { errorCode: -1, errorMessage: (e as Error).message };
}

/**
 * A topic config's synonyms as Kafka lists them: the topic's own override, then its
 * broker config at each level (dynamic per broker, dynamic cluster default, static),
 * then the default. The first one is where the value comes from.
 */
function topicSynonyms(b: AdminContext, t: TopicMeta | null, name: string): ConfigSynonym[] {
  const def = TOPIC_CONFIG_BY_NAME.get(name)!;
  const out: ConfigSynonym[] = [];
  if (t && name in t.configs) out.push({ name, value: t.configs[name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  if (def.broker && BROKER_CONFIG_BY_NAME.has(def.broker)) out.push(...b.config.synonyms(def.broker));
  if (!out.some((s) => s.source === ConfigSource.DEFAULT_CONFIG)) out.push({ name: def.broker ?? name, value: b.config.topicDefault(name) ?? def.default, source: ConfigSource.DEFAULT_CONFIG });
  return out;
}

function configSourceOf(b: AdminContext, t: TopicMeta, name: string): number {
  return topicSynonyms(b, t, name)[0].source;
}

export function createTopicsHandler(b: AdminContext): ApiHandler<typeof CreateTopics> {
  return async (ctx, req) => ({
    throttleTimeMs: 0,
    topics: await Promise.all((req.topics ?? []).map(async (rt: any) => {
      try {
        const configs: Record<string, string | null> = {};
        for (const c of rt.configs ?? []) configs[c.name] = c.value;
        let partitions: number = rt.numPartitions;
        let assignments: number[][] | undefined;
        if (rt.assignments?.length) {
          const sorted = [...rt.assignments].sort((x: any, y: any) => x.partitionIndex - y.partitionIndex);
          sorted.forEach((a: any, i: number) => { if (a.partitionIndex !== i) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Partitions should be numbered 0 to ${sorted.length - 1}; partition ${i} has no assignment.`); });
          assignments = sorted.map((a: any) => a.brokerIds);
          partitions = assignments.length;
        }
        const rf = assignments ? assignments[0].length : rt.replicationFactor;
        const t = await b.topics.createTopic(rt.name, partitions, rf, configs, req.validateOnly, assignments);
        const meta = t ?? { name: rt.name, id: '', partitions: Array.from({ length: partitions === -1 ? b.config.int('num.partitions') : partitions }), configs: {} } as any;
        return {
          name: rt.name, topicId: meta.id, errorCode: 0, errorMessage: null,
          numPartitions: meta.partitions.length, replicationFactor: t ? t.partitions[0].replicas.length : rf === -1 ? b.config.int('default.replication.factor') : rf,
          configs: TOPIC_CONFIGS.map((d) => ({ name: d.name, value: meta.configs[d.name] ?? b.config.topicDefault(d.name), readOnly: false, configSource: t ? configSourceOf(b, t, d.name) : 5, isSensitive: false })),
        };
      } catch (e) {
        return { name: rt.name, topicId: '', ...errBody(e, b), numPartitions: -1, replicationFactor: -1, configs: null };
      }
    })),
  });
}

export function deleteTopicsHandler(b: AdminContext): ApiHandler<typeof DeleteTopics> {
  return async (ctx, req) => {
    const targets: { name: string | null; topicId: string }[] = ctx.apiVersion >= 6
      ? (req.topics ?? []).map((t: any) => ({ name: t.name ?? b.metadata.getById(t.topicId)?.name ?? null, topicId: t.topicId }))
      : (req.topicNames ?? []).map((n: string) => ({ name: n, topicId: '' }));
    return {
      throttleTimeMs: 0,
      responses: await Promise.all(targets.map(async (t) => {
        if (!t.name) return { name: null, topicId: t.topicId, errorCode: code('UNKNOWN_TOPIC_ID'), errorMessage: 'Unknown topic id' };
        const id = b.metadata.get(t.name)?.id ?? '';
        try { await b.topics.deleteTopic(t.name); return { name: t.name, topicId: id, errorCode: 0, errorMessage: null }; } catch (e) { return { name: t.name, topicId: id, ...errBody(e, b) }; }
      })),
    };
  };
}

export function createPartitionsHandler(b: AdminContext): ApiHandler<typeof CreatePartitions> {
  return async (ctx, req) => ({
    throttleTimeMs: 0,
    results: await Promise.all((req.topics ?? []).map(async (t: any) => {
      try {
        const assignments = t.assignments?.length ? t.assignments.map((a: any) => a.brokerIds as number[]) : undefined;
        await b.topics.createPartitions(t.name, t.count, req.validateOnly, assignments);
        return { name: t.name, errorCode: 0, errorMessage: null };
      } catch (e) { return { name: t.name, ...errBody(e, b) }; }
    })),
  });
}

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

function configType(d: BrokerConfigKey): number {
  // DescribeConfigs v3 config types: Kafka's ConfigDef types, numbered
  return ({ BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as Record<string, number>)[d.type] ?? 2;
}

export function describeConfigsHandler(b: AdminContext): ApiHandler<typeof DescribeConfigs> {
  return (ctx, req) => ({
    throttleTimeMs: 0,
    results: (req.resources ?? []).map((r: any) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const wanted: Set<string> | null = r.configurationKeys ? new Set(r.configurationKeys) : null;
      if (r.resourceType === TOPIC) {
        const t = b.metadata.get(r.resourceName);
        if (!t) return { ...base, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION'), errorMessage: `Topic '${r.resourceName}' does not exist.`, configs: [] };
        const configs = TOPIC_CONFIGS.filter((d) => !wanted || wanted.has(d.name)).map((d) => {
          const source = configSourceOf(b, t, d.name);
          const value = t.configs[d.name] ?? b.config.topicDefault(d.name);
          const synonyms = req.includeSynonyms ? topicSynonyms(b, t, d.name) : [];
          return { name: d.name, value, readOnly: false, isDefault: source === 5, configSource: source, isSensitive: false, synonyms, configType: configType(d), documentation: req.includeDocumentation ? d.documentation : null };
        });
        return { ...base, errorCode: 0, errorMessage: null, configs };
      }
      if (r.resourceType === BROKER || r.resourceType === BROKER_LOGGER) {
        if (r.resourceName !== '' && r.resourceName !== String(b.nodeId)) return { ...base, errorCode: code('INVALID_REQUEST'), errorMessage: `Broker ${r.resourceName} is not this broker (${b.nodeId}).`, configs: [] };
        if (r.resourceType === BROKER_LOGGER) return { ...base, errorCode: 0, errorMessage: null, configs: [] };
        const entry = (d: BrokerConfigKey | undefined, name: string, synonyms: ConfigSynonym[], value: string | null) => {
          const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
          // Keys and passwords are never sent back (Kafka answers null with is_sensitive).
          const sensitive = d?.type === 'PASSWORD';
          return {
            name, value: sensitive ? null : value, readOnly: !DYNAMIC_BROKER_CONFIGS.has(name) && !!d, isDefault: source === ConfigSource.DEFAULT_CONFIG, configSource: source, isSensitive: sensitive,
            synonyms: req.includeSynonyms ? (sensitive ? synonyms.map((x) => ({ ...x, value: null })) : synonyms) : [], configType: d ? configType(d) : 2, documentation: req.includeDocumentation ? d?.documentation ?? null : null,
          };
        };
        let configs;
        if (r.resourceName === '') {
          // The cluster-wide default resource lists what is set at that level, as Kafka does.
          configs = [...b.config.dynamic.cluster].filter(([k]) => !wanted || wanted.has(k)).map(([k, v]) => {
            const d = BROKER_CONFIG_BY_NAME.get(k);
            return entry(d, k, d ? b.config.synonyms(k).filter((s) => s.source !== ConfigSource.DYNAMIC_BROKER_CONFIG) : [{ name: k, value: v, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }], v);
          });
        } else {
          configs = BROKER_CONFIGS.filter((d) => !wanted || wanted.has(d.name)).map((d) => {
            const synonyms = b.config.synonyms(d.name);
            return entry(d, d.name, synonyms, synonyms[0]?.value ?? b.config.get(d.name));
          });
        }
        return { ...base, errorCode: 0, errorMessage: null, configs };
      }
      return { ...base, errorCode: code('INVALID_REQUEST'), errorMessage: `Unsupported resource type ${r.resourceType}`, configs: [] };
    }),
  });
}

export function alterConfigsHandler(b: AdminContext): ApiHandler<typeof AlterConfigs> {
  return async (ctx, req) => ({
    throttleTimeMs: 0,
    responses: await Promise.all((req.resources ?? []).map(async (r: any) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === BROKER) {
        // Legacy AlterConfigs replaces the resource's whole dynamic config set.
        try {
          const next: Record<string, string> = {};
          for (const c of r.configs ?? []) if (c.value != null) next[c.name] = c.value;
          await b.topics.alterBrokerConfigs(r.resourceName, next, req.validateOnly);
          return { ...base, errorCode: 0, errorMessage: null };
        } catch (e) { return { ...base, ...errBody(e, b) }; }
      }
      if (r.resourceType !== TOPIC) return { ...base, errorCode: code('INVALID_REQUEST'), errorMessage: `Resource type ${r.resourceType} cannot be altered with AlterConfigs.` };
      try {
        if (!b.metadata.get(r.resourceName)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${r.resourceName}' does not exist.`);
        const next: Record<string, string> = {};
        for (const c of r.configs ?? []) if (c.value != null) next[c.name] = c.value;
        if (req.validateOnly) { validateOnly(next); return { ...base, errorCode: 0, errorMessage: null }; }
        await b.topics.alterTopicConfigs(r.resourceName, next);
        return { ...base, errorCode: 0, errorMessage: null };
      } catch (e) { return { ...base, ...errBody(e, b) }; }
    })),
  });
}

function validateOnly(configs: Record<string, string>): void {
  for (const k of Object.keys(configs)) if (!TOPIC_CONFIG_BY_NAME.has(k)) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${k}`);
}

/** One IncrementalAlterConfigs operation (SET 0, DELETE 1, APPEND 2, SUBTRACT 3) on `next`. */
function applyOp(next: Record<string, string>, c: { name: string; configOperation: number; value: string | null }, def: BrokerConfigKey | undefined, fallback: string | null): void {
  const current = (next[c.name] ?? fallback ?? '').split(',').filter(Boolean);
  const isList = !def || def.type === 'LIST';
  switch (c.configOperation) {
    case 0: if (c.value == null) throw new KafkaError('INVALID_CONFIG', `Null value for ${c.name}`); next[c.name] = c.value; break;
    case 1: delete next[c.name]; break;
    case 2: if (!isList) throw new KafkaError('INVALID_CONFIG', `APPEND is only for list configs, not ${c.name}`); next[c.name] = [...new Set([...current, ...String(c.value).split(',')])].join(','); break;
    case 3: if (!isList) throw new KafkaError('INVALID_CONFIG', `SUBTRACT is only for list configs, not ${c.name}`); next[c.name] = current.filter((x) => !String(c.value).split(',').includes(x)).join(','); break;
    default: throw new KafkaError('INVALID_REQUEST', `Unknown config operation ${c.configOperation}`);
  }
}

export function incrementalAlterConfigsHandler(b: AdminContext): ApiHandler<typeof IncrementalAlterConfigs> {
  return async (ctx, req) => ({
    throttleTimeMs: 0,
    responses: await Promise.all((req.resources ?? []).map(async (r: any) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === BROKER) {
        try {
          const next = b.topics.brokerConfigs(r.resourceName);
          for (const c of r.configs ?? []) applyOp(next, c, BROKER_CONFIG_BY_NAME.get(c.name), b.config.get(c.name));
          await b.topics.alterBrokerConfigs(r.resourceName, next, req.validateOnly);
          return { ...base, errorCode: 0, errorMessage: null };
        } catch (e) { return { ...base, ...errBody(e, b) }; }
      }
      if (r.resourceType !== TOPIC) return { ...base, errorCode: code('INVALID_REQUEST'), errorMessage: `Resource type ${r.resourceType} cannot be altered with IncrementalAlterConfigs.` };
      try {
        const t = b.metadata.get(r.resourceName);
        if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${r.resourceName}' does not exist.`);
        const next: Record<string, string> = { ...t.configs };
        for (const c of r.configs ?? []) {
          const def = TOPIC_CONFIG_BY_NAME.get(c.name);
          if (!def) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${c.name}`);
          applyOp(next, c, def, b.config.topicDefault(c.name));
        }
        if (req.validateOnly) { validateOnly(next); return { ...base, errorCode: 0, errorMessage: null }; }
        await b.topics.alterTopicConfigs(r.resourceName, next);
        return { ...base, errorCode: 0, errorMessage: null };
      } catch (e) { return { ...base, ...errBody(e, b) }; }
    })),
  });
}

export function describeLogDirsHandler(b: AdminContext): ApiHandler<typeof DescribeLogDirs> {
  return (ctx, req) => {
    const wanted: Map<string, Set<number>> | null = req.topics ? new Map(req.topics.map((t: any) => [t.topic, new Set(t.partitions)])) : null;
    const byTopic = new Map<string, any[]>();
    let total = 0;
    for (const p of b.replicas.all()) {
      const size = p.log.size;
      total += size;
      if (wanted && !wanted.get(p.topic)?.has(p.partition)) continue;
      if (!byTopic.has(p.topic)) byTopic.set(p.topic, []);
      byTopic.get(p.topic)!.push({ partitionIndex: p.partition, partitionSize: BigInt(size), offsetLag: 0n, isFutureKey: false });
    }
    let usable = -1n;
    try { const s = b.diskStats(); total = s.total; usable = BigInt(s.free); } catch { /* statfs unsupported */ }
    return {
      throttleTimeMs: 0, errorCode: 0,
      results: [{ errorCode: 0, logDir: b.dataDir, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })), totalBytes: BigInt(total), usableBytes: usable }],
    };
  };
}

/**
 * The coordinator of a group (key type 0) or transactional id (1) is the leader of
 * its partition of __consumer_offsets / __transaction_state, as in Kafka; the topic
 * is created on first use, and COORDINATOR_NOT_AVAILABLE answers until it has a leader.
 */
export function findCoordinatorHandler(b: AdminContext): ApiHandler<typeof FindCoordinator> {
  const locate = (key: string, keyType: number, listener?: string): { nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null } => {
    const none = { nodeId: -1, host: '', port: -1 };
    const topic = keyType === 1 ? '__transaction_state' : '__consumer_offsets';
    let t = b.metadata.get(topic);
    if (!t) {
      try {
        const segment = keyType === 1 ? String(100 * 1024 * 1024) : String(b.config.int('offsets.topic.segment.bytes'));
        t = b.topics.create(topic, b.config.int(keyType === 1 ? 'transaction.state.log.num.partitions' : 'offsets.topic.num.partitions'), -1, { 'cleanup.policy': 'compact', 'segment.bytes': segment }, false, true) ?? undefined;
      } catch { /* being created in the store: retry */ }
      if (!t) return { ...none, errorCode: code('COORDINATOR_NOT_AVAILABLE'), errorMessage: `${topic} is being created` };
    }
    const s = b.cluster.partitionState(topic, partitionFor(key, t.partitions.length));
    const leader = s ? b.cluster.brokers().find((x) => x.nodeId === s.leader && x.alive) : undefined;
    if (!leader) return { ...none, errorCode: code('COORDINATOR_NOT_AVAILABLE'), errorMessage: `${topic} partition of '${key}' has no leader now` };
    const ep = reach(b, leader, listener);
    return { nodeId: leader.nodeId, host: ep.host, port: ep.port, errorCode: 0, errorMessage: null };
  };
  return (ctx, req) => {
    if (ctx.apiVersion >= 4) return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys ?? []).map((key: string) => ({ key, ...locate(key, req.keyType, ctx.session?.listenerName) })) };
    return { throttleTimeMs: 0, ...locate(req.key, req.keyType, ctx.session?.listenerName) };
  };
}

/** Per-partition results grouped by topic, in request order. */
function byTopic<T>(results: PartitionResult[], shape: (r: PartitionResult) => T): { topic: string; items: T[] }[] {
  const m = new Map<string, T[]>();
  for (const r of results) { if (!m.has(r.topic)) m.set(r.topic, []); m.get(r.topic)!.push(shape(r)); }
  return [...m].map(([topic, items]) => ({ topic, items }));
}

/** A single node leads every partition itself: nothing to elect, nowhere else to move a replica. */
function singleNodeResult(b: AdminContext, topic: string, partition: number, err: (s: PartitionState) => KafkaError | null): PartitionResult {
  const s = b.cluster.partitionState(topic, partition);
  return { topic, partition, error: s ? err(s) : new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${topic}-${partition} does not exist.`) };
}

const errFields = (e: KafkaError | null) => ({ errorCode: e ? e.code : 0, errorMessage: e ? e.message : null });

/** ElectLeaders (KIP-183/460): preferred-replica or unclean elections, asked of any broker. */
export function electLeadersHandler(b: AdminContext): ApiHandler<typeof ElectLeaders> {
  return async (ctx, req) => {
    const type = ctx.apiVersion >= 1 ? req.electionType : 0;
    const wanted = req.topicPartitions ? req.topicPartitions.flatMap((t: any) => t.partitions.map((partition: number) => ({ topic: t.topic, partition }))) : null;
    const results = b.control
      ? await b.control.electLeaders(type, wanted)
      : (wanted ?? []).map((p) => singleNodeResult(b, p.topic, p.partition, () => new KafkaError('ELECTION_NOT_NEEDED', `Leader election not needed for ${p.topic}-${p.partition}: a single node leads it.`)));
    return {
      throttleTimeMs: 0, errorCode: 0,
      replicaElectionResults: byTopic(results, (r) => ({ partitionId: r.partition, ...errFields(r.error) })).map((t) => ({ topic: t.topic, partitionResult: t.items })),
    };
  };
}

/** AlterPartitionReassignments (KIP-455): new replicas join first, the removed leave once they are in sync. */
export function alterPartitionReassignmentsHandler(b: AdminContext): ApiHandler<typeof AlterPartitionReassignments> {
  return async (_ctx, req) => {
    const reqs = (req.topics ?? []).flatMap((t: any) => t.partitions.map((p: any) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas as number[] | null })));
    const results = b.control
      ? await b.control.alterReassignments(reqs)
      : reqs.map((r) => singleNodeResult(b, r.topic, r.partition, () => {
        if (r.replicas === null) return new KafkaError('NO_REASSIGNMENT_IN_PROGRESS', `No reassignment of ${r.topic}-${r.partition} is in progress.`);
        return r.replicas.length === 1 && r.replicas[0] === b.nodeId ? null : new KafkaError('INVALID_REPLICA_ASSIGNMENT', `${r.topic}-${r.partition}: a single node can only hold its replicas on broker ${b.nodeId}; run a cluster (--metadata-store) to move them.`);
      }));
    return {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      responses: byTopic(results, (r) => ({ partitionIndex: r.partition, ...errFields(r.error) })).map((t) => ({ name: t.topic, partitions: t.items })),
    };
  };
}

/** ListPartitionReassignments: what is being moved, from this broker's copy of the store. */
export function listPartitionReassignmentsHandler(b: AdminContext): ApiHandler<typeof ListPartitionReassignments> {
  return (_ctx, req) => {
    const filter = req.topics ? req.topics.map((t: any) => ({ topic: t.name, partitions: t.partitionIndexes as number[] })) : null;
    const moving = b.control ? b.control.listReassignments(filter) : [];
    const m = new Map<string, PartitionState[]>();
    for (const s of moving) { if (!m.has(s.topic)) m.set(s.topic, []); m.get(s.topic)!.push(s); }
    return {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      topics: [...m].map(([name, ps]) => ({ name, partitions: ps.map((s) => ({ partitionIndex: s.partition, replicas: s.replicas, addingReplicas: s.addingReplicas, removingReplicas: s.removingReplicas })) })),
    };
  };
}
