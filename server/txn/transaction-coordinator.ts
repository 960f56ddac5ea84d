// Transaction coordinator: producer ids, transactional ids with epochs, the
// transaction state machine kept in `__transaction_state`, commit/abort markers
// written to every partition of a transaction, timeouts that abort abandoned
// transactions and fence their producers.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ApiHandlers, RequestContext } from '../network/api-handlers.ts';
import type { RequestOf } from '../protocol/schema.ts';
import { AddOffsetsToTxn, AddPartitionsToTxn, DescribeTransactions, EndTxn, InitProducerId, ListTransactions, TxnOffsetCommit, WriteTxnMarkers } from '../protocol/apis/index.ts';
import { PeerConnections, type BrokerConnection } from '../replication/broker-connection.ts';
import type { BrokerConfig } from '../config.ts';
import type { MetadataStore } from '../cluster/metadata-store.ts';
import type { TopicManager } from '../topic-manager.ts';
import type { ReplicaManager } from '../replica-manager.ts';
import { KafkaError, code } from '../errors.ts';
import { buildBatch, readRecords, readBatchInfo } from '../log/record-batch.ts';
import { Reader, Writer } from '../protocol/buffers.ts';
import { writeFileAtomic } from '../log/partition-log.ts';

export const TXN_TOPIC = '__transaction_state';
/** the group coordinator's topic: a marker "to" a group's partition completes its transactional offsets there */
const OFFSETS_TOPIC = '__consumer_offsets';
const MARKER_RETRY_MS = 100;
/** a completion that failed (prepare not replicated, a marker or the Complete record not written) is tried again after this */
const FINISH_RETRY_MS = 1000;
/**
 * InitProducerId that aborts the previous instance's open transaction waits this long for
 * the abort's markers, then answers CONCURRENT_TRANSACTIONS (the client retries), as Kafka does.
 */
const FENCE_WAIT_MS = 5000;
/**
 * A request that would answer CONCURRENT_TRANSACTIONS (the id's previous transaction still
 * writing its markers) is held this long for them first: markers take about one replication
 * round, and the client's retry backoff (librdkafka 20 ms, Java 20-100 ms) would cost more.
 */
const COMPLETION_WAIT_MS = 100;

export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence';
const STATE_CODES: TxnState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

export interface TxnMeta {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: Set<string>; // "topic\u0000partition"
  groups: Set<string>;
  startTime: number;
  lastUpdate: number;
}

type TxnOffsetResults = { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];

/** Where transactional consumer offsets go (the group coordinator). */
export interface TxnOffsetSink {
  commitTransactionalOffsets(groupId: string, producerId: bigint, producerEpoch: number, topics: { name: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch?: number; committedMetadata: string | null }[] }[], member?: { memberId: string; generationId: number; groupInstanceId: string | null }): TxnOffsetResults | Promise<TxnOffsetResults>;
  /** the transaction's marker on the __consumer_offsets partitions led here (only `partition` when given) */
  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean, partition?: number): void | Promise<void>;
}

/** Java's String.hashCode, so transactional ids land on the partitions Kafka would pick. */
export function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
export const partitionFor = (id: string, n: number) => (javaHash(id) & 0x7fffffff) % n;

/** What the transaction coordinator needs of its broker. */
export interface TransactionCoordinatorDeps {
  dataDir: string;
  config: BrokerConfig;
  logger: Logger;
  metadata: MetadataStore;
  topics: TopicManager;
  replicas: ReplicaManager;
}

const pk = (topic: string, partition: number) => `${topic}\u0000${partition}`;
/** a value now, or once a promise settles: the single-node path stays synchronous */
const then = <T, R>(v: T | Promise<T>, f: (x: T) => R | Promise<R>): R | Promise<R> => (v instanceof Promise ? v.then(f) : f(v));

export class TransactionCoordinator {
  private txns = new Map<string, TxnMeta>();
  private nextProducerId = 0n;
  private blockEnd = 0n;
  private timer?: NodeJS.Timeout;
  offsetSink?: TxnOffsetSink;
  /** told each time a transaction commits or aborts (metrics) */
  onCompleted?: (commit: boolean) => void;

  /** __transaction_state partitions this broker leads and has loaded */
  private loaded = new Set<number>();
  /** settles when a prepared transaction's markers and Complete record are written (or that failed) */
  private completions = new WeakMap<TxnMeta, Promise<void>>();
  /** connections to other brokers for WriteTxnMarkers */
  private readonly peers = new PeerConnections({
    clientId: () => `tributary-txn-coordinator-${this.b.replicas.metadata.nodeId}`,
    endpoint: (id) => this.b.replicas.brokerEndpoint(id),
    security: () => this.b.replicas.interBroker,
  });
  private stopped = false;

  constructor(private readonly b: TransactionCoordinatorDeps) {}

  start(): void {
    this.loadProducerIdBlock();
    // A transactional id is coordinated by the leader of its __transaction_state partition.
    this.b.replicas.onLeadershipChange((p, leader) => {
      if (p.topic !== TXN_TOPIC || this.stopped) return;
      if (leader) this.loadPartition(p.partition); else this.unloadPartition(p.partition);
    });
    this.replay();
    const interval = this.b.config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms');
    this.timer = setInterval(() => this.abortTimedOut(), Math.min(interval, 1000));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.peers.closeAll();
  }

