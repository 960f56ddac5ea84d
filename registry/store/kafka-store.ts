// The log in Kafka: the compacted, single-partition topic `_schemas`, written with a
// kafkajs producer (acks=all) and read from the beginning by a kafkajs consumer.
//
// Reading: kafkajs has no public "assign a partition" consumer, only group consumers,
// and its lower-level fetch is internal. So the reader is a group consumer in a group
// of its own (unique id, one member, no offset commits): it gets the one partition,
// starts at the earliest offset, and nothing else ever shares or moves it. Should the
// group rebalance anyway (a missed heartbeat), records at or below the last applied
// offset are skipped, so a re-read changes nothing.
// Read-your-writes: append() resolves only once the consumer has applied the offset the
// producer was given, as Confluent's KafkaStore does.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type Producer, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { err } from '../errors.ts';
import type { LogRecord } from './records.ts';
import type { SchemaStore } from './schema-store.ts';

export interface KafkaStoreOptions {
  bootstrap: string;
  topic: string;
  replicationFactor: number;
  timeoutMs: number;
  initTimeoutMs: number;
  logger?: Logger;
  clientId?: string;
}

/** kafkajs logs through pino, one level quieter (its info is chatty). */
export function kafkajsLogCreator(logger?: Logger) {
  return () => ({ level, log }: LogEntry) => {
    if (!logger) return;
    const { message, ...extra } = log;
    if (level <= logLevel.ERROR) logger.warn({ kafkajs: extra }, message);
    else logger.debug({ kafkajs: extra }, message);
  };
}

export class KafkaSchemaStore implements SchemaStore {
  readonly kafka: Kafka;
  private admin: Admin | null = null;
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private apply: ((r: LogRecord, offset: number) => void) | null = null;
  private applied = -1;
  private waiters: { offset: number; resolve: () => void }[] = [];
  private closed = false;

  constructor(private readonly opts: KafkaStoreOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId ?? 'tributary-registry',
      brokers: opts.bootstrap.split(','),
      logCreator: kafkajsLogCreator(opts.logger),
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  async start(apply: (r: LogRecord, offset: number) => void): Promise<void> {
    this.apply = apply;
    const deadline = AbortSignal.timeout(this.opts.initTimeoutMs);
    const init = async () => {
      this.admin = this.kafka.admin();
      await this.admin.connect();
      await this.ensureTopic();
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.producer.connect();
      this.consumer = this.kafka.consumer({
        groupId: `tributary-registry-reader-${randomUUID()}`,
        sessionTimeout: 30000,
        heartbeatInterval: 3000,
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
      });
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset <= this.applied) continue;
            if (m.key) {
              try { this.apply?.({ key: m.key.toString(), value: m.value ? m.value.toString() : null }, offset); } catch (e) {
                this.opts.logger?.error({ err: e, offset }, 'cannot apply _schemas record; skipped');
              }
            }
            this.applied = offset;
          }
          // compaction can leave the tail offsets empty: an empty batch means "caught up"
          if (!batch.messages.length && Number(batch.highWatermark) - 1 > this.applied) this.applied = Number(batch.highWatermark) - 1;
          this.release();
        },
      });
      await this.sync();
    };
    await Promise.race([
      init(),
      new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(err.timeout(`could not read ${this.opts.topic} within kafkastore.init.timeout.ms=${this.opts.initTimeoutMs}`)))),
    ]).catch(async (e) => { await this.close(); throw e; });
  }

  private async ensureTopic(): Promise<void> {
    const admin = this.admin!;
    const topics = await admin.listTopics();
    if (!topics.includes(this.opts.topic)) {
      const cluster = await admin.describeCluster();
      const rf = Math.max(1, Math.min(this.opts.replicationFactor, cluster.brokers.length));
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: this.opts.topic, numPartitions: 1, replicationFactor: rf, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        });
        this.opts.logger?.info({ topic: this.opts.topic, replicationFactor: rf }, 'created schemas topic');
      } catch (e) {
        if (!/already exists/i.test((e as Error).message)) throw e;
      }
      return;
    }
    const md = await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
    const partitions = md.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) throw err.store(`topic ${this.opts.topic} has ${partitions} partitions; the registry needs exactly 1`);
  }

  private release(): void {
    const ready = this.waiters.filter((w) => w.offset <= this.applied);
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => w.offset > this.applied);
    for (const w of ready) w.resolve();
  }

  private waitFor(offset: number, what: string): Promise<void> {
    if (offset <= this.applied) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(err.timeout(`${what}: offset ${offset} of ${this.opts.topic} not read back within kafkastore.timeout.ms=${this.opts.timeoutMs}`));
      }, this.opts.timeoutMs);
      const waiter = { offset, resolve: () => { clearTimeout(timer); resolve(); } };
      this.waiters.push(waiter);
    });
  }

  async append(records: LogRecord[]): Promise<void> {
    if (!this.producer || this.closed) throw err.store('the store is not running');
    let base: number;
    try {
      const res = await this.producer.send({
        topic: this.opts.topic,
        acks: -1,
        timeout: this.opts.timeoutMs,
        messages: records.map((r) => ({ key: r.key, value: r.value })),
      });
      base = Number(res[0].baseOffset);
    } catch (e) {
      throw err.store(`write to ${this.opts.topic} failed: ${(e as Error).message}`);
    }
    await this.waitFor(base + records.length - 1, 'write');
  }

  async sync(): Promise<void> {
    if (!this.admin) return;
    const offsets = await this.admin.fetchTopicOffsets(this.opts.topic);
    const high = Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
    if (high > 0) await this.waitFor(high - 1, 'catch-up');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.apply = null;
    // a broker that is already gone must not hold the shutdown forever
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect(), this.admin?.disconnect()]),
      new Promise((r) => { timer = setTimeout(r, 5000); timer.unref(); }),
    ]);
    clearTimeout(timer);
  }
}
