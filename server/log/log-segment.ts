// One segment of a partition log: `<baseOffset>.log` plus its sparse indexes.
import fs from 'node:fs';
import path from 'node:path';
import { OffsetIndex } from './offset-index.ts';
import { fetchReadBuffers, type ReadLease } from './read-buffers.ts';
import { TimeIndex } from './time-index.ts';
import {
  BATCH_HEADER_SIZE, LOG_OVERHEAD, OFF_LENGTH, OFF_LAST_OFFSET_DELTA, OFF_MAX_TIMESTAMP, OFF_MAGIC, batchCrcOk,
} from './record-batch.ts';

export function segmentFileName(baseOffset: bigint, ext: string): string {
  return baseOffset.toString().padStart(20, '0') + ext;
}

export interface ReadSlice {
  /** stored batch bytes, whole batches only (except an oversize first batch) */
  data: Buffer;
  /** first offset contained in data (batch base) */
  firstOffset: bigint;
}

export class LogSegment {
  private fd: number;
  size: number;
  /** offset after the last record in this segment */
  nextOffset: bigint;
  maxTimestamp = -1n;
  private bytesSinceIndex = 0;
  readonly createdAt: number;
  lastAppendAt: number;

  private constructor(
    readonly dir: string,
    readonly baseOffset: bigint,
    fd: number,
    size: number,
    readonly index: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly indexIntervalBytes: number,
  ) {
    this.fd = fd; this.size = size; this.nextOffset = baseOffset;
    this.createdAt = Date.now(); this.lastAppendAt = this.createdAt;
  }

  get logPath(): string { return path.join(this.dir, segmentFileName(this.baseOffset, '.log')); }

  static create(dir: string, baseOffset: bigint, indexIntervalBytes: number): LogSegment {
    const p = (e: string) => path.join(dir, segmentFileName(baseOffset, e));
    const fd = fs.openSync(p('.log'), 'a+');
    const seg = new LogSegment(dir, baseOffset, fd, 0, OffsetIndex.create(p('.index'), baseOffset), TimeIndex.create(p('.timeindex'), baseOffset), indexIntervalBytes);
    return seg;
  }

  /**
   * Opens an existing segment. With `recover`, every batch is CRC-checked and a
   * torn or corrupt tail is truncated; indexes are rebuilt when missing,
   * inconsistent, or when recovering.
   */
  static open(dir: string, baseOffset: bigint, indexIntervalBytes: number, recover: boolean): { segment: LogSegment; truncatedBytes: number; rebuiltIndex: boolean } {
    const p = (e: string) => path.join(dir, segmentFileName(baseOffset, e));
    const fd = fs.openSync(p('.log'), 'a+');
    const size = fs.fstatSync(fd).size;
    let index = recover ? null : OffsetIndex.load(p('.index'), baseOffset, size);
    let timeIndex = recover || !index ? null : TimeIndex.load(p('.timeindex'), baseOffset);
    let rebuilt = false;
    if (!index || !timeIndex) {
      index?.close(); timeIndex?.close();
      index = OffsetIndex.create(p('.index'), baseOffset);
      timeIndex = TimeIndex.create(p('.timeindex'), baseOffset);
      rebuilt = true;
    }
    const seg = new LogSegment(dir, baseOffset, fd, size, index, timeIndex, indexIntervalBytes);
    const truncated = seg.scan(rebuilt, recover || rebuilt);
    return { segment: seg, truncatedBytes: truncated, rebuiltIndex: rebuilt };
  }

  /**
   * Walks the batches to find nextOffset / maxTimestamp, optionally rebuilding the
   * indexes and validating CRCs. Returns bytes truncated from a bad tail.
   */
  private scan(rebuildIndex: boolean, validate: boolean): number {
    let pos = 0;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    // Fast path for a trusted segment: start at the last indexed batch.
    if (!validate && this.index.count > 0) pos = this.index.lookup(BigInt(Number.MAX_SAFE_INTEGER));
    let sinceIndex = 0;
    while (pos < this.size) {
      if (this.size - pos < BATCH_HEADER_SIZE) break;
      fs.readSync(this.fd, header, 0, BATCH_HEADER_SIZE, pos);
      const batchSize = header.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
      if (header[OFF_MAGIC] !== 2 || batchSize < BATCH_HEADER_SIZE || pos + batchSize > this.size) break;
      if (validate) {
        const whole = Buffer.allocUnsafe(batchSize);
        fs.readSync(this.fd, whole, 0, batchSize, pos);
        if (!batchCrcOk(whole, 0, batchSize)) break;
      }
      const base = header.readBigInt64BE(0);
      const last = base + BigInt(header.readInt32BE(OFF_LAST_OFFSET_DELTA));
      const maxTs = header.readBigInt64BE(OFF_MAX_TIMESTAMP);
      if (rebuildIndex && (sinceIndex >= this.indexIntervalBytes || pos === 0)) {
        this.index.append(base, pos);
        sinceIndex = 0;
      }
      if (rebuildIndex && maxTs > this.maxTimestamp) this.timeIndex.maybeAppend(maxTs, base);
      if (maxTs > this.maxTimestamp) this.maxTimestamp = maxTs;
      sinceIndex += batchSize;
      this.nextOffset = last + 1n;
      pos += batchSize;
    }
    const truncated = this.size - pos;
    if (truncated > 0) {
      fs.ftruncateSync(this.fd, pos);
      this.size = pos;
      this.index.truncateToPosition(pos);
    }
    if (!rebuildIndex && this.timeIndex.lastTimestamp > this.maxTimestamp) this.maxTimestamp = this.timeIndex.lastTimestamp;
    this.bytesSinceIndex = sinceIndex;
    return truncated;
  }

