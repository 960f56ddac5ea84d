// Produce, Fetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch: the data path.
// Each handler asks the Partition (log start, high-water mark, LSO, aborted
// transactions, remote reads); it sees only the narrow DataPathContext.
import type { Logger } from 'pino';
import { CloseConnection, NO_RESPONSE, type ApiHandler, type ApiHandlers, type RequestContext } from '../network/api-handlers.ts';
import { DeleteRecords, Fetch, ListOffsets, OffsetForLeaderEpoch, Produce } from '../protocol/apis/index.ts';
import type { RequestOf, ResponseOf } from '../protocol/schema.ts';
import { ERROR_NAME_BY_CODE, KafkaError, code, type ErrorName } from '../errors.ts';
import { ATTR_CONTROL, InvalidRecordError, checkUncompressedRecords, validateBatches } from '../log/record-batch.ts';
import { OffsetOutOfRangeError, RecordTooLargeError } from '../log/partition-log.ts';
import { releaseLease, type ReadLease } from '../log/read-buffers.ts';
import type { MetadataStore } from '../cluster/metadata-store.ts';
import type { TopicManager } from '../topic-manager.ts';
import type { ReplicaManager } from '../replica-manager.ts';
import type { Partition } from '../partition.ts';
import { FINAL_EPOCH, INITIAL_EPOCH, INVALID_SESSION_ID, FetchSession, nextEpoch, type CachedPartition, type FetchSessionCache } from './fetch-sessions.ts';


/** What the data path may use of its broker. */
export interface DataPathContext {
  readonly logger: Logger;
  /** the partitions: appends, reads, waiting for data */
  readonly replicas: ReplicaManager;
  /** auto-creation on produce */
  readonly topics: TopicManager;
  /** topic ids (Fetch v13+) */
  readonly metadata: MetadataStore;
  /** the broker is shutting down: long polls answer at once */
  isClosing(): boolean;
  /** KIP-227 incremental fetch sessions; absent: every fetch is answered without a session */
  readonly fetchSessions?: FetchSessionCache;
  /**
   * READ on a topic for the request's principal (absent: no authorizer). The authorizer around
   * the handlers sees only the partitions a request lists; a consumer's incremental fetch reads
   * its session's others too, which are checked here on every request, as Kafka does.
   */
  mayRead?(ctx: RequestContext, topic: string): boolean;
  /** an authorizer is configured */
  checksAcls?(): boolean;
  /**
   * KIP-392 (replica.selector.class): the replica a consumer in `clientRack` should read led
   * partition `p` from at `fetchOffset`; the leader's own id (or absent) means the leader.
   */
  readReplica?(p: Partition, clientRack: string, fetchOffset: bigint): number;
  /**
   * A replica.selector.class is configured: followers serve consumers' fetches (Kafka does so
   * for every v11+ consumer; here only then, so that the default keeps every fetch on the leader).
   */
  followersServeConsumers?(): boolean;
}

export function registerDataHandlers(h: ApiHandlers, ctx: DataPathContext): void {
  h.handle(Produce, produceHandler(ctx));
  h.handle(Fetch, fetchHandler(ctx));
  h.handle(ListOffsets, listOffsetsHandler(ctx));
  h.handle(DeleteRecords, deleteRecordsHandler(ctx));
  h.handle(OffsetForLeaderEpoch, offsetForLeaderEpochHandler(ctx));
}

function errorOf(e: unknown, b: DataPathContext): { code: number; message: string | null } {
  if (e instanceof KafkaError) return { code: e.code, message: e.message };
  if (e instanceof InvalidRecordError) return { code: code(e.code), message: e.message };
  if (e instanceof RecordTooLargeError) return { code: code('MESSAGE_TOO_LARGE'), message: e.message };
  if (e instanceof OffsetOutOfRangeError) return { code: code('OFFSET_OUT_OF_RANGE'), message: e.message };
  b.logger.error({ err: e }, 'unexpected error on the data path');
  return { code: -1, message: (e as Error).message };
}

type ProducePartitionResponse = NonNullable<NonNullable<ResponseOf<typeof Produce>['responses']>[number]['partitionResponses']>[number];

