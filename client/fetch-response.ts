// The Fetch answer read by this module: the library's request encoder of the same
// version, our own response parser that leaves each partition's record batches as
// the bytes received, and a batch decoder that makes one plain object per record.
// The library decoded every record through its Reader (a BigInt per timestamp
// delta, an object per record and per header list) before we copied it into our
// own record: ~1.5-3 µs of CPU and most of the garbage per consumed record.
// The answer is read in the pieces the socket delivered it in (64 KiB each): joining
// them into one buffer first copied every fetched byte once more, into a fresh
// allocation of the answer's size (~15% of a consumer's CPU reading 1 MiB fetches).
//
//   Fetch Response (v13-v17) => throttle_time_ms error_code session_id [responses] TAG_BUFFER
//     responses => topic_id [partitions] TAG_BUFFER
//       partitions => partition_index error_code high_watermark last_stable_offset
//                     log_start_offset [aborted_transactions] preferred_read_replica
//                     records TAG_BUFFER
//         aborted_transactions => producer_id first_offset TAG_BUFFER
//         records => COMPACT_RECORDS
import { ResponseError, compressionsAlgorithmsByBitmask, createAPI, fetchV13, fetchV14, fetchV15, fetchV16, fetchV17, type API } from '@platformatic/kafka';

export interface FetchPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[];
  /** the record batches as received, in the pieces they arrived in (a batch may span pieces; the last one may be cut short), null when none */
  records: Buffer[] | null;
}
export interface FetchResponse { errorCode: number; responses: { topicId: string; partitions: FetchPartition[] }[] }

/**
 * Partition errors the reader handles for that partition alone, as Kafka's fetcher does,
 * while the other partitions' records are used: OFFSET_OUT_OF_RANGE (the position restarts
 * per auto.offset.reset) and those that mean "ask the metadata again" (leader moved, topic
 * id or epoch stale). Failing the whole fetch on one of them left the reset never run and
 * every other partition unread.
 */
export const PER_PARTITION_ERRORS: ReadonlySet<number> = new Set([
  1, // OFFSET_OUT_OF_RANGE
  3, // UNKNOWN_TOPIC_OR_PARTITION
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  9, // REPLICA_NOT_AVAILABLE
  56, // KAFKA_STORAGE_ERROR
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
  78, // OFFSET_NOT_AVAILABLE
  100, // UNKNOWN_TOPIC_ID
  103, // INCONSISTENT_TOPIC_ID
]);

export const FETCH_MIN_VERSION = 13;
export const FETCH_MAX_VERSION = 17;
const REQUESTS = { 13: fetchV13, 14: fetchV14, 15: fetchV15, 16: fetchV16, 17: fetchV17 } as const;

// one cursor for the synchronous parsers below (no object per varint read)
let P = 0;

