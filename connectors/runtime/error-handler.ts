// Kafka Connect's RetryWithToleranceOperator: retries RetriableException within
// errors.retry.timeout (exponential backoff from 300 ms up to errors.retry.delay.max.ms),
// then either fails the task (errors.tolerance=none) or skips the record
// (errors.tolerance=all), logging it (errors.log.enable) and sending it to the dead
// letter topic with __connect.errors.* context headers. Counters and the last errors
// are kept per task for the REST API.
import type { Logger } from 'pino';
import type { KafkaAdmin, KafkaProducer } from '../../client/index.ts';
import { RetriableException } from '../../plugins/sdk/index.ts';
import type { ErrorConfig } from '../config.ts';
import { traceOf } from '../errors.ts';

export type Stage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT' | 'TASK_POLL' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

export class ToleranceExceededError extends Error {
  constructor(cause: unknown) {
    super('Tolerance exceeded in error handler', { cause });
    this.name = 'ConnectException';
  }
}

/** What the DLQ and the log know about a failing record. */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  offset?: number;
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: Record<string, Buffer | string>;
  /** printable record for logs */
  record?: unknown;
}

export interface ErrorCounters {
  total_errors: number;
  total_records_skipped: number;
  total_retries: number;
  total_dlq_records: number;
  last_errors: { time: string; stage: Stage; class_name: string; message: string; topic?: string; partition?: number; offset?: number }[];
}

export const newCounters = (): ErrorCounters => ({ total_errors: 0, total_records_skipped: 0, total_retries: 0, total_dlq_records: 0, last_errors: [] });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ErrorHandler {
  private dlqReady = false;

  constructor(
    private readonly cfg: ErrorConfig,
    private readonly ctx: { connector: string; taskId: number; logger: Logger; producer?: KafkaProducer; admin?: KafkaAdmin; isStopping: () => boolean },
    readonly counters: ErrorCounters,
  ) {}

  get tolerateAll(): boolean { return this.cfg.tolerance === 'all'; }

  /**
   * The hot path: one synchronous try, no promise unless fn returns one or fails (then
   * execute() takes over with retries). `ec` is built only when something failed.
   */
  attempt<T>(stage: Stage, className: string, fn: () => T | Promise<T>, ec: () => ErrorContext): { ok: true; value: T } | { ok: false } | Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const v = fn();
      if (v && typeof (v as { then?: unknown }).then === 'function') {
        return (v as Promise<T>).then((value) => ({ ok: true as const, value }), () => this.execute(stage, className, fn, ec()));
      }
      return { ok: true, value: v as T };
    } catch {
      return this.execute(stage, className, fn, ec());
    }
  }

  /**
   * attempt() for a function of one argument: callers keep `fn` and `ec` in fields and
   * make no closure per record (closure creation, with tsx's name wrapper, was ~10% of
   * a sink's profile). fn and ec are called with `arg`.
   */
  attemptOn<A, T>(stage: Stage, className: string, fn: (a: A) => T | Promise<T>, arg: A, ec: (a: A) => ErrorContext): { ok: true; value: T } | { ok: false } | Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const v = fn(arg);
      if (v && typeof (v as { then?: unknown }).then === 'function') {
        return (v as Promise<T>).then((value) => ({ ok: true as const, value }), () => this.execute(stage, className, () => fn(arg), ec(arg)));
      }
      return { ok: true, value: v as T };
    } catch {
      return this.execute(stage, className, () => fn(arg), ec(arg));
    }
  }

  /** Runs fn with retries; returns {ok:false} when the record is to be skipped, throws when the task must fail. */
  async execute<T>(stage: Stage, className: string, fn: () => T | Promise<T>, ec: ErrorContext = {}): Promise<{ ok: true; value: T } | { ok: false }> {
    const start = Date.now();
    let delay = 300;
    for (let attempt = 0; ; attempt++) {
      try {
        return { ok: true, value: await fn() };
      } catch (e) {
        const retriable = e instanceof RetriableException || (e as Error)?.name === 'RetriableException';
        const timeout = this.cfg.retryTimeoutMs;
        const left = timeout < 0 ? Infinity : start + timeout - Date.now();
        if (retriable && left > 0 && !this.ctx.isStopping()) {
          this.counters.total_retries++;
          await sleep(Math.min(delay, this.cfg.retryDelayMaxMs, left));
          delay *= 2;
          continue;
        }
        await this.report(stage, className, e, ec);
        if (!this.tolerateAll) throw new ToleranceExceededError(e);
        this.counters.total_records_skipped++;
        return { ok: false };
      }
    }
  }

  /** Records one failure: counters, log, dead letter topic. */
  async report(stage: Stage, className: string, e: unknown, ec: ErrorContext): Promise<void> {
    const err = e instanceof Error ? e : new Error(String(e));
    this.counters.total_errors++;
    this.counters.last_errors.push({ time: new Date().toISOString(), stage, class_name: className, message: err.message, topic: ec.topic, partition: ec.partition, offset: ec.offset });
    if (this.counters.last_errors.length > 10) this.counters.last_errors.shift();
    if (this.cfg.logEnable) {
      const where = ec.topic !== undefined ? ` for record in topic '${ec.topic}' partition ${ec.partition ?? -1} offset ${ec.offset ?? -1}` : '';
      this.ctx.logger.error({ err, stage, className, ...(this.cfg.logIncludeMessages ? { record: ec.record } : {}) }, `Error encountered in task ${this.ctx.connector}-${this.ctx.taskId}. Executing stage '${stage}' with class '${className}'${where}.`);
    }
    if (this.cfg.dlqTopic && this.tolerateAll && this.ctx.producer) {
      try {
        await this.sendToDlq(stage, className, err, ec);
        this.counters.total_dlq_records++;
      } catch (de) {
        this.ctx.logger.error({ err: de, topic: this.cfg.dlqTopic }, 'could not write to the dead letter queue');
      }
    }
  }

  private async sendToDlq(stage: Stage, className: string, err: Error, ec: ErrorContext): Promise<void> {
    const topic = this.cfg.dlqTopic!;
    if (!this.dlqReady && this.ctx.admin) {
      await this.ctx.admin.ensureTopic({ topic, partitions: 1, replicationFactor: this.cfg.dlqReplicationFactor });
      this.dlqReady = true;
    }
    const headers: Record<string, Buffer | string> = { ...(ec.headers ?? {}) };
    if (this.cfg.dlqContextHeaders) {
      const h = (k: string, v: unknown) => { if (v !== undefined && v !== null) headers[`__connect.errors.${k}`] = String(v); };
      h('topic', ec.topic);
      h('partition', ec.partition);
      h('offset', ec.offset);
      h('connector.name', this.ctx.connector);
      h('task.id', this.ctx.taskId);
      h('stage', stage);
      h('class.name', className);
      h('exception.class.name', err.name);
      h('exception.message', err.message);
      h('exception.stacktrace', traceOf(err));
    }
    await this.ctx.producer!.send([{ topic, key: ec.key ?? null, value: ec.value ?? null, headers }]);
  }
}
