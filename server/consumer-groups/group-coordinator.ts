// Group coordinator: JoinGroup/SyncGroup/Heartbeat/LeaveGroup rebalancing,
// committed offsets kept in `__consumer_offsets` (Kafka's key/value schemas, so
// tools reading that topic understand it) and rebuilt from it on start.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiHandlers, RequestContext } from '../network/api-handlers.ts';
import type { RequestOf } from '../protocol/schema.ts';
import { DeleteGroups, DescribeGroups, Heartbeat, JoinGroup, LeaveGroup, ListGroups, ListOffsets, OffsetCommit, OffsetDelete, OffsetFetch, SyncGroup } from '../protocol/apis/index.ts';
import { PeerConnections, type BrokerConnection } from '../replication/broker-connection.ts';
import type { BrokerConfig } from '../config.ts';
import type { MetadataStore } from '../cluster/metadata-store.ts';
import type { TopicManager } from '../topic-manager.ts';
import type { ReplicaManager, Partition } from '../replica-manager.ts';
import { KafkaError, code } from '../errors.ts';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, buildBatch, readBatchInfo, readRecords, type BuildOptions, type NewRecord } from '../log/record-batch.ts';
import { Reader, Writer } from '../protocol/buffers.ts';
import { partitionFor } from '../txn/transaction-coordinator.ts';
import { Group, type Member, type JoinResult, type CommittedOffset } from './group.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
const pk = (t: string, p: number) => `${t}\u0000${p}`;
const EMPTY = Buffer.alloc(0);
/** Kafka's offsets.commit.timeout.ms default: how long a commit waits for the replicas of __consumer_offsets. */
const COMMIT_TIMEOUT_MS = 5000;
/** How long an OffsetFetch without requireStable waits for a partition's transactional offsets to get their marker. */
const STABLE_WAIT_MS = 2000;
/** ListOffsets timestamps: the high-water mark, the log start */
const LATEST = -1n;
const EARLIEST = -2n;
/** lag() asks the leaders of partitions led elsewhere for their high-water marks at most this often */
const REMOTE_ENDS_EVERY_MS = 1000;

export interface GroupLag {
  topic: string; partition: number; committed: bigint | null; logEndOffset: bigint; lag: bigint | null; metadata: string | null;
}

/** What the group coordinator needs of its broker. */
export interface GroupCoordinatorDeps {
  config: BrokerConfig;
  logger: Logger;
  metadata: MetadataStore;
  topics: TopicManager;
  replicas: ReplicaManager;
}

export class GroupCoordinator {
  groups = new Map<string, Group>();
  /** told each time a rebalance completes (metrics) */
  onRebalanceCompleted?: () => void;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** __consumer_offsets partitions this broker leads and has loaded */
  private loaded = new Set<number>();
  /** high-water marks of partitions led by other brokers, as their leaders last answered (lag()) */
  private remoteEnds = new Map<string, bigint>();
  private remoteEndsAt = 0;
  private remoteEndsAsking = false;
  /** connections to other brokers for ListOffsets */
  private readonly peers = new PeerConnections({
    clientId: () => `tributary-group-coordinator-${this.b.replicas.metadata.nodeId}`,
    endpoint: (id) => this.b.replicas.brokerEndpoint(id),
    security: () => this.b.replicas.interBroker,
  });

  constructor(private readonly b: GroupCoordinatorDeps) {}

  private get cfg() { return this.b.config; }

