// Admin UI on a real cluster: three `tributary broker` processes on one PostgreSQL
// metadata store, each in its own rack. The Brokers page shows them alive with their
// racks, leaders and replicas spread as bars; after kill -9 of one broker it shows that
// broker offline (red), the partitions it alone held offline, and the ones it was a
// replica of under-replicated, and a reassignment onto the dead broker in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Kafka, logLevel } from 'kafkajs';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { startUi } from '../ui/server/index.ts';
import { ClusterAdmin } from '../client/index.ts';
import { ARTIFACTS, CHROMIUM_ARGS } from './helpers/ui.ts';

const FLAGS = ['--set', 'broker.session.timeout.ms=3000', '--set', 'replica.lag.time.max.ms=3000', '--set', 'replica.fetch.backoff.ms=100',
  '--set', 'offsets.topic.replication.factor=3', '--set', 'offsets.topic.num.partitions=3'];

test('ui: brokers of a three-node cluster, before and after kill -9 of one', async (t) => {
  const c = new TestCluster(await createClusterDb(), FLAGS);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n, ['--set', `broker.rack=rack-${n}`])));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [
    { topic: 'payments', numPartitions: 3, replicationFactor: 3 },
    // held by broker 3 alone: offline once it dies
    { topic: 'solo', replicaAssignment: [{ partition: 0, replicas: [3] }] },
    // on 1 and 2; moved onto 3 while 3 is down, the reassignment stays in progress
    { topic: 'pair', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
  ], waitForLeaders: true });
  await waitFor('payments fully in sync', async () => (await kcatMetadata(c.bootstrap(), 'payments')).topics[0]?.partitions.every((p) => p.isrs.length === 3));

  const ui = await startUi({ bootstrap: c.bootstrap(), host: '127.0.0.1', port: 0 });
  t.after(() => ui.close());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 1000 }, timezoneId: 'UTC' })).newPage();
  page.setDefaultTimeout(15_000);

  await page.goto(`${ui.url}/brokers`);
  const cards = page.getByRole('region', { name: 'Cluster health' });
  await cards.locator('.card', { hasText: 'Brokers alive' }).getByText('3 / 3').waitFor();
  const table = page.getByRole('table', { name: 'Brokers' });
  for (const n of [1, 2, 3]) assert.match(await table.getByRole('row').nth(n).innerText(), new RegExp(`^${n}\\s+alive.*rack-${n}`));
  // every broker holds a replica of each payments partition
  for (const n of [1, 2, 3]) await page.getByRole('img', { name: new RegExp(`^Broker ${n}: \\d+ leaders, ([3-9]|\\d\\d+) replicas$`) }).waitFor();

  await c.kill(3);
  await waitFor('the UI API to see broker 3 gone', async () => {
    const r = await fetch(`${ui.url}/api/brokers`);
    const b = await r.json();
    return r.status === 200 && b.brokers.filter((x: { alive: boolean }) => x.alive).length === 2;
  }, 30_000, 1000);
  // headless Chromium counts as a background tab, where TanStack Query does not poll: reload until it shows
  const shows = async (l: import('playwright-core').Locator) => waitFor(`${l}`, async () => { await page.reload(); return l.first().waitFor({ timeout: 3000 }).then(() => true, () => false); }, 40_000, 200)
    .catch(async (e) => { await page.screenshot({ path: path.join(ARTIFACTS, 'debug-cluster.png'), fullPage: true }); throw e; });
  await shows(cards.locator('.card', { hasText: 'Brokers alive' }).getByText('2 / 3'));
  await shows(page.getByRole('img', { name: /^Broker 3: 0 leaders, \d+ replicas, offline$/ }));
  assert.match(await table.getByRole('row').nth(3).innerText(), /^3\s+offline/);
  await shows(page.getByRole('table', { name: 'Offline partitions' }).getByRole('row', { name: /solo/ }));
  await shows(page.getByRole('table', { name: 'Under-replicated partitions' }).getByRole('row', { name: /payments/ }));
  const ca = new ClusterAdmin({ bootstrap: c.bootstrap(), clientId: 'ui-cluster-test' });
  t.after(() => ca.close());
  const moved = await ca.alterPartitionReassignments([{ topic: 'pair', partition: 0, replicas: [1, 3] }]);
  assert.deepEqual(moved.map((o) => o.errorCode), [0]);
  // KIP-455: replicas are the union while moving; 3 is being added, 2 removed
  await shows(page.getByRole('table', { name: 'Reassignments' }).getByRole('row', { name: /pair/ }));
  const row = await page.getByRole('table', { name: 'Reassignments' }).getByRole('row', { name: /pair/ }).innerText();
  assert.match(row, /^pair\s+0\s+(\d, ){2}\d\s+3\s+2$/);
  assert.equal(await cards.locator('.card', { hasText: 'Reassignments' }).locator('.value').innerText(), '1');
  await page.screenshot({ path: path.join(ARTIFACTS, 'brokers-cluster.png'), fullPage: true });
  await page.goto(`${ui.url}/`);
  await page.getByRole('region', { name: 'Cluster' }).getByText(/offline partitions/).waitFor();
});
