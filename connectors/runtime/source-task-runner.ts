// Runs one SourceTask: poll → transforms → converters → produce (acks=all) →
// commitRecord; source offsets go to connect-offsets only for records the broker
// acknowledged, every offset.flush.interval.ms and on stop, and then the task's
// commit() is called (it may acknowledge upstream only then).
import { isFencingError, RecordBatchBuilder, type OutgoingRecord, type PartitionOffset, type PreparedBatch, type ProducerTransaction } from '../../client/index.ts';
import { ByteWriter, type Converter, type RecordMetadata, type SourceRecord, type SourceTask, type SourceTaskContext } from '../../plugins/sdk/index.ts';
import { canonical } from '../storage/state.ts';
import { ErrorHandler, newCounters, type ErrorCounters } from './error-handler.ts';
import { applyStep } from './transform-chain.ts';
import { countCommit, newRecordCounters, sleep, type RunnerOptions, type TaskRunner } from './task-runner.ts';
import { traceOf } from '../errors.ts';

export interface SourceRunnerOptions extends RunnerOptions<SourceTask> {
  /**
   * Exactly-once (KIP-618): `producer` is transactional; records and their source offsets
   * (to `offsetTopic`) are committed in one transaction per boundary.
   */
  eos?: { boundary: 'poll' | 'interval' | 'connector'; intervalMs: number; offsetTopic: string };
}

export { isFencingError };

export type EosOptions = SourceRunnerOptions['eos'];

type Prepared = { rec: SourceRecord; msg: OutgoingRecord; topic: string };

/** A produce request's worth (at most ~512 KiB) of a poll batch, written into record batches: one per partition. */
type BuiltChunk = { batches: PreparedBatch[]; topics: string[]; records: number };

/**
 * What a request of the in-place path carries at most (a partition's share of it is one batch,
 * which the broker refuses above message.max.bytes, 1048588 by default; Kafka's producer sends
 * up to max.request.size, 1 MiB). At 512 KiB a CDC poll (max.batch.bytes 512 KiB, estimated)
 * went as one full request and one of ~10 records: a second round trip per poll in a send path
 * that has one request in flight.
 */
const REQUEST_BYTES = 1_000_000;
/** what spare record batch builders may hold at most (bytes) */
const SPARE_BYTES = 4 * REQUEST_BYTES;


