// Kafka Streams' record cache (ThreadCache): one byte budget
// (`statestore.cache.max.bytes`, formerly `cache.max.bytes.buffering`) shared by
// the cached stores of an instance. A cached store keeps the latest value per key
// between commits; only that value reaches the underlying store, the changelog and
// the downstream processors — at commit, or when the budget is exceeded and the
// store evicts its eldest entries. Updates to a hot key between two commits so cost
// one changelog record and one downstream record instead of one each.

/** the record context a cached write is forwarded with when it is flushed */
export interface CachedRecordContext { timestamp: number; topic: string; partition: number; offset: number; headers: unknown }

export interface CacheEntry {
  /** the cache key: the key's bytes as latin1 (for a plain ASCII string key under the String serde, the string itself) */
  ks: string;
  /** the key's bytes, made from `ks` when first needed */
  key: Buffer | undefined;
  /** the value's bytes (null: a delete); undefined until needed when `v` holds a small integer of a built-in serde */
  value: Buffer | null | undefined;
  ctx: CachedRecordContext | undefined;
  size: number;
  /** the key as the processor gave it */
  k?: unknown;
  /** the value as the processor gave it, when its serde gives it back unchanged (else undefined: read the bytes) */
  v?: unknown;
  /** written since the last flush (a clean entry only serves reads, as in Kafka's NamedCache) */
  dirty: boolean;
  /** for a dirty entry that replaced a clean one: the value before this interval's first update (what the flush forwards as old) */
  old?: { value: Buffer | null | undefined; v: unknown };
}

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

/**
 * One store's share of the cache: insertion order is recency (a put moves its key to the
 * end). A flush writes the dirty entries through and keeps them, clean, for later reads
 * (Kafka's NamedCache does the same): a hot key is not read back from the store and
 * deserialized after every commit. Over budget, the eldest entries go: dirty ones are
 * written through, clean ones dropped.
 */
export class NamedCache {
  private readonly entries = new Map<string, CacheEntry>();
  private dirtyCount = 0;
  constructor(private readonly thread: ThreadCache) {}
  /** entries written since the last flush */
  get size(): number { return this.dirtyCount; }
  get(k: string): CacheEntry | undefined { return this.entries.get(k); }
  put(k: string, e: CacheEntry): void {
    const old = this.entries.get(k);
    if (old) {
      this.thread.release(old.size);
      this.entries.delete(k);
      if (old.dirty) { this.dirtyCount--; e.old = old.old; } else e.old = { value: old.value, v: old.v };
    }
    e.dirty = true;
    this.dirtyCount++;
    this.entries.set(k, e);
    this.thread.add(e.size);
  }
  /** removes the eldest entries until the shared budget holds; returns the dirty ones among them (to write through) */
  evict(): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const [k, e] of this.entries) {
      if (!this.thread.overBudget()) break;
      this.entries.delete(k);
      this.thread.release(e.size);
      this.thread.evictions++;
      if (e.dirty) { this.dirtyCount--; e.dirty = false; out.push(e); }
    }
    return out;
  }
  /** returns the dirty entries, eldest first, and keeps them as clean */
  drain(): CacheEntry[] {
    if (!this.dirtyCount) return [];
    const out: CacheEntry[] = [];
    for (const e of this.entries.values()) if (e.dirty) { e.dirty = false; out.push(e); }
    this.dirtyCount = 0;
    return out;
  }
  entriesView(): IterableIterator<[string, CacheEntry]> { return this.entries.entries(); }
  /** drops every entry, dirty or not */
  clear(): void {
    for (const e of this.entries.values()) this.thread.release(e.size);
    this.entries.clear();
    this.dirtyCount = 0;
  }
}
