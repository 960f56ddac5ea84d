// Admin UI, end to end: the Brokers page and the Overview's cluster panel on a real
// broker — brokers with rack and alive state, the controller, leaders and replicas
// per broker as bars, partitions needing attention, reassignments in progress (or
// why they are not listed). One node today: broker 1 leads everything, controller = itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedTopic, startUiHarness } from './helpers/ui.ts';
import { waitFor } from './helpers/cluster.ts';
import { clusterInfo, type ClusterSnapshot } from '../ui/server/services/cluster.ts';

test('ui: brokers and the cluster panel', async (t) => {
  const h = await startUiHarness(t);
  const { page } = h;
  await seedTopic(h, 'payments', 10, 3);
  await seedTopic(h, 'audit', 4, 2);
  const info = await (await fetch(`${h.ui.url}/api/brokers`)).json();
  const me = info.brokers[0];
  assert.equal(info.brokers.length, 1);
  assert.equal(me.alive, true);
  assert.equal(info.controllerId, me.nodeId);
  assert.ok(me.leaderCount >= 5, 'leads the 5 partitions seeded (and the internal topics)');
  assert.equal(me.leaderCount, me.replicaCount);
  assert.equal(info.partitionCount, me.replicaCount);
  // a single node has no metadata store: once the UI has read the broker's /metrics, nothing about one
  await waitFor('the UI to read /metrics', async () => (await (await fetch(`${h.ui.url}/api/overview`)).json()).metricsSource.kind === 'metrics');
  assert.equal((await (await fetch(`${h.ui.url}/api/brokers`)).json()).metadataStore, null);

  await t.test('Brokers page: alive, controller, bars, nothing offline', async () => {
    await page.goto(`${h.ui.url}/brokers`);
    const cards = page.getByRole('region', { name: 'Cluster health' });
    await cards.locator('.card', { hasText: 'Brokers alive' }).getByText('1 / 1').waitFor();
    await cards.locator('.card', { hasText: 'Controller' }).getByText(`broker ${me.nodeId}`).waitFor();
    assert.equal(await cards.locator('.card', { hasText: 'Offline partitions' }).locator('.value').innerText(), '0');
    await page.getByRole('img', { name: `Broker ${me.nodeId}: ${me.leaderCount} leaders, ${me.replicaCount} replicas` }).waitFor();
    const row = page.getByRole('table', { name: 'Brokers' }).getByRole('row').nth(1);
    assert.match(await row.innerText(), /alive/);
    assert.match(await row.innerText(), /controller/);
    await page.getByText('Every partition has a leader.').waitFor();
    assert.equal(await cards.locator('.card', { hasText: 'Metadata store' }).count(), 0);
    assert.equal(await page.getByRole('columnheader', { name: 'Metadata store' }).count(), 0);
    await page.getByText('Every partition\'s replicas are in sync.').waitFor();
    // the reassignments section says what the broker answered: a list, or why there is none
    await page.getByText(/No reassignments in progress\.|Not listed: the broker does not offer ListPartitionReassignments/).waitFor();
    await h.shot('brokers');
  });

  await t.test('Overview: the cluster panel draws the same bars', async () => {
    await page.goto(`${h.ui.url}/`);
    await page.getByRole('region', { name: 'Cluster' }).getByRole('img', { name: `Broker ${me.nodeId}: ${me.leaderCount} leaders, ${me.replicaCount} replicas` }).waitFor();
  });
});

test('clusterInfo: a broker that replicas name but Metadata does not list is offline; leaderless partitions are offline, short ISRs under-replicated', () => {
  const s: ClusterSnapshot = {
    clusterId: 'c', controllerId: 1,
    brokers: [{ nodeId: 1, host: 'a', port: 9092, rack: 'r1' }, { nodeId: 2, host: 'b', port: 9092, rack: 'r2' }],
    topics: [{ topic: 't', id: 'x', partitions: [
      { partition: 0, leader: 1, leaderEpoch: 1, replicas: [1, 2, 3], isr: [1, 2], offlineReplicas: [3] },
      { partition: 1, leader: -1, leaderEpoch: 1, replicas: [3], isr: [], offlineReplicas: [3] },
      { partition: 2, leader: 2, leaderEpoch: 1, replicas: [2, 1], isr: [2, 1], offlineReplicas: [] },
      // Metadata still naming the dead broker as leader (before the controller re-elects): offline
      { partition: 3, leader: 3, leaderEpoch: 1, replicas: [3, 1], isr: [3, 1], offlineReplicas: [] },
      // an ISR that still lists a dead replica: under-replicated
      { partition: 4, leader: 1, leaderEpoch: 1, replicas: [1, 3], isr: [1, 3], offlineReplicas: [] },
    ] }],
    offsets: new Map(), partitionSizes: null, brokerDirs: new Map(),
  };
  const c = clusterInfo(s, { list: [{ topic: 't', partition: 2, replicas: [2, 1, 3], adding: [3], removing: [] }] });
  assert.deepEqual(c.brokers.map((b) => [b.nodeId, b.alive, b.rack, b.leaderCount, b.replicaCount, b.isController]),
    [[1, true, 'r1', 2, 4, true], [2, true, 'r2', 1, 2, false], [3, false, null, 0, 4, false]]);
  assert.deepEqual(c.offline.map((p) => p.partition), [1, 3]);
  assert.deepEqual(c.underReplicated.map((p) => p.partition), [0, 4]);
  assert.equal(c.partitionCount, 5);
  assert.equal(c.reassignments!.length, 1);
});
