// Byte-level reader and writer for the Kafka wire format. Synchronous and
// allocation-light: the writer fills a scratch buffer and keeps large payloads
// (record batches) as separate chunks so they are never copied.

export class ProtocolError extends Error {}

export class Reader {
  offset: number;
  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    this.offset = offset;
  }
  private need(n: number): void {
    if (this.offset + n > this.end) throw new ProtocolError(`truncated: need ${n} bytes at ${this.offset}, have ${this.end - this.offset}`);
  }
  remaining(): number { return this.end - this.offset; }
  int8(): number { this.need(1); return this.buf.readInt8(this.offset++); }
  uint8(): number { this.need(1); return this.buf[this.offset++]; }
  bool(): boolean { return this.int8() !== 0; }
  int16(): number { this.need(2); const v = this.buf.readInt16BE(this.offset); this.offset += 2; return v; }
  uint16(): number { this.need(2); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  int32(): number { this.need(4); const v = this.buf.readInt32BE(this.offset); this.offset += 4; return v; }
  uint32(): number { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  int64(): bigint { this.need(8); const v = this.buf.readBigInt64BE(this.offset); this.offset += 8; return v; }
  float64(): number { this.need(8); const v = this.buf.readDoubleBE(this.offset); this.offset += 8; return v; }
  uvarint(): number {
    let result = 0; let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new ProtocolError('varint too long');
    }
  }
  varint(): number { const u = this.uvarint(); return (u % 2 === 1) ? -(u + 1) / 2 : u / 2; }
  uvarlong(): bigint {
    let result = 0n; let shift = 0n;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtocolError('varlong too long');
    }
  }
  varlong(): bigint { const u = this.uvarlong(); return (u >> 1n) ^ -(u & 1n); }
  /** Steps over n bytes (no slice made). */
  skip(n: number): void {
    if (n < 0) throw new ProtocolError(`negative length ${n}`);
    this.need(n); this.offset += n;
  }
  /** Steps over a varint or varlong of up to 10 bytes without decoding it (no BigInt). */
  skipVarlong(): void {
    for (let i = 0; i < 10; i++) { this.need(1); if ((this.buf[this.offset++] & 0x80) === 0) return; }
    throw new ProtocolError('varlong too long');
  }
  raw(n: number): Buffer {
    if (n < 0) throw new ProtocolError(`negative length ${n}`);
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n); this.offset += n; return v;
  }
  string(): string { const n = this.int16(); if (n < 0) throw new ProtocolError('null in non-nullable string'); return this.raw(n).toString('utf8'); }
  nullableString(): string | null { const n = this.int16(); return n < 0 ? null : this.raw(n).toString('utf8'); }
  compactString(): string { const n = this.uvarint() - 1; if (n < 0) throw new ProtocolError('null in non-nullable compact string'); return this.raw(n).toString('utf8'); }
  compactNullableString(): string | null { const n = this.uvarint() - 1; return n < 0 ? null : this.raw(n).toString('utf8'); }
  bytes(): Buffer { const n = this.int32(); if (n < 0) throw new ProtocolError('null in non-nullable bytes'); return this.raw(n); }
  nullableBytes(): Buffer | null { const n = this.int32(); return n < 0 ? null : this.raw(n); }
  compactBytes(): Buffer { const n = this.uvarint() - 1; if (n < 0) throw new ProtocolError('null in non-nullable compact bytes'); return this.raw(n); }
  compactNullableBytes(): Buffer | null { const n = this.uvarint() - 1; return n < 0 ? null : this.raw(n); }
  uuid(): string { return this.raw(16).toString('hex'); }
}

const SCRATCH = 64 * 1024;
const BIG = 1024; // payloads at least this big are referenced, not copied

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private start = 0;
  private flushed = 0;
  constructor(size = 256) { this.buf = Buffer.allocUnsafe(size); }

  get length(): number { return this.flushed + (this.pos - this.start); }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    const size = Math.max(n, SCRATCH);
    this.buf = Buffer.allocUnsafe(size); this.pos = 0; this.start = 0;
  }
  private cut(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }
  int8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this; }
  uint8(v: number): this { this.ensure(1); this.buf[this.pos++] = v; return this; }
  bool(v: boolean): this { return this.int8(v ? 1 : 0); }
  int16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this; }
  uint16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this; }
  int32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this; }
  uint32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; return this; }
  int64(v: bigint | number): this { this.ensure(8); this.buf.writeBigInt64BE(BigInt(v), this.pos); this.pos += 8; return this; }
  float64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this; }
  uvarint(v: number): this {
    this.ensure(10);
    while (v >= 0x80) { this.buf[this.pos++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
    this.buf[this.pos++] = v;
    return this;
  }
  varint(v: number): this { return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1); }
  uvarlong(v: bigint): this {
    this.ensure(10);
    while (v >= 0x80n) { this.buf[this.pos++] = Number(v & 0x7fn) | 0x80; v >>= 7n; }
    this.buf[this.pos++] = Number(v);
    return this;
  }
  varlong(v: bigint): this { return this.uvarlong((v << 1n) ^ (v >> 63n)); }
  raw(b: Buffer): this {
    if (b.length >= BIG) { this.cut(); this.chunks.push(b); this.flushed += b.length; return this; }
    this.ensure(b.length); b.copy(this.buf, this.pos); this.pos += b.length; return this;
  }
  private utf8(s: string): Buffer { return Buffer.from(s, 'utf8'); }
  string(s: string): this { const b = this.utf8(s); this.int16(b.length); return this.raw(b); }
  nullableString(s: string | null | undefined): this { if (s == null) return this.int16(-1); return this.string(s); }
  compactString(s: string): this { const b = this.utf8(s); this.uvarint(b.length + 1); return this.raw(b); }
  compactNullableString(s: string | null | undefined): this { if (s == null) return this.uvarint(0); return this.compactString(s); }
  bytes(b: Buffer): this { this.int32(b.length); return this.raw(b); }
  nullableBytes(b: Buffer | null | undefined): this { if (b == null) return this.int32(-1); return this.bytes(b); }
  compactBytes(b: Buffer): this { this.uvarint(b.length + 1); return this.raw(b); }
  compactNullableBytes(b: Buffer | null | undefined): this { if (b == null) return this.uvarint(0); return this.compactBytes(b); }
  uuid(hex: string): this {
    const b = Buffer.from((hex || '').padStart(32, '0'), 'hex');
    if (b.length !== 16) throw new ProtocolError(`bad uuid ${hex}`);
    this.ensure(16); b.copy(this.buf, this.pos); this.pos += 16; return this;
  }
  /** All chunks written so far, in order. */
  chunksOut(): Buffer[] { this.cut(); return this.chunks; }
  toBuffer(): Buffer { const c = this.chunksOut(); return c.length === 1 ? c[0] : Buffer.concat(c, this.flushed); }
}