  /** Appends batches whose offsets were already assigned. */
  append(data: Buffer, firstOffset: bigint, lastOffset: bigint, maxTimestamp: bigint, batchStarts?: { pos: number; base: bigint }[]): void {
    const pos = this.size;
    let written = 0;
    while (written < data.length) written += fs.writeSync(this.fd, data, written, data.length - written, pos + written);
    if (this.bytesSinceIndex >= this.indexIntervalBytes || pos === 0) {
      this.index.append(firstOffset, pos);
      this.bytesSinceIndex = 0;
    }
    if (batchStarts && batchStarts.length > 1) {
      // Large multi-batch appends keep the index dense enough for seeks.
      for (const b of batchStarts) {
        if (b.pos > 0 && this.bytesSinceIndex + b.pos >= this.indexIntervalBytes) { this.index.append(b.base, pos + b.pos); this.bytesSinceIndex = -b.pos; }
      }
    }
    this.bytesSinceIndex += data.length;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.timeIndex.maybeAppend(maxTimestamp, firstOffset);
    }
    this.size += data.length;
    this.nextOffset = lastOffset + 1n;
    this.lastAppendAt = Date.now();
  }

  /** Finds the position of the batch containing `offset` (or the first after it). */
  private seek(offset: bigint): number {
    let pos = this.index.lookup(offset);
    const header = Buffer.allocUnsafe(OFF_LAST_OFFSET_DELTA + 4);
    while (pos < this.size) {
      fs.readSync(this.fd, header, 0, header.length, pos);
      const base = header.readBigInt64BE(0);
      const last = base + BigInt(header.readInt32BE(OFF_LAST_OFFSET_DELTA));
      if (last >= offset) return pos;
      pos += header.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
    }
    return this.size;
  }

  /**
   * Reads whole batches starting with the one that contains `offset`, up to
   * maxBytes (the first batch is returned whole even if larger, as KIP-74 says),
   * never past `maxPosition` (the high-water mark's position in this segment).
   * With `leases`, the bytes are read into a pooled buffer, pushed there for the caller
   * to release once nothing reads the slice any more (read-buffers.ts).
   */
  read(offset: bigint, maxBytes: number, maxPosition = this.size, leases?: ReadLease[]): ReadSlice | null {
    const start = this.seek(offset);
    if (start >= maxPosition) return null;
    const header = Buffer.allocUnsafe(LOG_OVERHEAD);
    fs.readSync(this.fd, header, 0, LOG_OVERHEAD, start);
    const firstSize = header.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
    const want = Math.min(Math.max(maxBytes, firstSize), maxPosition - start);
    const pooled = leases ? fetchReadBuffers.acquire(want) : null;
    const buf = pooled ? pooled.subarray(0, want) : Buffer.allocUnsafe(want);
    const got = fs.readSync(this.fd, buf, 0, want, start);
    if (pooled) leases!.push(pooled);
    // Trim to whole batches.
    let end = 0;
    while (end + LOG_OVERHEAD <= got) {
      const sz = buf.readInt32BE(end + OFF_LENGTH) + LOG_OVERHEAD;
      if (end + sz > got) break;
      end += sz;
    }
    if (end === 0) return null;
    return { data: buf.subarray(0, end), firstOffset: buf.readBigInt64BE(0) };
  }

  /** Position where the batch holding `offset` starts, or size if beyond. */
  positionOf(offset: bigint): number { return this.seek(offset); }

  /** Reads raw bytes [from, to) — used by compaction, tiering and timestamp lookups. */
  readRange(from: number, to: number): Buffer {
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(this.fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }

  /** Removes everything at and after `offset` (a follower's divergent tail, or recovery). */
  truncateTo(offset: bigint): void {
    const pos = this.seek(offset);
    fs.ftruncateSync(this.fd, pos);
    this.size = pos;
    this.index.truncateToPosition(pos);
    this.timeIndex.truncateFromOffset(offset);
    this.nextOffset = offset < this.nextOffset ? offset : this.nextOffset;
  }

  flush(): void { fs.fsyncSync(this.fd); this.index.flush(); this.timeIndex.flush(); }

  /**
   * fsync the log and both indexes on the thread pool, without blocking appends (on roll). The
   * indexes too: on ext4 an fsync of even a small file waits for the journal commit, which waits
   * for the data being written back — a closed 256 MB segment's — so a synchronous index fsync
   * here stopped the event loop for 0.3–1 s per roll under load.
   */
  flushAsync(): void {
    fs.fsync(this.fd, () => undefined);
    this.index.flushAsync(); this.timeIndex.flushAsync();
  }

  close(): void {
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
    this.index.close(); this.timeIndex.close();
  }

  delete(): void {
    this.close();
    for (const e of ['.log', '.index', '.timeindex']) {
      try { fs.unlinkSync(path.join(this.dir, segmentFileName(this.baseOffset, e))); } catch { /* gone */ }
    }
  }
}
