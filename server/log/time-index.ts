// Sparse time index: 12-byte entries (max timestamp so far int64, relative offset
// int32), appended alongside the offset index when the max timestamp grows.
import fs from 'node:fs';

export class TimeIndex {
  private ts: bigint[] = [];
  private rel: number[] = [];
  private fd: number;

  private constructor(readonly path: string, readonly baseOffset: bigint, fd: number) { this.fd = fd; }

  static load(path: string, baseOffset: bigint): TimeIndex | null {
    let data: Buffer;
    try { data = fs.readFileSync(path); } catch { return null; }
    if (data.length % 12 !== 0) return null;
    const idx = new TimeIndex(path, baseOffset, fs.openSync(path, 'a'));
    for (let i = 0; i < data.length / 12; i++) {
      const t = data.readBigInt64BE(i * 12); const r = data.readInt32BE(i * 12 + 8);
      if (idx.ts.length && (t < idx.ts[idx.ts.length - 1] || r < idx.rel[idx.rel.length - 1])) { idx.close(); return null; }
      idx.ts.push(t); idx.rel.push(r);
    }
    return idx;
  }

  static create(path: string, baseOffset: bigint): TimeIndex {
    return new TimeIndex(path, baseOffset, fs.openSync(path, 'w'));
  }

  get lastTimestamp(): bigint { return this.ts.length ? this.ts[this.ts.length - 1] : -1n; }

  maybeAppend(timestamp: bigint, offset: bigint): void {
    if (this.ts.length && timestamp <= this.ts[this.ts.length - 1]) return;
    const r = Number(offset - this.baseOffset);
    this.ts.push(timestamp); this.rel.push(r);
    const b = Buffer.allocUnsafe(12); b.writeBigInt64BE(timestamp, 0); b.writeInt32BE(r, 8);
    fs.writeSync(this.fd, b);
  }

  /** Offset of the last entry with timestamp < target: a safe place to start scanning. */
  lookup(target: bigint): bigint {
    let lo = 0; let hi = this.ts.length - 1; let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ts[mid] < target) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans < 0 ? this.baseOffset : this.baseOffset + BigInt(this.rel[ans]);
  }

  truncateFromOffset(offset: bigint): void {
    const r = Number(offset - this.baseOffset);
    let n = this.ts.length;
    while (n > 0 && this.rel[n - 1] >= r) n--;
    if (n !== this.ts.length) { this.ts.length = n; this.rel.length = n; fs.ftruncateSync(this.fd, n * 12); }
  }

  flush(): void { fs.fsyncSync(this.fd); }
  /** fsync on the thread pool (a closed segment's index, on roll). */
  flushAsync(): void { fs.fsync(this.fd, () => undefined); }
  close(): void { try { fs.closeSync(this.fd); } catch { /* already closed */ } }
}
