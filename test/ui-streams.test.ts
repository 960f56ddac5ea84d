// Admin UI, end to end: the Stream applications page on a real broker with a real
// streams application (word count, two instances in this process) and a plain
// consumer group beside it. The page lists the application (not the plain group),
// its instances and tasks, input lag, the store with its changelog's records and
// size, and the topology as describe() prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startUiHarness, ARTIFACTS } from './helpers/ui.ts';
import { tempDir } from './helpers/broker.ts';
import { wordCountApp } from './streams/word-count-app.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';
import type { StreamApp } from '../ui/shared/streams-types.ts';

test('ui: stream applications page', { timeout: 240000 }, async (t) => {
  const h = await startUiHarness(t);
  const { page } = h;
  const bootstrap = h.broker.bootstrap;
  await setupTopics(bootstrap);
  const lines = Array.from({ length: 400 }, (_, i) => `the quick brown fox ${i % 2 ? 'jumps' : 'sleeps'} w${i % 9}`);
  await produceLines(bootstrap, lines);
  const dirs = [tempDir('ui-streams-a-'), tempDir('ui-streams-b-')];
  t.after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  const apps = dirs.map((d, i) => wordCountApp(bootstrap, 'word-count', 'exactly_once_v2', d, { 'application.server': `127.0.0.1:${7070 + i}`, 'client.id': `word-count-${i}` }));
  // stopped before the harness's broker (its teardown runs first: registered first)
  const consumer = h.kafka.consumer({ groupId: 'plain-readers' });
  try {
    for (const a of apps) await a.start();
    await check(apps, consumer);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    for (const a of apps) await a.close();
  }

  async function check(_apps: unknown, consumer: ReturnType<typeof h.kafka.consumer>) {
  const want = expectedCounts(lines);
  await readCounts(bootstrap, (got) => [...want].every(([w, n]) => got.get(w) === n), 120000);
  // a plain consumer group beside it: not a stream application
  await consumer.connect();
  await consumer.subscribe({ topic: 'wc-out', fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });

  // the API first: both instances with 8 tasks between them, the changelog holds every count
  let list: StreamApp[] = [];
  for (let i = 0; i < 120; i++) {
    list = await (await fetch(`${h.ui.url}/api/streams`)).json() as StreamApp[];
    const a = list.find((x) => x.applicationId === 'word-count');
    if (a && a.state === 'Stable' && a.members.length === 2 && a.members.reduce((n, m) => n + m.tasks.length, 0) === 8 && a.totalLag === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(list.map((a) => a.applicationId), ['word-count'], 'the plain consumer group is not a stream application');
  const app = list[0];
  assert.equal(app.kind, 'tributary');
  assert.equal(app.members.length, 2);
  assert.deepEqual(app.members.flatMap((m) => m.tasks).sort(), ['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
  assert.deepEqual(app.members.map((m) => m.applicationServer).sort(), ['127.0.0.1:7070', '127.0.0.1:7071']);
  assert.equal(app.totalLag, 0);
  assert.deepEqual(app.stores.map((s) => [s.name, s.changelog]), [['counts', 'word-count-counts-changelog']]);
  const total = [...want.values()].reduce((a, n) => a + n, 0);
  // offsets, not keys: under exactly_once_v2 each transaction adds a marker per partition
  assert.ok(app.stores[0].records! >= want.size && app.stores[0].records! <= 3 * total, `changelog records ${app.stores[0].records}`);
  assert.ok(app.stores[0].bytes! > 0);
  assert.match(app.topology!, /Sub-topology: 0/);
  assert.match(app.topology!, /Processor: KSTREAM-AGGREGATE-\d+ \(stores: \[counts\]\)/);

  await page.goto(`${h.ui.url}/`);
  await page.getByRole('link', { name: 'Stream applications' }).click();
  const panel = page.getByRole('region', { name: 'Stream application word-count' });
  await panel.getByRole('table', { name: 'Instances of word-count' }).getByRole('cell', { name: '127.0.0.1:7070' }).waitFor();
  const figures = panel.getByRole('region', { name: 'Figures of word-count' });
  assert.equal(await figures.locator('.card', { hasText: 'Instances' }).locator('.value').innerText(), '2');
  assert.equal(await figures.locator('.card', { hasText: 'Tasks' }).locator('.value').innerText(), '8');
  const store = panel.getByRole('table', { name: 'State stores of word-count' }).getByRole('row', { name: /counts/ });
  assert.match(await store.innerText(), /word-count-counts-changelog/);
  assert.match(await panel.getByLabel('Topology of word-count').innerText(), /Sub-topology: 1[\s\S]*Sink: KSTREAM-SINK-\d+ \(topic: wc-out\)/);
  assert.equal(await page.getByRole('region', { name: 'Stream application plain-readers' }).count(), 0);
  await h.shot('stream-apps');
  fs.mkdirSync(path.join(ARTIFACTS, '..', '..', 'ui', 'docs'), { recursive: true });
  fs.copyFileSync(path.join(ARTIFACTS, 'stream-apps.png'), path.join(ARTIFACTS, '..', '..', 'ui', 'docs', 'stream-apps.png'));
  }
});