  /** NOT_COORDINATOR unless this broker leads (and has loaded) the id's __transaction_state partition. */
  private checkCoordinator(id: string): void {
    if (!this.owns(id)) throw new KafkaError('NOT_COORDINATOR', `This broker does not coordinate transactional id '${id}' (its ${TXN_TOPIC} partition is led elsewhere); find the coordinator again`);
  }

  private owns(id: string): boolean {
    const topic = this.b.metadata.get(TXN_TOPIC);
    // A single node creates the topic on first use; in a cluster FindCoordinator creates it and names the leader.
    if (!topic) return !this.b.config.get('metadata.store.url');
    const n = partitionFor(id, topic.partitions.length);
    return this.b.replicas.get(TXN_TOPIC, n)?.isLeader === true && this.loaded.has(n);
  }

  /** Answer once the in-sync replicas hold the id's state records (a coordinator move keeps what was acknowledged). */
  private durable<T>(id: string, value: T): T | Promise<T> {
    const topic = this.b.metadata.get(TXN_TOPIC);
    const part = topic && this.b.replicas.get(TXN_TOPIC, partitionFor(id, topic.partitions.length));
    if (!part || part.highWatermark >= part.logEndOffset) return value;
    return this.b.replicas.waitForCommit(part, part.logEndOffset - 1n, 30000).then((err) => {
      if (err) throw new KafkaError(err === 'NOT_LEADER_OR_FOLLOWER' ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE', `the transaction state of '${id}' was not replicated: ${err}`);
      return value;
    });
  }

  /** Transactions begun and not yet committed or aborted (metrics). */
  ongoingCount(): number {
    let n = 0;
    for (const t of this.txns.values()) if (t.state === 'Ongoing' || t.state === 'PrepareCommit' || t.state === 'PrepareAbort') n++;
    return n;
  }

  register(h: ApiHandlers): void {
    h.handle(InitProducerId, (c, r) => this.initProducerId(c, r));
    h.handle(AddPartitionsToTxn, (c, r) => this.addPartitionsToTxn(c, r));
    h.handle(AddOffsetsToTxn, (c, r) => this.addOffsetsToTxn(c, r));
    h.handle(EndTxn, (c, r) => this.endTxn(c, r));
    h.handle(WriteTxnMarkers, (c, r) => this.writeTxnMarkers(c, r));
    h.handle(TxnOffsetCommit, (c, r) => this.txnOffsetCommit(c, r));
    h.handle(DescribeTransactions, (c, r) => this.describeTransactions(c, r));
    h.handle(ListTransactions, (c, r) => this.listTransactions(c, r));
  }

  // ---- producer ids ----

  private get idFile(): string { return path.join(this.b.dataDir, 'producer-id-block'); }

  /**
   * Each broker hands out ids from its own range (node.id × 2^40 up), so brokers of a
   * cluster never give two producers the same id without asking one another; a
   * single node (node.id 0) keeps the ids it always had.
   */
  private get idRange(): { start: bigint; end: bigint } {
    const start = BigInt(this.b.config.int('node.id')) << 40n;
    return { start, end: start + (1n << 40n) };
  }

  private loadProducerIdBlock(): void {
    let next = this.idRange.start;
    try { next = BigInt(fs.readFileSync(this.idFile, 'utf8').trim()); } catch { /* first start */ }
    if (next < this.idRange.start || next >= this.idRange.end) next = this.idRange.start;
    this.nextProducerId = next;
    this.blockEnd = next;
  }

  /** Ids are handed out from blocks whose end is persisted first, so none repeats after a crash. */
  allocateProducerId(): bigint {
    if (this.nextProducerId >= this.blockEnd) {
      this.blockEnd = this.nextProducerId + 1000n;
      writeFileAtomic(this.idFile, this.blockEnd.toString());
    }
    return this.nextProducerId++;
  }

  // ---- persistence in __transaction_state ----

  private encodeKey(id: string): Buffer { return new Writer().int16(0).string(id).toBuffer(); }

  private encodeValue(t: TxnMeta): Buffer {
    const w = new Writer();
    w.int16(0).int64(t.producerId).int16(t.producerEpoch).int32(t.timeoutMs).int8(STATE_CODES.indexOf(t.state));
    const byTopic = new Map<string, number[]>();
    for (const k of t.partitions) { const [topic, p] = k.split('\u0000'); if (!byTopic.has(topic)) byTopic.set(topic, []); byTopic.get(topic)!.push(Number(p)); }
    w.int32(byTopic.size);
    for (const [topic, ps] of byTopic) { w.string(topic); w.int32(ps.length); for (const p of ps) w.int32(p); }
    w.int64(BigInt(t.lastUpdate)).int64(BigInt(t.startTime));
    // Tributary extension after Kafka's v0 fields: the groups of AddOffsetsToTxn.
    w.int32(t.groups.size); for (const g of t.groups) w.string(g);
    return w.toBuffer();
  }

  private decode(id: string, v: Buffer): TxnMeta {
    const r = new Reader(v);
    r.int16();
    const t: TxnMeta = { transactionalId: id, producerId: r.int64(), producerEpoch: r.int16(), timeoutMs: r.int32(), state: STATE_CODES[r.int8()] ?? 'Empty', partitions: new Set(), groups: new Set(), startTime: 0, lastUpdate: 0 };
    const nt = r.int32();
    for (let i = 0; i < nt; i++) { const topic = r.string(); const np = r.int32(); for (let j = 0; j < np; j++) t.partitions.add(pk(topic, r.int32())); }
    t.lastUpdate = Number(r.int64()); t.startTime = Number(r.int64());
    if (r.remaining() >= 4) { const ng = r.int32(); for (let i = 0; i < ng; i++) t.groups.add(r.string()); }
    return t;
  }

  /** Created on first use, as Kafka does, so brokers without transactions carry no extra partitions. */
  private stateTopic() {
    const b = this.b;
    return b.metadata.get(TXN_TOPIC) ?? b.topics.create(TXN_TOPIC, b.config.int('transaction.state.log.num.partitions'), 1, { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) }, false, true)!;
  }

