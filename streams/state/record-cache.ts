// Kafka Streams' record cache (ThreadCache): one byte budget
// (`statestore.cache.max.bytes`, formerly `cache.max.bytes.buffering`) shared by
// the cached stores of an instance. A cached store keeps the latest value per key
// between commits; only that value reaches the underlying store, the changelog and
// the downstream processors — at commit, or when the budget is exceeded and the
// store evicts its eldest entries. Updates to a hot key between two commits so cost
// one changelog record and one downstream record instead of one each.

/** the record context a cached write is forwarded with when it is flushed */
export interface CachedRecordContext { timestamp: number; topic: string; partition: number; offset: number; headers: unknown }

export interface CacheEntry { key: Buffer; value: Buffer | null; ctx: CachedRecordContext | undefined; size: number; /** the key as the processor gave it */ k?: unknown; /** the value as the processor gave it, when its serde gives it back unchanged (else undefined: read the bytes) */ v?: unknown }

export class ThreadCache {
  private used = 0;
  /** entries flushed because the budget was exceeded (Kafka's cache eviction metric) */
  evictions = 0;
  constructor(readonly maxBytes: number) {}
  get enabled(): boolean { return this.maxBytes > 0; }
  add(n: number): void { this.used += n; }
  release(n: number): void { this.used -= n; }
  overBudget(): boolean { return this.used > this.maxBytes; }
  sizeInBytes(): number { return this.used; }
}

/** One store's share of the cache: insertion order is recency (a put moves its key to the end). */
export class NamedCache {
  private readonly entries = new Map<string, CacheEntry>();
  constructor(private readonly thread: ThreadCache) {}
  get size(): number { return this.entries.size; }
  get(k: string): CacheEntry | undefined { return this.entries.get(k); }
  put(k: string, e: CacheEntry): void {
    const old = this.entries.get(k);
    if (old) { this.thread.release(old.size); this.entries.delete(k); }
    this.entries.set(k, e);
    this.thread.add(e.size);
  }
  /** removes and returns the eldest entries until the shared budget holds (at least one when over) */
  evict(): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const [k, e] of this.entries) {
      if (!this.thread.overBudget()) break;
      this.entries.delete(k);
      this.thread.release(e.size);
      this.thread.evictions++;
      out.push(e);
    }
    return out;
  }
  /** removes and returns every entry, eldest first */
  drain(): CacheEntry[] {
    const out = [...this.entries.values()];
    for (const e of out) this.thread.release(e.size);
    this.entries.clear();
    return out;
  }
  entriesView(): IterableIterator<[string, CacheEntry]> { return this.entries.entries(); }
  clear(): void { this.drain(); }
}
