// MirrorSourceConnector: copies the source cluster's topics to the target, partition
// for partition, records as bytes (keys, values, headers, timestamps unchanged: the
// connector must run with ByteArrayConverter), creates remote topics with the source's
// partition count and configs, follows new topics/partitions and config changes, and
// writes offset syncs (upstream offset → downstream offset) for checkpoint translation.
import { S, SourceConnector, SourceTask, type ConnectorContext, type Logger, type Props, type RecordMetadata, type SourceRecord, type SourceTaskContext } from '../../../plugins/sdk/index.ts';
import { sourceConfig, nameFilter, policyOf, offsetSyncsBootstrap, regexList, type SourceConfig } from './config.ts';
import { isCycle, type ReplicationPolicy } from './policy.ts';
import { OffsetSyncFormat } from './records.ts';
import { AclAdmin, ClusterAdmin, KafkaProducer, PartitionReader, ensureInternalTopic, every, summarizeKafkaError } from './clusters.ts';
import { aclKey, remoteTopicAcls } from './acls.ts';

/** every mirrored key and value: optional bytes, one schema object shared by all records */
const BYTES = S.bytes(true);

export const VERSION = '3.9.0';
const ASSIGNED = 'task.assigned.partitions';

interface TopicPartition { topic: string; partition: number }
const tpString = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;
function parseTp(s: string): TopicPartition {
  const i = s.lastIndexOf('-');
  return { topic: s.slice(0, i), partition: Number(s.slice(i + 1)) };
}

/** The topics of the source this flow mirrors: by the topic filter, never internal ones, never back to where they came from. */
export function shouldReplicateTopic(c: SourceConfig, policy: ReplicationPolicy, topic: string): boolean {
  return nameFilter(c.topics, c['topics.exclude'])(topic) && !policy.isInternalTopic(topic) && !isCycle(policy, c['target.cluster.alias'], topic);
}

export class MirrorSourceConnector extends SourceConnector {
  private props: Props = {};
  private c!: SourceConfig;
  private policy!: ReplicationPolicy;
  private source: ClusterAdmin | null = null;
  private target: ClusterAdmin | null = null;
  private partitions: TopicPartition[] = [];
  private stops: (() => void)[] = [];
  private log!: Logger;

  version() { return VERSION; }
  config() { return sourceConfig(); }
  taskClass() { return MirrorSourceTask; }
  exactlyOnceSupport() { return 'SUPPORTED' as const; }
  canDefineTransactionBoundaries() { return 'UNSUPPORTED' as const; }

  async start(props: Props, ctx: ConnectorContext) {
    this.props = props;
    this.c = sourceConfig().parse(props);
    this.policy = policyOf(this.c);
    this.log = ctx.logger;
    const id = `mm2-${this.c['source.cluster.alias']}->${this.c['target.cluster.alias']}`;
    this.source = new ClusterAdmin({ bootstrap: this.c['source.cluster.bootstrap.servers'], clientId: `${id}-source-admin` });
    this.target = new ClusterAdmin({ bootstrap: this.c['target.cluster.bootstrap.servers'], clientId: `${id}-target-admin` });
    try {
      if (this.c['emit.offset-syncs.enabled']) {
        const where = this.c['offset-syncs.topic.location'] === 'target' ? this.target : this.source;
        await ensureInternalTopic(where, this.policy.offsetSyncsTopic(this.c['target.cluster.alias']), this.c['offset-syncs.topic.replication.factor']);
      }
      await this.refreshTopics();
    } catch (e) {
      // an unreachable cluster at start is retried by the refresh below, not a failed connector
      this.log.warn({ err: e }, 'mirror: first topic listing failed; retrying at the refresh interval');
    }
    const onError = (what: string) => (e: unknown) => this.log.warn({ err: e }, `mirror: ${what} failed`);
    if (this.c['refresh.topics.enabled']) {
      this.stops.push(every(this.c['refresh.topics.interval.seconds'] * 1000, async () => {
        if (await this.refreshTopics()) ctx.requestTaskReconfiguration();
      }, onError('topic refresh')));
    }
    if (this.c['sync.topic.configs.enabled']) {
      this.stops.push(every(this.c['sync.topic.configs.interval.seconds'] * 1000, () => this.syncTopicConfigs(), onError('topic config sync')));
    }
    if (this.c['sync.topic.acls.enabled']) {
      // as Kafka: once at start, then every interval
      const sync = async () => { if (!this.aclsOff) await this.syncTopicAcls(); };
      void sync().catch(onError('topic ACL sync'));
      this.stops.push(every(this.c['sync.topic.acls.interval.seconds'] * 1000, sync, onError('topic ACL sync')));
    }
  }