export class SourceTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  readonly counters: ErrorCounters = newCounters();
  readonly records = newRecordCounters();
  progress: Record<string, unknown> | null = null;
  private task!: SourceTask;
  private stopping = false;
  private paused: boolean;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** acknowledged, not yet committed: canonical(partition) → {partition, offset} */
  private pending = new Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>();
  private lastFlush = Date.now();
  private errors: ErrorHandler;
  private failed = false;
  /** Exactly-once: the broker fenced our transactional producer (another instance runs this task now). */
  fenced = false;
  private tx: ProducerTransaction | null = null;
  private txStartedAt = 0;
  /** offsets of the records in the open transaction */
  private txOffsets = new Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>();
  /** records of the open transaction, for commitRecord once it committed */
  private txRecords: { rec: SourceRecord; meta: RecordMetadata }[] = [];
  /** connector-defined boundaries: what the task asked for */
  private txRequest: { commit: boolean; abort: boolean; commitOn: Set<SourceRecord>; abortOn: Set<SourceRecord> } = { commit: false, abort: false, commitOn: new Set(), abortOn: new Set() };

  /**
   * Both converters write in place (fromConnectDataInto: JsonConverter), outside exactly-once, for a
   * task without commitRecord: records go from the converters' one ByteWriter straight into
   * record batches (prepareBatches), with no string, Buffer or message object per key and value.
   */
  private readonly inPlace: boolean;
  private readonly writer = new ByteWriter(16 * 1024);
  /** bytes a record took in a batch, on average over the last poll (a new batch's first size) */
  private recordBytes = 256;
  private readonly spareBuilders: RecordBatchBuilder[] = [];
  private spareBytes = 0;

  constructor(private readonly o: SourceRunnerOptions) {
    this.inPlace = !o.eos && !o.taskClass.prototype.commitRecord && typeof o.keyConverter.converter.fromConnectDataInto === 'function' && typeof o.valueConverter.converter.fromConnectDataInto === 'function';
    this.connector = o.connector;
    this.taskId = o.taskId;
    this.generation = o.generation;
    this.paused = o.startPaused;
    this.errors = new ErrorHandler(o.errors, { connector: o.connector, taskId: o.taskId, logger: o.logger, producer: o.producer, admin: o.admin, isStopping: () => this.stopping }, this.counters);
  }

  private setState(s: 'RUNNING' | 'PAUSED' | 'FAILED', trace: string | null = null) {
    this.o.listener.onState(this.connector, this.taskId, s, trace, this.generation);
  }

  async start(): Promise<void> {
    const o = this.o;
    const ctx: SourceTaskContext = {
      logger: o.logger,
      taskId: o.taskId,
      connectorName: o.connector,
      reportProgress: (info) => { this.progress = { ...info, reported_at: new Date().toISOString() }; },
      offsetStorageReader: {
        offset: async (p) => o.state.offset(o.connector, p),
        offsets: async (ps) => new Map(ps.flatMap((p) => { const v = o.state.offset(o.connector, p); return v ? [[canonical(p), v] as const] : []; })),
      },
      ...(o.eos?.boundary === 'connector' ? {
        transactionContext: {
          commitTransaction: (record?: SourceRecord) => { if (record) this.txRequest.commitOn.add(record); else this.txRequest.commit = true; },
          abortTransaction: (record?: SourceRecord) => { if (record) this.txRequest.abortOn.add(record); else this.txRequest.abort = true; },
        },
      } : {}),
    };
    try {
      this.task = new o.taskClass();
      await this.task.start(o.taskProps, ctx);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.setState(this.paused ? 'PAUSED' : 'RUNNING');
    this.loop = o.eos ? this.runTransactional(o.eos) : this.run();
  }

  private fail(e: unknown) {
    this.failed = true;
    this.o.logger.error({ err: e, connector: this.connector, task: this.taskId }, 'source task failed');
    this.setState('FAILED', traceOf(e));
  }

  pause(): void { if (!this.failed) { this.paused = true; this.setState('PAUSED'); } }
  resume(): void { if (!this.failed) { this.paused = false; this.setState('RUNNING'); this.wakeUp?.(); } }

  /**
   * A poll batch returned after the task was paused (a poll() waiting for data, such as
   * MirrorSourceTask's fetch, returns after the pause): nothing is written while PAUSED
   * is reported, so it waits here until resumed (true) or stopped (false: not written,
   * its offsets not committed, so it is polled again after the restart).
   */
  private async heldWhilePaused(whilePaused: () => Promise<void>): Promise<boolean> {
    while (this.paused && !this.stopping) { await whilePaused(); await this.idle(100); }
    return !this.stopping;
  }

  private async idle(ms: number) {
    await new Promise<void>((r) => { const t = setTimeout(r, ms); this.wakeUp = () => { clearTimeout(t); r(); }; });
    this.wakeUp = null;
  }

  private async run(): Promise<void> {
    // one produce in flight while the next batch is polled and converted (order is kept:
    // a batch is sent only after the previous one was acknowledged)
    let inflight: Promise<void> | null = null;
    const settle = async () => { if (inflight) { const p = inflight; inflight = null; await p; } };
    try {
      while (!this.stopping) {
        if (this.paused) { await settle(); await this.maybeFlush(); await this.idle(100); continue; }
        let records = await this.task.poll();
        if (records) this.records.polled += records.length;
        if (this.stopping && !records?.length) break;
        // paused while poll() was waiting: what it returned waits for the resume (a stop drops it, uncommitted)
        if (records?.length && this.paused && !await this.heldWhilePaused(async () => { await settle(); await this.maybeFlush(); })) break;
        if (records?.length) {
          if (this.inPlace) {
            // the poll's last offsets taken now, so that its records (~1 KB each) are garbage once written
            // into the batches: held while the previous send and this one ran, they outlived young-generation
            // collections and were promoted (old-generation marking on the GC threads)
            const offsets = new Map<string, OffsetEntry>();
            latestOffsets(records, offsets);
            const chunks = await this.prepareBatches(records);
            records = null;
            await settle();
            inflight = this.sendBuilt(chunks, offsets);
          } else {
            const prepared = await this.prepare(records);
            await settle();
            inflight = this.send(prepared, records);
          }
          inflight.catch(() => undefined); // awaited (and rethrown) by settle()
        } else {
          await settle();
          await this.idle(5);
        }
        await this.maybeFlush();
      }
      await settle();
    } catch (e) {
      await Promise.resolve(inflight).catch(() => undefined);
      if (!this.stopping) {
        // offsets of what was acknowledged are still good
        await this.flushOffsets().catch(() => undefined);
        this.fail(e);
        try { await this.task.stop(); } catch { /* already failing */ }
      }
    }
  }

  // ------------------------------------------------------------ exactly-once (KIP-618)

  private async runTransactional(eos: NonNullable<SourceRunnerOptions['eos']>): Promise<void> {
    try {
      while (!this.stopping) {
        if (this.paused) { await this.commitTransaction(); await this.idle(100); continue; }
        const records = await this.task.poll();
        if (records) this.records.polled += records.length;
        if (this.stopping && !records?.length) break;
        if (records?.length && this.paused && !await this.heldWhilePaused(() => this.commitTransaction())) break;
        if (records?.length) {
          const prepared = await this.prepare(records);
          await this.sendTransactional(prepared, records);
          if (eos.boundary === 'poll') await this.commitTransaction();
        } else {
          await this.idle(5);
        }
        if (eos.boundary === 'interval' && (this.tx || this.txOffsets.size) && Date.now() - this.txStartedAt >= eos.intervalMs) await this.commitTransaction();
        if (eos.boundary === 'connector') {
          // requests without a record: after the records of the batch just sent
          const r = this.txRequest;
          const commit = r.commit, abort = r.abort;
          r.commit = r.abort = false;
          if (commit && abort) throw new Error('the task requested both a commit and an abort of the same transaction');
          if (abort) await this.abortTransaction(); else if (commit) await this.commitTransaction();
        }
      }
      // graceful stop: commit what is open (Kafka: commitFinalTransaction)
      await this.commitTransaction();
    } catch (e) {
      await this.abortTransaction().catch(() => undefined);
      if (isFencingError(e)) {
        // another instance initialized our transactional.id: this task lost ownership; its status belongs to the new holder
        this.fenced = true;
        this.o.logger.warn({ connector: this.connector, task: this.taskId }, `task ${this.connector}-${this.taskId} was fenced out by a newer instance with the same transactional.id; stopping it`);
        try { await this.task.stop(); } catch { /* stopping anyway */ }
      } else if (!this.stopping) {
        this.fail(e);
        try { await this.task.stop(); } catch { /* already failing */ }
      }
    }
  }

  private async begin(): Promise<ProducerTransaction> {
    if (!this.tx) {
      this.tx = await this.o.producer.beginTransaction();
      this.txStartedAt = Date.now();
    }
    return this.tx;
  }

  /** Sends a poll batch into the open transaction, cutting it where the task asked for a boundary at a record. */
  private async sendTransactional(out: Prepared[], records: SourceRecord[]): Promise<void> {
    const byOriginal = new Map(out.map((x) => [x.rec, x]));
    let seg: SourceRecord[] = [];
    const r = this.txRequest;
    for (const rec of records) {
      seg.push(rec);
      const commit = r.commitOn.delete(rec), abort = r.abortOn.delete(rec);
      if (!commit && !abort) continue;
      await this.sendSegment(seg, byOriginal);
      seg = [];
      if (commit && abort) throw new Error('the task requested both a commit and an abort of the same transaction');
      if (abort) await this.abortTransaction(); else await this.commitTransaction();
    }
    if (seg.length) await this.sendSegment(seg, byOriginal);
  }

  private async sendSegment(seg: SourceRecord[], byOriginal: Map<SourceRecord, Prepared>): Promise<void> {
    const out = seg.flatMap((r) => { const p = byOriginal.get(r); return p ? [p] : []; });
    const tx = await this.begin();
    await this.produce(out, (b) => tx.send(b), (rec, meta) => { this.txRecords.push({ rec, meta }); });
    this.records.written += out.length;
    // sent (or skipped) inside the transaction: their offsets go with it
    latestOffsets(seg, this.txOffsets);
  }

  /** Writes the offsets into connect-offsets inside the transaction, commits, then tells the task. */
  private async commitTransaction(): Promise<void> {
    if (!this.tx && !this.txOffsets.size) return;
    const o = this.o;
    const tx = await this.begin();
    const batch = [...this.txOffsets.values()];
    if (batch.length) {
      if (o.fence && !o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: offsets not committed, this worker no longer holds its lease`);
      await tx.send(batch.map((b) => ({ topic: o.eos!.offsetTopic, key: JSON.stringify([this.connector, b.partition]), value: JSON.stringify(b.offset) })));
    }
    await tx.commit();
    this.tx = null;
    const records = this.txRecords;
    this.txOffsets = new Map();
    this.txRecords = [];
    // committed: the worker's view of the offsets follows at once (the reader applies the same records later)
    let local = o.state.offsets.get(this.connector);
    if (!local) o.state.offsets.set(this.connector, (local = new Map()));
    for (const b of batch) local.set(canonical(b.partition), b);
    for (const r of records) await this.task.commitRecord?.(r.rec, r.meta);
    if (batch.length) await this.task.commit?.(new Map(batch.map((b) => [canonical(b.partition), b.offset])));
  }

  /** Aborts the open transaction: its records stay invisible to read_committed consumers, its offsets are dropped. */
  private async abortTransaction(): Promise<void> {
    const tx = this.tx;
    this.tx = null;
    this.txOffsets = new Map();
    this.txRecords = [];
    if (tx) await tx.abort();
  }

  // per record: converter calls without closures made anew for each; a converter with a text
  // form (JsonConverter) hands its string, written straight into the record batch by the producer
  private readonly keyOf = (r: SourceRecord) => toBytes(this.o.keyConverter.converter, r.topic, r.keySchema ?? null, r.key ?? null, r.headers);
  private readonly valueOf = (r: SourceRecord) => toBytes(this.o.valueConverter.converter, r.topic, r.valueSchema ?? null, r.value ?? null, r.headers);
  private readonly contextOf = (r: SourceRecord) => ({ topic: r.topic, record: r, value: dlqValue(r) });

  /**
   * One converter call, straight when it returns (no result object per call: this runs twice
   * per record); through the ErrorHandler — retries, errors.tolerance, dead letter queue —
   * when it throws, and for a converter that answers with a promise.
   */
  private convert(stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER', className: string, fn: (r: SourceRecord) => ConvertedBytes | Promise<ConvertedBytes>, r: SourceRecord): ConvertedBytes | typeof SKIP | Promise<ConvertedBytes | typeof SKIP> {
    let v: ConvertedBytes | Promise<ConvertedBytes>;
    try {
      v = fn(r);
    } catch {
      return this.errors.execute(stage, className, () => fn(r), this.contextOf(r)).then((x) => (x.ok ? x.value : SKIP));
    }
    if (typeof v === 'string' || v === null || Buffer.isBuffer(v)) return v;
    if (v && typeof (v as { then?: unknown }).then === 'function') {
      return Promise.resolve(v).then((x) => x, () => this.errors.execute(stage, className, () => fn(r), this.contextOf(r)).then((x) => (x.ok ? x.value : SKIP)));
    }
    return v as unknown as ConvertedBytes;
  }

  private async prepare(records: SourceRecord[]): Promise<Prepared[]> {
    const o = this.o;
    const out: Prepared[] = [];
    const now = Date.now();
    const noSteps = o.chain.steps.length === 0;
    for (const original of records) {
      const rec = noSteps ? original : await this.transformed(original);
      if (rec === null) continue;
      const r2: SourceRecord = rec;
      let k = this.convert('KEY_CONVERTER', o.keyConverter.className, this.keyOf, r2);
      if (k instanceof Promise) k = await k;
      if (k === SKIP) continue;
      let v = this.convert('VALUE_CONVERTER', o.valueConverter.className, this.valueOf, r2);
      if (v instanceof Promise) v = await v;
      if (v === SKIP) continue;
      out.push({
        rec: original,
        topic: r2.topic,
        msg: r2.kafkaPartition !== null && r2.kafkaPartition !== undefined
          ? { topic: r2.topic, key: k, value: v, headers: r2.headers, timestamp: r2.timestamp ?? now, partition: r2.kafkaPartition }
          : { topic: r2.topic, key: k, value: v, headers: r2.headers, timestamp: r2.timestamp ?? now },
      });
    }
    return out;
  }

  /** The transformation chain on one record: null when dropped or skipped (errors.tolerance); prepare() and prepareBatches() share it. */
  private async transformed(original: SourceRecord): Promise<SourceRecord | null> {
    const E = this.errors;
    let rec: SourceRecord | null = original;
    for (const step of this.o.chain.steps) {
      const cur: SourceRecord = rec!;
      let r = E.attempt('TRANSFORMATION', step.className, () => applyStep(step, cur), () => ({ topic: cur.topic, record: cur, value: dlqValue(cur) }));
      if (r instanceof Promise) r = await r;
      if (!r.ok) return null;
      rec = r.value;
      if (rec === null) return null;
    }
    return rec;
  }

  /**
   * prepare()'s work for in-place converters: each record's key and value written by the
   * converters into this.writer and copied from there into its partition's record batch
   * (the partition chosen as the producer's send() chooses it). Requests are cut as
   * produce() cuts them (~512 KiB). A converter that throws: the record goes through
   * prepare()'s path (convert(): retries, errors.tolerance, dead letter queue).
   */
  private async prepareBatches(records: SourceRecord[]): Promise<BuiltChunk[]> {
    const o = this.o;
    const producer = o.producer;
    const kc = o.keyConverter.converter, vc = o.valueConverter.converter;
    const w = this.writer;
    const chunks: BuiltChunk[] = [];
    let chunk: BuiltChunk | null = null;
    let bytes = 0;
    // this chunk's batch of each topic's partitions
    let byTopic = new Map<string, PreparedBatch[]>();
    // partition counts as the producer's metadata has them, asked once per topic per poll
    const counts = new Map<string, number>();
    const now = Date.now();
    const noSteps = o.chain.steps.length === 0;
    let total = 0, n = 0;
    // by index: a for-of here (an async function) made an iterator result object per record
    for (let i = 0; i < records.length; i++) {
      const original = records[i];
      const rec = noSteps ? original : await this.transformed(original);
      if (rec === null) continue;
      const topic = rec.topic;
      let count = counts.get(topic);
      if (count === undefined) { count = (await producer.partitionCounts([topic])).get(topic)!; counts.set(topic, count); }
      w.pos = 0;
      let ks = -1, ke = -1, vs = -1, ve = -1;
      let k: ConvertedBytes | typeof SKIP = null, v: ConvertedBytes | typeof SKIP = null;
      let inPlace = true;
      try {
        if (kc.fromConnectDataInto!(topic, rec.keySchema ?? null, rec.key ?? null, w, rec.headers)) { ks = 0; ke = w.pos; }
        const at = w.pos;
        if (vc.fromConnectDataInto!(topic, rec.valueSchema ?? null, rec.value ?? null, w, rec.headers)) { vs = at; ve = w.pos; }
      } catch {
        inPlace = false;
      }
      if (!inPlace) {
        const kr = this.convert('KEY_CONVERTER', o.keyConverter.className, this.keyOf, rec);
        k = kr instanceof Promise ? await kr : kr;
        if (k === SKIP) continue;
        const vr = this.convert('VALUE_CONVERTER', o.valueConverter.className, this.valueOf, rec);
        v = vr instanceof Promise ? await vr : vr;
        if (v === SKIP) continue;
      }
      const size = 64 + (inPlace ? (ks < 0 ? 0 : ke - ks) + (vs < 0 ? 0 : ve - vs) : byteLength(k as ConvertedBytes) + byteLength(v as ConvertedBytes));
      if (!chunk || (bytes > 0 && bytes + size > REQUEST_BYTES)) {
        chunks.push((chunk = { batches: [], topics: [], records: 0 }));
        byTopic = new Map();
        bytes = 0;
      }
      bytes += size;
      let keyBytes: Buffer | null = null, kStart = 0, kEnd = 0;
      if (inPlace) { if (ks >= 0) { keyBytes = w.buf; kStart = ks; kEnd = ke; } } else if (k !== null) { keyBytes = typeof k === 'string' ? Buffer.from(k) : k as Buffer; kEnd = keyBytes.length; }
      const partition = producer.choosePartition(topic, count, rec.kafkaPartition, keyBytes, kStart, kEnd);
      let parts = byTopic.get(topic);
      if (!parts) { byTopic.set(topic, (parts = [])); chunk.topics.push(topic); }
      let b = parts[partition];
      if (!b) {
        // sized for its share of the poll as the last poll's records ran (growing a batch copies it)
        const guess = Math.ceil((records.length * this.recordBytes) / count);
        b = parts[partition] = { topic, partition, batch: this.builder(Math.min(REQUEST_BYTES + 16 * 1024, Math.max(16 * 1024, guess))) };
        chunk.batches.push(b);
      }
      const ts = rec.timestamp ?? now;
      if (inPlace) b.batch.appendFrom(w.buf, ks, ke, vs, ve, ts, rec.headers);
      else b.batch.append(k as ConvertedBytes, v as ConvertedBytes, ts, rec.headers);
      chunk.records++;
      total += size;
      n++;
    }
    if (n) this.recordBytes = Math.ceil(total / n);
    return chunks;
  }

  /**
   * A record batch builder of at least `bytes`: a spare one (a batch acknowledged earlier) when
   * there is one, else a new one. Reusing them keeps the in-place path from allocating a fresh
   * buffer of hundreds of KiB per request (external memory whose growth set off V8's full
   * collections on the task thread about every 100 ms of a CDC bulk).
   */
  private builder(bytes: number): RecordBatchBuilder {
    const b = this.spareBuilders.pop();
    if (b) {
      this.spareBytes -= b.capacity;
      // too small for this batch (records grew): let it go rather than grow it (a copy)
      if (b.capacity >= bytes) return b;
    }
    return new RecordBatchBuilder(bytes);
  }

  /** Builders whose batches the broker acknowledged, kept for the next polls (at most SPARE_BYTES of them). */
  private spare(batches: PreparedBatch[]): void {
    for (const b of batches) {
      if (this.spareBytes + b.batch.capacity > SPARE_BYTES) continue;
      this.spareBuilders.push(b.batch.reset());
      this.spareBytes += b.batch.capacity;
    }
  }

  /** send() for prepareBatches' requests, in order. */
  private async sendBuilt(chunks: BuiltChunk[], offsets: Map<string, OffsetEntry>): Promise<void> {
    const o = this.o;
    for (const c of chunks) {
      if (o.fence && !o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: this worker no longer holds its lease`);
      await o.producer.sendBatches(c.batches);
      // acknowledged: the request's bytes are no longer in use
      this.spare(c.batches);
      for (const t of c.topics) void o.state.putActiveTopic(o.connector, t, o.taskId).catch(() => undefined);
      this.records.written += c.records;
    }
    // every polled record's offset is now safe: sent and acknowledged, or skipped
    for (const [k, v] of offsets) this.pending.set(k, v);
  }

  /**
   * Produces `out` in order, acks=all, in requests of at most ~512 KiB (a partition's
   * share of a request is one batch, which the broker refuses above message.max.bytes);
   * `sent` gets each record's metadata, only when the task implements commitRecord.
   */
  private async produce(out: Prepared[], sendBatch: (b: OutgoingRecord[]) => Promise<PartitionOffset[]>, sent: (rec: SourceRecord, meta: RecordMetadata) => unknown): Promise<void> {
    const o = this.o;
    const wantsMeta = !!o.taskClass.prototype.commitRecord;
    for (let i = 0; i < out.length;) {
      let bytes = msgSize(out[i].msg);
      let j = i + 1;
      for (let n; j < out.length && bytes + (n = msgSize(out[j].msg)) <= 512 * 1024; j++) bytes += n;
      const slice = out.slice(i, j);
      i = j;
      if (o.fence && !o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: this worker no longer holds its lease`);
      const res = await sendBatch(slice.map((x) => x.msg));
      let last = '';
      for (const x of slice) if (x.topic !== last) { last = x.topic; void o.state.putActiveTopic(o.connector, x.topic, o.taskId).catch(() => undefined); }
      if (!wantsMeta) continue;
      // the broker answers per partition with the base offset; rebuild each record's offset
      const base = new Map(res.map((r) => [`${r.topic}:${r.partition}`, r.offset]));
      for (const x of slice) {
        const part = x.msg.partition ?? -1;
        const key = `${x.topic}:${part}`;
        const off = base.get(key) ?? -1;
        if (base.has(key)) base.set(key, off + 1);
        await sent(x.rec, { topic: x.topic, partition: part, offset: off });
      }
    }
  }

  private async send(out: Prepared[], records: SourceRecord[]): Promise<void> {
    await this.produce(out, (b) => this.o.producer.send(b), (rec, meta) => this.task.commitRecord?.(rec, meta));
    this.records.written += out.length;
    // every polled record's offset is now safe: sent and acknowledged, or skipped
    latestOffsets(records, this.pending);
  }

  private async maybeFlush(): Promise<void> {
    if (Date.now() - this.lastFlush >= this.o.flushIntervalMs) await this.flushOffsets();
  }

  /** Writes acknowledged offsets to connect-offsets, then tells the task. */
  async flushOffsets(): Promise<void> {
    this.lastFlush = Date.now();
    if (this.o.eos) return; // exactly-once: offsets go with the records' transactions
    if (!this.pending.size) return;
    if (this.o.fence && !this.o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: offsets not committed, this worker no longer holds its lease`);
    const batch = [...this.pending.values()];
    this.pending.clear();
    const t0 = performance.now();
    try {
      await this.o.state.putOffsets(this.connector, batch);
      countCommit(this.records, t0);
    } catch (e) {
      for (const b of batch) if (!this.pending.has(canonical(b.partition))) this.pending.set(canonical(b.partition), b);
      throw e;
    }
    await this.task.commit?.(new Map(batch.map((b) => [canonical(b.partition), b.offset])));
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeUp?.();
    await this.loop?.catch(() => undefined);
    if (!this.failed && !this.fenced && this.task) {
      try { await this.flushOffsets(); } catch (e) { this.o.logger.warn({ err: e }, 'could not commit source offsets on stop'); }
      try { await this.task.stop(); } catch (e) { this.o.logger.warn({ err: e }, 'source task stop failed'); }
    }
    this.o.chain.close();
  }
}

type OffsetEntry = { partition: Record<string, unknown>; offset: Record<string, unknown> };

/**
 * Sets each source partition's latest offset among `records` into `into`: from the end,
 * one canonical key and one entry per partition object, not per record (sources reuse
 * one object per partition; canonical() per record was ~4% of the file source's profile).
 */
function latestOffsets(records: SourceRecord[], into: Map<string, OffsetEntry>): void {
  const seen = new Set<unknown>();
  const done = new Set<string>();
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (seen.has(r.sourcePartition)) continue;
    seen.add(r.sourcePartition);
    const key = canonical(r.sourcePartition);
    // another object naming the same partition, met later in the batch, already set it
    if (done.has(key)) continue;
    done.add(key);
    into.set(key, { partition: r.sourcePartition, offset: r.sourceOffset });
  }
}

/** A converted key or value: bytes, or UTF-8 text the producer writes into the batch as is. */
type ConvertedBytes = Buffer | string | null;
/** a record a converter failed on and errors.tolerance skips */
const SKIP = Symbol('skip');

function toBytes(c: Converter, topic: string, schema: SourceRecord['valueSchema'], value: unknown, headers: SourceRecord['headers']): ConvertedBytes | Promise<ConvertedBytes> {
  return c.fromConnectDataText ? c.fromConnectDataText(topic, schema ?? null, value, headers) : c.fromConnectData(topic, schema ?? null, value, headers);
}

const byteLength = (b: Buffer | string | null | undefined): number => (!b ? 0 : typeof b === 'string' ? Buffer.byteLength(b) : b.length);
function msgSize(m: OutgoingRecord): number { return 64 + byteLength(m.key) + byteLength(m.value); }

function dlqValue(r: SourceRecord): Buffer {
  return Buffer.from(JSON.stringify({ topic: r.topic, key: r.key ?? null, value: r.value ?? null, sourcePartition: r.sourcePartition, sourceOffset: r.sourceOffset }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
