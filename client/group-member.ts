// Membership of a classic consumer group, kept here rather than by the library's Consumer
// (which rejoins by itself when a heartbeat learns of a rebalance): FindCoordinator,
// JoinGroup (with the MEMBER_ID_REQUIRED round), SyncGroup (the leader runs the caller's
// assignor), Heartbeat on a timer, LeaveGroup, and the group's OffsetCommit/OffsetFetch —
// errors handled as Kafka's AbstractCoordinator/ConsumerCoordinator handle them.
// A heartbeat that learns of a rebalance or of a lost membership only marks the member
// (needsRejoin(), onRejoinNeeded): the owner decides when to rejoin — GroupConsumer after
// its caller committed (Kafka's eager protocol), GroupMembership at once.
// Requests are the library's protocol API functions (encoders, parsers, error codes) sent
// on a ConnectionPool of our own; versions are picked from the broker's ApiVersions.
import {
  ConnectionPool, apiVersionsV3, findCoordinatorV4, findCoordinatorV5, findCoordinatorV6, heartbeatV4,
  joinGroupV6, joinGroupV7, joinGroupV8, joinGroupV9, leaveGroupV4, leaveGroupV5, metadataV9, metadataV10, metadataV11, metadataV12,
  offsetCommitV8, offsetCommitV9, offsetFetchV8, offsetFetchV9, syncGroupV4, syncGroupV5,
  type Broker, type Connection,
} from '@platformatic/kafka';
type JoinGroupResponse = joinGroupV9.JoinGroupResponse;
import { bootstrapList, type ClientConfig } from './config.ts';
import { clientSecurity } from './security.ts';

export interface GroupProtocol { name: string; metadata: Buffer }
export interface JoinedMember { memberId: string; metadata: Buffer | null }

export interface GroupMemberConfig extends ClientConfig {
  groupId: string;
  /** "consumer" unless the group's members speak another embedded protocol */
  protocolType?: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** what this member offers at each join (asked again every time: a subscription may change) */
  protocols: () => GroupProtocol[];
  /** run when the coordinator makes this member the leader: memberId → its assignment bytes */
  assign: (protocol: string, members: JoinedMember[]) => Map<string, Buffer> | Promise<Map<string, Buffer>>;
  /** a heartbeat learned that the group re-forms or that this membership ended */
  onRejoinNeeded?: (reason: string) => void;
  /**
   * max.poll.interval.ms: when the owner has not called polled() for this long, the member
   * leaves the group (its partitions go to the others) and rejoins at the next poll.
   * Unset: no limit (GroupMembership, whose owner does not poll).
   */
  maxPollIntervalMs?: number;
}

export class GroupMemberError extends Error {}

/** Kafka's CommitFailedException: the member left (or was dropped from) the generation the offsets belong to. */
export class CommitFailedError extends GroupMemberError { override name = 'CommitFailedError'; }

/** the library's error ids (REBALANCE_IN_PROGRESS, …) anywhere in an error's tree */
function errorIds(e: unknown, out = new Set<string>()): Set<string> {
  const x = e as { apiId?: string; errors?: unknown[]; cause?: unknown } | null;
  if (!x || typeof x !== 'object') return out;
  if (x.apiId) out.add(x.apiId);
  for (const c of x.errors ?? []) errorIds(c, out);
  if (x.cause) errorIds(x.cause, out);
  return out;
}
function isNetwork(e: unknown): boolean {
  const x = e as { code?: string; errors?: unknown[] } | null;
  if (!x || typeof x !== 'object') return false;
  if (x.code === 'PLT_KFK_NETWORK' || x.code === 'PLT_KFK_TIMEOUT' || x.code === 'ECONNREFUSED' || x.code === 'ECONNRESET' || x.code === 'EPIPE') return true;
  return (x.errors ?? []).some(isNetwork);
}

