// The broker: builds storage, metadata, coordinators and the socket server, and
// registers each API's handler. Features get what they use (a narrow context or
// their deps) from here; nothing imports the Broker back.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { SocketServer } from './network/socket-server.ts';
import { ApiHandlers, type Handler } from './network/api-handlers.ts';
import { ApiVersions } from './protocol/apis/index.ts';
import { MetadataStore } from './cluster/metadata-store.ts';
import type { ClusterView } from './cluster/cluster-view.ts';
import { LocalClusterView } from './cluster/local-cluster-view.ts';
import { PostgresClusterView } from './cluster/postgres-cluster-view.ts';
import { ReplicaManager } from './replica-manager.ts';
import { TopicManager } from './topic-manager.ts';
import { ConfigError, loadBrokerConfig, type BrokerConfig } from './config.ts';
import { initCodecs } from './log/compression.ts';
import { registerDataHandlers, type DataPathContext } from './handlers/data.ts';
import { selectReadReplica } from './replica-selector.ts';
import { FetchSessionCache } from './handlers/fetch-sessions.ts';
import { apiVersionsHandler, registerAdminHandlers, type AdminContext } from './handlers/admin.ts';
import { registerAclHandlers } from './handlers/acls.ts';
import { registerSecurityHandlers } from './handlers/security.ts';
import { interBrokerSecurity } from './replication/inter-broker-client.ts';
import { TAIL_CACHE_BUDGET } from './log/tail-cache.ts';
import { advertisableHost, listenerConfig, type Endpoint, type ListenerConfig } from './security/listeners.ts';
import { listenerGet, tlsSettings } from './security/tls.ts';
import { saslSettings } from './security/sasl.ts';
import { mapDistinguishedName, parseMappingRules } from './security/principal.ts';
import { Authorizer, parseSuperUsers } from './security/authorizer.ts';
import { authorizingHandler } from './security/request-authorization.ts';
import { AclOperation, ResourceType } from './security/acl.ts';
import { ClusterSecurityStore, FileSecurityStore } from './security/security-store.ts';
import { RetentionManager } from './log/retention-manager.ts';
import { LogCleaner } from './log/log-cleaner.ts';
import { TransactionCoordinator } from './txn/transaction-coordinator.ts';
import { GroupCoordinator } from './consumer-groups/group-coordinator.ts';
import { createRemoteLogManager, type RemoteLogManager } from './tiered/remote-log-manager.ts';
import { BrokerMetrics } from './metrics/broker-metrics.ts';
import { brokerMetricsSource } from './metrics/broker-source.ts';
import { AdminServer, parseAdminListeners } from './metrics/admin-server.ts';
import { AuthFailureLimiter } from './security/auth-failure-limiter.ts';

export interface BrokerOptions {
  dataDir: string;
  /** the first listener's host and port (--host, --kafka-port); with `listeners` set, only when given */
  host?: string;
  port?: number;
  config: BrokerConfig;
  logger?: Logger;
}

export class Broker {
  readonly dataDir: string;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly nodeId: number;
  readonly metadata: MetadataStore;
  /** who is in the cluster and who leads which partition (a single node: this broker, everything) */
  readonly cluster: ClusterView;
  /** the cluster's store (metadata.store.url); null on a single node */
  readonly clusterStore: PostgresClusterView | null;
  readonly replicas: ReplicaManager;
  readonly topics: TopicManager;
  readonly handlers = new ApiHandlers();
  readonly transactions: TransactionCoordinator;
  readonly groups: GroupCoordinator;
  /** tiered storage, when remote.log.storage.system.enable=true */
  readonly remoteLogManager: RemoteLogManager | null;
  readonly retention: RetentionManager;
  readonly cleaner: LogCleaner;
  /** one socket server per listener, in `listeners` order */
  private servers: SocketServer[] = [];
  private jwks: { stop(): void }[] = [];
  private listeners?: ListenerConfig;
  /** ACLs and SCRAM credentials: a file under the data dir for one node, the metadata store's for a cluster */
  readonly securityStore: FileSecurityStore | ClusterSecurityStore;
  /** the ACL authorizer when authorizer.class.name is set */
  authorizer: Authorizer | null = null;
  /** Prometheus metrics; present when an admin listener serves them */
  metrics?: BrokerMetrics;
  /** KIP-227 incremental fetch sessions (max.incremental.fetch.session.cache.slots) */
  readonly fetchSessions: FetchSessionCache;
  private admins: AdminServer[] = [];
  /** logs recovered, coordinators loaded, Kafka listener up (/ready) */
  ready = false;
  advertisedHost: string;
  advertisedPort = 0;
  closing = false;

