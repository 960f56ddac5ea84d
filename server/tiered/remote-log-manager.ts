// Tiered storage: copies closed segments of topics with remote.storage.enable=true
// to S3, trims local copies per local.retention.*, applies total retention
// (retention.ms/bytes) across remote and local data, and serves reads below the
// local log start from S3.
//
// Offsets: PartitionLog.logStartOffset stays the *local* log start (what is on
// disk); the partition's log start offset as clients see it (ListOffsets
// earliest, Fetch logStartOffset) is the remote start while remote data exists.
//
// Choices (see server/tiered/README.md):
// - Compacted topics tier like others. When the cleaner rewrites a segment that is
//   already uploaded (it is still on local disk), the next pass re-uploads it under
//   a new key, replaces it in the manifest and deletes the old objects. Segments
//   that left local disk are no longer compacted; they stay valid (latest value per
//   key still wins, offsets are never renumbered), only less compact.
// - remote.storage.enable=false on a topic stops uploads and local trimming; what is
//   already remote stays readable (and subject to total retention) until it expires.
// - In a cluster the manifest lives in the metadata store (RemoteLogMetadataStore),
//   written by the leader only, compare-and-set on its leader epoch. Followers re-read
//   it every pass and trim their local copies of what it covers, so a new leader
//   already knows (and re-reads, under its new epoch) what is remote: it serves it,
//   uploads from where the old leader stopped, and alone applies retention to it.
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { crc32 } from '@node-rs/crc32';
import type { Logger } from 'pino';
import type { MetadataStore } from '../cluster/metadata-store.ts';
import type { BrokerConfig } from '../config.ts';
import type { ReplicaManager } from '../replica-manager.ts';
import type { Partition, RemoteLog } from '../partition.ts';
import type { LogSegment } from '../log/log-segment.ts';
import { segmentFileName } from '../log/log-segment.ts';
import { OffsetOutOfRangeError } from '../log/partition-log.ts';
import { segmentNewestMs } from '../log/retention-manager.ts';
import { LOG_OVERHEAD, OFF_LENGTH, OFF_LAST_OFFSET_DELTA, BATCH_HEADER_SIZE, readRecords, readBatchInfo, ATTR_CONTROL } from '../log/record-batch.ts';
import { KafkaError } from '../errors.ts';
import { ConfigError } from '../config.ts';
import { S3RemoteStorage, type RemoteStorage } from './remote-storage.ts';
import { RemoteLogManifest, MANIFEST_FILE, type RemoteLogMetadataStore, type RemoteSegment } from './remote-log-manifest.ts';
import { RangeCache } from './range-cache.ts';
import { summarizeFile, lookupIndex, lookupTimeIndex, encodeTxnIndex, type AbortedEntry } from './remote-index.ts';

export interface RemoteLogManagerOptions {
  taskIntervalMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  cacheBytes: number;
  /** ranged GETs are aligned to chunks of this size, which the cache holds */
  chunkBytes: number;
  /** partitions copied in parallel */
  concurrency: number;
}

/** What tiered storage needs of its broker. */
export interface RemoteLogManagerDeps {
  metadata: MetadataStore;
  replicas: ReplicaManager;
  /** the broker is shutting down */
  isClosing(): boolean;
  /** a cluster's metadata store: manifests are kept there instead of in partition dirs */
  manifests?: RemoteLogMetadataStore | null;
}

interface PartitionState {
  p: Partition;
  name: string;
  manifest: RemoteLogManifest;
  /** `<topic>-<topicId>/<partition>/`: a re-created topic never sees old objects */
  prefix: string;
  /** closed local segments known to match their uploaded copy */
  current: WeakSet<LogSegment>;
  /** cluster: the topic id keying the manifest in the store */
  topicId: string;
  /** cluster: save() calls since the last write to the store reached it */
  changes: number;
  /** cluster: the leader epoch under which this broker (as leader) last read the stored manifest; -1 none */
  loadedEpoch: number;
}

/** objects of one uploaded segment (`.txnindex` and `.snapshot` only when there is something to keep) */
const EXT = ['.log', '.index', '.timeindex', '.txnindex', '.snapshot'];