  start(): void {
    // A group is coordinated by the leader of its __consumer_offsets partition: its
    // state is loaded when this broker becomes that leader and dropped when it stops.
    this.b.replicas.onLeadershipChange((p, leader) => {
      if (p.topic !== OFFSETS_TOPIC || this.stopped) return;
      if (leader) this.loadPartition(p.partition); else this.unloadPartition(p.partition);
    });
    this.load();
    this.timer = setInterval(() => this.expireOffsets(), this.cfg.int('offsets.retention.check.interval.ms'));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.peers.closeAll();
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) clearTimeout(m.sessionTimer);
      for (const t of g.pendingMembers.values()) clearTimeout(t);
      clearTimeout(g.rebalanceTimer);
    }
  }

  register(h: ApiHandlers): void {
    h.handle(OffsetCommit, (c, r) => this.offsetCommit(c, r));
    h.handle(OffsetFetch, (c, r) => this.offsetFetch(c, r));
    h.handle(JoinGroup, (c, r) => this.joinGroup(c, r));
    h.handle(Heartbeat, (c, r) => this.heartbeat(c, r));
    h.handle(LeaveGroup, (c, r) => this.leaveGroup(c, r));
    h.handle(SyncGroup, (c, r) => this.syncGroup(c, r));
    h.handle(DescribeGroups, (c, r) => this.describeGroups(c, r));
    h.handle(ListGroups, (c, r) => this.listGroups(c, r));
    h.handle(DeleteGroups, (c, r) => this.deleteGroups(c, r));
    h.handle(OffsetDelete, (c, r) => this.offsetDelete(c, r));
  }

  /**
   * A member's session: it expires sessionTimeoutMs after the last sign of life
   * (join, sync, heartbeat, commit), on its own timer as Kafka's heartbeat purgatory
   * does, not on a periodic sweep that would expire it late.
   */
  private keepAlive(g: Group, m: Member): void {
    m.lastHeartbeat = Date.now();
    clearTimeout(m.sessionTimer);
    m.sessionTimer = setTimeout(() => this.sessionExpired(g, m), m.sessionTimeoutMs);
    m.sessionTimer.unref();
  }

  private dropPending(g: Group, id: string): boolean {
    const t = g.pendingMembers.get(id);
    if (!t) return false;
    clearTimeout(t);
    return g.pendingMembers.delete(id);
  }

  private sessionExpired(g: Group, m: Member): void {
    if (this.stopped || this.groups.get(g.groupId) !== g || g.members.get(m.memberId) !== m) return;
    if (m.awaitingJoin) return; // the rebalance deadline decides; completing the join re-arms the session
    this.b.logger.info({ group: g.groupId, member: m.memberId }, 'member session expired');
    this.removeMember(g, m);
  }

  // ---- __consumer_offsets ----

  private offsetsTopic() {
    return this.b.metadata.get(OFFSETS_TOPIC) ?? this.b.topics.create(OFFSETS_TOPIC, this.cfg.int('offsets.topic.num.partitions'), 1,
      { 'cleanup.policy': 'compact', 'segment.bytes': String(this.cfg.int('offsets.topic.segment.bytes')) }, false, true)!;
  }

  private write(groupId: string, records: NewRecord[], opts: BuildOptions = {}): { part: Partition; lastOffset: bigint } | null {
    if (!records.length) return null;
    const t = this.offsetsTopic();
    const part = this.b.replicas.get(OFFSETS_TOPIC, partitionFor(groupId, t.partitions.length))!;
    return { part, lastOffset: this.b.replicas.append(part, buildBatch(records, opts)).lastOffset };
  }

  /**
   * A commit is answered once the in-sync replicas of its __consumer_offsets partition
   * hold it (as Kafka's acks=-1 offset writes), so a coordinator move loses no
   * acknowledged commit. At once on a single node.
   */
  private afterReplicated<T>(w: { part: Partition; lastOffset: bigint } | null, ok: T, fail: (c: number) => T): T | Promise<T> {
    if (!w || w.part.highWatermark > w.lastOffset) return ok;
    return this.b.replicas.waitForCommit(w.part, w.lastOffset, COMMIT_TIMEOUT_MS).then((err) => {
      if (!err) return ok;
      // Kafka's mapping of a failed offsets append to the error a group client retries on.
      return fail(code(err === 'NOT_LEADER_OR_FOLLOWER' ? 'NOT_COORDINATOR' : err === 'REQUEST_TIMED_OUT' ? 'REQUEST_TIMED_OUT' : 'COORDINATOR_NOT_AVAILABLE'));
    });
  }

  private offsetKey(g: string, topic: string, p: number): Buffer { return new Writer().int16(1).string(g).string(topic).int32(p).toBuffer(); }
  private offsetValue(o: CommittedOffset): Buffer {
    return new Writer().int16(3).int64(o.offset).int32(o.leaderEpoch).string(o.metadata).int64(BigInt(o.commitTimestamp)).toBuffer();
  }
  private decodeOffset(value: Buffer): CommittedOffset {
    const v = new Reader(value); const vv = v.int16();
    const offset = v.int64();
    const leaderEpoch = vv >= 3 ? v.int32() : -1;
    const metadata = v.string();
    const commitTimestamp = Number(v.int64());
    return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: null };
  }
  private groupKey(g: string): Buffer { return new Writer().int16(2).string(g).toBuffer(); }
  private groupValue(g: Group): Buffer {
    const w = new Writer();
    w.int16(3).string(g.protocolType ?? '').int32(g.generationId).nullableString(g.protocolName).nullableString(g.leaderId).int64(BigInt(g.stateTimestamp));
    w.int32(g.members.size);
    for (const m of g.members.values()) {
      w.string(m.memberId).nullableString(m.groupInstanceId).string(m.clientId).string(m.clientHost).int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs);
      w.bytes(m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY).bytes(m.assignment);
    }
    return w.toBuffer();
  }

  private writeGroup(g: Group) { return this.write(g.groupId, [{ key: this.groupKey(g.groupId), value: this.groupValue(g) }]); }
  private persistGroup(g: Group): void { this.writeGroup(g); }

  /**
   * NOT_COORDINATOR unless this broker leads the group's __consumer_offsets partition. Before
   * the topic exists a single node coordinates everything (it creates the topic on first use);
   * a broker of a cluster owns nothing until FindCoordinator has created it and named a leader.
   */
  coordinatorError(groupId: string): number {
    const t = this.b.metadata.get(OFFSETS_TOPIC);
    if (!t) return this.cfg.get('metadata.store.url') ? code('NOT_COORDINATOR') : 0;
    const part = this.b.replicas.get(OFFSETS_TOPIC, partitionFor(groupId, t.partitions.length));
    return part && part.isLeader && this.loaded.has(part.partition) ? 0 : code('NOT_COORDINATOR');
  }

  private load(): void {
    const t = this.b.metadata.get(OFFSETS_TOPIC);
    if (!t) return;
    for (const pm of t.partitions) {
      const part = this.b.replicas.get(OFFSETS_TOPIC, pm.partition);
      if (part?.isLeader) this.loadPartition(pm.partition);
    }
  }

  /**
   * The groups of one __consumer_offsets partition, replayed from its log (this broker
   * now leads it). As Kafka's loader: transactional offset records wait, by producer id,
   * for their transaction's marker in the same log, which makes them committed offsets
   * or drops them; those still without a marker stay pending for the marker to come.
   */
  private loadPartition(n: number): void {
    if (this.loaded.has(n)) this.unloadPartition(n);
    const part = this.b.replicas.get(OFFSETS_TOPIC, n);
    if (!part) return;
    const before = new Set(this.groups.keys());
    {
      let at = part.log.logStartOffset;
      while (at < part.log.logEndOffset) {
        const bufs = part.log.read(at, 4 << 20, part.log.logEndOffset);
        if (!bufs.length) break;
        for (const buf of bufs) {
          let pos = 0;
          while (pos < buf.length) {
            const info = readBatchInfo(buf, pos);
            const transactional = (info.attributes & ATTR_TRANSACTIONAL) !== 0;
            if ((info.attributes & ATTR_CONTROL) !== 0) {
              const key = readRecords(buf, pos)[0]?.key;
              if (transactional && key && key.length >= 4) this.materialize(n, info.producerId, key.readInt16BE(2) === 1);
            } else {
              for (const rec of readRecords(buf, pos)) this.applyRecord(rec.key, rec.value, transactional ? info.producerId : null);
            }
            at = info.baseOffset + BigInt(info.lastOffsetDelta) + 1n;
            pos += info.size;
          }
        }
      }
    }
    this.loaded.add(n);
    for (const g of this.groups.values()) if (!before.has(g.groupId)) for (const m of g.members.values()) this.keepAlive(g, m);
    if (this.groups.size > before.size) this.b.logger.info({ partition: part.key, groups: this.groups.size - before.size }, 'group coordinator: loaded the groups of a __consumer_offsets partition this broker now leads');
  }

  /** This broker no longer leads partition `n`: its groups move to the new leader; waiting members are told NOT_COORDINATOR. */
  private unloadPartition(n: number): void {
    this.loaded.delete(n);
    const count = this.b.metadata.get(OFFSETS_TOPIC)?.partitions.length ?? 0;
    for (const g of [...this.groups.values()]) {
      if (partitionFor(g.groupId, count) !== n) continue;
      for (const m of g.members.values()) {
        clearTimeout(m.sessionTimer);
        if (m.awaitingJoin) { const cb = m.awaitingJoin; m.awaitingJoin = undefined; cb({ errorCode: code('NOT_COORDINATOR'), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: m.memberId, members: [] }); }
        if (m.awaitingSync) { const cb = m.awaitingSync; m.awaitingSync = undefined; cb({ errorCode: code('NOT_COORDINATOR'), assignment: EMPTY }); }
      }
      for (const timer of g.pendingMembers.values()) clearTimeout(timer);
      clearTimeout(g.rebalanceTimer);
      this.groups.delete(g.groupId);
    }
  }

  /** One record of __consumer_offsets; `producerId` when it was written in a transaction (TxnOffsetCommit). */
  private applyRecord(key: Buffer | null, value: Buffer | null, producerId: bigint | null = null): void {
    if (!key) return;
    const r = new Reader(key);
    const version = r.int16();
    const groupId = r.string();
    if (version <= 1) {
      const topic = r.string(); const p = r.int32();
      const g = this.group(groupId, true);
      if (producerId !== null) {
        if (!value) return;
        let pending = g.pendingTxnOffsets.get(producerId.toString());
        if (!pending) { pending = new Map(); g.pendingTxnOffsets.set(producerId.toString(), pending); }
        pending.set(pk(topic, p), this.decodeOffset(value));
        return;
      }
      if (!value) { g.offsets.delete(pk(topic, p)); return; }
      g.offsets.set(pk(topic, p), this.decodeOffset(value));
    } else if (version === 2) {
      if (!value) { const g = this.groups.get(groupId); if (g && g.offsets.size === 0) this.groups.delete(groupId); else if (g) { g.members.clear(); g.transition('Empty'); } return; }
      const g = this.group(groupId, true);
      const v = new Reader(value); const vv = v.int16();
      g.protocolType = v.string() || null; g.generationId = v.int32(); g.protocolName = v.nullableString(); g.leaderId = v.nullableString();
      if (vv >= 2) g.stateTimestamp = Number(v.int64());
      g.members.clear(); g.staticMembers.clear();
      const n = v.int32();
      for (let i = 0; i < n; i++) {
        const memberId = v.string(); const groupInstanceId = vv >= 3 ? v.nullableString() : null; const clientId = v.string(); const clientHost = v.string();
        const rebalanceTimeoutMs = vv >= 1 ? v.int32() : 60000; const sessionTimeoutMs = v.int32(); const sub = v.bytes(); const assignment = v.bytes();
        g.members.set(memberId, { memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocolType: g.protocolType ?? '', protocols: [{ name: g.protocolName ?? '', metadata: Buffer.from(sub) }], assignment: Buffer.from(assignment), lastHeartbeat: Date.now(), isNew: false });
        if (groupInstanceId) g.staticMembers.set(groupInstanceId, memberId);
      }
      g.transition(g.members.size ? 'Stable' : 'Empty');
    }
  }

  group(id: string, create: boolean): Group {
    let g = this.groups.get(id);
    if (!g && create) { g = new Group(id); this.groups.set(id, g); }
    return g!;
  }

  // ---- rebalancing ----

  private prepareRebalance(g: Group, reason: string): void {
    if (g.state === 'PreparingRebalance') { this.maybeCompleteJoin(g); return; }
    // A pending SyncGroup from the previous generation must rejoin.
    for (const m of g.members.values()) if (m.awaitingSync) { m.awaitingSync({ errorCode: code('REBALANCE_IN_PROGRESS'), assignment: EMPTY }); m.awaitingSync = undefined; }
    const wasEmpty = g.state === 'Empty';
    g.transition('PreparingRebalance');
    const timeout = Math.max(g.maxRebalanceTimeout(), 1);
    g.rebalanceDeadline = Date.now() + timeout;
    const delay = this.cfg.int('group.initial.rebalance.delay.ms');
    g.initialDelayUntil = wasEmpty && delay > 0 ? Date.now() + Math.min(delay, timeout) : 0;
    this.b.logger.debug({ group: g.groupId, reason }, 'preparing rebalance');
    this.scheduleJoinCheck(g);
    this.maybeCompleteJoin(g);
  }

  private scheduleJoinCheck(g: Group): void {
    clearTimeout(g.rebalanceTimer);
    const wait = Math.max(0, (g.initialDelayUntil > Date.now() ? g.initialDelayUntil : g.rebalanceDeadline) - Date.now());
    g.rebalanceTimer = setTimeout(() => this.maybeCompleteJoin(g, true), wait);
    g.rebalanceTimer.unref();
  }

  /** Completes the join phase once every member rejoined, or drops laggards at the deadline. */
  private maybeCompleteJoin(g: Group, timerFired = false): void {
    if (g.state !== 'PreparingRebalance') return;
    const now = Date.now();
    if (g.initialDelayUntil > now) { if (!timerFired) return; this.scheduleJoinCheck(g); return; }
    const deadlinePassed = now >= g.rebalanceDeadline;
    if (!g.allJoined()) {
      if (!deadlinePassed) { if (timerFired) this.scheduleJoinCheck(g); return; }
      for (const m of [...g.members.values()]) if (!m.awaitingJoin) this.removeMember(g, m, false);
    }
    clearTimeout(g.rebalanceTimer);
    this.onRebalanceCompleted?.();
    if (g.members.size === 0) {
      g.generationId++;
      g.protocolName = null; g.leaderId = null;
      g.transition('Empty');
      this.persistGroup(g);
      return;
    }
    g.generationId++;
    g.protocolName = g.selectProtocol();
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.transition('CompletingRebalance');
    for (const m of g.members.values()) {
      m.assignment = EMPTY; m.isNew = false;
      const isLeader = m.memberId === g.leaderId;
      const res: JoinResult = {
        errorCode: 0, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, leader: g.leaderId!, memberId: m.memberId,
        members: isLeader ? this.memberList(g) : [],
      };
      const cb = m.awaitingJoin!; m.awaitingJoin = undefined;
      this.keepAlive(g, m);
      cb(res);
    }
    // Members that never send SyncGroup are caught by their session timeout.
  }

  private removeMember(g: Group, m: Member, rebalance = true): void {
    g.members.delete(m.memberId);
    clearTimeout(m.sessionTimer);
    if (m.groupInstanceId && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    if (m.awaitingJoin) { m.awaitingJoin({ errorCode: code('UNKNOWN_MEMBER_ID'), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: m.memberId, members: [] }); m.awaitingJoin = undefined; }
    if (m.awaitingSync) { m.awaitingSync({ errorCode: code('UNKNOWN_MEMBER_ID'), assignment: EMPTY }); m.awaitingSync = undefined; }
    if (g.leaderId === m.memberId) g.leaderId = null;
    // The protocol type stays when the last member leaves (Kafka keeps "consumer", so admin
    // clients still list an empty consumer group as one, not as a simple group).
    if (!rebalance) return;
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g, `member ${m.memberId} left`);
    else if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
  }

  /** offsets.retention.minutes: offsets of groups empty for that long go away (Kafka ≥ 2.1). */
  expireOffsets(now = Date.now()): number {
    const retention = this.cfg.int('offsets.retention.minutes') * 60000;
    let n = 0;
    for (const g of [...this.groups.values()]) {
      if (g.state !== 'Empty' || now - g.stateTimestamp < retention) continue;
      const tomb: NewRecord[] = [];
      for (const [k, o] of g.offsets) {
        if (now - o.commitTimestamp < retention) continue;
        const [topic, p] = k.split('\u0000');
        tomb.push({ key: this.offsetKey(g.groupId, topic, Number(p)), value: null });
        g.offsets.delete(k); n++;
      }
      this.write(g.groupId, tomb);
      if (g.offsets.size === 0 && g.members.size === 0) { this.write(g.groupId, [{ key: this.groupKey(g.groupId), value: null }]); this.groups.delete(g.groupId); }
    }
    return n;
  }

  // ---- handlers ----

  joinGroup(ctx: RequestContext, req: RequestOf<typeof JoinGroup>): Promise<JoinResult> | JoinResult {
    const v = ctx.apiVersion;
    const fail = (name: Parameters<typeof code>[0], memberId = req.memberId ?? ''): JoinResult => ({ errorCode: code(name), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] });
    if (!req.groupId) return fail('INVALID_GROUP_ID');
    if (this.coordinatorError(req.groupId)) return fail('NOT_COORDINATOR');
    if (req.sessionTimeoutMs < this.cfg.int('group.min.session.timeout.ms') || req.sessionTimeoutMs > this.cfg.int('group.max.session.timeout.ms')) return fail('INVALID_SESSION_TIMEOUT');
    this.offsetsTopic();
    const g = this.group(req.groupId, true);
    if (g.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (!g.supports(req.protocolType, req.protocols)) return fail('INCONSISTENT_GROUP_PROTOCOL');
    const instanceId: string | null = req.groupInstanceId ?? null;
    let memberId: string = req.memberId ?? '';
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;

    if (memberId === '') {
      const newId = `${ctx.clientId ?? 'client'}-${randomUUID()}`;
      if (instanceId && g.staticMembers.has(instanceId)) return this.replaceStaticMember(ctx, g, instanceId, newId, req, rebalanceTimeoutMs);
      if (v >= 4 && !instanceId) {
        // Kafka forgets a handed-out id that is not used within the session timeout.
        const t = setTimeout(() => g.pendingMembers.delete(newId), req.sessionTimeoutMs);
        t.unref();
        g.pendingMembers.set(newId, t);
        return fail('MEMBER_ID_REQUIRED', newId);
      }
      memberId = newId;
    } else if (!g.pendingMembers.has(memberId)) {
      // As Kafka: a replaced static member learns it is fenced before anything else about its id.
      const err = this.checkMember(g, memberId, instanceId);
      if (err) return fail(err === code('FENCED_INSTANCE_ID') ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID');
    }
    this.dropPending(g, memberId);
    let m = g.members.get(memberId);
    if (!m) {
      m = { memberId, groupInstanceId: instanceId, clientId: ctx.clientId ?? '', clientHost: ctx.clientHost, sessionTimeoutMs: req.sessionTimeoutMs, rebalanceTimeoutMs, protocolType: req.protocolType, protocols: req.protocols, assignment: EMPTY, lastHeartbeat: Date.now(), isNew: true };
      if (g.members.size === 0) g.protocolType = req.protocolType;
      g.members.set(memberId, m);
      this.keepAlive(g, m);
      if (instanceId) g.staticMembers.set(instanceId, memberId);
      return this.joinExisting(g, m, req, true);
    }
    return this.joinExisting(g, m, req);
  }

  /**
   * A static member rejoins with an unknown member id (a restarted process): it takes
   * over its old slot under a new id and the old id is fenced. A Stable group whose
   * protocol stays the same does not rebalance (KIP-345). Kafka answers as KIP-814
   * says: JoinGroup v9+ tells a returning leader to skip the assignment; older
   * versions name the old leader id, so the returning member never thinks itself
   * leader of a group it got no member list for (librdkafka's cooperative-sticky
   * assignor crashes on an empty one).
   */
  private replaceStaticMember(ctx: RequestContext, g: Group, instanceId: string, newId: string, req: RequestOf<typeof JoinGroup>, rebalanceTimeoutMs: number): Promise<JoinResult> | JoinResult {
    const old = g.members.get(g.staticMembers.get(instanceId)!)!;
    const currentLeader = g.leaderId;
    g.members.delete(old.memberId);
    clearTimeout(old.sessionTimer);
    const fenced: JoinResult = { errorCode: code('FENCED_INSTANCE_ID'), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: old.memberId, members: [] };
    if (old.awaitingJoin) old.awaitingJoin(fenced);
    if (old.awaitingSync) old.awaitingSync({ errorCode: code('FENCED_INSTANCE_ID'), assignment: EMPTY });
    const m: Member = { ...old, memberId: newId, clientId: ctx.clientId ?? '', clientHost: ctx.clientHost, sessionTimeoutMs: req.sessionTimeoutMs, rebalanceTimeoutMs, protocols: req.protocols, awaitingJoin: undefined, awaitingSync: undefined, lastHeartbeat: Date.now() };
    g.members.set(newId, m); g.staticMembers.set(instanceId, newId);
    this.keepAlive(g, m);
    if (g.leaderId === old.memberId) g.leaderId = newId;
    if (g.state === 'Stable' && g.selectProtocol() === g.protocolName) {
      this.persistGroup(g);
      const base = { errorCode: 0, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, memberId: newId };
      if (ctx.apiVersion >= 9) {
        const isLeader = g.leaderId === newId;
        return { ...base, leader: g.leaderId!, skipAssignment: isLeader, members: isLeader ? this.memberList(g) : [] };
      }
      return { ...base, leader: currentLeader ?? '', skipAssignment: false, members: [] };
    }
    // Otherwise rebalance (in CompletingRebalance the leader may be assigning to the old id).
    return this.joinExisting(g, m, req, true);
  }

  private memberList(g: Group): JoinResult['members'] {
    return [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: x.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY }));
  }

  /**
   * Kafka's order of checks for a request naming a member: a static instance id that
   * now belongs to another member id is FENCED_INSTANCE_ID (fatal for the client);
   * then an unknown instance id or member id is UNKNOWN_MEMBER_ID (rejoin). 0 = fine.
   */
  private checkMember(g: Group, memberId: string, instanceId: string | null): number {
    if (instanceId) {
      const current = g.staticMembers.get(instanceId);
      if (current === undefined) return code('UNKNOWN_MEMBER_ID');
      if (current !== memberId) return code('FENCED_INSTANCE_ID');
    }
    return g.members.has(memberId) ? 0 : code('UNKNOWN_MEMBER_ID');
  }

  private joinExisting(g: Group, m: Member, req: RequestOf<typeof JoinGroup>, isNew = false): Promise<JoinResult> | JoinResult {
    const changed = isNew || m.protocols.length !== req.protocols.length || m.protocols.some((p, i) => p.name !== req.protocols[i].name || !p.metadata.equals(req.protocols[i].metadata));
    m.protocols = req.protocols; m.sessionTimeoutMs = req.sessionTimeoutMs;
    this.keepAlive(g, m);
    if (req.rebalanceTimeoutMs > 0) m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (g.state === 'Stable' && !changed && m.memberId !== g.leaderId) {
      // Nothing changed for a follower: answer with the current generation.
      return { errorCode: 0, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, leader: g.leaderId!, memberId: m.memberId, members: [] };
    }
    if (g.state === 'CompletingRebalance' && !changed) {
      const isLeader = m.memberId === g.leaderId;
      return { errorCode: 0, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, leader: g.leaderId!, memberId: m.memberId, members: isLeader ? this.memberList(g) : [] };
    }
    return new Promise<JoinResult>((resolve) => {
      if (m.awaitingJoin) m.awaitingJoin({ errorCode: code('UNKNOWN_MEMBER_ID'), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: m.memberId, members: [] });
      m.awaitingJoin = resolve;
      if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
      else this.prepareRebalance(g, `member ${m.memberId} joined`);
    });
  }

  syncGroup(ctx: RequestContext, req: RequestOf<typeof SyncGroup>) {
    const out = (errorCode: number, assignment: Buffer = EMPTY) => ({ throttleTimeMs: 0, errorCode, protocolType: g?.protocolType ?? null, protocolName: g?.protocolName ?? null, assignment });
    const g = this.groups.get(req.groupId);
    if (this.coordinatorError(req.groupId)) return out(code('NOT_COORDINATOR'));
    if (!g) return out(code('UNKNOWN_MEMBER_ID'));
    const err = this.checkMember(g, req.memberId, req.groupInstanceId ?? null);
    if (err) return out(err);
    const m = g.members.get(req.memberId)!;
    if (req.generationId !== g.generationId) return out(code('ILLEGAL_GENERATION'));
    if ((req.protocolType && req.protocolType !== g.protocolType) || (req.protocolName && req.protocolName !== g.protocolName)) return out(code('INCONSISTENT_GROUP_PROTOCOL'));
    this.keepAlive(g, m);
    if (g.state === 'PreparingRebalance') return out(code('REBALANCE_IN_PROGRESS'));
    if (g.state === 'Stable') return out(0, m.assignment);
    if (g.state !== 'CompletingRebalance') return out(code('UNKNOWN_MEMBER_ID'));
    if (req.memberId === g.leaderId) {
      const given = new Map<string, Buffer>((req.assignments ?? []).map((a: any) => [a.memberId, a.assignment]));
      for (const x of g.members.values()) x.assignment = given.get(x.memberId) ?? EMPTY;
      // As Kafka's storeGroup: the members get their assignments once the in-sync replicas hold
      // the group's record, so a coordinator taking the group over knows the generation they got.
      const generation = g.generationId;
      const done = (e: number) => {
        if (this.groups.get(g.groupId) !== g || g.generationId !== generation) return out(e || code('REBALANCE_IN_PROGRESS'));
        if (g.state === 'Stable' && !e) return out(0, m.assignment); // a retried SyncGroup of the leader
        if (g.state !== 'CompletingRebalance') return out(e || code('REBALANCE_IN_PROGRESS'));
        if (e) {
          // Kafka's mapping of a failed group write: a timeout makes the members rejoin.
          const err = e === code('REQUEST_TIMED_OUT') ? code('REBALANCE_IN_PROGRESS') : e;
          for (const x of g.members.values()) { x.assignment = EMPTY; if (x.awaitingSync) { const cb = x.awaitingSync; x.awaitingSync = undefined; cb({ errorCode: err, assignment: EMPTY }); } }
          this.prepareRebalance(g, 'the group assignment was not stored');
          return out(err);
        }
        g.transition('Stable');
        for (const x of g.members.values()) if (x.awaitingSync) { const cb = x.awaitingSync; x.awaitingSync = undefined; cb({ errorCode: 0, assignment: x.assignment }); }
        return out(0, m.assignment);
      };
      const stored = this.afterReplicated(this.writeGroup(g), 0, (c) => c);
      return stored instanceof Promise ? stored.then(done) : done(stored);
    }
    return new Promise<ReturnType<typeof out>>((resolve) => {
      m.awaitingSync = (r) => resolve(out(r.errorCode, r.assignment));
    });
  }

  heartbeat(_ctx: RequestContext, req: RequestOf<typeof Heartbeat>) {
    const res = (c: number) => ({ throttleTimeMs: 0, errorCode: c });
    if (this.coordinatorError(req.groupId)) return res(code('NOT_COORDINATOR'));
    const g = this.groups.get(req.groupId);
    if (!g) return res(code('UNKNOWN_MEMBER_ID'));
    const err = this.checkMember(g, req.memberId, req.groupInstanceId ?? null);
    if (err) return res(err);
    this.keepAlive(g, g.members.get(req.memberId)!);
    if (g.state === 'PreparingRebalance') return res(code('REBALANCE_IN_PROGRESS'));
    if (req.generationId !== g.generationId) return res(code('ILLEGAL_GENERATION'));
    return res(0);
  }

  leaveGroup(ctx: RequestContext, req: RequestOf<typeof LeaveGroup>) {
    const notCoordinator = this.coordinatorError(req.groupId);
    if (notCoordinator) return { throttleTimeMs: 0, errorCode: notCoordinator, members: [] };
    const g = this.groups.get(req.groupId);
    const leaving: { memberId: string; groupInstanceId: string | null }[] = ctx.apiVersion >= 3 ? (req.members ?? []) : [{ memberId: req.memberId, groupInstanceId: null }];
    const results = leaving.map((l) => {
      if (!g) return { ...l, errorCode: code('UNKNOWN_MEMBER_ID') };
      let id = l.memberId;
      if (!id) {
        // Administrative removal by instance id alone.
        const cur = l.groupInstanceId ? g.staticMembers.get(l.groupInstanceId) : undefined;
        if (!cur) return { ...l, errorCode: code('UNKNOWN_MEMBER_ID') };
        id = cur;
      } else if (this.dropPending(g, id)) {
        return { ...l, errorCode: 0 };
      } else {
        const err = this.checkMember(g, id, l.groupInstanceId);
        if (err) return { ...l, errorCode: err };
      }
      const m = g.members.get(id)!;
      this.removeMember(g, m);
      return { ...l, errorCode: 0 };
    });
    const top = ctx.apiVersion < 3 ? results[0]?.errorCode ?? 0 : (!g ? code('UNKNOWN_MEMBER_ID') : 0);
    return { throttleTimeMs: 0, errorCode: top, members: results };
  }

  private validateCommitter(g: Group | undefined, memberId: string, generation: number, instanceId: string | null): number {
    if (generation < 0 && !memberId) {
      // A standalone (assign-only) consumer or an admin tool: allowed while the group has no members.
      if (g && g.members.size > 0) return code('UNKNOWN_MEMBER_ID');
      return 0;
    }
    if (!g) return code('ILLEGAL_GENERATION');
    const err = this.checkMember(g, memberId, instanceId);
    if (err) return err;
    if (generation !== g.generationId) return code('ILLEGAL_GENERATION');
    if (g.state === 'CompletingRebalance') return code('REBALANCE_IN_PROGRESS');
    return 0;
  }

  offsetCommit(ctx: RequestContext, req: RequestOf<typeof OffsetCommit>) {
    const topics = req.topics ?? [];
    const all = (c: number) => ({ throttleTimeMs: 0, topics: topics.map((t: any) => ({ name: t.name, partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: c })) })) });
    if (!req.groupId) return all(code('INVALID_GROUP_ID'));
    const notCoordinator = this.coordinatorError(req.groupId);
    if (notCoordinator) return all(notCoordinator);
    let g = this.groups.get(req.groupId);
    const generation = ctx.apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1;
    const err = this.validateCommitter(g, req.memberId ?? '', generation, req.groupInstanceId ?? null);
    if (err) return all(err);
    this.offsetsTopic();
    g ??= this.group(req.groupId, true);
    if (g.members.size) this.keepAlive(g, g.members.get(req.memberId)!);
    const now = Date.now();
    const maxMeta = this.cfg.int('offset.metadata.max.bytes');
    const records: NewRecord[] = [];
    const committed: [string, CommittedOffset][] = [];
    const resp = topics.map((t: any) => ({
      name: t.name,
      partitions: t.partitions.map((p: any) => {
        const meta: string = p.committedMetadata ?? '';
        if (Buffer.byteLength(meta) > maxMeta) return { partitionIndex: p.partitionIndex, errorCode: code('OFFSET_METADATA_TOO_LARGE') };
        // the cluster's metadata decides (Kafka's metadata cache), not whether a replica of it lives on this broker
        if (!this.b.metadata.get(t.name)?.partitions[p.partitionIndex]) return { partitionIndex: p.partitionIndex, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        const o: CommittedOffset = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: meta, commitTimestamp: now, expireTimestamp: null };
        committed.push([pk(t.name, p.partitionIndex), o]);
        records.push({ key: this.offsetKey(g!.groupId, t.name, p.partitionIndex), value: this.offsetValue(o) });
        return { partitionIndex: p.partitionIndex, errorCode: 0 };
      }),
    }));
    // As Kafka's offset cache: a commit becomes the group's offset (what OffsetFetch answers)
    // once the in-sync replicas hold it, never one a coordinator move could still take back.
    const group = g;
    const done = (e: number) => {
      if (e) return all(e);
      if (this.groups.get(group.groupId) === group) for (const [k, o] of committed) group.offsets.set(k, o);
      return { throttleTimeMs: 0, topics: resp };
    };
    const stored = this.afterReplicated(this.write(g.groupId, records), 0, (c) => c);
    return stored instanceof Promise ? stored.then(done) : done(stored);
  }

  /**
   * The group's offsets. With `requireStable` (KIP-447; read_committed consumers send it), a
   * partition with transactional offsets whose marker is not written yet answers
   * UNSTABLE_OFFSET_COMMIT and the client retries: its transaction may be committed (EndTxn
   * answered) while the markers are still on their way, and the older offset would re-read
   * what it already consumed.
   */
  private fetchOffsets(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, requireStable = false) {
    const g = this.groups.get(groupId);
    const unstable = (k: string) => { for (const pending of g?.pendingTxnOffsets.values() ?? []) if (pending.has(k)) return true; return false; };
    const entry = (topic: string, p: number) => {
      if (requireStable && unstable(pk(topic, p))) return { partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: code('UNSTABLE_OFFSET_COMMIT') };
      const o = g?.offsets.get(pk(topic, p));
      return { partitionIndex: p, committedOffset: o ? o.offset : -1n, committedLeaderEpoch: o ? o.leaderEpoch : -1, metadata: o ? o.metadata : '', errorCode: 0 };
    };
    if (topics) return topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => entry(t.name, p)) }));
    const byTopic = new Map<string, number[]>();
    for (const k of g?.offsets.keys() ?? []) { const [t, p] = k.split('\u0000'); if (!byTopic.has(t)) byTopic.set(t, []); byTopic.get(t)!.push(Number(p)); }
    return [...byTopic].map(([name, ps]) => ({ name, partitions: ps.sort((a, b) => a - b).map((p) => entry(name, p)) }));
  }

  /**
   * Whether any asked partition of the group has transactional offsets waiting for their
   * marker (all of the group's partitions when `topics` is null).
   */
  private pendingFor(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null): boolean {
    const g = this.groups.get(groupId);
    if (!g || g.pendingTxnOffsets.size === 0) return false;
    if (!topics) return true;
    for (const pending of g.pendingTxnOffsets.values()) {
      for (const t of topics) for (const p of t.partitionIndexes) if (pending.has(pk(t.name, p))) return true;
    }
    return false;
  }

  offsetFetch(ctx: RequestContext, req: RequestOf<typeof OffsetFetch>) {
    // A client that does not send requireStable (KIP-447: kafkajs, @platformatic/kafka, so the
    // platform's own EOS consumers) would get the offset before a transaction whose EndTxn
    // was answered but whose markers are still being written (ms), and re-read what that
    // transaction consumed. Such a fetch waits for those offsets to settle (up to
    // STABLE_WAIT_MS; then it answers as Kafka does, the older offset).
    const asked: [string, { name: string; partitionIndexes: number[] }[] | null][] = ctx.apiVersion >= 8
      ? (req.groups ?? []).filter((gr: any) => !req.requireStable).map((gr: any) => [gr.groupId, gr.topics ?? null])
      : (ctx.apiVersion >= 7 && req.requireStable ? [] : [[req.groupId, req.topics ?? null]]);
    const unsettled = () => asked.some(([id, topics]) => this.pendingFor(id, topics));
    if (!unsettled()) return this.answerOffsetFetch(ctx, req);
    const deadline = Date.now() + STABLE_WAIT_MS;
    return new Promise<ReturnType<GroupCoordinator['answerOffsetFetch']>>((resolve) => {
      const check = () => {
        if (this.stopped || !unsettled() || Date.now() >= deadline) resolve(this.answerOffsetFetch(ctx, req));
        else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
  }

  private answerOffsetFetch(ctx: RequestContext, req: RequestOf<typeof OffsetFetch>) {
    if (ctx.apiVersion >= 8) {
      return { throttleTimeMs: 0, groups: (req.groups ?? []).map((gr: any) => { const e = this.coordinatorError(gr.groupId); return { groupId: gr.groupId, topics: e ? [] : this.fetchOffsets(gr.groupId, gr.topics, req.requireStable), errorCode: e }; }) };
    }
    const e = this.coordinatorError(req.groupId);
    return { throttleTimeMs: 0, topics: e ? [] : this.fetchOffsets(req.groupId, req.topics, ctx.apiVersion >= 7 && req.requireStable), errorCode: e };
  }

  describeGroups(_ctx: RequestContext, req: RequestOf<typeof DescribeGroups>) {
    return {
      throttleTimeMs: 0,
      groups: (req.groups ?? []).map((id: string) => {
        const g = this.groups.get(id);
        const e = this.coordinatorError(id);
        if (e) return { errorCode: e, groupId: id, groupState: '', protocolType: '', protocolData: '', members: [] };
        if (!g) return { errorCode: 0, groupId: id, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        const stable = g.state === 'Stable';
        return {
          errorCode: 0, groupId: id, groupState: g.state, protocolType: g.protocolType ?? '', protocolData: stable ? g.protocolName ?? '' : '',
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: `/${m.clientHost}`,
            memberMetadata: stable ? m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY : EMPTY, memberAssignment: stable ? m.assignment : EMPTY,
          })),
        };
      }),
    };
  }

  listGroups(_ctx: RequestContext, req: RequestOf<typeof ListGroups>) {
    const states: string[] = req.statesFilter ?? [];
    const types: string[] = req.typesFilter ?? [];
    return {
      throttleTimeMs: 0, errorCode: 0,
      groups: [...this.groups.values()].filter((g) => (!states.length || states.includes(g.state)) && (!types.length || types.map((t) => t.toLowerCase()).includes('classic')))
        .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' })),
    };
  }

  deleteGroup(id: string): number {
    const g = this.groups.get(id);
    if (!g) return code('GROUP_ID_NOT_FOUND');
    if (g.members.size > 0 || (g.state !== 'Empty' && g.state !== 'Dead')) return code('NON_EMPTY_GROUP');
    const tomb: NewRecord[] = [...g.offsets.keys()].map((k) => { const [t, p] = k.split('\u0000'); return { key: this.offsetKey(id, t, Number(p)), value: null }; });
    tomb.push({ key: this.groupKey(id), value: null });
    this.write(id, tomb);
    g.transition('Dead');
    this.groups.delete(id);
    return 0;
  }

  deleteGroups(_ctx: RequestContext, req: RequestOf<typeof DeleteGroups>) {
    return { throttleTimeMs: 0, results: (req.groupsNames ?? []).map((id: string) => ({ groupId: id, errorCode: this.coordinatorError(id) || this.deleteGroup(id) })) };
  }

  offsetDelete(_ctx: RequestContext, req: RequestOf<typeof OffsetDelete>) {
    const notCoordinator = this.coordinatorError(req.groupId);
    if (notCoordinator) return { errorCode: notCoordinator, throttleTimeMs: 0, topics: [] };
    const g = this.groups.get(req.groupId);
    if (!g) return { errorCode: code('GROUP_ID_NOT_FOUND'), throttleTimeMs: 0, topics: [] };
    const subscribed = g.members.size ? g.subscribedTopics() : new Set<string>();
    const tomb: NewRecord[] = [];
    const topics = (req.topics ?? []).map((t: any) => ({
      name: t.name,
      partitions: t.partitions.map((p: any) => {
        if (subscribed && subscribed.has(t.name)) return { partitionIndex: p.partitionIndex, errorCode: code('GROUP_SUBSCRIBED_TO_TOPIC') };
        if (g.offsets.delete(pk(t.name, p.partitionIndex))) tomb.push({ key: this.offsetKey(g.groupId, t.name, p.partitionIndex), value: null });
        return { partitionIndex: p.partitionIndex, errorCode: 0 };
      }),
    }));
    this.write(g.groupId, tomb);
    return { errorCode: 0, throttleTimeMs: 0, topics };
  }

  // ---- transactional offsets (TxnOffsetCommit) ----

  /**
   * TxnOffsetCommit: the offsets are written to the group's __consumer_offsets partition
   * as records of the producer's transaction (Kafka's way), so a coordinator that takes
   * the partition over replays them and completes them on the transaction's marker; the
   * answer waits until the in-sync replicas hold them.
   */
  commitTransactionalOffsets(groupId: string, producerId: bigint, epoch: number, topics: any[], member?: { memberId: string; generationId: number; groupInstanceId: string | null }) {
    const all = (c: number) => topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p: any) => ({ partitionIndex: p.partitionIndex, errorCode: c })) }));
    const notCoordinator = this.coordinatorError(groupId);
    if (notCoordinator) return all(notCoordinator);
    this.offsetsTopic();
    const g = this.group(groupId, true);
    if (member && member.generationId >= 0) {
      const err = this.validateCommitter(g, member.memberId, member.generationId, member.groupInstanceId);
      if (err) return all(err);
    }
    let pending = g.pendingTxnOffsets.get(producerId.toString());
    if (!pending) { pending = new Map(); g.pendingTxnOffsets.set(producerId.toString(), pending); }
    const now = Date.now();
    const maxMeta = this.cfg.int('offset.metadata.max.bytes');
    const records: NewRecord[] = [];
    const resp = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p: any) => {
        const meta: string = p.committedMetadata ?? '';
        if (Buffer.byteLength(meta) > maxMeta) return { partitionIndex: p.partitionIndex, errorCode: code('OFFSET_METADATA_TOO_LARGE') };
        const o: CommittedOffset = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: meta, commitTimestamp: now, expireTimestamp: null };
        pending!.set(pk(t.name, p.partitionIndex), o);
        records.push({ key: this.offsetKey(groupId, t.name, p.partitionIndex), value: this.offsetValue(o) });
        return { partitionIndex: p.partitionIndex, errorCode: 0 };
      }),
    }));
    return this.afterReplicated(this.write(groupId, records, { producerId, producerEpoch: epoch, transactional: true }), resp, all);
  }

  /**
   * The transaction of `producerId` ended: its marker goes to each __consumer_offsets
   * partition led here (or only `partition`) that holds offsets of it, which then become
   * the groups' committed offsets (commit) or are dropped (abort). Resolves once the
   * in-sync replicas hold the markers; at once on a single node.
   */
  completeTransaction(producerId: bigint, epoch: number, commit: boolean, partition?: number): void | Promise<void> {
    const count = this.b.metadata.get(OFFSETS_TOPIC)?.partitions.length ?? 0;
    const parts = new Set<number>();
    for (const g of this.groups.values()) if (g.pendingTxnOffsets.has(producerId.toString())) parts.add(partitionFor(g.groupId, count));
    const waits: Promise<void>[] = [];
    for (const n of parts) {
      if (partition !== undefined && n !== partition) continue;
      const part = this.b.replicas.get(OFFSETS_TOPIC, n);
      if (!part?.isLeader || !this.loaded.has(n)) continue;
      const key = Buffer.alloc(4); key.writeInt16BE(0, 0); key.writeInt16BE(commit ? 1 : 0, 2);
      const value = Buffer.alloc(6); value.writeInt16BE(0, 0); value.writeInt32BE(0, 2);
      const r = this.b.replicas.append(part, buildBatch([{ key, value }], { producerId, producerEpoch: epoch, transactional: true, control: true }));
      this.materialize(n, producerId, commit);
      const w = this.afterReplicated<void | Promise<void>>({ part, lastOffset: r.lastOffset }, undefined, (c) => { throw new KafkaError(c === code('NOT_COORDINATOR') ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE', `transaction marker on ${part.key} not replicated`); });
      if (w instanceof Promise) waits.push(w.then(() => {}));
    }
    if (waits.length) return Promise.all(waits).then(() => {});
  }

  /** The transactional offsets of `producerId` in the groups of partition `n`: committed, or dropped. */
  private materialize(n: number, producerId: bigint, commit: boolean): void {
    const count = this.b.metadata.get(OFFSETS_TOPIC)?.partitions.length ?? 0;
    for (const g of this.groups.values()) {
      if (partitionFor(g.groupId, count) !== n) continue;
      const pending = g.pendingTxnOffsets.get(producerId.toString());
      if (!pending) continue;
      g.pendingTxnOffsets.delete(producerId.toString());
      if (commit) for (const [k, o] of pending) g.offsets.set(k, o);
    }
  }

  // ---- admin (UI, tests) ----

  /**
   * The group's committed offsets and lag on every partition of the cluster's metadata. A
   * partition led here answers its high-water mark now; one led elsewhere the one its leader
   * gave last (ListOffsets, asked at most once a second): it is left out until the first answer.
   */
  lag(groupId: string): GroupLag[] {
    const g = this.groups.get(groupId);
    if (!g) throw new KafkaError('GROUP_ID_NOT_FOUND', `Group '${groupId}' does not exist`);
    const out: GroupLag[] = [];
    const keys = new Set(g.offsets.keys());
    const subscribed = g.subscribedTopics();
    for (const t of subscribed ?? []) for (const p of this.b.metadata.get(t)?.partitions ?? []) keys.add(pk(t, p.partition));
    const elsewhere: [string, number][] = [];
    for (const k of [...keys].sort()) {
      const [topic, ps] = k.split('\u0000'); const partition = Number(ps);
      if (!this.b.metadata.get(topic)?.partitions[partition]) continue;
      const part = this.b.replicas.get(topic, partition);
      let end: bigint | undefined;
      if (part?.isLeader) end = part.highWatermark;
      else { elsewhere.push([topic, partition]); end = this.remoteEnds.get(k); }
      if (end === undefined) continue;
      const o = g.offsets.get(k);
      out.push({ topic, partition, committed: o ? o.offset : null, logEndOffset: end, lag: o ? (end - o.offset > 0n ? end - o.offset : 0n) : null, metadata: o?.metadata ?? null });
    }
    if (elsewhere.length) this.refreshRemoteEnds(elsewhere);
    return out;
  }

  private refreshRemoteEnds(parts: [string, number][]): void {
    const now = Date.now();
    if (this.remoteEndsAsking || now - this.remoteEndsAt < REMOTE_ENDS_EVERY_MS || this.stopped) return;
    this.remoteEndsAsking = true;
    this.remoteEndsAt = now;
    this.offsetsAt(parts, LATEST).then((m) => { for (const [k, o] of m) this.remoteEnds.set(k, o); }, (e) => {
      this.b.logger.info({ err: (e as Error).message }, 'group lag: the high-water marks of partitions led elsewhere could not be read');
    }).finally(() => { this.remoteEndsAsking = false; });
  }

  /**
   * ListOffsets at `timestamp` (LATEST: the high-water mark, EARLIEST: the log start, else the
   * first offset at or after that time) for each partition, from its leader: this broker's
   * partitions directly, the others' by ListOffsets. Partitions whose leader does not answer
   * (or that have no offset at that time) are missing from the result.
   */
  private async offsetsAt(parts: [string, number][], timestamp: bigint): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    const byLeader = new Map<number, [string, number][]>();
    for (const tp of parts) { const l = this.b.replicas.leaderOf(tp[0], tp[1]); const list = byLeader.get(l) ?? []; list.push(tp); byLeader.set(l, list); }
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      if (leader < 0) return;
      if (leader === this.b.replicas.metadata.nodeId) {
        for (const [topic, p] of list) {
          const part = this.b.replicas.get(topic, p);
          if (!part?.isLeader) continue;
          const hit = timestamp === LATEST || timestamp === EARLIEST ? null : await part.offsetForTimestamp(timestamp);
          const o = timestamp === LATEST ? part.highWatermark : timestamp === EARLIEST ? part.logStartOffset : hit && hit.offset < part.highWatermark ? hit.offset : undefined;
          if (o !== undefined && o >= 0n) out.set(pk(topic, p), o);
        }
        return;
      }
      try {
        const conn = await this.connection(leader);
        const byTopic = new Map<string, number[]>();
        for (const [topic, p] of list) { const ps = byTopic.get(topic) ?? []; ps.push(p); byTopic.set(topic, ps); }
        const res = await conn.send(ListOffsets, 4, { replicaId: -1, isolationLevel: 0, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) })) });
        for (const t of res.topics) for (const p of t.partitions) if (p.errorCode === 0 && p.offset >= 0n) out.set(pk(t.name, p.partitionIndex), p.offset);
      } catch (e) {
        this.peers.forget(leader);
        this.b.logger.info({ broker: leader, err: (e as Error).message }, 'ListOffsets to a partition leader failed');
      }
    }));
    return out;
  }

  private connection(id: number): Promise<BrokerConnection> { return this.peers.get(id); }

  /**
   * Resets committed offsets of an empty group to offsets its partitions' leaders answer
   * (an explicit offset is kept within each partition's log start and high-water mark);
   * with preview, only says what would change.
   */
  async resetOffsets(groupId: string, topic: string, to: { earliest?: true; latest?: true; timestamp?: number; offset?: bigint }, preview = false): Promise<{ partition: number; from: bigint | null; to: bigint }[]> {
    const empty = () => {
      const g = this.group(groupId, true);
      if (g.members.size > 0) throw new KafkaError('NON_EMPTY_GROUP', `Group '${groupId}' has active members; stop them before resetting offsets`);
      return g;
    };
    empty();
    const t = this.b.metadata.get(topic);
    if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist`);
    const parts: [string, number][] = t.partitions.map((pm) => [topic, pm.partition]);
    const [start, end] = await Promise.all([this.offsetsAt(parts, EARLIEST), this.offsetsAt(parts, LATEST)]);
    const atTime = to.timestamp !== undefined ? await this.offsetsAt(parts, BigInt(to.timestamp)) : null;
    const g = empty(); // a member may have joined meanwhile
    const plan = t.partitions.map((pm) => {
      const k = pk(topic, pm.partition);
      const lo = start.get(k); const hi = end.get(k);
      if (lo === undefined || hi === undefined) throw new KafkaError('LEADER_NOT_AVAILABLE', `The leader of ${topic}-${pm.partition} did not answer its offsets; retry`);
      let target: bigint;
      if (to.earliest) target = lo;
      else if (to.latest) target = hi;
      else if (atTime) target = atTime.get(k) ?? hi;
      else target = to.offset! < lo ? lo : to.offset! > hi ? hi : to.offset!;
      return { partition: pm.partition, from: g.offsets.get(k)?.offset ?? null, to: target };
    });
    if (!preview) {
      const now = Date.now();
      this.write(groupId, plan.map((x) => {
        const o: CommittedOffset = { offset: x.to, leaderEpoch: -1, metadata: '', commitTimestamp: now, expireTimestamp: null };
        g.offsets.set(pk(topic, x.partition), o);
        return { key: this.offsetKey(groupId, topic, x.partition), value: this.offsetValue(o) };
      }));
    }
    return plan;
  }
}