  constructor(readonly o: BrokerOptions) {
    this.dataDir = path.resolve(o.dataDir);
    this.config = o.config;
    this.logger = o.logger ?? pino({ level: 'warn' });
    this.nodeId = this.config.int('node.id');
    const storeUrl = this.config.get('metadata.store.url');
    this.metadata = new MetadataStore(this.dataDir, this.nodeId, !storeUrl);
    this.replicas = new ReplicaManager(this.dataDir, this.config, this.metadata, this.logger);
    this.fetchSessions = new FetchSessionCache(this.config.int('max.incremental.fetch.session.cache.slots'));
    if (storeUrl) {
      const store = new PostgresClusterView({
        url: storeUrl, nodeId: this.nodeId, metadata: this.metadata, config: this.config, logger: this.logger,
        onChanges: (c) => this.topics.applyStoreChanges(c),
      });
      this.clusterStore = store;
      this.cluster = store;
      this.topics = new TopicManager(this.metadata, this.replicas, this.config, {}, store);
    } else {
      const local = new LocalClusterView(this.metadata, () => ({ host: this.advertisedHost, port: this.advertisedPort, rack: this.config.get('broker.rack') }));
      this.clusterStore = null;
      this.cluster = local;
      this.topics = new TopicManager(this.metadata, this.replicas, this.config, { created: (t) => local.topicChanged(t), grown: (t, from) => local.topicChanged(t, from) });
    }
    this.replicas.cluster = this.cluster;
    this.advertisedHost = advertisableHost(o.host ?? '127.0.0.1');
    if (this.clusterStore) {
      const security = new ClusterSecurityStore(this.clusterStore);
      this.clusterStore.onSecurity = (acls, scram) => security.replace(acls, scram);
      this.securityStore = security;
    } else {
      this.securityStore = new FileSecurityStore(this.dataDir);
    }
    const core = { dataDir: this.dataDir, config: this.config, logger: this.logger, metadata: this.metadata, topics: this.topics, replicas: this.replicas };
    this.transactions = new TransactionCoordinator(core);
    this.groups = new GroupCoordinator(core);
    this.transactions.offsetSink = this.groups;
    this.remoteLogManager = createRemoteLogManager(this.config, { metadata: this.metadata, replicas: this.replicas, isClosing: () => this.closing, manifests: this.clusterStore }, this.logger.child({ component: 'tiered' }));
    this.retention = new RetentionManager(() => this.replicas.all().flatMap((p) => {
      const t = this.metadata.get(p.topic);
      if (!t) return [];
      const v = (n: string) => this.replicas.topicConfigValue(t, n) ?? '';
      return [{
        name: p.key, log: p.log,
        policy: { retentionMs: Number(v('retention.ms')), retentionBytes: Number(v('retention.bytes')), delete: v('cleanup.policy').includes('delete') && !p.retentionIsRemote },
        onDeleted: () => p.onLogStartAdvanced(),
      }];
    }), this.config.int('log.retention.check.interval.ms'), this.logger);
    this.cleaner = new LogCleaner(() => this.replicas.all().flatMap((p) => {
      const t = this.metadata.get(p.topic);
      if (!t) return [];
      const v = (n: string) => this.replicas.topicConfigValue(t, n) ?? '';
      const aborted = (pid: bigint, offset: bigint) => this.replicas.producerState.state(p).aborted.some((a) => a.producerId === pid && a.firstOffset <= offset && offset <= a.lastOffset);
      return [{
        name: p.key, log: p.log, aborted,
        policy: { compact: v('cleanup.policy').includes('compact'), minCleanableDirtyRatio: Number(v('min.cleanable.dirty.ratio')), minCompactionLagMs: Number(v('min.compaction.lag.ms')), deleteRetentionMs: Number(v('delete.retention.ms')) },
      }];
    }), this.config.int('log.cleaner.backoff.ms'), this.logger);
  }

  async start(): Promise<void> {
    try {
      await this.startAll();
    } catch (e) {
      // A listener that cannot bind: stop what started, so the process (or test) can exit.
      await this.stop().catch(() => undefined);
      throw e;
    }
  }