  /** set once the source answered that it has no authorizer: nothing to copy, ever */
  private aclsOff = false;

  /** Copies the replicated topics' ACLs to their remote topics (acls.ts says which and how); creates only those missing. */
  private async syncTopicAcls() {
    const sb = this.c['source.cluster.bootstrap.servers'], tb = this.c['target.cluster.bootstrap.servers'];
    const id = `mm2-${this.c['source.cluster.alias']}->${this.c['target.cluster.alias']}-acls`;
    const source = new AclAdmin({ bootstrap: sb, clientId: `${id}-source` });
    const target = new AclAdmin({ bootstrap: tb, clientId: `${id}-target` });
    try {
      const anyTopic = { resourceType: 'TOPIC', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: 'ANY', permission: 'ANY' };
      let found;
      try {
        found = await source.describeAcls(anyTopic);
      } catch (e) {
        if (!summarizeKafkaError(e).codes.includes('SECURITY_DISABLED')) throw e;
        this.aclsOff = true;
        this.log.info({}, `mirror: the source cluster ${this.c['source.cluster.alias']} has no authorizer: no topic ACLs to sync (sync.topic.acls.enabled)`);
        return;
      }
      const want = remoteTopicAcls(found, (t) => (shouldReplicateTopic(this.c, this.policy, t) ? this.policy.formatRemoteTopic(this.c['source.cluster.alias'], t) : null));
      if (!want.length) return;
      const have = new Set((await target.describeAcls({ ...anyTopic, patternType: 'LITERAL' })).map(aclKey));
      const missing = want.filter((a) => !have.has(aclKey(a)));
      if (!missing.length) return;
      await target.createAcls(missing);
      this.log.info({ acls: missing.map((a) => `${a.permission} ${a.principal} ${a.operation} ${a.resourceName}`) }, `mirror: synced ${missing.length} topic ACL bindings`);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  }

  /** Lists the source's topics, creates what is missing on the target; true when the set of partitions changed. */
  private async refreshTopics(): Promise<boolean> {
    const source = this.source!, target = this.target!;
    const topics = (await source.listTopics(false)).filter((t) => shouldReplicateTopic(this.c, this.policy, t)).sort();
    const described = topics.length ? await source.describeTopics(topics) : [];
    const found: TopicPartition[] = described.flatMap((d) => d.partitions.map((p) => ({ topic: d.topic, partition: p.partition })));
    found.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    await this.createRemoteTopics(described.map((d) => ({ topic: d.topic, partitions: d.partitions.length })), target);
    const changed = found.map(tpString).join(',') !== this.partitions.map(tpString).join(',');
    this.partitions = found;
    return changed;
  }

  private async createRemoteTopics(topics: { topic: string; partitions: number }[], target: ClusterAdmin) {
    if (!topics.length) return;
    const existing = new Set(await target.listTopics(true));
    const names = topics.map((t) => this.policy.formatRemoteTopic(this.c['source.cluster.alias'], t.topic)).filter((n) => existing.has(n));
    // describing a missing topic fails the whole call: describe only those that exist
    const remote = new Map((names.length ? await target.describeTopics(names) : []).map((d) => [d.topic, d.partitions.length]));
    const brokers = (await target.describeCluster()).brokers.length;
    for (const t of topics) {
      const name = this.policy.formatRemoteTopic(this.c['source.cluster.alias'], t.topic);
      const have = remote.get(name);
      if (have === undefined) {
        const configs = this.c['sync.topic.configs.enabled'] ? await this.topicConfigs(t.topic) : {};
        await target.createTopics([{ topic: name, partitions: t.partitions, replicationFactor: Math.max(1, Math.min(this.c['replication.factor'], brokers)), configs }]);
        this.log.info({ topic: t.topic, remote: name, partitions: t.partitions }, 'mirror: created remote topic');
      } else if (have < t.partitions) {
        await target.createPartitions(name, t.partitions);
        this.log.info({ topic: t.topic, remote: name, partitions: t.partitions }, 'mirror: added partitions to remote topic');
      }
    }
  }

  /** The source topic's configs that were set on it (not defaults), minus config.properties.exclude. */
  private async topicConfigs(topic: string): Promise<Record<string, string>> {
    const exclude = regexList(this.c['config.properties.exclude']);
    const entries = await this.source!.describeTopicConfigEntries(topic);
    const TOPIC_SOURCE = 1;
    return Object.fromEntries(entries.filter((e) => e.source === TOPIC_SOURCE && e.value !== null && !e.isSensitive && !(exclude && exclude.test(e.name))).map((e) => [e.name, e.value as string]));
  }

  private async syncTopicConfigs() {
    const topics = [...new Set(this.partitions.map((p) => p.topic))];
    for (const topic of topics) {
      const want = await this.topicConfigs(topic);
      const name = this.policy.formatRemoteTopic(this.c['source.cluster.alias'], topic);
      const have = Object.fromEntries((await this.target!.describeTopicConfigEntries(name)).filter((e) => e.source === 1 && e.value !== null).map((e) => [e.name, e.value as string]));
      const same = Object.keys(want).length === Object.keys(have).length && Object.entries(want).every(([k, v]) => have[k] === v);
      if (!same) {
        await this.target!.replaceTopicConfigs(name, want);
        this.log.info({ topic: name, configs: want }, 'mirror: synced topic configs');
      }
    }
  }

  taskConfigs(maxTasks: number): Props[] {
    if (!this.partitions.length) return [];
    const n = Math.max(1, Math.min(maxTasks, this.partitions.length));
    const groups: TopicPartition[][] = Array.from({ length: n }, () => []);
    this.partitions.forEach((tp, i) => groups[i % n].push(tp));
    return groups.map((g) => ({ ...this.props, [ASSIGNED]: g.map(tpString).join(',') }));
  }

  async stop() {
    for (const s of this.stops.splice(0)) s();
    await Promise.all([this.source?.close(), this.target?.close()]);
    this.source = this.target = null;
  }
}

interface PartitionState { previousUpstream: number; previousDownstream: number; lastSyncDownstream: number }

export class MirrorSourceTask extends SourceTask {
  private c!: SourceConfig;
  private policy!: ReplicationPolicy;
  private reader: PartitionReader | null = null;
  private syncs: KafkaProducer | null = null;
  private syncTopic = '';
  private remote = new Map<string, string>();
  private states = new Map<string, PartitionState>();
  /** every sync due, in order (a later one must not replace an earlier one: translation needs the steps) */
  private pendingSyncs: { topic: string; partition: number; upstreamOffset: number; downstreamOffset: number }[] = [];
  private sourceAlias = '';
  private log!: Logger;
  private stopping = false;
  private report: ((info: Record<string, unknown>) => void) | null = null;
  /** per source partition: records not read yet (high-water mark − position), time of the last record read */
  private lag = new Map<string, { records: number; lastTimestamp: number | null }>();
  private lastReport = 0;

