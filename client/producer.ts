// The one producer: idempotent by default, acks=all, any codec, optionally
// transactional (one transactional.id per producer, as KIP-618 tasks need).
import { Producer, kGetConnection, txnOffsetCommitV3, txnOffsetCommitV4, type ClusterMetadata, type Connection, type Consumer, type MessageToProduce } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs, type Codec } from './codecs.ts';
import { murmur2 } from './murmur2.ts';
import { encodeRecordBatch, RecordBatchBuilder } from './record-batch.ts';
import { encodeProduceRequest, produceApi, PRODUCE_MAX_VERSION, PRODUCE_MIN_VERSION, type ProduceResponse, type TopicData } from './produce-request.ts';

export interface Header { key: string; value: Buffer | string | null }

export interface OutgoingRecord {
  topic: string;
  /** default: by key (murmur2), else spread */
  partition?: number;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Header[] | Record<string, Buffer | string>;
  /** ms since the epoch; default now */
  timestamp?: number;
}

/** Where a send put its records: the base offset of each partition's batch. */
export interface PartitionOffset { topic: string; partition: number; offset: number }

export interface ProducerConfig extends ClientConfig {
  /** default true */
  idempotent?: boolean;
  /** makes the producer transactional (implies idempotent) */
  transactionalId?: string;
  /** transactional producers: how long the broker lets a transaction stay open (default 60 s) */
  transactionTimeoutMs?: number;
  /** default -1 (all) */
  acks?: -1 | 0 | 1;
  compression?: Codec;
  /** default false: internal writers never create topics by accident */
  autoCreateTopics?: boolean;
}

const toBuf = (v: Buffer | string | null | undefined): Buffer | undefined => (v === null || v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v) : v);

/** Per record on every send: no headers map unless there are headers, no spread objects. */
function toMessage(r: OutgoingRecord): MessageToProduce {
  const m: MessageToProduce = {
    topic: r.topic,
    key: toBuf(r.key),
    // null is a tombstone: the library writes a missing value as a null record value
    value: toBuf(r.value) as Buffer,
  };
  const h = r.headers;
  if (Array.isArray(h)) {
    if (h.length) {
      // Keys are fresh Buffer objects, so a repeated header key stays repeated; a null value is
      // written as null (length -1), as Kafka's record format allows — a mirrored record keeps its bytes.
      const headers = new Map<Buffer, Buffer | null>();
      for (const x of h) headers.set(Buffer.from(x.key), toBuf(x.value) ?? null);
      m.headers = headers as Map<Buffer, Buffer>;
    }
  } else if (h) {
    const headers = new Map<Buffer, Buffer | null>();
    for (const k in h) headers.set(Buffer.from(k), toBuf(h[k]) ?? null);
    if (headers.size) m.headers = headers as Map<Buffer, Buffer>;
  }
  if (r.partition !== undefined && r.partition !== null) m.partition = r.partition;
  if (r.timestamp !== undefined) m.timestamp = BigInt(Math.trunc(r.timestamp));
  return m;
}

/**
 * Kafka's default for a keyed record (murmur2, positive; the library takes it modulo the
 * partition count); records without a key go round-robin per topic, as the library's own.
 */
function keyPartitioner(): (message: MessageToProduce, key?: Buffer) => number {
  const next = new Map<string, number>();
  return (message, key) => {
    if (key) return murmur2(key) & 0x7fffffff;
    const n = next.get(message.topic) ?? 0;
    next.set(message.topic, (n + 1) & 0x7fffffff);
    return n;
  };
}

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

/**
 * One send at a time. @platformatic/kafka 1.34 gives concurrent sends of an idempotent
 * producer the same sequence number: the broker keeps the first and acknowledges the
 * others as duplicates — records silently lost. Sends are queued, in call order.
 */
class SendQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

