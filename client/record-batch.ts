// One partition's records → one record batch (magic v2), written in one pass into
// one buffer. The library encodes a Writer and a DynamicBuffer per record and joins
// them with Buffer.concat: ~25% of a Connect source task's busy time plus most of
// its garbage. Here string keys and values are written straight into the batch
// (no Buffer per string), and the only allocations are the batch and, for a
// compressed batch, its records section and the codec's output.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
//   crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 |
//   maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32 |
//   records [count int32, record...]
//   record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//           keyLength varint | key | valueLength varint | value | [headerKey, headerValue]
// The CRC32C covers attributes through the end.
import { crc32c } from '@node-rs/crc32';
import { compressionsAlgorithms } from '@platformatic/kafka';
import type { Codec } from './codecs.ts';

export type Bytes = Buffer | string | null | undefined;
export type Headers = { key: string; value: Buffer | string | null }[] | Record<string, Buffer | string | null>;

/** What the encoder reads of a record: a key and value, headers, a timestamp (ms; default: now). */
export interface BatchRecord {
  key?: Bytes;
  value: Bytes;
  headers?: Headers;
  timestamp?: number;
}

export interface BatchOptions {
  /** -1 when not idempotent */
  producerId: bigint;
  producerEpoch: number;
  /** -1 when not idempotent */
  baseSequence: number;
  transactional: boolean;
  codec: Codec;
  /** the timestamp of records without one (ms) */
  now: number;
}

const HEADER_SIZE = 61;
const ATTR_TRANSACTIONAL = 0x10;
const CODEC_BITS: Record<Codec, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Size of an unsigned varint (values below 2^53). */
function uvarintSize(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let n = 5;
  for (u = Math.floor(u / 0x800000000); u > 0; u = Math.floor(u / 128)) n++;
  return n;
}

/** Zigzag of a signed integer (|n| < 2^52) as a non-negative number. */
const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const varintSize = (n: number): number => uvarintSize(zigzag(n));

/** Writes an unsigned varint at `pos`; returns the position after it. */
export function writeUvarint(buf: Buffer, pos: number, u: number): number {
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u = u < 0x100000000 ? u >>> 7 : Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
const writeVarint = (buf: Buffer, pos: number, n: number): number => writeUvarint(buf, pos, zigzag(n));

const byteLen = (b: Bytes): number => (b === null || b === undefined ? -1 : typeof b === 'string' ? Buffer.byteLength(b) : b.length);

type Utf8Writable = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** A field of `len` bytes (-1: null) preceded by its varint length. */
function writeBytes(buf: Buffer, pos: number, b: Bytes, len: number): number {
  pos = writeVarint(buf, pos, len);
  // utf8Write: Node's own fast path under Buffer#write(string, offset, length, 'utf8')
  if (len > 0) pos += typeof b === 'string' ? (buf as Utf8Writable).utf8Write(b, pos, len) : (b as Buffer).copy(buf, pos);
  return pos;
}

/**
 * n bytes of src from `from` to dst at `pos`; returns the position after them. Short ranges
 * byte by byte, longer ones with one typed-array set (Buffer#copy's checks and view cost
 * more than a key's bytes).
 */
function copyRange(src: Buffer, from: number, n: number, dst: Buffer, pos: number): number {
  if (n <= 32) {
    for (let i = 0; i < n; i++) dst[pos + i] = src[from + i];
  } else dst.set(new Uint8Array(src.buffer, src.byteOffset + from, n), pos);
  return pos + n;
}

/** Headers as [key, value] pairs: an array keeps repeated keys, an object one per name. */
function headerPairs(h: Headers | undefined): [string, Buffer | string | null][] | null {
  if (!h) return null;
  if (Array.isArray(h)) return h.length ? h.map((x) => [x.key, x.value ?? null]) : null;
  const out: [string, Buffer | string | null][] = [];
  for (const k in h) out.push([k, h[k] ?? null]);
  return out.length ? out : null;
}


/**
 * Encodes `records` as one batch for one partition. With a codec, the records section
 * is compressed with the same codec table every internal reader decodes with.
 */
export function encodeRecordBatch(records: readonly BatchRecord[], o: BatchOptions): Buffer {
  const n = records.length;
  if (!n) throw new Error('a record batch needs at least one record');
  const tsOf = (r: BatchRecord) => (r.timestamp === undefined || r.timestamp === null ? o.now : Math.trunc(r.timestamp));
  const baseTs = tsOf(records[0]);
  let maxTs = baseTs;
  const deltas = new Float64Array(n);
  // pass 1: the size of every record, and of every key and value (so strings are measured once)
  const sizes = new Int32Array(n), keyLens = new Int32Array(n), valueLens = new Int32Array(n);
  let headers: ([string, Buffer | string | null][] | null)[] | null = null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const ts = tsOf(r);
    if (ts > maxTs) maxTs = ts;
    deltas[i] = ts - baseTs;
    const kl = byteLen(r.key), vl = byteLen(r.value);
    keyLens[i] = kl; valueLens[i] = vl;
    let size = 1 + varintSize(deltas[i]) + varintSize(i) + varintSize(kl) + (kl > 0 ? kl : 0) + varintSize(vl) + (vl > 0 ? vl : 0);
    const hs = r.headers ? headerPairs(r.headers) : null;
    if (hs) {
      (headers ??= new Array(n).fill(null))[i] = hs;
      size += varintSize(hs.length);
      for (const [k, v] of hs) {
        const a = Buffer.byteLength(k), b = byteLen(v);
        size += varintSize(a) + a + varintSize(b) + (b > 0 ? b : 0);
      }
    } else size += 1;
    sizes[i] = size;
    total += varintSize(size) + size;
  }
  const codec = o.codec ?? 'none';
  const compressed = codec !== 'none';
  // uncompressed: the records go straight after the header in the batch itself
  const body = Buffer.allocUnsafe(compressed ? total : HEADER_SIZE + total);
  let pos = compressed ? 0 : HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    pos = writeVarint(body, pos, sizes[i]);
    body[pos++] = 0; // record attributes: unused
    pos = writeVarint(body, pos, deltas[i]);
    pos = writeVarint(body, pos, i);
    pos = writeBytes(body, pos, r.key, keyLens[i]);
    pos = writeBytes(body, pos, r.value, valueLens[i]);
    const hs = headers?.[i];
    if (hs) {
      pos = writeVarint(body, pos, hs.length);
      for (const [k, v] of hs) {
        pos = writeBytes(body, pos, k, Buffer.byteLength(k));
        pos = writeBytes(body, pos, v, byteLen(v));
      }
    } else body[pos++] = 0;
  }
  let batch = body;
  if (compressed) {
    const algorithm = compressionsAlgorithms[codec];
    if (!algorithm?.available) throw new Error(`compression codec ${codec} is not available (call ensureCodecs() first)`);
    const packed = algorithm.compressSync(body) as Buffer;
    batch = Buffer.allocUnsafe(HEADER_SIZE + packed.length);
    batch.set(packed, HEADER_SIZE);
  }
  writeHeader(batch, codec, o, n, baseTs, maxTs);
  return batch;
}