export function produceHandler(b: DataPathContext): ApiHandler<typeof Produce> {
  return async (ctx, req) => {
    const acks = req.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return { responses: (req.topicData ?? []).map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: code('INVALID_REQUIRED_ACKS'), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n })) })) };
    }
    const responses = [];
    // acks=all: the partitions' waits for the high-water mark, all answered together
    const waits: Promise<void>[] = [];
    for (const t of req.topicData ?? []) {
      let topic = b.topics.get(t.name);
      let topicErr = 0;
      if (!topic && !t.name.startsWith('__')) {
        try { topic = b.topics.autoCreate(t.name); } catch (e) { topicErr = errorOf(e, b).code; }
      }
      const partitionResponses: ProducePartitionResponse[] = [];
      for (const p of t.partitionData ?? []) {
        const part = topic ? b.replicas.get(t.name, p.index) : undefined;
        if (!part) {
          partitionResponses.push({ index: p.index, errorCode: topicErr || code('UNKNOWN_TOPIC_OR_PARTITION'), baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n });
          continue;
        }
        try {
          if (!part.isLeader) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `Broker ${b.replicas.metadata.nodeId} is not the leader of ${part.key} (leader: ${part.leaderId}, epoch ${part.leaderEpoch}); refresh metadata and retry there`);
          if (!p.records || p.records.length === 0) throw new InvalidRecordError('produce request has no records', 'INVALID_RECORD');
          const batches = validateBatches(p.records);
          // As Kafka's LogValidator for a client's batches: no control batches (only the
          // broker writes transaction markers), no compression codec Kafka does not have.
          // A fuzzed control batch with a broken body was appended and then failed the
          // producer-state update on the append path (found by the protocol fuzzer).
          for (const bi of batches) {
            if (bi.attributes & ATTR_CONTROL) throw new InvalidRecordError('Clients are not allowed to write control records', 'INVALID_RECORD');
            if ((bi.attributes & 0x07) > 4) throw new InvalidRecordError(`Unknown compression type id: ${bi.attributes & 0x07}`);
            checkUncompressedRecords(p.records, bi);
          }
          // acks=all is refused before the append when too few replicas are in sync (Kafka's NOT_ENOUGH_REPLICAS).
          if (acks === -1) {
            const min = b.replicas.minInsyncReplicas(part);
            if (part.isr.length < min) throw new KafkaError('NOT_ENOUGH_REPLICAS', `${part.key} has ${part.isr.length} in-sync replica(s) [${part.isr.join(',')}], fewer than min.insync.replicas=${min}`);
          }
          const r = b.replicas.appendRecordsAsLeader(part, p.records, batches, ctx.frame);
          const resp: ProducePartitionResponse = 'duplicate' in r
            ? { index: p.index, errorCode: 0, baseOffset: r.duplicate.baseOffset, logAppendTimeMs: -1n, logStartOffset: part.localLogStartOffset }
            : { index: p.index, errorCode: 0, baseOffset: r.baseOffset, logAppendTimeMs: r.logAppendTime, logStartOffset: part.localLogStartOffset };
          partitionResponses.push(resp);
          if (acks === -1) {
            const last = 'duplicate' in r ? r.duplicate.baseOffset + BigInt(batches[batches.length - 1].lastOffsetDelta) : r.lastOffset;
            if (part.highWatermark <= last || part.isr.length < b.replicas.minInsyncReplicas(part)) waits.push(b.replicas.waitForCommit(part, last, req.timeoutMs).then((err) => { if (err) { resp.errorCode = code(err); resp.errorMessage = commitMessage(err, part.key); } }));
          }
        } catch (e) {
          const err = errorOf(e, b);
          partitionResponses.push({ index: p.index, errorCode: err.code, errorMessage: err.message, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n });
        }
      }
      responses.push({ name: t.name, partitionResponses });
    }
    if (waits.length) await Promise.all(waits);
    // acks=0: the client expects no response at all; an error closes the connection
    // (as Kafka does), so the client notices on its next request and reconnects.
    if (acks === 0) {
      const failed = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== 0).map((p) => `${t.name}-${p.index}: ${ERROR_NAME_BY_CODE.get(p.errorCode!) ?? p.errorCode}`));
      return failed.length ? new CloseConnection(`acks=0 produce failed (${failed.join(', ')})`) : NO_RESPONSE;
    }
    return { responses, throttleTimeMs: 0 };
  };
}

