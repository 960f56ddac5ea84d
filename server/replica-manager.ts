// Owns the partitions of this broker: opening and recovering their logs, appends,
// waking long-polling fetches, periodic flush/roll, the producer state of each log
// and, when tiered storage is on, its remote part. Handlers ask a Partition.
// Replication: it applies the cluster view's partition states (becoming leader or
// follower), runs one replica fetcher per leader this broker follows, moves the
// high-water mark from follower fetches, shrinks and expands the ISR through the
// view, and holds acks=all produce requests until the high-water mark passes them.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PartitionLog, writeFileAtomic, writeFileAtomicAsync, type LogConfig, type AppendResult, type AppendOptions } from './log/partition-log.ts';
import type { BatchInfo } from './log/record-batch.ts';
import type { SharedBuffer } from './log/read-buffers.ts';
import type { BrokerConfig } from './config.ts';
import type { MetadataStore, TopicMeta } from './cluster/metadata-store.ts';
import type { ClusterView, PartitionState } from './cluster/cluster-view.ts';
import { ReplicaFetcher, type FetcherSettings } from './replication/replica-fetcher.ts';
import type { InterBrokerSecurity } from './replication/inter-broker-client.ts';
import { ReplicationQuota, isThrottled, shouldLeaderThrottle, throttledPartitions } from './replication/replication-quota.ts';
import { ProducerStateManager } from './txn/producer-state.ts';
import { KafkaError } from './errors.ts';
import { Partition, type PartitionServices, type RemoteLog } from './partition.ts';

export { Partition } from './partition.ts';

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';
/** Kafka's high-water mark checkpoint of a log dir: `0`, the count, then `topic partition offset` lines. */
const HW_CHECKPOINT = 'replication-offset-checkpoint';
const HW_CHECKPOINT_INTERVAL_MS = 5000;

type Waiter = () => void;

/** An acks=all produce waiting for the high-water mark to pass its last offset. */
interface CommitWaiter { required: bigint; resolve: (error: CommitError | null) => void; timer: NodeJS.Timeout }
export type CommitError = 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' | 'NOT_LEADER_OR_FOLLOWER' | 'REQUEST_TIMED_OUT';

export class ReplicaManager {
  private partitions = new Map<string, Partition>();
  private waiters = new Map<string, Set<Waiter>>();
  private appendListeners: ((p: Partition, r: AppendResult) => void)[] = [];
  private leadershipListeners: ((p: Partition, leader: boolean) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private cleanStart = false;
  /** idempotent and transactional producer state of every partition (Kafka keeps it with the log) */
  readonly producerState = new ProducerStateManager();
  private readonly services: PartitionServices;
  /** who leads which partition (server/cluster/); set by the broker before open() */
  cluster!: ClusterView;
  /** one fetcher per leader this broker follows partitions of */
  private fetchers = new Map<number, ReplicaFetcher>();
  /** inter.broker.listener.name and its security (set by the broker at start; a single node never fetches) */
  interBroker?: InterBrokerSecurity;
  private commitWaiters = new Map<string, CommitWaiter[]>();
  private unsubscribe?: () => void;
  private isrTimer?: NodeJS.Timeout;
  private closed = false;
  /** high-water marks read from the checkpoint at start, by partition key */
  private hwCheckpoint = new Map<string, bigint>();
  private hwCheckpointInFlight = false;
  private lastHwCheckpoint = 0;
  /** KIP-73: what this broker sends to throttled followers not in the ISR (leader.replication.throttled.rate) */
  readonly leaderQuota: ReplicationQuota;
  /** KIP-73: what this broker fetches for its throttled replicas not caught up (follower.replication.throttled.rate) */
  readonly followerQuota: ReplicationQuota;

  constructor(
    readonly dataDir: string,
    readonly config: BrokerConfig,
    readonly metadata: MetadataStore,
    readonly logger: Logger,
  ) {
    this.services = { brokerId: metadata.nodeId, producerState: this.producerState, remote: null };
    this.leaderQuota = new ReplicationQuota(() => Number(config.get('leader.replication.throttled.rate')));
    this.followerQuota = new ReplicationQuota(() => Number(config.get('follower.replication.throttled.rate')));
  }

  static key(topic: string, partition: number): string { return `${topic}-${partition}`; }

  /** Tiered storage: data below each partition's local log start lives there. */
  attachRemoteLog(remote: RemoteLog): void {
    if (this.services.remote) throw new Error('remote storage is already attached');
    this.services.remote = remote;
  }

  /**
   * Opens every partition in the metadata, recovering unless the last shutdown was
   * clean. Yields to the event loop between partitions so the admin port can answer
   * /ready (503) during a long recovery.
   */
  async open(): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const marker = path.join(this.dataDir, CLEAN_SHUTDOWN);
    this.cleanStart = fs.existsSync(marker);
    if (!this.cleanStart && this.metadata.list().length > 0) this.logger.info('previous shutdown was not clean: recovering the active segment of every partition');
    this.hwCheckpoint = readHwCheckpoint(path.join(this.dataDir, HW_CHECKPOINT));
    for (const t of this.metadata.list()) {
      const cfg = this.logConfig(t);
      for (const p of t.partitions) { this.openPartition(t, p, cfg); await new Promise(setImmediate); }
    }
    // Producer state must be loaded before the first fetch computes an LSO.
    for (const p of this.partitions.values()) { this.producerState.state(p); await new Promise(setImmediate); }
    fs.rmSync(marker, { force: true });
    const interval = Math.max(10, this.config.int('log.flush.scheduler.interval.ms'));
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
    // Leadership comes from the cluster view: every partition's state now, then each change.
    if (this.cluster) this.unsubscribe = this.cluster.onPartitionChange((s) => this.applyPartitionState(s));
    const lag = this.config.int('replica.lag.time.max.ms');
    this.isrTimer = setInterval(() => this.checkIsr(), Math.max(20, Math.floor(lag / 2)));
    this.isrTimer.unref();
  }

