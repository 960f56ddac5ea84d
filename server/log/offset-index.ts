// Sparse offset index: 8-byte entries (offset relative to the segment's base,
// position in the .log file), appended every `index.interval.bytes` of log.
import fs from 'node:fs';

export class OffsetIndex {
  private rel: Int32Array;
  private pos: Int32Array;
  count = 0;
  private fd: number;

  private constructor(readonly path: string, readonly baseOffset: bigint, fd: number, cap = 1024) {
    this.fd = fd; this.rel = new Int32Array(cap); this.pos = new Int32Array(cap);
  }

  /** Opens an existing index; returns null when missing or inconsistent with the log size. */
  static load(path: string, baseOffset: bigint, logSize: number): OffsetIndex | null {
    let data: Buffer;
    try { data = fs.readFileSync(path); } catch { return null; }
    if (data.length % 8 !== 0) return null;
    const n = data.length / 8;
    const idx = new OffsetIndex(path, baseOffset, fs.openSync(path, 'a'), Math.max(1024, n * 2));
    let lastRel = -1; let lastPos = -1;
    for (let i = 0; i < n; i++) {
      const r = data.readInt32BE(i * 8); const p = data.readInt32BE(i * 8 + 4);
      if (r <= lastRel || p <= lastPos || p >= logSize) { idx.close(); return null; }
      idx.rel[i] = r; idx.pos[i] = p; lastRel = r; lastPos = p;
    }
    idx.count = n;
    return idx;
  }

  static create(path: string, baseOffset: bigint): OffsetIndex {
    return new OffsetIndex(path, baseOffset, fs.openSync(path, 'w'));
  }

  append(offset: bigint, position: number): void {
    const r = Number(offset - this.baseOffset);
    if (this.count > 0 && r <= this.rel[this.count - 1]) return;
    if (this.count === this.rel.length) {
      const nr = new Int32Array(this.rel.length * 2); nr.set(this.rel); this.rel = nr;
      const np = new Int32Array(this.pos.length * 2); np.set(this.pos); this.pos = np;
    }
    this.rel[this.count] = r; this.pos[this.count] = position; this.count++;
    const b = Buffer.allocUnsafe(8); b.writeInt32BE(r, 0); b.writeInt32BE(position, 4);
    fs.writeSync(this.fd, b);
  }

  /** Position of the last indexed batch starting at or before `offset` (0 if none). */
  lookup(offset: bigint): number {
    const target = Number(offset - this.baseOffset);
    let lo = 0; let hi = this.count - 1; let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rel[mid] <= target) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans < 0 ? 0 : this.pos[ans];
  }

  /** Drops entries at or beyond `position` (after a log truncation). */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.pos[n - 1] >= position) n--;
    if (n !== this.count) { this.count = n; fs.ftruncateSync(this.fd, n * 8); }
  }

  flush(): void { fs.fsyncSync(this.fd); }
  /** fsync on the thread pool (a closed segment's index, on roll). */
  flushAsync(): void { fs.fsync(this.fd, () => undefined); }
  close(): void { try { fs.closeSync(this.fd); } catch { /* already closed */ } }
}
