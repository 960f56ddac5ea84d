// The log of one partition: ordered segments, offset assignment, reads by
// offset and timestamp, recovery. Knows nothing of the Kafka protocol.
import fs from 'node:fs';
import path from 'node:path';
import { LogSegment, segmentFileName } from './log-segment.ts';
import { TailCache } from './tail-cache.ts';
import type { ReadLease, SharedBuffer } from './read-buffers.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';
import {
  validateBatches, readRecords, readBatchInfo, rewriteCrc, InvalidRecordError,
  OFF_BASE_OFFSET, OFF_LEADER_EPOCH, OFF_MAX_TIMESTAMP, OFF_ATTRIBUTES, ATTR_TIMESTAMP_TYPE, LOG_OVERHEAD, OFF_LENGTH,
  type BatchInfo,
} from './record-batch.ts';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  indexIntervalBytes: number;
  maxMessageBytes: number;
  /** 'CreateTime' | 'LogAppendTime' */
  timestampType: string;
  /** fsync after this many appended messages (Kafka's flush.messages) */
  flushMessages: number;
  flushMs: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  maxMessageBytes: 1048588,
  timestampType: 'CreateTime',
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
};

export class RecordTooLargeError extends Error {}
export class OffsetOutOfRangeError extends Error {}

export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  /** -1 unless the topic uses LogAppendTime */
  logAppendTime: bigint;
  batches: BatchInfo[];
}

export interface AppendOptions {
  leaderEpoch?: number;
  /** assign offsets (leader) or keep the batch's own (follower / internal copy) */
  assignOffsets?: boolean;
  /** validate before append; the caller may have done it already */
  validated?: BatchInfo[];
  /** the pooled buffer `records` lies in (a Produce request's frame): the tail cache keeps a share while it holds them */
  shared?: SharedBuffer;
}

export class PartitionLog {
  segments: LogSegment[] = [];
  logStartOffset = 0n;
  /** Single node: advanced right after a write; replicated: by follower fetches. */
  highWatermark = 0n;
  /** leader epoch → first offset (leader-epoch-checkpoint), kept in step with appends and truncation */
  leaderEpochs: LeaderEpochCache;
  private unflushedMessages = 0;
  private lastFlush = Date.now();
  /** the active segment's latest batches in memory: tail fetches skip the file */
  private readonly tail = new TailCache();
  /**
   * Keep the latest appends in the tail cache (a leader whose followers fetch every byte).
   * The Partition turns it off for a partition without followers: there the cache only
   * kept produce buffers alive (RF=1 produce lost a quarter to a half of its MB/s to GC).
   */
  cacheTail = true;
  closed = false;

  constructor(readonly dir: string, public config: LogConfig) {
    this.leaderEpochs = LeaderEpochCache.empty(dir);
  }

  get logEndOffset(): bigint { return this.active.nextOffset; }
  get active(): LogSegment { return this.segments[this.segments.length - 1]; }
  get size(): number { let n = 0; for (const s of this.segments) n += s.size; return n; }

  /** Opens (creating if needed) and recovers the log in `dir`. */
  static open(dir: string, config: LogConfig, cleanShutdown: boolean, log?: (msg: string) => void): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const pl = new PartitionLog(dir, config);
    // Files left by an interrupted compaction or deletion: a .swap is a finished
    // cleaned segment whose swap was cut short, so complete it; .cleaned was never
    // made visible, so drop it.
    for (const f of fs.readdirSync(dir)) {
      const full = path.join(dir, f);
      if (f.endsWith('.log.swap')) {
        const target = full.slice(0, -'.swap'.length);
        for (const e of ['.index', '.timeindex']) fs.rmSync(target.replace(/\.log$/, e), { force: true });
        fs.renameSync(full, target);
        log?.(`${path.basename(dir)}: completed an interrupted compaction swap of ${path.basename(target)}`);
      } else if (f.endsWith('.cleaned') || f.endsWith('.deleted')) fs.rmSync(full, { force: true });
    }
    const bases = fs.readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => BigInt(f.slice(0, 20)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    try { pl.logStartOffset = BigInt(fs.readFileSync(path.join(dir, 'log-start-offset'), 'utf8').trim()); } catch { /* none */ }
    for (let i = 0; i < bases.length; i++) {
      const last = i === bases.length - 1;
      const { segment, truncatedBytes, rebuiltIndex } = LogSegment.open(dir, bases[i], config.indexIntervalBytes, !cleanShutdown && last);
      if (truncatedBytes > 0) log?.(`${path.basename(dir)}: truncated ${truncatedBytes} bytes of torn or corrupt tail from ${segmentFileName(bases[i], '.log')}`);
      if (rebuiltIndex && cleanShutdown) log?.(`${path.basename(dir)}: rebuilt missing or corrupt index of ${segmentFileName(bases[i], '.log')}`);
      pl.segments.push(segment);
    }
    if (pl.segments.length === 0) pl.segments.push(LogSegment.create(dir, pl.logStartOffset, config.indexIntervalBytes));
    // An empty segment after a truncated one keeps its base; an empty last segment
    // whose base is below the previous end would be a bug, so drop it.
    for (let i = 1; i < pl.segments.length; i++) {
      if (pl.segments[i].nextOffset < pl.segments[i - 1].nextOffset && pl.segments[i].size === 0) { pl.segments[i].delete(); pl.segments.splice(i, 1); i--; }
    }
    if (pl.logStartOffset < pl.segments[0].baseOffset) pl.logStartOffset = pl.segments[0].baseOffset;
    if (pl.logStartOffset > pl.logEndOffset) pl.logStartOffset = pl.logEndOffset;
    pl.highWatermark = pl.logEndOffset;
    pl.loadLeaderEpochs();
    return pl;
  }

