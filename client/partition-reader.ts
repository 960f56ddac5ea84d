// Reads partitions by assignment, without a consumer group (Kafka's consumer.assign()):
// from a given offset, at read_uncommitted or read_committed (then up to the last
// stable offset, aborted transactions skipped as Kafka's fetcher does), reporting
// each partition's high-water mark and LSO with every fetch. Control records and
// aborted records are never handed out, but the position moves past them, so a
// caller can tell when it has read a partition to its end.
import { Consumer, kGetConnection, type Broker, type Connection } from '@platformatic/kafka';
import { baseOptions, type ClientConfig } from './config.ts';
import { ensureCodecs } from './codecs.ts';
import { decodeRecords, fetchApi, forEachBatch, FETCH_MAX_VERSION, FETCH_MIN_VERSION, IS_CONTROL, IS_TRANSACTIONAL, type FetchResponse } from './fetch-response.ts';

export type Isolation = 'read_committed' | 'read_uncommitted';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
  /** ms since the epoch */
  timestamp: number;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** the next offset to read: past the last record, control or aborted record seen */
  nextOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

export interface TopicPartition { topic: string; partition: number }
export interface PartitionEnds { topic: string; partition: number; earliest: number; latest: number; lastStable: number }

export interface PartitionReaderConfig extends ClientConfig {
  isolation?: Isolation;
  /** how long the broker may hold a fetch with nothing new (default 500 ms) */
  maxWaitMs?: number;
  /** default 50 MiB */
  maxBytes?: number;
  /** default 1 MiB */
  partitionMaxBytes?: number;
  /** where a partition whose offset is out of range restarts (default earliest) */
  resetTo?: 'earliest' | 'latest';
}

const OFFSET_OUT_OF_RANGE = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type FetchTopic = { topicId: string; partitions: { partition: number; currentLeaderEpoch: number; fetchOffset: bigint; lastFetchedEpoch: number; partitionMaxBytes: number }[] };

/**
 * Aborted transactions of a partition, as Kafka's fetcher keeps them: those the broker
 * listed and not yet reached (by first offset), the producers whose aborted transaction
 * the reading is inside, and where each producer's last marker was (a listed transaction
 * that began before it has ended).
 */
class Aborts {
  pending: { pid: bigint; first: number }[] = [];
  active = new Set<bigint>();
  lastMarker = new Map<bigint, number>();
  clear(): void { this.pending = []; this.active.clear(); this.lastMarker.clear(); }
}

