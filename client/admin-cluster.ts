// ClusterAdmin: KafkaAdmin plus what an operator's view of the cluster needs (the
// admin UI first): a create that reports an existing topic, added partitions,
// config entries with their source, AlterConfigs, consumer groups as the broker
// describes them, and log dirs per broker. On the library's public Admin and,
// where that decodes too much or fans out all-or-nothing, its exported per-API
// functions on a connection it opened (DescribeGroups, DescribeLogDirs).
import { describeGroupsV5, describeLogDirsV4, listPartitionReassignmentsV0, metadataV12, FindCoordinatorKeyTypes, createAPI, Writer, type Reader } from '@platformatic/kafka';
import { KafkaAdmin, type ClusterDescription, type TopicDescription } from './admin.ts';
import { decodeConsumerAssignment, type TopicAssignment } from './admin-assignment.ts';

export interface ConfigEntry {
  name: string; value: string | null; readOnly: boolean; isDefault: boolean; isSensitive: boolean;
  /** Kafka's ConfigSource: 1 topic, 2 dynamic broker, 3 dynamic default broker, 4 static broker, 5 default, 6 logger. */
  source: number;
}
export interface GroupMemberInspection {
  memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string;
  /** Decoded for consumer-protocol groups; null when the bytes are another protocol's. */
  assignment: TopicAssignment[] | null;
}
export interface GroupInspection {
  groupId: string; errorCode: number; protocolType: string; protocol: string; members: GroupMemberInspection[];
  /** As the broker names it: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
}
export interface LogDirDescription {
  path: string; errorCode: number; totalBytes: number | null; usableBytes: number | null;
  topics: { name: string; partitions: { partition: number; size: number }[] }[];
}
/** The whole cluster's Metadata in one answer, errors and all. */
export interface ClusterMetadata extends ClusterDescription {
  /** every topic (internal ones too); a partition without a leader has leader -1 and its error code */
  topics: (TopicDescription & { internal: boolean; partitions: (TopicDescription['partitions'][number] & { errorCode: number })[] })[];
}
export interface PartitionReassignment { topic: string; partition: number; replicas: number[]; adding: number[]; removing: number[] }
export interface BrokerLogDirs { nodeId: number; dirs: LogDirDescription[] | null; error: string | null }

const TOPIC_RESOURCE = 2;
const DEFAULT_CONFIG = 5;
const LIST_PARTITION_REASSIGNMENTS = 46;
const LEADER_NOT_AVAILABLE = 5;

/** A per-partition answer of an admin API that answers per partition; errorCode 0 = done. */
export interface PartitionOutcome { topic: string; partition: number; errorCode: number; errorMessage: string | null }

// The library declares AlterPartitionReassignments but throws on any partition's
// error and cannot send a cancel (null replicas); ElectLeaders it lacks. Both are
// declared here on its public createAPI, answering every partition's outcome.
const alterPartitionReassignments = createAPI<[number, { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[]], { errorCode: number; errorMessage: string | null; outcomes: PartitionOutcome[] }>(45, 0,
  (timeoutMs: number, topics: { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[]) => Writer.create()
    .appendInt32(timeoutMs)
    .appendArray(topics, (w, t) => { w.appendString(t.name).appendArray(t.partitions, (w2, p) => { w2.appendInt32(p.partitionIndex).appendArray(p.replicas, (w3, r) => w3.appendInt32(r), true, false); }); })
    .appendTaggedFields(),
  (_id: number, _key: number, _v: number, r: Reader) => {
    r.readInt32();
    const errorCode = r.readInt16();
    const errorMessage = r.readNullableString();
    const outcomes = r.readArray((rt) => { const topic = rt.readString(); return rt.readArray((rp) => ({ topic, partition: rp.readInt32(), errorCode: rp.readInt16(), errorMessage: rp.readNullableString() })); }).flat();
    return { errorCode, errorMessage, outcomes };
  });

const electLeaders = createAPI<[number, { topic: string; partitions: number[] }[] | null, number], { errorCode: number; outcomes: PartitionOutcome[] }>(43, 2,
  (type: number, topics: { topic: string; partitions: number[] }[] | null, timeoutMs: number) => Writer.create()
    .appendInt8(type)
    .appendArray(topics, (w, t) => { w.appendString(t.topic).appendArray(t.partitions, (w2, p) => w2.appendInt32(p), true, false); })
    .appendInt32(timeoutMs)
    .appendTaggedFields(),
  (_id: number, _key: number, _v: number, r: Reader) => {
    r.readInt32();
    const errorCode = r.readInt16();
    const outcomes = r.readArray((rt) => { const topic = rt.readString(); return rt.readArray((rp) => ({ topic, partition: rp.readInt32(), errorCode: rp.readInt16(), errorMessage: rp.readNullableString() })); }).flat();
    return { errorCode, outcomes };
  });

export class ClusterAdmin extends KafkaAdmin {
  /**
   * Creates one topic; unlike createTopics an existing topic is an error
   * (TOPIC_ALREADY_EXISTS). Waits up to `waitMs` until every partition has a leader.
   */
  async createTopic(t: { topic: string; partitions?: number; replicationFactor?: number; configs?: Record<string, string> }, waitMs = 5_000): Promise<void> {
    await this.raw.createTopics({
      topics: [t.topic], partitions: t.partitions ?? 1, replicas: t.replicationFactor ?? 1,
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    });
    const until = Date.now() + waitMs;
    while (Date.now() < until) {
      const [m] = await this.describeTopics([t.topic]).catch(() => []);
      if (m && m.partitions.length && m.partitions.every((p) => p.leader >= 0)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Grows `topic` to `count` partitions. */
  async createPartitions(topic: string, count: number): Promise<void> {
    await this.raw.createPartitions({ topics: [{ name: topic, count }] });
  }

  /** Every config of a topic with where its value comes from. */
  async describeTopicConfigEntries(topic: string): Promise<ConfigEntry[]> {
    const [r] = await this.raw.describeConfigs({ resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic }], includeSynonyms: false });
    return (r?.configs ?? []).map((c) => ({
      name: c.name, value: c.value ?? null, readOnly: c.readOnly, isSensitive: c.isSensitive,
      source: c.configSource, isDefault: c.configSource === DEFAULT_CONFIG,
    }));
  }

  /** AlterConfigs (not incremental): `entries` becomes the topic's whole set of overrides. */
  async replaceTopicConfigs(topic: string, entries: Record<string, string>): Promise<void> {
    await this.raw.alterConfigs({
      resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configs: Object.entries(entries).map(([name, value]) => ({ name, value })) }],
      validateOnly: false,
    });
  }

  /**
   * DescribeGroups on each group's coordinator, states as the broker names them.
   * Member assignments are decoded only for the consumer protocol; a group of
   * another protocol (Connect workers, a registry election) is described, not
   * failed on.
   */
  async inspectGroups(groupIds: string[]): Promise<GroupInspection[]> {
    if (!groupIds.length) return [];
    const coordinators = await this.raw.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: groupIds });
    const byNode = new Map<number, string[]>();
    for (const c of coordinators) byNode.set(c.nodeId, [...(byNode.get(c.nodeId) ?? []), c.key]);
    const connections = await this.raw.connectToBrokers([...byNode.keys()]);
    const out: GroupInspection[] = [];
    await Promise.all([...byNode].map(async ([nodeId, ids]) => {
      const conn = connections.get(nodeId);
      if (!conn) throw new Error(`coordinator ${nodeId} of group(s) ${ids.join(', ')} is not in the cluster metadata`);
      const r = await describeGroupsV5.api.async(conn, ids, false);
      for (const g of r.groups) {
        const consumer = g.protocolType === 'consumer' || g.protocolType === '';
        out.push({
          groupId: g.groupId, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, errorCode: g.errorCode,
          members: g.members.map((m) => ({
            memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost,
            assignment: consumer ? decodeConsumerAssignment(m.memberAssignment) : null,
          })),
        });
      }
    }));
    return groupIds.map((id) => out.find((g) => g.groupId === id)).filter((g): g is GroupInspection => !!g);
  }

