// A member of a consumer group (Connect's sink tasks): the library keeps the
// membership (join, sync, heartbeats on their own timer, rejoin on rebalance);
// records are read with a PartitionReader over the partitions the group assigned,
// so pause/resume/seek work per partition. Assignment changes are applied at the
// start of poll(), in the caller's flow: onRevoked(partitions) runs before they
// stop being read, onAssigned(partitions) once their committed offsets are known —
// never while the caller is still handling records.
// Kafka's eager protocol, kept although the library rejoins on its own when a heartbeat
// learns of a rebalance: its rejoin waits for onRebalance (the caller commits what it
// handled) before the JoinGroup goes out, so a partition's next owner, which can only get
// it once every member rejoined, starts after what this member handled. From the start of
// a rebalance until the new assignment is applied nothing is handed out; records fetched
// across it go back to the reader; owns() says whether a partition is still this member's.
import { Consumer, kPerformWithRetry } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';
import { PartitionReader, type Isolation, type PartitionBatch, type TopicPartition } from './partition-reader.ts';
import { KafkaAdmin } from './admin.ts';

export interface GroupConsumerConfig extends ClientConfig {
  groupId: string;
  topics?: string[];
  /** subscribe to every topic matching (re-checked every metadataRefreshMs) */
  topicsRegex?: RegExp;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  maxWaitMs?: number;
  partitionMaxBytes?: number;
  /** where partitions without a committed offset start (default earliest) */
  autoOffsetReset?: 'earliest' | 'latest';
  isolation?: Isolation;
  metadataRefreshMs?: number;
  onAssigned?: (partitions: TopicPartition[]) => void | Promise<void>;
  onRevoked?: (partitions: TopicPartition[]) => void | Promise<void>;
  /** a rebalance started: commit what was handled; the rejoin waits for it (at most half the rebalance timeout) */
  onRebalance?: () => Promise<void>;
}

const tpk = (t: string, p: number) => `${t}\u0000${p}`;

export class GroupConsumer {
  private readonly c: Consumer;
  private readonly reader: PartitionReader;
  private readonly admin: KafkaAdmin | null;
  /** what the group last gave us, not yet applied */
  private pending: TopicPartition[] | null = null;
  private current = new Map<string, TopicPartition>();
  private paused = new Set<string>();
  private topics = new Set<string>();
  private lastTopicCheck = 0;
  private closed = false;
  private lost: Error | null = null;
  /** bumped when a rebalance starts and when an assignment arrives: a fetch that spans a change is not handed out */
  private epoch = 0;
  /** since when the group is re-forming (no records handed out until the new assignment arrives), or 0 */
  private rebalancingSince = 0;

