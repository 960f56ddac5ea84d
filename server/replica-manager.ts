// Owns the partition logs of this broker: opening and recovering them, appends,
// reads, waking long-polling fetches, periodic flush/roll. The leader epoch and
// high-water mark live here so replication can plug in without touching the log.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PartitionLog, type LogConfig, type AppendResult, type AppendOptions } from './log/partition-log.ts';
import type { BrokerConfig } from './config.ts';
import type { MetadataStore, TopicMeta } from './cluster/metadata-store.ts';

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';

export interface Partition {
  topic: string;
  partition: number;
  log: PartitionLog;
  leaderEpoch: number;
}

type Waiter = () => void;

export class ReplicaManager {
  private partitions = new Map<string, Partition>();
  private waiters = new Map<string, Set<Waiter>>();
  private appendListeners: ((p: Partition, r: AppendResult) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private cleanStart = false;

  constructor(
    readonly dataDir: string,
    readonly config: BrokerConfig,
    readonly metadata: MetadataStore,
    readonly logger: Logger,
  ) {}

  static key(topic: string, partition: number): string { return `${topic}-${partition}`; }

  /**
   * Opens every partition in the metadata, recovering unless the last shutdown was
   * clean. Yields to the event loop between partitions so the admin port can answer
   * /ready (503) during a long recovery.
   */
  async open(): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true });
    const marker = path.join(this.dataDir, CLEAN_SHUTDOWN);
    this.cleanStart = fs.existsSync(marker);
    if (!this.cleanStart && this.metadata.list().length > 0) this.logger.info('previous shutdown was not clean: recovering the active segment of every partition');
    for (const t of this.metadata.list()) for (const p of t.partitions) { this.openTopic(t, p.partition); await new Promise(setImmediate); }
    fs.rmSync(marker, { force: true });
    const interval = Math.max(10, this.config.int('log.flush.scheduler.interval.ms'));
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
  }

  logConfig(t: TopicMeta): LogConfig {
    const v = (name: string): string => t.configs[name] ?? this.config.topicDefault(name)!;
    return {
      segmentBytes: Number(v('segment.bytes')),
      segmentMs: Number(v('segment.ms')),
      indexIntervalBytes: Number(v('index.interval.bytes')),
      maxMessageBytes: Number(v('max.message.bytes')),
      timestampType: v('message.timestamp.type'),
      flushMessages: Number(v('flush.messages')),
      flushMs: Number(v('flush.ms')),
    };
  }

  /** Effective value of a topic config (override or broker default). */
  topicConfigValue(t: TopicMeta, name: string): string | null {
    return t.configs[name] ?? this.config.topicDefault(name);
  }

  openTopic(t: TopicMeta, only?: number): void {
    const cfg = this.logConfig(t);
    for (const p of t.partitions) {
      if (only !== undefined && p.partition !== only) continue;
      const k = ReplicaManager.key(t.name, p.partition);
      if (this.partitions.has(k)) continue;
      const log = PartitionLog.open(path.join(this.dataDir, k), cfg, this.cleanStart, (m) => this.logger.warn(m));
      this.partitions.set(k, { topic: t.name, partition: p.partition, log, leaderEpoch: p.leaderEpoch });
    }
  }

  reconfigure(t: TopicMeta): void {
    const cfg = this.logConfig(t);
    for (const p of t.partitions) {
      const part = this.partitions.get(ReplicaManager.key(t.name, p.partition));
      if (part) part.log.config = cfg;
    }
  }

  deleteTopic(t: TopicMeta): void {
    for (const p of t.partitions) {
      const k = ReplicaManager.key(t.name, p.partition);
      const part = this.partitions.get(k);
      if (part) { part.log.deleteAll(); this.partitions.delete(k); }
      this.wake(k);
    }
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(ReplicaManager.key(topic, partition));
  }

  all(): Partition[] { return [...this.partitions.values()]; }

  onAppend(fn: (p: Partition, r: AppendResult) => void): void { this.appendListeners.push(fn); }

  append(p: Partition, records: Buffer, opts: AppendOptions = {}): AppendResult {
    const r = p.log.append(records, { leaderEpoch: p.leaderEpoch, ...opts });
    // Single node: a write is committed once it is in the log (page cache, or
    // fsynced per flush.messages); replication will move this behind the ISR.
    p.log.highWatermark = p.log.logEndOffset;
    for (const l of this.appendListeners) l(p, r);
    this.wake(ReplicaManager.key(p.topic, p.partition));
    return r;
  }

  /** Resolves when any of `keys` gets new data, or after `ms`. */
  waitForData(keys: string[], ms: number, signal?: { cancelled: boolean }): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return; done = true;
        clearTimeout(timer);
        for (const k of keys) this.waiters.get(k)?.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      for (const k of keys) {
        let s = this.waiters.get(k);
        if (!s) { s = new Set(); this.waiters.set(k, s); }
        s.add(finish);
      }
      if (signal?.cancelled) finish();
    });
  }

  wake(key: string): void {
    const s = this.waiters.get(key);
    if (!s || s.size === 0) return;
    for (const w of [...s]) w();
  }

  wakeAll(): void { for (const k of [...this.waiters.keys()]) this.wake(k); }

  private tick(): void {
    const now = Date.now();
    for (const p of this.partitions.values()) {
      try { p.log.tick(now); } catch (e) { this.logger.error({ err: e, partition: `${p.topic}-${p.partition}` }, 'periodic flush/roll failed'); }
    }
  }

  /** Flushes and closes every log, then marks the shutdown clean. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.wakeAll();
    for (const p of this.partitions.values()) p.log.close();
    try { fs.writeFileSync(path.join(this.dataDir, CLEAN_SHUTDOWN), ''); } catch (e) { this.logger.error({ err: e }, 'could not write the clean-shutdown marker; the next start will run recovery'); }
  }
}