  /**
   * Metadata of every topic, as the broker answers it. The library's own metadata()
   * throws when any partition has an error (LEADER_NOT_AVAILABLE while a broker is
   * down), which is exactly when an operator needs to see the cluster; this keeps the
   * answer and reports the errors per partition.
   */
  async clusterMetadata(): Promise<ClusterMetadata> {
    const conns = await this.raw.connectToBrokers(null);
    const conn = conns.values().next().value;
    if (!conn) throw new Error('no broker to ask for metadata');
    let md: metadataV12.MetadataResponse;
    try {
      md = await metadataV12.api.async(conn, null, false, false);
    } catch (e) {
      const response = (e as { response?: metadataV12.MetadataResponse }).response;
      if (!response?.topics) throw e;
      md = response;
    }
    return {
      clusterId: md.clusterId ?? '', controllerId: md.controllerId,
      brokers: md.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
      topics: md.topics.filter((t) => t.name && t.errorCode === 0).map((t) => ({
        topic: t.name!, id: t.topicId, internal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex, leader: p.errorCode === LEADER_NOT_AVAILABLE ? -1 : p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes,
          isr: p.isrNodes, offlineReplicas: p.offlineReplicas, errorCode: p.errorCode,
        })),
      })),
    };
  }

  /**
   * Reassignments in progress, as the controller lists them (ListPartitionReassignments,
   * every topic); null when the broker does not offer the API (asked first: a broker
   * that does not know a key may never answer it).
   */
  async listPartitionReassignments(timeoutMs = 10_000): Promise<PartitionReassignment[] | null> {
    const apis = await this.raw.listApis();
    if (!apis.some((a) => a.apiKey === LIST_PARTITION_REASSIGNMENTS)) return null;
    const { controllerId, brokers } = await this.describeCluster();
    const nodeId = brokers.some((b) => b.nodeId === controllerId) ? controllerId : brokers[0]?.nodeId;
    const conn = (await this.raw.connectToBrokers([nodeId])).get(nodeId);
    if (!conn) throw new Error(`cannot connect to the controller (broker ${nodeId})`);
    const r = await listPartitionReassignmentsV0.api.async(conn, timeoutMs, null as unknown as listPartitionReassignmentsV0.ListPartitionReassignmentsRequestTopic[]);
    if (r.errorCode) throw new Error(`ListPartitionReassignments failed with error code ${r.errorCode}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
    return r.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas })));
  }

  /** A connection to the controller (any broker when none is known). */
  private async controllerConnection() {
    const { controllerId, brokers } = await this.describeCluster();
    const nodeId = brokers.some((b) => b.nodeId === controllerId) ? controllerId : brokers[0]?.nodeId;
    const conn = (await this.raw.connectToBrokers([nodeId])).get(nodeId);
    if (!conn) throw new Error(`cannot connect to the controller (broker ${nodeId})`);
    return conn;
  }

  /**
   * AlterPartitionReassignments (KIP-455): each partition's new replica list,
   * preferred leader first; null cancels a reassignment in progress.
   */
  async alterPartitionReassignments(moves: { topic: string; partition: number; replicas: number[] | null }[], timeoutMs = 30_000): Promise<PartitionOutcome[]> {
    const byTopic = new Map<string, { partitionIndex: number; replicas: number[] | null }[]>();
    for (const m of moves) { if (!byTopic.has(m.topic)) byTopic.set(m.topic, []); byTopic.get(m.topic)!.push({ partitionIndex: m.partition, replicas: m.replicas }); }
    const r = await alterPartitionReassignments.async(await this.controllerConnection(), timeoutMs, [...byTopic].map(([name, partitions]) => ({ name, partitions })));
    if (r.errorCode) throw new Error(`AlterPartitionReassignments failed with error code ${r.errorCode}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
    return r.outcomes;
  }

  /** ElectLeaders: 'preferred' moves leadership to each partition's first replica; null partitions = all. */
  async electLeaders(partitions: { topic: string; partition: number }[] | null, type: 'preferred' | 'unclean' = 'preferred', timeoutMs = 30_000): Promise<PartitionOutcome[]> {
    let topics: { topic: string; partitions: number[] }[] | null = null;
    if (partitions) {
      const m = new Map<string, number[]>();
      for (const p of partitions) { if (!m.has(p.topic)) m.set(p.topic, []); m.get(p.topic)!.push(p.partition); }
      topics = [...m].map(([topic, ps]) => ({ topic, partitions: ps }));
    }
    const r = await electLeaders.async(await this.controllerConnection(), type === 'preferred' ? 0 : 1, topics, timeoutMs);
    if (r.errorCode) throw new Error(`ElectLeaders failed with error code ${r.errorCode}`);
    return r.outcomes;
  }

  /** Every broker's log directories and partition sizes; a broker that fails says so alone. */
  async describeLogDirs(): Promise<BrokerLogDirs[]> {
    const { brokers } = await this.describeCluster();
    return Promise.all(brokers.map(async ({ nodeId }): Promise<BrokerLogDirs> => {
      try {
        const conn = (await this.raw.connectToBrokers([nodeId])).get(nodeId);
        if (!conn) throw new Error(`broker ${nodeId} left the cluster`);
        // null topics = every partition the broker holds.
        const r = await describeLogDirsV4.api.async(conn, null as unknown as describeLogDirsV4.DescribeLogDirsRequestTopic[]);
        const num = (n: bigint) => (n >= 0n ? Number(n) : null);
        return {
          nodeId, error: r.errorCode ? `error code ${r.errorCode}` : null,
          dirs: r.results.map((d) => ({
            path: d.logDir, errorCode: d.errorCode, totalBytes: num(d.totalBytes), usableBytes: num(d.usableBytes),
            topics: d.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, size: Number(p.partitionSize) })) })),
          })),
        };
      } catch (e) {
        return { nodeId, dirs: null, error: (e as Error).message };
      }
    }));
  }
}