export class RemoteLogManager implements RemoteLog {
  readonly cache: RangeCache;
  private states = new Map<object, PartitionState>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private retryAt = 0;
  private backoff: number;
  private lastWarnAt = 0;
  /** counters for tests and benchmarks */
  readonly stats = { uploads: 0, uploadedBytes: 0, uploadFailures: 0, remoteReads: 0, remoteReadBytes: 0, deletedSegments: 0, localDeletes: 0 };

  constructor(readonly b: RemoteLogManagerDeps, readonly storage: RemoteStorage, readonly o: RemoteLogManagerOptions, readonly logger: Logger) {
    this.cache = new RangeCache(o.cacheBytes);
    this.backoff = o.retryBackoffMs;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        if (!this.stopped) { this.timer = setTimeout(loop, this.o.taskIntervalMs); this.timer.unref(); }
      });
    };
    this.timer = setTimeout(loop, Math.min(this.o.taskIntervalMs, 1000));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // An upload in flight finishes or fails quickly; don't hold shutdown for a hung endpoint.
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, 5000).unref())]);
    this.storage.close();
  }

  // ---- partition state and topic configs ----

  private topicValue(p: Partition, name: string): string {
    const t = this.b.metadata.get(p.topic);
    return (t && this.b.replicas.topicConfigValue(t, name)) ?? '';
  }

  /** Retention of a tiered partition is applied here, across remote and local data. */
  ownsRetention(p: Partition): boolean { return this.enabled(p); }

  /** Uploads and local trimming are on for this partition's topic. */
  enabled(p: Partition): boolean {
    const t = this.b.metadata.get(p.topic);
    return !!t && !t.internal && !p.topic.startsWith('__') && this.topicValue(p, 'remote.storage.enable') === 'true';
  }

  private state(p: Partition): PartitionState {
    let st = this.states.get(p.log);
    if (!st) {
      const t = this.b.metadata.get(p.topic);
      let manifest: RemoteLogManifest;
      if (this.b.manifests) manifest = new RemoteLogManifest(p.log.dir); // filled from the store (loadManifest)
      else {
        try { manifest = RemoteLogManifest.load(p.log.dir); } catch (e) {
          this.logger.error({ err: e, partition: `${p.topic}-${p.partition}` }, `unreadable ${MANIFEST_FILE}; remote data of this partition is not served`);
          manifest = new RemoteLogManifest(p.log.dir);
        }
      }
      const created: PartitionState = { p, name: `${p.topic}-${p.partition}`, manifest, prefix: `${p.topic}-${t?.id ?? 'unknown'}/${p.partition}/`, current: new WeakSet(), topicId: t?.id ?? '', changes: 0, loadedEpoch: -1 };
      if (this.b.manifests) manifest.shared = () => { created.changes++; };
      st = created;
      this.states.set(p.log, st);
    }
    return st;
  }

  // ---- the manifest in a cluster's metadata store ----

  /** Reads the stored manifest over this broker's copy (local edits not yet stored are dropped). */
  private async loadManifest(st: PartitionState): Promise<void> {
    const store = this.b.manifests;
    if (!store || !st.topicId) return;
    const row = await store.loadRemoteManifest(st.topicId, st.p.partition);
    st.changes = 0;
    if (row) st.manifest.assign(row.manifest);
  }

  /**
   * Cluster: writes the manifest to the store if it changed, as the partition's leader
   * under its leader epoch. False when it could not (not the leader, or a newer leader
   * wrote it: this broker then re-reads it and uploads or deletes nothing on the old view).
   */
  private async persist(st: PartitionState): Promise<boolean> {
    const store = this.b.manifests;
    if (!store || st.changes === 0) return true;
    if (!st.p.isLeader || !st.topicId) return false;
    const seen = st.changes;
    const epoch = st.p.leaderEpoch;
    if (await store.saveRemoteManifest(st.topicId, st.p.partition, epoch, st.manifest.toJSON())) {
      st.changes -= seen;
      return true;
    }
    this.logger.warn({ partition: st.name, leaderEpoch: epoch }, 'tiered storage: a leader of a newer epoch has written this partition\'s remote log manifest; re-reading it');
    st.loadedEpoch = -1;
    await this.loadManifest(st).catch(() => undefined);
    return false;
  }

  /** Cluster, at start: every hosted partition's manifest from the store, before clients are served. */
  async loadManifests(): Promise<void> {
    if (!this.b.manifests) return;
    for (const p of this.b.replicas.all()) {
      if (p.log.closed || p.topic.startsWith('__')) continue;
      await this.loadManifest(this.state(p)).catch((e) => this.logger.warn({ err: (e as Error).message, partition: `${p.topic}-${p.partition}` }, 'tiered storage: reading the remote log manifest from the metadata store failed; retried by the background task'));
    }
  }

  /** A follower in a cluster: learns what the leader uploaded and trims its own local copies of it. */
  private async follow(st: PartitionState, now: number): Promise<void> {
    await this.loadManifest(st);
    st.loadedEpoch = -1;
    this.applyLocalRetention(st, now);
  }

  /** The local segment's data is in remote storage (uploaded from here, or, in a cluster, by any leader). */
  private uploadedCopy(st: PartitionState, seg: LogSegment): boolean {
    if (st.current.has(seg)) return true;
    return !!this.b.manifests && st.manifest.segments.length > 0 && seg.nextOffset <= st.manifest.endOffset;
  }

  /** True when the partition has remote-only data (offsets below the local log start). */
  private remoteBelowLocal(st: PartitionState): boolean {
    const s = st.manifest.startOffset;
    return s >= 0n && s < st.p.log.logStartOffset;
  }

  /** The partition's log start offset as clients see it. */
  logStartOffset(p: Partition): bigint {
    const st = this.state(p);
    return this.remoteBelowLocal(st) ? st.manifest.startOffset : p.log.logStartOffset;
  }

  /** Highest offset in remote storage (ListOffsets LATEST_TIERED), -1 if none. */
  latestTieredOffset(p: Partition): bigint {
    const st = this.state(p);
    return st.manifest.segments.length ? st.manifest.endOffset - 1n : -1n;
  }

  /** Whether a fetch at `offset` must be served from remote storage. */
  isRemoteOffset(p: Partition, offset: bigint): boolean {
    if (offset >= p.log.logStartOffset) return false;
    const st = this.state(p);
    return this.remoteBelowLocal(st) && offset >= st.manifest.startOffset;
  }

  /**
   * Per partition, closed segments below the last stable offset not uploaded yet:
   * Kafka's RemoteCopyLagBytes / RemoteCopyLagSegments (KIP-963). Read at scrape.
   */
  *copyLag(): Iterable<{ topic: string; partition: number; bytes: number; segments: number }> {
    for (const p of this.b.replicas.all()) {
      if (p.log.closed || !this.enabled(p)) continue;
      const st = this.state(p);
      const log = p.log;
      const lso = p.lastStableOffset();
      const upTo = lso < log.highWatermark ? lso : log.highWatermark;
      let bytes = 0; let segments = 0;
      for (let i = 0; i < log.segments.length - 1; i++) {
        const seg = log.segments[i];
        if (seg.nextOffset > upTo) break;
        if (st.current.has(seg)) continue;
        const existing = st.manifest.segments.find((s) => s.baseOffset === seg.baseOffset);
        if (existing && existing.size === seg.size) continue;
        if (seg.nextOffset <= st.manifest.startOffset && !existing) continue;
        bytes += seg.size; segments++;
      }
      yield { topic: p.topic, partition: p.partition, bytes, segments };
    }
  }

  // ---- the background task ----

  /** One pass over every partition; `now` is for tests (default: the clock at each partition). */
  async runOnce(now?: number): Promise<void> {
    // Only a partition's leader copies to remote storage and applies retention. A single
    // node's followers keep their local logs; a cluster's trim what the stored manifest covers.
    const shared = !!this.b.manifests;
    const parts = this.b.replicas.all().filter((p) => !p.log.closed && (p.isLeader || (shared && this.enabled(p))));
    const queue = [...parts];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        if (this.stopped) return;
        const st = this.state(p);
        try {
          if (!p.isLeader) { await this.follow(st, now ?? Date.now()); continue; }
          if (shared && st.loadedEpoch !== p.leaderEpoch) {
            // A new leadership: what earlier leaders uploaded is in the store, not (all) in our copy.
            const epoch = p.leaderEpoch;
            await this.loadManifest(st);
            st.loadedEpoch = epoch;
          }
          if (this.enabled(p) && Date.now() >= this.retryAt) await this.copySegments(st);
          // Local copies go only once the manifest naming their remote copies is stored.
          if (this.enabled(p) && await this.persist(st)) this.applyLocalRetention(st, now ?? Date.now());
          if (this.enabled(p) || st.manifest.segments.length || st.manifest.pendingDeletes.length) await this.applyTotalRetention(st, now ?? Date.now());
        } catch (e) {
          this.logger.error({ err: e, partition: st.name }, 'tiered storage task failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, worker));
    // Topics deleted since: their remote objects go too (retried until S3 answers).
    for (const [k, st] of this.states) {
      // Closed and no longer the live log of its partition: the topic was deleted (perhaps re-created).
      if (!st.p.log.closed || this.stopped || this.b.isClosing() || this.b.replicas.get(st.p.topic, st.p.partition)?.log === st.p.log) continue;
      // In a cluster the leader of the time deletes them; a follower forgets its copy of the manifest.
      if (shared && !st.p.isLeader) { this.states.delete(k); continue; }
      const keys = [...st.manifest.segments.map((s) => s.key), ...st.manifest.pendingDeletes];
      try {
        if (keys.length) await this.storage.delete(keys.flatMap((s) => EXT.map((e) => s + e)));
        this.states.delete(k);
        if (keys.length) this.logger.info({ partition: st.name, segments: keys.length }, 'deleted remote segments of a deleted topic');
      } catch (e) { this.warnUnavailable(e, 'delete'); }
    }
  }

  private warnUnavailable(e: unknown, what: string): void {
    const why = (e as Error)?.message || (e as Error)?.name || String(e);
    this.stats.uploadFailures++;
    this.retryAt = Date.now() + this.backoff;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.o.retryBackoffMaxMs);
    if (Date.now() - this.lastWarnAt < 30000) return;
    this.lastWarnAt = Date.now();
    this.logger.warn(
      { err: why, endpoint: this.storage.describe },
      `tiered storage: cannot ${what} at ${this.storage.describe}: ${why}. Segments stay on local disk and produce is unaffected; retrying in ${wait} ms. ` +
      'Fix: check that tiered.s3.endpoint is reachable, tiered.s3.bucket exists and AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws) are valid.',
    );
  }

  private onAvailable(): void {
    if (this.backoff !== this.o.retryBackoffMs) this.logger.warn({ endpoint: this.storage.describe }, `tiered storage: ${this.storage.describe} is reachable again; uploads resumed`);
    this.backoff = this.o.retryBackoffMs;
    this.retryAt = 0;
    this.lastWarnAt = 0;
  }

  /** Uploads closed segments below the last stable offset that are not (or no longer) remote. */
  private async copySegments(st: PartitionState): Promise<void> {
    const log = st.p.log;
    const hw = log.highWatermark;
    const lso = st.p.lastStableOffset();
    const upTo = lso < hw ? lso : hw;
    for (let i = 0; i < log.segments.length - 1; i++) {
      if (this.stopped || log.closed) return;
      const seg = log.segments[i];
      if (seg.nextOffset > upTo) break;
      if (st.current.has(seg)) continue;
      const existing = st.manifest.segments.find((s) => s.baseOffset === seg.baseOffset);
      if (existing && existing.size === seg.size && existing.localIno === inoOf(seg)) { st.current.add(seg); continue; }
      // Cluster: an earlier leader uploaded these offsets (perhaps cut into other segments).
      if (!existing && this.b.manifests && st.manifest.segments.length && seg.nextOffset <= st.manifest.endOffset) { st.current.add(seg); continue; }
      if (seg.nextOffset <= st.manifest.startOffset && !existing) continue; // already deleted remotely (DeleteRecords)
      try {
        await this.upload(st, seg, existing);
      } catch (e) {
        this.warnUnavailable(e, 'upload');
        return;
      }
      this.onAvailable();
      // Cluster: each upload is recorded in the store before the next (a new leader then never repeats it).
      if (!(await this.persist(st))) return;
    }
  }

  private async upload(st: PartitionState, seg: LogSegment, existing: RemoteSegment | undefined): Promise<void> {
    // One handle for the whole upload: a compaction swap renames a new file over the
    // path, but this handle keeps reading the file that was summarized.
    const fh = await fsp.open(seg.logPath, 'r');
    try { await this.uploadFrom(st, seg, existing, fh); } finally { await fh.close(); }
  }

  private async uploadFrom(st: PartitionState, seg: LogSegment, existing: RemoteSegment | undefined, fh: FileHandle): Promise<void> {
    const stat = await fh.stat();
    const ino = stat.ino;
    const sum = await summarizeFile(fh, stat.size, seg.baseOffset, st.p.log.config.indexIntervalBytes, crc32);
    const crc = sum.crc;
    if (st.p.log.closed) return;
    if (existing && existing.crc === crc && existing.size === sum.validBytes) {
      existing.localIno = ino; st.manifest.save(); st.current.add(seg);
      return;
    }
    const key = `${st.prefix}${segmentFileName(seg.baseOffset, '')}-${crc.toString(16).padStart(8, '0')}`;
    // Aborted transactions whose marker is in this segment (Kafka's per-segment txn index).
    const aborted: AbortedEntry[] = this.b.replicas.producerState.state(st.p).aborted
      .filter((a) => a.lastOffset >= seg.baseOffset && a.lastOffset < seg.nextOffset)
      .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset, lastOffset: a.lastOffset }));
    const puts = [
      this.storage.putFile(key + '.log', fh, sum.validBytes),
      this.storage.put(key + '.index', sum.index),
      this.storage.put(key + '.timeindex', sum.timeIndex),
    ];
    if (aborted.length) puts.push(this.storage.put(key + '.txnindex', encodeTxnIndex(aborted, seg.nextOffset)));
    // Idempotent/transactional producer state as of the upload, beside the segment as Kafka keeps it.
    const producers = this.b.replicas.producerState.state(st.p);
    if (producers.producers.size) puts.push(this.storage.put(key + '.snapshot', Buffer.from(JSON.stringify(producers))));
    await Promise.all(puts);
    if (st.p.log.closed) { st.manifest.pendingDeletes.push(key); return; } // topic deleted meanwhile: clean up with it
    const entry: RemoteSegment = {
      baseOffset: seg.baseOffset, nextOffset: seg.nextOffset > sum.nextOffset ? seg.nextOffset : sum.nextOffset,
      size: sum.validBytes, maxTimestamp: sum.maxTimestamp, key, crc, localIno: ino, aborted, uploadedAt: Date.now(),
    };
    const old = st.manifest.upsert(entry);
    if (old && old.key !== key) st.manifest.pendingDeletes.push(old.key);
    st.manifest.save();
    if (old) this.cache.invalidate(old.key);
    // The file read may predate a compaction swap; only then is `seg` still the live object.
    if (inoOf(seg) === ino) st.current.add(seg);
    this.stats.uploads++; this.stats.uploadedBytes += sum.validBytes;
    this.logger.info({ partition: st.name, baseOffset: String(seg.baseOffset), bytes: sum.validBytes, replaced: !!old }, 'uploaded segment to remote storage');
    if (old && old.key !== key) await this.flushDeletes(st);
  }

  /** Deletes local segments that are safely remote once local retention says so. */
  private applyLocalRetention(st: PartitionState, now: number): void {
    const log = st.p.log;
    const lms = this.localLimit(st.p, 'local.retention.ms', 'retention.ms');
    const lbytes = this.localLimit(st.p, 'local.retention.bytes', 'retention.bytes');
    if (lms < 0 && lbytes < 0) return;
    let deleted = 0;
    while (log.segments.length > 1) {
      const seg = log.segments[0];
      if (!this.uploadedCopy(st, seg)) break; // not uploaded (yet), or changed since
      const newest = segmentNewestMs(seg);
      const byTime = lms >= 0 && now - newest > lms;
      const bySize = lbytes >= 0 && log.size - seg.size >= lbytes;
      if (!byTime && !bySize) break;
      log.deleteOldestSegment();
      deleted++;
    }
    if (deleted) {
      this.stats.localDeletes += deleted;
      this.logger.info({ partition: st.name, segments: deleted, localLogStartOffset: String(log.logStartOffset), logStartOffset: String(this.logStartOffset(st.p)) }, 'deleted local copies of tiered segments');
    }
  }

  private localLimit(p: Partition, local: string, total: string): number {
    const v = Number(this.topicValue(p, local));
    return v === -2 ? Number(this.topicValue(p, total)) : v;
  }

  /**
   * retention.ms / retention.bytes over the whole partition, remote and local:
   * walks from the oldest data and drops remote-only segments (and, on tiered
   * topics, local ones) until the rest is within limits.
   */
  private async applyTotalRetention(st: PartitionState, now: number): Promise<void> {
    const p = st.p; const log = p.log; const m = st.manifest;
    const policyDelete = this.topicValue(p, 'cleanup.policy').includes('delete');
    const rms = Number(this.topicValue(p, 'retention.ms'));
    const rbytes = Number(this.topicValue(p, 'retention.bytes'));
    let changed = false;
    // Remote segments wholly below the effective start (DeleteRecords) are garbage.
    while (m.segments.length && m.segments[0].nextOffset <= m.logStartOffset) { m.pendingDeletes.push(m.segments.shift()!.key); changed = true; }
    if (policyDelete && (rms >= 0 || rbytes >= 0)) {
      const remoteOnly = () => m.segments.filter((s) => s.nextOffset <= log.logStartOffset);
      let total = log.size; for (const s of remoteOnly()) total += s.size;
      const expired = (newest: number, size: number) => (rms >= 0 && now - newest > rms) || (rbytes >= 0 && total - size >= rbytes);
      for (;;) {
        const ro = remoteOnly();
        if (ro.length) {
          const s = ro[0];
          if (!expired(Number(s.maxTimestamp), s.size)) break;
          m.segments.splice(m.segments.indexOf(s), 1);
          m.pendingDeletes.push(s.key); total -= s.size; changed = true;
          this.stats.deletedSegments++;
          continue;
        }
        // No remote-only data left: on tiered topics local retention by total limits is ours too.
        if (!this.enabled(p) || log.segments.length < 2 || log.segments[1].baseOffset > log.highWatermark) break;
        const seg = log.segments[0];
        const newest = segmentNewestMs(seg);
        if (!expired(newest, seg.size)) break;
        total -= seg.size;
        log.deleteOldestSegment();
        p.onLogStartAdvanced();
        // Its remote copy, if any, expired with it.
        const i = m.segments.findIndex((r) => r.baseOffset === seg.baseOffset);
        if (i >= 0) { m.pendingDeletes.push(m.segments.splice(i, 1)[0].key); changed = true; this.stats.deletedSegments++; }
      }
    }
    if (changed) {
      if (m.logStartOffset >= 0n && m.segments.length && m.logStartOffset < m.segments[0].baseOffset) m.logStartOffset = m.segments[0].baseOffset;
      m.save();
      this.logger.info({ partition: st.name, logStartOffset: String(this.logStartOffset(p)) }, 'retention deleted remote segments');
    }
    await this.flushDeletes(st);
  }

  private async flushDeletes(st: PartitionState): Promise<void> {
    const m = st.manifest;
    if (!m.pendingDeletes.length || Date.now() < this.retryAt) return;
    // Cluster: the manifest without these objects is stored before they go.
    if (!st.p.log.closed && !(await this.persist(st))) return;
    const stems = [...m.pendingDeletes];
    try {
      await this.storage.delete(stems.flatMap((s) => EXT.map((e) => s + e)));
    } catch (e) { this.warnUnavailable(e, 'delete'); return; }
    for (const s of stems) this.cache.invalidate(s);
    m.pendingDeletes = m.pendingDeletes.filter((k) => !stems.includes(k));
    if (!st.p.log.closed) { m.save(); await this.persist(st); }
  }

  /** DeleteRecords: remote data below `offset` becomes unreadable and is deleted in the background. */
  advanceLogStart(p: Partition, offset: bigint): void {
    const st = this.state(p);
    if (!st.manifest.segments.length || offset <= st.manifest.startOffset) return;
    st.manifest.logStartOffset = offset;
    while (st.manifest.segments.length && st.manifest.segments[0].nextOffset <= offset) st.manifest.pendingDeletes.push(st.manifest.segments.shift()!.key);
    st.manifest.save();
    if (this.b.manifests && p.isLeader) void this.persist(st).catch((e) => this.logger.warn({ err: (e as Error).message, partition: st.name }, 'tiered storage: storing the remote log start failed; retried by the background task'));
  }

  // ---- reads ----

  private async bytes(seg: RemoteSegment, from: number, to: number): Promise<Buffer> {
    to = Math.min(to, seg.size);
    if (to <= from) return Buffer.alloc(0);
    const C = this.o.chunkBytes;
    const first = Math.floor(from / C); const last = Math.floor((to - 1) / C);
    const chunks = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => {
      const c = first + i;
      return this.cache.get(`${seg.key}#${c}`, () => this.storage.getRange(seg.key + '.log', c * C, Math.min((c + 1) * C, seg.size)));
    }));
    if (chunks.length === 1) return chunks[0].subarray(from - first * C, to - first * C);
    return Buffer.concat(chunks).subarray(from - first * C, to - first * C);
  }

  /**
   * The batch header at `pos` and the batch's size. A size that cannot be a batch
   * (a corrupt or foreign object) throws: the scans stepping by it would never end.
   */
  private async batchHead(seg: RemoteSegment, pos: number): Promise<{ head: Buffer; size: number }> {
    const head = await this.bytes(seg, pos, pos + BATCH_HEADER_SIZE);
    const size = head.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || pos + size > seg.size) throw new Error(`remote segment ${seg.key}.log has no valid batch at byte ${pos} (size ${size})`);
    return { head, size };
  }

  private index(seg: RemoteSegment, ext: '.index' | '.timeindex'): Promise<Buffer> {
    return this.cache.get(seg.key + ext, () => this.storage.get(seg.key + ext));
  }

  /**
   * Reads whole batches from remote storage starting with the one holding
   * `offset`, up to maxBytes (the first batch whole, as KIP-74 says), never at
   * or beyond `upTo`. Falls through to the next segment (and finally the local
   * log) when compaction left nothing at or after `offset` in a segment.
   */
  async read(p: Partition, offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer> {
    const st = this.state(p);
    if (offset < st.manifest.startOffset) throw new OffsetOutOfRangeError(`offset ${offset} is below the log start offset ${st.manifest.startOffset}`);
    let at = offset;
    try {
      for (let seg = st.manifest.find(at); seg && seg.baseOffset < p.log.logStartOffset; seg = st.manifest.find(at)) {
        const out = await this.readSegment(seg, at, maxBytes, upTo);
        if (out.length) { this.stats.remoteReads++; this.stats.remoteReadBytes += out.length; return out; }
        at = seg.nextOffset;
        if (at >= upTo) return Buffer.alloc(0);
      }
    } catch (e) {
      if (e instanceof OffsetOutOfRangeError) throw e;
      this.logger.warn({ err: (e as Error).message, partition: st.name, offset: String(offset), endpoint: this.storage.describe }, 'tiered storage: remote read failed');
      throw new KafkaError('KAFKA_STORAGE_ERROR', `Reading offset ${offset} from remote storage ${this.storage.describe} failed: ${(e as Error).message}`);
    }
    // Nothing remote at or after `offset`: continue on local disk.
    const local = p.log.read(at > p.log.logStartOffset ? at : p.log.logStartOffset, maxBytes, upTo);
    return local.length === 1 ? local[0] : Buffer.concat(local);
  }

  private async readSegment(seg: RemoteSegment, offset: bigint, maxBytes: number, upTo: bigint): Promise<Buffer> {
    const index = await this.index(seg, '.index');
    let pos = lookupIndex(index, seg.baseOffset, offset);
    let start = -1; let end = -1;
    // Prefetch what the read will likely need; the loop below hits the cache.
    void this.bytes(seg, pos, pos + maxBytes + 4096).catch(() => undefined);
    while (pos + BATCH_HEADER_SIZE <= seg.size) {
      const { head, size } = await this.batchHead(seg, pos);
      const base = head.readBigInt64BE(0);
      const last = base + BigInt(head.readInt32BE(OFF_LAST_OFFSET_DELTA));
      if (base >= upTo || last >= upTo) break;
      if (last >= offset) {
        if (start < 0) start = pos;
        else if (pos + size - start > maxBytes) break;
        end = pos + size;
        if (end - start >= maxBytes) break;
      }
      pos += size;
    }
    if (start < 0) return Buffer.alloc(0);
    // Read ahead: a consumer catching up from remote data asks for what follows next.
    if (end < seg.size) void this.bytes(seg, end, end + Math.min(maxBytes, 8 * this.o.chunkBytes)).catch(() => undefined);
    return this.bytes(seg, start, end);
  }

  /** Aborted transactions in remote segments overlapping [from, upTo) (read_committed). */
  abortedTransactions(p: Partition, from: bigint, upTo: bigint): { producerId: bigint; firstOffset: bigint }[] {
    const st = this.state(p);
    const out: { producerId: bigint; firstOffset: bigint }[] = [];
    for (const s of st.manifest.segments) {
      for (const a of s.aborted) if (a.lastOffset >= from && a.firstOffset < upTo) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    }
    return out;
  }

  /**
   * ListOffsets by timestamp when the answer may be in remote data: the first
   * record with timestamp >= ts. Null when local data answers it.
   */
  offsetForTimestamp(p: Partition, ts: bigint): Promise<{ offset: bigint; timestamp: bigint } | null> | null {
    const st = this.state(p);
    if (!this.remoteBelowLocal(st)) return null;
    const candidates = st.manifest.segments.filter((s) => s.baseOffset < p.log.logStartOffset && s.maxTimestamp >= ts);
    if (!candidates.length) return null;
    const start = st.manifest.startOffset;
    return (async () => {
      for (const seg of candidates) {
        const tidx = await this.index(seg, '.timeindex');
        const from = lookupTimeIndex(tidx, seg.baseOffset, ts);
        const idx = await this.index(seg, '.index');
        let pos = lookupIndex(idx, seg.baseOffset, from > start ? from : start);
        while (pos + BATCH_HEADER_SIZE <= seg.size) {
          const { head, size } = await this.batchHead(seg, pos);
          const info = readBatchInfo(head, 0);
          if (info.maxTimestamp >= ts && (info.attributes & ATTR_CONTROL) === 0) {
            for (const r of readRecords(await this.bytes(seg, pos, pos + size), 0)) {
              if (r.timestamp >= ts && r.offset >= start) return { offset: r.offset, timestamp: r.timestamp };
            }
          }
          pos += size;
        }
      }
      return p.log.offsetForTimestamp(ts);
    })();
  }
}

