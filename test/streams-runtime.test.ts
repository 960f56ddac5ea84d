// KafkaStreams against the real broker: word count under at_least_once and
// exactly_once_v2, interactive queries, restore from changelogs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { KafkaAdmin } from '../client/index.ts';
import { wordCountApp } from './streams/word-count-app.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';

const BROKER_CONFIG = { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500', 'num.partitions': '4' };

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

    // a restart on the same state dir: the same transactional.id, which must take over, not be fenced
    const app3 = wordCountApp(b.bootstrap, `wc-${guarantee}`, guarantee, stateDir2);
    t.after(() => app3.close());
    await app3.start();
    await produceLines(b.bootstrap, ['alpha']);
    await readCounts(b.bootstrap, (m) => m.get('alpha') === 202);
    assert.equal(app3.state(), 'RUNNING');
    await app3.close();
  });
}