  private persist(t: TxnMeta): void {
    this.stateTopic();
    const n = this.b.metadata.get(TXN_TOPIC)!.partitions.length;
    const part = this.b.replicas.get(TXN_TOPIC, partitionFor(t.transactionalId, n))!;
    t.lastUpdate = Date.now();
    this.b.replicas.append(part, buildBatch([{ key: this.encodeKey(t.transactionalId), value: this.encodeValue(t) }]));
  }

  private replay(): void {
    const topic = this.b.metadata.get(TXN_TOPIC);
    if (!topic) return;
    for (const pm of topic.partitions) if (this.b.replicas.get(TXN_TOPIC, pm.partition)?.isLeader) this.loadPartition(pm.partition);
  }

  /** The transactional ids of one __transaction_state partition, replayed from its log (this broker now leads it). */
  private loadPartition(n: number): void {
    const part = this.b.replicas.get(TXN_TOPIC, n);
    if (!part) return;
    if (this.loaded.has(n)) this.unloadPartition(n);
    let maxPid = -1n;
    const mine: TxnMeta[] = [];
    let at = part.log.logStartOffset;
    while (at < part.log.logEndOffset) {
      const bufs = part.log.read(at, 4 << 20, part.log.logEndOffset);
      if (!bufs.length) break;
      for (const buf of bufs) {
        let pos = 0;
        while (pos < buf.length) {
          const info = readBatchInfo(buf, pos);
          for (const rec of readRecords(buf, pos)) {
            if (!rec.key) continue;
            const kr = new Reader(rec.key); kr.int16(); const id = kr.string();
            if (!rec.value) { this.txns.delete(id); continue; }
            const t = this.decode(id, rec.value);
            this.txns.set(id, t);
            if (t.producerId > maxPid) maxPid = t.producerId;
          }
          at = info.baseOffset + BigInt(info.lastOffsetDelta) + 1n;
          pos += info.size;
        }
      }
    }
    this.loaded.add(n);
    // Ids another broker handed out (its coordinator partitions moved here) are in its own range.
    if (maxPid >= this.nextProducerId && maxPid < this.idRange.end) { this.nextProducerId = maxPid + 1n; this.blockEnd = this.nextProducerId; }
    const count = this.b.metadata.get(TXN_TOPIC)?.partitions.length ?? 0;
    for (const t of this.txns.values()) if (partitionFor(t.transactionalId, count) === n) mine.push(t);
    if (mine.length) this.b.logger.info({ partition: part.key, transactionalIds: mine.length }, 'transaction coordinator: loaded the transactional ids of a partition this broker now leads');
    // A transaction caught between prepare and complete is finished now.
    for (const t of mine) {
      if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') this.finishLater(t, t.state === 'PrepareCommit');
    }
  }

  private unloadPartition(n: number): void {
    this.loaded.delete(n);
    const count = this.b.metadata.get(TXN_TOPIC)?.partitions.length ?? 0;
    for (const id of [...this.txns.keys()]) if (partitionFor(id, count) === n) this.txns.delete(id);
  }

  /**
   * complete() from a timer or a load, answering nobody: failures are logged and, while this
   * broker still coordinates a prepared transaction, tried again; else the next coordinator does it.
   */
  private finishLater(t: TxnMeta, commit: boolean): void {
    const retry = (e: unknown) => {
      this.b.logger.warn({ transactionalId: t.transactionalId, err: (e as Error).message }, 'completing a transaction failed');
      // A prepare that did not reach the ISR (load): again. An abort on timeout put back to
      // Ongoing is found again by abortTimedOut.
      const again = setTimeout(() => {
        if (this.coordinates(t) && (t.state === 'PrepareCommit' || t.state === 'PrepareAbort')) this.finishLater(t, commit);
      }, FINISH_RETRY_MS);
      again.unref();
    };
    try {
      const { done } = this.complete(t, commit);
      if (done instanceof Promise) done.catch(retry);
    } catch (e) { retry(e); }
  }

  // ---- markers ----

