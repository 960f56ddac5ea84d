// The cluster's control plane on PostgreSQL (`metadata.store.url`). Brokers sharing
// one database form one cluster. The store holds the cluster id, topics, partition
// states, dynamic broker configs and broker registrations; every broker keeps all of
// it in memory (the MetadataStore cache) so reads stay synchronous, refreshed on
// LISTEN/NOTIFY and by polling. Liveness: a registration lease renewed by heartbeat,
// plus a session advisory lock per broker that Postgres drops the moment the
// broker's connection dies (a kill -9 is seen at once, not after the lease).
// One broker at a time holds the controller lock and decides leadership; each of
// its writes is a compare-and-set on the partition epoch and its controller epoch,
// so a stale controller or a stale leader cannot overwrite a newer decision.
import pg from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { KafkaError } from '../errors.ts';
import type { BrokerConfig } from '../config.ts';
import type { BrokerInfo, ClusterView, PartitionListener, PartitionState } from './cluster-view.ts';
import type { MetadataStore, PartitionMeta, TopicMeta } from './metadata-store.ts';
import { partitionStateOf } from './local-cluster-view.ts';
import { placeReplicas, checkAssignment } from './placement.ts';
import type { AclBinding } from '../security/acl.ts';
import type { ScramMechanism } from '../security/scram.ts';
import type { SecurityBackend, StoredScram } from '../security/security-store.ts';
import type { RemoteLogMetadataStore } from '../tiered/remote-log-manifest.ts';
import { electOnBrokerChange, electPreferred, startReassignment, cancelReassignment, finishReassignment, settledFirst, type Decision } from './elections.ts';

/** Advisory lock keys (two-int form): class, then 0 = controller, 1 = schema, 1000+id = a broker's session. */
const LOCK_CLASS = 0x7472;
const LOCK_CONTROLLER = 0;
const LOCK_SCHEMA = 1;
const LOCK_BROKER_BASE = 1000;
const CHANNEL = 'tributary_metadata';
/**
 * A broker up for less than this (restarted moments ago) is elected leader after a failure
 * only when no settled in-sync replica is left: librdkafka's reconnect.backoff.max.ms
 * default, the longest its clients may wait before they try that broker again.
 */
