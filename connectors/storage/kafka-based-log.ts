// The runtime's internal topics (connect-configs, connect-offsets, connect-status)
// read and written through kafkajs, like Kafka's KafkaBasedLog: a producer, and a
// consumer that reads every partition from the beginning and keeps tailing.
//
// kafkajs has no public assign-a-partition consumer, so the reader is a group
// consumer in a group of its own (random id, one member, no commits): it gets every
// partition and nothing else ever shares them.
import { randomUUID } from 'node:crypto';
import type { Kafka, Admin, Consumer, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ensureTopic } from '../kafka.ts';

export interface LogTopic { name: string; partitions: number; replicationFactor: number }
export type ApplyFn = (topic: string, key: string | null, value: Buffer | null, offset: number) => void;

export class KafkaBasedLog {
  private admin!: Admin;
  private producer!: Producer;
  private consumer!: Consumer;
  private applied = new Map<string, number>(); // topic:partition → last applied offset
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private stopped = false;

  constructor(private readonly kafka: Kafka, private readonly topics: LogTopic[], private readonly apply: ApplyFn, private readonly logger: Logger) {}

  async start(timeoutMs = 60000): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    for (const t of this.topics) await ensureTopic(this.admin, t.name, { partitions: t.partitions, replicationFactor: t.replicationFactor, configs: { 'cleanup.policy': 'compact' } });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    // kafkajs restarts a crashed consumer by itself; never after stop() (it would retry against a gone broker forever)
    this.consumer = this.kafka.consumer({ groupId: `tributary-connect-state-${randomUUID()}`, sessionTimeout: 30000, heartbeatInterval: 3000, maxWaitTimeInMs: 200, allowAutoTopicCreation: false, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000, restartOnFailure: async () => !this.stopped } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.map((t) => t.name), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const k = `${batch.topic}:${batch.partition}`;
        for (const m of batch.messages) {
          const off = Number(m.offset);
          if (off <= (this.applied.get(k) ?? -1)) continue;
          try {
            this.apply(batch.topic, m.key ? m.key.toString('utf8') : null, m.value ?? null, off);
          } catch (e) {
            this.logger.warn({ err: e, topic: batch.topic, offset: off }, 'skipping unreadable internal record');
          }
          this.applied.set(k, off);
        }
        this.wake();
        await heartbeat();
      },
    });
    await this.readToEnd(timeoutMs);
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => { if (w.check()) { w.resolve(); return false; } return true; });
  }

  /** Resolves once every record present now has been applied. */
  async readToEnd(timeoutMs = 30000): Promise<void> {
    const ends: [string, number][] = [];
    for (const t of this.topics) {
      for (const p of await this.admin.fetchTopicOffsets(t.name)) {
        const high = Number(p.high);
        if (high > Number(p.low)) ends.push([`${t.name}:${p.partition}`, high - 1]);
      }
    }
    const check = () => ends.every(([k, last]) => (this.applied.get(k) ?? -1) >= last);
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((w) => w.resolve !== done); reject(new Error(`reading the internal topics took longer than ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); resolve(); };
      this.waiters.push({ check, resolve: done });
    });
  }

  async send(topic: string, key: string, value: unknown | null): Promise<{ partition: number; offset: number }> {
    if (this.stopped) throw new Error('the worker is stopping');
    const [r] = await this.producer.send({ topic, acks: -1, messages: [{ key, value: value === null ? null : Buffer.from(JSON.stringify(value)) }] });
    return { partition: r.partition, offset: Number(r.baseOffset ?? r.offset ?? -1) };
  }

  async sendMany(topic: string, records: { key: string; value: unknown | null }[]): Promise<void> {
    if (!records.length) return;
    if (this.stopped) throw new Error('the worker is stopping');
    await this.producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value === null ? null : Buffer.from(JSON.stringify(r.value)) })) });
  }

  get adminClient(): Admin { return this.admin; }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect()]);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
