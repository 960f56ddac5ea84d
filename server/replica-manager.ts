// Owns the partitions of this broker: opening and recovering their logs, appends,
// waking long-polling fetches, periodic flush/roll, the producer state of each log
// and, when tiered storage is on, its remote part. Handlers ask a Partition.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PartitionLog, type LogConfig, type AppendResult, type AppendOptions } from './log/partition-log.ts';
import type { BatchInfo } from './log/record-batch.ts';
import type { BrokerConfig } from './config.ts';
import type { MetadataStore, TopicMeta } from './cluster/metadata-store.ts';
import type { ClusterView } from './cluster/cluster-view.ts';
import { ProducerStateManager } from './txn/producer-state.ts';
import { Partition, type PartitionServices, type RemoteLog } from './partition.ts';

export { Partition } from './partition.ts';

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';

type Waiter = () => void;

export class ReplicaManager {
  private partitions = new Map<string, Partition>();
  private waiters = new Map<string, Set<Waiter>>();
  private appendListeners: ((p: Partition, r: AppendResult) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private cleanStart = false;
  /** idempotent and transactional producer state of every partition (Kafka keeps it with the log) */
  readonly producerState = new ProducerStateManager();
  private readonly services: PartitionServices;
  /** who leads which partition (server/cluster/); set by the broker before open() */
  cluster!: ClusterView;

  constructor(
    readonly dataDir: string,
    readonly config: BrokerConfig,
    readonly metadata: MetadataStore,
    readonly logger: Logger,
  ) {
    this.services = { brokerId: metadata.nodeId, producerState: this.producerState, remote: null };
  }

  static key(topic: string, partition: number): string { return `${topic}-${partition}`; }

  /** Tiered storage: data below each partition's local log start lives there. */
  attachRemoteLog(remote: RemoteLog): void {
    if (this.services.remote) throw new Error('remote storage is already attached');
    this.services.remote = remote;
  }

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
    for (const t of this.metadata.list()) {
      const cfg = this.logConfig(t);
      for (const p of t.partitions) { this.openPartition(t, p, cfg); await new Promise(setImmediate); }
    }
    // Producer state must be loaded before the first fetch computes an LSO.
    for (const p of this.partitions.values()) { this.producerState.state(p); await new Promise(setImmediate); }
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

  openTopic(t: TopicMeta): void {
    const cfg = this.logConfig(t);
    for (const p of t.partitions) this.openPartition(t, p, cfg);
  }

  private openPartition(t: TopicMeta, p: TopicMeta['partitions'][number], cfg: LogConfig): void {
    const k = ReplicaManager.key(t.name, p.partition);
    if (this.partitions.has(k)) return;
    const log = PartitionLog.open(path.join(this.dataDir, k), cfg, this.cleanStart, (m) => this.logger.warn(m));
    this.partitions.set(k, new Partition(t.name, p.partition, log, p.leaderEpoch, this.services, { leader: p.leader, replicas: p.replicas, isr: p.isr }));
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
      if (part) { part.log.deleteAll(); this.producerState.forget(part); this.partitions.delete(k); }
      this.wake(k);
    }
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(ReplicaManager.key(topic, partition));
  }

  all(): Partition[] { return [...this.partitions.values()]; }

  onAppend(fn: (p: Partition, r: AppendResult) => void): void { this.appendListeners.push(fn); }

  /**
   * A produce request's batches, after the producer checks (a retried batch answers
   * with the offsets it was first written at).
   */
  appendRecordsAsLeader(p: Partition, records: Buffer, batches: BatchInfo[]): AppendResult | { duplicate: { baseOffset: bigint } } {
    const check = p.checkProducerAppend(batches);
    if (check?.duplicate) return { duplicate: check.duplicate };
    return this.append(p, records, { validated: batches });
  }

  append(p: Partition, records: Buffer, opts: AppendOptions = {}): AppendResult {
    const r = p.appendToLocalLog(records, opts);
    // The write is committed once every in-sync replica has it: on one node, now
    // (in the page cache, or fsynced per flush.messages/flush.ms).
    p.maybeIncrementHighWatermark();
    for (const l of this.appendListeners) l(p, r);
    this.wake(p.key);
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
      try { p.log.tick(now); } catch (e) { this.logger.error({ err: e, partition: p.key }, 'periodic flush/roll failed'); }
    }
  }

  /** Snapshots producer state, flushes and closes every log, then marks the shutdown clean. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.wakeAll();
    this.producerState.snapshotAll();
    for (const p of this.partitions.values()) p.log.close();
    try { fs.writeFileSync(path.join(this.dataDir, CLEAN_SHUTDOWN), ''); } catch (e) { this.logger.error({ err: e }, 'could not write the clean-shutdown marker; the next start will run recovery'); }
  }
}
