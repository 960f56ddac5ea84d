// The record cache against the broker: word count under exactly_once_v2 with
// Kafka's default cache (statestore.cache.max.bytes = 10 MiB). Each word's count
// reaches the output and the changelog about once per commit instead of once per
// occurrence; the final counts are exact and only ever grow. (The same app without
// the cache writes every intermediate count: test/streams-runtime.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { PartitionReader } from '../client/index.ts';
import { wordCountApp } from './streams/word-count-app.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';

test('record cache: word count output and changelog carry one update per word per commit, counts exact', { timeout: 180000 }, async (t) => {
  const b = await startBroker({ config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500', 'num.partitions': '4' } });
  t.after(() => b.stop());
  const stateDir = tempDir('streams-cache-');
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  await setupTopics(b.bootstrap);
  const lines = Array.from({ length: 3000 }, (_, i) => `alpha beta ${i % 2 ? 'gamma' : 'delta'} w${i % 5}`);
  await produceLines(b.bootstrap, lines);
  const want = expectedCounts(lines);
  const words = [...want.values()].reduce((a, n) => a + n, 0);
  const app = wordCountApp(b.bootstrap, 'wc-cache', 'exactly_once_v2', stateDir, { 'statestore.cache.max.bytes': 10 * 1024 * 1024, 'commit.interval.ms': 1000 });
  t.after(() => app.close());
  await app.start();
  const { all } = await readCounts(b.bootstrap, (got) => [...want].every(([w, n]) => got.get(w) === n), 120000, 1500);
  // exactly once and cached: each word's counts strictly increase and end at the true count
  const seq = new Map<string, number[]>();
  for (const [w, n] of all) { if (!seq.has(w)) seq.set(w, []); seq.get(w)!.push(n); }
  for (const [w, n] of want) {
    const s = seq.get(w)!;
    assert.equal(s.at(-1), n, `last count of ${w}`);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1], `counts of ${w} increase: ${s.join(',')}`);
  }
  assert.ok(all.length * 10 < words, `${all.length} output records for ${words} words: the cache should collapse updates`);
  assert.equal(app.store('counts').get('alpha'), 3000);
  assert.ok(app.cache.maxBytes === 10 * 1024 * 1024);

  // the changelog holds as few records as the output (read_committed, to its end)
  const r = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'changelog', isolation: 'read_committed', maxWaitMs: 100 });
  t.after(() => r.close());
  const topic = 'wc-cache-counts-changelog';
  const ends = await r.endOffsets([{ topic }]);
  await r.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 'earliest' as const })));
  let changelog = 0;
  while (ends.some((e) => (r.position(topic, e.partition) ?? 0) < e.lastStable)) for (const batch of await r.poll()) changelog += batch.records.length;
  assert.ok(changelog > 0 && changelog * 10 < words, `${changelog} changelog records for ${words} words`);
  await app.close();
});
