// KafkaStreams against the real broker: word count under at_least_once and
// exactly_once_v2, interactive queries, restore from changelogs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { wordCountApp } from './streams/word-count-app.ts';

const BROKER_CONFIG = { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500', 'num.partitions': '4' };

export async function setupTopics(bootstrap: string): Promise<void> {
  const admin = new KafkaAdmin({ bootstrap, clientId: 'setup' });
  await admin.createTopics([{ topic: 'wc-in', partitions: 4, replicationFactor: 1 }, { topic: 'wc-out', partitions: 4, replicationFactor: 1 }]);
  await admin.close();
}

export async function produceLines(bootstrap: string, lines: string[]): Promise<void> {
  const p = new KafkaProducer({ bootstrap, clientId: 'lines' });
  for (let i = 0; i < lines.length; i += 500) await p.send(lines.slice(i, i + 500).map((l, j) => ({ topic: 'wc-in', key: `line-${i + j}`, value: l })));
  await p.close();
}

/** Reads wc-out (read_committed) and returns every record and the last count per word. */
export async function readCounts(bootstrap: string, until: (last: Map<string, number>) => boolean, timeoutMs = 60000): Promise<{ all: Array<[string, number]>; last: Map<string, number> }> {
  const r = new PartitionReader({ bootstrap, clientId: 'counts', isolation: 'read_committed', maxWaitMs: 200 });
  await r.assign([0, 1, 2, 3].map((partition) => ({ topic: 'wc-out', partition, offset: 'earliest' as const })));
  const all: Array<[string, number]> = [];
  const last = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(last)) {
      if (Date.now() > deadline) throw new Error(`timed out; counts so far ${JSON.stringify([...last])}`);
      for (const b of await r.poll()) for (const rec of b.records) {
        const w = rec.key!.toString(), n = Number(rec.value!.readBigInt64BE(0));
        all.push([w, n]);
        last.set(w, n);
      }
    }
  } finally { await r.close(); }
  return { all, last };
}

export function expectedCounts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of l.toLowerCase().split(/\W+/).filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
const same = (want: Map<string, number>) => (got: Map<string, number>) => [...want].every(([w, n]) => got.get(w) === n);

for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
  test(`word count on the broker with ${guarantee}: output, changelog, interactive query, restore`, async (t) => {
    const b = await startBroker({ config: BROKER_CONFIG });
    t.after(() => b.stop());
    const stateDir = tempDir('streams-state-');
    t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
    await setupTopics(b.bootstrap);
    const lines = Array.from({ length: 200 }, (_, i) => `alpha beta ${i % 2 ? 'gamma' : 'delta'} w${i % 7}`);
    await produceLines(b.bootstrap, lines);
    const states: string[] = [];
    const app = wordCountApp(b.bootstrap, `wc-${guarantee}`, guarantee, stateDir);
    app.setStateListener((s) => states.push(s));
    t.after(() => app.close());
    await app.start();
    const want = expectedCounts(lines);
    const { all } = await readCounts(b.bootstrap, same(want));
    assert.ok(states.includes('REBALANCING') && states.includes('RUNNING'), states.join(','));
    if (guarantee === 'exactly_once_v2') {
      // every intermediate count appears exactly once: no duplicates downstream
      assert.equal(all.length, [...want.values()].reduce((a, n) => a + n, 0));
    }
    const counts = app.store('counts');
    assert.equal(counts.get('alpha'), 200);
    assert.equal(counts.get('gamma'), 100);
    assert.equal(counts.all().length, want.size);

    // the changelog is Kafka's name, compacted, holding the counts
    const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'check' });
    t.after(() => admin.close());
    const topics = await admin.listTopics();
    assert.ok(topics.includes(`wc-${guarantee}-counts-changelog`), topics.join(','));
    assert.ok(topics.includes(`wc-${guarantee}-counts-repartition`), topics.join(','));
    assert.equal((await admin.describeTopicConfigs(`wc-${guarantee}-counts-changelog`))['cleanup.policy'], 'compact');
    await app.close();
    assert.equal(app.state(), 'NOT_RUNNING');

    // a new instance with an empty state dir restores the counts from the changelog, then continues from them
    const stateDir2 = tempDir('streams-state-');
    t.after(() => fs.rmSync(stateDir2, { recursive: true, force: true }));
    const restored: number[] = [];
    const app2 = wordCountApp(b.bootstrap, `wc-${guarantee}`, guarantee, stateDir2);
    app2.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _s, n) => restored.push(n) });
    t.after(() => app2.close());
    await app2.start();
    for (let i = 0; i < 100 && app2.state() !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(app2.store('counts').get('alpha'), 200);
    assert.ok(restored.reduce((a, n) => a + n, 0) >= want.size);
    await produceLines(b.bootstrap, ['alpha omega']);
    await readCounts(b.bootstrap, (m) => m.get('alpha') === 201 && m.get('omega') === 1);
    await app2.close();
  });
}
