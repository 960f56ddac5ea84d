// The follower side of replication: one ReplicaFetcher per source broker fetches
// every partition this broker follows from it over one connection, with Kafka's
// Fetch (replica_id = our node id, current_leader_epoch), and appends the leader's
// batches as they are. A partition that has just become a follower under a new
// leader epoch first truncates to where its log and the leader's agree, asked with
// OffsetForLeaderEpoch (KIP-101, KIP-279): a follower never diverges.
import type { Logger } from 'pino';
import { Fetch, OffsetForLeaderEpoch } from '../protocol/apis/index.ts';
import { ERROR_NAME_BY_CODE } from '../errors.ts';
import { LOG_OVERHEAD, OFF_LENGTH } from '../log/record-batch.ts';
import type { Partition } from '../partition.ts';
import { BrokerConnection, type DecodedResponse } from './broker-connection.ts';
import type { InterBrokerSecurity } from './inter-broker-client.ts';
import { shouldFollowerThrottle, type ReplicationQuota } from './replication-quota.ts';

const FETCH_VERSION = 12; // topic names, flexible, replica_id as a field
const EPOCH_VERSION = 4;

export interface FetcherSettings {
  nodeId: number;
  /** replica.fetch.max.bytes, replica.fetch.response.max.bytes, replica.fetch.wait.max.ms, replica.fetch.min.bytes */
  maxBytesPerPartition: number;
  maxBytes: number;
  maxWaitMs: number;
  minBytes: number;
  /** replica.fetch.backoff.ms: after an error, before that partition (or the connection) is tried again */
  backoffMs: number;
  /** replica.socket.timeout.ms */
  socketTimeoutMs: number;
  /** the inter-broker listener's security (TLS, SASL login); plaintext when absent */
  security?: InterBrokerSecurity;
}

/** What a fetcher needs of its broker. */
export interface FetcherHost {
  readonly logger: Logger;
  /** host:port of a broker; null while it is unknown or not alive */
  endpoint(nodeId: number): { host: string; port: number } | null;
  /** KIP-73: follower.replication.throttled.rate, for partitions with followerThrottled */
  readonly quota: ReplicationQuota;
  /** the leader's batches were appended and/or its high-water mark taken over (wake consumers, metrics) */
  onFollowerAppend(p: Partition, bytes: number): void;
}

/** What the leader's fetch session holds of one partition: what we last listed. */
interface SentPartition {
  topic: string; partition: number;
  fetchOffset: bigint; currentLeaderEpoch: number; lastFetchedEpoch: number; logStartOffset: bigint; maxBytes: number;
  /** the last fetch round that wanted it (the others are forgotten) */
  round: number;
}

/**
 * KIP-227, the fetcher's side (Kafka's FetchSessionHandler): the first fetch lists every
 * partition with epoch 0 and the leader answers a session id; the later ones (epoch 1, 2,
 * …) list only partitions added or whose position changed, and forget those we stopped
 * fetching. Any doubt (an error, a broken connection, a partition that truncated) starts
 * the session again with a full fetch (epoch 0 naming the old id, which the leader closes).
 */
class FetchSessionState {
  id = 0;
  /** the epoch of the next request; 0: a full fetch that (re)creates the session */
  epoch = 0;
  /** the session's partitions, as the leader holds them (by topic, partition) */
  sent = new Map<string, SentPartition>();

  /** counts resets: a response to a request sent before the last reset must not undo it */
  resets = 0;
  /** counts fetches */
  round = 0;

  get full(): boolean { return this.epoch === 0; }

  reset(): void { this.epoch = 0; this.sent = new Map(); this.resets++; }
}

interface FetchState {
  p: Partition;
  /** the leader epoch this fetch state belongs to; a newer state replaces it */
  leaderEpoch: number;
  truncating: boolean;
  delayedUntil: number;
  /** the last fetch reached the leader's high-water mark (Kafka's isReplicaInSync): never throttled then */
  inSync: boolean;
}

export class ReplicaFetcher {
  private parts = new Map<string, FetchState>();
  private conn: BrokerConnection | null = null;
  private closed = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void>;
  /** bytes appended from this leader, for the catch-up rate */
  bytesFetched = 0;
  private session = new FetchSessionState();

  constructor(readonly sourceId: number, private readonly host: FetcherHost, private readonly s: FetcherSettings) {
    this.loop = this.run();
  }

