// Membership of a group that uses the consumer protocol for something other than
// reading (the registry's leader election, as Confluent's registry does): each
// member announces metadata; the member the coordinator picks as group leader runs
// `assign` over everyone's metadata; every member learns its own share.
// Note: with a single member the library assigns every partition to it without
// asking `assign`; callers decide from the outcome (e.g. "leader = eligible holder").
import { Consumer } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';

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
  /** after every rebalance, with this member's share */
  onAssignment: (assignment: { topic: string; partitions: number[] }[]) => void;
}

export class GroupMembership {
  private readonly c: Consumer;
  private closed = false;

  constructor(private readonly cfg: GroupMembershipConfig) {
    this.c = new Consumer({ ...baseOptions(cfg), groupId: cfg.groupId, autocommit: false });
    this.c.on('consumer:group:join', (e: { assignments?: { topic: string; partitions: number[] }[] }) => {
      if (e.assignments && !this.closed) cfg.onAssignment(e.assignments);
    });
    // A background rejoin that gives up (broker gone for a while) is emitted as 'error': without
    // a listener the process would die. Lose the share and keep trying to rejoin.
    this.c.on('error', () => {
      if (this.closed) return;
      cfg.onAssignment([]);
      this.scheduleRejoin();
    });
  }

  private scheduleRejoin(): void {
    const t = setTimeout(() => {
      if (this.closed) return;
      this.start().catch(() => this.scheduleRejoin());
    }, 1000);
    t.unref();
  }

  get memberId(): string | null { return this.c.memberId; }

  async start(): Promise<void> {
    await ensureCodecs();
    for (const t of this.cfg.topics) this.c.topics.track(t);
    await this.c.joinGroup({
      sessionTimeout: this.cfg.sessionTimeoutMs ?? 10000,
      heartbeatInterval: this.cfg.heartbeatIntervalMs ?? 1000,
      rebalanceTimeout: this.cfg.rebalanceTimeoutMs ?? 10000,
      protocols: [this.cfg.protocol],
      partitionAssigner: (_current, members) => {
        const m = [...members.values()].map((x) => ({ memberId: x.memberId, metadata: x.metadata === undefined ? null : Buffer.isBuffer(x.metadata) ? x.metadata : Buffer.from(x.metadata) }));
        const out = this.cfg.assign(m);
        return m.map((x) => ({ memberId: x.memberId, assignments: new Map((out.get(x.memberId) ?? []).map((a) => [a.topic, a])) }));
      },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.c.close(true, () => resolve()));
  }
}
