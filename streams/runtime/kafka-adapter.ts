// The one file of streams/ that talks to the Kafka client library directly, for
// what client/ does not offer yet: group membership with the stream-aware assignor
// (client/GroupConsumer has no custom assignor). The transactional producer is
// client/'s (ProducerTransaction.sendOffsets adds the group's offsets); reading by
// assignment, admin and plain producing come from client/ too.
import { Consumer, type GroupOptions } from '@platformatic/kafka';
import { KafkaProducer, ensureCodecs, type ClientConfig, type PreparedBatch, type ProducerTransaction } from '../../client/index.ts';
import { baseOptions } from '../../client/config.ts';

export interface OutRecord { topic: string; partition?: number; key: Buffer | null; value: Buffer | null; headers: Array<{ key: string; value: Buffer | null }>; timestamp: number }
export interface MemberInfo { memberId: string; metadata: Buffer | null }
export type Assignor = (members: MemberInfo[]) => Map<string, Array<{ topic: string; partitions: number[] }>>;

const baseOpts = (c: ClientConfig, timeout = 30000) => baseOptions({ ...c, requestTimeoutMs: timeout });

/** Membership of the application's consumer group (group id = application.id). */
export class StreamsMembership {
  private readonly c: Consumer;
  private closed = false;
  constructor(private readonly cfg: ClientConfig & { groupId: string; topics: string[]; metadata: Buffer; assign: Assignor; sessionTimeoutMs: number; heartbeatIntervalMs: number; onAssignment: (a: Array<{ topic: string; partitions: number[] }>, generation: number) => void; onError?: (e: Error) => void }) {
    // the group options go to the constructor too: the library rejoins by itself with its defaults
    // (a commit refused during a rebalance), and the "roundrobin" protocol is refused by a "stream" group
    this.c = new Consumer({ ...baseOpts(cfg), groupId: cfg.groupId, autocommit: false, ...this.groupOptions() });
    // the library reports a membership it could not keep (broker gone, rejoin failed) as an 'error' event
    this.c.on('error', (e: Error) => { if (!this.closed) cfg.onError?.(e); });
    this.c.on('consumer:group:join', (e: { assignments?: Array<{ topic: string; partitions: number[] }>; generationId?: number }) => {
      if (e.assignments && !this.closed) cfg.onAssignment(e.assignments, e.generationId ?? this.c.generationId);
    });
  }
  get memberId(): string | null { return this.c.memberId; }
  get generationId(): number { return this.c.generationId; }
  async start(): Promise<void> {
    await ensureCodecs();
    for (const t of this.cfg.topics) this.c.topics.track(t);
    await this.c.joinGroup(this.groupOptions());
  }
  private groupOptions(): GroupOptions {
    const cfg = this.cfg;
    return {
      sessionTimeout: cfg.sessionTimeoutMs, heartbeatInterval: cfg.heartbeatIntervalMs, rebalanceTimeout: cfg.sessionTimeoutMs,
      protocols: [{ name: 'stream', version: 1, metadata: cfg.metadata }],
      partitionAssigner: (_current, members) => {
        const m = [...members.values()].map((x) => ({ memberId: x.memberId, metadata: x.metadata === undefined ? null : Buffer.isBuffer(x.metadata) ? x.metadata : Buffer.from(x.metadata) }));
        const out = cfg.assign(m);
        return m.map((x) => ({ memberId: x.memberId, assignments: new Map((out.get(x.memberId) ?? []).map((a) => [a.topic, a])) }));
      },
    };
  }
  async committed(parts: Array<{ topic: string; partition: number }>): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const p of parts) { let l = byTopic.get(p.topic); if (!l) byTopic.set(p.topic, (l = [])); l.push(p.partition); }
    const res = await this.c.listCommittedOffsets({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
    const out = new Map<string, number>();
    for (const p of parts) { const o = res.get(p.topic)?.[p.partition]; if (o !== undefined && o >= 0n) out.set(`${p.topic}:${p.partition}`, Number(o)); }
    return out;
  }
  /** at_least_once: the next offsets to read */
  async commit(offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (!offsets.length) return;
    await this.c.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
  }
  /** what a transactional producer needs to commit offsets as this member */
  groupMetadata(): { groupId: string; generationId: number; memberId: string; coordinatorId: number } {
    return { groupId: this.cfg.groupId, generationId: this.c.generationId, memberId: this.c.memberId ?? '', coordinatorId: this.c.coordinatorId ?? -1 };
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.c.close(true, () => resolve()));
  }
}

/**
 * A send puts each partition's share in one record batch, and the broker refuses a
 * batch above max.message.bytes (1 MiB by default): large sends go out in slices.
 */
export function slices<T extends { key: Buffer | null; value: Buffer | null }>(records: T[], maxBytes = 512 * 1024): T[][] {
  const out: T[][] = [];
  let cur: T[] = [], bytes = 0;
  for (const r of records) {
    const n = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
    if (cur.length && bytes + n > maxBytes) { out.push(cur); cur = []; bytes = 0; }
    cur.push(r); bytes += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * exactly_once_v2: one producer per instance; records, changelog writes and offsets in one
 * transaction per commit interval. As Kafka Streams does, the transaction begins with the
 * interval's first send and the records go out while the tasks go on processing; the
 * commit adds the input offsets (one TxnOffsetCommit) and ends it.
 */
export class TransactionalProducer {
  private readonly p: KafkaProducer;
  private tx?: ProducerTransaction;
  constructor(cfg: ClientConfig & { transactionalId: string; transactionTimeoutMs: number }) {
    this.p = new KafkaProducer({ ...cfg, requestTimeoutMs: cfg.transactionTimeoutMs, transactionalId: cfg.transactionalId, transactionTimeoutMs: cfg.transactionTimeoutMs, idempotent: true, acks: -1, autoCreateTopics: false });
  }
  /** fences an older producer with our transactional.id and aborts what it left open */
  async init(): Promise<void> {
    await this.p.initTransactions();
  }
  /** whether a transaction is open (something was sent since the last commit) */
  get open(): boolean { return !!this.tx; }
  /** sends in the open transaction (beginning it); one call at a time */
  async send(rounds: PreparedBatch[][], records: OutRecord[]): Promise<void> {
    const tx = this.tx ??= await this.p.beginTransaction();
    for (const round of rounds) await tx.sendBatches(round);
    for (const part of slices(records)) await tx.send(part);
  }
  /** commits the open transaction (or one holding only the offsets) with the input offsets; aborts it on failure */
  async commit(offsets: Array<{ topic: string; partition: number; offset: number }>, group: ReturnType<StreamsMembership['groupMetadata']>): Promise<void> {
    const tx = this.tx ?? await this.p.beginTransaction();
    this.tx = undefined;
    try {
      await tx.sendOffsets(offsets, group);
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  }
  /** aborts the open transaction, if any (its tasks' work is thrown away) */
  async abort(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    await tx?.abort().catch(() => undefined);
  }
  async close(): Promise<void> { await this.p.close().catch(() => undefined); }
}
