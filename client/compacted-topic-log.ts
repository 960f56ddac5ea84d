// Kafka's KafkaBasedLog, once for the platform: compacted topics read from the
// beginning by partition assignment (no consumer group), at read_committed, so
// transactional writers (exactly-once source tasks writing connect-offsets) leave
// nothing half-visible and markers never hold "read to the end" up; then followed.
// Writes go through an idempotent producer with acks=all. Used by the registry
// (`_schemas`) and Connect (config, offset and status topics).
import type { Logger } from 'pino';
import type { ClientConfig } from './config.ts';
import { KafkaAdmin } from './admin.ts';
import { KafkaProducer, type OutgoingRecord, type PartitionOffset } from './producer.ts';
import { PartitionReader, type ConsumedRecord } from './partition-reader.ts';

export interface LogTopic {
  topic: string;
  /** used when the log creates the topic */
  partitions: number;
  replicationFactor: number;
  /** the topic must have exactly `partitions` partitions (the registry's single-partition `_schemas`) */
  requirePartitions?: boolean;
}

export interface CompactedTopicLogConfig extends ClientConfig {
  topics: LogTopic[];
  /** called for every committed record, in offset order per partition; a throw is logged and the record skipped */
  apply: (record: ConsumedRecord) => void;
  /** create missing topics with cleanup.policy=compact (default true) */
  createTopics?: boolean;
  /** how long the follower's fetch may wait at the end (default 100 ms) */
  maxWaitMs?: number;
}

export class TopicPartitionCountError extends Error {
  constructor(readonly topic: string, readonly actual: number, readonly expected: number) {
    super(`topic ${topic} has ${actual} partitions; exactly ${expected} needed`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CompactedTopicLog {
  readonly admin: KafkaAdmin;
  private readonly producer: KafkaProducer;
  private readonly reader: PartitionReader;
  private readonly logger?: Logger;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private loop: Promise<void> | null = null;
  private stopped = false;
  private lastError: unknown = null;

  constructor(private readonly cfg: CompactedTopicLogConfig) {
    this.logger = cfg.logger;
    this.admin = new KafkaAdmin(cfg);
    this.producer = new KafkaProducer({ ...cfg, idempotent: true, acks: -1 });
    this.reader = new PartitionReader({ ...cfg, isolation: 'read_committed', maxWaitMs: cfg.maxWaitMs ?? 100 });
  }

  /** Ensures the topics, reads them to their end, then keeps following. */
  async start(timeoutMs = 60000): Promise<void> {
    const counts = new Map<string, number>();
    for (const t of this.cfg.topics) {
      if (this.cfg.createTopics !== false) {
        const created = await this.admin.ensureTopic({ topic: t.topic, partitions: t.partitions, replicationFactor: t.replicationFactor, configs: { 'cleanup.policy': 'compact' } });
        if (created) this.logger?.info({ topic: t.topic }, 'created compacted topic');
      }
      const [d] = await this.admin.describeTopics([t.topic]);
      const n = d?.partitions.length ?? 0;
      if (t.requirePartitions && n !== t.partitions) throw new TopicPartitionCountError(t.topic, n, t.partitions);
      if (!n) throw new Error(`topic ${t.topic} does not exist`);
      counts.set(t.topic, n);
    }
    await this.reader.assign([...counts].flatMap(([topic, n]) => Array.from({ length: n }, (_, partition) => ({ topic, partition, offset: 'earliest' as const }))));
    this.loop = this.follow();
    await this.readToEnd(undefined, timeoutMs);
  }

  private async follow(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        const batches = await this.reader.poll();
        backoff = 100;
        this.lastError = null;
        for (const b of batches) {
          for (const r of b.records) {
            try { this.cfg.apply(r); } catch (e) { this.logger?.warn({ err: e, topic: r.topic, partition: r.partition, offset: r.offset }, 'skipping unreadable record'); }
          }
        }
        if (batches.length) this.wake();
      } catch (e) {
        if (this.stopped) break;
        this.lastError = e;
        this.logger?.debug({ err: e }, 'reading compacted topics failed; retrying');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private wake(): void {
    if (!this.waiters.length) return;
    this.waiters = this.waiters.filter((w) => { if (w.check()) { w.resolve(); return false; } return true; });
  }

  private wait(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const cause = this.lastError ? `: ${(this.lastError as Error).message ?? this.lastError}` : '';
        reject(new Error(`${what} took longer than ${timeoutMs} ms${cause}`));
      }, timeoutMs);
      const waiter = { check, resolve: () => { clearTimeout(timer); resolve(); } };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once every committed record present now (up to each partition's last stable offset) was applied. */
  async readToEnd(topics?: string[], timeoutMs = 30000): Promise<void> {
    const want = topics ?? this.cfg.topics.map((t) => t.topic);
    const ends = await this.reader.endOffsets(want.map((topic) => ({ topic })));
    const check = () => ends.every((e) => (this.reader.position(e.topic, e.partition) ?? 0) >= e.lastStable);
    await this.wait(check, timeoutMs, `reading ${want.join(', ')} to the end`);
  }

  /** Resolves once the record at `offset` was applied (read-your-writes). */
  waitForOffset(topic: string, partition: number, offset: number, timeoutMs = 30000): Promise<void> {
    return this.wait(() => (this.reader.position(topic, partition) ?? 0) > offset, timeoutMs, `reading back offset ${offset} of ${topic}`);
  }

  /** Writes records (acks=all); resolves with each partition's base offset once acknowledged. */
  async send(records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    if (this.stopped) throw new Error('the log is stopped');
    return this.producer.send(records);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    // let the follower's fetch end (it waits at most maxWaitMs) before its connections close:
    // a fetch cut by the close would be retried against a closed pool
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop?.catch(() => undefined), new Promise((r) => { timer = setTimeout(r, 2000); })]);
    clearTimeout(timer);
    await Promise.allSettled([this.reader.close(), this.producer.close(), this.admin.close()]);
  }
}
