// The Fetch answer read by this module: the library's request encoder of the same
// version, our own response parser that leaves each partition's record batches as
// the bytes received, and a batch decoder that makes one plain object per record.
// The library decoded every record through its Reader (a BigInt per timestamp
// delta, an object per record and per header list) before we copied it into our
// own record: ~1.5-3 µs of CPU and most of the garbage per consumed record.
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
  /** the record batches as received (the last one may be cut short), null when none */
  records: Buffer | null;
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
/** zigzag varint/varlong as a number (exact below 2^53) */
function varint(b: Buffer): number {
  const u = uvarint(b);
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}
const int64 = (b: Buffer, at: number): number => b.readInt32BE(at) * 4294967296 + b.readUInt32BE(at + 4);

function skipTaggedFields(b: Buffer): void {
  for (let n = uvarint(b); n > 0; n--) { uvarint(b); P += uvarint(b); }
}

export function parseFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: { buffer: Buffer | { buffer: Buffer }; position: number }): FetchResponse {
  // the connection hands its parser a reader over its appendable buffer of the socket's chunks:
  // one contiguous Buffer of the answer (a view when it came in one chunk, else one copy)
  const b = Buffer.isBuffer(reader.buffer) ? reader.buffer : reader.buffer.buffer;
  P = reader.position;
  const errors: [string, [number, null]][] = [];
  P += 4; // throttle_time_ms
  const errorCode = b.readInt16BE(P); P += 2;
  if (errorCode !== 0) errors.push(['', [errorCode, null]]);
  P += 4; // session_id
  const responses: FetchResponse['responses'] = [];
  for (let nt = uvarint(b) - 1, i = 0; i < nt; i++) {
    const hex = b.toString('hex', P, P + 16); P += 16;
    const topicId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const partitions: FetchPartition[] = [];
    for (let np = uvarint(b) - 1, j = 0; j < np; j++) {
      const partitionIndex = b.readInt32BE(P);
      const pErr = b.readInt16BE(P + 4);
      const highWatermark = int64(b, P + 6), lastStableOffset = int64(b, P + 14), logStartOffset = int64(b, P + 22);
      P += 30;
      const abortedTransactions: FetchPartition['abortedTransactions'] = [];
      for (let na = uvarint(b) - 1; na > 0; na--) {
        abortedTransactions.push({ producerId: b.readBigInt64BE(P), firstOffset: b.readBigInt64BE(P + 8) });
        P += 16;
        skipTaggedFields(b);
      }
      P += 4; // preferred_read_replica
      const size = uvarint(b) - 1;
      const records = size > 0 ? b.subarray(P, P + size) : null;
      if (size > 0) P += size;
      skipTaggedFields(b);
      if (pErr !== 0 && !PER_PARTITION_ERRORS.has(pErr)) errors.push([`/responses/${i}/partitions/${j}`, [pErr, null]]);
      partitions.push({ partitionIndex, errorCode: pErr, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, records });
    }
    skipTaggedFields(b);
    responses.push({ topicId, partitions });
  }
  skipTaggedFields(b);
  reader.position = P;
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

/**
 * Walks the complete batches of `buf` (a partial batch at the end, which a fetch may
 * return, is left out) and calls `each` with each header.
 */
export function forEachBatch(buf: Buffer, each: (h: BatchHeader) => void): void {
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const len = buf.readInt32BE(pos + 8);
    if (len < 49) throw new Error(`record batch at offset ${int64(buf, pos)} has a length of ${len} bytes, shorter than its header`);
    const end = pos + 12 + len;
    if (end > buf.length) break;
    const magic = buf[pos + 16];
    if (magic !== 2) throw new Error(`record batch magic ${magic} at offset ${int64(buf, pos)} is not supported (only v2)`);
    each({
      baseOffset: int64(buf, pos),
      lastOffsetDelta: buf.readInt32BE(pos + 23),
      attributes: buf.readInt16BE(pos + 21),
      baseTimestamp: int64(buf, pos + 27),
      producerId: buf.readBigInt64BE(pos + 43),
      start: pos + 61,
      end,
      count: buf.readInt32BE(pos + 57),
    });
    pos = end;
  }
}

export interface DecodedRecord { offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[] }

/**
 * The records of one batch from offset `from` on, each handed to `out` as
 * (offset, timestamp, key, value, headers); keys and values are views of the fetched
 * (or decompressed) bytes.
 */
export function decodeRecords(buf: Buffer, h: BatchHeader, from: number, out: (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: { key: string; value: Buffer | null }[]) => void): void {
  let b = buf;
  let end = h.end;
  P = h.start;
  const codec = h.attributes & 7;
  if (codec !== 0) {
    const algorithm = compressionsAlgorithmsByBitmask[codec];
    if (!algorithm) throw new Error(`unknown compression codec ${codec} in a record batch`);
    const raw = algorithm.decompressSync(buf.subarray(h.start, h.end)) as Uint8Array;
    b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    P = 0;
    end = b.length;
  }
  for (let i = 0; i < h.count && P < end; i++) {
    const len = varint(b);
    const next = P + len;
    P++; // attributes
    const tsDelta = varint(b);
    const offset = h.baseOffset + varint(b);
    if (offset < from) { P = next; continue; }
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
    P = next;
    out(offset, h.baseTimestamp + tsDelta, key, value, headers);
  }
}