/** The 61-byte batch header over `batch`'s first bytes; the CRC32C last (it covers attributes to the end). */
function writeHeader(batch: Buffer, codec: Codec, o: BatchOptions, n: number, baseTs: number, maxTs: number): void {
  batch.writeBigInt64BE(0n, 0); // base offset: the broker assigns it
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(0, 12); // partition leader epoch
  batch[16] = 2; // magic
  batch.writeInt16BE(CODEC_BITS[codec] | (o.transactional ? ATTR_TRANSACTIONAL : 0), 21);
  batch.writeInt32BE(n - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTs), 27);
  batch.writeBigInt64BE(BigInt(maxTs), 35);
  batch.writeBigInt64BE(o.producerId, 43);
  batch.writeInt16BE(o.producerEpoch, 51);
  batch.writeInt32BE(o.baseSequence, 53);
  batch.writeInt32BE(n, 57);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
}

/**
 * One partition's batch written as records are appended, as Kafka's producer fills a
 * batch in its RecordAccumulator: each record goes into the batch's buffer at once, so
 * a caller keeps no object per record (a streams task emits ~20 records per input line).
 * The header (producer id, sequence, CRC) is written by `finish` when the batch is sent;
 * headers of a record are [key, value] pairs.
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private pos = HEADER_SIZE;
  private baseTs = 0;
  private maxTs = 0;
  /** records appended */
  count = 0;
  constructor(initialBytes = 16 * 1024) { this.buf = Buffer.allocUnsafe(Math.max(HEADER_SIZE + 64, initialBytes)); }
  /** bytes the batch takes so far (header included, uncompressed) */
  get sizeInBytes(): number { return this.pos; }
  /** bytes it holds before it has to grow */
  get capacity(): number { return this.buf.length; }

  /**
   * Empty again, keeping its buffer: for a caller that fills batch after batch (a buffer of
   * hundreds of KiB made anew for each was external memory whose growth set off V8's full
   * collections). Only once whatever finish() returned is no longer in use.
   */
  reset(): this { this.pos = HEADER_SIZE; this.count = 0; this.baseTs = 0; this.maxTs = 0; return this; }

  append(key: Bytes, value: Bytes, timestamp: number, headers?: readonly { key: string; value: Buffer | string | null }[] | null): void {
    this.write(key, byteLen(key), null, 0, value, byteLen(value), null, 0, timestamp, headers);
  }

  /**
   * A record whose key and value are ranges of `src` (a writer's buffer the caller reuses):
   * copied into the batch, with no Buffer made for them. A start of -1 is null.
   */
  appendFrom(src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number, headers?: readonly { key: string; value: Buffer | string | null }[] | null): void {
    this.write(null, keyStart < 0 ? -1 : keyEnd - keyStart, src, keyStart, null, valueStart < 0 ? -1 : valueEnd - valueStart, src, valueStart, timestamp, headers);
  }

  /** key/value: `kl`/`vl` bytes (-1: null) of `key`/`value`, or of `ksrc`/`vsrc` from `ks`/`vs` when those are given. */
  private write(key: Bytes, kl: number, ksrc: Buffer | null, ks: number, value: Bytes, vl: number, vsrc: Buffer | null, vs: number, timestamp: number, headers?: readonly { key: string; value: Buffer | string | null }[] | null): void {
    const ts = Math.trunc(timestamp);
    if (this.count === 0) { this.baseTs = ts; this.maxTs = ts; } else if (ts > this.maxTs) this.maxTs = ts;
    const delta = ts - this.baseTs;
    let size = 1 + varintSize(delta) + varintSize(this.count) + varintSize(kl) + (kl > 0 ? kl : 0) + varintSize(vl) + (vl > 0 ? vl : 0);
    const nh = headers ? headers.length : 0;
    if (nh) {
      size += varintSize(nh);
      for (let i = 0; i < nh; i++) { const a = Buffer.byteLength(headers![i].key), b = byteLen(headers![i].value); size += varintSize(a) + a + varintSize(b) + (b > 0 ? b : 0); }
    } else size += 1;
    const need = this.pos + 5 + size;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.pos);
      this.buf = grown;
    }
    const buf = this.buf;
    let pos = writeVarint(buf, this.pos, size);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarint(buf, pos, delta);
    pos = writeVarint(buf, pos, this.count);
    if (ksrc) { pos = writeVarint(buf, pos, kl); if (kl > 0) pos = copyRange(ksrc, ks, kl, buf, pos); } else pos = writeBytes(buf, pos, key, kl);
    if (vsrc) { pos = writeVarint(buf, pos, vl); if (vl > 0) pos = copyRange(vsrc, vs, vl, buf, pos); } else pos = writeBytes(buf, pos, value, vl);
    if (nh) {
      pos = writeVarint(buf, pos, nh);
      for (let i = 0; i < nh; i++) {
        const h = headers![i];
        pos = writeBytes(buf, pos, h.key, Buffer.byteLength(h.key));
        pos = writeBytes(buf, pos, h.value, byteLen(h.value));
      }
    } else buf[pos++] = 0;
    this.pos = pos;
    this.count++;
  }

  /** The batch as sent: header written over the reserved bytes (uncompressed: a view of the builder's buffer). */
  finish(o: BatchOptions): Buffer {
    if (!this.count) throw new Error('a record batch needs at least one record');
    const codec = o.codec ?? 'none';
    let batch = this.buf.subarray(0, this.pos);
    if (codec !== 'none') {
      const algorithm = compressionsAlgorithms[codec];
      if (!algorithm?.available) throw new Error(`compression codec ${codec} is not available (call ensureCodecs() first)`);
      const packed = algorithm.compressSync(this.buf.subarray(HEADER_SIZE, this.pos)) as Buffer;
      batch = Buffer.allocUnsafe(HEADER_SIZE + packed.length);
      batch.set(packed, HEADER_SIZE);
    }
    writeHeader(batch, codec, o, this.count, this.baseTs, this.maxTs);
    return batch;
  }
}

