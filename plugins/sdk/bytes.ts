// Where a converter writes bytes when the runtime asks it for them in place (SDK 1.2:
// Converter.fromConnectDataInto): one growable buffer the runtime reuses for every key
// and value, so a converter makes no Buffer (nor string) per record.

type Utf8Writable = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** Bytes appended at `pos` in `buf`; `buf` is replaced by a larger copy when it fills up (so read it after writing). */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 4096) { this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes)); }

  /** Room for `n` more bytes at pos. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const b = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** The UTF-8 of `s` (as Buffer.from(s) encodes it). */
  utf8(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.ensure(s.length * 3);
    this.pos += (this.buf as Utf8Writable).utf8Write(s, this.pos, this.buf.length - this.pos);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** What was written since `start`, as a copy. */
  copyFrom(start: number): Buffer {
    return Buffer.from(this.buf.subarray(start, this.pos));
  }
}
