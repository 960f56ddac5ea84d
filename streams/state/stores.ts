// Typed state stores over byte stores, with Kafka Streams' interfaces and factory
// names (Stores.persistentKeyValueStore, Stores.keyValueStoreBuilder, …). A logged
// store sends every write to its changelog `<application.id>-<store>-changelog`.
import path from 'node:path';
import { EXACT_PRIMITIVES, UTF8_STRINGS, type Serde } from '../serdes.ts';
import { KeyValue } from '../key-value.ts';
import { Window, Windowed } from '../windows.ts';
import { toMillis, type DurationLike } from '../duration.ts';
import { InMemoryBytesStore, LmdbBytesStore, type BytesStore } from './bytes-store.ts';
import { NamedCache, type CacheEntry, type CachedRecordContext, type ThreadCache } from './record-cache.ts';

export interface StateStore {
  name(): string;
  persistent(): boolean;
  flush(): void;
  close(): void;
  isOpen(): boolean;
}

/** What a task gives a store when it builds it. */
export interface StoreEnv {
  stateDir?: string;
  changelogTopic?: string;
  logChange?: (topic: string, key: Buffer, value: Buffer | null, timestamp: number) => void;
  timestamp(): number;
  defaultKeySerde: Serde<any>;
  defaultValueSerde: Serde<any>;
  /** the instance's record cache; absent or 0 bytes: stores write through */
  cache?: ThreadCache;
  /** the record being processed (a cached write is forwarded with it when flushed) */
  recordContext?(): CachedRecordContext | undefined;
  /** runs fn with the task's record context set to ctx (for forwarding flushed cache entries) */
  withRecordContext?(ctx: CachedRecordContext | undefined, fn: () => void): void;
}

/** A cached key-value store's downstream: called once per key per flush with the latest value and the value before it. */
export type CacheFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, ctx: CachedRecordContext | undefined) => void;

