// MirrorCheckpointConnector: translates the source cluster's consumer group offsets
// into the target's offsets (through the offset syncs MirrorSourceTask writes) and
// writes them as Kafka's Checkpoint records to `<source>.checkpoints.internal` on the
// target; with sync.group.offsets.enabled it also commits them into the target's
// __consumer_offsets for groups with no active member there.
import { S, SourceConnector, SourceTask, type ConnectorContext, type Logger, type Props, type SourceRecord, type SourceTaskContext } from '../../../plugins/sdk/index.ts';
import { checkpointConfig, nameFilter, offsetSyncsBootstrap, policyOf, type CheckpointConfig } from './config.ts';
import { isCycle, type ReplicationPolicy } from './policy.ts';
import { CheckpointFormat, OffsetSyncFormat, retainSync, translateDownstream, type Checkpoint, type OffsetSync } from './records.ts';
import { ClusterAdmin, KafkaAdmin, PartitionReader, ensureInternalTopic, every, sleep } from './clusters.ts';
import { VERSION } from './source.ts';

const ASSIGNED = 'task.assigned.groups';
export class MirrorCheckpointConnector extends SourceConnector {
  private props: Props = {};
  private c!: CheckpointConfig;
  private source: KafkaAdmin | null = null;
  private groups: string[] = [];
  private stops: (() => void)[] = [];
  private log!: Logger;

  version() { return VERSION; }
  config() { return checkpointConfig(); }
  taskClass() { return MirrorCheckpointTask; }

  async start(props: Props, ctx: ConnectorContext) {
    this.props = props;
    this.c = checkpointConfig().parse(props);
    this.log = ctx.logger;
    const policy = policyOf(this.c);
    const id = `mm2-${this.c['source.cluster.alias']}->${this.c['target.cluster.alias']}`;
    this.source = new KafkaAdmin({ bootstrap: this.c['source.cluster.bootstrap.servers'], clientId: `${id}-checkpoint-admin` });
    const target = new KafkaAdmin({ bootstrap: this.c['target.cluster.bootstrap.servers'], clientId: `${id}-checkpoint-target-admin` });
    try {
      await ensureInternalTopic(target, policy.checkpointsTopic(this.c['source.cluster.alias']), this.c['checkpoints.topic.replication.factor']);
      await this.refreshGroups();
    } catch (e) {
      this.log.warn({ err: e }, 'mirror: first group listing failed; retrying at the refresh interval');
    } finally {
      await target.close();
    }
    if (this.c['refresh.groups.enabled']) {
      this.stops.push(every(this.c['refresh.groups.interval.seconds'] * 1000, async () => {
        if (await this.refreshGroups()) ctx.requestTaskReconfiguration();
      }, (e) => this.log.warn({ err: e }, 'mirror: group refresh failed')));
    }
  }

  private async refreshGroups(): Promise<boolean> {
    const keep = nameFilter(this.c.groups, this.c['groups.exclude']);
    const found = (await this.source!.listGroups()).filter((g) => (g.protocolType === 'consumer' || g.protocolType === '') && keep(g.groupId)).map((g) => g.groupId).sort();
    const changed = found.join(',') !== this.groups.join(',');
    if (changed) this.log.info({ groups: found }, 'mirror: consumer groups to checkpoint');
    this.groups = found;
    return changed;
  }

  taskConfigs(maxTasks: number): Props[] {
    if (!this.c['emit.checkpoints.enabled'] && !this.c['sync.group.offsets.enabled']) return [];
    if (!this.groups.length) return [];
    const n = Math.max(1, Math.min(maxTasks, this.groups.length));
    const split: string[][] = Array.from({ length: n }, () => []);
    this.groups.forEach((g, i) => split[i % n].push(g));
    return split.map((g) => ({ ...this.props, [ASSIGNED]: g.join(',') }));
  }

  async stop() {
    for (const s of this.stops.splice(0)) s();
    await this.source?.close();
    this.source = null;
  }
}