  constructor(private readonly cfg: GroupConsumerConfig) {
    this.c = new Consumer({
      ...baseOptions(cfg),
      groupId: cfg.groupId,
      autocommit: false,
      sessionTimeout: cfg.sessionTimeoutMs ?? 45000,
      heartbeatInterval: cfg.heartbeatIntervalMs ?? 3000,
      rebalanceTimeout: cfg.rebalanceTimeoutMs ?? cfg.sessionTimeoutMs ?? 60000,
    });
    this.reader = new PartitionReader({ ...cfg, clientId: cfg.clientId, maxWaitMs: cfg.maxWaitMs ?? 500, resetTo: cfg.autoOffsetReset ?? 'earliest' });
    this.admin = cfg.topicsRegex ? new KafkaAdmin(cfg) : null;
    this.c.on('consumer:group:join', (e: { assignments?: { topic: string; partitions: number[] }[] }) => {
      if (e.assignments) { this.pending = e.assignments.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition }))); this.epoch++; this.rebalancingSince = 0; }
    });
    // the library's own rejoin (after a heartbeat saw the rebalance or lost the membership) goes
    // through its retry helper: the first attempt waits until the caller committed
    type Retry = (id: string, op: unknown, cb: unknown, attempt?: number, ...rest: unknown[]) => void;
    const lib = this.c as unknown as Record<symbol, Retry>;
    const retry = lib[kPerformWithRetry].bind(this.c);
    lib[kPerformWithRetry] = (id, op, cb, attempt = 0, ...rest) => {
      if (id !== 'rejoinGroup' || attempt !== 0 || this.closed) { retry(id, op, cb, attempt, ...rest); return; }
      void this.beforeRejoin().finally(() => retry(id, op, cb, attempt, ...rest));
    };
    // The library emits 'error' when its background rejoin gives up (the broker gone for a
    // while): without a listener that is an uncaught exception that ends the process.
    // Remember it; the next poll() rejoins or throws it to the caller's backoff.
    this.c.on('error', (e: Error) => { if (!this.closed) this.lost = e; });
  }

  private async beforeRejoin(): Promise<void> {
    this.epoch++;
    this.rebalancingSince = Date.now();
    if (!this.cfg.onRebalance) return;
    const limit = (this.cfg.rebalanceTimeoutMs ?? this.cfg.sessionTimeoutMs ?? 60000) / 2;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.cfg.onRebalance().catch(() => undefined), new Promise((r) => { timer = setTimeout(r, limit); })]).finally(() => clearTimeout(timer));
  }

  get memberId(): string | null { return this.c.memberId; }
  get generationId(): number { return this.c.generationId; }

  /** Joins the group (resolves after the first assignment arrived). */
  async start(): Promise<void> {
    await ensureCodecs();
    await this.refreshTopics(true);
    if (!this.topics.size && this.cfg.topicsRegex) return; // nothing to subscribe yet: poll() checks again
    await this.join();
  }

  private async join(): Promise<void> {
    for (const t of this.topics) this.c.topics.track(t);
    await this.c.joinGroup({ sessionTimeout: this.cfg.sessionTimeoutMs ?? 45000, heartbeatInterval: this.cfg.heartbeatIntervalMs ?? 3000, rebalanceTimeout: this.cfg.rebalanceTimeoutMs ?? this.cfg.sessionTimeoutMs ?? 60000 });
  }

  /** Topics by regex: returns true when the subscription changed. */
  private async refreshTopics(force = false): Promise<boolean> {
    if (!this.cfg.topicsRegex) {
      if (!this.topics.size) for (const t of this.cfg.topics ?? []) this.topics.add(t);
      return false;
    }
    if (!force && Date.now() - this.lastTopicCheck < (this.cfg.metadataRefreshMs ?? 5000)) return false;
    this.lastTopicCheck = Date.now();
    const re = this.cfg.topicsRegex;
    const all = (await this.admin!.listTopics()).filter((t) => { re.lastIndex = 0; return re.test(t) && !t.startsWith('__'); });
    let changed = false;
    for (const t of all) if (!this.topics.has(t)) { this.topics.add(t); changed = true; }
    return changed;
  }

  private async applyAssignment(): Promise<void> {
    const next = this.pending;
    if (!next) return;
    this.pending = null;
    const want = new Map(next.map((tp) => [tpk(tp.topic, tp.partition), tp]));
    const revoked = [...this.current.values()].filter((tp) => !want.has(tpk(tp.topic, tp.partition)));
    const added = next.filter((tp) => !this.current.has(tpk(tp.topic, tp.partition)));
    if (revoked.length) {
      await this.cfg.onRevoked?.(revoked);
      this.reader.unassign(revoked);
      for (const tp of revoked) this.current.delete(tpk(tp.topic, tp.partition));
    }
    if (added.length) {
      const byTopic = new Map<string, number[]>();
      for (const tp of added) { let l = byTopic.get(tp.topic); if (!l) byTopic.set(tp.topic, (l = [])); l.push(tp.partition); }
      const committed = await this.c.listCommittedOffsets({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      const reset = this.cfg.autoOffsetReset ?? 'earliest';
      await this.reader.assign(added.map((tp) => {
        const off = committed.get(tp.topic)?.[tp.partition];
        return { ...tp, offset: off !== undefined && off >= 0n ? Number(off) : reset };
      }));
      for (const tp of added) {
        this.current.set(tpk(tp.topic, tp.partition), tp);
        if (this.paused.has(tpk(tp.topic, tp.partition))) this.reader.pause([tp]);
      }
      await this.cfg.onAssigned?.(added);
    }
  }

  /** Applies a new assignment if one came, then one fetch round over the assigned, unpaused partitions. */
  async poll(): Promise<PartitionBatch[]> {
    if (this.closed) return [];
    if (this.lost) { this.lost = null; await this.join(); }
    if (await this.refreshTopics().catch(() => false)) await this.join();
    else if (!this.c.isActive() && this.topics.size && !this.c.memberId) await this.join();
    await this.applyAssignment();
    if (!this.current.size) { await new Promise((r) => setTimeout(r, 100)); return []; }
    // as Kafka's eager protocol: nothing is handed out while the group re-forms (bounded, in case no assignment comes)
    if (this.rebalancingSince && Date.now() - this.rebalancingSince < (this.cfg.rebalanceTimeoutMs ?? this.cfg.sessionTimeoutMs ?? 60000)) { await new Promise((r) => setTimeout(r, 20)); return []; }
    const epoch = this.epoch;
    const batches = await this.reader.poll();
    if (epoch !== this.epoch || this.pending) {
      // the group changed while fetching: these partitions may be someone else's now
      for (const b of batches) if (b.records.length) this.reader.seek(b.topic, b.partition, b.records[0].offset);
      return [];
    }
    return batches;
  }

  /** Whether this partition is still ours: false once the group gave it to another member, before poll() revokes it. */
  owns(tp: TopicPartition): boolean {
    if (!this.current.has(tpk(tp.topic, tp.partition))) return false;
    return !this.pending || this.pending.some((x) => x.topic === tp.topic && x.partition === tp.partition);
  }

  assignment(): TopicPartition[] { return [...this.current.values()]; }
  position(tp: TopicPartition): number | undefined { return this.reader.position(tp.topic, tp.partition); }
  seek(tp: TopicPartition, offset: number): void { this.reader.seek(tp.topic, tp.partition, offset); }
  pause(tps: TopicPartition[]): void { for (const tp of tps) this.paused.add(tpk(tp.topic, tp.partition)); this.reader.pause(tps); }
  isPaused(tp: TopicPartition): boolean { return this.paused.has(tpk(tp.topic, tp.partition)); }
  resume(tps: TopicPartition[]): void { for (const tp of tps) this.paused.delete(tpk(tp.topic, tp.partition)); this.reader.resume(tps); }

  /** Commits the next offsets to read (Kafka's convention) for these partitions. */
  async commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (!offsets.length) return;
    await this.c.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
  }

  /** Leaves the group (its partitions move to the others at once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader.close();
    await this.admin?.close();
    await new Promise<void>((resolve) => this.c.close(true, () => resolve()));
  }
}
