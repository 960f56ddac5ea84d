// Membership of a group that uses the consumer protocol for something other than
// reading (the registry's leader election, as Confluent's registry does): each
// member announces metadata (the user data of its consumer subscription); the member
// the coordinator picks as group leader runs `assign` over everyone's metadata (a lone
// member too); every member learns its own share. The membership is client/group-member.ts;
// with no offsets to commit first, a rebalance a heartbeat learns of is joined at once.
import type { ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';
import { GroupMember } from './group-member.ts';
import { decodeConsumerAssignment } from './admin-assignment.ts';
import { decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts';

export interface MemberMetadata { memberId: string; metadata: Buffer | null }

export interface GroupMembershipConfig extends ClientConfig {
  groupId: string;
  topics: string[];
  protocol: { name: string; version: number; metadata: Buffer };
  /** run by the group's leader: memberId → the partitions it gets */
  assign: (members: MemberMetadata[]) => Map<string, { topic: string; partitions: number[] }[]>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** after every rebalance, with this member's share ([] while it is out of the group) and the generation it belongs to */
  onAssignment: (assignment: { topic: string; partitions: number[] }[], generationId: number) => void;
  /** a background rejoin failed (the broker gone for a while); it is retried every second */
  onError?: (e: Error) => void;
}

export class GroupMembership {
  private readonly member: GroupMember;
  private closed = false;
  private joining: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly cfg: GroupMembershipConfig) {
    this.member = new GroupMember({
      ...cfg,
      sessionTimeoutMs: cfg.sessionTimeoutMs ?? 10000,
      heartbeatIntervalMs: cfg.heartbeatIntervalMs ?? 1000,
      rebalanceTimeoutMs: cfg.rebalanceTimeoutMs ?? 10000,
      protocols: () => [{ name: cfg.protocol.name, metadata: encodeSubscription(cfg.topics, cfg.protocol.metadata) }],
      assign: (_protocol, members) => {
        const m = members.map((x) => ({ memberId: x.memberId, metadata: decodeSubscription(x.memberId, x.metadata)?.userData ?? null }));
        const out = cfg.assign(m);
        return new Map(m.map((x) => [x.memberId, encodeAssignment(out.get(x.memberId) ?? [])]));
      },
      // out of the group (not merely re-forming): the share is gone at once
      onRejoinNeeded: () => { if (!this.closed) { if (this.member.lost) cfg.onAssignment([], -1); void this.rejoin().catch(() => undefined); } },
    });
  }

  get memberId(): string | null { return this.member.memberId || null; }
  get generationId(): number { return this.member.generationId; }
  /** the group coordinator's node id (-1 before the first join) */
  get coordinatorId(): number { return this.member.coordinatorId; }

  /** Commits offsets (the next offset to read) in this member's generation (a group whose members also read, e.g. streams). */
  commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> { return this.member.commit(offsets); }

  /** The group's committed offsets of these partitions, keyed `topic\u0000partition` (-1: none). */
  committed(parts: { topic: string; partition: number }[]): Promise<Map<string, number>> { return this.member.committed(parts); }

  /** Joins (resolves after the first assignment was handed to onAssignment). */
  async start(): Promise<void> {
    await ensureCodecs();
    await this.rejoin();
  }

  private rejoin(): Promise<void> {
    this.joining ??= (async () => {
      try {
        const bytes = await this.member.join();
        if (!this.closed) this.cfg.onAssignment(decodeConsumerAssignment(bytes) ?? [], this.member.generationId);
      } catch (e) {
        // the broker gone for a while: out of the group until a retry gets back in
        if (!this.closed) { this.cfg.onAssignment([], -1); this.cfg.onError?.(e as Error); this.scheduleRejoin(); }
        throw e;
      } finally {
        this.joining = null;
      }
    })();
    return this.joining;
  }

  private scheduleRejoin(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => { this.retry = null; if (!this.closed) this.rejoin().catch(() => undefined); }, 1000);
    this.retry.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.member.close();
  }
}
