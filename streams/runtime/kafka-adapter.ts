// streams/'s Kafka edge: the application's group membership and the transactional
// producer, both from client/ (the membership is client/GroupMembership with the
// stream-aware assignor; reading by assignment, admin and plain producing come from
// client/ too). Nothing here imports the Kafka client library.
import { GroupMembership, KafkaProducer, ensureCodecs, type ClientConfig, type PreparedBatch, type ProducerTransaction } from '../../client/index.ts';

export interface OutRecord { topic: string; partition?: number; key: Buffer | null; value: Buffer | null; headers: Array<{ key: string; value: Buffer | null }>; timestamp: number }
export interface MemberInfo { memberId: string; metadata: Buffer | null }
export type Assignor = (members: MemberInfo[]) => Map<string, Array<{ topic: string; partitions: number[] }>>;

/**
 * Membership of the application's consumer group (group id = application.id, protocol
 * "stream"): a rebalance a heartbeat learns of is joined at once, each new share goes to
 * onAssignment; out of the group (the broker gone, the member dropped) the share is [] until
 * a rejoin gets back in, and onError hears of a rejoin that failed.
 */
export class StreamsMembership {
  private readonly m: GroupMembership;
  constructor(private readonly cfg: ClientConfig & { groupId: string; topics: string[]; metadata: Buffer; assign: Assignor; sessionTimeoutMs: number; heartbeatIntervalMs: number; onAssignment: (a: Array<{ topic: string; partitions: number[] }>, generation: number) => void; onError?: (e: Error) => void }) {
    this.m = new GroupMembership({
      ...cfg,
      rebalanceTimeoutMs: cfg.sessionTimeoutMs,
      protocol: { name: 'stream', version: 1, metadata: cfg.metadata },
      assign: (members) => cfg.assign(members),
      onAssignment: (a, generation) => cfg.onAssignment(a, generation),
      onError: (e) => cfg.onError?.(e),
    });
  }
  get memberId(): string | null { return this.m.memberId; }
  get generationId(): number { return this.m.generationId; }
  async start(): Promise<void> {
    await ensureCodecs();
    await this.m.start();
  }
  /** committed offsets (≥ 0) by `topic:partition`; partitions without one are left out */
  async committed(parts: Array<{ topic: string; partition: number }>): Promise<Map<string, number>> {
    const res = await this.m.committed(parts);
    const out = new Map<string, number>();
    for (const p of parts) { const o = res.get(`${p.topic}\u0000${p.partition}`); if (o !== undefined && o >= 0) out.set(`${p.topic}:${p.partition}`, o); }
    return out;
  }
  /** at_least_once: the next offsets to read */
  async commit(offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    await this.m.commit(offsets);
  }
  /** what a transactional producer needs to commit offsets as this member */
  groupMetadata(): { groupId: string; generationId: number; memberId: string; coordinatorId: number } {
    return { groupId: this.cfg.groupId, generationId: this.m.generationId, memberId: this.m.memberId ?? '', coordinatorId: this.m.coordinatorId };
  }
  async close(): Promise<void> { await this.m.close(); }
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