function inoOf(seg: LogSegment): number {
  try { return fs.statSync(seg.logPath).ino; } catch { return -1; }
}

/** Tiered storage when remote.log.storage.system.enable=true (null otherwise); start() begins the background task. */
export function createRemoteLogManager(c: BrokerConfig, deps: RemoteLogManagerDeps, logger: Logger): RemoteLogManager | null {
  if (!c.bool('remote.log.storage.system.enable')) return null;
  const bucket = c.get('tiered.s3.bucket');
  if (!bucket) throw new ConfigError('tiered.s3.bucket is required when remote.log.storage.system.enable=true (set it with --set tiered.s3.bucket=NAME)');
  let prefix = c.get('tiered.s3.prefix') ?? '';
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  const storage = new S3RemoteStorage({
    endpoint: c.get('tiered.s3.endpoint'), region: c.get('tiered.s3.region') ?? 'us-east-1', bucket, prefix,
    forcePathStyle: c.bool('tiered.s3.force.path.style'),
  });
  return new RemoteLogManager(deps, storage, {
    taskIntervalMs: c.int('remote.log.manager.task.interval.ms'),
    retryBackoffMs: c.int('remote.log.manager.task.retry.backoff.ms'),
    retryBackoffMaxMs: c.int('remote.log.manager.task.retry.backoff.max.ms'),
    cacheBytes: c.int('tiered.cache.bytes'),
    chunkBytes: 1024 * 1024,
    concurrency: 4,
  }, logger);
}
