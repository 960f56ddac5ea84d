// One partition as the broker serves it: the one owner a handler asks for the log
// start, high-water mark, last stable offset, aborted transactions and remote reads.
// Its local log, the producer state (idempotence, transactions) and tiered storage
// sit behind it. It is also the seam replication plugs into: the leader epoch, the
// replica set and ISR, and the fetch positions of followers that move the
// high-water mark (single node today: the ISR is this broker alone).
import type { AppendOptions, AppendResult, PartitionLog } from './log/partition-log.ts';
import type { BatchInfo } from './log/record-batch.ts';
import type { ReadLease } from './log/read-buffers.ts';
import type { ProducerStateManager } from './txn/producer-state.ts';
import type { PartitionState } from './cluster/cluster-view.ts';

export interface AbortedTransaction { producerId: bigint; firstOffset: bigint }

/** Tiered storage of a broker's partitions (server/tiered/): the data below the local log start. */
export interface RemoteLog {
  /** log start as clients see it: the remote start while remote data exists */
  logStartOffset(p: Partition): bigint;
  /** highest offset in remote storage, -1 if none */
  latestTieredOffset(p: Partition): bigint;
  /** a fetch at `offset` (below the local log start) reads remote storage */
  isRemoteOffset(p: Partition, offset: bigint): boolean;
  read(p: Partition, offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer>;
  abortedTransactions(p: Partition, from: bigint, upTo: bigint): AbortedTransaction[];
  /** null when local data answers it */
  offsetForTimestamp(p: Partition, ts: bigint): Promise<{ offset: bigint; timestamp: bigint } | null> | null;
  advanceLogStart(p: Partition, offset: bigint): void;
  /** retention of this partition is applied by tiered storage (across remote and local) */
  ownsRetention(p: Partition): boolean;
}

/** What a partition shares with the other partitions of its broker. */
export interface PartitionServices {
  readonly brokerId: number;
  readonly producerState: ProducerStateManager;
  /** set once when tiered storage is enabled */
  remote: RemoteLog | null;
}

/**
 * A follower as its leader sees it (replication): its log end (-1 until it fetches
 * under our leadership), when it last was caught up, and the leader's log end at its
 * previous fetch (Kafka: caught up when it fetched at least that far).
 */
export interface FollowerState { logEndOffset: bigint; lastCaughtUpMs: number; lastFetchMs: number; leaderEndAtLastFetch: bigint }

export class Partition {
  readonly key: string;
  /** brokers holding a replica, the leader first (Kafka's assignment order) */
  replicas: number[];
  /** in-sync replicas: the high-water mark waits for each of them */
  isr: number[];
  leaderId: number;
  /** the controller's compare-and-set token for this partition's state */
  partitionEpoch = 0;
  /** the last state the controller published for it (ISR changes are asked against it) */
  state: PartitionState | null = null;
  /** an ISR change is in flight with the controller: ask no other */
  isrChangePending = false;
  /** KIP-73: this broker throttles what it sends of this partition to followers not in the ISR (leader.replication.throttled.replicas) */
  leaderThrottled = false;
  /** KIP-73: this broker throttles its own fetching of this partition while not caught up (follower.replication.throttled.replicas) */
  followerThrottled = false;
  private readonly followers = new Map<number, FollowerState>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    public leaderEpoch: number,
    private readonly services: PartitionServices,
    placement: { leader: number; replicas: number[]; isr: number[] } = { leader: services.brokerId, replicas: [services.brokerId], isr: [services.brokerId] },
  ) {
    this.key = `${topic}-${partition}`;
    this.leaderId = placement.leader;
    this.replicas = [...placement.replicas];
    this.isr = [...placement.isr];
    this.log.cacheTail = this.replicas.length > 1;
  }

  get isLeader(): boolean { return this.leaderId === this.services.brokerId; }

  // ---- offsets ----

  get logEndOffset(): bigint { return this.log.logEndOffset; }
  get highWatermark(): bigint { return this.log.highWatermark; }
  /** the first offset on local disk */
  get localLogStartOffset(): bigint { return this.log.logStartOffset; }
  /** the log start clients see: in remote storage while tiered data lies below the local start */
  get logStartOffset(): bigint {
    const r = this.services.remote;
    return r ? r.logStartOffset(this) : this.log.logStartOffset;
  }
  /** below the first offset of any open transaction; the high-water mark when none is open */
  lastStableOffset(): bigint { return this.services.producerState.lastStableOffset(this); }
  /** highest offset in remote storage (-1 if none); null without tiered storage */
  latestTieredOffset(): bigint | null {
    const r = this.services.remote;
    return r ? r.latestTieredOffset(this) : null;
  }