interface Assigned { topic: string; partition: number; offset: number; paused: boolean; aborted: Aborts }

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class PartitionReader {
  /** never joins the group: a Consumer needs a name, the fetch and list-offsets calls used here never send it */
  private readonly c: Consumer;
  private readonly assigned = new Map<string, Assigned>();
  private readonly isolation: 0 | 1;
  private closed = false;
  private fetchVersion = 0;
  private readonly retries: number;
  /** the last poll met a partition error that needs fresh metadata */
  private stale = false;

  constructor(private readonly cfg: PartitionReaderConfig) {
    this.isolation = (cfg.isolation ?? 'read_uncommitted') === 'read_committed' ? 1 : 0;
    this.retries = cfg.retries ?? 3;
    // few retries: its callers loop with their own backoff, and a closed reader must not keep retrying
    this.c = new Consumer({ ...baseOptions({ ...cfg, retries: cfg.retries ?? 3 }), groupId: `${cfg.clientId}-assigned`, autocommit: false, isolationLevel: this.isolation, maxWaitTime: cfg.maxWaitMs ?? 500, maxBytes: cfg.maxBytes ?? 50 << 20, minBytes: 1 });
  }

  /** Adds or moves partitions; `offset` -1 = latest, -2 = earliest. */
  async assign(parts: (TopicPartition & { offset: number | 'earliest' | 'latest' })[]): Promise<void> {
    const resolve = parts.filter((p) => typeof p.offset !== 'number' || p.offset < 0);
    const ends = resolve.length ? await this.endOffsets(resolve) : [];
    for (const p of parts) {
      let offset = p.offset;
      if (typeof offset !== 'number' || offset < 0) {
        const e = ends.find((x) => x.topic === p.topic && x.partition === p.partition);
        offset = (offset === 'latest' || offset === -1) ? (e?.latest ?? 0) : (e?.earliest ?? 0);
      }
      const k = key(p.topic, p.partition);
      const cur = this.assigned.get(k);
      if (cur) { cur.offset = offset; cur.aborted.clear(); } else this.assigned.set(k, { topic: p.topic, partition: p.partition, offset, paused: false, aborted: new Aborts() });
    }
  }

  unassign(parts: TopicPartition[]): void { for (const p of parts) this.assigned.delete(key(p.topic, p.partition)); }
  assignment(): TopicPartition[] { return [...this.assigned.values()].map((a) => ({ topic: a.topic, partition: a.partition })); }
  position(topic: string, partition: number): number | undefined { return this.assigned.get(key(topic, partition))?.offset; }
  seek(topic: string, partition: number, offset: number): void { const a = this.assigned.get(key(topic, partition)); if (a) { a.offset = offset; a.aborted.clear(); } }
  pause(parts: TopicPartition[]): void { for (const p of parts) { const a = this.assigned.get(key(p.topic, p.partition)); if (a) a.paused = true; } }
  resume(parts: TopicPartition[]): void { for (const p of parts) { const a = this.assigned.get(key(p.topic, p.partition)); if (a) a.paused = false; } }

  /** Earliest, latest (high-water mark) and last stable offset of each partition (all partitions of a topic given without one). */
  async endOffsets(parts: (TopicPartition | { topic: string; partition?: undefined })[]): Promise<PartitionEnds[]> {
    await ensureCodecs();
    const topics = [...new Set(parts.map((p) => p.topic))];
    const partitions: Record<string, number[]> = {};
    for (const p of parts) if (p.partition !== undefined) (partitions[p.topic] ??= []).push(p.partition);
    const opts = { topics, ...(Object.keys(partitions).length ? { partitions } : {}) };
    const ask = () => Promise.all([
      this.c.listOffsets({ ...opts, timestamp: -2n, isolationLevel: 0 }),
      this.c.listOffsets({ ...opts, timestamp: -1n, isolationLevel: 0 }),
      this.c.listOffsets({ ...opts, timestamp: -1n, isolationLevel: 1 }),
    ]);
    // partitions added since the library's metadata was cached are "not found" until it is refreshed
    const [earliest, latest, stable] = await ask().catch(() => { this.c.clearMetadata(); return ask(); });
    const out: PartitionEnds[] = [];
    for (const [topic, l] of latest) {
      l.forEach((v, partition) => {
        if (v === undefined || (partitions[topic] && !partitions[topic].includes(partition))) return;
        out.push({ topic, partition, earliest: Number(earliest.get(topic)?.[partition] ?? 0n), latest: Number(v), lastStable: Number(stable.get(topic)?.[partition] ?? v) });
      });
    }
    return out;
  }

  /** One fetch round to every leader of an assigned, unpaused partition. */
  async poll(): Promise<PartitionBatch[]> {
    await ensureCodecs();
    const active = [...this.assigned.values()].filter((a) => !a.paused);
    if (this.closed) return [];
    // nothing to fetch (all paused, none assigned): wait as a fetch with no data would, so a poll loop never spins
    if (!active.length) { await new Promise((r) => setTimeout(r, this.cfg.maxWaitMs ?? 500)); return []; }
    const md = await this.c.metadata({ topics: [...new Set(active.map((a) => a.topic))] });
    const byLeader = new Map<number, Map<string, { topicId: string; parts: Assigned[] }>>();
    for (const a of active) {
      const t = md.topics.get(a.topic);
      const leader = t?.partitions[a.partition]?.leader;
      if (!t || leader === undefined || leader < 0) continue;
      let m = byLeader.get(leader);
      if (!m) byLeader.set(leader, (m = new Map()));
      let e = m.get(a.topic);
      if (!e) m.set(a.topic, (e = { topicId: t.id, parts: [] }));
      e.parts.push(a);
    }
    const pmb = this.cfg.partitionMaxBytes ?? 1 << 20;
    this.stale = false;
    const rounds = [...byLeader].map(async ([node, topics]) => {
      const ids = new Map([...topics].map(([name, e]) => [e.topicId, name]));
      const sent = new Map<string, number>(); // what each partition was asked from, to drop answers a seek made stale
      const request = [...topics.values()].map((e) => ({
        topicId: e.topicId,
        partitions: e.parts.map((a) => { sent.set(key(a.topic, a.partition), a.offset); return { partition: a.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(a.offset), lastFetchedEpoch: -1, partitionMaxBytes: pmb }; }),
      }));
      let res: FetchResponse;
      try {
        res = await this.fetch(node, md.brokers.get(node), [...topics.keys()], request);
      } catch (e) {
        this.c.clearMetadata();
        throw e;
      }
      return this.decode(res, ids, sent);
    });
    const settled = await Promise.allSettled(rounds);
    const out: PartitionBatch[] = [];
    let firstError: unknown = null;
    for (const s of settled) { if (s.status === 'fulfilled') out.push(...s.value); else firstError ??= s.reason; }
    if (!out.length && firstError) throw firstError;
    // a partition answered with a metadata error: a short wait before the caller's next poll asks again (the broker answered at once)
    if (this.stale && !out.some((b) => b.records.length)) await sleep(100);
    return out;
  }

  private decode(res: FetchResponse, ids: Map<string, string>, sent: Map<string, number>): PartitionBatch[] {
    const out: PartitionBatch[] = [];
    for (const t of res.responses) {
      const topic = ids.get(t.topicId);
      if (topic === undefined) continue;
      for (const p of t.partitions) {
        const a = this.assigned.get(key(topic, p.partitionIndex));
        if (!a || a.offset !== sent.get(key(topic, p.partitionIndex))) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          a.offset = (this.cfg.resetTo ?? 'earliest') === 'earliest' ? Number(p.logStartOffset) : Number(p.highWatermark);
          a.aborted.clear();
          continue;
        }
        // leader moved, topic or epoch stale (fetch-response.ts's PER_PARTITION_ERRORS): this partition is asked again after a metadata refresh
        if (p.errorCode !== 0) { this.c.clearMetadata(); this.stale = true; continue; }
        const ab = a.aborted;
        if (p.abortedTransactions.length) {
          for (const at of p.abortedTransactions) {
            const first = Number(at.firstOffset);
            if ((ab.lastMarker.get(at.producerId) ?? -1) >= first || ab.pending.some((x) => x.pid === at.producerId && x.first === first)) continue;
            ab.pending.push({ pid: at.producerId, first });
          }
          ab.pending.sort((x, y) => x.first - y.first);
        }
        const records: ConsumedRecord[] = [];
        let next = a.offset;
        const partition = p.partitionIndex;
        const push = (offset: number, timestamp: number, k: Buffer | null, value: Buffer | null, headers: { key: string; value: Buffer | null }[]) => {
          records.push({ topic, partition, offset, key: k, value, headers, timestamp });
        };
        if (p.records) {
          const buf = p.records;
          forEachBatch(buf, (b) => {
            const last = b.baseOffset + b.lastOffsetDelta;
            if (last < next) return;
            // an aborted transaction begins to count at its first offset, not before: a commit
            // marker of the same producer's earlier transaction must not end it
            while (ab.pending.length && ab.pending[0].first <= last) ab.active.add(ab.pending.shift()!.pid);
            if (b.attributes & IS_CONTROL) {
              ab.active.delete(b.producerId); // the transaction's marker ends it, commit or abort
              ab.lastMarker.set(b.producerId, b.baseOffset);
            } else if (!(this.isolation && b.attributes & IS_TRANSACTIONAL && ab.active.has(b.producerId))) {
              decodeRecords(buf, b, a.offset, push);
            }
            next = last + 1;
          });
        }
        // read_committed: nothing at or past the LSO is returned; an empty answer below it still means "caught up to here"
        a.offset = next;
        out.push({ topic, partition: p.partitionIndex, records, nextOffset: next, highWatermark: Number(p.highWatermark), lastStableOffset: Number(p.lastStableOffset), logStartOffset: Number(p.logStartOffset) });
      }
    }
    return out;
  }

  /**
   * One Fetch to `node` with the library's request encoder and our parser
   * (fetch-response.ts); retried as the library retries its own fetch.
   */
  private async fetch(node: number, broker: Broker | undefined, topics: string[], request: FetchTopic[]): Promise<FetchResponse> {
    if (!this.fetchVersion) {
      const api = (await this.c.listApis()).find((x) => x.name === 'Fetch');
      const v = Math.min(api?.maxVersion ?? 0, FETCH_MAX_VERSION);
      if (v < FETCH_MIN_VERSION || (api && api.minVersion > v)) throw new Error(`the broker's Fetch versions (${api?.minVersion}-${api?.maxVersion}) do not include ${FETCH_MIN_VERSION}-${FETCH_MAX_VERSION}`);
      this.fetchVersion = v;
    }
    const maxWait = this.cfg.maxWaitMs ?? 500, maxBytes = this.cfg.maxBytes ?? 50 << 20;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!broker) throw new Error(`Cannot find broker with node id ${node}`);
        const b = broker;
        const conn = await new Promise<Connection>((resolve, reject) => this.c[kGetConnection](b, (e, c) => (e ? reject(e) : resolve(c!))));
        // session id 0 with epoch -1 (FINAL_EPOCH): a full fetch outside any fetch session, as librdkafka's are; epoch 0
        // asks the broker for a new session, and as every request here is a full one that made a session per fetch,
        // churning the broker's session cache (max.incremental.fetch.session.cache.slots) that its consumers share
        return await fetchApi(this.fetchVersion).async(conn, maxWait, 1, maxBytes, this.isolation, 0, -1, request, [], '');
      } catch (e) {
        const err = e as { findBy?: (k: string, v: unknown) => unknown };
        if (this.closed || attempt >= this.retries || err.findBy?.('canRetry', false) || !err.findBy) throw e;
        if (err.findBy('hasStaleMetadata', true) || err.findBy('apiId', 'FENCED_LEADER_EPOCH')) this.c.clearMetadata();
        await sleep(Math.min(2000, 100 * 2 ** attempt));
        broker = (await this.c.metadata({ topics })).brokers.get(node);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.c.close(true, () => resolve()));
  }
}