function commitMessage(err: string, key: string): string {
  if (err === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND') return `${key}: written, but the ISR shrank below min.insync.replicas before it was replicated; retry (the retry is deduplicated for idempotent producers)`;
  if (err === 'REQUEST_TIMED_OUT') return `${key}: written, but not replicated to the whole ISR within the request timeout`;
  return `${key}: leadership moved before the write was replicated; refresh metadata and retry`;
}

interface FetchPart { topic: string; topicId: string; partition: number; fetchOffset: bigint; maxBytes: number; currentLeaderEpoch: number }

type FetchResponse = ResponseOf<typeof Fetch>;
/** One partition of a Fetch response as collect() builds it. */
interface FetchPartitionAnswer {
  partitionIndex: number; errorCode: number; highWatermark: bigint; lastStableOffset: bigint; logStartOffset: bigint;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null; preferredReadReplica: number;
  /** segment slices are written as they are, one after another */
  records: Buffer | Buffer[];
}
const sessionError = (name: ErrorName, sessionId = INVALID_SESSION_ID): FetchResponse => ({ throttleTimeMs: 0, errorCode: code(name), sessionId, responses: [] });

export function fetchHandler(b: DataPathContext): ApiHandler<typeof Fetch> {
  return async (ctx, req) => {
    const v = ctx.apiVersion;
    const readCommitted = req.isolationLevel === 1;
    const replicaId = v >= 15 ? (req.replicaState?.replicaId ?? -1) : req.replicaId;
    // KIP-392: a consumer's rack (client.rack), Fetch v11+
    const rackId = v >= 11 && replicaId < 0 ? req.rackId ?? '' : '';
    const listed: FetchPart[] = [];
    for (const t of req.topics ?? []) {
      let name = t.topic;
      const id = t.topicId ?? '';
      if (v >= 13) name = b.metadata.getById(id)?.name ?? '';
      for (const p of t.partitions ?? []) listed.push({ topic: name, topicId: id, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch ?? -1 });
    }
    // KIP-227: epoch -1 is a full fetch without a session (and closes the one named), 0 creates a
    // session (closing the one named), N > 0 is the Nth incremental fetch of session `sessionId`.
    const sessionId = v >= 7 ? req.sessionId ?? INVALID_SESSION_ID : INVALID_SESSION_ID;
    const sessionEpoch = v >= 7 ? req.sessionEpoch ?? FINAL_EPOCH : FINAL_EPOCH;
    const cache = b.fetchSessions;
    if (cache) { const who = replicaId >= 0 ? 'follower' : 'consumer'; cache.requests[who]++; cache.requestPartitions[who] += listed.length; }
    const owner = `${ctx.session?.principal ?? ''}\u0000${replicaId}`;
    let parts = listed;
    let session: FetchSession | undefined;
    let expectedEpoch = 0;
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      if (sessionId !== INVALID_SESSION_ID) cache?.close(sessionId, owner);
    } else {
      session = cache?.get(sessionId, owner);
      if (!session) return sessionError('FETCH_SESSION_ID_NOT_FOUND');
      if (session.epoch !== sessionEpoch) return sessionError('INVALID_FETCH_SESSION_EPOCH');
      if (session.usesTopicIds !== (v >= 13)) return sessionError('FETCH_SESSION_TOPIC_ID_ERROR');
      updateSession(b, session, listed, req.forgottenTopicsData ?? [], v >= 13);
      if (session.parts.size === 0) {
        // everything forgotten: the session ends, and this fetch is answered without one
        cache!.remove(session);
        session = undefined;
      } else {
        cache!.touch(session, Date.now());
        session.epoch = nextEpoch(session.epoch);
        expectedEpoch = session.epoch;
        parts = [...session.parts.values()];
      }
    }
    // A consumer's session partitions it may no longer read (an ACL changed since it listed them)
    // are answered TOPIC_AUTHORIZATION_FAILED and stay in the session, as in Kafka.
    let denied: FetchPart[] = [];
    if (session && replicaId < 0 && b.mayRead && b.checksAcls?.()) {
      const memo = new Map<string, boolean>();
      const allowed: FetchPart[] = [];
      for (const fp of parts) {
        let ok = !fp.topic || memo.get(fp.topic);
        if (ok === undefined) { ok = b.mayRead(ctx, fp.topic); memo.set(fp.topic, ok); }
        (ok ? allowed : denied).push(fp);
      }
      if (denied.length) parts = allowed; else denied = [];
    }
    const maxBytes: number = req.maxBytes ?? 0x7fffffff;
    const deadline = Date.now() + Math.max(0, req.maxWaitMs ?? 0);
    const keys = session ? parts.map((p) => (p as CachedPartition).waitKey) : parts.map((p) => `${p.topic}-${p.partition}`);
    // A follower's fetch (replica_id >= 0): its position moves the high-water mark, once per request.
    if (replicaId >= 0) {
      for (const fp of parts) {
        const part = fp.topic ? b.replicas.get(fp.topic, fp.partition) : undefined;
        if (part && part.isLeader && part.replicas.includes(replicaId) && !part.checkLeaderEpoch(fp.currentLeaderEpoch)) b.replicas.recordFollowerFetch(part, replicaId, fp.fetchOffset);
      }
    }
    for (;;) {
      // Incremental: only partitions that may be answered are read; the others (no new records,
      // nothing the fetcher has not been told) would be left out of the answer anyway.
      const work = session ? parts.filter((cp) => mayAnswer(b, cp as CachedPartition, replicaId, readCommitted, v, rackId)) : parts;
      const pending = readRemote(b, work, maxBytes, readCommitted, replicaId >= 0);
      const remote = pending ? await pending : undefined;
      // Segment bytes are read into pooled buffers (a fresh one per fetch kept the major GC busy),
      // given back once the reply is written, or at once when this round's reply is dropped.
      const leases: ReadLease[] = [];
      const { answers, bytes, anyError, throttledBytes, held, redirected } = collect(b, work, maxBytes, readCommitted, v, remote, replicaId, leases, rackId);
      const remaining = deadline - Date.now();
      // A preferred read replica is answered at once (Kafka's hasPreferredReadReplica): the consumer moves there.
      if (bytes >= (req.minBytes ?? 1) || anyError || redirected || denied.length > 0 || remaining <= 0 || b.isClosing() || parts.length === 0) {
        const release = () => { for (const x of leases) releaseLease(x); };
        let res: FetchResponse;
        if (session) {
          // Another request moved the session on meanwhile (a duplicate): Kafka answers 71 too.
          if (session.epoch !== expectedEpoch || !cache!.has(session)) { release(); return sessionError('INVALID_FETCH_SESSION_EPOCH', session.id); }
          for (const fp of denied) answers.push([fp, { partitionIndex: fp.partition, errorCode: code('TOPIC_AUTHORIZATION_FAILED'), highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: readCommitted ? [] : null, preferredReadReplica: -1, records: Buffer.alloc(0) }]);
          res = { throttleTimeMs: 0, errorCode: 0, sessionId: session.id, responses: incrementalAnswer(session, answers, v) };
        } else {
          const created = sessionEpoch === INITIAL_EPOCH && v >= 7 ? cache?.create(Date.now(), replicaId >= 0, parts.length, owner, v >= 13) : undefined;
          if (created) for (const [fp, r] of answers) created.parts.set(FetchSession.key(created.usesTopicIds, fp.topic, fp.topicId, fp.partition), cachedFrom(fp, r));
          res = { throttleTimeMs: 0, errorCode: 0, sessionId: created?.id ?? INVALID_SESSION_ID, responses: groupByTopic(answers, v) };
        }
        // KIP-73: what goes to followers of leader-throttled partitions counts against the leader quota.
        if (throttledBytes > 0) b.replicas.leaderQuota.record(throttledBytes);
        if (leases.length) (ctx.afterReply ??= []).push(release);
        return res;
      }
      for (const x of leases) releaseLease(x);
      // A throttled partition held back may be served once the quota allows, before new data arrives.
      await b.replicas.waitForData(keys, held ? Math.min(remaining, Math.max(1, b.replicas.leaderQuota.delayMs())) : remaining);
    }
  };
}

