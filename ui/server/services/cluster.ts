// Cluster, broker and topic views assembled from the client module's admin calls.
import type { TopicDescription } from '../../../client/index.ts';
import type { BrokerInfo, ClusterInfo, MetadataStoreStatus, PartitionHealth, PartitionInfo, ReassignmentInfo, TopicConfigEntry, TopicDetails, TopicSummary } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { UiError } from '../errors.ts';

/** Topics whose names start with "_" are platform state (offsets, transactions, schemas). */
export const isInternalTopic = (name: string) => name.startsWith('_');

export interface PartitionOffsets { partition: number; low: string; high: string }

export interface ClusterSnapshot {
  clusterId: string;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  topics: TopicDescription[];
  offsets: Map<string, PartitionOffsets[]>;
  /** `${topic}\0${partition}` -> bytes, summed over brokers holding it (leader copy only). */
  partitionSizes: Map<string, number> | null;
  brokerDirs: Map<number, { path: string; sizeBytes: number; error: string | null }[] | null>;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) { const k = i++; out[k] = await fn(items[k]); }
  }));
  return out;
}

export async function topicOffsets(gw: KafkaGateway, topic: string): Promise<PartitionOffsets[]> {
  const o = await gw.withAdmin(`reading offsets of topic "${topic}"`, (a) => a.topicOffsets([topic]));
  return o.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, low: String(p.earliest), high: String(p.latest) }));
}

/** The first offset at or after `timestamp` (ms) per partition; none when no record is that late. */
export async function offsetsAt(gw: KafkaGateway, topic: string, timestamp: number): Promise<Map<number, bigint>> {
  const r = await gw.withAdmin(`finding offsets of "${topic}" at ${new Date(timestamp).toISOString()}`, (a) => a.offsetsForTimes(topic, timestamp));
  return new Map(r.filter((p) => p.offset >= 0).map((p) => [p.partition, BigInt(p.offset)]));
}

export async function snapshot(gw: KafkaGateway, opts: { sizes?: boolean; topics?: string[] } = {}): Promise<ClusterSnapshot> {
  // one Metadata answer that keeps leaderless partitions (a broker down) instead of failing the page
  const cluster = await gw.withAdmin('reading cluster metadata', (a) => a.clusterMetadata());
  const topics: TopicDescription[] = opts.topics ? cluster.topics.filter((t) => opts.topics!.includes(t.topic)) : cluster.topics;
  const offsets = new Map<string, PartitionOffsets[]>();
  await mapLimit(topics, 8, async (t) => { offsets.set(t.topic, await topicOffsets(gw, t.topic).catch(() => [])); });
  let partitionSizes: Map<string, number> | null = null;
  const brokerDirs = new Map<number, { path: string; sizeBytes: number; error: string | null }[] | null>();
  if (opts.sizes !== false) {
    partitionSizes = new Map();
    const leaders = new Map<string, number>();
    for (const t of topics) for (const p of t.partitions) leaders.set(`${t.topic}\0${p.partition}`, p.leader);
    const reports = await gw.withAdmin('describing log dirs', (a) => a.describeLogDirs()).catch(() => []);
    for (const b of cluster.brokers) {
      const dirs = reports.find((r) => r.nodeId === b.nodeId)?.dirs;
      if (!dirs) { brokerDirs.set(b.nodeId, null); continue; }
      brokerDirs.set(b.nodeId, dirs.map((d) => ({
        path: d.path,
        sizeBytes: d.topics.reduce((s, t) => s + t.partitions.reduce((x, p) => x + p.size, 0), 0),
        error: d.errorCode ? `error code ${d.errorCode}` : null,
      })));
      for (const d of dirs) for (const t of d.topics) for (const p of t.partitions) {
        const k = `${t.name}\0${p.partition}`;
        if (leaders.get(k) === b.nodeId) partitionSizes.set(k, (partitionSizes.get(k) ?? 0) + p.size);
      }
    }
  }
  return {
    clusterId: cluster.clusterId, controllerId: cluster.controllerId,
    brokers: cluster.brokers.map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })).sort((a, b) => a.nodeId - b.nodeId),
    topics, offsets, partitionSizes, brokerDirs,
  };
}

const count = (o: PartitionOffsets | undefined) => (o ? Math.max(0, Number(BigInt(o.high) - BigInt(o.low))) : 0);