  /** A client's current_leader_epoch checked against ours: the error name, or null when it matches (or is -1). */
  checkLeaderEpoch(current: number): 'FENCED_LEADER_EPOCH' | 'UNKNOWN_LEADER_EPOCH' | null {
    if (current < 0 || current === this.leaderEpoch) return null;
    return current < this.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
  }

  // ---- reads ----

  /** the fetch at `offset` reads remote storage (it lies below the local log start) */
  isRemoteOffset(offset: bigint): boolean {
    const r = this.services.remote;
    return r !== null && r.isRemoteOffset(this, offset);
  }

  /** Local batches from `offset`, below `upTo` (`leases`: see PartitionLog.read). */
  read(offset: bigint, maxBytes: number, upTo: bigint, leases?: ReadLease[]): Buffer[] { return this.log.read(offset, maxBytes, upTo, leases); }

  /** Whole batches from remote storage (then local disk) from `offset`, below `upTo`. */
  readRemote(offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer> {
    const r = this.services.remote;
    if (!r) throw new Error(`${this.key}: no remote storage`);
    return r.read(this, offset, maxBytes, upTo);
  }

  /** Aborted transactions overlapping [from, upTo), for read_committed fetches; `remote` adds those in remote segments. */
  abortedTransactions(from: bigint, upTo: bigint, remote = false): AbortedTransaction[] {
    const local = this.services.producerState.abortedTransactions(this, from, upTo);
    const r = this.services.remote;
    if (!remote || !r) return local;
    const seen = new Set(local.map((x) => `${x.producerId}:${x.firstOffset}`));
    const out = [...local];
    for (const x of r.abortedTransactions(this, from, upTo)) {
      const k = `${x.producerId}:${x.firstOffset}`;
      if (!seen.has(k)) { seen.add(k); out.push(x); }
    }
    return out.sort((x, y) => (x.firstOffset < y.firstOffset ? -1 : x.firstOffset > y.firstOffset ? 1 : 0));
  }

  /** The first record with timestamp >= ts, in remote storage when it may lie there. */
  offsetForTimestamp(ts: bigint): { offset: bigint; timestamp: bigint } | null | Promise<{ offset: bigint; timestamp: bigint } | null> {
    const remote = this.services.remote?.offsetForTimestamp(this, ts);
    return remote ?? this.log.offsetForTimestamp(ts);
  }

  maxTimestamp(): { offset: bigint; timestamp: bigint } | null { return this.log.maxTimestamp(); }

  // ---- writes ----

  /**
   * Producer checks before a leader append (epochs, sequences): the offsets of a
   * retried batch already written, or null to append.
   */
  checkProducerAppend(batches: BatchInfo[]): { duplicate?: { baseOffset: bigint } } | null {
    return this.services.producerState.checkAppend(this, batches);
  }

  /** Appends to the local log and updates the producer state; the replica manager calls this. */
  appendToLocalLog(records: Buffer, opts: AppendOptions): AppendResult {
    const r = this.log.append(records, { leaderEpoch: this.leaderEpoch, ...opts });
    this.services.producerState.onAppended(this, r, records);
    return r;
  }

  /** DeleteRecords: the log start moves to `offset`, locally and in remote storage. */
  deleteRecordsBefore(offset: bigint): void {
    this.log.advanceLogStart(offset);
    this.services.remote?.advanceLogStart(this, offset);
  }

  /** Retention deleted segments: drop producer state below the new log start. */
  onLogStartAdvanced(): void { this.services.producerState.trim(this); }

  /** Time and size retention of this partition are applied by tiered storage. */
  get retentionIsRemote(): boolean { return this.services.remote?.ownsRetention(this) ?? false; }

  // ---- replication ----

  /**
   * This broker leads the partition under `s` (a new leader epoch, or an ISR or
   * replica change under the same one). A new epoch starts at the log end in the
   * epoch cache; the followers' positions start unknown, the ISR members counted as
   * caught up now so none is dropped before it could fetch. True when the epoch is new.
   */
  makeLeader(s: PartitionState, now = Date.now()): boolean {
    const fresh = !this.isLeader || s.leaderEpoch !== this.leaderEpoch || this.state === null;
    this.adopt(s);
    if (!fresh) return false;
    this.log.leaderEpochs.assign(s.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    for (const id of s.replicas) {
      if (id === this.services.brokerId) continue;
      this.followers.set(id, { logEndOffset: -1n, lastFetchMs: 0, lastCaughtUpMs: s.isr.includes(id) ? now : 0, leaderEndAtLastFetch: -1n });
    }
    return true;
  }

  /** This broker follows `s.leader` (-1: nobody leads it now). True when the leader or its epoch changed: truncate and fetch anew. */
  makeFollower(s: PartitionState): boolean {
    const fresh = this.leaderId !== s.leader || s.leaderEpoch !== this.leaderEpoch || this.state === null || this.isLeader;
    this.adopt(s);
    if (fresh) this.followers.clear();
    return fresh;
  }

  private adopt(s: PartitionState): void {
    this.state = s;
    this.leaderId = s.leader;
    this.leaderEpoch = s.leaderEpoch;
    this.partitionEpoch = s.partitionEpoch;
    this.replicas = [...s.replicas];
    this.isr = [...s.isr];
    this.log.cacheTail = this.replicas.length > 1;
  }

  /** Follower: drops its log at and after `offset` (divergence from the leader) and the producer state built on it. */
  truncateTo(offset: bigint): void {
    if (offset >= this.log.logEndOffset) return;
    this.log.truncateTo(offset);
    this.services.producerState.forget(this);
    this.services.producerState.state(this);
  }

  /** Follower far behind the leader's log start: start again empty at `offset`. */
  truncateFullyAndStartAt(offset: bigint): void {
    this.log.truncateFullyAndStartAt(offset);
    this.services.producerState.forget(this);
    this.services.producerState.state(this);
  }

  /** Follower: the leader's batches, as they are; the producer state is built from them as on the leader. */
  appendAsFollower(records: Buffer): AppendResult {
    const r = this.log.appendAsFollower(records);
    this.services.producerState.onAppended(this, r, records);
    return r;
  }

  /** Follower: the leader's high-water mark, capped at what this replica holds. */
  updateFollowerHighWatermark(leaderHw: bigint): void {
    const end = this.log.logEndOffset;
    this.log.highWatermark = leaderHw < end ? leaderHw : end;
  }

  /**
   * A follower fetched at `fetchOffset`: it holds the log below it. Returns whether
   * the high-water mark moved.
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: bigint, now = Date.now()): boolean {
    const prev = this.followers.get(replicaId);
    const leaderEnd = this.log.logEndOffset;
    let caughtUp = prev?.lastCaughtUpMs ?? 0;
    if (fetchOffset >= leaderEnd) caughtUp = now;
    else if (prev && prev.leaderEndAtLastFetch >= 0n && fetchOffset >= prev.leaderEndAtLastFetch) caughtUp = prev.lastFetchMs;
    this.followers.set(replicaId, { logEndOffset: fetchOffset, lastFetchMs: now, lastCaughtUpMs: caughtUp, leaderEndAtLastFetch: leaderEnd });
    return this.maybeIncrementHighWatermark();
  }

  followerState(replicaId: number): FollowerState | undefined { return this.followers.get(replicaId); }

  /** A replica outside the ISR that has reached the high-water mark (and this epoch's start): it may join (Kafka's isFollowerInSync). */
  followerCanJoinIsr(replicaId: number): boolean {
    if (!this.isLeader || this.isr.includes(replicaId) || !this.replicas.includes(replicaId)) return false;
    const f = this.followers.get(replicaId);
    if (!f || f.logEndOffset < 0n) return false;
    return f.logEndOffset >= this.log.highWatermark && f.logEndOffset >= this.log.leaderEpochs.latestStartOffset;
  }

  /** ISR members other than this leader not caught up for longer than `lagMs`. */
  laggingFollowers(now: number, lagMs: number): number[] {
    if (!this.isLeader) return [];
    return this.isr.filter((id) => id !== this.services.brokerId && now - (this.followers.get(id)?.lastCaughtUpMs ?? 0) > lagMs);
  }

  /**
   * The high-water mark: the lowest log end offset among the in-sync replicas. On a
   * single node the ISR is this broker, so every append is committed at once. Only
   * the leader moves it; it never goes back.
   */
  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let hw = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.services.brokerId) continue;
      const f = this.followers.get(id)?.logEndOffset ?? -1n;
      if (f < hw) hw = f;
    }
    if (hw <= this.log.highWatermark) return false;
    this.log.highWatermark = hw;
    return true;
  }
}
