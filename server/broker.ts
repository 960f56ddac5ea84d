// The broker: wires storage, metadata, coordinators and the socket server.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { SocketServer, type Handler } from './network/socket-server.ts';
import { MetadataStore } from './cluster/metadata-store.ts';
import { ReplicaManager, type Partition } from './replica-manager.ts';
import { TopicManager } from './topic-manager.ts';
import { loadBrokerConfig, type BrokerConfig } from './config.ts';
import { initCodecs } from './log/compression.ts';
import type { AppendResult } from './log/partition-log.ts';
import type { BatchInfo } from './log/record-batch.ts';
import * as data from './handlers/data.ts';
import * as admin from './handlers/admin.ts';
import * as acls from './handlers/acls.ts';
import { RetentionManager } from './log/retention-manager.ts';
import { LogCleaner } from './log/log-cleaner.ts';
import { installTransactions, type TransactionCoordinator } from './txn/transaction-coordinator.ts';
import { installGroups, type GroupCoordinator } from './consumer-groups/group-coordinator.ts';
import { installTiered, type RemoteLogManager } from './tiered/remote-log-manager.ts';
import { BrokerMetrics } from './metrics/broker-metrics.ts';
import { brokerMetricsSource } from './metrics/broker-source.ts';
import { AdminServer, parseAdminListeners } from './metrics/admin-server.ts';

/** Idempotent/transactional producer state (issue: exactly-once). */
export interface ProducerStateHooks {
  checkAppend(p: Partition, batches: BatchInfo[], transactionalId: string | null): { duplicate?: { baseOffset: bigint } } | null;
  onAppended(p: Partition, r: AppendResult): void;
  lastStableOffset(p: Partition): bigint;
  abortedTransactions(p: Partition, from: bigint, upTo: bigint): { producerId: bigint; firstOffset: bigint }[];
}

/** Tiered storage hooks (server/tiered/): the partition's log start may lie in remote storage. */
export interface TieredHooks {
  /** log start as clients see it: the remote start while remote data exists */
  logStartOffset(p: Partition): bigint;
  /** highest offset in remote storage, -1 if none */
  latestTieredOffset(p: Partition): bigint;
  /** a fetch at `offset` (below the local log start) reads remote storage */
  isRemoteOffset(p: Partition, offset: bigint): boolean;
  read(p: Partition, offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer>;
  abortedTransactions(p: Partition, from: bigint, upTo: bigint): { producerId: bigint; firstOffset: bigint }[];
  /** null when local data answers it */
  offsetForTimestamp(p: Partition, ts: bigint): Promise<{ offset: bigint; timestamp: bigint } | null> | null;
  advanceLogStart(p: Partition, offset: bigint): void;
  /** retention of this partition is applied by tiered storage (across remote and local) */
  ownsRetention(p: Partition): boolean;
}

export interface BrokerOptions {
  dataDir: string;
  host: string;
  port: number;
  config: BrokerConfig;
  logger?: Logger;
}

export class Broker {
  readonly dataDir: string;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly nodeId: number;
  readonly metadata: MetadataStore;
  readonly replicas: ReplicaManager;
  readonly topics: TopicManager;
  readonly handlers = new Map<number, Handler>();
  producers?: ProducerStateHooks;
  tiered?: TieredHooks;
  remoteLogManager?: RemoteLogManager;
  transactions?: TransactionCoordinator;
  groups?: GroupCoordinator;
  retention?: RetentionManager;
  cleaner?: LogCleaner;
  private server?: SocketServer;
  /** Prometheus metrics; present when an admin listener serves them */
  metrics?: BrokerMetrics;
  private admins: AdminServer[] = [];
  /** logs recovered, coordinators loaded, Kafka listener up (/ready) */
  ready = false;
  private stopHooks: (() => Promise<void> | void)[] = [];
  advertisedHost: string;
  advertisedPort = 0;
  closing = false;

  constructor(readonly o: BrokerOptions) {
    this.dataDir = path.resolve(o.dataDir);
    this.config = o.config;
    this.logger = o.logger ?? pino({ level: 'warn' });
    this.nodeId = this.config.int('node.id');
    this.metadata = new MetadataStore(this.dataDir, this.nodeId);
    this.replicas = new ReplicaManager(this.dataDir, this.config, this.metadata, this.logger);
    this.topics = new TopicManager(this.metadata, this.replicas, this.config);
    this.advertisedHost = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  }

  /** Registers an API handler; ApiVersions advertises exactly what is registered. */
  handle(key: number, h: Handler): void { this.handlers.set(key, h); }

  onStop(fn: () => Promise<void> | void): void { this.stopHooks.push(fn); }