const COORDINATOR_GONE = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// the versions this module speaks, per API key, newest first
const VERSIONS = {
  findCoordinator: { key: 10, apis: [findCoordinatorV6, findCoordinatorV5, findCoordinatorV4] },
  joinGroup: { key: 11, apis: [joinGroupV9, joinGroupV8, joinGroupV7, joinGroupV6] },
  syncGroup: { key: 14, apis: [syncGroupV5, syncGroupV4] },
  heartbeat: { key: 12, apis: [heartbeatV4] },
  leaveGroup: { key: 13, apis: [leaveGroupV5, leaveGroupV4] },
  offsetCommit: { key: 8, apis: [offsetCommitV9, offsetCommitV8] },
  offsetFetch: { key: 9, apis: [offsetFetchV9, offsetFetchV8] },
  metadata: { key: 3, apis: [metadataV12, metadataV11, metadataV10, metadataV9] },
} as const;
type Versions = typeof VERSIONS;
type Picked = { [K in keyof Versions]: Versions[K]['apis'][number]['api'] };

export class GroupMember {
  memberId = '';
  generationId = -1;
  protocol: string | null = null;
  leader = false;
  private readonly pool: ConnectionPool;
  private readonly bootstrap: Broker[];
  private readonly known = new Map<string, Broker>();
  private coordinator: Broker | null = null;
  /** the coordinator's node id (-1 until found): a transactional producer's TxnOffsetCommit goes there */
  coordinatorId = -1;
  private apis: Picked | null = null;
  private rejoin = true;
  private rejoinReason = 'not joined';
  private stable = false;
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private closed = false;
  /** when the coordinator last answered a heartbeat with this member still in the group */
  lastHeartbeatOk = 0;
  /** when the owner last polled (or joined) */
  private lastPoll = Date.now();