type FetchForgotten = NonNullable<RequestOf<typeof Fetch>['forgottenTopicsData']>;

/**
 * Whether a session partition may have to be answered: records to read, an error, a high-water
 * mark / LSO / log start not told yet. False only when none of these can be (the common case
 * of a quiet partition), so that what the answer would leave out is not read at all.
 */
function mayAnswer(b: DataPathContext, cp: CachedPartition, replicaId: number, readCommitted: boolean, v: number, rackId: string): boolean {
  if (cp.highWatermark < 0n || !cp.topic) return true; // new, or answered with an error last time
  const part = b.replicas.get(cp.topic, cp.partition);
  if (!part || !(part.isLeader || servesConsumerAsFollower(b, part, replicaId, v)) || part.highWatermark !== cp.highWatermark || part.logStartOffset !== cp.logStartOffset) return true;
  if (replicaId >= 0 ? (part.leaderThrottled || !part.replicas.includes(replicaId)) : false) return true;
  if (part.checkLeaderEpoch(cp.currentLeaderEpoch)) return true;
  if (rackId && part.isLeader && b.readReplica && b.readReplica(part, rackId, cp.fetchOffset) !== part.leaderId) return true;
  const lso = part.lastStableOffset();
  if (lso !== cp.lastStableOffset) return true;
  // nothing to read: at (or, for a consumer, above) the end of what it may read, not past the log end
  const upTo = replicaId >= 0 ? part.logEndOffset : readCommitted ? lso : part.highWatermark;
  return cp.fetchOffset < upTo || cp.fetchOffset > part.logEndOffset;
}