  /**
   * The checkpoint, cut to what recovery kept; rebuilt from the batch headers when it
   * is missing (a log written before epochs were kept, or a lost file).
   */
  private loadLeaderEpochs(): void {
    const loaded = LeaderEpochCache.load(this.dir);
    if (loaded) {
      this.leaderEpochs = loaded;
      this.leaderEpochs.truncateFromEnd(this.logEndOffset);
      this.leaderEpochs.truncateFromStart(this.logStartOffset);
      return;
    }
    this.leaderEpochs = LeaderEpochCache.empty(this.dir);
    for (const seg of this.segments) {
      let pos = 0;
      while (pos + LOG_OVERHEAD + 5 <= seg.size) {
        const head = seg.readRange(pos, pos + OFF_LEADER_EPOCH + 4);
        const base = head.readBigInt64BE(OFF_BASE_OFFSET);
        if (base >= this.logStartOffset || this.leaderEpochs.latestEpoch < 0) this.leaderEpochs.assign(head.readInt32BE(OFF_LEADER_EPOCH), base < this.logStartOffset ? this.logStartOffset : base, false);
        pos += head.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
      }
    }
    this.leaderEpochs.flush();
  }

  /**
   * Appends a produced record set: validates CRCs and sizes, assigns offsets in
   * place (baseOffset and leader epoch sit outside the CRC), stores bytes as sent.
   */
  append(records: Buffer, opts: AppendOptions = {}): AppendResult {
    if (this.closed) throw new Error('log is closed');
    const batches = opts.validated ?? validateBatches(records);
    if (batches.length === 0) throw new InvalidRecordError('empty record set', 'INVALID_RECORD');
    for (const b of batches) {
      if (b.size > this.config.maxMessageBytes) throw new RecordTooLargeError(`record batch of ${b.size} bytes exceeds max.message.bytes=${this.config.maxMessageBytes}`);
    }
    const assign = opts.assignOffsets !== false;
    let next = this.logEndOffset;
    const base = assign ? next : batches[0].baseOffset;
    let maxTs = -1n;
    const logAppendTime = this.config.timestampType === 'LogAppendTime' ? BigInt(Date.now()) : -1n;
    const starts: { pos: number; base: bigint }[] = [];
    for (const b of batches) {
      const p = b.position;
      if (assign) {
        records.writeBigInt64BE(next, p + OFF_BASE_OFFSET);
        b.baseOffset = next;
        records.writeInt32BE(opts.leaderEpoch ?? 0, p + OFF_LEADER_EPOCH);
        if (logAppendTime >= 0n) {
          records.writeBigInt64BE(logAppendTime, p + OFF_MAX_TIMESTAMP);
          records.writeInt16BE(records.readInt16BE(p + OFF_ATTRIBUTES) | ATTR_TIMESTAMP_TYPE, p + OFF_ATTRIBUTES);
          rewriteCrc(records, p, b.size);
          b.maxTimestamp = logAppendTime;
        }
      }
      starts.push({ pos: p, base: b.baseOffset });
      const epoch = assign ? (opts.leaderEpoch ?? 0) : records.readInt32BE(p + OFF_LEADER_EPOCH);
      if (epoch > this.leaderEpochs.latestEpoch) this.leaderEpochs.assign(epoch, b.baseOffset);
      if (b.maxTimestamp > maxTs) maxTs = b.maxTimestamp;
      next = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n;
    }
    const last = next - 1n;
    this.maybeRoll(records.length, base, last);
    this.active.append(records, base, last, maxTs, starts);
    // A leader's appends are what its followers and consumers fetch next; a follower serves no fetches.
    if (assign && this.cacheTail) this.tail.append(records, base, last, opts.shared ?? null); else this.tail.clear();
    let count = 0; for (const b of batches) count += b.recordCount;
    this.unflushedMessages += count;
    if (this.unflushedMessages >= this.config.flushMessages) this.flush();
    return { baseOffset: base, lastOffset: last, logAppendTime, batches };
  }