function uvarint(b: Buffer): number {
  let v = 0, shift = 0, byte: number;
  do {
    if (P >= b.length) throw new RangeError('truncated varint');
    byte = b[P++];
    v += shift < 28 ? (byte & 0x7f) << shift : (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return v;
}
/** zigzag varint/varlong as a number (exact below 2^53); one byte (most lengths and deltas) without the loop */
function varint(b: Buffer): number {
  const x = b[P];
  if (x < 0x80) { P++; return x & 1 ? -((x + 1) >>> 1) : x >>> 1; }
  const u = uvarint(b);
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}
const int64 = (b: Buffer, at: number): number => b.readInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4);

// where the last Pieces.at() found its bytes in the buffer it returned
let AT = 0;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Bytes that arrived in pieces, read as one run without joining them: a read of bytes
 * that lie in one piece is a view of it; one that crosses into the next piece copies
 * just its own bytes. Positions count from the first piece's start.
 */
class Pieces {
  private i = 0;
  /** where piece i starts */
  private base = 0;
  readonly length: number;
  constructor(readonly parts: readonly Buffer[]) {
    let n = 0;
    for (const p of parts) n += p.length;
    this.length = n;
  }

  /** The buffer holding bytes [g, g + n), at AT in it. */
  at(g: number, n: number): Buffer {
    if (g + n > this.length) throw new RangeError('read past the end of the received bytes');
    // nothing to read (a batch with no payload may end the answer, where no piece holds byte g)
    if (n === 0) { AT = 0; return EMPTY; }
    if (g < this.base) { this.i = 0; this.base = 0; }
    let p = this.parts[this.i];
    while (g >= this.base + p.length) { this.base += p.length; p = this.parts[++this.i]; }
    const o = g - this.base;
    if (o + n <= p.length) { AT = o; return p; }
    const out = Buffer.allocUnsafe(n);
    for (let w = 0, i = this.i, from = o; w < n; i++, from = 0) w += this.parts[i].copy(out, w, from, Math.min(this.parts[i].length, from + n - w));
    AT = 0;
    return out;
  }

  /** Views of bytes [g, end), one per piece they lie in. */
  slices(g: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    while (g < end) {
      const b = this.at(g, 1), o = AT;
      const n = Math.min(b.length - o, end - g);
      out.push(b.subarray(o, o + n));
      g += n;
    }
    return out;
  }
}

// the parse position in a response's pieces
let G = 0;

function uvarintAt(ps: Pieces): number {
  let v = 0, shift = 0, byte: number;
  do {
    if (G >= ps.length) throw new RangeError('truncated varint');
    byte = ps.at(G++, 1)[AT];
    v += shift < 28 ? (byte & 0x7f) << shift : (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return v;
}

function skipTaggedFields(ps: Pieces): void {
  for (let n = uvarintAt(ps); n > 0; n--) { uvarintAt(ps); G += uvarintAt(ps); }
}

export function parseFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: { buffer: Buffer | { buffers: Buffer[] }; position: number }): FetchResponse {
  // the connection hands its parser a reader over its appendable buffer of the socket's chunks
  const ps = new Pieces(Buffer.isBuffer(reader.buffer) ? [reader.buffer] : reader.buffer.buffers);
  G = reader.position;
  const errors: [string, [number, null]][] = [];
  let b = ps.at(G, 10);
  const errorCode = b.readInt16BE(AT + 4); // after throttle_time_ms; session_id follows
  G += 10;
  if (errorCode !== 0) errors.push(['', [errorCode, null]]);
  const responses: FetchResponse['responses'] = [];
  for (let nt = uvarintAt(ps) - 1, i = 0; i < nt; i++) {
    b = ps.at(G, 16);
    const hex = b.toString('hex', AT, AT + 16); G += 16;
    const topicId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const partitions: FetchPartition[] = [];
    for (let np = uvarintAt(ps) - 1, j = 0; j < np; j++) {
      b = ps.at(G, 30);
      const partitionIndex = b.readInt32BE(AT);
      const pErr = b.readInt16BE(AT + 4);
      const highWatermark = int64(b, AT + 6), lastStableOffset = int64(b, AT + 14), logStartOffset = int64(b, AT + 22);
      G += 30;
      const abortedTransactions: FetchPartition['abortedTransactions'] = [];
      for (let na = uvarintAt(ps) - 1; na > 0; na--) {
        b = ps.at(G, 16);
        abortedTransactions.push({ producerId: b.readBigInt64BE(AT), firstOffset: b.readBigInt64BE(AT + 8) });
        G += 16;
        skipTaggedFields(ps);
      }
      G += 4; // preferred_read_replica
      const size = uvarintAt(ps) - 1;
      if (size > 0 && G + size > ps.length) throw new RangeError('truncated records');
      const records = size > 0 ? ps.slices(G, G + size) : null;
      if (size > 0) G += size;
      skipTaggedFields(ps);
      if (pErr !== 0 && !PER_PARTITION_ERRORS.has(pErr)) errors.push([`/responses/${i}/partitions/${j}`, [pErr, null]]);
      partitions.push({ partitionIndex, errorCode: pErr, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records });
    }
    skipTaggedFields(ps);
    responses.push({ topicId, partitions });
  }
  skipTaggedFields(ps);
  reader.position = G;
  const response = { errorCode, responses };
  // any other error fails the fetch, as the library's own parser does (the caller's retry decides)
  if (errors.length) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

type FetchArgs = [maxWaitMs: number, minBytes: number, maxBytes: number, isolationLevel: number, sessionId: number, sessionEpoch: number, topics: unknown[], forgotten: unknown[], rackId: string];
type FetchApi = API<FetchArgs, FetchResponse>;
const apis = new Map<number, FetchApi>();

export function fetchApi(version: number): FetchApi {
  let api = apis.get(version);
  if (!api) {
    const req = REQUESTS[version as keyof typeof REQUESTS];
    if (!req) throw new Error(`Fetch v${version} is not supported by the internal client`);
    api = createAPI<FetchArgs, FetchResponse>(1, version, req.createRequest, parseFetchResponse as never);
    apis.set(version, api);
  }
  return api;
}

// ------------------------------------------------------------------ record batches

export const IS_TRANSACTIONAL = 0x10;
export const IS_CONTROL = 0x20;

/** A batch's header fields, read without BigInt where a number is exact. */
export interface BatchHeader {
  baseOffset: number;
  lastOffsetDelta: number;
  attributes: number;
  baseTimestamp: number;
  producerId: bigint;
  /** where the records section starts and ends in `buf` */
  start: number;
  end: number;
  count: number;
}

const piecesOf = (records: Buffer | readonly Buffer[]): Pieces => new Pieces(Buffer.isBuffer(records) ? [records] : records);

/**
 * Walks the complete batches of `records` (one buffer, or the pieces a fetch received them
 * in; a partial batch at the end, which a fetch may return, is left out) and calls `each`
 * with each header. Positions in a header count from the start of the first piece.
 */
export function forEachBatch(records: Buffer | readonly Buffer[], each: (h: BatchHeader) => void): void {
  const ps = piecesOf(records);
  let pos = 0;
  while (pos + 61 <= ps.length) {
    const buf = ps.at(pos, 61), at = AT;
    const len = buf.readInt32BE(at + 8);
    if (len < 49) throw new Error(`record batch at offset ${int64(buf, at)} has a length of ${len} bytes, shorter than its header`);
    const end = pos + 12 + len;
    if (end > ps.length) break;
    const magic = buf[at + 16];
    if (magic !== 2) throw new Error(`record batch magic ${magic} at offset ${int64(buf, at)} is not supported (only v2)`);
    each({
      baseOffset: int64(buf, at),
      lastOffsetDelta: buf.readInt32BE(at + 23),
      attributes: buf.readInt16BE(at + 21),
      baseTimestamp: int64(buf, at + 27),
      producerId: buf.readBigInt64BE(at + 43),
      start: pos + 61,
      end,
      count: buf.readInt32BE(at + 57),
    });
    pos = end;
  }
}

export interface DecodedRecord { offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[] }

type RecordSink = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: { key: string; value: Buffer | null }[]) => void;

/**
 * The records of one batch from offset `from` on (`records` as given to forEachBatch), each
 * handed to `out` as (offset, timestamp, key, value, headers); keys and values are views of
 * the fetched (or decompressed) bytes; a record that crosses from one piece into the next is
 * copied (alone).
 */
export function decodeRecords(records: Buffer | readonly Buffer[], h: BatchHeader, from: number, out: RecordSink): void {
  const ps = piecesOf(records);
  const codec = h.attributes & 7;
  if (codec !== 0) {
    const algorithm = compressionsAlgorithmsByBitmask[codec];
    if (!algorithm) throw new Error(`unknown compression codec ${codec} in a record batch`);
    const packed = ps.at(h.start, h.end - h.start);
    const raw = algorithm.decompressSync(packed.subarray(AT, AT + h.end - h.start)) as Uint8Array;
    const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    P = 0;
    for (let i = 0; i < h.count && P < b.length; i++) P = decodeRecord(b, varint(b), h, from, out);
    return;
  }
  // b: the piece the record at g starts in (found again only when g moves past it), starting at `base`
  let g = h.start, b = EMPTY, base = g;
  for (let i = 0; i < h.count && g < h.end; i++) {
    let o = g - base;
    if (o >= b.length) { b = ps.at(g, 1); o = AT; base = g - o; }
    // the length varint (at most 5 bytes) and the record in this piece: read in place
    if (o + 5 <= b.length) {
      P = o;
      const len = varint(b);
      if (P + len <= b.length) { g = base + decodeRecord(b, len, h, from, out); continue; }
    }
    // it crosses into the next piece: its length byte by byte, then its bytes copied
    let u = 0, k = 0, byte: number;
    do { byte = ps.at(g + k, 1)[AT]; u += (byte & 0x7f) * 2 ** (7 * k); k++; } while (byte & 0x80);
    const len = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    const copy = ps.at(g + k, len);
    P = AT;
    decodeRecord(copy, len, h, from, out);
    g += k + len;
  }
}

/** One record's body of `len` bytes at P in `b` (after its length), to `out` unless before `from`; returns where it ends. */
function decodeRecord(b: Buffer, len: number, h: BatchHeader, from: number, out: RecordSink): number {
  const next = P + len;
  P++; // attributes
  const tsDelta = varint(b);
  const offset = h.baseOffset + varint(b);
  if (offset < from) return next;
  const kl = varint(b);
  const key = kl < 0 ? null : b.subarray(P, P + kl);
  if (kl > 0) P += kl;
  const vl = varint(b);
  const value = vl < 0 ? null : b.subarray(P, P + vl);
  if (vl > 0) P += vl;
  const nh = varint(b);
  let headers: { key: string; value: Buffer | null }[];
  if (nh > 0) {
    headers = new Array(nh);
    for (let j = 0; j < nh; j++) {
      const hk = varint(b);
      const k = hk > 0 ? b.toString('utf8', P, P + hk) : '';
      if (hk > 0) P += hk;
      const hv = varint(b);
      headers[j] = { key: k, value: hv < 0 ? null : b.subarray(P, P + hv) };
      if (hv > 0) P += hv;
    }
  } else headers = [];
  out(offset, h.baseTimestamp + tsDelta, key, value, headers);
  return next;
}