/** An incremental request's changes: listed partitions added or updated, forgotten ones removed. */
function updateSession(b: DataPathContext, s: FetchSession, listed: FetchPart[], forgotten: FetchForgotten, byId: boolean): void {
  // Topic ids: the name is looked up on every request (a topic deleted since has none).
  if (byId) {
    for (const cp of s.parts.values()) {
      const name = b.metadata.getById(cp.topicId)?.name ?? '';
      if (name !== cp.topic) { cp.topic = name; cp.waitKey = `${name}-${cp.partition}`; }
    }
  }
  for (const fp of listed) {
    const key = FetchSession.key(byId, fp.topic, fp.topicId, fp.partition);
    const cp = s.parts.get(key);
    if (cp) { cp.fetchOffset = fp.fetchOffset; cp.maxBytes = fp.maxBytes; cp.currentLeaderEpoch = fp.currentLeaderEpoch; }
    else s.parts.set(key, { ...fp, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, waitKey: `${fp.topic}-${fp.partition}` });
  }
  for (const t of forgotten) {
    for (const p of t.partitions ?? []) s.parts.delete(FetchSession.key(byId, t.topic ?? '', t.topicId ?? '', p));
  }
}

function cachedFrom(fp: FetchPart, r: FetchPartitionAnswer): CachedPartition {
  return { topic: fp.topic, topicId: fp.topicId, partition: fp.partition, fetchOffset: fp.fetchOffset, maxBytes: fp.maxBytes, currentLeaderEpoch: fp.currentLeaderEpoch,
    highWatermark: r.errorCode ? -1n : r.highWatermark, lastStableOffset: r.lastStableOffset, logStartOffset: r.logStartOffset, waitKey: `${fp.topic}-${fp.partition}` };
}

const recordsSize = (r: FetchPartitionAnswer['records']): number => {
  if (!r) return 0;
  if (Array.isArray(r)) { let n = 0; for (const x of r) n += x.length; return n; }
  return r.length;
};

/**
 * Kafka's IncrementalFetchContext: of the session's partitions, only those with records,
 * an error, or a high-water mark / LSO / log start the fetcher has not been told yet;
 * the session remembers what it told. Partitions answered with records move to the end.
 */
function incrementalAnswer(s: FetchSession, answers: [FetchPart, FetchPartitionAnswer][], v: number) {
  const out: [FetchPart, FetchPartitionAnswer][] = [];
  for (const [fp, r] of answers) {
    const cp = fp as CachedPartition;
    const hasData = recordsSize(r.records) > 0;
    let must = hasData;
    if (cp.highWatermark !== r.highWatermark) { must = true; cp.highWatermark = r.highWatermark; }
    if (cp.lastStableOffset !== r.lastStableOffset) { must = true; cp.lastStableOffset = r.lastStableOffset; }
    if (cp.logStartOffset !== r.logStartOffset) { must = true; cp.logStartOffset = r.logStartOffset; }
    if (r.errorCode !== 0) { must = true; cp.highWatermark = -1n; }
    if (r.preferredReadReplica >= 0) must = true;
    if (!must) continue;
    out.push([fp, r]);
    if (hasData) {
      const key = FetchSession.key(s.usesTopicIds, cp.topic, cp.topicId, cp.partition);
      if (s.parts.get(key) === cp) { s.parts.delete(key); s.parts.set(key, cp); }
    }
  }
  return groupByTopic(out, v);
}

