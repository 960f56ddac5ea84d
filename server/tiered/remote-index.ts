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

export function summarizeSegment(data: Buffer, baseOffset: bigint, indexIntervalBytes: number): SegmentSummary {
  const idx: Buffer[] = []; const tidx: Buffer[] = [];
  let pos = 0; let since = 0; let next = baseOffset; let maxTs = -1n;
  while (pos + LOG_OVERHEAD <= data.length) {
    const size = data.readInt32BE(pos + OFF_LENGTH) + LOG_OVERHEAD;
    if (pos + size > data.length || size < 61) break;
    const base = data.readBigInt64BE(pos);
    const last = base + BigInt(data.readInt32BE(pos + OFF_LAST_OFFSET_DELTA));
    const ts = data.readBigInt64BE(pos + OFF_MAX_TIMESTAMP);
    if (pos === 0 || since >= indexIntervalBytes) {
      const e = Buffer.allocUnsafe(8); e.writeInt32BE(Number(base - baseOffset), 0); e.writeInt32BE(pos, 4); idx.push(e); since = 0;
    }
    if (ts > maxTs) {
      maxTs = ts;
      const e = Buffer.allocUnsafe(12); e.writeBigInt64BE(ts, 0); e.writeInt32BE(Number(base - baseOffset), 8); tidx.push(e);
    }
    since += size; pos += size; next = last + 1n;
  }
  return { index: Buffer.concat(idx), timeIndex: Buffer.concat(tidx), nextOffset: next, maxTimestamp: maxTs, validBytes: pos };
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
  const idx: Buffer[] = []; const tidx: Buffer[] = [];
  const buf = Buffer.allocUnsafe(chunkBytes);
  let cpos = 0; let carry = Buffer.alloc(0);
  let next = 0; let since = 0; let nextOffset = baseOffset; let maxTs = -1n; let torn = false; let crc = 0;
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
      const base = view.readBigInt64BE(at);
      const last = base + BigInt(view.readInt32BE(at + OFF_LAST_OFFSET_DELTA));
      const ts = view.readBigInt64BE(at + OFF_MAX_TIMESTAMP);
      if (next === 0 || since >= indexIntervalBytes) {
        const e = Buffer.allocUnsafe(8); e.writeInt32BE(Number(base - baseOffset), 0); e.writeInt32BE(next, 4); idx.push(e); since = 0;
      }
      if (ts > maxTs) {
        maxTs = ts;
        const e = Buffer.allocUnsafe(12); e.writeBigInt64BE(ts, 0); e.writeInt32BE(Number(base - baseOffset), 8); tidx.push(e);
      }
      since += bsize; next += bsize; nextOffset = last + 1n;
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
  return { index: Buffer.concat(idx), timeIndex: Buffer.concat(tidx), nextOffset, maxTimestamp: maxTs, validBytes, crc };
}