  /**
   * Commit/abort markers on every partition of the transaction, and the transactional
   * offsets of its groups completed. Partitions led here are written at once; the rest,
   * and any write that fails (leader moved, ISR short, timeout), go to the partition's
   * current leader through WriteTxnMarkers, retried until every one holds its marker or
   * this broker stops coordinating the id (the next coordinator completes it from its
   * Prepare record). Synchronous when everything is local and already replicated (a
   * single node).
   */
  private writeMarkers(t: TxnMeta, commit: boolean): void | Promise<void> {
    const pid = t.producerId; const epoch = t.producerEpoch;
    const targets: [string, number][] = [...t.partitions].map((k) => { const [topic, p] = k.split('\u0000'); return [topic, Number(p)]; });
    const offsets = this.b.metadata.get(OFFSETS_TOPIC);
    let unplacedGroups = false;
    for (const g of t.groups) {
      // No __consumer_offsets yet (a single node): the group coordinator completes what it holds.
      if (!offsets) { unplacedGroups = true; continue; }
      const p = partitionFor(g, offsets.partitions.length);
      if (!targets.some(([x, y]) => x === OFFSETS_TOPIC && y === p)) targets.push([OFFSETS_TOPIC, p]);
    }
    const elsewhere: [string, number][] = [];
    const waits: Promise<void>[] = [];
    for (const tp of targets) {
      try {
        const r = this.markerHere(tp[0], tp[1], pid, epoch, commit);
        if (r === 'elsewhere') elsewhere.push(tp);
        else if (r) waits.push(r.catch(() => this.retryMarkers(t, [tp], pid, epoch, commit)));
      } catch { elsewhere.push(tp); }
    }
    if (elsewhere.length) waits.push(this.retryMarkers(t, elsewhere, pid, epoch, commit));
    if (unplacedGroups) { const w = this.offsetSink?.completeTransaction(pid, epoch, commit); if (w) waits.push(w); }
    if (waits.length) return Promise.all(waits).then(() => {});
  }

  /**
   * One marker on a partition this broker leads: null once the ISR holds it, a promise
   * while it does not (rejected if it cannot), 'elsewhere' when another broker leads it.
   * A deleted topic takes no marker.
   */
  private markerHere(topic: string, p: number, pid: bigint, epoch: number, commit: boolean): Promise<void> | null | 'elsewhere' {
    if (!this.b.metadata.get(topic)) return null;
    const part = this.b.replicas.get(topic, p);
    if (!part?.isLeader) return 'elsewhere';
    if (topic === OFFSETS_TOPIC) return this.offsetSink?.completeTransaction(pid, epoch, commit, p) || null;
    return this.appendMarker(topic, p, pid, epoch, commit);
  }

  /** One marker appended to a partition led here; a promise while the ISR does not hold it yet. */
  private appendMarker(topic: string, p: number, pid: bigint, epoch: number, commit: boolean): Promise<void> | null {
    const part = this.b.replicas.get(topic, p);
    if (!part) return null;
    const value = Buffer.alloc(6); value.writeInt16BE(0, 0); value.writeInt32BE(0, 2);
    const key = Buffer.alloc(4); key.writeInt16BE(0, 0); key.writeInt16BE(commit ? 1 : 0, 2);
    const batch = buildBatch([{ key, value }], { producerId: pid, producerEpoch: epoch, transactional: true, control: true });
    // The replica manager applies the marker to the partition's producer state.
    const r = this.b.replicas.append(part, batch, {});
    if (part.highWatermark > r.lastOffset) return null;
    return this.b.replicas.waitForCommit(part, r.lastOffset, 30000).then((err) => { if (err) throw new KafkaError(err === 'REQUEST_TIMED_OUT' ? 'REQUEST_TIMED_OUT' : 'NOT_LEADER_OR_FOLLOWER', `marker on ${topic}-${p}: ${err}`); });
  }