/** The offset syncs of one flow, read from mm2-offset-syncs.<target>.internal. */
export class OffsetSyncStore {
  private readonly syncs = new Map<string, OffsetSync[]>();
  private started = false;
  constructor(private readonly reader: PartitionReader, private readonly topic: string) {}

  /** Reads the topic up to its current end. */
  async update(): Promise<void> {
    if (!this.started) { await this.reader.assign([{ topic: this.topic, partition: 0, offset: 'earliest' }]); this.started = true; }
    const [end] = await this.reader.endOffsets([{ topic: this.topic, partition: 0 }]);
    for (let i = 0; i < 1000 && (this.reader.position(this.topic, 0) ?? 0) < (end?.latest ?? 0); i++) {
      for (const b of await this.reader.poll()) {
        for (const r of b.records) {
          if (!r.key || !r.value) continue;
          let s: OffsetSync;
          try { s = OffsetSyncFormat.decode(r.key, r.value); } catch { continue; }
          const k = `${s.topic}\u0000${s.partition}`;
          this.syncs.set(k, retainSync(this.syncs.get(k) ?? [], s));
        }
      }
    }
  }

  size(): Record<string, number> { return Object.fromEntries([...this.syncs].map(([k, l]) => [k, l.length])); }

  translate(topic: string, partition: number, upstreamOffset: number): number | null {
    return translateDownstream(this.syncs.get(`${topic}\u0000${partition}`) ?? [], upstreamOffset);
  }
}

export class MirrorCheckpointTask extends SourceTask {
  private c!: CheckpointConfig;
  private policy!: ReplicationPolicy;
  private groups: string[] = [];
  private source: KafkaAdmin | null = null;
  private target: KafkaAdmin | null = null;
  private reader: PartitionReader | null = null;
  private store!: OffsetSyncStore;
  private topicFilter!: (t: string) => boolean;
  private checkpointsTopic = '';
  /** the last checkpoint emitted per group/topic/partition, to write only changes */
  private last = new Map<string, Checkpoint>();
  private nextEmit = 0;
  private nextSync = 0;
  private stopping = false;
  private log!: Logger;

  version() { return VERSION; }

  async start(props: Props, ctx: SourceTaskContext) {
    this.c = checkpointConfig().parse(props);
    this.policy = policyOf(this.c);
    this.log = ctx.logger;
    this.groups = (props[ASSIGNED] ?? '').split(',').filter(Boolean);
    const id = `mm2-${this.c['source.cluster.alias']}->${this.c['target.cluster.alias']}-${ctx.connectorName}-${ctx.taskId}`;
    this.source = new KafkaAdmin({ bootstrap: this.c['source.cluster.bootstrap.servers'], clientId: `${id}-source` });
    this.target = new KafkaAdmin({ bootstrap: this.c['target.cluster.bootstrap.servers'], clientId: `${id}-target` });
    this.reader = new PartitionReader({ bootstrap: offsetSyncsBootstrap(this.c), clientId: `${id}-offset-syncs`, maxWaitMs: 100 });
    this.store = new OffsetSyncStore(this.reader, this.policy.offsetSyncsTopic(this.c['target.cluster.alias']));
    this.checkpointsTopic = this.policy.checkpointsTopic(this.c['source.cluster.alias']);
    const keep = nameFilter(this.c.topics, this.c['topics.exclude']);
    this.topicFilter = (t) => keep(t) && !this.policy.isInternalTopic(t) && !isCycle(this.policy, this.c['target.cluster.alias'], t);
    this.log.info({ groups: this.groups }, 'mirror checkpoint task started');
    const now = Date.now();
    this.nextEmit = now + this.c['emit.checkpoints.interval.seconds'] * 1000;
    this.nextSync = now + this.c['sync.group.offsets.interval.seconds'] * 1000;
  }