const offsetsOf = (res: { offsets?: { topic: string; partition: number; offset: bigint }[] }): PartitionOffset[] =>
  (res.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Destination = { topic: string; partition: number; records: OutgoingRecord[]; built?: RecordBatchBuilder; batch?: Buffer };

/** A batch its caller filled record by record (RecordBatchBuilder) for one partition. */
export interface PreparedBatch { topic: string; partition: number; batch: RecordBatchBuilder }

/** The library's errors carry `findBy` over their tree of causes. */
type FindBy = { findBy?: (k: string, v: unknown) => unknown };

export class KafkaProducer {
  private readonly p: Producer;
  private readonly acks: number;
  private readonly queue = new SendQueue();
  private readonly idempotent: boolean;
  private readonly retries: number;
  private readonly timeoutMs: number;
  /** next sequence number per `topic\0partition`, for the producer id and epoch in `seqOwner` */
  private sequences = new Map<string, number>();
  private seqOwner = '';
  /** an idempotent send failed: its sequence numbers are unknown to us, so the next send takes a new producer id */
  private reinit = false;
  private produceVersion = 0;
  private txnOffsetCommitApi: Promise<TxnOffsetCommitApi> | null = null;
  private readonly roundRobin = new Map<string, number>();

  constructor(private readonly cfg: ProducerConfig) {
    const transactional = !!cfg.transactionalId;
    const base = baseOptions(cfg);
    this.acks = cfg.acks ?? -1;
    this.idempotent = transactional || (cfg.idempotent ?? true);
    this.retries = typeof base.retries === 'number' ? base.retries : 8;
    this.timeoutMs = base.timeout ?? 30000;
    this.p = new Producer({
      ...base,
      // the library sends InitProducerId's transaction timeout from its request timeout
      ...(transactional ? { timeout: cfg.transactionTimeoutMs ?? 60000, transactionalId: cfg.transactionalId } : {}),
      idempotent: this.idempotent,
      acks: this.acks,
      compression: cfg.compression ?? 'none',
      autocreateTopics: cfg.autoCreateTopics ?? false,
      partitioner: keyPartitioner(),
    });
  }

  get transactional(): boolean { return !!this.cfg.transactionalId; }

  /** Sends records (each partition's share as one batch); resolves once acknowledged with each partition's base offset. */
  async send(records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    if (!records.length) return [];
    await ensureCodecs();
    if (this.transactional) {
      // outside a transaction a transactional producer is the library's business (it drops its
      // transactional producer id for an idempotent one, and takes a new epoch at the next transaction)
      const messages = records.map(toMessage);
      return this.queue.run(async () => offsetsOf(await this.p.send({ messages, acks: this.acks })));
    }
    return this.queue.run(() => this.produce(records, null));
  }

  /**
   * Sends batches the caller filled (RecordBatchBuilder), at most one per partition, in one
   * Produce request per leader; resolves with each partition's base offset. Not for a
   * transactional producer outside a transaction (use ProducerTransaction.sendBatches).
   */
  async sendBatches(batches: PreparedBatch[]): Promise<PartitionOffset[]> {
    if (!batches.length) return [];
    if (this.transactional) throw new Error('a transactional producer sends prepared batches inside a transaction');
    await ensureCodecs();
    return this.queue.run(() => this.produce([], null, batches));
  }

  /**
   * Produces `records`: each partition's share encoded here as one record batch
   * (record-batch.ts), one Produce request per leader, retried (same sequence numbers,
   * so the broker drops what it already has) on retriable errors.
   */
  private async produce(records: OutgoingRecord[], tx: Transaction | null, prepared?: PreparedBatch[]): Promise<PartitionOffset[]> {
    const p = this.p;
    if (this.idempotent && !tx && (this.reinit || p.producerId === undefined)) {
      await p.initIdempotentProducer({});
      this.reinit = false;
    }
    const producerId = this.idempotent ? p.producerId! : -1n;
    const producerEpoch = this.idempotent ? p.producerEpoch! : -1;
    const owner = `${producerId}:${producerEpoch}`;
    if (owner !== this.seqOwner) { this.sequences.clear(); this.seqOwner = owner; }
    if (!this.produceVersion) this.produceVersion = await this.pickProduceVersion();

    const first = prepared ? prepared[0].topic : records[0].topic;
    let topics: string[] = [first];
    if (prepared) { for (const b of prepared) if (b.topic !== topics[topics.length - 1] && !topics.includes(b.topic)) topics.push(b.topic); }
    else for (const r of records) if (r.topic !== topics[topics.length - 1] && !topics.includes(r.topic)) topics.push(r.topic);
    let md = await p.metadata({ topics, autocreateTopics: this.cfg.autoCreateTopics ?? false });
    const dests: Destination[] = prepared ? prepared.map((b) => ({ topic: b.topic, partition: b.partition, records: [], built: b.batch })) : this.partition(records, md);
    if (tx) await tx.addPartitions(md, dests.map((d) => ({ topic: d.topic, partition: d.partition })) as never);
    const now = Date.now();
    for (const d of dests) {
      const seq = this.idempotent ? this.sequences.get(`${d.topic}\0${d.partition}`) ?? 0 : -1;
      const o = { producerId, producerEpoch, baseSequence: seq, transactional: !!tx, codec: this.cfg.compression ?? 'none', now };
      d.batch = d.built ? d.built.finish(o) : encodeRecordBatch(d.records, o);
    }
    const txnId = tx ? this.cfg.transactionalId! : null;
    for (let attempt = 0; ; attempt++) {
      try {
        const out: PartitionOffset[] = [];
        const byLeader = new Map<number, Destination[]>();
        for (const d of dests) {
          const leader = md.topics.get(d.topic)!.partitions[d.partition].leader;
          const list = byLeader.get(leader);
          if (list) list.push(d); else byLeader.set(leader, [d]);
        }
        await Promise.all([...byLeader].map(async ([leader, ds]) => {
          const res = await this.sendTo(md, leader, txnId, ds);
          for (const t of res?.responses ?? []) for (const pr of t.partitionResponses) out.push({ topic: t.name, partition: pr.index, offset: Number(pr.baseOffset) });
        }));
        if (this.idempotent) {
          for (const d of dests) {
            const k = `${d.topic}\0${d.partition}`;
            // sequence numbers wrap to 0 after 2^31-1, as Kafka's
            this.sequences.set(k, ((this.sequences.get(k) ?? 0) + (d.built ? d.built.count : d.records.length)) % 0x80000000);
          }
        }
        return out;
      } catch (e) {
        const err = e as FindBy;
        const retriable = !err.findBy?.('canRetry', false);
        if (!retriable || attempt >= this.retries || p.closed) {
          // the broker may hold some of these batches: our sequence numbers are no longer known good
          if (this.idempotent && !tx) this.reinit = true;
          throw e;
        }
        await sleep(Math.min(2000, 100 * 2 ** attempt));
        if (err.findBy?.('hasStaleMetadata', true)) p.clearMetadata();
        topics = dests.map((d) => d.topic);
        md = await p.metadata({ topics: [...new Set(topics)], autocreateTopics: this.cfg.autoCreateTopics ?? false });
      }
    }
  }

  private async sendTo(md: ClusterMetadata, leader: number, txnId: string | null, ds: Destination[]): Promise<ProduceResponse | undefined> {
    const broker = md.brokers.get(leader);
    if (!broker) throw Object.assign(new Error(`no broker ${leader} in the metadata`), { findBy: (k: string, v: unknown) => (k === 'hasStaleMetadata' && v === true ? {} : null) });
    const conn = await connectionTo(this.p, broker);
    const topics: TopicData[] = [];
    for (const d of ds) {
      const last = topics[topics.length - 1];
      const t = last?.topic === d.topic ? last : topics.find((x) => x.topic === d.topic);
      if (t) t.partitions.push({ partition: d.partition, batch: d.batch! });
      else topics.push({ topic: d.topic, partitions: [{ partition: d.partition, batch: d.batch! }] });
    }
    const body = encodeProduceRequest(this.produceVersion, txnId, this.acks, this.timeoutMs, topics);
    return produceApi(this.produceVersion).async(conn, body, this.acks === 0);
  }

  /** TxnOffsetCommit v3+ carries the member's generation (KIP-447); v4 where the broker has it. */
  private async pickTxnOffsetCommit(): Promise<TxnOffsetCommitApi> {
    const api = (await this.p.listApis()).find((a) => a.name === 'TxnOffsetCommit');
    return (api?.maxVersion ?? 0) >= 4 ? txnOffsetCommitV4.api : txnOffsetCommitV3.api;
  }

  private async pickProduceVersion(): Promise<number> {
    const apis = await this.p.listApis();
    const api = apis.find((a) => a.name === 'Produce');
    const v = Math.min(api?.maxVersion ?? 0, PRODUCE_MAX_VERSION);
    if (v < PRODUCE_MIN_VERSION || (api && api.minVersion > v)) throw new Error(`the broker's Produce versions (${api?.minVersion}-${api?.maxVersion}) do not include ${PRODUCE_MIN_VERSION}-${PRODUCE_MAX_VERSION}`);
    return v;
  }

  /**
   * Each record's partition, as the library chose it: the record's own (modulo the count),
   * else murmur2 of the key (Kafka's default), else round-robin per topic; records kept
   * in order within a partition.
   */
  private partition(records: OutgoingRecord[], md: ClusterMetadata): Destination[] {
    const dests: Destination[] = [];
    const byKey = new Map<string, Destination>();
    let lastTopic = '', count = 0, single: Destination | null = null;
    for (const r of records) {
      if (r.topic !== lastTopic) {
        lastTopic = r.topic;
        const t = md.topics.get(r.topic);
        if (!t) throw new Error(`no metadata for topic ${r.topic}`);
        count = t.partitionsCount;
        single = null;
      }
      // a string key is made bytes only when it is hashed
      const hashed = count > 1 && (r.partition === undefined || r.partition === null) && r.key !== null && r.key !== undefined;
      const part = this.choosePartition(r.topic, count, r.partition, hashed ? (typeof r.key === 'string' ? Buffer.from(r.key) : r.key as Buffer) : null);
      if (single && single.partition === part) { single.records.push(r); continue; }
      const k = `${r.topic}\0${part}`;
      let d = byKey.get(k);
      if (!d) { d = { topic: r.topic, partition: part, records: [] }; byKey.set(k, d); dests.push(d); }
      d.records.push(r);
      single = d;
    }
    return dests;
  }

  /**
   * The partition send() gives a record of `topic` (with `count` partitions): its own
   * (modulo the count), else murmur2 of the key (key[start..end)), else round-robin per topic.
   */
  choosePartition(topic: string, count: number, partition: number | null | undefined, key: Buffer | null, start = 0, end = key ? key.length : 0): number {
    if (partition !== undefined && partition !== null) return partition % count;
    if (count === 1) return 0;
    if (key !== null) return (murmur2(key, start, end) & 0x7fffffff) % count;
    const n = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, (n + 1) & 0x7fffffff);
    return n % count;
  }

  /** Each topic's partition count, from the metadata the producer's sends use (so: as they would see it now). */
  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const md = await this.p.metadata({ topics, autocreateTopics: this.cfg.autoCreateTopics ?? false });
    const out = new Map<string, number>();
    for (const t of topics) {
      const m = md.topics.get(t);
      if (!m) throw new Error(`no metadata for topic ${t}`);
      out.set(t, m.partitionsCount);
    }
    return out;
  }

  /**
   * Transactional producers: InitProducerId with our transactional.id — bumps the epoch,
   * fences an older instance with the same id and aborts what it left open.
   */
  async initTransactions(): Promise<void> {
    if (!this.transactional) throw new Error('initTransactions needs a transactionalId');
    await ensureCodecs();
    // a new instance has no producer id yet (-1/-1, KIP-360): the library would send 0/0, which
    // names the id the broker may have handed the older instance, and gets PRODUCER_FENCED
    const tx = await this.p.beginTransaction({ producerId: -1n, producerEpoch: -1 });
    await tx.abort();
  }

  async beginTransaction(): Promise<ProducerTransaction> {
    await ensureCodecs();
    return new ProducerTransaction(await this.p.beginTransaction(), this.queue, (records, tx, prepared) => this.produce(records, tx, prepared), this.p, this.cfg.transactionalId!, { retries: this.retries, txnOffsetCommit: () => (this.txnOffsetCommitApi ??= this.pickTxnOffsetCommit().catch((e) => { this.txnOffsetCommitApi = null; throw e; })) });
  }

  async close(): Promise<void> {
    await this.p.close().catch(() => undefined);
  }
}