  logConfig(t: TopicMeta): LogConfig {
    const v = (name: string): string => t.configs[name] ?? this.config.topicDefault(name)!;
    return {
      segmentBytes: Number(v('segment.bytes')),
      segmentMs: Number(v('segment.ms')),
      indexIntervalBytes: Number(v('index.interval.bytes')),
      maxMessageBytes: Number(v('max.message.bytes')),
      timestampType: v('message.timestamp.type'),
      flushMessages: Number(v('flush.messages')),
      flushMs: Number(v('flush.ms')),
    };
  }

  /** Effective value of a topic config (override or broker default). */
  topicConfigValue(t: TopicMeta, name: string): string | null {
    return t.configs[name] ?? this.config.topicDefault(name);
  }

  openTopic(t: TopicMeta): void {
    const cfg = this.logConfig(t);
    for (const p of t.partitions) this.openPartition(t, p, cfg);
  }

  private openPartition(t: TopicMeta, p: TopicMeta['partitions'][number], cfg: LogConfig): Partition {
    const k = ReplicaManager.key(t.name, p.partition);
    const have = this.partitions.get(k);
    if (have) return have;
    const log = PartitionLog.open(path.join(this.dataDir, k), cfg, this.cleanStart, (m) => this.logger.warn(m));
    // A replica's high-water mark survives restarts (what it knew was committed), not its whole log end;
    // a leader alone in its ISR moves it to the log end at once.
    const hw = this.hwCheckpoint.get(k);
    if (hw !== undefined) log.highWatermark = hw < log.logStartOffset ? log.logStartOffset : hw > log.logEndOffset ? log.logEndOffset : hw;
    const part = new Partition(t.name, p.partition, log, p.leaderEpoch, this.services, { leader: p.leader, replicas: p.replicas, isr: p.isr });
    this.applyThrottles(t, [part]);
    this.partitions.set(k, part);
    return part;
  }

  reconfigure(t: TopicMeta): void {
    const cfg = this.logConfig(t);
    const parts: Partition[] = [];
    for (const p of t.partitions) {
      const part = this.partitions.get(ReplicaManager.key(t.name, p.partition));
      if (part) { part.log.config = cfg; parts.push(part); }
    }
    this.applyThrottles(t, parts);
  }

