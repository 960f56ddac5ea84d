// Runs one SinkTask in the consumer group `connect-<name>`: fetch → converters →
// transforms → put(); consumer offsets are committed only for what preCommit()
// (default: flush() then everything put) says is durable, every
// offset.flush.interval.ms and on stop. RetriableException from put() redelivers
// the same batch after a backoff; any other error fails the task.
import { CommitFailedError, GroupConsumer, type ClientConfig, type ConsumedRecord, type PartitionBatch } from '../../client/index.ts';
import { RetriableException, tpKey, type ConverterResult, type Header, type SinkRecord, type SinkTask, type SinkTaskContext, type TopicPartition } from '../../plugins/sdk/index.ts';
import { ErrorHandler, newCounters, type ErrorCounters } from './error-handler.ts';

type Attempt<T> = { ok: true; value: T } | { ok: false };
import { applyStep } from './transform-chain.ts';
import { countCommit, newRecordCounters, sleep, type RunnerOptions, type TaskRunner } from './task-runner.ts';
import { traceOf } from '../errors.ts';

export interface SinkRunnerOptions extends RunnerOptions<SinkTask> {
  topics: string[];
  topicsRegex: string | null;
  client: ClientConfig;
  consumerProps: Record<string, string>;
}

/** A mutex: put and commit never overlap. */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.then(() => undefined, () => undefined);
    return r;
  }
}