export class ProducerTransaction {
  constructor(private readonly tx: Transaction, private readonly queue: SendQueue,
    private readonly produce: (records: OutgoingRecord[], tx: Transaction, prepared?: PreparedBatch[]) => Promise<PartitionOffset[]>,
    private readonly p: Producer, private readonly transactionalId: string,
    private readonly o: { retries: number; txnOffsetCommit: () => Promise<TxnOffsetCommitApi> }) {}

  async send(records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    if (!records.length) return [];
    if (this.tx.completed) throw new Error('Cannot produce to an already completed transaction.');
    return this.queue.run(() => this.produce(records, this.tx));
  }

  /** Batches the caller filled (RecordBatchBuilder), at most one per partition, in this transaction. */
  async sendBatches(batches: PreparedBatch[]): Promise<PartitionOffset[]> {
    if (!batches.length) return [];
    if (this.tx.completed) throw new Error('Cannot produce to an already completed transaction.');
    return this.queue.run(() => this.produce([], this.tx, batches));
  }

  /**
   * A consumer group's offsets in this transaction (Kafka's sendOffsetsToTransaction):
   * AddOffsetsToTxn, then one TxnOffsetCommit for every partition carrying the member's
   * generation, so a zombie of an older generation is fenced (KIP-447). `offset` is the
   * next record to read. (The library sends a TxnOffsetCommit per offset, one after another.)
   */
  async sendOffsets(offsets: Array<{ topic: string; partition: number; offset: number }>, group: GroupMetadata): Promise<void> {
    if (!offsets.length) return;
    if (this.tx.completed) throw new Error('Cannot add an offset to an already completed transaction.');
    await this.tx.addConsumer({ groupId: group.groupId } as unknown as Consumer);
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }>>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1 });
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    for (let attempt = 0; ; attempt++) {
      try {
        const md = await this.p.metadata({ topics: [...byTopic.keys()] });
        const broker = md.brokers.get(group.coordinatorId);
        if (!broker) throw Object.assign(new Error(`no broker ${group.coordinatorId} (the group coordinator) in the metadata`), { findBy: (k: string, v: unknown) => (k === 'hasStaleMetadata' && v === true ? {} : null) });
        const conn = await connectionTo(this.p, broker);
        await (await this.o.txnOffsetCommit()).async(conn, this.transactionalId, group.groupId, this.p.producerId!, this.p.producerEpoch!, group.generationId, group.memberId, null, topics);
        return;
      } catch (e) {
        const err = e as FindBy;
        if (err.findBy?.('canRetry', false) || attempt >= this.o.retries || this.p.closed) throw e;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
        if (err.findBy?.('hasStaleMetadata', true)) this.p.clearMetadata();
      }
    }
  }

  commit(): Promise<void> { return this.tx.commit(); }
  abort(): Promise<void> { return this.tx.abort(); }
}

