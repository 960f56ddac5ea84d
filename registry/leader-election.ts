// One writer among registry instances, elected through a Kafka consumer group as
// Confluent's registry does: every instance joins `schema.registry.group.id` with its
// URL and eligibility in the member metadata; the group's assignor (run by whichever
// member the coordinator picks) chooses one eligible member, keeping the current
// leader when it is still there, and gives it the `_schemas` partition. Members learn
// the outcome on every rebalance: the eligible one holding the partition writes, the
// others find its URL with DescribeGroups and forward writes to it.
import type { Logger } from 'pino';
import { GroupMembership, KafkaAdmin, type ClientConfig } from '../client/index.ts';
import type { Leadership } from './app.ts';
import type { RegistryConfig } from './config.ts';

const PROTOCOL = 'tributary-registry-v1';

interface MemberInfo { url: string; eligible: boolean }

export class LeaderElection implements Leadership {
  private membership: GroupMembership | null = null;
  private admin: KafkaAdmin | null = null;
  private leader: string | null = null;
  private me = false;
  private readonly topic: string;
  private readonly groupId: string;
  private readonly eligible: boolean;
  private joined: (() => void) | null = null;
  private learning = 0;

  constructor(private readonly opts: { client: ClientConfig; config: RegistryConfig; url: string; logger?: Logger }) {
    this.topic = opts.config['kafkastore.topic'];
    this.groupId = opts.config['schema.registry.group.id'];
    this.eligible = !!opts.config['leader.eligibility'];
  }

  isLeader(): boolean { return this.me; }
  leaderUrl(): string | null { return this.leader; }

  async start(timeoutMs = 30000): Promise<void> {
    this.admin = new KafkaAdmin({ ...this.opts.client, clientId: `${this.opts.client.clientId}-election` });
    const first = new Promise<void>((resolve) => { this.joined = resolve; });
    this.membership = new GroupMembership({
      ...this.opts.client,
      clientId: `${this.opts.client.clientId}-election`,
      groupId: this.groupId,
      topics: [this.topic],
      protocol: { name: PROTOCOL, version: 1, metadata: Buffer.from(JSON.stringify({ url: this.opts.url, eligible: this.eligible } satisfies MemberInfo)) },
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 10000,
      heartbeatIntervalMs: 1000,
      assign: (members) => {
        const infos = members.map((m) => ({ memberId: m.memberId, info: decodeInfo(m.metadata) }));
        const eligible = infos.filter((m) => m.info?.eligible).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
        const chosen = eligible.find((m) => m.info!.url === this.leader) ?? eligible[0];
        return new Map(chosen ? [[chosen.memberId, [{ topic: this.topic, partitions: [0] }]]] : []);
      },
      onAssignment: (a) => { void this.learn(a.some((x) => x.topic === this.topic && x.partitions.includes(0))); },
    });
    await this.membership.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
  }

  private async learn(holds: boolean): Promise<void> {
    const round = ++this.learning;
    // a lone member gets every partition whatever its eligibility: only an eligible holder leads
    if (holds && this.eligible) {
      this.me = true;
      this.leader = this.opts.url;
    } else {
      this.me = false;
      this.leader = null;
      for (let i = 0; i < 20 && round === this.learning && this.membership; i++) {
        try {
          const [g] = await this.admin!.describeGroups([this.groupId]);
          for (const m of g?.members ?? []) {
            const info = decodeInfo(m.metadata);
            if (info?.eligible && m.assignment.some((a) => a.topic === this.topic && a.partitions.includes(0))) this.leader = info.url;
          }
        } catch (e) {
          this.opts.logger?.debug({ err: e }, 'describe registry group failed');
        }
        if (this.leader) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (round !== this.learning) return;
    this.opts.logger?.info({ leader: this.leader, isLeader: this.me }, 'registry leader elected');
    this.joined?.();
    this.joined = null;
  }

  async stop(): Promise<void> {
    const m = this.membership;
    this.membership = null;
    this.me = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([m?.close(), this.admin?.close()]), new Promise((r) => { timer = setTimeout(r, 5000); timer.unref(); })]);
    clearTimeout(timer);
  }
}

function decodeInfo(metadata: Buffer | null): MemberInfo | null {
  try {
    return metadata ? (JSON.parse(metadata.toString()) as MemberInfo) : null;
  } catch {
    return null;
  }
}
