// Decoder for the pgoutput logical replication protocol (proto_version 1), and the
// streaming-replication framing around it (XLogData 'w', keepalive 'k').
// https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html

/** Microseconds between 1970-01-01 and Postgres's epoch 2000-01-01. */
export const PG_EPOCH_US = 946_684_800_000_000n;

export interface RelationColumn { flags: number; name: string; typeOid: number; typmod: number }

/** An unchanged TOASTed column of an update ('u'): Postgres did not send its value. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');
/**
 * A tuple column: its text, null (SQL NULL), or UNCHANGED_TOAST. Plain strings, as the
 * snapshot's rows are: no object per column of every row. A number: an integer column's text
 * (see decodePgOutput's `integers`) read as the number it spells, without a string.
 */
export type TupleValue = string | number | null | typeof UNCHANGED_TOAST;

/** Per column of a relation, 1 where its text is an integer's (int2, int4, int8, oid): decodePgOutput may give it as a number. */
export type IntegerColumns = Uint8Array;

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTimeUs: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTimeUs: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | { tag: 'relation'; relationOid: number; schema: string; name: string; replicaIdentity: string; columns: RelationColumn[] }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationOid: number; newTuple: TupleValue[] }
  | { tag: 'update'; relationOid: number; oldKind: 'K' | 'O' | null; oldTuple: TupleValue[] | null; newTuple: TupleValue[] }
  | { tag: 'delete'; relationOid: number; oldKind: 'K' | 'O'; oldTuple: TupleValue[] }
  | { tag: 'truncate'; options: number; relationOids: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer };

/** A CopyData payload from the walsender. */
export type ReplicationFrame =
  | { kind: 'xlog'; dataStart: bigint; walEnd: bigint; sendTimeUs: bigint; data: Buffer }
  | { kind: 'keepalive'; walEnd: bigint; sendTimeUs: bigint; replyRequested: boolean };

export function parseFrame(buf: Buffer): ReplicationFrame {
  const t = buf[0];
  if (t === 0x77 /* w */) {
    return { kind: 'xlog', dataStart: buf.readBigUInt64BE(1), walEnd: buf.readBigUInt64BE(9), sendTimeUs: buf.readBigInt64BE(17), data: buf.subarray(25) };
  }
  if (t === 0x6b /* k */) {
    return { kind: 'keepalive', walEnd: buf.readBigUInt64BE(1), sendTimeUs: buf.readBigInt64BE(9), replyRequested: buf[17] === 1 };
  }
  throw new Error(`unknown replication frame type 0x${t.toString(16)}`);
}

/** Standby status update ('r'): write/flush/apply positions; flush is what advances the slot's confirmed_flush_lsn. */
export function standbyStatus(lsn: bigint, replyRequested = false, nowMs = Date.now()): Buffer {
  const b = Buffer.alloc(34);
  b[0] = 0x72; // r
  b.writeBigUInt64BE(lsn, 1);
  b.writeBigUInt64BE(lsn, 9);
  b.writeBigUInt64BE(lsn, 17);
  b.writeBigInt64BE(BigInt(nowMs) * 1000n - PG_EPOCH_US, 25);
  b[33] = replyRequested ? 1 : 0;
  return b;
}

class Reader {
  constructor(public b: Buffer, public pos = 0, public end = b.length) {}
  u8(): number { return this.b[this.pos++]; }
  // the bytes read directly (Buffer's readInt32BE & co. check their argument on every call): past the
  // buffer they read as 0, and decodePgOutput fails a message that read past its end
  i16(): number { const b = this.b, p = this.pos; this.pos = p + 2; return (((b[p] << 8) | b[p + 1]) << 16) >> 16; }
  i32(): number { const b = this.b, p = this.pos; this.pos = p + 4; return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; }
  u32(): number { return this.i32() >>> 0; }
  u64(): bigint { const v = this.b.readBigUInt64BE(this.pos); this.pos += 8; return v; }
  i64(): bigint { const v = this.b.readBigInt64BE(this.pos); this.pos += 8; return v; }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.b.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer { const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  tuple(integers: IntegerColumns | undefined): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = this.u8();
      if (k === 0x6e /* n */) out[i] = null;
      else if (k === 0x75 /* u */) out[i] = UNCHANGED_TOAST;
      else if (k === 0x74 /* t */ || k === 0x62 /* b */) {
        const len = this.i32();
        if (this.pos + len > this.end) throw new RangeError('pgoutput: tuple column past the end of the message');
        // an integer column's number from its digits: no string to make and parse
        const x = integers !== undefined && integers[i] === 1 && k === 0x74 ? integerText(this.b, this.pos, this.pos + len) : null;
        // utf8Slice: what toString('utf8', start, end) calls after its argument checks (bounds: checked above)
        out[i] = x !== null ? x : (this.b as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(this.pos, this.pos + len);
        this.pos += len;
      } else throw new Error(`pgoutput: unknown tuple column kind 0x${k.toString(16)}`);
    }
    return out;
  }
}