  /** The topic's leader/follower.replication.throttled.replicas entries for this broker (KIP-73). */
  private applyThrottles(t: TopicMeta, parts: Partition[]): void {
    const me = this.metadata.nodeId;
    const leader = throttledPartitions(t.configs['leader.replication.throttled.replicas'], me);
    const follower = throttledPartitions(t.configs['follower.replication.throttled.replicas'], me);
    for (const p of parts) {
      const l = isThrottled(leader, p.partition);
      const f = isThrottled(follower, p.partition);
      if (l !== p.leaderThrottled || f !== p.followerThrottled) this.logger.info({ partition: p.key, leaderThrottled: l, followerThrottled: f }, 'replication throttle of the partition changed');
      p.leaderThrottled = l;
      p.followerThrottled = f;
    }
  }

  /**
   * KIP-73, on the leader: a follower's fetch of `p` gets nothing now — `p` is
   * leader-throttled here, the follower is not in the ISR, and the leader quota is used up.
   */
  shouldLeaderThrottle(p: Partition, replicaId: number, now = Date.now()): boolean {
    return shouldLeaderThrottle(p, replicaId, this.leaderQuota, now);
  }

  deleteTopic(t: TopicMeta): void {
    for (const p of t.partitions) {
      const k = ReplicaManager.key(t.name, p.partition);
      const part = this.partitions.get(k);
      if (part) { this.stopFetching(part); this.failCommitWaiters(part, 'NOT_LEADER_OR_FOLLOWER'); part.log.deleteAll(); this.producerState.forget(part); this.partitions.delete(k); }
      this.wake(k);
    }
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(ReplicaManager.key(topic, partition));
  }

  all(): Partition[] { return [...this.partitions.values()]; }

  onAppend(fn: (p: Partition, r: AppendResult) => void): void { this.appendListeners.push(fn); }

  /** Told when this broker becomes leader of a partition (a new leader epoch) or stops leading it: coordinators load and unload. */
  onLeadershipChange(fn: (p: Partition, leader: boolean) => void): void { this.leadershipListeners.push(fn); }

  private leadershipChanged(p: Partition, leader: boolean): void {
    for (const l of this.leadershipListeners) {
      try { l(p, leader); } catch (e) { this.logger.error({ err: e, partition: p.key }, 'leadership listener failed'); }
    }
  }

  /**
   * A produce request's batches, after the producer checks (a retried batch answers
   * with the offsets it was first written at).
   */
  appendRecordsAsLeader(p: Partition, records: Buffer, batches: BatchInfo[], shared?: SharedBuffer): AppendResult | { duplicate: { baseOffset: bigint } } {
    const check = p.checkProducerAppend(batches);
    if (check?.duplicate) return { duplicate: check.duplicate };
    return this.append(p, records, { validated: batches, shared });
  }