  /**
   * The markers not written yet, to each partition's current leader (here, or WriteTxnMarkers),
   * again for those that failed, until all hold theirs. A repeated marker is harmless: the
   * producer has no newer transaction on the partition before this one is complete.
   */
  private async retryMarkers(t: TxnMeta, parts: [string, number][], pid: bigint, epoch: number, commit: boolean): Promise<void> {
    let left = parts;
    let round = 0;
    while (left.length) {
      if (round++) await new Promise((r) => setTimeout(r, MARKER_RETRY_MS));
      if (this.stopped) throw new KafkaError('COORDINATOR_NOT_AVAILABLE', 'the transaction coordinator stopped');
      if (!this.coordinates(t)) throw new KafkaError('NOT_COORDINATOR', `this broker no longer coordinates '${t.transactionalId}'; its next coordinator completes the transaction`);
      const byLeader = new Map<number, [string, number][]>();
      for (const tp of left) {
        if (!this.b.metadata.get(tp[0])) continue; // deleted meanwhile
        const l = this.b.replicas.leaderOf(tp[0], tp[1]);
        const list = byLeader.get(l) ?? []; list.push(tp); byLeader.set(l, list);
      }
      const failed: [string, number][] = [];
      await Promise.all([...byLeader].map(async ([leader, list]) => {
        if (leader < 0) { failed.push(...list); return; }
        if (leader === this.b.replicas.metadata.nodeId) {
          for (const tp of list) {
            try { if ((await this.markerHere(tp[0], tp[1], pid, epoch, commit)) === 'elsewhere') failed.push(tp); } catch { failed.push(tp); }
          }
          return;
        }
        try {
          const conn = await this.connection(leader);
          const byTopic = new Map<string, number[]>();
          for (const [topic, p] of list) { const ps = byTopic.get(topic) ?? []; ps.push(p); byTopic.set(topic, ps); }
          const res = await conn.send(WriteTxnMarkers, 1, { markers: [{ producerId: pid, producerEpoch: epoch, transactionResult: commit, coordinatorEpoch: 0, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }] });
          const answered = new Set<string>();
          for (const tr of res.markers[0]?.topics ?? []) for (const pr of tr.partitions) { answered.add(pk(tr.name, pr.partitionIndex)); if (pr.errorCode) failed.push([tr.name, pr.partitionIndex]); }
          for (const tp of list) if (!answered.has(pk(tp[0], tp[1]))) failed.push(tp);
        } catch (e) {
          this.peers.forget(leader);
          this.b.logger.info({ broker: leader, err: (e as Error).message }, 'WriteTxnMarkers failed; retrying');
          failed.push(...list);
        }
      }));
      if (failed.length && round % 50 === 1) this.b.logger.info({ transactionalId: t.transactionalId, partitions: failed.map(([x, y]) => `${x}-${y}`) }, 'transaction markers not written yet; retrying with each partition\'s current leader');
      left = failed;
    }
  }

  private connection(id: number): Promise<BrokerConnection> { return this.peers.get(id); }