/**
 * Number(text) of an integer's text in b[start..end) ('-'? and digits), or null when it is not
 * one or has more than 15 digits (beyond those a number may not be exact: the text is kept).
 */
export function integerText(b: Buffer, start: number, end: number): number | null {
  let p = start;
  const neg = b[p] === 0x2d;
  if (neg) p++;
  if (p === end || end - p > 15) return null;
  let v = 0;
  for (; p < end; p++) {
    const d = b[p] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/**
 * The message in buf[start..end) (an XLogData frame's payload starts at 25: decoded in place, no copy of the frame).
 * integers(relationOid): the relation's integer columns, whose values in its tuples may then be numbers.
 */
export function decodePgOutput(buf: Buffer, start = 0, end = buf.length, integers?: (relationOid: number) => IntegerColumns | undefined): PgOutputMessage {
  const r = reader;
  r.b = buf;
  r.pos = start;
  r.end = end;
  try {
    const m = decodeMessage(r, integers);
    if (r.pos > end) throw new RangeError('pgoutput: message longer than its frame');
    return m;
  } finally {
    r.b = NO_BYTES; // the frame's buffer is not kept
  }
}

const NO_BYTES = Buffer.alloc(0);
/** One reader for every message (decoding is synchronous): not an object per streamed row. */
const reader = new Reader(NO_BYTES);

function decodeMessage(r: Reader, integers: ((relationOid: number) => IntegerColumns | undefined) | undefined): PgOutputMessage {
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B': return { tag: 'begin', finalLsn: r.u64(), commitTimeUs: r.i64() + PG_EPOCH_US, xid: r.u32() };
    case 'C': return { tag: 'commit', flags: r.u8(), commitLsn: r.u64(), endLsn: r.u64(), commitTimeUs: r.i64() + PG_EPOCH_US };
    case 'O': return { tag: 'origin', lsn: r.u64(), name: r.cstr() };
    case 'R': {
      const relationOid = r.u32();
      const schema = r.cstr();
      const name = r.cstr();
      const replicaIdentity = String.fromCharCode(r.u8());
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) columns.push({ flags: r.u8(), name: r.cstr(), typeOid: r.u32(), typmod: r.i32() });
      return { tag: 'relation', relationOid, schema, name, replicaIdentity, columns };
    }
    case 'Y': return { tag: 'type', typeOid: r.u32(), schema: r.cstr(), name: r.cstr() };
    case 'I': {
      const relationOid = r.u32();
      r.u8(); // 'N'
      return { tag: 'insert', relationOid, newTuple: r.tuple(integers?.(relationOid)) };
    }
    case 'U': {
      const relationOid = r.u32();
      const ints = integers?.(relationOid);
      let k = String.fromCharCode(r.u8());
      let oldKind: 'K' | 'O' | null = null;
      let oldTuple: TupleValue[] | null = null;
      if (k === 'K' || k === 'O') {
        oldKind = k;
        oldTuple = r.tuple(ints);
        k = String.fromCharCode(r.u8());
      }
      if (k !== 'N') throw new Error(`pgoutput: update without new tuple (${k})`);
      return { tag: 'update', relationOid, oldKind, oldTuple, newTuple: r.tuple(ints) };
    }
    case 'D': {
      const relationOid = r.u32();
      const k = String.fromCharCode(r.u8()) as 'K' | 'O';
      return { tag: 'delete', relationOid, oldKind: k, oldTuple: r.tuple(integers?.(relationOid)) };
    }
    case 'T': {
      const n = r.i32();
      const options = r.u8();
      const relationOids: number[] = [];
      for (let i = 0; i < n; i++) relationOids.push(r.u32());
      return { tag: 'truncate', options, relationOids };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstr();
      const len = r.i32();
      return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content: Buffer.from(r.bytes(len)) };
    }
    default:
      throw new Error(`pgoutput: unknown message tag ${tag}`);
  }
}
