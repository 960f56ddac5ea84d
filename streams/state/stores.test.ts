// Key-value, window and session stores, in memory and on LMDB: the same answers,
// and the persistent ones keep their data across a close and reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Stores, Serdes, Windowed, Window } from '../index.ts';
import type { StoreEnv, KeyValueStore, WindowStore, SessionStore } from './stores.ts';

const S = Serdes.String(), L = Serdes.Long();
function env(dir: string, log?: Array<[string, Buffer | null]>): StoreEnv {
  return { stateDir: dir, changelogTopic: 'app-s-changelog', logChange: log ? (_t, k, v) => log.push([k.toString('latin1'), v]) : undefined, timestamp: () => 0, defaultKeySerde: S, defaultValueSerde: S };
}

for (const persistent of [false, true]) {
  const kind = persistent ? 'LMDB' : 'in-memory';
  test(`${kind} key-value store: get/put/delete/range/all/prefixScan, changelogged writes`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const log: Array<[string, Buffer | null]> = [];
    const sup = persistent ? Stores.persistentKeyValueStore('s') : Stores.inMemoryKeyValueStore('s');
    const s = Stores.keyValueStoreBuilder(sup, S, L).build(env(dir, log)) as KeyValueStore<string, number>;
    for (const [k, v] of [['b', 2], ['a', 1], ['ab', 12], ['c', 3], ['', 0]] as const) s.put(k, v);
    assert.equal(s.get('ab'), 12);
    assert.equal(s.get('zz'), undefined);
    assert.equal(s.delete('c'), 3);
    assert.equal(s.putIfAbsent('a', 9), 1);
    assert.deepEqual(s.range('a', 'b').map((kv) => kv.key), ['a', 'ab', 'b']);
    assert.deepEqual(s.all().map((kv) => kv.key), ['', 'a', 'ab', 'b']);
    assert.deepEqual(s.prefixScan('a').map((kv) => kv.key), ['a', 'ab']);
    assert.equal(log.length, 6);
    assert.equal(log[5][1], null, 'a delete is a tombstone in the changelog');
    s.flush();
    s.put('d', 4);
    assert.deepEqual(s.all().map((kv) => kv.key), ['', 'a', 'ab', 'b', 'd'], 'reads merge flushed and unflushed writes');
    s.close();
    if (persistent) {
      const again = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('s'), S, L).build(env(dir)) as KeyValueStore<string, number>;
      assert.equal(again.get('d'), 4);
      assert.equal(again.approximateNumEntries(), 5);
      again.restoreBatch([[Buffer.from('zz'), L.serializer().serialize('t', 7)!]]);
      await again.restored(); // restored batches are written asynchronously; the runtime waits before the task runs
      assert.equal(again.approximateNumEntries(), 6, 'a restored batch counts');
      assert.equal(again.get('zz'), 7);
      again.close();
    }
  });

  test(`${kind} window store: fetch by key and time range, retention drops old windows, duplicates kept when asked`, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'win-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sup = persistent ? Stores.persistentWindowStore('w', 1000, 100) : Stores.inMemoryWindowStore('w', 1000, 100);
    const w = Stores.windowStoreBuilder(sup, S, L).build(env(dir)) as WindowStore<string, number>;
    w.put('k', 1, 0); w.put('k', 2, 100); w.put('j', 5, 100); w.put('k', 3, 500);
    assert.equal(w.fetch('k', 100), 2);
    assert.deepEqual(w.fetch('k', 0, 200).map((kv) => [kv.key, kv.value]), [[0, 1], [100, 2]]);
    assert.deepEqual(w.fetchAll(100, 100).map((kv) => `${kv.key.key()}@${kv.key.window().start()}-${kv.key.window().end()}`), ['j@100-200', 'k@100-200']);
    w.put('k', 9, 1100); // stream time 1100: windows starting at or before 100 are past retention
    assert.equal(w.fetch('k', 0), undefined);
    assert.deepEqual(w.fetch('k', 0, 2000).map((kv) => kv.key), [500, 1100]);
    w.close();
    const dup = Stores.windowStoreBuilder(persistent ? Stores.persistentWindowStore('d', 1000, 100, true) : Stores.inMemoryWindowStore('d', 1000, 100, true), S, L).build(env(dir)) as WindowStore<string, number>;
    dup.put('k', 1, 10); dup.put('k', 2, 10);
    assert.deepEqual(dup.fetch('k', 0, 100).map((kv) => kv.value), [1, 2]);
    dup.close();
  });

  test(`${kind} session store: findSessions by end and start, remove`, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sup = persistent ? Stores.persistentSessionStore('s', 10000) : Stores.inMemorySessionStore('s', 10000);
    const s = Stores.sessionStoreBuilder(sup, S, L).build(env(dir)) as SessionStore<string, number>;
    s.put(new Windowed('k', new Window(0, 100)), 2);
    s.put(new Windowed('k', new Window(500, 700)), 3);
    s.put(new Windowed('kk', new Window(0, 50)), 1);
    assert.deepEqual(s.findSessions('k', 90, 600).map((kv) => kv.key.window().start()), [0, 500]);
    assert.deepEqual(s.findSessions('k', 101, 600).map((kv) => kv.key.window().start()), [500]);
    assert.equal(s.fetchSession('k', 500, 700), 3);
    s.remove(new Windowed('k', new Window(0, 100)));
    assert.deepEqual(s.fetch('k').map((kv) => kv.value), [3]);
    s.close();
  });
}