  /** WriteTxnMarkers (from another broker's transaction coordinator): markers on the partitions led here. */
  writeTxnMarkers(_ctx: RequestContext, req: RequestOf<typeof WriteTxnMarkers>) {
    return Promise.all((req.markers ?? []).map(async (m) => {
      return {
        producerId: m.producerId,
        topics: await Promise.all(m.topics.map(async (tp) => ({
          name: tp.name,
          partitions: await Promise.all(tp.partitionIndexes.map(async (p) => {
            const part = this.b.replicas.get(tp.name, p);
            if (!part) return { partitionIndex: p, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
            if (!part.isLeader) return { partitionIndex: p, errorCode: code('NOT_LEADER_OR_FOLLOWER') };
            try {
              if (tp.name === OFFSETS_TOPIC) await this.offsetSink?.completeTransaction(m.producerId, m.producerEpoch, m.transactionResult, p);
              else await this.appendMarker(tp.name, p, m.producerId, m.producerEpoch, m.transactionResult);
              return { partitionIndex: p, errorCode: 0 };
            } catch (e) {
              return { partitionIndex: p, errorCode: e instanceof KafkaError ? e.code : -1 };
            }
          })),
        }))),
      };
    })).then((markers) => ({ markers }));
  }

  /**
   * Ends a transaction in Kafka's order: PrepareCommit/PrepareAbort written and held by the
   * ISR of its __transaction_state partition (`prepared`: what EndTxn answers on), then the
   * markers, then CompleteCommit/CompleteAbort (`done`). Between the two the id answers
   * CONCURRENT_TRANSACTIONS, and each data partition's last stable offset stays at the
   * transaction until its marker is there. A prepare that does not reach the ISR puts the
   * transaction back as it was (the client retries) and writes no marker: a coordinator
   * elected without the record must not find markers of a transaction it thinks open.
   */
  private complete(t: TxnMeta, commit: boolean): { prepared: void | Promise<void>; done: void | Promise<void> } {
    const before = t.state;
    const preparing: TxnState = commit ? 'PrepareCommit' : 'PrepareAbort';
    t.state = preparing;
    const undo = (e: unknown): never => {
      if (this.txns.get(t.transactionalId) === t && t.state === preparing) t.state = before;
      throw e;
    };
    let prepared: void | Promise<void> = undefined;
    try {
      this.persist(t);
      prepared = this.durable(t.transactionalId, undefined);
    } catch (e) { undo(e); }
    if (prepared instanceof Promise) prepared = prepared.catch(undo);
    const done = then(prepared, () => this.finishMarkers(t, commit));
    // EndTxn waits on `prepared` only; what fails after it is logged (finishMarkers retried while it could).
    if (done instanceof Promise) this.completions.set(t, done.then(() => {}, () => {}));
    if (done instanceof Promise) done.catch((e) => this.b.logger.info({ transactionalId: t.transactionalId, err: (e as Error).message }, 'transaction left prepared for its next coordinator'));
    return { prepared, done };
  }

  /** Markers, then the Complete record; tried again while this broker coordinates the prepared transaction. */
  private finishMarkers(t: TxnMeta, commit: boolean): void | Promise<void> {
    const again = (e: unknown): Promise<void> => {
      if (!this.coordinates(t) || t.state !== (commit ? 'PrepareCommit' : 'PrepareAbort')) return Promise.reject(e);
      this.b.logger.warn({ transactionalId: t.transactionalId, err: (e as Error).message }, 'writing the transaction markers failed; retrying');
      return new Promise<void>((r) => setTimeout(r, FINISH_RETRY_MS)).then(() => this.finishMarkers(t, commit));
    };
    try {
      const r = then(this.writeMarkers(t, commit), () => this.recordComplete(t, commit));
      return r instanceof Promise ? r.catch(again) : r;
    } catch (e) { return again(e); }
  }

  /**
   * Every marker is written: CompleteCommit/CompleteAbort. The state moves at the append, not
   * at its replication: whatever answers next about the id (AddPartitionsToTxn, InitProducerId,
   * a retried EndTxn) waits for its own later record to be replicated, and this one is before it.
   */
  private recordComplete(t: TxnMeta, commit: boolean): void {
    if (!this.coordinates(t)) throw new KafkaError('NOT_COORDINATOR', `this broker no longer coordinates '${t.transactionalId}'`);
    t.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    t.partitions.clear(); t.groups.clear();
    this.persist(t);
    this.onCompleted?.(commit);
  }

  /** This broker still coordinates the id, and `t` is still its transaction (not unloaded and reloaded meanwhile). */
  private coordinates(t: TxnMeta): boolean {
    return !this.stopped && this.txns.get(t.transactionalId) === t && this.owns(t.transactionalId);
  }

  private abortTimedOut(): void {
    const now = Date.now();
    for (const t of this.txns.values()) {
      if (t.state === 'Ongoing' && now - t.startTime > t.timeoutMs) {
        this.b.logger.info({ transactionalId: t.transactionalId }, `transaction timed out after ${t.timeoutMs} ms; aborting and fencing its producer`);
        // Bump first so the abort markers carry the new epoch: every partition of the
        // transaction then refuses the zombie's late writes, as Kafka does.
        if (t.producerEpoch < 32767) t.producerEpoch += 1;
        this.finishLater(t, false);
      }
    }
  }

  // ---- API handlers ----

  private check(t: TxnMeta | undefined, producerId: bigint, epoch: number, id?: string): TxnMeta {
    if (id !== undefined) this.checkCoordinator(id);
    if (!t) throw new KafkaError('INVALID_PRODUCER_ID_MAPPING');
    if (t.producerId !== producerId) throw new KafkaError('INVALID_PRODUCER_ID_MAPPING');
    if (t.producerEpoch !== epoch) throw new KafkaError('INVALID_PRODUCER_EPOCH', `Producer epoch ${epoch} is not the current epoch ${t.producerEpoch} of '${t.transactionalId}'`);
    return t;
  }

  initProducerId(ctx: RequestContext, req: RequestOf<typeof InitProducerId>) {
    const id: string | null = req.transactionalId ?? null;
    if (id === null) return { throttleTimeMs: 0, errorCode: 0, producerId: this.allocateProducerId(), producerEpoch: 0 };
    return this.afterCompletion([id], () => this.initTransactionalProducer(ctx, req, id));
  }

  private initTransactionalProducer(_ctx: RequestContext, req: RequestOf<typeof InitProducerId>, id: string) {
    if (id === '') throw new KafkaError('INVALID_REQUEST', 'Empty transactional id');
    this.checkCoordinator(id);
    const max = this.b.config.int('transaction.max.timeout.ms');
    if (req.transactionTimeoutMs > max || req.transactionTimeoutMs <= 0) throw new KafkaError('INVALID_TRANSACTION_TIMEOUT', `transaction.timeout.ms ${req.transactionTimeoutMs} is above transaction.max.timeout.ms=${max}`);
    let t = this.txns.get(id);
    let pending: void | Promise<void> = undefined;
    let afterAbort: (() => void) | null = null;
    if (!t) {
      t = { transactionalId: id, producerId: this.allocateProducerId(), producerEpoch: 0, timeoutMs: req.transactionTimeoutMs, state: 'Empty', partitions: new Set(), groups: new Set(), startTime: 0, lastUpdate: Date.now() };
      this.txns.set(id, t);
    } else {
      if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') throw new KafkaError('CONCURRENT_TRANSACTIONS', `The previous transaction of '${id}' is still being completed; retry`);
      if (req.producerId !== undefined && req.producerId >= 0n && (req.producerId !== t.producerId || req.producerEpoch !== t.producerEpoch)) {
        throw new KafkaError('PRODUCER_FENCED', `Producer ${req.producerId} epoch ${req.producerEpoch} is no longer current for '${id}'`);
      }
      // A new instance fences the old one: bump the epoch, then abort what it left open with markers
      // of the new epoch (as Kafka does), so every partition of that transaction refuses the old
      // instance's late writes — else they would join the new instance's first transaction.
      const ongoing = t.state === 'Ongoing';
      const tx = t;
      // At the last epoch, the abort still goes out under a bumped epoch; the next instance gets a new id.
      if (t.producerEpoch >= 32766) { t.producerEpoch = 32767; afterAbort = () => { tx.producerId = this.allocateProducerId(); tx.producerEpoch = 0; }; } else t.producerEpoch += 1;
      if (ongoing) pending = this.fenceWait(id, this.complete(t, false).done);
    }
    const tx = t;
    return then(pending, () => {
      afterAbort?.();
      tx.timeoutMs = req.transactionTimeoutMs;
      tx.state = 'Empty';
      this.persist(tx);
      return this.durable(id, { throttleTimeMs: 0, errorCode: 0, producerId: tx.producerId, producerEpoch: tx.producerEpoch });
    });
  }

  /**
   * `handle()` now, or, while a transaction of `ids` is prepared, once its markers are written
   * (at most COMPLETION_WAIT_MS; then it answers CONCURRENT_TRANSACTIONS as it would have).
   */
  private afterCompletion<R>(ids: string[], handle: () => R | Promise<R>): R | Promise<R> {
    const waits: Promise<void>[] = [];
    for (const id of ids) {
      const t = this.txns.get(id);
      const w = t && (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') ? this.completions.get(t) : undefined;
      if (w) waits.push(w);
    }
    if (!waits.length) return handle();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => { timer = setTimeout(r, COMPLETION_WAIT_MS); timer.unref(); });
    return Promise.race([Promise.all(waits), late]).then(() => { clearTimeout(timer); return handle(); });
  }

  /** The abort of a fenced instance's transaction, or CONCURRENT_TRANSACTIONS if its markers take longer than FENCE_WAIT_MS. */
  private fenceWait(id: string, done: void | Promise<void>): void | Promise<void> {
    if (!(done instanceof Promise)) return done;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaError('CONCURRENT_TRANSACTIONS', `The open transaction of '${id}' is still being aborted; retry`)), FENCE_WAIT_MS);
      timer.unref();
    });
    return Promise.race([done, late]).finally(() => clearTimeout(timer));
  }

  private addPartitions(t: TxnMeta, topics: { name: string; partitions: number[] }[]): { name: string; results: { partitionIndex: number; partitionErrorCode: number }[] }[] {
    this.checkNotCompleting(t);
    const out = [];
    let changed = false;
    for (const tp of topics) {
      const results = [];
      for (const p of tp.partitions) {
        if (!this.b.metadata.get(tp.name)?.partitions[p]) { results.push({ partitionIndex: p, partitionErrorCode: code('UNKNOWN_TOPIC_OR_PARTITION') }); continue; }
        if (!t.partitions.has(pk(tp.name, p))) { t.partitions.add(pk(tp.name, p)); changed = true; }
        results.push({ partitionIndex: p, partitionErrorCode: 0 });
      }
      out.push({ name: tp.name, results });
    }
    if (t.state !== 'Ongoing') { t.state = 'Ongoing'; t.startTime = Date.now(); changed = true; }
    if (changed) this.persist(t);
    return out;
  }

  /** Markers of the previous transaction are still being written: the client retries (Kafka's CONCURRENT_TRANSACTIONS). */
  private checkNotCompleting(t: TxnMeta): void {
    if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') throw new KafkaError('CONCURRENT_TRANSACTIONS', `The previous transaction of '${t.transactionalId}' is still being completed; retry`);
  }

  addPartitionsToTxn(ctx: RequestContext, req: RequestOf<typeof AddPartitionsToTxn>) {
    const ids: string[] = ctx.apiVersion >= 4 ? (req.transactions ?? []).map((tx: any) => tx.transactionalId) : [req.v3AndBelowTransactionalId];
    return this.afterCompletion(ids, () => {
      const res = this.addPartitionsNow(ctx, req);
      const waits = ids.map((id) => (this.owns(id) ? this.durable(id, null) : null)).filter((w) => w instanceof Promise);
      return waits.length ? Promise.all(waits).then(() => res) : res;
    });
  }

  private addPartitionsNow(ctx: RequestContext, req: RequestOf<typeof AddPartitionsToTxn>) {
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0, errorCode: 0,
        resultsByTransaction: (req.transactions ?? []).map((tx: any) => {
          try {
            const t = this.check(this.txns.get(tx.transactionalId), tx.producerId, tx.producerEpoch, tx.transactionalId);
            const res = tx.verifyOnly ? tx.topics.map((tp: any) => ({ name: tp.name, results: tp.partitions.map((p: number) => ({ partitionIndex: p, partitionErrorCode: t.partitions.has(pk(tp.name, p)) ? 0 : code('INVALID_TXN_STATE') })) })) : this.addPartitions(t, tx.topics);
            return { transactionalId: tx.transactionalId, topicResults: res.map((r: any) => ({ name: r.name, resultsByPartition: r.results })) };
          } catch (e) {
            const c = e instanceof KafkaError ? e.code : -1;
            return { transactionalId: tx.transactionalId, topicResults: tx.topics.map((tp: any) => ({ name: tp.name, resultsByPartition: tp.partitions.map((p: number) => ({ partitionIndex: p, partitionErrorCode: c })) })) };
          }
        }),
      };
    }
    const topics = (req.v3AndBelowTopics ?? []).map((tp: any) => ({ name: tp.name, partitions: tp.partitions }));
    let res;
    try {
      const t = this.check(this.txns.get(req.v3AndBelowTransactionalId), req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, req.v3AndBelowTransactionalId);
      res = this.addPartitions(t, topics);
    } catch (e) {
      const c = e instanceof KafkaError ? e.code : -1;
      res = topics.map((tp: any) => ({ name: tp.name, results: tp.partitions.map((p: number) => ({ partitionIndex: p, partitionErrorCode: c })) }));
    }
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: res.map((r: any) => ({ name: r.name, resultsByPartition: r.results })) };
  }

  addOffsetsToTxn(_ctx: RequestContext, req: RequestOf<typeof AddOffsetsToTxn>) {
    return this.afterCompletion([req.transactionalId], () => this.addOffsets(req));
  }

  private addOffsets(req: RequestOf<typeof AddOffsetsToTxn>) {
    const t = this.check(this.txns.get(req.transactionalId), req.producerId, req.producerEpoch, req.transactionalId);
    this.checkNotCompleting(t);
    t.groups.add(req.groupId);
    if (t.state !== 'Ongoing') { t.state = 'Ongoing'; t.startTime = Date.now(); }
    this.persist(t);
    return this.durable(req.transactionalId, { throttleTimeMs: 0, errorCode: 0 });
  }

  endTxn(_ctx: RequestContext, req: RequestOf<typeof EndTxn>) {
    const t = this.check(this.txns.get(req.transactionalId), req.producerId, req.producerEpoch, req.transactionalId);
    this.checkNotCompleting(t);
    const commit: boolean = req.committed;
    const answer = { throttleTimeMs: 0, errorCode: 0, producerId: t.producerId, producerEpoch: t.producerEpoch };
    // Answered once the prepare is replicated; the markers follow (Kafka's order).
    if (t.state === 'Ongoing') return then(this.complete(t, commit).prepared, () => answer);
    if ((t.state === 'CompleteCommit' && !commit) || (t.state === 'CompleteAbort' && commit)) throw new KafkaError('INVALID_TXN_STATE', `Transaction of '${t.transactionalId}' already ${t.state === 'CompleteCommit' ? 'committed' : 'aborted'}`);
    // Empty or already complete the same way: nothing to do (a retried EndTxn).
    return this.durable(req.transactionalId, answer);
  }

  txnOffsetCommit(_ctx: RequestContext, req: RequestOf<typeof TxnOffsetCommit>) {
    const topics = req.topics ?? [];
    const fail = (c: number) => ({ throttleTimeMs: 0, topics: topics.map((tp: any) => ({ name: tp.name, partitions: tp.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: c })) })) });
    // Sent to the group's coordinator; the transaction's state is checked when this broker coordinates it too.
    if (this.owns(req.transactionalId)) {
      const t = this.txns.get(req.transactionalId);
      if (!t || t.producerId !== req.producerId) return fail(code('INVALID_PRODUCER_ID_MAPPING'));
      if (t.producerEpoch !== req.producerEpoch) return fail(code('INVALID_PRODUCER_EPOCH'));
      if (!t.groups.has(req.groupId)) return fail(code('INVALID_TXN_STATE'));
    }
    if (!this.offsetSink) return fail(code('COORDINATOR_NOT_AVAILABLE'));
    const member = req.memberId ? { memberId: req.memberId, generationId: req.generationId, groupInstanceId: req.groupInstanceId ?? null } : undefined;
    return then(this.offsetSink.commitTransactionalOffsets(req.groupId, req.producerId, req.producerEpoch, topics, member), (res) => ({ throttleTimeMs: 0, topics: res }));
  }

  describeTransactions(_ctx: RequestContext, req: RequestOf<typeof DescribeTransactions>) {
    return {
      throttleTimeMs: 0,
      transactionStates: (req.transactionalIds ?? []).map((id: string) => {
        const t = this.txns.get(id);
        if (!t) return { errorCode: code('TRANSACTIONAL_ID_NOT_FOUND'), transactionalId: id, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] };
        const byTopic = new Map<string, number[]>();
        for (const k of t.partitions) { const [topic, p] = k.split('\u0000'); if (!byTopic.has(topic)) byTopic.set(topic, []); byTopic.get(topic)!.push(Number(p)); }
        return { errorCode: 0, transactionalId: id, transactionState: t.state, transactionTimeoutMs: t.timeoutMs, transactionStartTimeMs: BigInt(t.state === 'Ongoing' ? t.startTime : -1), producerId: t.producerId, producerEpoch: t.producerEpoch, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
      }),
    };
  }

  listTransactions(_ctx: RequestContext, req: RequestOf<typeof ListTransactions>) {
    const states: string[] = req.stateFilters ?? [];
    const pids: bigint[] = req.producerIdFilters ?? [];
    const known = new Set<string>(STATE_CODES);
    const minDuration = req.durationFilter !== undefined && req.durationFilter >= 0n ? Number(req.durationFilter) : -1;
    const now = Date.now();
    return {
      throttleTimeMs: 0, errorCode: 0,
      unknownStateFilters: states.filter((s) => !known.has(s)),
      transactionStates: [...this.txns.values()]
        .filter((t) => !states.length || states.includes(t.state))
        .filter((t) => !pids.length || pids.includes(t.producerId))
        .filter((t) => minDuration < 0 || (t.state === 'Ongoing' && now - t.startTime >= minDuration))
        .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  }

  /** For admin views: open transactions and their partitions. */
  list(): TxnMeta[] { return [...this.txns.values()]; }
}