  version() { return VERSION; }

  async start(props: Props, ctx: SourceTaskContext) {
    this.report = ctx.reportProgress?.bind(ctx) ?? null;
    this.c = sourceConfig().parse(props);
    this.policy = policyOf(this.c);
    this.log = ctx.logger;
    this.sourceAlias = this.c['source.cluster.alias'];
    const assigned = (props[ASSIGNED] ?? '').split(',').filter(Boolean).map(parseTp);
    const id = `mm2-${this.sourceAlias}->${this.c['target.cluster.alias']}-${ctx.connectorName}-${ctx.taskId}`;
    // read_committed: records of aborted transactions never reach the target
    this.reader = new PartitionReader({ bootstrap: this.c['source.cluster.bootstrap.servers'], clientId: id, isolation: 'read_committed', maxWaitMs: 500 });
    if (this.c['emit.offset-syncs.enabled']) {
      this.syncTopic = this.policy.offsetSyncsTopic(this.c['target.cluster.alias']);
      this.syncs = new KafkaProducer({ bootstrap: offsetSyncsBootstrap(this.c), clientId: `${id}-offset-syncs`, idempotent: false });
    }
    const starts = await Promise.all(assigned.map(async (tp) => {
      const o = (await ctx.offsetStorageReader.offset(this.sourcePartition(tp)))?.offset;
      return { ...tp, offset: typeof o === 'number' && o >= 0 ? o + 1 : 'earliest' as const };
    }));
    await this.reader.assign(starts);
    for (const tp of assigned) this.remote.set(`${tp.topic}\u0000${tp.partition}`, this.policy.formatRemoteTopic(this.sourceAlias, tp.topic));
    this.log.info({ partitions: starts }, 'mirror source task started');
  }