  constructor(private readonly cfg: GroupMemberConfig) {
    const sec = cfg.security ? clientSecurity(cfg.security) : {};
    // a JoinGroup is held by the coordinator until every member rejoined (up to the rebalance timeout)
    this.pool = new ConnectionPool(cfg.clientId, { ...sec, connectTimeout: 5000, requestTimeout: Math.max(cfg.requestTimeoutMs ?? 30000, cfg.rebalanceTimeoutMs + 5000) });
    this.bootstrap = bootstrapList(cfg.bootstrap).map((hp) => { const i = hp.lastIndexOf(':'); return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) }; });
  }

  /** a rebalance or a lost membership is known and this member has not rejoined yet */
  needsRejoin(): boolean { return this.rejoin; }
  /** the coordinator no longer counts this member in the generation it was given (or none yet): its partitions may be someone else's */
  get lost(): boolean { return this.generationId < 0 || !this.memberId; }
  /** no heartbeat got through for a session timeout: the coordinator may have dropped this member */
  sessionMaybeExpired(now = Date.now()): boolean { return this.stable && now - this.lastHeartbeatOk > this.cfg.sessionTimeoutMs; }

  /** The owner's poll loop came round (max.poll.interval.ms counts from here). */
  polled(now = Date.now()): void { this.lastPoll = now; }

  /** the next poll rejoins (e.g. the subscription changed) */
  requestRejoin(reason: string): void { if (!this.rejoin) { this.rejoin = true; this.rejoinReason = reason; } }

  private async anyConnection(): Promise<Connection> {
    return this.pool.getFirstAvailable([...this.bootstrap, ...this.known.values()]);
  }

  private async pick(conn: Connection): Promise<Picked> {
    if (this.apis) return this.apis;
    const res = await apiVersionsV3.api.async(conn, 'tributary', '1');
    const out: Partial<Record<keyof Versions, unknown>> = {};
    for (const [name, d] of Object.entries(VERSIONS) as [keyof Versions, Versions[keyof Versions]][]) {
      const b = res.apiKeys.find((k) => k.apiKey === d.key);
      const m = d.apis.find((a) => b && a.api.version >= b.minVersion && a.api.version <= b.maxVersion);
      if (!m) throw new GroupMemberError(`the broker's ${name} versions (${b?.minVersion}-${b?.maxVersion}) include none this client speaks (${d.apis.map((a) => a.api.version).join(', ')})`);
      out[name] = m.api;
    }
    return (this.apis = out as Picked);
  }

  private async findCoordinator(): Promise<{ conn: Connection; apis: Picked }> {
    if (!this.coordinator) {
      const conn = await this.anyConnection();
      const apis = await this.pick(conn);
      const res = apis.findCoordinator.version >= 4
        ? await (apis.findCoordinator as typeof findCoordinatorV4.api).async(conn, 0, [this.cfg.groupId])
        : (() => { throw new GroupMemberError('FindCoordinator v4+ needed'); })();
      const c = res.coordinators[0];
      this.coordinator = { host: c.host, port: c.port };
      this.coordinatorId = c.nodeId;
      this.known.set(`${c.host}:${c.port}`, this.coordinator);
    }
    const conn = await this.pool.get(this.coordinator);
    return { conn, apis: await this.pick(conn) };
  }

  /**
   * One request to the coordinator; a moved or unavailable coordinator, one still loading
   * its groups and a broken connection are retried (rediscovered) until `deadline`.
   */
  private async toCoordinator<T>(deadline: number, fn: (conn: Connection, apis: Picked) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new GroupMemberError('closed');
      try {
        const { conn, apis } = await this.findCoordinator();
        return await fn(conn, apis);
      } catch (e) {
        const ids = errorIds(e);
        const gone = COORDINATOR_GONE.some((x) => ids.has(x)) || isNetwork(e);
        if (!gone && !ids.has('COORDINATOR_LOAD_IN_PROGRESS')) throw e;
        if (gone) this.coordinator = null;
        if (Date.now() >= deadline) throw e;
        await sleep(Math.min(1000, 100 * 2 ** attempt));
      }
    }
  }

  /**
   * Joins (or rejoins) the group and returns this member's assignment bytes; retries until the
   * rebalance timeout (plus a session) has passed, then throws for the caller's backoff.
   */
  async join(): Promise<Buffer> {
    this.stopHeartbeats();
    this.rejoin = true;
    const deadline = Date.now() + this.cfg.rebalanceTimeoutMs + this.cfg.sessionTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new GroupMemberError('closed');
      let joined: JoinGroupResponse;
      try {
        joined = await this.toCoordinator(deadline, (conn, apis) => (apis.joinGroup as typeof joinGroupV9.api).async(conn, this.cfg.groupId, this.cfg.sessionTimeoutMs, this.cfg.rebalanceTimeoutMs, this.memberId, null, this.cfg.protocolType ?? 'consumer', this.cfg.protocols(), null));
      } catch (e) {
        const ids = errorIds(e);
        const res = (e as { response?: JoinGroupResponse }).response;
        if (ids.has('MEMBER_ID_REQUIRED') && res?.memberId) { this.memberId = res.memberId; continue; } // KIP-394: join again with the id given
        if (ids.has('UNKNOWN_MEMBER_ID') || ids.has('ILLEGAL_GENERATION')) this.resetMember();
        else if (!ids.has('REBALANCE_IN_PROGRESS')) throw e; // INCONSISTENT_GROUP_PROTOCOL, GROUP_AUTHORIZATION_FAILED, INVALID_SESSION_TIMEOUT, …
        if (Date.now() >= deadline) throw e;
        await sleep(Math.min(1000, 50 * 2 ** attempt));
        continue;
      }
      this.memberId = joined.memberId ?? this.memberId;
      this.generationId = joined.generationId;
      this.protocol = joined.protocolName ?? null;
      this.leader = joined.leader === this.memberId;
      let assignments: { memberId: string; assignment: Buffer }[] = [];
      if (this.leader && !joined.skipAssignment) {
        const out = await this.cfg.assign(this.protocol ?? '', joined.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })));
        assignments = joined.members.map((m) => ({ memberId: m.memberId, assignment: out.get(m.memberId) ?? Buffer.alloc(0) }));
      }
      try {
        const synced = await this.toCoordinator(deadline, (conn, apis) => (apis.syncGroup as typeof syncGroupV5.api).async(conn, this.cfg.groupId, this.generationId, this.memberId, null, this.cfg.protocolType ?? 'consumer', this.protocol, assignments));
        this.rejoin = false;
        this.stable = true;
        this.lastHeartbeatOk = Date.now();
        this.lastPoll = Date.now();
        this.startHeartbeats();
        return synced.assignment ?? Buffer.alloc(0);
      } catch (e) {
        const ids = errorIds(e);
        if (ids.has('UNKNOWN_MEMBER_ID') || ids.has('ILLEGAL_GENERATION')) this.resetMember();
        else if (!ids.has('REBALANCE_IN_PROGRESS')) throw e;
        this.generationId = -1;
        if (Date.now() >= deadline) throw e;
      }
    }
  }

  private resetMember(): void { this.memberId = ''; this.generationId = -1; this.stable = false; }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.timer = setInterval(() => void this.heartbeat(), this.cfg.heartbeatIntervalMs);
    this.timer.unref();
  }
  private stopHeartbeats(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  /** The coordinator's answer says this member is out of its generation (or the group): stop beating and rejoin. */
  private leftGeneration(ids: Set<string>, what: string): boolean {
    if (ids.has('UNKNOWN_MEMBER_ID') || ids.has('FENCED_INSTANCE_ID')) { this.resetMember(); this.stopHeartbeats(); this.markRejoin(`${what}: the coordinator no longer knows this member`); return true; }
    if (ids.has('ILLEGAL_GENERATION')) { this.generationId = -1; this.stable = false; this.stopHeartbeats(); this.markRejoin(`${what}: the generation ended`); return true; }
    return false;
  }

  private markRejoin(reason: string): void {
    const first = !this.rejoin;
    this.rejoin = true;
    this.rejoinReason = reason;
    if (first) this.cfg.onRejoinNeeded?.(reason);
  }

  /** One heartbeat (the timer's; also sent by the owner when the session may have expired). */
  async heartbeat(): Promise<void> {
    if (this.beating || !this.stable || this.closed) return;
    const max = this.cfg.maxPollIntervalMs;
    if (max !== undefined && Date.now() - this.lastPoll > max) { await this.leaveOnPollTimeout(max); return; }
    this.beating = true;
    const generation = this.generationId, member = this.memberId;
    try {
      await this.toCoordinator(Date.now() + this.cfg.heartbeatIntervalMs, (conn, apis) => apis.heartbeat.async(conn, this.cfg.groupId, generation, member, null));
      this.lastHeartbeatOk = Date.now();
    } catch (e) {
      if (this.generationId !== generation || this.memberId !== member) return; // a join since
      const ids = errorIds(e);
      if (ids.has('REBALANCE_IN_PROGRESS')) { this.lastHeartbeatOk = Date.now(); this.markRejoin('the group is rebalancing'); return; }
      if (this.leftGeneration(ids, 'heartbeat')) return;
      // coordinator moving, network: the next beat finds it again; past the session the owner sees sessionMaybeExpired()
      this.cfg.logger?.debug({ err: e, group: this.cfg.groupId }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  /**
   * Kafka's consumer does the same from its heartbeat thread: a poll loop stuck longer than
   * max.poll.interval.ms gives its partitions up (LeaveGroup) rather than holding them while
   * it heartbeats; the next poll rejoins.
   */
  private async leaveOnPollTimeout(max: number): Promise<void> {
    const member = this.memberId;
    this.cfg.logger?.warn({ group: this.cfg.groupId, memberId: member, maxPollIntervalMs: max, sincePollMs: Date.now() - this.lastPoll },
      'consumer poll timeout has expired: the time between two polls was longer than max.poll.interval.ms, which typically means the poll loop spends too much time processing records; this member leaves the group and rejoins at its next poll. Raise max.poll.interval.ms or reduce max.poll.records / the work per batch.');
    this.resetMember();
    this.stopHeartbeats();
    this.markRejoin(`poll timeout: no poll for more than max.poll.interval.ms (${max} ms)`);
    if (!member) return;
    await this.toCoordinator(Date.now() + 3000, (conn, apis) => apis.leaveGroup.async(conn, this.cfg.groupId, [{ memberId: member, groupInstanceId: null, reason: 'consumer poll timeout has expired' }]))
      .catch((e) => this.cfg.logger?.debug({ err: e, group: this.cfg.groupId }, 'LeaveGroup after the poll timeout failed'));
  }

  /** Commits offsets (the next offset to read) in this member's generation. */
  async commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (!offsets.length) return;
    const topics = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }[]>();
    for (const o of offsets) {
      let l = topics.get(o.topic);
      if (!l) topics.set(o.topic, (l = []));
      l.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
    }
    if (this.lost) throw new CommitFailedError(`group ${this.cfg.groupId}: offsets not committed — this member is not in the group's current generation (${this.rejoinReason}); its partitions may belong to another member now, which reads them from the last committed offsets`);
    const generation = this.generationId, member = this.memberId;
    try {
      await this.toCoordinator(Date.now() + (this.cfg.requestTimeoutMs ?? 30000), (conn, apis) => apis.offsetCommit.async(conn, this.cfg.groupId, generation, member, null, [...topics].map(([name, partitions]) => ({ name, partitions }))));
    } catch (e) {
      const ids = errorIds(e);
      if (this.generationId === generation && this.memberId === member) this.leftGeneration(ids, 'commit');
      throw e;
    }
  }

  /** The group's committed offsets (-1: none) of these partitions. */
  async committed(parts: { topic: string; partition: number }[]): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const p of parts) { let l = byTopic.get(p.topic); if (!l) byTopic.set(p.topic, (l = [])); l.push(p.partition); }
    const res = await this.toCoordinator(Date.now() + (this.cfg.requestTimeoutMs ?? 30000), (conn, apis) =>
      apis.offsetFetch.async(conn, [{ groupId: this.cfg.groupId, memberId: null, memberEpoch: -1, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }], false));
    const out = new Map<string, number>();
    for (const g of res.groups) for (const t of g.topics) for (const p of t.partitions) out.set(`${t.name}\u0000${p.partitionIndex}`, Number(p.committedOffset));
    return out;
  }

  /** Partition counts of these topics (for a leader's assignor); a missing topic counts 0. */
  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!topics.length) return out;
    const conn = await this.anyConnection();
    const apis = await this.pick(conn);
    let res;
    try { res = await (apis.metadata as typeof metadataV12.api).async(conn, topics, false, false); } catch (e) {
      res = (e as { response?: Awaited<ReturnType<typeof metadataV12.api.async>> }).response;
      if (!res) throw e;
    }
    for (const b of res.brokers) this.known.set(`${b.host}:${b.port}`, { host: b.host, port: b.port });
    for (const t of res.topics) if (t.name && t.errorCode === 0) out.set(t.name, t.partitions.length);
    return out;
  }

  /** Leaves the group (its partitions move to the others at once) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stopHeartbeats();
    if (this.memberId) {
      const member = this.memberId;
      await this.toCoordinator(Date.now() + 3000, (conn, apis) => apis.leaveGroup.async(conn, this.cfg.groupId, [{ memberId: member, groupInstanceId: null, reason: 'closing' }]))
        .catch((e) => this.cfg.logger?.debug({ err: e, group: this.cfg.groupId }, 'LeaveGroup failed'));
    }
    this.closed = true;
    this.resetMember();
    await this.pool.close().catch(() => undefined);
  }

  get reason(): string { return this.rejoinReason; }
}