  async start(): Promise<void> {
    await initCodecs();
    await this.startAdmin();
    this.metadata.load(this.config.get('cluster.id'));
    this.topics.loadBrokerConfigs(this.nodeId);
    await this.replicas.open();
    this.handle(0, data.produceHandler(this));
    this.handle(1, data.fetchHandler(this));
    this.handle(2, data.listOffsetsHandler(this));
    this.handle(3, admin.metadataHandler(this));
    this.handle(10, admin.findCoordinatorHandler(this));
    this.handle(19, admin.createTopicsHandler(this));
    this.handle(20, admin.deleteTopicsHandler(this));
    this.handle(21, data.deleteRecordsHandler(this));
    this.handle(23, data.offsetForLeaderEpochHandler(this));
    this.handle(29, acls.describeAclsHandler());
    this.handle(30, acls.createAclsHandler());
    this.handle(31, acls.deleteAclsHandler());
    this.handle(32, admin.describeConfigsHandler(this));
    this.handle(33, admin.alterConfigsHandler(this));
    this.handle(35, admin.describeLogDirsHandler(this));
    this.handle(37, admin.createPartitionsHandler(this));
    this.handle(44, admin.incrementalAlterConfigsHandler(this));
    this.handle(60, admin.describeClusterHandler(this));
    this.transactions = await installTransactions(this);
    this.groups = installGroups(this);
    if (this.metrics) { const m = this.metrics; this.groups.onRebalanceCompleted = () => m.onRebalanceCompleted(); this.transactions.onCompleted = (commit) => m.onTransactionCompleted(commit); }
    installTiered(this);
    this.retention = new RetentionManager(() => this.replicas.all().flatMap((p) => {
      const t = this.metadata.get(p.topic);
      if (!t) return [];
      const v = (n: string) => this.replicas.topicConfigValue(t, n) ?? '';
      return [{
        name: `${p.topic}-${p.partition}`, log: p.log,
        policy: { retentionMs: Number(v('retention.ms')), retentionBytes: Number(v('retention.bytes')), delete: v('cleanup.policy').includes('delete') && !this.tiered?.ownsRetention(p) },
        onDeleted: () => this.transactions?.producerState.trim(p),
      }];
    }), this.config.int('log.retention.check.interval.ms'), this.logger);
    this.retention.start();
    this.cleaner = new LogCleaner(() => this.replicas.all().flatMap((p) => {
      const t = this.metadata.get(p.topic);
      if (!t) return [];
      const v = (n: string) => this.replicas.topicConfigValue(t, n) ?? '';
      const aborted = (pid: bigint, offset: bigint) => (this.transactions?.producerState.state(p).aborted ?? []).some((a) => a.producerId === pid && a.firstOffset <= offset && offset <= a.lastOffset);
      return [{
        name: `${p.topic}-${p.partition}`, log: p.log, aborted,
        policy: { compact: v('cleanup.policy').includes('compact'), minCleanableDirtyRatio: Number(v('min.cleanable.dirty.ratio')), minCompactionLagMs: Number(v('min.compaction.lag.ms')), deleteRetentionMs: Number(v('delete.retention.ms')) },
      }];
    }), this.config.int('log.cleaner.backoff.ms'), this.logger);
    if (this.config.bool('log.cleaner.enable')) this.cleaner.start();
    this.onStop(() => this.cleaner?.stop());
    this.onStop(() => this.retention?.stop());
    for (const ext of extensions) await ext(this);
    // ApiVersions last: it lists what is registered.
    this.handle(18, admin.apiVersionsHandler(this));
    this.server = new SocketServer({
      host: this.o.host, port: this.o.port,
      maxRequestBytes: this.config.int('socket.request.max.bytes'),
      idleMs: this.config.int('connections.max.idle.ms'),
      logger: this.logger, handlers: this.handlers, observer: this.metrics,
    });
    const port = await this.server.listen();
    const adv = this.config.get('advertised.listeners');
    const m = adv ? /^[A-Z_]+:\/\/([^:]*):(\d+)/.exec(adv) : null;
    if (m) { this.advertisedHost = m[1] || this.advertisedHost; this.advertisedPort = Number(m[2]); } else this.advertisedPort = port;
    this.ready = true;
  }

  /** The admin HTTP port(s) (`admin.listeners`): up before recovery so /ready can say 503 meanwhile. */
  private async startAdmin(): Promise<void> {
    const listeners = this.config.get('admin.listeners');
    if (!listeners) return;
    const metrics = new BrokerMetrics(brokerMetricsSource({
      nodeId: this.nodeId, replicas: this.replicas, metadata: this.metadata,
      groups: () => this.groups, tiered: () => this.remoteLogManager, connections: () => this.server?.connections ?? { open: 0, created: 0 },
    }));
    this.metrics = metrics;
    this.replicas.onAppend((p, r) => { let bytes = 0; for (const x of r.batches) bytes += x.size; metrics.onAppend(p.topic, Number(r.lastOffset - r.baseOffset) + 1, bytes); });
    for (const l of parseAdminListeners(listeners)) {
      const a = new AdminServer({ ...l, metrics: () => ({ text: metrics.metrics(), contentType: metrics.contentType }), notReady: () => (this.ready ? null : this.closing ? 'shutting down' : 'recovering logs and loading coordinators') });
      this.admins.push(a);
      await a.listen();
    }
    this.onStop(async () => { for (const a of this.admins) await a.close(); });
  }

  /** Ports of the admin HTTP listeners, in `admin.listeners` order. */
  get adminPorts(): number[] { return this.admins.map((a) => a.port); }

  get port(): number { return this.server?.port ?? 0; }

  /** acks=all on one node: the write is in the log (OS page cache), fsynced per flush.messages/flush.ms. */
  flushIfRequired(): void { /* replication will wait for the ISR here */ }

  diskStats(): { total: number; free: number } {
    const s = fs.statfsSync(this.dataDir);
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  }

  async stop(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.ready = false;
    this.replicas.wakeAll();
    await this.server?.close();
    for (const h of this.stopHooks.reverse()) {
      try { await h(); } catch (e) { this.logger.error({ err: e }, 'shutdown hook failed'); }
    }
    this.replicas.close();
  }
}

/** Features (groups, transactions, tiering) register themselves here. */
type Extension = (b: Broker) => void | Promise<void>;
const extensions: Extension[] = [];
export function registerExtension(e: Extension): void { extensions.push(e); }

export async function startBroker(opts: { dataDir: string; host?: string; port?: number; config?: Record<string, string>; logger?: Logger }): Promise<Broker> {
  const { config } = loadBrokerConfig(Object.entries(opts.config ?? {}));
  const b = new Broker({ dataDir: opts.dataDir, host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, config, logger: opts.logger });
  await b.start();
  return b;
}