  private sourcePartition(tp: TopicPartition) { return { cluster: this.sourceAlias, partition: tp.partition, topic: tp.topic }; }

  async poll(): Promise<SourceRecord[] | null> {
    await this.flushSyncs();
    if (this.stopping || !this.reader) return null;
    const batches = await this.reader.poll();
    const out: SourceRecord[] = [];
    for (const b of batches) {
      const k = `${b.topic}\u0000${b.partition}`;
      this.lag.set(k, { records: Math.max(0, b.highWatermark - b.nextOffset), lastTimestamp: b.records.length ? b.records[b.records.length - 1].timestamp : this.lag.get(k)?.lastTimestamp ?? null });
      if (!b.records.length) continue;
      const topic = this.remote.get(k) ?? this.policy.formatRemoteTopic(this.sourceAlias, b.topic);
      const sourcePartition = this.sourcePartition(b);
      for (const r of b.records) {
        out.push({
          sourcePartition, sourceOffset: { offset: r.offset }, topic, kafkaPartition: r.partition,
          keySchema: BYTES, key: r.key, valueSchema: BYTES, value: r.value,
          timestamp: r.timestamp, headers: r.headers,
        });
      }
    }
    this.reportLag();
    return out.length ? out : null;
  }

  /**
   * Replication lag, shown in GET /connectors/<name>/errors as the task's progress: records
   * on the source not read yet, and how old the last record read is while any are behind.
   */
  private reportLag() {
    const now = Date.now();
    if (!this.report || now - this.lastReport < 1000) return;
    this.lastReport = now;
    let records = 0, seconds = 0;
    for (const l of this.lag.values()) {
      records += l.records;
      if (l.records > 0 && l.lastTimestamp !== null) seconds = Math.max(seconds, (now - l.lastTimestamp) / 1000);
    }
    this.report({ replicationLagRecords: records, replicationLagSeconds: Math.round(seconds * 10) / 10, partitions: this.lag.size });
  }

  /** Kafka's rule for when a new offset sync is due (MirrorSourceTask.PartitionState.update). */
  commitRecord(record: SourceRecord, metadata: RecordMetadata) {
    if (!this.syncs) return;
    const upstream = record.sourceOffset.offset as number;
    const { topic, partition } = record.sourcePartition as { topic: string; partition: number };
    const key = `${topic}\u0000${partition}`;
    let s = this.states.get(key);
    if (!s) this.states.set(key, (s = { previousUpstream: -1, previousDownstream: -1, lastSyncDownstream: -1 }));
    const downstream = metadata.offset;
    const first = s.lastSyncDownstream === -1;
    const tooStale = downstream - (s.lastSyncDownstream + 1) >= this.c['offset.lag.max'];
    const skipped = upstream - s.previousUpstream !== 1;
    const truncated = downstream < s.previousDownstream;
    if (first || tooStale || skipped || truncated) {
      s.lastSyncDownstream = downstream;
      this.pendingSyncs.push({ topic, partition, upstreamOffset: upstream, downstreamOffset: downstream });
    }
    s.previousUpstream = upstream;
    s.previousDownstream = downstream;
  }

  async commit() { await this.flushSyncs(); }

  private async flushSyncs() {
    if (!this.syncs || !this.pendingSyncs.length) return;
    const syncs = this.pendingSyncs.splice(0);
    try {
      await this.syncs.send(syncs.map((s) => ({ topic: this.syncTopic, partition: 0, key: OffsetSyncFormat.key(s), value: OffsetSyncFormat.value(s) })));
    } catch (e) {
      // a lost sync costs translation precision, never data: the next one supersedes it
      this.log.warn({ err: e }, 'mirror: writing offset syncs failed');
    }
  }

  async stop() {
    this.stopping = true;
    await this.flushSyncs();
    await Promise.all([this.reader?.close(), this.syncs?.close()]);
    this.reader = null;
    this.syncs = null;
  }
}

