// One writer among registry instances, elected through a Kafka consumer group as
// Confluent's registry does: every instance joins `schema.registry.group.id` with its
// URL and eligibility in the member metadata; the group's assignor (run by whichever
// member the coordinator picks) chooses one eligible member, keeping the current
// leader when it is still there, and gives it the `_schemas` partition. Members learn
// the outcome on every rebalance: the one holding the partition writes, the others
// find its URL with DescribeGroups and forward writes to it.
import { AssignerProtocol, type Assigner, type Consumer, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Leadership } from './app.ts';
import type { RegistryConfig } from './config.ts';

const PROTOCOL = 'tributary-registry-v1';

interface MemberInfo { url: string; eligible: boolean }

export class LeaderElection implements Leadership {
  private consumer: Consumer | null = null;
  private leader: string | null = null;
  private me = false;
  private readonly topic: string;
  private readonly groupId: string;
  private joined: (() => void) | null = null;

  constructor(private readonly opts: { kafka: Kafka; config: RegistryConfig; url: string; logger?: Logger }) {
    this.topic = opts.config['kafkastore.topic'];
    this.groupId = opts.config['schema.registry.group.id'];
  }

  isLeader(): boolean { return this.me; }
  leaderUrl(): string | null { return this.leader; }

  private assigner = (): Assigner => ({
    name: PROTOCOL,
    version: 1,
    protocol: ({ topics }) => ({
      name: PROTOCOL,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(JSON.stringify({ url: this.opts.url, eligible: this.opts.config['leader.eligibility'] } satisfies MemberInfo)),
      }),
    }),
    assign: async ({ members }) => {
      const infos = members.map((m) => ({ memberId: m.memberId, info: decodeInfo(m.memberMetadata) }));
      const eligible = infos.filter((m) => m.info?.eligible).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
      const chosen = eligible.find((m) => m.info!.url === this.leader) ?? eligible[0];
      return infos.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: chosen && m.memberId === chosen.memberId ? { [this.topic]: [0] } : {},
          userData: Buffer.from(JSON.stringify({ leader: chosen?.info?.url ?? null })),
        }),
      }));
    },
  });

  async start(timeoutMs = 30000): Promise<void> {
    const c = this.opts.kafka.consumer({
      groupId: this.groupId,
      partitionAssigners: [this.assigner],
      sessionTimeout: 10000,
      rebalanceTimeout: 10000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    this.consumer = c;
    const first = new Promise<void>((resolve) => { this.joined = resolve; });
    c.on(c.events.GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[this.topic] ?? []).includes(0);
      // the partition is held only to mark the leader: reading it is the store's job
      if (mine) c.pause([{ topic: this.topic }]);
      void this.learn(mine);
    });
    await c.connect();
    await c.subscribe({ topic: this.topic, fromBeginning: false });
    await c.run({ autoCommit: false, eachBatch: async () => undefined });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }

  private async learn(mine: boolean): Promise<void> {
    if (mine) {
      this.me = true;
      this.leader = this.opts.url;
    } else {
      this.me = false;
      this.leader = null;
      for (let i = 0; i < 20 && !this.me && this.consumer; i++) {
        try {
          const admin = this.opts.kafka.admin();
          await admin.connect();
          try {
            const { groups } = await admin.describeGroups([this.groupId]);
            for (const m of groups[0]?.members ?? []) {
              const a = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
              if (a && (a.assignment[this.topic] ?? []).includes(0)) this.leader = decodeInfo(m.memberMetadata)?.url ?? null;
            }
          } finally { await admin.disconnect(); }
        } catch (e) {
          this.opts.logger?.debug({ err: e }, 'describe registry group failed');
        }
        if (this.leader) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    this.opts.logger?.info({ leader: this.leader, isLeader: this.me }, 'registry leader elected');
    this.joined?.();
    this.joined = null;
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    this.me = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c?.disconnect().catch(() => undefined), new Promise((r) => { timer = setTimeout(r, 5000); timer.unref(); })]);
    clearTimeout(timer);
  }
}

function decodeInfo(metadata: Buffer): MemberInfo | null {
  try {
    const md = AssignerProtocol.MemberMetadata.decode(metadata);
    return md ? (JSON.parse(md.userData.toString()) as MemberInfo) : null;
  } catch {
    return null;
  }
}
