// The one producer: idempotent by default, acks=all, any codec, optionally
// transactional (one transactional.id per producer, as KIP-618 tasks need).
import { Producer, type MessageToProduce } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs, type Codec } from './codecs.ts';
import { murmur2 } from './murmur2.ts';

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

export class KafkaProducer {
  private readonly p: Producer;
  private readonly acks: number;
  private readonly queue = new SendQueue();

  constructor(private readonly cfg: ProducerConfig) {
    const transactional = !!cfg.transactionalId;
    const base = baseOptions(cfg);
    this.acks = cfg.acks ?? -1;
    this.p = new Producer({
      ...base,
      // the library sends InitProducerId's transaction timeout from its request timeout
      ...(transactional ? { timeout: cfg.transactionTimeoutMs ?? 60000, transactionalId: cfg.transactionalId } : {}),
      idempotent: transactional || (cfg.idempotent ?? true),
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
    const messages = records.map(toMessage);
    return this.queue.run(async () => offsetsOf(await this.p.send({ messages, acks: this.acks })));
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
    return new ProducerTransaction(await this.p.beginTransaction(), this.acks, this.queue);
  }

  async close(): Promise<void> {
    await this.p.close().catch(() => undefined);
  }
}

export class ProducerTransaction {
  constructor(private readonly tx: Transaction, private readonly acks: number, private readonly queue: SendQueue) {}

  async send(records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    if (!records.length) return [];
    const messages = records.map(toMessage);
    return this.queue.run(async () => offsetsOf(await this.tx.send({ messages, acks: this.acks })));
  }

  commit(): Promise<void> { return this.tx.commit(); }
  abort(): Promise<void> { return this.tx.abort(); }
}

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
