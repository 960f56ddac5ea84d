// A member of a consumer group (Connect's sink tasks, `tributary consume --group`): the
// membership is client/group-member.ts (join, sync, heartbeats on a timer, leave); records
// are read with a PartitionReader over the partitions the group assigned, so pause/resume/
// seek work per partition.
// Kafka's eager protocol, as KafkaConsumer.poll() keeps it: a heartbeat that learns of a
// rebalance only marks the member; the next poll() calls onRevoked(every partition) — the
// caller commits what it handled — and only then sends JoinGroup. A partition's next owner
// can only get it once every member rejoined, so it starts after what this member handled.
// onAssigned(partitions) runs once their committed offsets are known. Both run inside
// poll(), in the caller's flow, never while it is still handling records. A member whose
// session may have expired (no heartbeat answered for a session timeout, e.g. its event loop
// was blocked) hands nothing out and owns() nothing until a heartbeat or a rejoin settles it.
import type { ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';
import { PartitionReader, type Isolation, type PartitionBatch, type TopicPartition } from './partition-reader.ts';
import { KafkaAdmin } from './admin.ts';
import { GroupMember } from './group-member.ts';
import { decodeConsumerAssignment } from './admin-assignment.ts';
import { decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign, roundRobinAssign, type Assignment, type AssignorName, type Subscription } from './consumer-protocol.ts';

/** A partition assignor run by the group's leader (a custom one: a protocol name, the user data each member sends, the assignment). */
export interface ConsumerAssignor {
  name: string;
  /** what this member sends with its subscription (e.g. its host, its standby state) */
  userData?: () => Buffer | null;
  assign: (members: Subscription[], partitionCounts: Map<string, number>) => Assignment | Promise<Assignment>;
}

const BUILTIN: Record<AssignorName, ConsumerAssignor> = {
  range: { name: 'range', assign: rangeAssign },
  roundrobin: { name: 'roundrobin', assign: roundRobinAssign },
};

export interface GroupConsumerConfig extends ClientConfig {
  groupId: string;
  topics?: string[];
  /** subscribe to every topic matching (re-checked every metadataRefreshMs) */
  topicsRegex?: RegExp;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** max.poll.interval.ms (default 300000): longer between two poll() calls and the member leaves the group until its next poll */
  maxPollIntervalMs?: number;
  maxWaitMs?: number;
  partitionMaxBytes?: number;
  /** where partitions without a committed offset start (default earliest) */
  autoOffsetReset?: 'earliest' | 'latest';
  isolation?: Isolation;
  metadataRefreshMs?: number;
  /** the assignors this member offers, preferred first (default range, roundrobin); the coordinator picks one every member offers */
  assignors?: (AssignorName | ConsumerAssignor)[];
  onAssigned?: (partitions: TopicPartition[]) => void | Promise<void>;
  onRevoked?: (partitions: TopicPartition[]) => void | Promise<void>;
}

const tpk = (t: string, p: number) => `${t}\u0000${p}`;

export class GroupConsumer {
  private readonly member: GroupMember;
  private readonly reader: PartitionReader;
  private readonly admin: KafkaAdmin | null;
  private readonly assignors: ConsumerAssignor[];
  private current = new Map<string, TopicPartition>();
  private paused = new Set<string>();
  private topics = new Set<string>();
  private lastTopicCheck = 0;
  /** the partition counts the leader assigned from (Kafka's leader rejoins when one changes) */
  private assignedCounts: Map<string, number> | null = null;
  private lastCountCheck = 0;
  /** what the group gave at the last join, until its offsets are known and it is applied (retried by the next poll) */
  private toApply: TopicPartition[] | null = null;
  private closed = false;

  constructor(private readonly cfg: GroupConsumerConfig) {
    const sessionTimeoutMs = cfg.sessionTimeoutMs ?? 45000;
    this.assignors = (cfg.assignors ?? ['range', 'roundrobin']).map((a) => (typeof a === 'string' ? BUILTIN[a] : a));
    this.member = new GroupMember({
      ...cfg,
      sessionTimeoutMs,
      heartbeatIntervalMs: cfg.heartbeatIntervalMs ?? 3000,
      rebalanceTimeoutMs: cfg.rebalanceTimeoutMs ?? sessionTimeoutMs,
      maxPollIntervalMs: cfg.maxPollIntervalMs ?? 300000,
      protocols: () => this.assignors.map((a) => ({ name: a.name, metadata: encodeSubscription([...this.topics].sort(), a.userData?.() ?? null) })),
      assign: async (protocol, members) => {
        const assignor = this.assignors.find((a) => a.name === protocol);
        if (!assignor) throw new Error(`the group chose assignor ${protocol}, which this member does not offer`);
        const subs = members.map((m) => decodeSubscription(m.memberId, m.metadata) ?? { memberId: m.memberId, topics: [], userData: null });
        const counts = await this.member.partitionCounts([...new Set(subs.flatMap((x) => x.topics))]);
        this.assignedCounts = counts;
        const out = await assignor.assign(subs, counts);
        return new Map(subs.map((x) => [x.memberId, encodeAssignment(out.get(x.memberId) ?? [])]));
      },
    });
    this.reader = new PartitionReader({ ...cfg, clientId: cfg.clientId, maxWaitMs: cfg.maxWaitMs ?? 500, resetTo: cfg.autoOffsetReset ?? 'earliest' });
    this.admin = cfg.topicsRegex ? new KafkaAdmin(cfg) : null;
  }

  get memberId(): string | null { return this.member.memberId || null; }
  get generationId(): number { return this.member.generationId; }

  /** Joins the group (resolves once the first assignment is applied). */
  async start(): Promise<void> {
    await ensureCodecs();
    await this.refreshTopics(true);
    if (!this.topics.size) return; // nothing to subscribe yet: poll() checks again
    await this.rejoin();
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

  /** The leader's check (every metadataRefreshMs) that the topics it assigned still have the partitions it assigned from. */
  private async partitionsChanged(): Promise<boolean> {
    const was = this.assignedCounts;
    if (!this.member.leader || !was || this.member.needsRejoin() || Date.now() - this.lastCountCheck < (this.cfg.metadataRefreshMs ?? 5000)) return false;
    this.lastCountCheck = Date.now();
    const topics = [...new Set([...was.keys(), ...this.topics])];
    const now = await this.member.partitionCounts(topics);
    return topics.some((t) => (now.get(t) ?? 0) !== (was.get(t) ?? 0));
  }

  /**
   * Kafka's eager rebalance: every partition is revoked (the caller commits), then JoinGroup/
   * SyncGroup, then the new assignment from its committed offsets. An error of onRevoked is
   * thrown after the rejoin (as KafkaConsumer.poll() does), the rejoin happens regardless.
   */
  private async rejoin(): Promise<void> {
    let revokeError: unknown = null;
    if (this.current.size) {
      const all = [...this.current.values()];
      try { await this.cfg.onRevoked?.(all); } catch (e) { revokeError = e; }
      this.reader.unassign(all);
      this.current.clear();
    }
    this.toApply = null;
    const bytes = await this.member.join();
    this.toApply = (decodeConsumerAssignment(bytes) ?? []).flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
    await this.applyAssignment();
    if (revokeError) throw revokeError;
  }

  private async applyAssignment(): Promise<void> {
    const added = this.toApply;
    if (!added) return;
    if (added.length) {
      const committed = await this.member.committed(added);
      const reset = this.cfg.autoOffsetReset ?? 'earliest';
      await this.reader.assign(added.map((tp) => {
        const off = committed.get(tpk(tp.topic, tp.partition));
        return { ...tp, offset: off !== undefined && off >= 0 ? off : reset };
      }));
      for (const tp of added) {
        this.current.set(tpk(tp.topic, tp.partition), tp);
        if (this.paused.has(tpk(tp.topic, tp.partition))) this.reader.pause([tp]);
      }
    }
    this.toApply = null;
    if (added.length) await this.cfg.onAssigned?.(added);
  }

  /** Rejoins if the group re-forms (revoking first), then one fetch round over the assigned, unpaused partitions. */
  async poll(): Promise<PartitionBatch[]> {
    if (this.closed) return [];
    this.member.polled();
    if (await this.refreshTopics().catch(() => false)) this.member.requestRejoin('the subscription changed');
    if (await this.partitionsChanged().catch(() => false)) this.member.requestRejoin('a subscribed topic has more partitions');
    if (!this.topics.size) { await new Promise((r) => setTimeout(r, 100)); return []; }
    if (this.member.sessionMaybeExpired()) await this.member.heartbeat();
    if (this.member.needsRejoin() || this.member.sessionMaybeExpired()) await this.rejoin();
    else await this.applyAssignment();
    if (!this.current.size) { await new Promise((r) => setTimeout(r, 100)); return []; }
    const batches = await this.reader.poll();
    if (this.member.needsRejoin() || this.member.sessionMaybeExpired()) {
      // the group re-forms (or may have dropped us) while fetching: the next poll revokes first
      for (const b of batches) if (b.records.length) this.reader.seek(b.topic, b.partition, b.records[0].offset);
      return [];
    }
    return batches;
  }

  /** Whether this partition is still ours: false once the membership is lost or may have expired, before poll() revokes it. */
  owns(tp: TopicPartition): boolean {
    return this.current.has(tpk(tp.topic, tp.partition)) && !this.member.lost && !this.member.sessionMaybeExpired();
  }

  assignment(): TopicPartition[] { return [...this.current.values()]; }
  position(tp: TopicPartition): number | undefined { return this.reader.position(tp.topic, tp.partition); }
  seek(tp: TopicPartition, offset: number): void { this.reader.seek(tp.topic, tp.partition, offset); }
  pause(tps: TopicPartition[]): void { for (const tp of tps) this.paused.add(tpk(tp.topic, tp.partition)); this.reader.pause(tps); }
  isPaused(tp: TopicPartition): boolean { return this.paused.has(tpk(tp.topic, tp.partition)); }
  resume(tps: TopicPartition[]): void { for (const tp of tps) this.paused.delete(tpk(tp.topic, tp.partition)); this.reader.resume(tps); }

  /**
   * Commits the next offsets to read (Kafka's convention) for these partitions, in this member's
   * generation; CommitFailedError when the member is out of the group (poll timeout, session expired).
   */
  async commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    await this.member.commit(offsets);
  }

  /** Leaves the group (its partitions move to the others at once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader.close();
    await this.admin?.close();
    await this.member.close();
  }
}