  /** A leader's append (produce, coordinators' records). A follower's log is written by its fetcher alone. */
  append(p: Partition, records: Buffer, opts: AppendOptions = {}): AppendResult {
    if (!p.isLeader) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `Broker ${this.metadata.nodeId} is not the leader of ${p.key} (leader: ${p.leaderId})`);
    const r = p.appendToLocalLog(records, opts);
    // The write is committed once every in-sync replica has it: on one node, now
    // (in the page cache, or fsynced per flush.messages/flush.ms).
    if (p.maybeIncrementHighWatermark()) this.completeCommitWaiters(p);
    for (const l of this.appendListeners) l(p, r);
    this.wake(p.key);
    return r;
  }

  // ---- replication ----

  /**
   * The controller's state for one partition: become its leader or a follower of
   * its leader (truncating, then fetching), or take an ISR change. States older than
   * the partition's leader epoch are ignored.
   */
  applyPartitionState(s: PartitionState): void {
    if (this.closed) return;
    const me = this.metadata.nodeId;
    const hosted = s.replicas.includes(me) || s.addingReplicas.includes(me);
    let p = this.get(s.topic, s.partition);
    if (!p) {
      if (!hosted) return;
      p = this.openFromState(s);
    }
    if (s.leaderEpoch < p.leaderEpoch || (s.leaderEpoch === p.leaderEpoch && s.partitionEpoch < p.partitionEpoch && p.state)) return;
    if (!hosted) {
      // Reassigned away (KIP-455): stop replicating; the data stays until the topic is deleted.
      this.stopFetching(p);
      this.failCommitWaiters(p, 'NOT_LEADER_OR_FOLLOWER');
      const wasLeading = p.isLeader;
      p.makeFollower({ ...s, leader: -1 });
      if (wasLeading) this.leadershipChanged(p, false);
      return;
    }
    if (s.leader === me) {
      this.stopFetching(p);
      if (p.makeLeader(s)) {
        this.logger.info({ partition: p.key, leaderEpoch: s.leaderEpoch, isr: s.isr, logEnd: String(p.logEndOffset), highWatermark: String(p.highWatermark) }, 'became leader');
        this.leadershipChanged(p, true);
      }
      // An ISR that shrank may commit what waited; one that grew waits for the newcomer.
      if (p.maybeIncrementHighWatermark()) this.onHighWatermark(p);
      else this.completeCommitWaiters(p);
      return;
    }
    const wasLeader = p.isLeader;
    if (!p.makeFollower(s)) return;
    if (wasLeader) { this.failCommitWaiters(p, 'NOT_LEADER_OR_FOLLOWER'); this.leadershipChanged(p, false); }
    this.stopFetching(p);
    this.logger.info({ partition: p.key, leader: s.leader, leaderEpoch: s.leaderEpoch }, s.leader >= 0 ? 'became follower' : 'partition has no leader');
    if (s.leader >= 0) {
      let f = this.fetchers.get(s.leader);
      if (!f) { f = new ReplicaFetcher(s.leader, this.fetcherHost(), this.fetcherSettings()); this.fetchers.set(s.leader, f); }
      f.add(p);
    }
    // Long-polling consumers of this partition answer NOT_LEADER_OR_FOLLOWER now.
    this.wake(p.key);
  }

  /** A partition the cluster placed here that this broker has not opened yet. */
  private openFromState(s: PartitionState): Partition {
    const t = this.metadata.get(s.topic);
    const meta = t ?? { name: s.topic, id: '', partitions: [], configs: {}, internal: s.topic.startsWith('__'), createdAt: 0 };
    return this.openPartition(meta, { partition: s.partition, leader: -1, leaderEpoch: -1, replicas: s.replicas, isr: s.isr }, this.logConfig(meta));
  }

  private stopFetching(p: Partition): void {
    for (const [id, f] of this.fetchers) {
      if (!f.has(p)) continue;
      f.remove(p);
      if (f.size === 0) { this.fetchers.delete(id); void f.close(); }
    }
  }

  /** Follower fetchers, by leader id (metrics and tests). */
  replicaFetchers(): ReadonlyMap<number, ReplicaFetcher> { return this.fetchers; }

  /** host:port of a live broker of the cluster, null while unknown or not alive */
  /** Another broker's endpoint on the inter-broker listener (its first listener's when it registered no such listener). */
  brokerEndpoint(id: number): { host: string; port: number } | null {
    const b = this.cluster?.brokers().find((x) => x.nodeId === id);
    if (!b || b.alive === false) return null;
    const name = this.interBroker?.listenerName;
    const ep = (name && b.endpoints?.[name]) || { host: b.host, port: b.port };
    return ep.port > 0 ? { host: ep.host, port: ep.port } : null;
  }

  /** The leader of a partition as the cluster view knows it (-1 if none or unknown). */
  leaderOf(topic: string, partition: number): number {
    return this.cluster?.partitionState(topic, partition)?.leader ?? this.get(topic, partition)?.leaderId ?? -1;
  }

  private fetcherSettings(): FetcherSettings {
    const c = this.config;
    return {
      nodeId: this.metadata.nodeId,
      maxBytesPerPartition: c.int('replica.fetch.max.bytes'),
      maxBytes: c.int('replica.fetch.response.max.bytes'),
      maxWaitMs: c.int('replica.fetch.wait.max.ms'),
      minBytes: c.int('replica.fetch.min.bytes'),
      backoffMs: c.int('replica.fetch.backoff.ms'),
      socketTimeoutMs: c.int('replica.socket.timeout.ms'),
      security: this.interBroker,
    };
  }

  private fetcherHost() {
    return {
      logger: this.logger,
      endpoint: (id: number) => this.brokerEndpoint(id),
      quota: this.followerQuota,
      onFollowerAppend: (p: Partition) => { this.wake(p.key); },
    };
  }

  /**
   * A follower fetched `p` at `fetchOffset` (Fetch with replica_id >= 0): it holds the
   * log below it. Moves the high-water mark and asks the controller to add the
   * follower to the ISR once it has caught up.
   */
  recordFollowerFetch(p: Partition, replicaId: number, fetchOffset: bigint): void {
    if (p.updateFollowerFetchState(replicaId, fetchOffset)) this.onHighWatermark(p);
    // (while an ISR change is in flight the next fetch asks again: logged once per request)
    if (p.followerCanJoinIsr(replicaId) && !p.isrChangePending) {
      this.logger.info({ partition: p.key, replica: replicaId, isr: p.isr }, 'expanding the ISR: the follower caught up');
      this.alterIsr(p, [...p.isr, replicaId]);
    }
  }

  /** Every led partition: ISR members not caught up for replica.lag.time.max.ms leave it. */
  private checkIsr(): void {
    const lag = this.config.int('replica.lag.time.max.ms');
    const now = Date.now();
    for (const p of this.partitions.values()) {
      if (!p.isLeader || p.isrChangePending) continue;
      const lagging = p.laggingFollowers(now, lag);
      if (!lagging.length) continue;
      this.logger.info({ partition: p.key, lagging, isr: p.isr, lagMs: lag }, 'shrinking the ISR: followers not caught up within replica.lag.time.max.ms');
      this.alterIsr(p, p.isr.filter((id) => !lagging.includes(id)));
    }
  }

  /** One ISR change at a time per partition, a compare-and-set at the controller; a stale one waits for the newer state. */
  private alterIsr(p: Partition, isr: number[]): void {
    if (p.isrChangePending || !p.state || !this.cluster) return;
    p.isrChangePending = true;
    const base = p.state;
    this.cluster.alterIsr(base, isr).then((r) => {
      p.isrChangePending = false;
      if (r === 'stale') { this.logger.info({ partition: p.key, partitionEpoch: base.partitionEpoch }, 'ISR change was stale: waiting for the newer partition state'); return; }
      this.applyPartitionState(r);
    }, (e) => {
      p.isrChangePending = false;
      this.logger.warn({ partition: p.key, err: (e as Error).message }, 'ISR change failed; retrying on the next check');
    });
  }

  /** The topic's min.insync.replicas. */
  minInsyncReplicas(p: Partition): number {
    const t = this.metadata.get(p.topic);
    return Number((t ? this.topicConfigValue(t, 'min.insync.replicas') : null) ?? this.config.topicDefault('min.insync.replicas') ?? '1');
  }

  /**
   * acks=all: resolves when the high-water mark passes `lastOffset` (null, or
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas
   * meanwhile), when leadership is lost, or at the request's timeout.
   */
  waitForCommit(p: Partition, lastOffset: bigint, timeoutMs: number): Promise<CommitError | null> {
    const required = lastOffset + 1n;
    if (p.highWatermark >= required) return Promise.resolve(p.isr.length < this.minInsyncReplicas(p) ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : null);
    if (!p.isLeader) return Promise.resolve('NOT_LEADER_OR_FOLLOWER');
    return new Promise((resolve) => {
      let list = this.commitWaiters.get(p.key);
      if (!list) { list = []; this.commitWaiters.set(p.key, list); }
      const w: CommitWaiter = {
        required,
        resolve: (err) => { clearTimeout(w.timer); resolve(err); },
        timer: setTimeout(() => {
          const l = this.commitWaiters.get(p.key);
          const i = l ? l.indexOf(w) : -1;
          if (i >= 0) l!.splice(i, 1);
          resolve('REQUEST_TIMED_OUT');
        }, Math.max(0, timeoutMs)),
      };
      list.push(w);
    });
  }

  /** The high-water mark of a led partition moved: answer acks=all produces it passed, wake consumers. */
  private onHighWatermark(p: Partition): void {
    this.completeCommitWaiters(p);
    this.wake(p.key);
  }

  private completeCommitWaiters(p: Partition): void {
    const list = this.commitWaiters.get(p.key);
    if (!list || !list.length) return;
    const hw = p.highWatermark;
    const err = p.isr.length < this.minInsyncReplicas(p) ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : null;
    const keep: CommitWaiter[] = [];
    for (const w of list) { if (w.required <= hw) w.resolve(err); else keep.push(w); }
    if (keep.length) this.commitWaiters.set(p.key, keep); else this.commitWaiters.delete(p.key);
  }

  private failCommitWaiters(p: Partition, err: CommitError): void {
    const list = this.commitWaiters.get(p.key);
    if (!list) return;
    this.commitWaiters.delete(p.key);
    for (const w of list) w.resolve(err);
  }

  /** Resolves when any of `keys` gets new data, or after `ms`. */
  waitForData(keys: string[], ms: number, signal?: { cancelled: boolean }): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return; done = true;
        clearTimeout(timer);
        for (const k of keys) this.waiters.get(k)?.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      for (const k of keys) {
        let s = this.waiters.get(k);
        if (!s) { s = new Set(); this.waiters.set(k, s); }
        s.add(finish);
      }
      if (signal?.cancelled) finish();
    });
  }

  wake(key: string): void {
    const s = this.waiters.get(key);
    if (!s || s.size === 0) return;
    for (const w of [...s]) w();
  }

  wakeAll(): void { for (const k of [...this.waiters.keys()]) this.wake(k); }

  private tick(): void {
    const now = Date.now();
    for (const p of this.partitions.values()) {
      try { p.log.tick(now); } catch (e) { this.logger.error({ err: e, partition: p.key }, 'periodic flush/roll failed'); }
    }
    if (now - this.lastHwCheckpoint >= HW_CHECKPOINT_INTERVAL_MS && !this.hwCheckpointInFlight) {
      // On the thread pool: the fsync can wait behind a rolled segment's writeback (up to a
      // second under load), which on the event loop would stall every request of the broker.
      this.lastHwCheckpoint = now;
      this.hwCheckpointInFlight = true;
      writeFileAtomicAsync(path.join(this.dataDir, HW_CHECKPOINT), this.hwCheckpointText())
        .catch((e) => this.logger.warn({ err: e }, 'could not write the high-water mark checkpoint'))
        .finally(() => { this.hwCheckpointInFlight = false; });
    }
  }

  private hwCheckpointText(): string {
    const lines = [...this.partitions.values()].filter((p) => !p.log.closed).map((p) => `${p.topic} ${p.partition} ${p.highWatermark}\n`);
    return `0\n${lines.length}\n${lines.join('')}`;
  }

  /** The checkpoint written synchronously (at close; an async one still in flight only lowers it, which is safe). */
  private checkpointHighWatermarks(now = Date.now()): void {
    this.lastHwCheckpoint = now;
    try { writeFileAtomic(path.join(this.dataDir, HW_CHECKPOINT), this.hwCheckpointText()); } catch (e) { this.logger.warn({ err: e }, 'could not write the high-water mark checkpoint'); }
  }

  /** Snapshots producer state, flushes and closes every log, then marks the shutdown clean. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.isrTimer) clearInterval(this.isrTimer);
    this.unsubscribe?.();
    for (const f of this.fetchers.values()) void f.close();
    this.fetchers.clear();
    for (const p of this.partitions.values()) this.failCommitWaiters(p, 'NOT_LEADER_OR_FOLLOWER');
    this.wakeAll();
    this.producerState.snapshotAll();
    this.checkpointHighWatermarks();
    for (const p of this.partitions.values()) p.log.close();
    try { fs.writeFileSync(path.join(this.dataDir, CLEAN_SHUTDOWN), ''); } catch (e) { this.logger.error({ err: e }, 'could not write the clean-shutdown marker; the next start will run recovery'); }
  }
}

function readHwCheckpoint(file: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return out; }
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines[0] !== '0') return out;
  for (const l of lines.slice(2)) {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(l.trim());
    if (m) out.set(`${m[1]}-${m[2]}`, BigInt(m[3]));
  }
  return out;
}