function groupByTopic(answers: [FetchPart, FetchPartitionAnswer][], v: number) {
  const byTopic = new Map<string, { topic: string; topicId: string; partitions: FetchPartitionAnswer[] }>();
  for (const [fp, r] of answers) {
    const key = v >= 13 ? fp.topicId : fp.topic;
    let tr = byTopic.get(key);
    if (!tr) { tr = { topic: fp.topic, topicId: fp.topicId, partitions: [] }; byTopic.set(key, tr); }
    tr.partitions.push(r);
  }
  return [...byTopic.values()];
}

type RemoteResult = { data: Buffer } | { error: unknown };

/**
 * Tiered storage: partitions fetched below their local log start read from remote
 * storage, all of them concurrently, before the synchronous collect pass (followers'
 * fetches too).
 * Undefined (no promise, nothing to await) when no partition reads remotely: the
 * common fetch stays synchronous.
 */
function readRemote(b: DataPathContext, parts: FetchPart[], maxBytes: number, readCommitted: boolean, replica: boolean): Promise<Map<FetchPart, RemoteResult>> | undefined {
  let out: Map<FetchPart, RemoteResult> | undefined;
  const pending: Promise<void>[] = [];
  for (const fp of parts) {
    const part = fp.topic ? b.replicas.get(fp.topic, fp.partition) : undefined;
    if (!part || !part.isRemoteOffset(fp.fetchOffset)) continue;
    out ??= new Map();
    const m = out;
    // A follower behind the leader's local log start (it was down while the leader tiered and
    // trimmed) catches up through the leader from remote storage, then trims its own copy.
    const upTo = replica ? part.logEndOffset : readCommitted ? part.lastStableOffset() : part.highWatermark;
    pending.push(part.readRemote(fp.fetchOffset, Math.max(1, Math.min(fp.maxBytes, maxBytes)), upTo)
      .then((data) => { m.set(fp, { data }); }, (error) => { m.set(fp, { error }); }));
  }
  return out && Promise.all(pending).then(() => out);
}

/** Whole batches of `data` within `limit` bytes (at least the first batch). */
function trimBatches(data: Buffer, limit: number): Buffer {
  let end = 0;
  while (end + 12 <= data.length) {
    const size = data.readInt32BE(end + 8) + 12;
    if (end > 0 && end + size > limit) break;
    end += size;
  }
  return end === data.length ? data : data.subarray(0, end);
}

/**
 * KIP-392: this follower of `part` answers a consumer's fetch (v11+, which knows preferred
 * read replicas) while it is an in-sync replica under a live leader and a replica selector is
 * configured; otherwise the consumer is told NOT_LEADER_OR_FOLLOWER and goes back to the
 * leader, which picks again.
 */
function servesConsumerAsFollower(b: DataPathContext, part: Partition, replicaId: number, v: number): boolean {
  const self = b.replicas.metadata.nodeId;
  return replicaId < 0 && v >= 11 && b.followersServeConsumers?.() === true && !part.isLeader && part.leaderId >= 0 && part.replicas.includes(self) && part.isr.includes(self);
}