type TxnOffsetCommitApi = typeof txnOffsetCommitV3.api | typeof txnOffsetCommitV4.api;

/** The library's connection to `broker` (the one its own requests use). */
function connectionTo(p: Producer, broker: { host: string; port: number }): Promise<Connection> {
  return new Promise<Connection>((resolve, reject) => p[kGetConnection](broker, (e, c) => (e ? reject(e) : resolve(c!))));
}

/** The consumer group member a transaction commits offsets for (Kafka's ConsumerGroupMetadata). */
export interface GroupMetadata { groupId: string; generationId: number; memberId: string; coordinatorId: number }

/** The broker fenced this producer: a newer instance with the same transactional.id took over. */
export function isFencingError(e: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (x: unknown): boolean => {
    if (!x || typeof x !== 'object' || seen.has(x)) return false;
    seen.add(x);
    const o = x as { type?: unknown; name?: unknown; apiId?: unknown; code?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown; message?: unknown };
    if (o.apiId === 'INVALID_PRODUCER_EPOCH' || o.apiId === 'PRODUCER_FENCED' || o.type === 'INVALID_PRODUCER_EPOCH' || o.type === 'PRODUCER_FENCED' || o.name === 'ProducerFencedException') return true;
    return walk(o.cause) || walk(o.originalError) || (Array.isArray(o.errors) && o.errors.some(walk));
  };
  return walk(e);
}