  /**
   * A follower's append: the leader's batches as they are (offsets and leader epochs
   * kept, CRCs checked), starting exactly at this log's end.
   */
  appendAsFollower(records: Buffer): AppendResult {
    const batches = validateBatches(records);
    if (batches.length === 0) throw new InvalidRecordError('empty record set', 'INVALID_RECORD');
    let next = this.logEndOffset;
    for (const b of batches) {
      if (b.baseOffset !== next) throw new OffsetOutOfRangeError(`${path.basename(this.dir)}: replicated batch at offset ${b.baseOffset} does not follow the log end ${next}`);
      next = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n;
    }
    return this.append(records, { assignOffsets: false, validated: batches });
  }

  private maybeRoll(incoming: number, base: bigint, last: bigint): void {
    const a = this.active;
    const tooBig = a.size > 0 && a.size + incoming > this.config.segmentBytes;
    const tooOld = a.size > 0 && Date.now() - a.createdAt >= this.config.segmentMs;
    const overflow = last - a.baseOffset > 0x7fffffffn;
    if (tooBig || tooOld || overflow) this.roll(base);
  }

  /** Closes the active segment (fsynced, as Kafka does on roll) and starts a new one. */
  roll(base = this.logEndOffset): LogSegment {
    // fsync the closed segment off the event loop, as Kafka does on its scheduler thread.
    this.active.flushAsync();
    const seg = LogSegment.create(this.dir, base, this.config.indexIntervalBytes);
    this.segments.push(seg);
    this.tail.dropBefore(base);
    return seg;
  }

  flush(): void {
    this.active.flush();
    this.unflushedMessages = 0;
    this.lastFlush = Date.now();
  }

  /** Called by the log manager's timer for flush.ms and segment.ms. */
  tick(now: number): void {
    if (this.unflushedMessages > 0 && now - this.lastFlush >= this.config.flushMs) this.flush();
    if (this.active.size > 0 && now - this.active.createdAt >= this.config.segmentMs) this.roll();
  }

