// Indexes of an uploaded segment, in Kafka's file formats: `.index` (8-byte
// entries: offset relative to the base, position) and `.timeindex` (12-byte
// entries: timestamp, relative offset). Built from the exact bytes uploaded, so
// they always match the remote `.log` even if compaction swapped the local file
// during the upload. Aborted transactions go to `.txnindex` (Kafka's 34-byte
// entries: version, producer id, first offset, last offset, last stable offset).
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFF_LENGTH, OFF_LAST_OFFSET_DELTA, OFF_MAX_TIMESTAMP } from '../log/record-batch.ts';

export interface SegmentSummary {
  index: Buffer;
  timeIndex: Buffer;
  /** offset after the last record (the segment's next offset) or base if empty */
  nextOffset: bigint;
  maxTimestamp: bigint;
  /** whole batches only; a torn tail (never expected in a closed segment) is cut */
  validBytes: number;
}

/**
 * Index entries of consecutive batches, one `add` per batch at its byte position:
 * shared by summarizeSegment (a buffer) and summarizeFile (a file read in chunks).
 */
class IndexBuilder {
  private idx: Buffer[] = []; private tidx: Buffer[] = [];
  private since = 0;
  nextOffset: bigint;
  maxTs = -1n;

  constructor(readonly baseOffset: bigint, readonly indexIntervalBytes: number) { this.nextOffset = baseOffset; }

  /** The batch of `size` bytes whose header is at `at` in `buf`, at file position `pos`. */
  add(buf: Buffer, at: number, pos: number, size: number): void {
    const base = buf.readBigInt64BE(at);
    const last = base + BigInt(buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA));
    const ts = buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP);
    if (pos === 0 || this.since >= this.indexIntervalBytes) {
      const e = Buffer.allocUnsafe(8); e.writeInt32BE(Number(base - this.baseOffset), 0); e.writeInt32BE(pos, 4); this.idx.push(e); this.since = 0;
    }
    if (ts > this.maxTs) {
      this.maxTs = ts;
      const e = Buffer.allocUnsafe(12); e.writeBigInt64BE(ts, 0); e.writeInt32BE(Number(base - this.baseOffset), 8); this.tidx.push(e);
    }
    this.since += size; this.nextOffset = last + 1n;
  }

  summary(validBytes: number): SegmentSummary {
    return { index: Buffer.concat(this.idx), timeIndex: Buffer.concat(this.tidx), nextOffset: this.nextOffset, maxTimestamp: this.maxTs, validBytes };
  }
}

export function summarizeSegment(data: Buffer, baseOffset: bigint, indexIntervalBytes: number): SegmentSummary {
  const ib = new IndexBuilder(baseOffset, indexIntervalBytes);
  let pos = 0;
  while (pos + LOG_OVERHEAD <= data.length) {
    const size = data.readInt32BE(pos + OFF_LENGTH) + LOG_OVERHEAD;
    if (pos + size > data.length || size < BATCH_HEADER_SIZE) break;
    ib.add(data, pos, pos, size);
    pos += size;
  }
  return ib.summary(pos);
}

/** Position of the last indexed batch starting at or before `offset` (0 if none). */
export function lookupIndex(index: Buffer, baseOffset: bigint, offset: bigint): number {
  const target = Number(offset - baseOffset);
  let lo = 0; let hi = index.length / 8 - 1; let ans = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index.readInt32BE(mid * 8) <= target) { ans = index.readInt32BE(mid * 8 + 4); lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

/** Offset of the last time-index entry with timestamp < target: a safe scan start. */
export function lookupTimeIndex(timeIndex: Buffer, baseOffset: bigint, target: bigint): bigint {
  let lo = 0; let hi = timeIndex.length / 12 - 1; let ans = baseOffset;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeIndex.readBigInt64BE(mid * 12) < target) { ans = baseOffset + BigInt(timeIndex.readInt32BE(mid * 12 + 8)); lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

export interface AbortedEntry { producerId: bigint; firstOffset: bigint; lastOffset: bigint }

export function encodeTxnIndex(entries: AbortedEntry[], lastStable: bigint): Buffer {
  const b = Buffer.alloc(entries.length * 34);
  entries.forEach((e, i) => {
    const p = i * 34;
    b.writeInt16BE(0, p); b.writeBigInt64BE(e.producerId, p + 2); b.writeBigInt64BE(e.firstOffset, p + 10);
    b.writeBigInt64BE(e.lastOffset, p + 18); b.writeBigInt64BE(lastStable, p + 26);
  });
  return b;
}

export interface FileSummary extends SegmentSummary { crc: number }

/**
 * summarizeSegment over an open file, read sequentially in chunks so a large
 * segment never sits in memory whole, with the CRC32 of its valid bytes
 * (the object key is derived from it).
 */
export async function summarizeFile(
  fh: { read(buf: Buffer, off: number, len: number, pos: number): Promise<{ bytesRead: number }> },
  size: number, baseOffset: bigint, indexIntervalBytes: number,
  crc32: (b: Uint8Array, init?: number) => number, chunkBytes = 4 << 20,
): Promise<FileSummary> {
  const ib = new IndexBuilder(baseOffset, indexIntervalBytes);
  const buf = Buffer.allocUnsafe(chunkBytes);
  let cpos = 0; let carry = Buffer.alloc(0);
  let next = 0; let torn = false; let crc = 0;
  while (cpos < size) {
    const { bytesRead: got } = await fh.read(buf, 0, Math.min(chunkBytes, size - cpos), cpos);
    if (got === 0) break;
    crc = crc32(buf.subarray(0, got), crc);
    const view = carry.length ? Buffer.concat([carry, buf.subarray(0, got)]) : buf.subarray(0, got);
    const viewStart = cpos - carry.length;
    while (!torn && next + BATCH_HEADER_SIZE <= viewStart + view.length) {
      const at = next - viewStart;
      const bsize = view.readInt32BE(at + OFF_LENGTH) + LOG_OVERHEAD;
      if (bsize < BATCH_HEADER_SIZE || next + bsize > size) { torn = true; break; }
      ib.add(view, at, next, bsize);
      next += bsize;
    }
    const tail = next - viewStart;
    carry = !torn && tail >= 0 && tail < view.length ? Buffer.from(view.subarray(tail)) : Buffer.alloc(0);
    cpos += got;
  }
  const validBytes = Math.min(next, cpos);
  if (validBytes !== cpos) {
    // A torn tail (never expected in a closed segment): the CRC covers only whole batches.
    crc = 0;
    for (let p = 0; p < validBytes;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(chunkBytes, validBytes - p), p);
      if (!bytesRead) break;
      crc = crc32(buf.subarray(0, bytesRead), crc); p += bytesRead;
    }
  }
  return { ...ib.summary(validBytes), crc };
}