export class SinkTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  readonly counters: ErrorCounters = newCounters();
  readonly records = newRecordCounters();
  progress: Record<string, unknown> | null = null;
  private task!: SinkTask;
  private consumer: GroupConsumer | null = null;
  private stopping = false;
  private paused: boolean;
  private failed = false;
  private lock = new Lock();
  /** next offset to read, per partition, for everything put() */
  private current = new Map<string, { tp: TopicPartition; offset: number }>();
  private committed = new Map<string, number>();
  private opened = new Map<string, TopicPartition>();
  private lastCommit = Date.now();
  private commitRequested = false;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private errors: ErrorHandler;

  constructor(private readonly o: SinkRunnerOptions) {
    this.connector = o.connector;
    this.taskId = o.taskId;
    this.generation = o.generation;
    this.paused = o.startPaused;
    this.errors = new ErrorHandler(o.errors, { connector: o.connector, taskId: o.taskId, logger: o.logger, producer: o.producer, admin: o.admin, isStopping: () => this.stopping }, this.counters);
  }

  private setState(s: 'RUNNING' | 'PAUSED' | 'FAILED', trace: string | null = null) {
    this.o.listener.onState(this.connector, this.taskId, s, trace, this.generation);
  }

  private assigned(): TopicPartition[] { return this.consumer?.assignment() ?? []; }

  async start(): Promise<void> {
    const o = this.o;
    const ctx: SinkTaskContext = {
      logger: o.logger,
      taskId: o.taskId,
      connectorName: o.connector,
      offset: (tp, offset) => { this.consumer?.seek(tp, offset); },
      assignment: () => this.assigned(),
      pause: (...tps) => { this.consumer?.pause(tps); },
      resume: (...tps) => { if (!this.paused) this.consumer?.resume(tps); },
      requestCommit: () => { this.commitRequested = true; },
      reportProgress: (info) => { this.progress = { ...info, reported_at: new Date().toISOString() }; },
      reportError: async (record, error) => {
        await this.errors.report('TASK_PUT', o.taskClass.name, error, { topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset, record });
        if (!this.errors.tolerateAll) throw error;
      },
    };
    try {
      this.task = new o.taskClass();
      await this.task.start(o.taskProps, ctx);
      const num = (k: string, d: number) => (o.consumerProps[k] !== undefined ? Number(o.consumerProps[k]) : d);
      this.consumer = new GroupConsumer({
        ...o.client,
        clientId: `connector-consumer-${o.connector}-${o.taskId}`,
        groupId: `connect-${o.connector}`,
        ...(o.topicsRegex ? { topicsRegex: new RegExp(o.topicsRegex) } : { topics: o.topics }),
        sessionTimeoutMs: num('session.timeout.ms', 45000),
        heartbeatIntervalMs: num('heartbeat.interval.ms', 1000),
        maxPollIntervalMs: num('max.poll.interval.ms', 300000),
        maxWaitMs: num('fetch.max.wait.ms', 500),
        partitionMaxBytes: num('max.partition.fetch.bytes', 1048576),
        autoOffsetReset: (o.consumerProps['auto.offset.reset'] ?? 'earliest') === 'latest' ? 'latest' : 'earliest',
        onAssigned: (tps) => this.onAssigned(tps),
        // on a rebalance poll() revokes first (onRevoked commits what was put), then rejoins:
        // a partition's next owner starts after it
        onRevoked: (tps) => this.onRevoked(tps),
      });
      await this.consumer.start();
    } catch (e) {
      await this.failAndStop(e);
      return;
    }
    this.setState(this.paused ? 'PAUSED' : 'RUNNING');
    this.loop = this.run();
    this.timer = setInterval(() => {
      if (this.stopping || this.failed) return;
      if (this.commitRequested || Date.now() - this.lastCommit >= o.flushIntervalMs) void this.lock.run(() => this.commit()).catch((err) => this.failAndStop(err));
    }, Math.max(10, Math.min(1000, o.flushIntervalMs / 2)));
  }

  /** Kafka Connect's order: partitions the group took away are committed, then closed. */
  private async onRevoked(revoked: TopicPartition[]): Promise<void> {
    try { await this.commit(); } catch (e) { this.o.logger.warn({ err: e }, 'could not commit the offsets of revoked partitions'); }
    await this.task.close?.(revoked);
    for (const tp of revoked) { const k = tpKey(tp); this.opened.delete(k); this.current.delete(k); this.committed.delete(k); }
  }

  private async onAssigned(added: TopicPartition[]): Promise<void> {
    if (this.paused) this.consumer?.pause(added);
    const fresh = added.filter((tp) => !this.opened.has(tpKey(tp)));
    if (fresh.length) {
      await this.task.open?.(fresh);
      for (const tp of fresh) this.opened.set(tpKey(tp), tp);
    }
    for (const t of new Set(added.map((x) => x.topic))) void this.o.state.putActiveTopic(this.connector, t, this.taskId).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopping && !this.failed) {
      let batches: PartitionBatch[];
      try {
        // assignment changes (open/close) happen inside poll, under the lock like put and commit
        batches = await this.lock.run(() => this.consumer!.poll());
        backoff = 100;
      } catch (e) {
        if (this.stopping || this.failed) break;
        this.o.logger.warn({ err: e }, `fetching for ${this.connector}-${this.taskId} failed; retrying in ${backoff} ms`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      for (const b of batches) {
        if (!b.records.length) continue;
        if (this.stopping || this.failed) break;
        try {
          await this.lock.run(() => this.onBatch(b));
        } catch (e) {
          await this.failAndStop(e);
          return;
        }
      }
      if (!this.stopping && !this.failed && (this.commitRequested || Date.now() - this.lastCommit >= this.o.flushIntervalMs)) {
        await this.lock.run(() => this.commit()).catch((e) => this.failAndStop(e));
      }
    }
  }

  private async onBatch(batch: PartitionBatch): Promise<void> {
    if (this.stopping || this.failed) return;
    const tp = { topic: batch.topic, partition: batch.partition };
    const k = tpKey(tp);
    // a seek (ctx.offset) or a revocation since the fetch: these records are not wanted now
    // or the group gave the partition to another member, which reads it from the committed offset
    if (!this.opened.has(k) || this.consumer!.position(tp) !== batch.nextOffset || !this.consumer!.owns(tp)) return;
    // paused since the fetch (REST pause or the task's own ctx.pause): as Kafka's poll() returns no
    // records of a paused partition, hand these back to the reader instead of putting them
    if (this.paused || this.consumer!.isPaused(tp)) { this.consumer!.seek(tp, batch.records[0].offset); return; }
    const records: SinkRecord[] = [];
    for (const m of batch.records) {
      let rec = this.convert(m);
      if (rec instanceof Promise) rec = await rec;
      if (rec) records.push(rec);
    }
    const last = batch.records[batch.records.length - 1].offset;
    let delay = 300;
    this.records.read += records.length;
    for (;;) {
      try {
        if (records.length || this.o.taskClass.prototype.put) await this.task.put(records);
        this.records.sent += records.length;
        break;
      } catch (e) {
        if ((e instanceof RetriableException || (e as Error)?.name === 'RetriableException') && !this.stopping) {
          this.counters.total_retries++;
          this.o.logger.warn({ err: e }, `put() failed with a retriable error; redelivering ${records.length} records in ${delay} ms`);
          await sleep(delay);
          delay = Math.min(delay * 2, this.o.errors.retryDelayMaxMs);
          continue;
        }
        throw e;
      }
    }
    this.current.set(k, { tp, offset: last + 1 });
  }

  // per record: no closures (these are made once), no promise unless a converter returns one
  private readonly keyOf = (m: ConsumedRecord) => this.o.keyConverter.converter.toConnectData(m.topic, m.key, m.headers);
  private readonly valueOf = (m: ConsumedRecord) => this.o.valueConverter.converter.toConnectData(m.topic, m.value, m.headers);
  private readonly contextOf = (m: ConsumedRecord) => ({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: Object.fromEntries(m.headers.filter((h) => h.value !== null).map((h) => [h.key, h.value as Buffer])) });

  private convert(m: ConsumedRecord): SinkRecord | null | Promise<SinkRecord | null> {
    const o = this.o;
    const E = this.errors;
    const k = E.attemptOn('KEY_CONVERTER', o.keyConverter.className, this.keyOf, m, this.contextOf);
    if (k instanceof Promise) return this.convertAsync(m, k);
    if (!k.ok) return null;
    const v = E.attemptOn('VALUE_CONVERTER', o.valueConverter.className, this.valueOf, m, this.contextOf);
    if (v instanceof Promise) return this.convertAsync(m, k, v);
    if (!v.ok) return null;
    return this.toSinkRecord(m, k.value, v.value);
  }

  private async convertAsync(m: ConsumedRecord, kp: Attempt<ConverterResult> | Promise<Attempt<ConverterResult>>, vp?: Attempt<ConverterResult> | Promise<Attempt<ConverterResult>>): Promise<SinkRecord | null> {
    const k = await kp;
    if (!k.ok) return null;
    const v = await (vp ?? this.errors.attemptOn('VALUE_CONVERTER', this.o.valueConverter.className, this.valueOf, m, this.contextOf));
    if (!v.ok) return null;
    return this.toSinkRecord(m, k.value, v.value);
  }

  private toSinkRecord(m: ConsumedRecord, k: ConverterResult, v: ConverterResult): SinkRecord | null | Promise<SinkRecord | null> {
    const o = this.o;
    const { topic, partition, offset } = m;
    const headers: Header[] = m.headers;
    const rec: SinkRecord = {
      topic, kafkaPartition: partition, kafkaOffset: offset,
      keySchema: k.schema, key: k.value, valueSchema: v.schema, value: v.value,
      timestamp: m.timestamp, timestampType: 'CreateTime', headers,
    };
    return o.chain.steps.length ? this.transform(m, rec) : rec;
  }

  private async transform(m: ConsumedRecord, first: SinkRecord): Promise<SinkRecord | null> {
    const o = this.o;
    const E = this.errors;
    const ec = () => this.contextOf(m);
    let rec: SinkRecord | null = first;
    for (const step of o.chain.steps) {
      const cur: SinkRecord = rec!;
      let r = E.attempt('TRANSFORMATION', step.className, () => applyStep(step, cur), ec);
      if (r instanceof Promise) r = await r;
      if (!r.ok) return null;
      rec = r.value;
      if (rec === null) return null;
    }
    return rec;
  }

  /** preCommit (default: flush + everything put), then commit those consumer offsets. */
  private async commit(): Promise<void> {
    this.lastCommit = Date.now();
    this.commitRequested = false;
    if (this.failed || !this.consumer) return;
    const cur = new Map([...this.current].map(([k, v]) => [k, v.offset]));
    let safe: Map<string, number>;
    try {
      if (this.task.preCommit) safe = await this.task.preCommit(cur);
      else { await this.task.flush?.(cur); safe = cur; }
    } catch (e) {
      // a retriable flush failure: commit nothing now, try again at the next interval
      if (e instanceof RetriableException || (e as Error)?.name === 'RetriableException') {
        this.counters.total_retries++;
        this.o.logger.warn({ err: e }, 'flush/preCommit failed with a retriable error; offsets not committed, retrying at the next commit');
        return;
      }
      throw e;
    }
    const toCommit: { topic: string; partition: number; offset: number }[] = [];
    for (const [k, off] of safe) {
      const tp = this.current.get(k)?.tp ?? this.opened.get(k);
      if (!tp || this.committed.get(k) === off) continue;
      toCommit.push({ topic: tp.topic, partition: tp.partition, offset: off });
    }
    if (!toCommit.length) return;
    if (this.o.fence && !this.o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: offsets not committed, this worker no longer holds its lease`);
    const t0 = performance.now();
    try {
      await this.consumer.commit(toCommit);
    } catch (e) {
      // As Connect's WorkerSinkTask on a CommitFailedException: the group moved on (a poll
      // timeout, an expired session); the partitions' next owners start from the last commit.
      if (e instanceof CommitFailedError) { this.o.logger.warn({ err: e }, 'offset commit failed: this task left the group; its partitions are re-read from the last committed offsets'); return; }
      throw e;
    }
    countCommit(this.records, t0);
    for (const c of toCommit) this.committed.set(tpKey(c), c.offset);
  }

  private async failAndStop(e: unknown): Promise<void> {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.o.logger.error({ err: e, connector: this.connector, task: this.taskId }, 'sink task failed');
    this.setState('FAILED', traceOf(e));
    if (this.timer) clearInterval(this.timer);
    try { await this.task?.stop(); } catch { /* failing anyway */ }
    await this.consumer?.close().catch(() => undefined);
  }

  pause(): void {
    if (this.failed) return;
    this.paused = true;
    this.consumer?.pause(this.assigned());
    this.setState('PAUSED');
  }

  resume(): void {
    if (this.failed) return;
    this.paused = false;
    this.consumer?.resume(this.assigned());
    this.setState('RUNNING');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.failed) return;
    await this.loop?.catch(() => undefined);
    try {
      await this.lock.run(() => this.commit());
    } catch (e) { this.o.logger.warn({ err: e }, 'could not commit sink offsets on stop'); }
    try { await this.task.close?.([...this.opened.values()]); } catch (e) { this.o.logger.warn({ err: e }, 'sink task close failed'); }
    try { await this.task.stop(); } catch (e) { this.o.logger.warn({ err: e }, 'sink task stop failed'); }
    await this.consumer?.close().catch(() => undefined);
    this.o.chain.close();
  }
}