  get size(): number { return this.parts.size; }
  has(p: Partition): boolean { return this.parts.get(p.key)?.p === p; }

  /** Follow `p` under its current leader epoch; it truncates before its first fetch. */
  add(p: Partition): void {
    // Under a new state the partition truncates: the leader's session must answer its high-water mark again.
    if (this.session.sent.has(p.key)) this.session.reset();
    this.parts.set(p.key, { p, leaderEpoch: p.leaderEpoch, truncating: true, delayedUntil: 0, inSync: false });
    this.kick();
  }

  remove(p: Partition): void {
    if (this.parts.get(p.key)?.p === p) this.parts.delete(p.key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.conn?.close();
    this.kick();
    await this.loop;
  }

  private kick(): void { const w = this.wakeUp; this.wakeUp = null; w?.(); }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakeUp = null; resolve(); }, ms);
      this.wakeUp = () => { clearTimeout(t); resolve(); };
    });
  }

  private current(st: FetchState): boolean {
    return !this.closed && this.parts.get(st.p.key) === st && st.p.leaderEpoch === st.leaderEpoch && st.p.leaderId === this.sourceId;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.parts.size === 0) { await this.sleep(60_000); continue; }
      try {
        if (!this.conn || this.conn.closed) {
          const ep = this.host.endpoint(this.sourceId);
          if (!ep) { await this.sleep(this.s.backoffMs); continue; }
          this.conn = await BrokerConnection.connect(ep.host, ep.port, `tributary-replica-fetcher-${this.s.nodeId}`, this.s.socketTimeoutMs, this.s.security);
          const sec = this.s.security;
          this.host.logger.info({ leader: this.sourceId, address: `${ep.host}:${ep.port}`, listener: sec?.listenerName ?? 'PLAINTEXT', protocol: sec?.protocol ?? 'PLAINTEXT' }, 'replica fetcher connected to the leader');
        }
        const now = Date.now();
        const states = [...this.parts.values()].filter((st) => st.delayedUntil <= now);
        const truncating = states.filter((st) => st.truncating);
        if (truncating.length) await this.truncate(truncating);
        const fetching = states.filter((st) => !st.truncating && this.current(st));
        // KIP-73: a throttled replica that is not caught up sits out while the follower quota is used up.
        const held = fetching.filter((st) => shouldFollowerThrottle(st.p, st.inSync, this.host.quota, now));
        const ready = held.length ? fetching.filter((st) => !held.includes(st)) : fetching;
        if (ready.length === 0 && held.length) { await this.sleep(Math.max(1, this.host.quota.delayMs())); continue; }
        if (ready.length === 0) {
          const next = Math.min(...[...this.parts.values()].map((st) => st.delayedUntil));
          await this.sleep(Math.max(5, Math.min(this.s.backoffMs, next - Date.now())));
          continue;
        }
        await this.fetch(ready);
      } catch (e) {
        if (this.closed) break;
        this.host.logger.info({ leader: this.sourceId, err: (e as Error).message }, 'replica fetcher: request to the leader failed; retrying');
        this.conn?.close();
        this.conn = null;
        this.session.reset();
        await this.sleep(this.s.backoffMs);
      }
    }
  }

  private delay(st: FetchState): void { st.delayedUntil = Date.now() + this.s.backoffMs; }

  /**
   * KIP-279: ask the leader where our latest epoch ends in its log, cut our log there,
   * and ask again when the leader answered with an epoch we do not hold.
   */
  private async truncate(states: FetchState[]): Promise<void> {
    const byTopic = new Map<string, FetchState[]>();
    const asked: FetchState[] = [];
    for (const st of states) {
      const latest = st.p.log.leaderEpochs.latestEpoch;
      if (latest < 0) {
        // Nothing epoch-stamped here: an empty log, or one to cut to its high-water mark.
        st.p.truncateTo(st.p.highWatermark);
        st.truncating = false;
        continue;
      }
      const list = byTopic.get(st.p.topic) ?? [];
      list.push(st); byTopic.set(st.p.topic, list);
      asked.push(st);
    }
    if (!asked.length) return;
    const res = await this.conn!.send(OffsetForLeaderEpoch, EPOCH_VERSION, {
      replicaId: this.s.nodeId,
      topics: [...byTopic].map(([topic, list]) => ({
        topic, partitions: list.map((st) => ({ partition: st.p.partition, currentLeaderEpoch: st.leaderEpoch, leaderEpoch: st.p.log.leaderEpochs.latestEpoch })),
      })),
    });
    for (const t of res.topics) {
      for (const r of t.partitions) {
        const st = byTopic.get(t.topic)?.find((x) => x.p.partition === r.partition);
        if (!st || !this.current(st)) continue;
        if (r.errorCode !== 0) { this.onError(st, r.errorCode, 'OffsetForLeaderEpoch'); continue; }
        const p = st.p;
        const end = p.log.logEndOffset;
        let to: bigint; let done = true;
        if (r.endOffset < 0n) to = p.highWatermark < end ? p.highWatermark : end;
        else if (r.leaderEpoch < 0) to = r.endOffset < end ? r.endOffset : end;
        else {
          const mine = p.log.leaderEpochs.endOffsetFor(r.leaderEpoch, end);
          if (mine.epoch < 0) to = r.endOffset < end ? r.endOffset : end;
          else if (mine.epoch !== r.leaderEpoch) { to = mine.endOffset < end ? mine.endOffset : end; done = false; }
          else { to = mine.endOffset < r.endOffset ? mine.endOffset : r.endOffset; if (to > end) to = end; }
        }
        if (to < end) {
          this.host.logger.info({ partition: p.key, from: String(end), to: String(to), leader: this.sourceId, leaderEpoch: st.leaderEpoch }, 'follower truncating its log to the leader\'s');
          p.truncateTo(to);
        }
        st.truncating = !done;
      }
    }
  }

  private async fetch(states: FetchState[]): Promise<void> {
    const session = this.session;
    const full = session.full;
    const resets = session.resets;
    const round = ++session.round;
    // A full fetch defines the session anew. The entries are updated as the request is built:
    // whatever goes wrong with it resets the session (a full fetch next).
    if (full) session.sent = new Map();
    const byKey = new Map<string, FetchState>();
    const listed = new Map<string, SentPartition[]>();
    const maxBytes = this.s.maxBytesPerPartition;
    for (const st of states) {
      const p = st.p;
      byKey.set(p.key, st);
      const fetchOffset = p.log.logEndOffset;
      const lastFetchedEpoch = p.log.leaderEpochs.latestEpoch;
      const logStartOffset = p.log.logStartOffset;
      let e = session.sent.get(p.key);
      if (e && e.fetchOffset === fetchOffset && e.currentLeaderEpoch === st.leaderEpoch && e.lastFetchedEpoch === lastFetchedEpoch && e.logStartOffset === logStartOffset && e.maxBytes === maxBytes) { e.round = round; continue; }
      if (!e) { e = { topic: p.topic, partition: p.partition, fetchOffset, currentLeaderEpoch: st.leaderEpoch, lastFetchedEpoch, logStartOffset, maxBytes, round }; session.sent.set(p.key, e); }
      else { e.fetchOffset = fetchOffset; e.currentLeaderEpoch = st.leaderEpoch; e.lastFetchedEpoch = lastFetchedEpoch; e.logStartOffset = logStartOffset; e.maxBytes = maxBytes; e.round = round; }
      const l = listed.get(p.topic); if (l) l.push(e); else listed.set(p.topic, [e]);
    }
    const forgotten = new Map<string, number[]>();
    if (!full) {
      for (const [key, e] of session.sent) {
        if (e.round === round) continue;
        session.sent.delete(key);
        const l = forgotten.get(e.topic); if (l) l.push(e.partition); else forgotten.set(e.topic, [e.partition]);
      }
    }
    const { res, release } = await this.conn!.sendLeased(Fetch, FETCH_VERSION, {
      replicaId: this.s.nodeId,
      maxWaitMs: this.s.maxWaitMs,
      minBytes: this.s.minBytes,
      maxBytes: this.s.maxBytes,
      isolationLevel: 0,
      sessionId: session.id,
      sessionEpoch: session.epoch,
      topics: [...listed].map(([topic, list]) => ({
        topic,
        partitions: list.map((e) => ({ partition: e.partition, currentLeaderEpoch: e.currentLeaderEpoch, fetchOffset: e.fetchOffset, lastFetchedEpoch: e.lastFetchedEpoch, logStartOffset: e.logStartOffset, partitionMaxBytes: e.maxBytes })),
      })),
      forgottenTopicsData: [...forgotten].map(([topic, partitions]) => ({ topic, partitions })),
    }, this.s.socketTimeoutMs + this.s.maxWaitMs);
    // The records lie in a pooled buffer: appended (written synchronously, kept nowhere) before it is handed back.
    try {
      if (res.errorCode) {
        const name = ERROR_NAME_BY_CODE.get(res.errorCode) ?? String(res.errorCode);
        // The leader lost the session (evicted, restarted) or we are out of step with it: start a new one at once.
        if (name === 'FETCH_SESSION_ID_NOT_FOUND') { session.id = 0; session.reset(); return; }
        if (name === 'INVALID_FETCH_SESSION_EPOCH' || name === 'FETCH_SESSION_TOPIC_ID_ERROR') { session.reset(); return; }
        throw new Error(`fetch failed: ${name}`);
      }
      if (res.sessionId === 0) {
        // No session (the leader has no slot, or sessions off): every fetch stays full.
        session.id = 0; session.reset();
      } else if (session.resets !== resets) {
        // reset while this fetch was under way (a partition under a new state): the next fetch is full and closes this id
        session.id = res.sessionId;
      } else if (full || res.sessionId === session.id) {
        session.id = res.sessionId;
        session.epoch = full ? 1 : session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
      } else {
        session.id = 0; session.reset();
      }
      this.applyFetch(res, byKey);
    } finally { release(); }
  }

  private applyFetch(res: DecodedResponse<typeof Fetch>, byKey: Map<string, FetchState>): void {
    for (const t of res.responses) {
      for (const r of t.partitions) {
        const st = byKey.get(`${t.topic}-${r.partitionIndex}`);
        if (!st || !this.current(st)) continue;
        if (r.errorCode !== 0) { this.onError(st, r.errorCode, 'Fetch', r.logStartOffset); continue; }
        const p = st.p;
        const records = r.records ? wholeBatches(r.records) : null;
        const hwBefore = p.log.highWatermark;
        let appended = 0;
        if (records && records.length) {
          p.appendAsFollower(records);
          appended = records.length;
          this.bytesFetched += records.length;
          if (p.followerThrottled) this.host.quota.record(records.length);
        }
        p.updateFollowerHighWatermark(r.highWatermark);
        // after the high-water mark moved too: consumers reading from this follower (KIP-392) wait on it
        if (appended > 0 || p.log.highWatermark !== hwBefore) this.host.onFollowerAppend(p, appended);
        st.inSync = r.highWatermark <= p.log.logEndOffset;
        // The leader's log start moved (retention, DeleteRecords): follow it, below our high-water mark.
        if (r.logStartOffset > p.log.logStartOffset && r.logStartOffset <= p.log.highWatermark) p.deleteRecordsBefore(r.logStartOffset);
      }
    }
  }

  private onError(st: FetchState, errorCode: number, api: string, leaderLogStart = -1n): void {
    const name = ERROR_NAME_BY_CODE.get(errorCode) ?? String(errorCode);
    const p = st.p;
    if (name === 'OFFSET_OUT_OF_RANGE' && leaderLogStart > p.log.logEndOffset) {
      // The leader no longer holds what we lack: start again at its log start.
      this.host.logger.warn({ partition: p.key, end: String(p.log.logEndOffset), leaderLogStart: String(leaderLogStart) }, 'follower is behind the leader\'s log start: starting its log again there');
      p.truncateFullyAndStartAt(leaderLogStart);
      return;
    }
    if (name === 'OFFSET_OUT_OF_RANGE') { st.truncating = true; this.delay(st); return; }
    // FENCED_LEADER_EPOCH: a newer state is on its way to us; UNKNOWN_LEADER_EPOCH /
    // NOT_LEADER_OR_FOLLOWER: the leader has not taken the state over yet. Both: wait.
    this.host.logger.debug({ partition: p.key, leader: this.sourceId, error: name, api }, 'follower fetch: retrying after backoff');
    this.delay(st);
  }
}

/** The whole batches at the start of `data` (a fetch response may end in a partial one). */
function wholeBatches(data: Buffer): Buffer {
  let end = 0;
  while (end + LOG_OVERHEAD <= data.length) {
    const size = data.readInt32BE(end + OFF_LENGTH) + LOG_OVERHEAD;
    if (end + size > data.length) break;
    end += size;
  }
  return end === data.length ? data : data.subarray(0, end);
}
