// The record cache on a key-value store: between flushes a key's updates collapse
// into one changelog write and one downstream record carrying the value before the
// first update; over budget, the eldest keys are written through first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Stores, Serdes } from '../index.ts';
import { ThreadCache } from './record-cache.ts';
import type { StoreEnv, KeyValueStore } from './stores.ts';

const S = Serdes.String(), L = Serdes.Long();

function cachedStore(t: { after(fn: () => void): void }, persistent: boolean, cache: ThreadCache) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-cache-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log: Array<[string, number | null]> = [];
  const down: Array<[string, number | null, number | null, number]> = [];
  let ctx = { timestamp: 0, topic: 'in', partition: 0, offset: 0, headers: undefined as unknown };
  const env: StoreEnv = {
    stateDir: dir, changelogTopic: 'app-s-changelog', timestamp: () => 0, defaultKeySerde: S, defaultValueSerde: S, cache,
    logChange: (_t, k, v) => log.push([k.toString(), v === null ? null : Number(v.readBigInt64BE(0))]),
    recordContext: () => ctx,
    withRecordContext: (c, fn) => { const saved = ctx; ctx = c as typeof ctx; try { fn(); } finally { ctx = saved; } },
  };
  const sup = persistent ? Stores.persistentKeyValueStore('s') : Stores.inMemoryKeyValueStore('s');
  const s = Stores.keyValueStoreBuilder(sup, S, L).withCachingEnabled().build(env) as KeyValueStore<string, number>;
  const listening = s.setFlushListener((k, nv, old, c) => down.push([k, nv, old, c!.timestamp]));
  return { s, log, down, listening, at: (ts: number) => { ctx = { ...ctx, timestamp: ts, offset: ts }; } };
}

for (const persistent of [false, true]) {
  test(`${persistent ? 'LMDB' : 'in-memory'} store with the record cache: one changelog write and one downstream record per key per flush`, (t) => {
    const { s, log, down, at, listening } = cachedStore(t, persistent, new ThreadCache(10 * 1024 * 1024));
    assert.equal(listening, true);
    for (let i = 1; i <= 5; i++) { at(100 + i); s.put('a', i); }
    at(200); s.put('b', 7);
    assert.equal(s.get('a'), 5, 'reads see the cached value');
    assert.deepEqual(s.all().map((kv) => [kv.key, kv.value]), [['a', 5], ['b', 7]]);
    assert.equal(s.approximateNumEntries(), 2);
    assert.deepEqual(log, [], 'nothing reaches the changelog before a flush');
    assert.deepEqual(down, []);
    s.flushCache();
    assert.deepEqual(log, [['a', 5], ['b', 7]]);
    assert.deepEqual(down, [['a', 5, null, 105], ['b', 7, null, 200]], 'forwarded with the timestamp of the key\'s latest update');
    at(300); s.put('a', 6); s.put('a', 8); s.delete('b');
    assert.equal(s.get('b'), undefined);
    assert.deepEqual(s.range('a', 'z').map((kv) => kv.key), ['a'], 'a cached delete hides the stored row');
    s.flush();
    assert.deepEqual(down.slice(2), [['a', 8, 5, 300], ['b', null, 7, 300]], 'the old value is the one before the first update since the last flush');
    assert.deepEqual(log.slice(2), [['a', 8], ['b', null]]);
    s.close();
  });
}

test('over its byte budget the cache writes the eldest keys through, and a zero budget turns it off', (t) => {
  const cache = new ThreadCache(3 * 80); // about three entries of a short key and a long
  const { s, log, down } = cachedStore(t, false, cache);
  for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) s.put(k, 1);
  s.put('k5', 2);
  assert.ok(log.length >= 2 && log[0][0] === 'k1' && log[1][0] === 'k2', JSON.stringify(log));
  assert.deepEqual(down.map((d) => d[0]), log.map((l) => l[0]));
  assert.ok(cache.evictions >= 2);
  assert.ok(cache.sizeInBytes() <= cache.maxBytes);
  s.flushCache();
  assert.deepEqual(log.map((l) => l[0]).sort(), ['k1', 'k2', 'k3', 'k4', 'k5']);
  assert.ok(cache.sizeInBytes() <= cache.maxBytes, 'flushed entries stay (clean) within the budget');
  s.put('k6', 1); s.put('k7', 1); s.put('k8', 1);
  assert.equal(log.length, 5, 'clean entries make room without a write');

  const off = cachedStore(t, false, new ThreadCache(0));
  assert.equal(off.s.isCached(), false);
  assert.equal(off.listening, false, 'an uncached store forwards as it processes');
  off.s.put('x', 1); off.s.put('x', 2);
  assert.equal(off.log.length, 2, 'without a budget every write goes through');
});

test('a cached read gives what the bytes give: a value the serde changes is read back from its bytes, object values are fresh copies', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-cache-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env: StoreEnv = { stateDir: dir, timestamp: () => 0, defaultKeySerde: S, defaultValueSerde: S, cache: new ThreadCache(1 << 20), recordContext: () => undefined };
  const strings = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('u'), S, S).withCachingEnabled().build(env) as KeyValueStore<string, string>;
  assert.equal(strings.isCached(), true);
  strings.put('k', 'a\uD800b'); // a lone surrogate: UTF-8 has no bytes for it, Kafka's StringSerde writes U+FFFD
  assert.equal(strings.get('k'), 'a\uFFFDb');
  strings.put('k', 'plain');
  assert.equal(strings.get('k'), 'plain');
  const json = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('j'), S, Serdes.JSON<{ n: number }>()).withCachingEnabled().build(env) as KeyValueStore<string, { n: number }>;
  const v = { n: 1 };
  json.put('k', v);
  v.n = 2; // changed after the put: the store holds what was put
  const got = json.get('k')!;
  assert.deepEqual(got, { n: 1 });
  got.n = 3;
  assert.deepEqual(json.get('k'), { n: 1 });
  const longs = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('l'), S, L).withCachingEnabled().build(env) as KeyValueStore<string, number>;
  longs.put('x', 2 ** 40 + 1);
  longs.put('y', -5);
  assert.deepEqual([longs.get('x'), longs.get('y'), longs.get('z')], [2 ** 40 + 1, -5, undefined]);
  longs.delete('x');
  assert.equal(longs.get('x'), undefined);
});

for (const persistent of [false, true]) {
  test(`${persistent ? 'LMDB' : 'in-memory'} store: a flush keeps its entries, clean — later reads and the next flush's old value do not go to the store`, (t) => {
    const { s, down, log } = cachedStore(t, persistent, new ThreadCache(10 * 1024 * 1024));
    s.put('a', 1); s.put('héllo', 2);
    s.flush();
    const inner = (s as unknown as { inner: { get(k: Buffer): Buffer | undefined } }).inner;
    const get = inner.get.bind(inner);
    let reads = 0;
    inner.get = (k) => { reads++; return get(k); };
    assert.equal(s.get('a'), 2 - 1);
    assert.equal(s.get('héllo'), 2);
    s.put('a', s.get('a')! + 10);
    s.flush();
    assert.equal(reads, 0, 'served by the clean entries');
    assert.deepEqual(down.at(-1), ['a', 11, 1, 0], 'old value from the clean entry');
    assert.deepEqual(log.at(-1), ['a', 11]);
    assert.equal(get(Buffer.from('a'))?.readBigInt64BE(0), 11n, 'the store has the flushed value');
    assert.equal(s.approximateNumEntries(), 2);
    s.close();
  });
}
