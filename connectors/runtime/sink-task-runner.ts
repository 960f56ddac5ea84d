// Runs one SinkTask in the consumer group `connect-<name>`: fetch → converters →
// transforms → put(); consumer offsets are committed only for what preCommit()
// (default: flush() then everything put) says is durable, every
// offset.flush.interval.ms and on stop. RetriableException from put() redelivers
// the same batch after a backoff; any other error fails the task.
import type { Consumer, Kafka, IHeaders, KafkaMessage, EachBatchPayload } from 'kafkajs';
import { RetriableException, tpKey, type Header, type SinkRecord, type SinkTask, type SinkTaskContext, type TopicPartition } from '../../plugins/sdk/index.ts';
import { ErrorHandler, newCounters, type ErrorCounters } from './error-handler.ts';
import { applyStep } from './transform-chain.ts';
import { sleep, type RunnerOptions, type TaskRunner } from './task-runner.ts';
import { traceOf } from '../errors.ts';

export interface SinkRunnerOptions extends RunnerOptions<SinkTask> {
  topics: string[];
  topicsRegex: string | null;
  kafka: Kafka;
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

function toHeaders(h: IHeaders | undefined): Header[] {
  const out: Header[] = [];
  for (const [key, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push({ key, value: x === null ? null : Buffer.isBuffer(x) ? x : Buffer.from(String(x)) });
  }
  return out;
}

export class SinkTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  readonly counters: ErrorCounters = newCounters();
  private task!: SinkTask;
  private consumer!: Consumer;
  private stopping = false;
  private paused: boolean;
  private failed = false;
  private lock = new Lock();
  /** next offset to read, per partition, for everything put() */
  private current = new Map<string, { tp: TopicPartition; offset: number }>();
  private committed = new Map<string, number>();
  private opened = new Map<string, TopicPartition>();
  private assigned: TopicPartition[] = [];
  private lastCommit = Date.now();
  private commitRequested = false;
  private timer: NodeJS.Timeout | null = null;
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

  private allTps(): { topic: string; partitions?: number[] }[] {
    const topics = new Set(this.assigned.map((t) => t.topic));
    return [...topics].map((topic) => ({ topic }));
  }

  async start(): Promise<void> {
    const o = this.o;
    const ctx: SinkTaskContext = {
      logger: o.logger,
      taskId: o.taskId,
      connectorName: o.connector,
      offset: (tp, offset) => { this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) }); },
      assignment: () => [...this.assigned],
      pause: (...tps) => { const by = groupTps(tps); if (by.length) this.consumer.pause(by); },
      resume: (...tps) => { const by = groupTps(tps); if (by.length) this.consumer.resume(by); },
      requestCommit: () => { this.commitRequested = true; },
      reportError: async (record, error) => {
        await this.errors.report('TASK_PUT', o.taskClass.name, error, { topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset, record });
        if (!this.errors.tolerateAll) throw error;
      },
    };
    try {
      this.task = new o.taskClass();
      await this.task.start(o.taskProps, ctx);
      const num = (k: string, d: number) => (o.consumerProps[k] !== undefined ? Number(o.consumerProps[k]) : d);
      this.consumer = o.kafka.consumer({
        groupId: `connect-${o.connector}`,
        sessionTimeout: num('session.timeout.ms', 45000),
        heartbeatInterval: num('heartbeat.interval.ms', 1000),
        maxWaitTimeInMs: num('fetch.max.wait.ms', 500),
        maxBytesPerPartition: num('max.partition.fetch.bytes', 1048576),
        allowAutoTopicCreation: false,
        // no automatic restart once stopping/failed: it would keep retrying after disconnect()
        retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000, restartOnFailure: async () => !this.stopping && !this.failed },
      });
      this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
        const a = e.payload.memberAssignment as Record<string, number[]>;
        this.assigned = Object.entries(a).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
        if (this.paused) this.consumer.pause(this.allTps());
        void this.lock.run(() => this.onAssignment()).catch((err) => this.failAndStop(err));
      });
      this.consumer.on(this.consumer.events.CRASH, (e) => {
        if (!this.stopping && !e.payload.restart) void this.failAndStop(e.payload.error);
      });
      await this.consumer.connect();
      const fromBeginning = (o.consumerProps['auto.offset.reset'] ?? 'earliest') === 'earliest';
      if (o.topicsRegex) await this.consumer.subscribe({ topics: [new RegExp(o.topicsRegex)], fromBeginning });
      else await this.consumer.subscribe({ topics: o.topics, fromBeginning });
      await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    } catch (e) {
      await this.failAndStop(e);
      return;
    }
    this.setState(this.paused ? 'PAUSED' : 'RUNNING');
    this.timer = setInterval(() => {
      if (this.stopping || this.failed) return;
      if (this.commitRequested || Date.now() - this.lastCommit >= o.flushIntervalMs) void this.lock.run(() => this.commit()).catch((err) => this.failAndStop(err));
    }, Math.max(10, Math.min(1000, o.flushIntervalMs / 2)));
  }

  private async onAssignment(): Promise<void> {
    const now = new Map(this.assigned.map((tp) => [tpKey(tp), tp]));
    const revoked = [...this.opened.values()].filter((tp) => !now.has(tpKey(tp)));
    if (revoked.length) {
      await this.task.close?.(revoked);
      for (const tp of revoked) { this.opened.delete(tpKey(tp)); this.current.delete(tpKey(tp)); }
    }
    const added = this.assigned.filter((tp) => !this.opened.has(tpKey(tp)));
    if (added.length) {
      await this.task.open?.(added);
      for (const tp of added) this.opened.set(tpKey(tp), tp);
    }
    for (const t of new Set(this.assigned.map((x) => x.topic))) void this.o.state.putActiveTopic(this.connector, t, this.taskId).catch(() => undefined);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopping || this.failed || !batch.messages.length) return;
    await this.lock.run(async () => {
      if (this.stopping || this.failed || !isRunning() || isStale()) return;
      const tp = { topic: batch.topic, partition: batch.partition };
      if (!this.opened.has(tpKey(tp))) { await this.task.open?.([tp]); this.opened.set(tpKey(tp), tp); }
      const records: SinkRecord[] = [];
      for (const m of batch.messages) {
        const rec = await this.convert(batch.topic, batch.partition, m);
        if (rec) records.push(rec);
      }
      const last = Number(batch.messages[batch.messages.length - 1].offset);
      let delay = 300;
      for (;;) {
        try {
          if (records.length || this.o.taskClass.prototype.put) await this.task.put(records);
          break;
        } catch (e) {
          if ((e instanceof RetriableException || (e as Error)?.name === 'RetriableException') && !this.stopping) {
            this.counters.total_retries++;
            this.o.logger.warn({ err: e }, `put() failed with a retriable error; redelivering ${records.length} records in ${delay} ms`);
            await sleep(delay);
            delay = Math.min(delay * 2, this.o.errors.retryDelayMaxMs);
            await heartbeat().catch(() => undefined);
            continue;
          }
          throw e;
        }
      }
      this.current.set(tpKey(tp), { tp, offset: last + 1 });
      resolveOffset(String(last));
      await heartbeat().catch(() => undefined);
      if (this.commitRequested || Date.now() - this.lastCommit >= this.o.flushIntervalMs) await this.commit();
    }).catch(async (e) => { await this.failAndStop(e); });
  }

  private async convert(topic: string, partition: number, m: KafkaMessage): Promise<SinkRecord | null> {
    const o = this.o;
    const headers = toHeaders(m.headers);
    const offset = Number(m.offset);
    const ec = () => ({ topic, partition, offset, key: m.key, value: m.value, headers: Object.fromEntries(Object.entries(m.headers ?? {}).filter(([, v]) => v !== undefined && !Array.isArray(v)) as [string, Buffer | string][]) });
    const E = this.errors;
    let k = E.attempt('KEY_CONVERTER', o.keyConverter.className, () => o.keyConverter.converter.toConnectData(topic, m.key ?? null, headers), ec);
    if (k instanceof Promise) k = await k;
    if (!k.ok) return null;
    let v = E.attempt('VALUE_CONVERTER', o.valueConverter.className, () => o.valueConverter.converter.toConnectData(topic, m.value ?? null, headers), ec);
    if (v instanceof Promise) v = await v;
    if (!v.ok) return null;
    let rec: SinkRecord | null = {
      topic, kafkaPartition: partition, kafkaOffset: offset,
      keySchema: k.value.schema, key: k.value.value, valueSchema: v.value.schema, value: v.value.value,
      timestamp: Number(m.timestamp), timestampType: 'CreateTime', headers,
    };
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
    if (this.failed) return;
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
    const toCommit: { topic: string; partition: number; offset: string }[] = [];
    for (const [k, off] of safe) {
      const tp = this.current.get(k)?.tp ?? this.opened.get(k);
      if (!tp || this.committed.get(k) === off) continue;
      toCommit.push({ topic: tp.topic, partition: tp.partition, offset: String(off) });
    }
    if (!toCommit.length) return;
    if (this.o.fence && !this.o.fence()) throw new Error(`task ${this.connector}-${this.taskId} fenced: offsets not committed, this worker no longer holds its lease`);
    await this.consumer.commitOffsets(toCommit);
    for (const c of toCommit) this.committed.set(`${c.topic}-${c.partition}`, Number(c.offset));
  }

  private async failAndStop(e: unknown): Promise<void> {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.o.logger.error({ err: e, connector: this.connector, task: this.taskId }, 'sink task failed');
    this.setState('FAILED', traceOf(e));
    if (this.timer) clearInterval(this.timer);
    try { await this.task?.stop(); } catch { /* failing anyway */ }
    await this.consumer?.disconnect().catch(() => undefined);
  }

  pause(): void {
    if (this.failed) return;
    this.paused = true;
    const tps = this.allTps();
    if (tps.length) this.consumer.pause(tps);
    this.setState('PAUSED');
  }

  resume(): void {
    if (this.failed) return;
    this.paused = false;
    const tps = this.allTps();
    if (tps.length) this.consumer.resume(tps);
    this.setState('RUNNING');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.failed) return;
    try {
      await this.lock.run(() => this.commit());
    } catch (e) { this.o.logger.warn({ err: e }, 'could not commit sink offsets on stop'); }
    try { await this.task.close?.([...this.opened.values()]); } catch (e) { this.o.logger.warn({ err: e }, 'sink task close failed'); }
    try { await this.task.stop(); } catch (e) { this.o.logger.warn({ err: e }, 'sink task stop failed'); }
    await this.consumer?.disconnect().catch(() => undefined);
    this.o.chain.close();
  }
}

function groupTps(tps: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) { let l = m.get(tp.topic); if (!l) m.set(tp.topic, (l = [])); l.push(tp.partition); }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}
