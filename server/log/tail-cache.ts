// The batches most recently appended to a partition's active segment, kept in memory
// as they were appended, so fetches at the tail — followers and caught-up consumers —
// are answered with those bytes instead of reading the segment file back (a read
// syscall and a fresh buffer per fetch). One budget for the whole process
// (log.tail.cache.bytes): the oldest entries of any partition go first. The cache only
// ever mirrors the end of the log; whatever it does not cover is read from the file.
// Batches appended from a pooled request frame (SharedBuffer) keep a share of it while
// cached; a read that serves them takes another share for its caller to give back.
import { LOG_OVERHEAD, OFF_LENGTH, OFF_LAST_OFFSET_DELTA } from './record-batch.ts';
import type { ReadLease, SharedBuffer } from './read-buffers.ts';

/** `cost`: the memory the entry keeps alive, charged to the budget (see append) */
interface Entry { base: bigint; last: bigint; data: Buffer; cost: number; owner: TailCache | null; shared: SharedBuffer | null }

/** The bytes all tail caches of a process may hold together. */
export class TailCacheBudget {
  used = 0;
  private fifo: Entry[] = [];
  private head = 0;
  constructor(public maxBytes: number) {}

  add(e: Entry): void {
    this.fifo.push(e);
    this.used += e.cost;
    while (this.used > this.maxBytes && this.head < this.fifo.length) {
      const old = this.fifo[this.head++];
      if (old.owner) old.owner.evictOldest(old);
    }
    if (this.head > 1024 && this.head * 2 > this.fifo.length) { this.fifo = this.fifo.slice(this.head); this.head = 0; }
  }

  release(bytes: number): void { this.used -= bytes; }
}

/** log.tail.cache.bytes of this process (the broker sets it from its config). */
export const TAIL_CACHE_BUDGET = new TailCacheBudget(64 * 1024 * 1024);

export class TailCache {
  private entries: Entry[] = [];
  private head = 0;

  constructor(private readonly budget: TailCacheBudget = TAIL_CACHE_BUDGET) {}

  /** first offset held, or -1 when empty */
  get firstOffset(): bigint { return this.head < this.entries.length ? this.entries[this.head].base : -1n; }
  /** the offset after the last one held, or -1 when empty */
  get endOffset(): bigint { return this.head < this.entries.length ? this.entries[this.entries.length - 1].last + 1n : -1n; }
  get bytes(): number { let n = 0; for (let i = this.head; i < this.entries.length; i++) n += this.entries[i].data.length; return n; }

  /** Whole batches [base, last] just appended at the log end; `shared`: the pooled buffer `data` lies in (a share is kept). */
  append(data: Buffer, base: bigint, last: bigint, shared: SharedBuffer | null = null): void {
    // Only a contiguous tail is useful.
    if (this.head < this.entries.length && this.endOffset !== base) this.clear();
    // An entry in a pooled frame keeps the whole frame alive — its size class, up to twice what
    // the frame holds — so it is charged its share of that. Charged its bytes alone, a 64 MB budget
    // kept ~180 MB of 1 MiB frames holding ~360 KB batches alive on an RF=3 leader.
    const cost = shared ? Math.ceil((data.length * shared.buf.length) / Math.max(1, shared.used)) : data.length;
    // An entry over a quarter of the budget would evict everything else.
    if (data.length === 0 || cost * 4 > this.budget.maxBytes) { this.clear(); return; }
    const e: Entry = { base, last, data, cost, owner: this, shared: shared ? shared.retain() : null };
    this.entries.push(e);
    this.budget.add(e);
  }

  /** Called by the budget: `e` is this cache's oldest entry (or already gone). */
  evictOldest(e: Entry): void {
    if (this.entries[this.head] !== e) return;
    this.entries[this.head++] = undefined as unknown as Entry;
    e.owner = null;
    this.budget.release(e.cost);
    drop(e);
    if (this.head === this.entries.length) { this.entries = []; this.head = 0; }
  }

  /** Forgets entries below `offset` (a roll: only the active segment is served from here). */
  dropBefore(offset: bigint): void {
    while (this.head < this.entries.length && this.entries[this.head].base < offset) this.evictOldest(this.entries[this.head]);
  }

  clear(): void {
    for (let i = this.head; i < this.entries.length; i++) { const e = this.entries[i]; e.owner = null; this.budget.release(e.cost); drop(e); }
    this.entries = []; this.head = 0;
  }

  /**
   * Whole batches from the one holding `offset`, below `upTo` (batches ending before
   * it), at most `maxBytes` except that the first batch comes whole (KIP-74) — what
   * the segment read returns — or null when `offset` is not held. Bytes of a pooled frame
   * are only served with `leases`: a share of the frame is pushed there for each entry
   * served, for the caller to give back once it no longer reads them (releaseLease); a
   * caller without leases reads those from the file.
   */
  read(offset: bigint, maxBytes: number, upTo: bigint, leases?: ReadLease[]): Buffer[] | null {
    const es = this.entries;
    if (this.head >= es.length || offset < es[this.head].base || offset > es[es.length - 1].last) return null;
    let lo = this.head; let hi = es.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (es[mid].base <= offset) lo = mid; else hi = mid - 1; }
    if (!leases) for (let i = lo; i < es.length; i++) if (es[i].shared) return null;
    const out: Buffer[] = [];
    let total = 0;
    const take = (e: Entry, b: Buffer) => { out.push(b); if (e.shared) leases!.push(e.shared.retain()); };
    for (let i = lo; i < es.length; i++) {
      const d = es[i].data;
      let pos = 0;
      if (i === lo) {
        // the batch holding `offset`
        while (pos + LOG_OVERHEAD <= d.length && d.readBigInt64BE(pos) + BigInt(d.readInt32BE(pos + OFF_LAST_OFFSET_DELTA)) < offset) pos += d.readInt32BE(pos + OFF_LENGTH) + LOG_OVERHEAD;
      }
      const start = pos;
      while (pos + LOG_OVERHEAD <= d.length) {
        const size = d.readInt32BE(pos + OFF_LENGTH) + LOG_OVERHEAD;
        const last = d.readBigInt64BE(pos) + BigInt(d.readInt32BE(pos + OFF_LAST_OFFSET_DELTA));
        if (last >= upTo || (total > 0 && total + size > maxBytes)) { if (pos > start) take(es[i], d.subarray(start, pos)); return out; }
        total += size; pos += size;
      }
      if (pos > start) take(es[i], pos === d.length && start === 0 ? d : d.subarray(start, pos));
    }
    return out;
  }
}

/** An entry leaves the cache: its share of a pooled frame goes back. */
function drop(e: Entry): void {
  const s = e.shared;
  e.shared = null;
  s?.release();
}