/** `metadataStore`: what the samplers read from the brokers' /metrics (null on a single node). */
export function clusterInfo(s: ClusterSnapshot, reassignments: { list: ReassignmentInfo[] | null; error?: string } = { list: null }, metadataStore: MetadataStoreStatus | null = null): ClusterInfo {
  // A broker that replicas name but Metadata does not list is registered nowhere now: down.
  const known = new Map<number, { nodeId: number; host: string; port: number; rack: string | null; alive: boolean }>(s.brokers.map((b) => [b.nodeId, { ...b, alive: true }]));
  for (const t of s.topics) for (const p of t.partitions) for (const r of p.replicas) if (!known.has(r)) known.set(r, { nodeId: r, host: '', port: 0, rack: null, alive: false });
  const brokers: BrokerInfo[] = [...known.values()].map((b) => {
    let leaderCount = 0; let replicaCount = 0;
    for (const t of s.topics) for (const p of t.partitions) {
      if (p.leader === b.nodeId && b.alive) leaderCount++; // a dead broker leads nothing, whatever stale metadata says
      if (p.replicas.includes(b.nodeId)) replicaCount++;
    }
    const dirs = s.brokerDirs.get(b.nodeId) ?? null;
    return {
      nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack, alive: b.alive, isController: b.nodeId === s.controllerId, leaderCount, replicaCount,
      sizeBytes: dirs ? dirs.reduce((x, d) => x + d.sizeBytes, 0) : null, logDirs: dirs ?? [],
    };
  }).sort((a, b) => a.nodeId - b.nodeId);
  const health = (t: TopicDescription, p: TopicDescription['partitions'][number]): PartitionHealth =>
    ({ topic: t.topic, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas });
  const alive = new Set(s.brokers.map((b) => b.nodeId));
  const offline: PartitionHealth[] = []; const underReplicated: PartitionHealth[] = [];
  let partitionCount = 0;
  for (const t of [...s.topics].sort((a, b) => a.topic.localeCompare(b.topic))) {
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      partitionCount++;
      // a leader the cluster no longer lists is as good as none until the controller elects another
      if (p.leader < 0 || !alive.has(p.leader)) offline.push(health(t, p));
      else if (p.isr.length < p.replicas.length || p.replicas.some((r) => !alive.has(r))) underReplicated.push(health(t, p));
    }
  }
  return {
    clusterId: s.clusterId, controllerId: s.controllerId, brokers, partitionCount, underReplicated, offline,
    reassignments: reassignments.list, ...(reassignments.error ? { reassignmentsError: reassignments.error } : {}), metadataStore,
  };
}

/** Reassignments in progress; a broker without ListPartitionReassignments (or a failure) is said, not thrown. */
export async function reassignments(gw: KafkaGateway): Promise<{ list: ReassignmentInfo[] | null; error?: string }> {
  try {
    const r = await gw.withAdmin('listing partition reassignments', (a) => a.listPartitionReassignments());
    if (r === null) return { list: null, error: 'the broker does not offer ListPartitionReassignments' };
    return { list: r.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition) };
  } catch (e) {
    return { list: null, error: (e as Error).message };
  }
}

function partitionInfos(s: ClusterSnapshot, t: TopicDescription): PartitionInfo[] {
  const offs = s.offsets.get(t.topic) ?? [];
  return t.partitions.map((p) => {
    const o = offs.find((x) => x.partition === p.partition);
    return {
      partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas,
      low: o?.low ?? '0', high: o?.high ?? '0', messages: count(o),
      sizeBytes: s.partitionSizes ? s.partitionSizes.get(`${t.topic}\0${p.partition}`) ?? 0 : null,
    };
  }).sort((a, b) => a.partition - b.partition);
}

export function topicSummaries(s: ClusterSnapshot): TopicSummary[] {
  return s.topics.map((t) => {
    const parts = partitionInfos(s, t);
    return {
      name: t.topic, internal: isInternalTopic(t.topic), partitions: parts.length,
      replicationFactor: parts[0]?.replicas.length ?? 0,
      messages: parts.reduce((x, p) => x + p.messages, 0),
      sizeBytes: s.partitionSizes ? parts.reduce((x, p) => x + (p.sizeBytes ?? 0), 0) : null,
      underReplicated: parts.filter((p) => p.isr.length < p.replicas.length).length,
      offline: parts.filter((p) => p.leader < 0).length,
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown', 1: 'topic', 2: 'dynamic broker', 3: 'dynamic default broker', 4: 'static broker', 5: 'default', 6: 'dynamic broker logger',
};

export async function topicConfigs(gw: KafkaGateway, topic: string): Promise<TopicConfigEntry[]> {
  const entries = await gw.withAdmin(`reading configs of topic "${topic}"`, (a) => a.describeTopicConfigEntries(topic));
  return entries.map((e) => ({
    name: e.name, value: e.value, isDefault: e.isDefault, readOnly: e.readOnly, sensitive: e.isSensitive,
    source: CONFIG_SOURCES[e.source] ?? 'unknown',
  })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function topicDetails(gw: KafkaGateway, topic: string): Promise<TopicDetails> {
  const s = await snapshot(gw, { topics: [topic] });
  if (!s.topics.length) throw new UiError('topic_not_found', `Topic "${topic}" does not exist`);
  const t = s.topics[0];
  const partitions = partitionInfos(s, t);
  return {
    name: topic, internal: isInternalTopic(topic), partitions, configs: await topicConfigs(gw, topic),
    messages: partitions.reduce((x, p) => x + p.messages, 0),
    sizeBytes: s.partitionSizes ? partitions.reduce((x, p) => x + (p.sizeBytes ?? 0), 0) : null,
  };
}