abstract class TypedStore implements StateStore {
  protected open_ = true;
  protected keySer!: Serde<any>;
  protected valSer!: Serde<any>;
  constructor(protected readonly storeName: string, readonly inner: BytesStore, protected readonly env: StoreEnv, keySerde?: Serde<any>, valueSerde?: Serde<any>, protected readonly logging = true) {
    this.keySer = keySerde ?? env.defaultKeySerde;
    this.valSer = valueSerde ?? env.defaultValueSerde;
  }
  name(): string { return this.storeName; }
  persistent(): boolean { return this.inner.persistent; }
  flush(): void { this.inner.flush(); }
  close(): void { if (this.open_) { this.open_ = false; this.inner.close(); } }
  isOpen(): boolean { return this.open_; }
  protected topic(): string { return this.env.changelogTopic ?? this.storeName; }
  protected sk(k: unknown): Buffer { return this.keySer.serializer().serialize(this.topic(), k) ?? Buffer.alloc(0); }
  protected dk(b: Buffer): any { return this.keySer.deserializer().deserialize(this.topic(), b); }
  protected sv(v: unknown): Buffer | null { return v === null || v === undefined ? null : this.valSer.serializer().serialize(this.topic(), v); }
  protected dv(b: Buffer): any { return this.valSer.deserializer().deserialize(this.topic(), b); }
  protected write(key: Buffer, value: Buffer | null): void {
    this.inner.put(key, value);
    if (this.logging && this.env.logChange && this.env.changelogTopic) this.env.logChange(this.env.changelogTopic, key, value, this.env.timestamp());
  }
  /** restore from changelog bytes, bypassing logging */
  restoreBatch(batch: Array<[Buffer, Buffer | null]>): void {
    if (this.inner instanceof LmdbBytesStore) this.inner.writeBatch(batch);
    else for (const [k, v] of batch) this.inner.put(k, v);
  }
  /** waits until what restoreBatch gave the store is written */
  async restored(): Promise<void> { if (this.inner instanceof LmdbBytesStore) await this.inner.restored(); }
  approximateNumEntries(): number { return this.inner.approximateNumEntries(); }
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  range(from: K | undefined, to: K | undefined): Array<KeyValue<K, V>>;
  all(): Array<KeyValue<K, V>>;
  prefixScan?(prefix: K): Array<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

export class KeyValueStore<K, V> extends TypedStore implements ReadOnlyKeyValueStore<K, V> {
  private cache?: NamedCache;
  private flushListener?: CacheFlushListener<K, V>;
  /** @internal the builder turns the cache on when caching is enabled and the instance has a cache budget */
  enableCache(): void { if (this.env.cache?.enabled) this.cache = new NamedCache(this.env.cache); }
  /** Whether writes are cached; if so, the listener receives what the store flushes (Kafka's TimestampedCacheFlushListener). */
  setFlushListener(listener: CacheFlushListener<K, V>): boolean {
    if (!this.cache) return false;
    this.flushListener = listener;
    return true;
  }
  isCached(): boolean { return !!this.cache; }
  get(key: K): V | undefined {
    if (this.cache) {
      const e = this.cache.get(this.cacheKey(key));
      if (e) return e.value === null ? undefined : e.v !== undefined ? (e.v as V) : this.dv(e.value!);
      const b = this.inner.get(this.keyBytes());
      return b === undefined ? undefined : this.dv(b);
    }
    const b = this.getBytes(this.sk(key));
    return b === undefined ? undefined : this.dv(b);
  }
  put(key: K, value: V | null | undefined): void {
    if (!this.cache) { this.write(this.sk(key), this.sv(value)); return; }
    const ks = this.cacheKey(key);
    let vb: Buffer | null | undefined, v: unknown, size: number;
    if (typeof value === 'number' && (value | 0) === value && this.numericValues()) {
      // a count or sum: its bytes are made when the entry is flushed, once per interval
      vb = undefined; v = value; size = ks.length + 8 + 64;
    } else {
      vb = this.sv(value);
      v = vb !== null && this.exactValue(value) ? value : undefined;
      size = ks.length + (vb?.length ?? 0) + 64;
    }
    this.cache.put(ks, { ks, key: this.lastKb, value: vb, ctx: this.env.recordContext?.(), size, k: key, v, dirty: true });
    if (this.env.cache!.overBudget()) for (const e of this.cache.evict()) this.flushEntry(e);
  }
  // An aggregation reads a key and then writes it: the key's cache key (and bytes) are worked out once
  // for both (keys that are strings or numbers only: an object key could change between the calls).
  // A plain ASCII string under the String serde is its own cache key: its UTF-8 bytes read as latin1
  // are the same string, so its bytes are made only when the store or the changelog needs them.
  private lastK: unknown = undefined;
  private lastKb?: Buffer;
  private lastKs = '';
  private keyMemo = false;
  private cacheKey(key: K): string {
    if (!this.keyMemo || key !== this.lastK || (typeof key !== 'string' && typeof key !== 'number')) {
      if (typeof key === 'string' && this.stringKeys() && ASCII.test(key)) { this.lastKb = undefined; this.lastKs = key; }
      else { this.lastKb = this.sk(key); this.lastKs = this.lastKb.toString('latin1'); }
      this.lastK = key;
      this.keyMemo = true;
    }
    return this.lastKs;
  }
  /** the bytes of the key cacheKey() last worked out */
  private keyBytes(): Buffer { return (this.lastKb ??= Buffer.from(this.lastKs, 'latin1')); }
  private stringKeysMemo?: boolean;
  private stringKeys(): boolean { return (this.stringKeysMemo ??= (this.keySer.serializer() as { [UTF8_STRINGS]?: boolean })[UTF8_STRINGS] === true); }
  private numericValuesMemo?: boolean;
  /** a built-in number serde (Long, Integer, Double): any 32-bit integer serializes without an error */
  private numericValues(): boolean { return (this.numericValuesMemo ??= this.exactValues() && (this.valSer.serializer() as { [UTF8_STRINGS]?: boolean })[UTF8_STRINGS] !== true); }
  private exactValuesMemo?: boolean;
  private exactValues(): boolean { return (this.exactValuesMemo ??= (this.valSer as { [EXACT_PRIMITIVES]?: boolean })[EXACT_PRIMITIVES] === true); }
  /** a cache entry may keep the value itself when the value serde gives it back unchanged (built-in serdes, strings and numbers) */
  private exactValue(v: unknown): boolean {
    if (!this.exactValues()) return false;
    // a lone surrogate comes back from UTF-8 as U+FFFD: such a string is read back from its bytes
    return typeof v === 'number' || (typeof v === 'string' && !LONE_SURROGATE.test(v));
  }
  private static entryKey(e: CacheEntry): Buffer { return (e.key ??= Buffer.from(e.ks, 'latin1')); }
  private entryValue(e: CacheEntry): Buffer | null { return e.value === undefined ? (e.value = this.sv(e.v)) : e.value; }
  putIfAbsent(key: K, value: V): V | undefined { const old = this.get(key); if (old === undefined) this.put(key, value); return old; }
  putAll(entries: Array<KeyValue<K, V>>): void { for (const e of entries) this.put(e.key, e.value); }
  delete(key: K): V | undefined { const old = this.get(key); if (old !== undefined) this.put(key, null); return old; }
  range(from: K | undefined, to: K | undefined): Array<KeyValue<K, V>> {
    return this.rangeBytes(from === undefined ? undefined : this.sk(from), to === undefined ? undefined : this.sk(to)).map(([k, v]) => KeyValue.pair(this.dk(k), this.dv(v)));
  }
  reverseRange(from: K | undefined, to: K | undefined): Array<KeyValue<K, V>> { return this.range(from, to).reverse(); }
  all(): Array<KeyValue<K, V>> { return this.range(undefined, undefined); }
  reverseAll(): Array<KeyValue<K, V>> { return this.all().reverse(); }
  /** keys whose serialized bytes start with the serialized prefix */
  prefixScan(prefix: K): Array<KeyValue<K, V>> {
    const p = this.sk(prefix);
    return this.rangeBytes(p, Buffer.concat([p, Buffer.alloc(64, 0xff)])).filter(([k]) => k.subarray(0, p.length).equals(p)).map(([k, v]) => KeyValue.pair(this.dk(k), this.dv(v)));
  }
  /** the raw bytes view, for the runtime */
  getBytes(key: Buffer): Buffer | undefined {
    const e = this.cache?.get(key.toString('latin1'));
    if (e) return this.entryValue(e) ?? undefined;
    return this.inner.get(key);
  }
  override approximateNumEntries(): number { return this.inner.approximateNumEntries() + (this.cache?.size ?? 0); }
  /** the underlying store's rows overlaid with the cache's, ordered by key bytes */
  private rangeBytes(from?: Buffer, to?: Buffer): Array<[Buffer, Buffer]> {
    const base = this.inner.range(from, to);
    if (!this.cache?.size) return base;
    const merged = new Map<string, [Buffer, Buffer]>();
    for (const row of base) merged.set(row[0].toString('latin1'), row);
    const lo = from?.toString('latin1'), hi = to?.toString('latin1');
    for (const [k, e] of this.cache.entriesView()) {
      if ((lo !== undefined && k < lo) || (hi !== undefined && k > hi)) continue;
      const v = this.entryValue(e);
      if (v === null) merged.delete(k); else merged.set(k, [KeyValueStore.entryKey(e), v]);
    }
    return [...merged.keys()].sort().map((k) => merged.get(k)!);
  }
  private flushEntry(e: CacheEntry): void {
    const key = KeyValueStore.entryKey(e), value = this.entryValue(e);
    const l = this.flushListener;
    // the value before this interval's first update: the clean entry it replaced, else the store's
    let old: V | undefined;
    if (l) {
      if (e.old) old = e.old.value === null ? undefined : e.old.v !== undefined ? (e.old.v as V) : this.dv(e.old.value!);
      else { const b = this.inner.get(key); old = b === undefined ? undefined : this.dv(b); }
    }
    e.old = undefined;
    this.write(key, value);
    if (!l || (value === null && old === undefined)) return;
    const k = e.k as K;
    const run = () => l(k, value === null ? null : e.v !== undefined ? (e.v as V) : this.dv(value), old === undefined ? null : old, e.ctx);
    if (this.env.withRecordContext) this.env.withRecordContext(e.ctx, run); else run();
  }
  /** writes the cached entries through (store, changelog, downstream), eldest first; a commit calls it before it sends */
  flushCache(): void { if (this.cache?.size) for (const e of this.cache.drain()) this.flushEntry(e); }
  override flush(): void { this.flushCache(); super.flush(); }
  /** a closing store drops what it has not flushed: a clean close commits (and flushes) first, an unclean one is restored from the changelog */
  override close(): void { this.cache?.clear(); super.close(); }
  /** @internal drop cached and stored state (a wiped task) */
  wipe(): void { this.cache?.clear(); this.inner.clear(); }
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/;
const ASCII = /^[\x00-\x7f]*$/;

// Window store key: [len:4][key][windowStart:8], so one key's windows are contiguous and ordered by start.
function windowKey(k: Buffer, start: number, seq?: number): Buffer {
  const b = Buffer.allocUnsafe(4 + k.length + 8 + (seq === undefined ? 0 : 4));
  b.writeUInt32BE(k.length, 0); k.copy(b, 4); b.writeBigUInt64BE(BigInt(Math.max(0, start)), 4 + k.length);
  if (seq !== undefined) b.writeUInt32BE(seq, 12 + k.length);
  return b;
}
function splitWindowKey(b: Buffer): [Buffer, number] {
  const len = b.readUInt32BE(0);
  return [b.subarray(4, 4 + len), Number(b.readBigUInt64BE(4 + len))];
}

export interface ReadOnlyWindowStore<K, V> {
  fetch(key: K, time: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>>;
  fetchAll(timeFrom: number, timeTo: number): Array<KeyValue<Windowed<K>, V>>;
  all(): Array<KeyValue<Windowed<K>, V>>;
}

export class WindowStore<K, V> extends TypedStore implements ReadOnlyWindowStore<K, V> {
  private observedStreamTime = -1;
  private seq = 0;
  constructor(name: string, inner: BytesStore, env: StoreEnv, keySerde: Serde<any> | undefined, valueSerde: Serde<any> | undefined, logging: boolean, readonly retentionMs: number, readonly windowSizeMs: number, readonly retainDuplicates: boolean) {
    super(name, inner, env, keySerde, valueSerde, logging);
  }
  put(key: K, value: V | null, windowStartTimestamp: number): void {
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStartTimestamp);
    if (windowStartTimestamp <= this.observedStreamTime - this.retentionMs) return; // expired: Kafka drops it
    if (this.retainDuplicates && value === null) return;
    this.write(windowKey(this.sk(key), windowStartTimestamp, this.retainDuplicates ? this.seq++ : undefined), this.sv(value));
  }
  private live(start: number): boolean { return start > this.observedStreamTime - this.retentionMs; }
  fetch(key: K, time: number): V | undefined;
  fetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>>;
  fetch(key: K, a: number, b?: number): any {
    const k = this.sk(key);
    if (b === undefined) {
      if (this.retainDuplicates) return this.fetch(key, a, a)[0]?.value;
      const v = this.inner.get(windowKey(k, a));
      return v === undefined || !this.live(a) ? undefined : this.dv(v);
    }
    const lo = windowKey(k, a), hi = windowKey(k, b, this.retainDuplicates ? 0xffffffff : undefined);
    return this.inner.range(lo, hi).map(([bk, v]) => [splitWindowKey(bk)[1], v] as const).filter(([s]) => s >= a && s <= b && this.live(s)).map(([s, v]) => KeyValue.pair(s, this.dv(v)));
  }
  backwardFetch(key: K, timeFrom: number, timeTo: number): Array<KeyValue<number, V>> { return this.fetch(key, timeFrom, timeTo).reverse(); }
  /** fetch(keyFrom, keyTo, timeFrom, timeTo) in Kafka */
  fetchRange(keyFrom: K, keyTo: K, timeFrom: number, timeTo: number): Array<KeyValue<Windowed<K>, V>> {
    const lo = this.sk(keyFrom), hi = this.sk(keyTo);
    return this.all().filter((kv) => { const kb = this.sk(kv.key.key()); const s = kv.key.window().start(); return Buffer.compare(kb, lo) >= 0 && Buffer.compare(kb, hi) <= 0 && s >= timeFrom && s <= timeTo; });
  }
  fetchAll(timeFrom: number, timeTo: number): Array<KeyValue<Windowed<K>, V>> { return this.all().filter((kv) => kv.key.window().start() >= timeFrom && kv.key.window().start() <= timeTo); }
  all(): Array<KeyValue<Windowed<K>, V>> {
    const out: Array<KeyValue<Windowed<K>, V>> = [];
    for (const [bk, v] of this.inner.range()) {
      const [k, s] = splitWindowKey(bk);
      if (this.live(s)) out.push(KeyValue.pair(new Windowed(this.dk(k), new Window(s, s + this.windowSizeMs)), this.dv(v)));
    }
    return out;
  }
  override restoreBatch(batch: Array<[Buffer, Buffer | null]>): void {
    for (const [k] of batch) this.observedStreamTime = Math.max(this.observedStreamTime, splitWindowKey(k)[1]);
    super.restoreBatch(batch);
  }
  /** drop windows past retention (called on commit) */
  purge(): void {
    for (const [bk] of this.inner.range()) if (!this.live(splitWindowKey(bk)[1])) this.inner.put(bk, null);
  }
}

// Session store key: [len:4][key][end:8][start:8], as Kafka orders sessions by end time.
function sessionKey(k: Buffer, start: number, end: number): Buffer {
  const b = Buffer.allocUnsafe(4 + k.length + 16);
  b.writeUInt32BE(k.length, 0); k.copy(b, 4); b.writeBigUInt64BE(BigInt(end), 4 + k.length); b.writeBigUInt64BE(BigInt(start), 12 + k.length);
  return b;
}
function splitSessionKey(b: Buffer): [Buffer, number, number] {
  const len = b.readUInt32BE(0);
  return [b.subarray(4, 4 + len), Number(b.readBigUInt64BE(12 + len)), Number(b.readBigUInt64BE(4 + len))];
}

export interface ReadOnlySessionStore<K, V> {
  fetch(key: K): Array<KeyValue<Windowed<K>, V>>;
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined;
}

export class SessionStore<K, V> extends TypedStore implements ReadOnlySessionStore<K, V> {
  constructor(name: string, inner: BytesStore, env: StoreEnv, keySerde: Serde<any> | undefined, valueSerde: Serde<any> | undefined, logging: boolean, readonly retentionMs: number) {
    super(name, inner, env, keySerde, valueSerde, logging);
  }
  put(session: Windowed<K>, agg: V): void { this.write(sessionKey(this.sk(session.key()), session.window().start(), session.window().end()), this.sv(agg)); }
  remove(session: Windowed<K>): void { this.write(sessionKey(this.sk(session.key()), session.window().start(), session.window().end()), null); }
  /** sessions of key that end at or after earliestSessionEndTime and start at or before latestSessionStartTime */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Array<KeyValue<Windowed<K>, V>> {
    const k = this.sk(key);
    return this.inner.range(sessionKey(k, 0, earliestSessionEndTime), sessionKey(k, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
      .map(([bk, v]) => [splitSessionKey(bk), v] as const)
      .filter(([[, s]]) => s <= latestSessionStartTime)
      .map(([[, s, e], v]) => KeyValue.pair(new Windowed(key, new Window(s, e)), this.dv(v)));
  }
  fetch(key: K): Array<KeyValue<Windowed<K>, V>> { return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER); }
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | undefined {
    const v = this.inner.get(sessionKey(this.sk(key), sessionStart, sessionEnd));
    return v === undefined ? undefined : this.dv(v);
  }
  all(): Array<KeyValue<Windowed<K>, V>> {
    return this.inner.range().map(([bk, v]) => { const [k, s, e] = splitSessionKey(bk); return KeyValue.pair(new Windowed(this.dk(k), new Window(s, e)), this.dv(v)); });
  }
}

// ---- suppliers and builders, Kafka's Stores factory ----

export interface StoreSupplier { name: string; type: 'keyValue' | 'window' | 'session'; persistent: boolean; retentionMs?: number; windowSizeMs?: number; retainDuplicates?: boolean }

export class StoreBuilder<S extends StateStore = StateStore> {
  loggingEnabled = true;
  cachingEnabled = false;
  logConfig: Record<string, string> = {};
  constructor(readonly supplier: StoreSupplier, readonly keySerde?: Serde<any>, readonly valueSerde?: Serde<any>) {
    if (!supplier.name || typeof supplier.name !== 'string') throw new TypeError('a state store needs a name');
  }
  name(): string { return this.supplier.name; }
  withLoggingDisabled(): this { this.loggingEnabled = false; return this; }
  withLoggingEnabled(config: Record<string, string> = {}): this { this.loggingEnabled = true; this.logConfig = config; return this; }
  withCachingEnabled(): this { this.cachingEnabled = true; return this; }
  withCachingDisabled(): this { this.cachingEnabled = false; return this; }
  build(env: StoreEnv): S {
    const s = this.supplier;
    const inner: BytesStore = s.persistent ? new LmdbBytesStore(path.join(env.stateDir ?? '.', 'lmdb', s.name)) : new InMemoryBytesStore();
    const logging = this.loggingEnabled;
    if (s.type === 'keyValue') {
      const kv = new KeyValueStore(s.name, inner, env, this.keySerde, this.valueSerde, logging);
      if (this.cachingEnabled) kv.enableCache();
      return kv as unknown as S;
    }
    if (s.type === 'window') return new WindowStore(s.name, inner, env, this.keySerde, this.valueSerde, logging, s.retentionMs!, s.windowSizeMs!, !!s.retainDuplicates) as unknown as S;
    return new SessionStore(s.name, inner, env, this.keySerde, this.valueSerde, logging, s.retentionMs!) as unknown as S;
  }
}

export const Stores = {
  persistentKeyValueStore: (name: string): StoreSupplier => ({ name, type: 'keyValue', persistent: true }),
  persistentTimestampedKeyValueStore: (name: string): StoreSupplier => ({ name, type: 'keyValue', persistent: true }),
  inMemoryKeyValueStore: (name: string): StoreSupplier => ({ name, type: 'keyValue', persistent: false }),
  persistentWindowStore: (name: string, retentionPeriod: DurationLike, windowSize: DurationLike, retainDuplicates = false): StoreSupplier =>
    ({ name, type: 'window', persistent: true, retentionMs: toMillis(retentionPeriod, 'retention'), windowSizeMs: toMillis(windowSize, 'window size'), retainDuplicates }),
  inMemoryWindowStore: (name: string, retentionPeriod: DurationLike, windowSize: DurationLike, retainDuplicates = false): StoreSupplier =>
    ({ name, type: 'window', persistent: false, retentionMs: toMillis(retentionPeriod, 'retention'), windowSizeMs: toMillis(windowSize, 'window size'), retainDuplicates }),
  persistentSessionStore: (name: string, retentionPeriod: DurationLike): StoreSupplier => ({ name, type: 'session', persistent: true, retentionMs: toMillis(retentionPeriod, 'retention') }),
  inMemorySessionStore: (name: string, retentionPeriod: DurationLike): StoreSupplier => ({ name, type: 'session', persistent: false, retentionMs: toMillis(retentionPeriod, 'retention') }),
  keyValueStoreBuilder: <K, V>(supplier: StoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) => new StoreBuilder<KeyValueStore<K, V>>(supplier, keySerde, valueSerde),
  timestampedKeyValueStoreBuilder: <K, V>(supplier: StoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) => new StoreBuilder<KeyValueStore<K, V>>(supplier, keySerde, valueSerde),
  windowStoreBuilder: <K, V>(supplier: StoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) => new StoreBuilder<WindowStore<K, V>>(supplier, keySerde, valueSerde),
  sessionStoreBuilder: <K, V>(supplier: StoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) => new StoreBuilder<SessionStore<K, V>>(supplier, keySerde, valueSerde),
};