  private segmentFor(offset: bigint): number {
    let lo = 0; let hi = this.segments.length - 1; let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid].baseOffset <= offset) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  /**
   * Reads stored batches from `offset` up to `maxBytes`, never beyond `upTo`
   * (high-water mark or last stable offset). Returns buffers to send as-is; with
   * `leases`, segment bytes are read into pooled buffers listed there (LogSegment.read)
   * and cached bytes of pooled frames are served with a share listed there (TailCache.read).
   */
  read(offset: bigint, maxBytes: number, upTo: bigint = this.highWatermark, leases?: ReadLease[]): Buffer[] {
    if (offset < this.logStartOffset || offset > this.logEndOffset) throw new OffsetOutOfRangeError(`offset ${offset} is outside [${this.logStartOffset}, ${this.logEndOffset}]`);
    const out: Buffer[] = [];
    if (offset >= upTo) return out;
    // Only the active segment is served from memory (compaction and retention touch closed ones),
    // and only while the cache ends where the log does.
    if (offset >= this.active.baseOffset && this.tail.endOffset === this.logEndOffset) {
      const cached = this.tail.read(offset, maxBytes, upTo, leases);
      if (cached) return cached;
    }
    let i = this.segmentFor(offset);
    let remaining = maxBytes;
    let at = offset;
    while (i < this.segments.length && at < upTo) {
      const seg = this.segments[i];
      const maxPos = upTo >= seg.nextOffset ? seg.size : seg.positionOf(upTo);
      const slice = seg.read(at, out.length ? remaining : Math.max(remaining, 1), maxPos, leases);
      if (slice) {
        if (out.length && slice.data.length > remaining) break;
        out.push(slice.data);
        remaining -= slice.data.length;
        // last offset in the slice: walk to the last batch header
        at = lastOffsetIn(slice.data) + 1n;
        if (remaining <= 0) break;
        if (at < seg.nextOffset) continue;
      }
      i++;
    }
    return out;
  }

  /** First offset whose record timestamp is >= ts, with that timestamp; null if none. */
  offsetForTimestamp(ts: bigint): { offset: bigint; timestamp: bigint } | null {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < ts || seg.size === 0) continue;
      const start = seg.timeIndex.lookup(ts);
      let pos = seg.positionOf(start < this.logStartOffset ? this.logStartOffset : start);
      while (pos < seg.size) {
        const head = seg.readRange(pos, pos + LOG_OVERHEAD);
        const size = head.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
        const batch = seg.readRange(pos, pos + size);
        const info = readBatchInfo(batch, 0);
        if (info.maxTimestamp >= ts) {
          for (const r of readRecords(batch, 0)) {
            if (r.timestamp >= ts && r.offset >= this.logStartOffset) return { offset: r.offset, timestamp: r.timestamp };
          }
        }
        pos += size;
      }
    }
    return null;
  }

  /** Largest timestamp in the log and the offset of its batch (ListOffsets MAX_TIMESTAMP). */
  maxTimestamp(): { offset: bigint; timestamp: bigint } | null {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i];
      if (seg.size === 0) continue;
      const hit = this.offsetForTimestamp(seg.maxTimestamp);
      if (hit) return hit;
    }
    return null;
  }

  /** Advances the log start offset (DeleteRecords / retention); drops whole segments below it. */
  advanceLogStart(offset: bigint): void {
    if (offset <= this.logStartOffset) return;
    if (offset > this.highWatermark) throw new OffsetOutOfRangeError(`offset ${offset} is beyond the high watermark ${this.highWatermark}`);
    this.logStartOffset = offset;
    writeFileAtomic(path.join(this.dir, 'log-start-offset'), offset.toString());
    while (this.segments.length > 1 && this.segments[1].baseOffset <= offset) this.segments.shift()!.delete();
    this.leaderEpochs.truncateFromStart(offset);
  }

  /** Removes the closed segment at the head (retention); advances log start. */
  deleteOldestSegment(): void {
    if (this.segments.length < 2) return;
    const seg = this.segments.shift()!;
    seg.delete();
    if (this.logStartOffset < this.segments[0].baseOffset) {
      this.logStartOffset = this.segments[0].baseOffset;
      writeFileAtomic(path.join(this.dir, 'log-start-offset'), this.logStartOffset.toString());
      this.leaderEpochs.truncateFromStart(this.logStartOffset);
    }
  }

  /** Drops everything at and after `offset` (follower divergence); `offset` is a batch boundary. */
  truncateTo(offset: bigint): void {
    if (offset >= this.logEndOffset) return;
    if (offset < this.logStartOffset) { this.truncateFullyAndStartAt(offset); return; }
    this.tail.clear();
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this.segments.pop()!.delete();
    this.active.truncateTo(offset);
    this.leaderEpochs.truncateFromEnd(offset);
    if (this.highWatermark > this.logEndOffset) this.highWatermark = this.logEndOffset;
  }

  /** Empties the log and starts it again at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: bigint): void {
    this.tail.clear();
    for (const s of this.segments) s.delete();
    this.segments = [LogSegment.create(this.dir, offset, this.config.indexIntervalBytes)];
    this.logStartOffset = offset;
    writeFileAtomic(path.join(this.dir, 'log-start-offset'), offset.toString());
    this.leaderEpochs.clear();
    this.highWatermark = offset;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.tail.clear();
    for (const s of this.segments) s.close();
    this.closed = true;
  }

  deleteAll(): void {
    this.closed = true;
    this.tail.clear();
    for (const s of this.segments) s.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function lastOffsetIn(data: Buffer): bigint {
  let pos = 0; let last = -1n;
  while (pos + LOG_OVERHEAD <= data.length) {
    const info = readBatchInfo(data, pos);
    last = info.baseOffset + BigInt(info.lastOffsetDelta);
    pos += info.size;
  }
  return last;
}

/**
 * writeFileAtomic off the event loop (temp file, fsync, rename on the thread pool), for periodic
 * checkpoints: under heavy writeback a small fsync can wait a second for the journal.
 */
export async function writeFileAtomicAsync(file: string, data: string): Promise<void> {
  const tmp = file + '.async.tmp';
  const fh = await fs.promises.open(tmp, 'w');
  try { await fh.writeFile(data); await fh.sync(); } finally { await fh.close(); }
  await fs.promises.rename(tmp, file);
}

export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = file + '.tmp';
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
}
