// The byte-level stores every typed store sits on: keys ordered by their bytes,
// as Kafka's RocksDB and in-memory stores order them. Writes to the persistent
// store collect in a write cache and reach LMDB in one transaction per flush
// (each commit interval), so a record costs a Map write, not a disk commit.
import fs from 'node:fs';
import { open, type RootDatabase } from 'lmdb';

export interface BytesStore {
  readonly persistent: boolean;
  get(key: Buffer): Buffer | undefined;
  /** null deletes */
  put(key: Buffer, value: Buffer | null): void;
  /** ordered, both bounds inclusive, undefined = open */
  range(from?: Buffer, to?: Buffer): Array<[Buffer, Buffer]>;
  approximateNumEntries(): number;
  flush(): void;
  close(): void;
  /** drop everything (a wiped task) */
  clear(): void;
}

const bkey = (b: Buffer) => b.toString('latin1'); // latin1 keeps byte order under string comparison

export class InMemoryBytesStore implements BytesStore {
  readonly persistent = false;
  private readonly map = new Map<string, Buffer>();
  private sorted: string[] | null = null;
  get(key: Buffer): Buffer | undefined { return this.map.get(bkey(key)); }
  put(key: Buffer, value: Buffer | null): void {
    const k = bkey(key);
    if (value === null) { if (this.map.delete(k)) this.sorted = null; return; }
    if (!this.map.has(k)) this.sorted = null;
    this.map.set(k, value);
  }
  range(from?: Buffer, to?: Buffer): Array<[Buffer, Buffer]> {
    if (!this.sorted) this.sorted = [...this.map.keys()].sort();
    const keys = this.sorted;
    const lo = from ? lowerBound(keys, bkey(from)) : 0;
    const hi = to ? bkey(to) : undefined;
    const out: Array<[Buffer, Buffer]> = [];
    for (let i = lo; i < keys.length; i++) {
      if (hi !== undefined && keys[i] > hi) break;
      const v = this.map.get(keys[i]);
      if (v) out.push([Buffer.from(keys[i], 'latin1'), v]);
    }
    return out;
  }
  approximateNumEntries(): number { return this.map.size; }
  flush(): void {}
  close(): void {}
  clear(): void { this.map.clear(); this.sorted = null; }
}

function lowerBound(a: string[], x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}

// LMDB refuses empty keys; every key gets a one-byte prefix so Kafka's empty key stays storable.
const PFX = Buffer.from([0]);
const lk = (k: Buffer) => Buffer.concat([PFX, k]);

export class LmdbBytesStore implements BytesStore {
  readonly persistent = true;
  private db: RootDatabase<Buffer, Buffer>;
  private dirty = new Map<string, Buffer | null>();
  private count: number;
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    // noSync: a process crash keeps LMDB's pages (they live in the OS page cache);
    // durability across machine loss comes from the changelog topic, as with Kafka's RocksDB.
    this.db = open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', compression: false, noSync: true, mapSize: 2 * 1024 ** 3 });
    this.count = (this.db.getStats() as { entryCount: number }).entryCount;
  }
  /** LMDB copies a key when a synchronous call takes it: gets and the flush write their prefixed keys here */
  private scratch = Buffer.allocUnsafe(512);
  private scratchKey(k: Buffer | string): Buffer {
    const n = typeof k === 'string' ? k.length : k.length; // latin1: one byte per character
    if (this.scratch.length < n + 1) this.scratch = Buffer.allocUnsafe(Math.max(n + 1, this.scratch.length * 2));
    this.scratch[0] = 0;
    if (typeof k === 'string') this.scratch.write(k, 1, 'latin1'); else k.copy(this.scratch, 1);
    return this.scratch.subarray(0, n + 1);
  }
  get(key: Buffer): Buffer | undefined {
    const k = bkey(key);
    const d = this.dirty.get(k);
    if (d !== undefined || this.dirty.has(k)) return d ?? undefined;
    return this.db.get(this.scratchKey(key)) ?? undefined;
  }
  put(key: Buffer, value: Buffer | null): void { this.dirty.set(bkey(key), value); }
  range(from?: Buffer, to?: Buffer): Array<[Buffer, Buffer]> {
    const merged = new Map<string, Buffer>();
    const end = to ? Buffer.concat([PFX, to, Buffer.from([0])]) : Buffer.from([1]);
    for (const { key, value } of this.db.getRange({ start: from ? lk(from) : PFX, end })) merged.set(bkey((key as Buffer).subarray(1)), value);
    const lo = from ? bkey(from) : undefined, hi = to ? bkey(to) : undefined;
    for (const [k, v] of this.dirty) {
      if ((lo !== undefined && k < lo) || (hi !== undefined && k > hi)) continue;
      if (v === null) merged.delete(k); else merged.set(k, v);
    }
    return [...merged.keys()].sort().map((k) => [Buffer.from(k, 'latin1'), merged.get(k)!]);
  }
  approximateNumEntries(): number { return this.count + this.dirty.size; }
  flush(): void {
    if (!this.dirty.size) return;
    const entries = this.dirty;
    this.dirty = new Map();
    this.db.transactionSync(() => {
      for (const [k, v] of entries) {
        const key = this.scratchKey(k);
        if (v === null) this.db.removeSync(key); else this.db.putSync(key, v);
      }
    });
    this.count = (this.db.getStats() as { entryCount: number }).entryCount;
  }
  private restoring?: Promise<unknown>;
  /**
   * restore path: straight to LMDB with its asynchronous writes — lmdb-js gathers
   * them into large transactions committed on its own thread, so the disk work
   * overlaps the next fetch. `restored()` waits for them.
   */
  writeBatch(batch: Array<[Buffer, Buffer | null]>): void {
    if (!batch.length) return;
    // the batch's prefixed keys side by side in one buffer: one allocation per batch, not a Buffer.concat per record
    let len = 0;
    for (let i = 0; i < batch.length; i++) len += batch[i][0].length + 1;
    const keys = Buffer.allocUnsafe(len);
    let at = 0, last: Promise<unknown> | undefined;
    for (let i = 0; i < batch.length; i++) {
      const [k, v] = batch[i];
      keys[at] = 0;
      k.copy(keys, at + 1);
      const key = keys.subarray(at, at + 1 + k.length);
      at += 1 + k.length;
      last = v === null ? this.db.remove(key) : this.db.put(key, v);
    }
    this.restoring = last;
  }
  async restored(): Promise<void> {
    if (this.restoring) { await this.restoring; this.restoring = undefined; }
    this.count = (this.db.getStats() as { entryCount: number }).entryCount;
  }
  close(): void { this.flush(); this.db.close(); }
  clear(): void { this.dirty.clear(); this.db.clearSync(); this.count = 0; }
}