function collect(b: DataPathContext, parts: FetchPart[], maxBytes: number, readCommitted: boolean, v: number, remote: Map<FetchPart, RemoteResult> | undefined, replicaId: number, leases: ReadLease[], rackId = '') {
  let budget = maxBytes;
  let bytes = 0;
  let anyError = false;
  let throttledBytes = 0;
  let held = false;
  let redirected = false;
  const answers: [FetchPart, FetchPartitionAnswer][] = [];
  for (const fp of parts) {
    const part = fp.topic ? b.replicas.get(fp.topic, fp.partition) : undefined;
    const base = { partitionIndex: fp.partition, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: readCommitted ? [] : null, preferredReadReplica: -1, records: Buffer.alloc(0) };
    if (!part) {
      answers.push([fp, { ...base, errorCode: code(v >= 13 && !fp.topic ? 'UNKNOWN_TOPIC_ID' : 'UNKNOWN_TOPIC_OR_PARTITION') }]);
      anyError = true;
      continue;
    }
    // The leader serves fetches, and an in-sync follower a consumer's (KIP-392); a replica must be one of the partition's.
    const served = part.isLeader ? replicaId < 0 || part.replicas.includes(replicaId) : servesConsumerAsFollower(b, part, replicaId, v);
    const epochError = !served ? 'NOT_LEADER_OR_FOLLOWER' : part.checkLeaderEpoch(fp.currentLeaderEpoch);
    if (epochError) {
      answers.push([fp, { ...base, errorCode: code(epochError) }]);
      anyError = true;
      continue;
    }
    const hw = part.highWatermark;
    const lso = part.lastStableOffset();
    const common = { ...base, highWatermark: hw, lastStableOffset: lso, logStartOffset: part.logStartOffset };
    // KIP-392: the leader names a replica in the consumer's rack and sends no records (as Kafka's ReplicaManager).
    if (rackId && part.isLeader && b.readReplica) {
      const preferred = b.readReplica(part, rackId, fp.fetchOffset);
      if (preferred !== part.leaderId) {
        answers.push([fp, { ...common, errorCode: 0, preferredReadReplica: preferred }]);
        redirected = true;
        continue;
      }
    }
    // KIP-73: a throttled follower outside the ISR gets nothing while the leader quota is used up.
    if (replicaId >= 0 && part.leaderThrottled && b.replicas.shouldLeaderThrottle(part, replicaId)) {
      answers.push([fp, { ...common, errorCode: 0 }]);
      held = true;
      continue;
    }
    try {
      // Followers read up to the log end; consumers never above the high-water mark (on a follower
      // its own: the leader's as of its last replica fetch, capped at what it holds).
      const upTo = replicaId >= 0 ? part.logEndOffset : readCommitted ? lso : hw;
      const limit = Math.min(fp.maxBytes, budget);
      const r = remote?.get(fp);
      if (r && 'error' in r) throw r.error;
      let data = limit <= 0 && bytes > 0 ? [] : r ? (r.data.length ? [trimBatches(r.data, limit)] : []) : part.read(fp.fetchOffset, Math.max(limit, 1), upTo, leases);
      let n = 0; for (const d of data) n += d.length;
      // KIP-74: only the first batch of the first partition with data may exceed
      // max_bytes / partition_max_bytes (progress); later partitions wait for the next fetch.
      if (bytes > 0 && n > limit) { data = []; n = 0; }
      bytes += n; budget -= n;
      if (replicaId >= 0 && part.leaderThrottled) throttledBytes += n;
      // Served from remote storage: aborted transactions of the remote segments count too.
      const aborted = readCommitted ? part.abortedTransactions(fp.fetchOffset, upTo, r !== undefined) : null;
      answers.push([fp, { ...common, errorCode: 0, abortedTransactions: aborted, records: data.length === 1 ? data[0] : data }]);
    } catch (e) {
      // Tiered storage trimmed the local copy while this fetch waited on S3: the next fetch reads it remotely.
      if (e instanceof OffsetOutOfRangeError && part.isRemoteOffset(fp.fetchOffset)) {
        answers.push([fp, { ...common, errorCode: 0 }]);
        continue;
      }
      const err = errorOf(e, b);
      anyError = true;
      answers.push([fp, { ...common, errorCode: err.code }]);
    }
  }
  return { answers, bytes, anyError, throttledBytes, held, redirected };
}

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export function listOffsetsHandler(b: DataPathContext): ApiHandler<typeof ListOffsets> {
  return async (ctx, req) => {
    const readCommitted = req.isolationLevel === 1;
    // Timestamp lookups in remote storage are asynchronous; everything else answers at once.
    const topics = await Promise.all((req.topics ?? []).map(async (t) => ({
      name: t.name,
      partitions: await Promise.all((t.partitions ?? []).map(async (p) => {
        const part = b.replicas.get(t.name, p.partitionIndex);
        const none = { partitionIndex: p.partitionIndex, timestamp: -1n, offset: -1n, leaderEpoch: -1, oldStyleOffsets: [] as bigint[] };
        if (!part) return { ...none, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        // Debugging tools (replica_id -2) may ask any replica; clients only the leader.
        if (!part.isLeader && req.replicaId !== -2) return { ...none, errorCode: code('NOT_LEADER_OR_FOLLOWER') };
        const epochError = part.checkLeaderEpoch(p.currentLeaderEpoch);
        if (epochError) return { ...none, errorCode: code(epochError) };
        // A new leader whose high-water mark has not reached the start of its epoch could answer offsets that go back (KIP-207).
        if (part.isLeader && req.replicaId === -1 && part.log.leaderEpochs.latestStartOffset > part.highWatermark) return { ...none, errorCode: code('OFFSET_NOT_AVAILABLE') };
        const ts = p.timestamp;
        let offset = -1n; let timestamp = -1n;
        const tiered = ts === LATEST_TIERED ? part.latestTieredOffset() : null;
        if (ts === LATEST || (ts === LATEST_TIERED && tiered === null)) offset = readCommitted ? part.lastStableOffset() : part.highWatermark;
        else if (ts === LATEST_TIERED) offset = tiered!;
        else if (ts === EARLIEST) offset = part.logStartOffset;
        else if (ts === EARLIEST_LOCAL) offset = part.localLogStartOffset;
        else if (ts === MAX_TIMESTAMP) {
          const hit = part.maxTimestamp();
          if (hit) { offset = hit.offset; timestamp = hit.timestamp; }
        } else {
          const hit = await part.offsetForTimestamp(ts);
          if (hit && hit.offset < part.highWatermark) { offset = hit.offset; timestamp = hit.timestamp; }
        }
        return { ...none, errorCode: 0, offset, timestamp, leaderEpoch: offset >= 0n ? part.leaderEpoch : -1, oldStyleOffsets: offset >= 0n ? [offset] : [] };
      })),
    })));
    return { throttleTimeMs: 0, topics };
  };
}

export function deleteRecordsHandler(b: DataPathContext): ApiHandler<typeof DeleteRecords> {
  return (ctx, req) => ({
    throttleTimeMs: 0,
    topics: (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: (t.partitions ?? []).map((p) => {
        const part = b.replicas.get(t.name, p.partitionIndex);
        if (!part) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        // The leader moves the log start; followers follow it through their fetches.
        if (!part.isLeader) return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code('NOT_LEADER_OR_FOLLOWER') };
        try {
          const target = p.offset === -1n ? part.highWatermark : p.offset;
          // As Kafka: -1 means the high watermark; any other negative offset is out of range.
          if (target < 0n) throw new OffsetOutOfRangeError(`offset ${p.offset} is below 0 (only -1, the high watermark, is special)`);
          part.deleteRecordsBefore(target);
          return { partitionIndex: p.partitionIndex, lowWatermark: part.logStartOffset, errorCode: 0 };
        } catch (e) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: errorOf(e, b).code };
        }
      }),
    })),
  });
}

export function offsetForLeaderEpochHandler(b: DataPathContext): ApiHandler<typeof OffsetForLeaderEpoch> {
  return (ctx, req) => ({
    throttleTimeMs: 0,
    topics: (req.topics ?? []).map((t) => ({
      topic: t.topic,
      partitions: (t.partitions ?? []).map((p) => {
        const part = b.replicas.get(t.topic, p.partition);
        const none = { partition: p.partition, leaderEpoch: -1, endOffset: -1n };
        if (!part) return { ...none, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
        // As Kafka: only the leader answers (followers truncate to its log), after the client's epoch check.
        if (!part.isLeader) return { ...none, errorCode: code('NOT_LEADER_OR_FOLLOWER') };
        const epochError = part.checkLeaderEpoch(p.currentLeaderEpoch);
        if (epochError) return { ...none, errorCode: code(epochError) };
        const r = part.log.leaderEpochs.endOffsetFor(p.leaderEpoch, part.logEndOffset);
        return { ...none, errorCode: 0, leaderEpoch: r.epoch, endOffset: r.endOffset };
      }),
    })),
  });
}