  async poll(): Promise<SourceRecord[] | null> {
    const emit = this.c['emit.checkpoints.enabled'], sync = this.c['sync.group.offsets.enabled'];
    const due = Math.min(emit ? this.nextEmit : Infinity, sync ? this.nextSync : Infinity);
    const wait = Math.min(500, due - Date.now());
    if (wait > 0) { await sleep(wait); return null; }
    if (this.stopping) return null;
    const now = Date.now();
    const checkpoints = await this.checkpoints();
    this.log.debug({ checkpoints }, 'mirror: translated group offsets');
    const out: SourceRecord[] = [];
    if (emit && now >= this.nextEmit) {
      this.nextEmit = now + this.c['emit.checkpoints.interval.seconds'] * 1000;
      for (const cp of checkpoints) {
        const k = `${cp.group}\u0000${cp.topic}\u0000${cp.partition}`;
        const prev = this.last.get(k);
        if (prev && prev.upstreamOffset === cp.upstreamOffset && prev.downstreamOffset === cp.downstreamOffset) continue;
        this.last.set(k, cp);
        out.push({
          sourcePartition: { group: cp.group, partition: cp.partition, topic: cp.topic }, sourceOffset: { offset: 0 },
          topic: this.checkpointsTopic, kafkaPartition: 0,
          keySchema: S.bytes(), key: CheckpointFormat.key(cp), valueSchema: S.bytes(), value: CheckpointFormat.value(cp), timestamp: now,
        });
      }
    }
    if (sync && now >= this.nextSync) {
      this.nextSync = now + this.c['sync.group.offsets.interval.seconds'] * 1000;
      await this.syncGroupOffsets(checkpoints);
    }
    return out.length ? out : null;
  }

  /** The translated offsets of every assigned group, now. */
  private async checkpoints(): Promise<Checkpoint[]> {
    await this.store.update();
    const out: Checkpoint[] = [];
    const sourceAlias = this.c['source.cluster.alias'];
    for (const group of this.groups) {
      let offsets;
      try { offsets = await this.source!.groupOffsets(group); this.log.debug({ group, offsets, syncs: this.store.size() }, 'mirror: group offsets'); } catch (e) { this.log.warn({ err: e, group }, 'mirror: reading group offsets failed'); continue; }
      for (const o of offsets) {
        if (o.offset < 0 || !this.topicFilter(o.topic)) continue;
        const downstream = this.store.translate(o.topic, o.partition, o.offset);
        if (downstream === null || downstream < 0) continue;
        out.push({ group, topic: this.policy.formatRemoteTopic(sourceAlias, o.topic), partition: o.partition, upstreamOffset: o.offset, downstreamOffset: downstream, metadata: o.metadata ?? '' });
      }
    }
    return out;
  }

  /** Kafka's syncGroupOffset: only groups without active members on the target, only forward. */
  private async syncGroupOffsets(checkpoints: Checkpoint[]) {
    const target = this.target!;
    const states = new Map((await target.listGroups()).map((g) => [g.groupId, g.state]));
    const byGroup = new Map<string, Checkpoint[]>();
    for (const cp of checkpoints) byGroup.set(cp.group, [...(byGroup.get(cp.group) ?? []), cp]);
    const topics = new Set(await target.listTopics(false));
    for (const [group, cps] of byGroup) {
      const state = states.get(group);
      if (state !== undefined && !/^(empty|dead)$/i.test(state)) continue;
      const have = new Map((state === undefined ? [] : await target.groupOffsets(group)).map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
      const moves = cps.filter((cp) => topics.has(cp.topic) && (have.get(`${cp.topic}\u0000${cp.partition}`) ?? -1) < cp.downstreamOffset)
        .map((cp) => ({ topic: cp.topic, partition: cp.partition, offset: cp.downstreamOffset }));
      if (!moves.length) continue;
      try {
        await target.setGroupOffsets(group, moves);
        this.log.info({ group, offsets: moves }, 'mirror: synced group offsets to the target');
      } catch (e) {
        // a consumer that joined meanwhile makes the commit fail: its own offsets win
        this.log.warn({ err: e, group }, 'mirror: syncing group offsets failed');
      }
    }
  }

  async stop() {
    this.stopping = true;
    await Promise.all([this.source?.close(), this.target?.close(), this.reader?.close()]);
    this.source = this.target = null;
    this.reader = null;
  }
}
