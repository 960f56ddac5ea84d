// The log in Kafka: the compacted, single-partition topic `_schemas`, through the
// platform's CompactedTopicLog (client/): read by partition assignment without a
// consumer group, at read_committed, every codec; written with acks=all.
// Read-your-writes: append() resolves only once the reader has applied the offset the
// producer was given, as Confluent's KafkaStore does.
import type { Logger } from 'pino';
import { CompactedTopicLog, TopicPartitionCountError, type ClientConfig } from '../../client/index.ts';
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
  /** Kafka's client security settings (from the registry's kafkastore.* names) */
  security?: Record<string, string>;
}

export class KafkaSchemaStore implements SchemaStore {
  private log: CompactedTopicLog | null = null;
  private apply: ((r: LogRecord, offset: number) => void) | null = null;
  private closed = false;

  constructor(private readonly opts: KafkaStoreOptions) {}

  /** Where the store's broker is, for the registry's other Kafka users (leader election). */
  get clientConfig(): ClientConfig {
    return { bootstrap: this.opts.bootstrap, clientId: this.opts.clientId ?? 'tributary-registry', logger: this.opts.logger, requestTimeoutMs: this.opts.timeoutMs, security: this.opts.security };
  }

  async start(apply: (r: LogRecord, offset: number) => void): Promise<void> {
    this.apply = apply;
    const log = new CompactedTopicLog({
      ...this.clientConfig,
      topics: [{ topic: this.opts.topic, partitions: 1, replicationFactor: this.opts.replicationFactor, requirePartitions: true }],
      apply: (r) => {
        if (!r.key) return;
        try {
          this.apply?.({ key: r.key.toString(), value: r.value ? r.value.toString() : null }, r.offset);
        } catch (e) {
          this.opts.logger?.error({ err: e, offset: r.offset }, 'cannot apply _schemas record; skipped');
        }
      },
    });
    this.log = log;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        log.start(this.opts.initTimeoutMs),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(err.timeout(`could not read ${this.opts.topic} within kafkastore.init.timeout.ms=${this.opts.initTimeoutMs}`)), this.opts.initTimeoutMs); }),
      ]);
    } catch (e) {
      await this.close();
      if (e instanceof TopicPartitionCountError) throw err.store(`topic ${e.topic} has ${e.actual} partitions; the registry needs exactly 1`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async append(records: LogRecord[]): Promise<void> {
    const log = this.log;
    if (!log || this.closed) throw err.store('the store is not running');
    let base: number;
    try {
      const [r] = await log.send(records.map((r) => ({ topic: this.opts.topic, partition: 0, key: r.key, value: r.value })));
      base = r.offset;
    } catch (e) {
      throw err.store(`write to ${this.opts.topic} failed: ${(e as Error).message}`);
    }
    const last = base + records.length - 1;
    await log.waitForOffset(this.opts.topic, 0, last, this.opts.timeoutMs).catch(() => {
      throw err.timeout(`write: offset ${last} of ${this.opts.topic} not read back within kafkastore.timeout.ms=${this.opts.timeoutMs}`);
    });
  }

  async sync(): Promise<void> {
    if (!this.log || this.closed) return;
    await this.log.readToEnd([this.opts.topic], this.opts.timeoutMs).catch((e) => {
      throw err.timeout(`catch-up: ${(e as Error).message} (kafkastore.timeout.ms=${this.opts.timeoutMs})`);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.apply = null;
    // a broker that is already gone must not hold the shutdown forever
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.log?.stop(), new Promise((r) => { timer = setTimeout(r, 5000); timer.unref(); })]);
    clearTimeout(timer);
  }
}
