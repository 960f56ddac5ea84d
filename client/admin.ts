// Admin calls the platform needs, typed in our terms (numbers for offsets, plain
// objects): topics, configs, offsets, groups and their committed offsets.
import { Admin } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';

export interface TopicSpec { topic: string; partitions: number; replicationFactor: number; configs?: Record<string, string> }
export interface TopicDescription { topic: string; id: string; partitions: { partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }[] }
export interface ClusterDescription { clusterId: string; controllerId: number; brokers: { nodeId: number; host: string; port: number; rack: string | null }[] }
export interface TopicOffsets { topic: string; partition: number; earliest: number; latest: number; lastStable: number }
export interface GroupListing { groupId: string; state: string; protocolType: string }
export interface GroupMemberDescription { memberId: string; clientId: string; clientHost: string; groupInstanceId: string | null; assignment: { topic: string; partitions: number[] }[]; metadata: Buffer | null }
export interface GroupDescription { groupId: string; state: string; protocol: string; protocolType: string; members: GroupMemberDescription[] }
export interface GroupOffset { topic: string; partition: number; offset: number; metadata: string | null }

const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;

/** A Kafka error the library reports, by Kafka's name (TOPIC_ALREADY_EXISTS, GROUP_ID_NOT_FOUND, …). */
export function hasKafkaError(e: unknown, name: string): boolean {
  const seen = new Set<unknown>();
  const walk = (x: unknown): boolean => {
    if (!x || typeof x !== 'object' || seen.has(x)) return false;
    seen.add(x);
    const o = x as { apiId?: unknown; type?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (o.apiId === name || o.type === name) return true;
    return walk(o.cause) || (Array.isArray(o.errors) && o.errors.some(walk));
  };
  return walk(e);
}

export class KafkaAdmin {
  /** The library's admin, for the admin-* files of client/ only (nothing outside client/ imports the library). */
  readonly raw: Admin;

  constructor(readonly cfg: ClientConfig) {
    this.raw = new Admin(baseOptions(cfg));
  }

  async describeCluster(): Promise<ClusterDescription> {
    await ensureCodecs();
    const md = await this.raw.metadata({ topics: [], forceUpdate: true });
    return { clusterId: md.id, controllerId: md.controllerId, brokers: [...md.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: b.rack ?? null })) };
  }

  async listTopics(includeInternal = false): Promise<string[]> {
    return this.raw.listTopics({ includeInternals: includeInternal });
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    const md = await this.raw.metadata({ topics, forceUpdate: true });
    return topics.flatMap((topic) => {
      const t = md.topics.get(topic);
      return t ? [{ topic, id: t.id, partitions: t.partitions.map((p, partition) => ({ partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas ?? [] })) }] : [];
    });
  }

  /** Creates topics; an existing one is not an error. Returns the topics it created. */
  async createTopics(specs: TopicSpec[]): Promise<string[]> {
    const created: string[] = [];
    for (const s of specs) {
      try {
        await this.raw.createTopics({ topics: [s.topic], partitions: s.partitions, replicas: s.replicationFactor, configs: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })) });
        created.push(s.topic);
      } catch (e) {
        if (!hasKafkaError(e, 'TOPIC_ALREADY_EXISTS') && !/already exists/i.test(String((e as Error)?.message))) throw e;
      }
    }
    return created;
  }

  /** Creates a topic if missing, its replication factor capped at the number of brokers; true when it was created. */
  async ensureTopic(s: TopicSpec): Promise<boolean> {
    if ((await this.listTopics(true)).includes(s.topic)) return false;
    const brokers = (await this.describeCluster()).brokers.length;
    return (await this.createTopics([{ ...s, replicationFactor: Math.max(1, Math.min(s.replicationFactor, brokers)) }])).length > 0;
  }

  async deleteTopics(topics: string[]): Promise<void> { await this.raw.deleteTopics({ topics }); }

  async describeTopicConfigs(topic: string): Promise<Record<string, string | null>> {
    const [r] = await this.raw.describeConfigs({ resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic }] });
    return Object.fromEntries((r?.configs ?? []).map((c) => [c.name, c.value ?? null]));
  }

  async describeBrokerConfigs(nodeId: number): Promise<Record<string, string | null>> {
    const [r] = await this.raw.describeConfigs({ resources: [{ resourceType: BROKER_RESOURCE, resourceName: String(nodeId) }] });
    return Object.fromEntries((r?.configs ?? []).map((c) => [c.name, c.value ?? null]));
  }

  /** Earliest, latest and last stable offset of every partition of the topics. */
  async topicOffsets(topics: string[]): Promise<TopicOffsets[]> {
    const md = await this.raw.metadata({ topics });
    const req = topics.filter((t) => md.topics.has(t)).map((name) => ({ name, parts: md.topics.get(name)!.partitionsCount }));
    const ask = (timestamp: bigint, isolationLevel: 0 | 1) => this.raw.listOffsets({ isolationLevel, topics: req.map((t) => ({ name: t.name, partitions: Array.from({ length: t.parts }, (_, partitionIndex) => ({ partitionIndex, timestamp })) })) });
    const [earliest, latest, stable] = await Promise.all([ask(-2n, 0), ask(-1n, 0), ask(-1n, 1)]);
    const find = (l: typeof latest, topic: string, p: number) => l.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === p)?.offset;
    return latest.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex,
      earliest: Number(find(earliest, t.name, p.partitionIndex) ?? 0n), latest: Number(p.offset), lastStable: Number(find(stable, t.name, p.partitionIndex) ?? p.offset),
    }))).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** The first offset at or after a timestamp per partition (-1 when none). */
  async offsetsForTimes(topic: string, timestamp: number): Promise<{ partition: number; offset: number }[]> {
    const md = await this.raw.metadata({ topics: [topic] });
    const n = md.topics.get(topic)?.partitionsCount ?? 0;
    const r = await this.raw.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: n }, (_, partitionIndex) => ({ partitionIndex, timestamp: BigInt(timestamp) })) }] });
    return (r[0]?.partitions ?? []).map((p) => ({ partition: p.partitionIndex, offset: Number(p.offset) }));
  }

  async listGroups(): Promise<GroupListing[]> {
    const m = await this.raw.listGroups();
    return [...m.values()].map((g) => ({ groupId: g.id, state: g.state, protocolType: g.protocolType }));
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const m = await this.raw.describeGroups({ groups: groupIds });
    return [...m.values()].map((g) => ({
      groupId: g.id, state: g.state, protocol: g.protocol, protocolType: g.protocolType,
      members: [...g.members.values()].map((mb) => ({
        memberId: mb.id, clientId: mb.clientId, clientHost: mb.clientHost, groupInstanceId: mb.groupInstanceId ?? null,
        assignment: [...(mb.assignments?.values() ?? [])].map((a) => ({ topic: a.topic, partitions: a.partitions })),
        metadata: mb.metadata?.metadata === undefined ? null : Buffer.isBuffer(mb.metadata.metadata) ? mb.metadata.metadata : Buffer.from(String(mb.metadata.metadata)),
      })),
    }));
  }

  async groupOffsets(groupId: string): Promise<GroupOffset[]> {
    const [g] = await this.raw.listConsumerGroupOffsets({ groups: [groupId] });
    return (g?.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata ?? null })));
  }

  async setGroupOffsets(groupId: string, offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    const by = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets) { let l = by.get(o.topic); if (!l) by.set(o.topic, (l = [])); l.push({ partition: o.partition, offset: BigInt(o.offset) }); }
    await this.raw.alterConsumerGroupOffsets({ groupId, topics: [...by].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) });
  }

  /** Deletes groups; one that does not exist is not an error. */
  async deleteGroups(groupIds: string[]): Promise<void> {
    try {
      await this.raw.deleteGroups({ groups: groupIds });
    } catch (e) {
      if (!hasKafkaError(e, 'GROUP_ID_NOT_FOUND') && !/GROUP_ID_NOT_FOUND|does not exist/i.test(String((e as Error)?.message))) throw e;
    }
  }

  async close(): Promise<void> { await this.raw.close().catch(() => undefined); }
}
