// Cluster, broker and topic views assembled from kafkajs admin calls.
import type { ITopicMetadata } from 'kafkajs';
import type { BrokerInfo, ClusterInfo, PartitionInfo, TopicConfigEntry, TopicDetails, TopicSummary } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { describeLogDirs } from '../kafka/log-dirs.ts';
import { UiError } from '../errors.ts';

/** Topics whose names start with "_" are platform state (offsets, transactions, schemas). */
export const isInternalTopic = (name: string) => name.startsWith('_');

export interface PartitionOffsets { partition: number; low: string; high: string }

export interface ClusterSnapshot {
  clusterId: string;
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number }[];
  topics: ITopicMetadata[];
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
  const o = await gw.withAdmin(`reading offsets of topic "${topic}"`, (a) => a.fetchTopicOffsets(topic));
  return o.map((p) => ({ partition: p.partition, low: p.low, high: p.high })).sort((a, b) => a.partition - b.partition);
}

export async function snapshot(gw: KafkaGateway, opts: { sizes?: boolean; topics?: string[] } = {}): Promise<ClusterSnapshot> {
  const cluster = await gw.withAdmin('describing the cluster', (a) => a.describeCluster());
  const names = opts.topics ?? await gw.withAdmin('listing topics', (a) => a.listTopics());
  const meta = names.length ? await gw.withAdmin('reading topic metadata', (a) => a.fetchTopicMetadata({ topics: names })) : { topics: [] };
  const offsets = new Map<string, PartitionOffsets[]>();
  await mapLimit(meta.topics, 8, async (t) => { offsets.set(t.name, await topicOffsets(gw, t.name).catch(() => [])); });
  let partitionSizes: Map<string, number> | null = null;
  const brokerDirs = new Map<number, { path: string; sizeBytes: number; error: string | null }[] | null>();
  if (opts.sizes !== false) {
    partitionSizes = new Map();
    const leaders = new Map<string, number>();
    for (const t of meta.topics) for (const p of t.partitions) leaders.set(`${t.name}\0${p.partitionId}`, p.leader);
    await Promise.all(cluster.brokers.map(async (b) => {
      try {
        const dirs = await describeLogDirs(await gw.brokerById(b.nodeId));
        brokerDirs.set(b.nodeId, dirs.map((d) => ({
          path: d.logDir,
          sizeBytes: d.topics.reduce((s, t) => s + t.partitions.reduce((x, p) => x + p.size, 0), 0),
          error: d.errorCode ? `error code ${d.errorCode}` : null,
        })));
        for (const d of dirs) for (const t of d.topics) for (const p of t.partitions) {
          const k = `${t.name}\0${p.partition}`;
          if (leaders.get(k) === b.nodeId) partitionSizes!.set(k, (partitionSizes!.get(k) ?? 0) + p.size);
        }
      } catch {
        brokerDirs.set(b.nodeId, null);
      }
    }));
  }
  return { clusterId: cluster.clusterId, controllerId: cluster.controller ?? -1, brokers: cluster.brokers, topics: meta.topics, offsets, partitionSizes, brokerDirs };
}

const count = (o: PartitionOffsets | undefined) => (o ? Math.max(0, Number(BigInt(o.high) - BigInt(o.low))) : 0);

export function clusterInfo(s: ClusterSnapshot): ClusterInfo {
  const brokers: BrokerInfo[] = s.brokers.map((b) => {
    let leaderCount = 0; let replicaCount = 0;
    for (const t of s.topics) for (const p of t.partitions) {
      if (p.leader === b.nodeId) leaderCount++;
      if (p.replicas.includes(b.nodeId)) replicaCount++;
    }
    const dirs = s.brokerDirs.get(b.nodeId) ?? null;
    return {
      nodeId: b.nodeId, host: b.host, port: b.port, isController: b.nodeId === s.controllerId, leaderCount, replicaCount,
      sizeBytes: dirs ? dirs.reduce((x, d) => x + d.sizeBytes, 0) : null, logDirs: dirs ?? [],
    };
  }).sort((a, b) => a.nodeId - b.nodeId);
  return { clusterId: s.clusterId, controllerId: s.controllerId, brokers };
}

function partitionInfos(s: ClusterSnapshot, t: ITopicMetadata): PartitionInfo[] {
  const offs = s.offsets.get(t.name) ?? [];
  return t.partitions.map((p) => {
    const o = offs.find((x) => x.partition === p.partitionId);
    return {
      partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas ?? [],
      low: o?.low ?? '0', high: o?.high ?? '0', messages: count(o),
      sizeBytes: s.partitionSizes ? s.partitionSizes.get(`${t.name}\0${p.partitionId}`) ?? 0 : null,
    };
  }).sort((a, b) => a.partition - b.partition);
}

export function topicSummaries(s: ClusterSnapshot): TopicSummary[] {
  return s.topics.map((t) => {
    const parts = partitionInfos(s, t);
    return {
      name: t.name, internal: isInternalTopic(t.name), partitions: parts.length,
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
  const r = await gw.withAdmin(`reading configs of topic "${topic}"`, (a) => a.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic }] }));
  const entries = r.resources[0]?.configEntries ?? [];
  return entries.map((e) => ({
    name: e.configName, value: e.configValue, isDefault: e.isDefault, readOnly: e.readOnly, sensitive: e.isSensitive,
    source: CONFIG_SOURCES[(e as { configSource?: number }).configSource ?? 0] ?? 'unknown',
  })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function topicDetails(gw: KafkaGateway, topic: string): Promise<TopicDetails> {
  const names = await gw.withAdmin('listing topics', (a) => a.listTopics());
  if (!names.includes(topic)) throw new UiError('topic_not_found', `Topic "${topic}" does not exist`);
  const s = await snapshot(gw, { topics: [topic] });
  const t = s.topics[0];
  const partitions = partitionInfos(s, t);
  return {
    name: topic, internal: isInternalTopic(topic), partitions, configs: await topicConfigs(gw, topic),
    messages: partitions.reduce((x, p) => x + p.messages, 0),
    sizeBytes: s.partitionSizes ? partitions.reduce((x, p) => x + (p.sizeBytes ?? 0), 0) : null,
  };
}
