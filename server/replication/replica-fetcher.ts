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
  /** the leader's batches were appended (wake consumers, metrics) */
  onFollowerAppend(p: Partition, bytes: number): void;
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

  constructor(readonly sourceId: number, private readonly host: FetcherHost, private readonly s: FetcherSettings) {
    this.loop = this.run();
  }

  get size(): number { return this.parts.size; }
  has(p: Partition): boolean { return this.parts.get(p.key)?.p === p; }

  /** Follow `p` under its current leader epoch; it truncates before its first fetch. */
  add(p: Partition): void {
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
    const byTopic = new Map<string, FetchState[]>();
    for (const st of states) { const l = byTopic.get(st.p.topic) ?? []; l.push(st); byTopic.set(st.p.topic, l); }
    const { res, release } = await this.conn!.sendLeased(Fetch, FETCH_VERSION, {
      replicaId: this.s.nodeId,
      maxWaitMs: this.s.maxWaitMs,
      minBytes: this.s.minBytes,
      maxBytes: this.s.maxBytes,
      isolationLevel: 0,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((st) => ({
          partition: st.p.partition, currentLeaderEpoch: st.leaderEpoch, fetchOffset: st.p.log.logEndOffset,
          lastFetchedEpoch: st.p.log.leaderEpochs.latestEpoch, logStartOffset: st.p.log.logStartOffset, partitionMaxBytes: this.s.maxBytesPerPartition,
        })),
      })),
    }, this.s.socketTimeoutMs + this.s.maxWaitMs);
    // The records lie in a pooled buffer: appended (written synchronously, kept nowhere) before it is handed back.
    try { this.applyFetch(res, byTopic); } finally { release(); }
  }

  private applyFetch(res: DecodedResponse<typeof Fetch>, byTopic: Map<string, FetchState[]>): void {
    if (res.errorCode) throw new Error(`fetch failed: ${ERROR_NAME_BY_CODE.get(res.errorCode) ?? res.errorCode}`);
    for (const t of res.responses) {
      for (const r of t.partitions) {
        const st = byTopic.get(t.topic)?.find((x) => x.p.partition === r.partitionIndex);
        if (!st || !this.current(st)) continue;
        if (r.errorCode !== 0) { this.onError(st, r.errorCode, 'Fetch', r.logStartOffset); continue; }
        const p = st.p;
        const records = r.records ? wholeBatches(r.records) : null;
        if (records && records.length) {
          p.appendAsFollower(records);
          this.bytesFetched += records.length;
          if (p.followerThrottled) this.host.quota.record(records.length);
          this.host.onFollowerAppend(p, records.length);
        }
        p.updateFollowerHighWatermark(r.highWatermark);
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