  private async startAll(): Promise<void> {
    await initCodecs();
    TAIL_CACHE_BUDGET.maxBytes = Number(this.config.get('log.tail.cache.bytes'));
    let lc: ListenerConfig;
    try { lc = listenerConfig((n) => this.config.get(n), { host: this.o.host, port: this.o.port }); } catch (e) { throw new ConfigError((e as Error).message); }
    this.listeners = lc;
    // Failed authentications are counted per address across every listener.
    const authFailures = new AuthFailureLimiter({
      limit: this.config.int('connection.failed.authentication.max.per.ip'),
      windowMs: this.config.int('connection.failed.authentication.window.ms'),
      baseDelayMs: this.config.int('connection.failed.authentication.delay.ms'),
      maxDelayMs: this.config.int('connection.failed.authentication.max.delay.ms'),
    });
    // Every listener's TLS and SASL settings are checked before anything starts.
    const listenerOptions = lc.listeners.map((l) => {
      const get = listenerGet((n) => this.config.get(n), l.name);
      try {
        const rules = parseMappingRules(get('ssl.principal.mapping.rules'));
        const tls = l.protocol === 'SSL' || l.protocol === 'SASL_SSL' ? tlsSettings(get, l.name) : undefined;
        tls?.options();
        return {
          host: l.host, port: l.port, listenerName: l.name, protocol: l.protocol, tls,
          sasl: l.protocol === 'SASL_PLAINTEXT' || l.protocol === 'SASL_SSL' ? saslSettings((n) => this.config.get(n), l.name, this.securityStore) : undefined,
          principalOf: (dn: string) => mapDistinguishedName(dn, rules),
          failedAuthDelayMs: this.config.int('connection.failed.authentication.delay.ms'),
          authFailures,
          saslMaxReceiveBytes: this.config.int('sasl.server.max.receive.size'),
        };
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
    });
    if (this.clusterStore) {
      // Followers fetch over inter.broker.listener.name with its security (issue 17); checked before anything starts.
      const inter = lc.listeners.find((l) => l.name === lc.interBrokerListener)!;
      try { this.replicas.interBroker = interBrokerSecurity((n) => this.config.get(n), inter); } catch (e) { throw new ConfigError((e as Error).message); }
    }
    // OAUTHBEARER listeners need their JWKS before they accept a token.
    for (const o of listenerOptions) {
      const oauth = o.sasl?.oauth;
      if (!oauth) continue;
      this.jwks.push(oauth.jwks);
      try { await oauth.jwks.start(); } catch (e) { throw new ConfigError(`sasl.oauthbearer.jwks.endpoint.url of listener ${o.listenerName}: ${(e as Error).message}`); }
    }
    await this.startAdmin();
    if (this.clusterStore) await this.clusterStore.load(this.config.get('cluster.id'));
    else this.metadata.load(this.config.get('cluster.id'));
    this.topics.loadBrokerConfigs(this.nodeId);
    await this.replicas.open();
    const data: DataPathContext = { logger: this.logger, replicas: this.replicas, topics: this.topics, metadata: this.metadata, isClosing: () => this.closing, fetchSessions: this.fetchSessions,
      checksAcls: () => this.authorizer !== null, mayRead: (ctx, topic) => !this.authorizer || this.authorizer.authorize(ctx.session, AclOperation.READ, ResourceType.TOPIC, topic),
      readReplica: (p, rack, fetchOffset) => selectReadReplica(this.config.get('replica.selector.class') ?? '', p, rack, fetchOffset, () => this.cluster.brokers()),
      followersServeConsumers: () => !!this.config.get('replica.selector.class') };
    const admin: AdminContext = {
      nodeId: this.nodeId, config: this.config, logger: this.logger, metadata: this.metadata, topics: this.topics, replicas: this.replicas, cluster: this.cluster, control: this.clusterStore,
      dataDir: this.dataDir, endpoint: (listener) => this.endpoint(listener), diskStats: () => this.diskStats(),
    };
    registerDataHandlers(this.handlers, data);
    registerAdminHandlers(this.handlers, admin);
    if (this.config.get('authorizer.class.name')) {
      this.authorizer = new Authorizer(this.securityStore, parseSuperUsers(this.config.get('super.users')), this.config.bool('allow.everyone.if.no.acl.found'), this.logger.child({ component: 'authorizer' }));
    }
    registerAclHandlers(this.handlers, this.authorizer);
    registerSecurityHandlers(this.handlers, { authorizer: this.authorizer, scram: this.securityStore, mechanisms: (this.config.get('sasl.enabled.mechanisms') ?? '').split(',').map((m) => m.trim()).filter(Boolean) });
    this.transactions.start();
    this.transactions.register(this.handlers);
    this.groups.start();
    this.groups.register(this.handlers);
    if (this.metrics) { const m = this.metrics; this.groups.onRebalanceCompleted = () => m.onRebalanceCompleted(); this.transactions.onCompleted = (commit) => m.onTransactionCompleted(commit); }
    if (this.remoteLogManager) {
      this.replicas.attachRemoteLog(this.remoteLogManager);
      await this.remoteLogManager.loadManifests();
      this.remoteLogManager.start();
      this.logger.info({ storage: this.remoteLogManager.storage.describe }, 'tiered storage enabled');
    }
    this.retention.start();
    if (this.config.bool('log.cleaner.enable')) this.cleaner.start();
    this.handlers.handle(ApiVersions, apiVersionsHandler(this.handlers));
    const store = this.clusterStore;
    if (store) this.handlers.wrap((key, h) => { const topicsOf = COORDINATOR_TOPICS.get(key); return topicsOf ? refreshingForUnknownTopics(h, topicsOf, this.metadata, store) : h; });
    const az = this.authorizer;
    if (az) {
      const lookup = { nameOf: (id: string) => this.metadata.getById(id)?.name, exists: (name: string) => !!this.metadata.get(name) };
      this.handlers.wrap((key, h) => authorizingHandler(key, h, az, lookup));
    }
    for (const o of listenerOptions) {
      const server = new SocketServer({
        ...o,
        maxRequestBytes: this.config.int('socket.request.max.bytes'),
        idleMs: this.config.int('connections.max.idle.ms'),
        logger: this.logger, handlers: this.handlers, observer: this.metrics,
      });
      this.servers.push(server);
      await server.listen();
    }
    const first = this.endpoint(lc.listeners[0].name);
    this.advertisedHost = first.host; this.advertisedPort = first.port;
    // Registered once clients can reach it: only then may the controller make it a leader.
    const endpoints = Object.fromEntries(this.boundListeners.map((l) => [l.name, this.endpoint(l.name)]));
    await this.clusterStore?.register({ host: this.advertisedHost, port: this.advertisedPort, rack: this.config.get('broker.rack'), endpoints });
    this.ready = true;
  }

  /** What Metadata answers a client of `listener` (the first listener when not named). */
  endpoint(listener?: string): Endpoint {
    const lc = this.listeners;
    const name = listener ?? lc?.listeners[0].name ?? 'PLAINTEXT';
    const i = lc?.listeners.findIndex((l) => l.name === name) ?? -1;
    const adv = lc?.advertised.get(name);
    if (adv) return { host: adv.host || advertisableHost(lc!.listeners[i].host), port: adv.port };
    if (i < 0) return { host: this.advertisedHost, port: this.advertisedPort };
    return { host: advertisableHost(lc!.listeners[i].host), port: this.servers[i]?.port ?? lc!.listeners[i].port };
  }

  /** The bound port of a listener by name. */
  listenerPort(name: string): number {
    const i = this.listeners?.listeners.findIndex((l) => l.name === name.toUpperCase()) ?? -1;
    return i < 0 ? 0 : this.servers[i]?.port ?? 0;
  }

  /** Listeners as bound: name, protocol, host, port. */
  get boundListeners(): { name: string; protocol: string; host: string; port: number }[] {
    return (this.listeners?.listeners ?? []).map((l, i) => ({ name: l.name, protocol: l.protocol, host: l.host, port: this.servers[i]?.port ?? l.port }));
  }

  /** The admin HTTP port(s) (`admin.listeners`): up before recovery so /ready can say 503 meanwhile. */
  private async startAdmin(): Promise<void> {
    const listeners = this.config.get('admin.listeners');
    if (!listeners) return;
    const store = this.clusterStore;
    const metrics = new BrokerMetrics(brokerMetricsSource({
      nodeId: this.nodeId, replicas: this.replicas, metadata: this.metadata,
      groups: () => this.groups, tiered: () => this.remoteLogManager ?? undefined, ongoingTransactions: () => this.transactions.ongoingCount(), fetchSessions: this.fetchSessions, connections: () => this.servers.reduce((a, s) => ({ open: a.open + s.connections.open, created: a.created + s.connections.created }), { open: 0, created: 0 }),
      cluster: store ? { storeStatus: () => store.storeStatus, isController: () => store.controllerEpochHeld >= 0 } : undefined,
    }));
    this.metrics = metrics;
    this.replicas.onAppend((p, r) => { let bytes = 0; for (const x of r.batches) bytes += x.size; metrics.onAppend(p.topic, Number(r.lastOffset - r.baseOffset) + 1, bytes); });
    for (const l of parseAdminListeners(listeners)) {
      const a = new AdminServer({ ...l, metrics: () => ({ text: metrics.metrics(), contentType: metrics.contentType }), notReady: () => (this.ready ? null : this.closing ? 'shutting down' : 'recovering logs and loading coordinators'), metadataStore: store ? () => store.storeStatus : undefined });
      this.admins.push(a);
      await a.listen();
    }
  }

  /** Ports of the admin HTTP listeners, in `admin.listeners` order. */
  get adminPorts(): number[] { return this.admins.map((a) => a.port); }

  /** connections over every listener: open now, accepted since start, re-authenticated (KIP-368) since start */
  connectionStats(): { open: number; created: number; reauthentications: number } {
    return this.servers.reduce((a, s) => ({ open: a.open + s.connections.open, created: a.created + s.connections.created, reauthentications: a.reauthentications + s.reauthentications }), { open: 0, created: 0, reauthentications: 0 });
  }

  /** the first listener's bound port */
  get port(): number { return this.servers[0]?.port ?? 0; }

  diskStats(): { total: number; free: number } {
    const s = fs.statfsSync(this.dataDir);
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  }

  async stop(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Leadership moves to other replicas while this broker still serves (clients see no error on a rolling restart).
    if (this.clusterStore && this.config.bool('controlled.shutdown.enable')) await this.clusterStore.controlledShutdown(Math.max(5000, this.config.int('broker.session.timeout.ms') * 2));
    this.ready = false;
    this.replicas.wakeAll();
    for (const s of this.servers) await s.close();
    for (const j of this.jwks) j.stop();
    // Reverse order of start; the replica manager snapshots producer state and closes the logs last.
    const stops: [string, () => unknown][] = [
      ['log cleaner', () => this.cleaner.stop()],
      ['retention', () => this.retention.stop()],
      ['tiered storage', () => this.remoteLogManager?.stop()],
      ['group coordinator', () => this.groups.stop()],
      ['transaction coordinator', () => this.transactions.stop()],
      ['admin listeners', async () => { for (const a of this.admins) await a.close(); }],
      ['metadata store', () => this.clusterStore?.close()],
    ];
    for (const [what, stop] of stops) {
      try { await stop(); } catch (e) { this.logger.error({ err: e }, `stopping the ${what} failed`); }
    }
    this.replicas.close();
  }
}

export async function startBroker(opts: { dataDir: string; host?: string; port?: number; config?: Record<string, string>; logger?: Logger }): Promise<Broker> {
  const { config } = loadBrokerConfig(Object.entries(opts.config ?? {}));
  const b = new Broker({ dataDir: opts.dataDir, host: opts.host, port: opts.port ?? (opts.config?.listeners ? undefined : 0), config, logger: opts.logger });
  await b.start();
  return b;
}

type NamedPartitions = { name: string; partitions: number[] }[];
type CommitRequest = { topics?: { name: string; partitions?: { partitionIndex: number }[] }[] | null };
type AddPartitionsRequest = { v3AndBelowTopics?: { name: string; partitions?: number[] }[] | null; transactions?: { topics?: { name: string; partitions?: number[] }[] }[] | null };
const commitTopics = (r: unknown): NamedPartitions => ((r as CommitRequest).topics ?? []).map((t) => ({ name: t.name, partitions: (t.partitions ?? []).map((p) => p.partitionIndex) }));
/**
 * The topics of the requests whose topics must be known to a coordinator: OffsetCommit (8),
 * TxnOffsetCommit (28), AddPartitionsToTxn (24; v3 and below one transaction, v4+ a batch).
 */
const COORDINATOR_TOPICS = new Map<number, (req: unknown) => NamedPartitions>([
  [8, commitTopics],
  [28, commitTopics],
  [24, (req) => {
    const r = req as AddPartitionsRequest;
    return [...(r.v3AndBelowTopics ?? []), ...(r.transactions ?? []).flatMap((tx) => tx.topics ?? [])].map((t) => ({ name: t.name, partitions: t.partitions ?? [] }));
  }],
]);

/**
 * In a cluster a topic created through another broker reaches this one's metadata by the
 * store's notification, a moment later. A commit, or a partition added to a transaction,
 * naming a topic (or partition) this broker does not know yet re-reads the store once
 * before it is answered, so a client right after CreateTopics is not told
 * UNKNOWN_TOPIC_OR_PARTITION (librdkafka does not retry that for a commit; librdkafka's
 * 0099 test hit it).
 */
function refreshingForUnknownTopics(h: Handler, topicsOf: (req: unknown) => NamedPartitions, metadata: MetadataStore, store: PostgresClusterView): Handler {
  return (ctx, req) => {
    const unknown = topicsOf(req).some((t) => {
      const known = metadata.get(t.name);
      return !known || t.partitions.some((p) => p >= known.partitions.length);
    });
    if (!unknown) return h(ctx, req);
    return store.refresh().catch(() => undefined).then(() => h(ctx, req));
  };
}