/** A record read back from a RecordBatchBuilder (keys and values are views of its buffer). */
export interface BuiltRecord { key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[]; timestamp: number }

/** The records a builder holds, in order: for a caller that must send them again one by one. */
export function builtRecords(b: RecordBatchBuilder): BuiltRecord[] {
  const buf = b.finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false, codec: 'none', now: 0 });
  const baseTs = Number(buf.readBigInt64BE(27));
  let pos = HEADER_SIZE;
  const uv = (): number => {
    let v = 0, mul = 1, byte: number;
    do { byte = buf[pos++]; v += (byte & 0x7f) * mul; mul *= 128; } while (byte & 0x80);
    return v;
  };
  const sv = (): number => { const u = uv(); return u % 2 === 0 ? u / 2 : -(u + 1) / 2; };
  const bytes = (): Buffer | null => { const n = sv(); if (n < 0) return null; const x = buf.subarray(pos, pos + n); pos += n; return x; };
  const out: BuiltRecord[] = [];
  for (let i = 0; i < b.count; i++) {
    sv(); pos++; // length, attributes
    const timestamp = baseTs + sv();
    sv(); // offset delta
    const key = bytes(), value = bytes();
    const headers: { key: string; value: Buffer | null }[] = [];
    for (let n = sv(); n > 0; n--) { const k = bytes(); headers.push({ key: k ? k.toString('utf8') : '', value: bytes() }); }
    out.push({ key, value, headers, timestamp });
  }
  return out;
}