const RESTART_SETTLE_MS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tributary_cluster (
  id int PRIMARY KEY CHECK (id = 1), cluster_id text NOT NULL,
  controller_id int NOT NULL DEFAULT -1, controller_epoch int NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tributary_brokers (
  node_id int PRIMARY KEY, incarnation int NOT NULL, host text NOT NULL, port int NOT NULL, rack text,
  lease_until timestamptz NOT NULL, shutting_down boolean NOT NULL DEFAULT false, registered_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS tributary_topics (
  name text PRIMARY KEY, id text NOT NULL UNIQUE, internal boolean NOT NULL, configs jsonb NOT NULL, created_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS tributary_partitions (
  topic text NOT NULL REFERENCES tributary_topics(name) ON DELETE CASCADE, partition int NOT NULL,
  leader int NOT NULL, leader_epoch int NOT NULL, partition_epoch int NOT NULL,
  replicas int[] NOT NULL, isr int[] NOT NULL, adding int[] NOT NULL DEFAULT '{}', removing int[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (topic, partition));
CREATE TABLE IF NOT EXISTS tributary_broker_configs (resource text PRIMARY KEY, configs jsonb NOT NULL);
ALTER TABLE tributary_brokers ADD COLUMN IF NOT EXISTS endpoints jsonb NOT NULL DEFAULT '{}';
CREATE TABLE IF NOT EXISTS tributary_acls (
  resource_type int NOT NULL, resource_name text NOT NULL, pattern_type int NOT NULL, principal text NOT NULL, host text NOT NULL,
  operation int NOT NULL, permission_type int NOT NULL,
  PRIMARY KEY (resource_type, resource_name, pattern_type, principal, host, operation, permission_type));
CREATE TABLE IF NOT EXISTS tributary_scram_credentials (
  username text NOT NULL, mechanism text NOT NULL, salt text NOT NULL, stored_key text NOT NULL, server_key text NOT NULL, iterations int NOT NULL,
  PRIMARY KEY (username, mechanism));
CREATE TABLE IF NOT EXISTS tributary_remote_log_manifests (
  topic_id text NOT NULL, partition int NOT NULL, leader_epoch int NOT NULL, manifest jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic_id, partition));
`;

/** Control-plane writes the topic manager asks for (any broker may make them; the store serializes). */
export interface ClusterControl {
  createTopic(r: { name: string; partitions: number; replicationFactor: number; assignments?: number[][]; configs: Record<string, string>; internal: boolean }): Promise<TopicMeta>;
  deleteTopic(name: string): Promise<void>;
  createPartitions(name: string, total: number, assignments?: number[][]): Promise<void>;
  setTopicConfigs(name: string, configs: Record<string, string>): Promise<void>;
  setBrokerConfigs(resource: string, configs: Record<string, string>): Promise<void>;
  /** brokers with a live lease and not shutting down */
  aliveBrokers(): BrokerInfo[];
  /** ElectLeaders: 0 preferred, 1 unclean; null partitions = all (then only elections that happen or fail are listed) */
  electLeaders(type: number, partitions: { topic: string; partition: number }[] | null): Promise<PartitionResult[]>;
  /** AlterPartitionReassignments: replicas null cancels */
  alterReassignments(reqs: { topic: string; partition: number; replicas: number[] | null }[]): Promise<PartitionResult[]>;
  /** ListPartitionReassignments: partitions with replicas being added or removed */
  listReassignments(filter: { topic: string; partitions: number[] }[] | null): PartitionState[];
}

export interface PartitionResult { topic: string; partition: number; error: KafkaError | null }

/** What the broker does when the store's topics change (opening, deleting, reconfiguring local logs). */
export interface StoreChanges {
  created: TopicMeta[];
  grown: { topic: TopicMeta; from: number }[];
  deleted: TopicMeta[];
  reconfigured: TopicMeta[];
  brokerConfigsChanged: boolean;
}

interface BrokerRow extends BrokerInfo { incarnation: number; leaseOk: boolean; shuttingDown: boolean; lockHeld: boolean; /** when its current incarnation registered, on this broker's clock */ upSince: number }

export interface PostgresClusterOptions {
  url: string;
  nodeId: number;
  metadata: MetadataStore;
  config: BrokerConfig;
  logger: Logger;
  onChanges: (c: StoreChanges) => void;
}

/** The store's ACLs and SCRAM credentials, handed to the broker's security cache on every refresh. */
export type SecurityListener = (acls: AclBinding[], scram: { user: string; mechanism: ScramMechanism; credential: StoredScram }[]) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PostgresClusterView implements ClusterView, ClusterControl, SecurityBackend, RemoteLogMetadataStore {
  readonly nodeId: number;
  private readonly pool: pg.Pool;
  /** LISTEN and the session locks (this broker's, the controller's) live on this one connection */
  private session: pg.Client | null = null;
  private readonly metadata: MetadataStore;
  private readonly log: Logger;
  private readonly listeners = new Set<PartitionListener>();
  private brokerRows = new Map<number, BrokerRow>();
  private controller = -1;
  private incarnation = -1;
  private endpoint: { host: string; port: number; rack: string | null; endpoints?: Record<string, { host: string; port: number }> } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** store reachable at the last attempt (an outage is logged once, and its end) */
  private storeUp = true;
  /** when the store came back after an outage (no broker could renew its lease meanwhile) */
  private storeBackAt = 0;
  /** when this outage's first failed attempt was seen (ms since epoch); null while reachable */
  private storeDownSince: number | null = null;
  // controller state
  private isController = false;
  private controllerEpoch = -1;
  private controllerSince = 0;
  private controllerBusy = false;
  private seenIncarnation = new Map<number, number>();
  private lockMissingSince = new Map<number, number>();
  private lastRebalance = Date.now();
  private sessionReconnecting = false;
  private fenced = false;
  /** the broker's ACL/SCRAM cache, filled on every refresh */
  onSecurity: SecurityListener | null = null;

  constructor(private readonly o: PostgresClusterOptions) {
    this.nodeId = o.nodeId;
    this.metadata = o.metadata;
    this.log = o.logger.child({ component: 'cluster' });
    this.pool = new pg.Pool({ connectionString: o.url, max: 4, connectionTimeoutMillis: 5000, keepAlive: true, idleTimeoutMillis: 30000 });
    this.pool.on('error', (e) => this.log.debug({ err: e }, 'idle metadata store connection failed'));
    // Admin requests while the store is unreachable answer a retriable Kafka error naming it, not UNKNOWN_SERVER_ERROR.
    for (const m of ['createTopic', 'deleteTopic', 'createPartitions', 'setTopicConfigs', 'setBrokerConfigs', 'electLeaders', 'alterReassignments', 'addAcls', 'removeAcls', 'setScram', 'deleteScram'] as const) {
      const f = (this[m] as (...a: unknown[]) => Promise<unknown>).bind(this);
      (this as any)[m] = (...a: unknown[]) => f(...a).catch((e: unknown) => { throw this.asKafkaError(e); });
    }
  }

  private asKafkaError(e: unknown): unknown {
    if (e instanceof KafkaError) return e;
    const err = e as Error & { code?: string };
    const unreachable = /^(ECONN|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|57P0|08)/.test(err.code ?? '') || /connect|Connection terminated|timeout/i.test(err.message ?? '');
    if (!unreachable) return e;
    this.storeUnreachable(e);
    return new KafkaError('NOT_CONTROLLER', `The metadata store ${redact(this.o.url)} cannot be reached (${(e as Error).message}); no topic, config or leadership change is possible until it returns. Retry.`);
  }

  private get sessionMs(): number { return this.o.config.int('broker.session.timeout.ms'); }
  private get heartbeatMs(): number { return Math.max(100, Math.min(this.o.config.int('broker.heartbeat.interval.ms'), Math.floor(this.sessionMs / 3))); }
  /** a broker whose session lock is gone this long is dead (a kill -9 closes its connection at once) */
  private get lockGraceMs(): number { return Math.min(500, Math.floor(this.sessionMs / 6)); }

  /**
   * Runs fn inside one transaction on a pooled connection: BEGIN (or `begin`), COMMIT when fn
   * returns, ROLLBACK when it throws. `onError` hears a failed connect as well as a failed
   * body; `connectError` rewrites a failed connect for the caller.
   */
  private async inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>, o: { begin?: string; connectError?: (e: Error) => Error; onError?: (e: unknown) => void } = {}): Promise<T> {
    const c = await this.pool.connect().catch((e: Error) => { o.onError?.(e); throw o.connectError ? o.connectError(e) : e; });
    const dropped = this.whileCheckedOut(c);
    try {
      await c.query(o.begin ?? 'BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      o.onError?.(e);
      throw e;
    } finally { c.release(dropped()); }
  }

  /**
   * A checked-out connection that dies between two queries (the store stopped) emits
   * 'error' with nobody listening - an uncaught exception that would end the broker. Heard
   * here; the caller's next query fails instead, and the pool discards the connection.
   */
  private whileCheckedOut(c: pg.PoolClient): () => Error | undefined {
    let broken: Error | undefined;
    const onError = (e: Error) => { broken = e; this.log.debug({ err: e.message }, 'metadata store connection lost while in use'); };
    c.on('error', onError);
    return () => { c.off('error', onError); return broken; };
  }

  // ---------------- start, registration, heartbeat ----------------

  /** Creates the schema (idempotent), learns or sets the cluster id, fills the cache. */
  async load(clusterIdOverride: string | null): Promise<void> {
    const id = await this.inTransaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, LOCK_SCHEMA]);
      await c.query(SCHEMA);
      // The first broker names the cluster: cluster.id, else the id its data dir already has, else a new one.
      const seed = clusterIdOverride || this.metadata.metaPropertiesClusterId() || randomBytes(16).toString('base64url').slice(0, 22);
      await c.query('INSERT INTO tributary_cluster (id, cluster_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [seed]);
      return (await c.query('SELECT cluster_id FROM tributary_cluster WHERE id = 1')).rows[0].cluster_id as string;
    }, { connectError: (e) => new Error(`cannot reach the metadata store ${redact(this.o.url)}: ${e.message}; check metadata.store.url and that PostgreSQL is running`) });
    if (clusterIdOverride && clusterIdOverride !== id) throw new Error(`cluster.id ${clusterIdOverride} does not match the id ${id} kept in the metadata store; drop the setting or point metadata.store.url at the right database`);
    this.metadata.clusterId = id;
    this.metadata.claimDataDir(id);
    await this.refresh();
    await this.connectSession();
  }

  /** Registers this broker (a new incarnation each start) once its listener is up, then heartbeats. */
  async register(endpoint: { host: string; port: number; rack: string | null; endpoints?: Record<string, { host: string; port: number }> }): Promise<void> {
    this.endpoint = endpoint;
    await this.takeBrokerLock();
    const r = await this.pool.query(
      `INSERT INTO tributary_brokers (node_id, incarnation, host, port, rack, lease_until, shutting_down, endpoints)
       VALUES ($1, 1, $2, $3, $4, now() + $5 * interval '1 millisecond', false, $6)
       ON CONFLICT (node_id) DO UPDATE SET incarnation = tributary_brokers.incarnation + 1, host = EXCLUDED.host, port = EXCLUDED.port,
         rack = EXCLUDED.rack, lease_until = EXCLUDED.lease_until, shutting_down = false, registered_at = now(), endpoints = EXCLUDED.endpoints
       RETURNING incarnation`,
      [this.nodeId, endpoint.host, endpoint.port, endpoint.rack, this.sessionMs, JSON.stringify(endpoint.endpoints ?? {})]);
    this.incarnation = r.rows[0].incarnation;
    await this.notify('broker');
    this.log.info({ nodeId: this.nodeId, incarnation: this.incarnation, host: endpoint.host, port: endpoint.port, rack: endpoint.rack }, 'registered in the metadata store');
    await this.refresh();
    this.timers.push(setInterval(() => void this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.controllerTick(), Math.min(250, this.heartbeatMs)));
    // Polling fallback for a missed notification (the LISTEN connection was down).
    this.timers.push(setInterval(() => void this.refresh().catch(() => {}), this.heartbeatMs));
    for (const t of this.timers) t.unref();
    void this.controllerTick();
  }

  private async takeBrokerLock(): Promise<void> {
    for (let warned = false; !this.closed;) {
      const s = this.session;
      if (s) {
        const ok = (await s.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, LOCK_BROKER_BASE + this.nodeId]).catch(() => ({ rows: [{ ok: false }] }))).rows[0].ok;
        if (ok) return;
        if (!warned) { this.log.warn({ nodeId: this.nodeId }, `node.id ${this.nodeId} is held by another live broker process (its session lock is taken); waiting for it to go. Give each broker its own node.id.`); warned = true; }
      }
      await sleep(500);
    }
  }

  private async connectSession(): Promise<void> {
    const s = new pg.Client({ connectionString: this.o.url, keepAlive: true, keepAliveInitialDelayMillis: 3000, connectionTimeoutMillis: 5000 });
    s.on('error', (e) => this.sessionLost(s, e));
    s.on('end', () => this.sessionLost(s, new Error('connection ended')));
    s.on('notification', () => void this.refresh().catch(() => {}));
    await s.connect();
    // Postgres must notice a vanished broker (a network cut, not a kill) within seconds, not the
    // OS default of hours: until it does, that broker's locks (the controller's too) stay held.
    await s.query('SET tcp_keepalives_idle = 3; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3').catch(() => {});
    await s.query(`LISTEN ${CHANNEL}`);
    this.session = s;
  }

  /** The LISTEN/lock connection broke (store restart, network): our locks are gone; get them back. */
  private sessionLost(s: pg.Client, e: Error): void {
    if (this.session !== s) return;
    this.session = null;
    s.end().catch(() => {});
    if (this.closed) return;
    if (this.isController) this.log.warn('lost the controller lock with the metadata store connection');
    this.isController = false;
    this.log.warn({ err: e.message }, 'metadata store session lost; reconnecting');
    if (this.sessionReconnecting) return;
    this.sessionReconnecting = true;
    void (async () => {
      while (!this.closed && !this.session) {
        try {
          await this.connectSession();
          if (this.incarnation >= 0) await this.takeBrokerLock();
          // Every broker's session (and lock) dropped with ours: give them a session timeout to come back.
          this.storeBackAt = Date.now();
          this.log.info('metadata store session back');
          await this.refresh();
        } catch { await sleep(1000); }
      }
      this.sessionReconnecting = false;
    })();
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || this.incarnation < 0) return;
    try {
      const r = await this.pool.query(
        `UPDATE tributary_brokers SET lease_until = now() + $3 * interval '1 millisecond' WHERE node_id = $1 AND incarnation = $2`,
        [this.nodeId, this.incarnation, this.sessionMs]);
      this.storeReachable();
      if (r.rowCount === 0 && !this.fenced) { this.fenced = true; this.log.error({ nodeId: this.nodeId, incarnation: this.incarnation }, 'this broker\'s registration was replaced by a newer incarnation of the same node.id; it is fenced and leads nothing'); }
    } catch (e) { this.storeUnreachable(e); }
  }

  private storeReachable(): void {
    if (!this.storeUp) { this.log.info('metadata store reachable again: leadership changes resume'); this.storeBackAt = Date.now(); }
    this.storeUp = true;
    this.storeDownSince = null;
  }

  private storeUnreachable(e: unknown): void {
    if (this.storeUp) {
      this.log.error({ err: (e as Error).message }, 'metadata store unreachable: serving the partitions this broker leads as they are; no leadership change is possible until it returns');
      this.storeDownSince = Date.now();
    }
    this.storeUp = false;
  }

  /** false while the metadata store cannot be reached */
  get storeAvailable(): boolean { return this.storeUp; }

  /** The store as this broker last found it, for /metrics and /ready: reachable, or since when not. */
  get storeStatus(): { reachable: boolean; unreachableSince: number | null } {
    return { reachable: this.storeUp, unreachableSince: this.storeUp ? null : this.storeDownSince };
  }

  private async notify(what: string, c: pg.Pool | pg.PoolClient = this.pool): Promise<void> {
    await c.query('SELECT pg_notify($1, $2)', [CHANNEL, what]);
  }

  // ---------------- the cache ----------------

  /** Reads the whole store into the cache (coalesced: one runs, one more queued). */
  refresh(): Promise<void> {
    if (this.refreshing) { this.refreshAgain = true; return this.refreshing; }
    this.refreshing = (async () => {
      try {
        do { this.refreshAgain = false; await this.refreshOnce(); } while (this.refreshAgain && !this.closed);
      } finally { this.refreshing = null; }
    })();
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const rows = await this.inTransaction(async (c) => {
      const q = async (sql: string, args: unknown[] = []) => (await c.query(sql, args)).rows;
      return {
        cluster: (await q('SELECT cluster_id, controller_id, controller_epoch FROM tributary_cluster WHERE id = 1'))[0],
        brokers: await q(PostgresClusterView.BROKERS_SQL),
        topics: await q('SELECT name, id, internal, configs, created_at FROM tributary_topics'),
        partitions: await q('SELECT topic, partition, leader, leader_epoch, partition_epoch, replicas, isr, adding, removing FROM tributary_partitions ORDER BY topic, partition'),
        configs: await q('SELECT resource, configs FROM tributary_broker_configs'),
        locks: await q(PostgresClusterView.LOCKS_SQL, [LOCK_CLASS, LOCK_BROKER_BASE]),
        acls: this.onSecurity ? await q('SELECT resource_type, resource_name, pattern_type, principal, host, operation, permission_type FROM tributary_acls') : [],
        scram: this.onSecurity ? await q('SELECT username, mechanism, salt, stored_key, server_key, iterations FROM tributary_scram_credentials') : [],
      };
    }, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', onError: (e) => this.storeUnreachable(e) });
    this.storeReachable();
    this.apply(rows);
    this.applySecurity(rows.acls, rows.scram);
  }

  private applySecurity(acls: any[], scram: any[]): void {
    if (!this.onSecurity) return;
    try {
      this.onSecurity(
        acls.map((r) => ({ resourceType: r.resource_type, resourceName: r.resource_name, patternType: r.pattern_type, principal: r.principal, host: r.host, operation: r.operation, permissionType: r.permission_type })),
        scram.map((r) => ({ user: r.username, mechanism: r.mechanism, credential: { salt: r.salt, storedKey: r.stored_key, serverKey: r.server_key, iterations: r.iterations } })));
    } catch (e) { this.log.error({ err: e }, 'applying the store\'s ACLs and SCRAM credentials failed'); }
  }

  // ---------------- tiered storage (RemoteLogMetadataStore) ----------------
  // One manifest document per topic id and partition, read on demand (not cached here:
  // only the replicas of a tiered partition need it). The leader's write is a
  // compare-and-set on its leader epoch, so a deposed leader cannot overwrite its successor.

  async loadRemoteManifest(topicId: string, partition: number): Promise<{ leaderEpoch: number; manifest: any } | null> {
    const r = await this.pool.query('SELECT leader_epoch, manifest FROM tributary_remote_log_manifests WHERE topic_id = $1 AND partition = $2', [topicId, partition]);
    return r.rows.length ? { leaderEpoch: r.rows[0].leader_epoch, manifest: r.rows[0].manifest } : null;
  }

  async saveRemoteManifest(topicId: string, partition: number, leaderEpoch: number, manifest: object): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO tributary_remote_log_manifests (topic_id, partition, leader_epoch, manifest) VALUES ($1, $2, $3, $4)
       ON CONFLICT (topic_id, partition) DO UPDATE SET leader_epoch = EXCLUDED.leader_epoch, manifest = EXCLUDED.manifest, updated_at = now()
       WHERE tributary_remote_log_manifests.leader_epoch <= EXCLUDED.leader_epoch`,
      [topicId, partition, leaderEpoch, JSON.stringify(manifest)]);
    return r.rowCount === 1;
  }

  // ---------------- ACLs and SCRAM credentials (SecurityBackend) ----------------
  // Each write commits with a NOTIFY, then refreshes this broker's cache before answering,
  // so the writer sees its change at once and every other broker on the notification.

  async addAcls(bindings: AclBinding[]): Promise<void> {
    await this.inTransaction(async (c) => {
      for (const b of bindings) {
        await c.query(`INSERT INTO tributary_acls (resource_type, resource_name, pattern_type, principal, host, operation, permission_type)
          VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, [b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
      }
      await this.notify('security', c);
    });
    await this.refresh();
  }

  async removeAcls(bindings: AclBinding[]): Promise<void> {
    await this.inTransaction(async (c) => {
      for (const b of bindings) {
        await c.query(`DELETE FROM tributary_acls WHERE resource_type = $1 AND resource_name = $2 AND pattern_type = $3 AND principal = $4 AND host = $5
          AND operation = $6 AND permission_type = $7`, [b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
      }
      await this.notify('security', c);
    });
    await this.refresh();
  }

  async setScram(user: string, m: ScramMechanism, cred: StoredScram): Promise<void> {
    await this.inTransaction(async (c) => {
      await c.query(`INSERT INTO tributary_scram_credentials (username, mechanism, salt, stored_key, server_key, iterations) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (username, mechanism) DO UPDATE SET salt = EXCLUDED.salt, stored_key = EXCLUDED.stored_key, server_key = EXCLUDED.server_key, iterations = EXCLUDED.iterations`,
      [user, m, cred.salt, cred.storedKey, cred.serverKey, cred.iterations]);
      await this.notify('security', c);
    });
    await this.refresh();
  }

  async deleteScram(user: string, m: ScramMechanism): Promise<void> {
    await this.inTransaction(async (c) => {
      await c.query('DELETE FROM tributary_scram_credentials WHERE username = $1 AND mechanism = $2', [user, m]);
      await this.notify('security', c);
    });
    await this.refresh();
  }

  private static readonly BROKERS_SQL = `SELECT node_id, incarnation, host, port, rack, endpoints, lease_until > now() AS lease_ok, shutting_down,
    (extract(epoch FROM now() - registered_at) * 1000)::float8 AS up_ms FROM tributary_brokers ORDER BY node_id`;
  private static readonly LOCKS_SQL = `SELECT objid::int - $2 AS node FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objsubid = 2
    AND objid::int >= $2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

  /** The controller's frequent look: only brokers, their locks and the controller row (partitions come by NOTIFY). */
  private async refreshBrokers(): Promise<void> {
    const c = await this.pool.connect();
    const dropped = this.whileCheckedOut(c);
    try {
      const cluster = (await c.query('SELECT controller_id FROM tributary_cluster WHERE id = 1')).rows[0];
      const brokers = (await c.query(PostgresClusterView.BROKERS_SQL)).rows;
      const locks = (await c.query(PostgresClusterView.LOCKS_SQL, [LOCK_CLASS, LOCK_BROKER_BASE])).rows;
      this.storeReachable();
      this.applyBrokers(cluster, brokers, locks);
    } finally { c.release(dropped()); }
  }

  private applyBrokers(cluster: any, brokers: any[], locks: any[]): void {
    if (cluster) this.controller = cluster.controller_id;
    const locked = new Set(locks.map((l) => Number(l.node)));
    // Ages from the store's clock, so brokers' clocks need not agree.
    const now = Date.now();
    this.brokerRows = new Map(brokers.map((b) => {
      const lockHeld = locked.has(b.node_id);
      const r: BrokerRow = {
        nodeId: b.node_id, host: b.host, port: b.port, rack: b.rack, endpoints: b.endpoints ?? {}, incarnation: b.incarnation, leaseOk: b.lease_ok, shuttingDown: b.shutting_down, lockHeld,
        upSince: now - Number(b.up_ms),
        alive: b.lease_ok && !b.shutting_down && lockHeld,
      };
      return [r.nodeId, r];
    }));
  }

  private apply(rows: { cluster: any; brokers: any[]; topics: any[]; partitions: any[]; configs: any[]; locks: any[] }): void {
    this.applyBrokers(rows.cluster, rows.brokers, rows.locks);
    const byTopic = new Map<string, PartitionMeta[]>();
    for (const p of rows.partitions) {
      if (!byTopic.has(p.topic)) byTopic.set(p.topic, []);
      byTopic.get(p.topic)!.push({
        partition: p.partition, leader: p.leader, leaderEpoch: p.leader_epoch, partitionEpoch: p.partition_epoch,
        replicas: p.replicas, isr: p.isr, addingReplicas: p.adding, removingReplicas: p.removing,
      });
    }
    const changes: StoreChanges = { created: [], grown: [], deleted: [], reconfigured: [], brokerConfigsChanged: false };
    const changed: PartitionState[] = [];
    const seen = new Set<string>();
    for (const t of rows.topics) {
      seen.add(t.name);
      const partitions = byTopic.get(t.name) ?? [];
      const old = this.metadata.get(t.name);
      if (!old || old.id !== t.id) {
        if (old) changes.deleted.push(old);
        const meta: TopicMeta = { name: t.name, id: t.id, internal: t.internal, configs: t.configs, createdAt: Number(t.created_at), partitions };
        this.metadata.putTopic(meta);
        changes.created.push(meta);
        for (const p of partitions) changed.push(partitionStateOf(t.name, p));
        continue;
      }
      // Updated in place: other parts of the broker hold this object.
      if (JSON.stringify(old.configs) !== JSON.stringify(t.configs)) { old.configs = t.configs; changes.reconfigured.push(old); }
      const from = old.partitions.length;
      for (const p of partitions) {
        const prev = old.partitions[p.partition];
        if (!prev || prev.partitionEpoch !== p.partitionEpoch || prev.leaderEpoch !== p.leaderEpoch) changed.push(partitionStateOf(t.name, p));
        old.partitions[p.partition] = p;
      }
      if (partitions.length > from) changes.grown.push({ topic: old, from });
    }
    for (const t of this.metadata.list()) if (!seen.has(t.name)) { this.metadata.deleteTopic(t.name); changes.deleted.push(t); }
    const configs: Record<string, Record<string, string>> = {};
    for (const r of rows.configs) configs[r.resource] = r.configs;
    const mine = [String(this.nodeId), ''];
    changes.brokerConfigsChanged = mine.some((k) => JSON.stringify(this.metadata.getBrokerConfigs(k)) !== JSON.stringify(configs[k] ?? {}));
    this.metadata.putBrokerConfigs(configs);
    if (changes.created.length || changes.grown.length || changes.deleted.length || changes.reconfigured.length || changes.brokerConfigsChanged) {
      try { this.o.onChanges(changes); } catch (e) { this.log.error({ err: e }, 'applying a metadata change failed'); }
    }
    for (const s of changed) this.emit(s);
  }

  private emit(s: PartitionState): void {
    for (const l of this.listeners) {
      try { l(s); } catch (e) { this.log.error({ err: e, topic: s.topic, partition: s.partition }, 'a partition change listener failed'); }
    }
  }

  // ---------------- ClusterView ----------------

  brokers(): BrokerInfo[] {
    return [...this.brokerRows.values()].map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack, endpoints: b.endpoints, alive: b.alive }));
  }

  aliveBrokers(): BrokerInfo[] { return this.brokers().filter((b) => b.alive); }

  controllerId(): number {
    const b = this.brokerRows.get(this.controller);
    return b && b.alive ? this.controller : -1;
  }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    const p = this.metadata.get(topic)?.partitions[partition];
    return p ? partitionStateOf(topic, p) : undefined;
  }

  onPartitionChange(listener: PartitionListener): () => void {
    this.listeners.add(listener);
    for (const t of this.metadata.list()) for (const p of t.partitions) listener(partitionStateOf(t.name, p));
    return () => { this.listeners.delete(listener); };
  }

  /**
   * KRaft's AlterPartition: the leader proposes, the store serializes. Refused
   * ('stale') unless this broker still leads at that leader epoch, the partition
   * epoch is unchanged, and every proposed member is a live registered broker.
   * Rejects (throws) while the store is unreachable.
   */
  async alterIsr(current: PartitionState, isr: number[]): Promise<PartitionState | 'stale'> {
    const r = await this.inTransaction(async (c) => {
      const r = await c.query(
        `UPDATE tributary_partitions SET isr = $3::int[], partition_epoch = partition_epoch + 1
         WHERE topic = $1 AND partition = $2 AND partition_epoch = $4 AND leader_epoch = $5 AND leader = $6 AND $6 = ANY($3::int[])
           AND EXISTS (SELECT 1 FROM tributary_brokers WHERE node_id = $6 AND incarnation = $7 AND lease_until > now())
           AND NOT EXISTS (SELECT 1 FROM unnest($3::int[]) m WHERE m NOT IN (SELECT node_id FROM tributary_brokers WHERE lease_until > now()))
         RETURNING partition, leader, leader_epoch, partition_epoch, replicas, isr, adding, removing`,
        [current.topic, current.partition, isr, current.partitionEpoch, current.leaderEpoch, this.nodeId, this.incarnation]);
      if (r.rowCount) await this.notify('isr', c);
      return r;
    });
    if (!r.rowCount) return 'stale';
    const p = rowToMeta(r.rows[0]);
    const t = this.metadata.get(current.topic);
    if (t && (t.partitions[current.partition]?.partitionEpoch ?? -1) < p.partitionEpoch!) t.partitions[current.partition] = p;
    const s = partitionStateOf(current.topic, p);
    this.emit(s);
    return s;
  }

  // ---------------- topic administration (any broker) ----------------

  private async liveForPlacement(c: pg.PoolClient | pg.Pool): Promise<{ nodeId: number; rack: string | null }[]> {
    // Live as the controller judges it: lease valid and its session lock held (a killed broker's lease outlives it).
    const rows = (await c.query(
      `SELECT b.node_id, b.rack FROM tributary_brokers b WHERE b.lease_until > now() AND NOT b.shutting_down
         AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objsubid = 2
           AND l.objid::int = $2 + b.node_id AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
       ORDER BY b.node_id`, [LOCK_CLASS, LOCK_BROKER_BASE])).rows;
    return rows.map((r) => ({ nodeId: r.node_id, rack: r.rack }));
  }

  async createTopic(r: { name: string; partitions: number; replicationFactor: number; assignments?: number[][]; configs: Record<string, string>; internal: boolean }): Promise<TopicMeta> {
    await this.inTransaction(async (c) => {
      const live = await this.liveForPlacement(c);
      let assignment: number[][];
      if (r.assignments?.length) {
        const registered = new Set((await c.query('SELECT node_id FROM tributary_brokers')).rows.map((x) => x.node_id as number));
        checkAssignment(r.assignments, registered, r.assignments[0].length);
        assignment = r.assignments;
      } else {
        assignment = placeReplicas(live, r.partitions, r.replicationFactor, 0, Math.floor(Math.random() * Math.max(1, live.length)));
      }
      const id = randomUUID().replace(/-/g, '');
      const ins = await c.query('INSERT INTO tributary_topics (name, id, internal, configs, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
        [r.name, id, r.internal, JSON.stringify(r.configs), Date.now()]);
      if (!ins.rowCount) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${r.name}' already exists.`);
      await this.insertPartitions(c, r.name, 0, assignment, new Set(live.map((b) => b.nodeId)));
      await this.notify('topic', c);
    });
    await this.refresh();
    const t = this.metadata.get(r.name);
    if (!t) throw new KafkaError('UNKNOWN_SERVER_ERROR', `Topic '${r.name}' was created but is not in the metadata cache yet.`);
    return t;
  }

  /** New partitions: ISR = the live replicas, led by the first of them (offline with none). */
  private async insertPartitions(c: pg.PoolClient, topic: string, first: number, assignment: number[][], live: Set<number>): Promise<void> {
    for (const [i, replicas] of assignment.entries()) {
      const isr = replicas.filter((b) => live.has(b));
      await c.query('INSERT INTO tributary_partitions (topic, partition, leader, leader_epoch, partition_epoch, replicas, isr) VALUES ($1, $2, $3, 0, 0, $4, $5)',
        [topic, first + i, isr[0] ?? -1, replicas, isr.length ? isr : replicas]);
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const r = await this.pool.query(`WITH d AS (DELETE FROM tributary_topics WHERE name = $1 RETURNING name) SELECT pg_notify($2, 'topic') FROM d`, [name, CHANNEL]);
    if (!r.rowCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    await this.refresh();
  }

  async createPartitions(name: string, total: number, assignments?: number[][]): Promise<void> {
    await this.inTransaction(async (c) => {
      if (!(await c.query('SELECT 1 FROM tributary_topics WHERE name = $1 FOR UPDATE', [name])).rowCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
      const existing = (await c.query('SELECT replicas FROM tributary_partitions WHERE topic = $1 ORDER BY partition', [name])).rows.map((x) => x.replicas as number[]);
      if (total <= existing.length) throw new KafkaError('INVALID_PARTITIONS', `Topic currently has ${existing.length} partitions, which is higher than or equal to the requested ${total}.`);
      const live = await this.liveForPlacement(c);
      const rf = existing[0]?.length ?? 1;
      let assignment: number[][];
      if (assignments?.length) {
        if (assignments.length !== total - existing.length) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Increasing the number of partitions by ${total - existing.length} but ${assignments.length} assignments provided.`);
        const registered = new Set((await c.query('SELECT node_id FROM tributary_brokers')).rows.map((x) => x.node_id as number));
        checkAssignment(assignments, registered, rf);
        assignment = assignments;
      } else {
        assignment = placeReplicas(live, total - existing.length, rf, existing.length, Math.floor(Math.random() * Math.max(1, live.length)));
      }
      await this.insertPartitions(c, name, existing.length, assignment, new Set(live.map((b) => b.nodeId)));
      await this.notify('topic', c);
    });
    await this.refresh();
  }

  async setTopicConfigs(name: string, configs: Record<string, string>): Promise<void> {
    const r = await this.pool.query(`WITH u AS (UPDATE tributary_topics SET configs = $2 WHERE name = $1 RETURNING name) SELECT pg_notify($3, 'config') FROM u`, [name, JSON.stringify(configs), CHANNEL]);
    if (!r.rowCount) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    await this.refresh();
  }

  async setBrokerConfigs(resource: string, configs: Record<string, string>): Promise<void> {
    if (Object.keys(configs).length) await this.pool.query('INSERT INTO tributary_broker_configs (resource, configs) VALUES ($1, $2) ON CONFLICT (resource) DO UPDATE SET configs = EXCLUDED.configs', [resource, JSON.stringify(configs)]);
    else await this.pool.query('DELETE FROM tributary_broker_configs WHERE resource = $1', [resource]);
    await this.notify('config');
    await this.refresh();
  }

  // ---------------- the controller ----------------

  get controllerEpochHeld(): number { return this.isController ? this.controllerEpoch : -1; }

  private async controllerTick(): Promise<void> {
    if (this.closed || this.controllerBusy) return;
    this.controllerBusy = true;
    try {
      const s = this.session;
      if (!this.isController && s && this.incarnation >= 0) {
        const ok = (await s.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, LOCK_CONTROLLER])).rows[0].ok;
        if (ok) {
          const r = await this.pool.query(
            `WITH u AS (UPDATE tributary_cluster SET controller_id = $1, controller_epoch = controller_epoch + 1 WHERE id = 1 RETURNING controller_epoch)
             SELECT controller_epoch, pg_notify($2, 'controller') FROM u`, [this.nodeId, CHANNEL]);
          this.controllerEpoch = r.rows[0].controller_epoch;
          this.controllerSince = Date.now();
          this.seenIncarnation.clear();
          this.lockMissingSince.clear();
          this.isController = true;
          this.log.info({ nodeId: this.nodeId, controllerEpoch: this.controllerEpoch }, 'this broker is now the controller');
        }
      }
      if (this.isController) {
        // A fresh controller reads everything once; then brokers each tick, partitions by NOTIFY.
        if (Date.now() - this.controllerSince < 1000) await this.refresh(); else await this.refreshBrokers();
        await this.decide();
      }
    } catch (e) {
      this.storeUnreachable(e);
    } finally { this.controllerBusy = false; }
  }

  /**
   * Whether a broker may lead or stay in an ISR, as the controller judges it now. A
   * lapsed lease or a vanished session lock only counts once this controller has
   * watched for a whole session timeout since it took over or since the store came
   * back: during a store outage (or just after a restart of Postgres) no broker could
   * renew its lease or hold its lock, and none of them is dead for that.
   */
  private usableNow(now: number): (id: number) => boolean {
    const verdict = new Map<number, boolean>();
    const watching = now - Math.max(this.controllerSince, this.storeBackAt) >= this.sessionMs;
    const lockWatching = now - this.controllerSince >= this.lockGraceMs && now - this.storeBackAt >= this.sessionMs;
    for (const b of this.brokerRows.values()) {
      let ok = !b.shuttingDown && (b.leaseOk || !watching);
      if (ok && !b.lockHeld) {
        // Its connection is gone: dead once that lasts (a store restart drops every lock for a moment).
        const since = this.lockMissingSince.get(b.nodeId) ?? now;
        this.lockMissingSince.set(b.nodeId, since);
        if (now - since >= this.lockGraceMs && lockWatching) ok = false;
      } else this.lockMissingSince.delete(b.nodeId);
      // A new incarnation is a restart: its old self counts as failed once (it lost what it had not flushed).
      const seen = this.seenIncarnation.get(b.nodeId);
      if (seen !== undefined && seen !== b.incarnation) ok = false;
      verdict.set(b.nodeId, ok);
    }
    return (id) => verdict.get(id) ?? false;
  }

  private async decide(): Promise<void> {
    const now = Date.now();
    const usable = this.usableNow(now);
    const stopping = (id: number) => { const b = this.brokerRows.get(id); return !!b && b.shuttingDown && b.leaseOk && b.lockHeld; };
    const order = settledFirst((id) => this.brokerRows.get(id)?.upSince, now, RESTART_SETTLE_MS);
    const rebalanceDue = this.o.config.bool('auto.leader.rebalance.enable') && now - this.lastRebalance >= this.o.config.int('leader.imbalance.check.interval.seconds') * 1000;
    const imbalanced = rebalanceDue ? this.imbalancedBrokers() : new Set<number>();
    // Automatic rebalancing hands leadership back only to a preferred replica up for
    // RESTART_SETTLE_MS (clients still back off from a broker that just restarted, see
    // settledFirst); the check comes round again until it has settled.
    const settled = (id: number) => { const up = this.brokerRows.get(id)?.upSince; return up !== undefined && now - up >= RESTART_SETTLE_MS; };
    let deferred = false;
    const rebalanceTo = (s: PartitionState) => {
      if (!imbalanced.has(s.replicas[0])) return null;
      if (!settled(s.replicas[0])) { deferred = true; return null; }
      return electPreferred(s, usable);
    };
    const writes: { s: PartitionState; d: Decision }[] = [];
    for (const t of this.metadata.list()) {
      const unclean = String(t.configs['unclean.leader.election.enable'] ?? this.o.config.get('unclean.leader.election.enable')) === 'true';
      for (const p of t.partitions) {
        const s = partitionStateOf(t.name, p);
        const moving = s.addingReplicas.length > 0 || s.removingReplicas.length > 0;
        const d = electOnBrokerChange(s, usable, unclean, stopping, order) ?? (moving ? finishReassignment(s, usable) : null) ?? (moving ? null : rebalanceTo(s));
        if (d) writes.push({ s, d });
      }
    }
    if (rebalanceDue && !deferred) this.lastRebalance = now;
    if (writes.length) await this.writeDecisions(writes, this.controllerEpoch);
    for (const b of this.brokerRows.values()) this.seenIncarnation.set(b.nodeId, b.incarnation);
  }

  /**
   * Kafka's auto.leader.rebalance rule: a broker whose share of partitions it should
   * lead (it is their first replica) but does not is above
   * leader.imbalance.per.broker.percentage gets its preferred leaderships back.
   */
  private imbalancedBrokers(): Set<number> {
    const preferred = new Map<number, { total: number; notLeading: number }>();
    for (const t of this.metadata.list()) for (const p of t.partitions) {
      const b = p.replicas[0];
      const e = preferred.get(b) ?? { total: 0, notLeading: 0 };
      e.total++; if (p.leader !== b) e.notLeading++;
      preferred.set(b, e);
    }
    const pct = this.o.config.int('leader.imbalance.per.broker.percentage');
    return new Set([...preferred].filter(([, e]) => e.notLeading > 0 && (e.notLeading * 100) / e.total > pct).map(([b]) => b));
  }

  /**
   * Writes decisions, each a compare-and-set on its partition epoch. The controller's
   * are also fenced by its controller epoch (a controller that lost its lock writes
   * nothing); an admin request's (`controllerEpoch` null: ElectLeaders, reassignment)
   * only by the partition epoch, so it never overwrites a newer decision either.
   * Returns how many were applied.
   */
  async writeDecisions(writes: { s: PartitionState; d: Decision }[], controllerEpoch: number | null): Promise<number> {
    let applied = 0;
    await this.inTransaction(async (c) => {
      for (const { s, d } of writes) {
        const r = await c.query(
          `UPDATE tributary_partitions SET leader = $3, leader_epoch = leader_epoch + $4, isr = $5::int[], partition_epoch = partition_epoch + 1,
             replicas = COALESCE($9::int[], replicas), adding = COALESCE($10::int[], adding), removing = COALESCE($11::int[], removing)
           WHERE topic = $1 AND partition = $2 AND partition_epoch = $6
             AND ($8::int IS NULL OR EXISTS (SELECT 1 FROM tributary_cluster WHERE id = 1 AND controller_id = $7 AND controller_epoch = $8))`,
          [s.topic, s.partition, d.leader, d.bumpLeaderEpoch ? 1 : 0, d.isr, s.partitionEpoch, this.nodeId, controllerEpoch, d.replicas ?? null, d.adding ?? null, d.removing ?? null]);
        if (!r.rowCount) continue;
        applied++;
        const what = { topic: s.topic, partition: s.partition, leader: d.leader, previousLeader: s.leader, isr: d.isr, leaderEpoch: s.leaderEpoch + (d.bumpLeaderEpoch ? 1 : 0), ...(d.replicas ? { replicas: d.replicas, adding: d.adding, removing: d.removing } : {}) };
        if (d.unclean) this.log.error(what, 'UNCLEAN leader election: no in-sync replica is alive, so an out-of-sync replica leads (unclean.leader.election.enable=true); records acknowledged by the old ISR may be lost');
        else if (d.leader === -1) this.log.warn(what, 'partition offline: no in-sync replica is alive; it comes back when one returns');
        else if (d.replicas) this.log.info(what, d.adding?.length ? 'reassignment started: new replicas catch up before the old ones leave' : 'replica set changed');
        else if (d.bumpLeaderEpoch) this.log.info(what, 'elected a new leader');
        else this.log.info(what, 'removed failed brokers from the ISR');
      }
      if (applied) await this.notify('partitions', c);
    });
    // Applied ones changed the store; refused ones mean our copy was stale: re-read either way.
    await this.refresh();
    return applied;
  }

  /** Live brokers as this broker's cache knows them (admin requests; the controller judges failures itself). */
  private usableCached(): (id: number) => boolean {
    return (id) => this.brokerRows.get(id)?.alive ?? false;
  }

  /** One admin change to one partition: decided on the latest state, retried once if it changed underneath. */
  private async adminChange(topic: string, partition: number, decide: (s: PartitionState) => Decision | KafkaError | null): Promise<KafkaError | null> {
    for (let attempt = 0; ; attempt++) {
      const s = this.partitionState(topic, partition);
      if (!s) return new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${topic}-${partition} does not exist.`);
      const d = decide(s);
      if (d === null) return null;
      if (d instanceof KafkaError) return d;
      if (await this.writeDecisions([{ s, d }], null)) return null;
      if (attempt >= 2) return new KafkaError('NOT_CONTROLLER', `Partition ${topic}-${partition} kept changing while the request was applied; retry.`);
      await this.refresh();
    }
  }

  async electLeaders(type: number, partitions: { topic: string; partition: number }[] | null): Promise<PartitionResult[]> {
    if (type !== 0 && type !== 1) return (partitions ?? []).map((p) => ({ ...p, error: new KafkaError('INVALID_REQUEST', `Unknown election type ${type}: 0 is preferred, 1 unclean.`) }));
    const all = partitions === null;
    const targets = partitions ?? this.metadata.list().flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const usable = this.usableCached();
    const out: PartitionResult[] = [];
    for (const p of targets) {
      const error = await this.adminChange(p.topic, p.partition, (s) => {
        if (type === 0) {
          if (s.leader === s.replicas[0]) return new KafkaError('ELECTION_NOT_NEEDED', `Leader election not needed for ${p.topic}-${p.partition}: its preferred replica ${s.replicas[0]} leads.`);
          return electPreferred(s, usable) ?? new KafkaError('PREFERRED_LEADER_NOT_AVAILABLE', `Failed to elect leader for partition ${p.topic}-${p.partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy: replica ${s.replicas[0]} is ${usable(s.replicas[0]) ? 'not in the ISR' : 'not alive'}.`);
        }
        if (s.leader >= 0 && usable(s.leader)) return new KafkaError('ELECTION_NOT_NEEDED', `Leader election not needed for ${p.topic}-${p.partition}: broker ${s.leader} leads it.`);
        const d = electOnBrokerChange(s, usable, true);
        return d && d.leader >= 0 ? d : new KafkaError('ELIGIBLE_LEADERS_NOT_AVAILABLE', `No live replica of ${p.topic}-${p.partition} can lead (replicas ${s.replicas.join(', ')}).`);
      });
      if (all && error?.errorName === 'ELECTION_NOT_NEEDED') continue;
      out.push({ ...p, error });
    }
    return out;
  }

  async alterReassignments(reqs: { topic: string; partition: number; replicas: number[] | null }[]): Promise<PartitionResult[]> {
    const registered = new Set(this.brokerRows.keys());
    const usable = this.usableCached();
    const out: PartitionResult[] = [];
    for (const r of reqs) {
      const error = await this.adminChange(r.topic, r.partition, (s) => {
        if (r.replicas === null) {
          if (!s.addingReplicas.length && !s.removingReplicas.length) return new KafkaError('NO_REASSIGNMENT_IN_PROGRESS', `No reassignment of ${r.topic}-${r.partition} is in progress.`);
          return cancelReassignment(s, usable);
        }
        try { checkAssignment([r.replicas], registered); } catch (e) { return new KafkaError('INVALID_REPLICA_ASSIGNMENT', `${r.topic}-${r.partition}: ${(e as Error).message.replace(/^Partition 0 /, '')}`); }
        return startReassignment(s, r.replicas, usable);
      });
      out.push({ topic: r.topic, partition: r.partition, error });
    }
    return out;
  }

  listReassignments(filter: { topic: string; partitions: number[] }[] | null): PartitionState[] {
    const wanted = filter ? new Map(filter.map((f) => [f.topic, new Set(f.partitions)])) : null;
    return this.metadata.list().flatMap((t) => t.partitions
      .filter((p) => (p.addingReplicas?.length || p.removingReplicas?.length) && (!wanted || wanted.get(t.name)?.has(p.partition)))
      .map((p) => partitionStateOf(t.name, p)));
  }

  // ---------------- shutdown ----------------

  /**
   * Controlled shutdown: marks this broker shutting down so the controller moves
   * leadership of its partitions to other in-sync replicas, and waits for that (or
   * `timeoutMs`). Partitions with no other in-sync replica stay led here until it stops.
   */
  async controlledShutdown(timeoutMs: number): Promise<void> {
    if (this.incarnation < 0) return;
    try {
      await this.pool.query('UPDATE tributary_brokers SET shutting_down = true WHERE node_id = $1 AND incarnation = $2', [this.nodeId, this.incarnation]);
      await this.notify('broker');
    } catch (e) { this.log.warn({ err: (e as Error).message }, 'controlled shutdown: the metadata store is unreachable; stopping without moving leadership'); return; }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.isController) await this.controllerTick(); else await this.refresh().catch(() => {});
      const movable = this.metadata.list().flatMap((t) => t.partitions.filter((p) => p.leader === this.nodeId && p.isr.some((b) => b !== this.nodeId && this.brokerRows.get(b)?.alive)));
      if (!movable.length) break;
      if (Date.now() > deadline) { this.log.warn({ partitions: movable.length }, 'controlled shutdown timed out; stopping while still leading some partitions'); break; }
      await sleep(100);
    }
    this.log.info('controlled shutdown: leadership moved away');
  }

  /** Stops heartbeats and the controller, ends the lease at once and releases the locks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    while (this.controllerBusy || this.refreshing) await sleep(20);
    if (this.incarnation >= 0) {
      await this.pool.query(`WITH u AS (UPDATE tributary_brokers SET lease_until = now(), shutting_down = true WHERE node_id = $1 AND incarnation = $2 RETURNING 1) SELECT pg_notify($3, 'broker') FROM u`,
        [this.nodeId, this.incarnation, CHANNEL]).catch(() => {});
    }
    const s = this.session;
    this.session = null;
    await s?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}

function rowToMeta(p: any): PartitionMeta {
  return { partition: p.partition, leader: p.leader, leaderEpoch: p.leader_epoch, partitionEpoch: p.partition_epoch, replicas: p.replicas, isr: p.isr, addingReplicas: p.adding, removingReplicas: p.removing };
}

/** The store URL without its password, for messages. */
export function redact(url: string): string { return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'); }
