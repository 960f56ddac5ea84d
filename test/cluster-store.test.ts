// The PostgreSQL metadata store's compare-and-set rules, on a real database: a
// leader's ISR change with a stale epoch, from a non-leader or naming a dead broker
// is refused; a controller write with a stale controller epoch writes nothing; every
// broker's cache hears each change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { MetadataStore } from '../server/cluster/metadata-store.ts';
import { PostgresClusterView } from '../server/cluster/postgres-cluster-view.ts';
import { loadBrokerConfig } from '../server/config.ts';
import type { PartitionState } from '../server/cluster/cluster-view.ts';
import { createClusterDb, waitFor } from './helpers/cluster.ts';

const dirs: string[] = [];
process.on('exit', () => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
const tempDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-store-')); dirs.push(d); return d; };

function view(url: string, nodeId: number, dataDir = tempDir()): PostgresClusterView {
  const { config } = loadBrokerConfig([['node.id', String(nodeId)], ['metadata.store.url', url], ['broker.session.timeout.ms', '10000']]);
  return new PostgresClusterView({ url, nodeId, metadata: new MetadataStore(dataDir, nodeId, false), config, logger: pino({ level: 'silent' }), onChanges: () => {} });
}

test('compare-and-set on partition epoch, leader epoch and controller epoch', async (t) => {
  const db = await createClusterDb();
  const views = [view(db.url, 1), view(db.url, 2)];
  t.after(async () => { for (const v of views) await v.close(); await db.drop(); });
  for (const v of views) await v.load(null);
  for (const [i, v] of views.entries()) await v.register({ host: '127.0.0.1', port: 9000 + i, rack: null });
  assert.equal((views[0] as any).metadata.clusterId, (views[1] as any).metadata.clusterId, 'one cluster id, kept in the store');
  const controller = await waitFor('a controller', async () => views.find((v) => v.controllerEpochHeld > 0));
  const other = views.find((v) => v !== controller)!;

  const heard: PartitionState[] = [];
  other.onPartitionChange((s) => { if (s.topic === 'cas') heard.push(s); });
  await views[0].createTopic({ name: 'cas', partitions: 1, replicationFactor: 2, configs: {}, internal: false });
  const s0 = await waitFor('the new topic in the other broker\'s cache', async () => other.partitionState('cas', 0));
  assert.deepEqual([...s0.isr].sort(), [1, 2]);
  const leader = views.find((v) => v.nodeId === s0.leader)!;
  const follower = views.find((v) => v !== leader)!;

  // The leader shrinks the ISR: accepted once, with the partition epoch bumped.
  const s1 = await leader.alterIsr(s0, [s0.leader]);
  assert.notEqual(s1, 'stale');
  assert.equal((s1 as PartitionState).partitionEpoch, s0.partitionEpoch + 1);
  assert.equal(await leader.alterIsr(s0, [1, 2]), 'stale', 'a stale partition epoch is refused');
  assert.equal(await leader.alterIsr({ ...(s1 as PartitionState), leaderEpoch: s0.leaderEpoch + 5 }, [1, 2]), 'stale', 'a wrong leader epoch is refused');
  assert.equal(await follower.alterIsr(s1 as PartitionState, [1, 2]), 'stale', 'only the leader may change the ISR');
  assert.equal(await leader.alterIsr(s1 as PartitionState, [s0.leader, 9]), 'stale', 'an unregistered broker cannot join the ISR');
  await waitFor('the other cache hears the ISR change', async () => heard.some((s) => s.partitionEpoch === s0.partitionEpoch + 1));
  await waitFor('every cache has it', async () => views.every((v) => v.partitionState('cas', 0)!.partitionEpoch === s0.partitionEpoch + 1));

  // Controller writes are fenced by the controller epoch.
  const cur = controller.partitionState('cas', 0)!;
  const move = { s: cur, d: { leader: follower.nodeId, isr: [cur.leader, follower.nodeId], bumpLeaderEpoch: true } };
  assert.equal(await controller.writeDecisions([move], controller.controllerEpochHeld - 1), 0, 'a stale controller epoch writes nothing');
  assert.equal(await other.writeDecisions([move], controller.controllerEpochHeld), 0, 'a broker that is not the controller writes nothing');
  assert.equal(await controller.writeDecisions([move], controller.controllerEpochHeld), 1);
  assert.equal(await controller.writeDecisions([move], controller.controllerEpochHeld), 0, 'the same decision on an old partition epoch is refused');
  const moved = await waitFor('the leader change everywhere', async () => { const s = other.partitionState('cas', 0)!; return s.leader === follower.nodeId && s; });
  assert.equal(moved.leaderEpoch, cur.leaderEpoch + 1);
  // The old leader's ISR request at the old leader epoch is now refused.
  assert.equal(await leader.alterIsr({ ...cur, partitionEpoch: moved.partitionEpoch }, [cur.leader]), 'stale');
});

test('a data dir of another cluster or another node is refused', async (t) => {
  const db = await createClusterDb();
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'meta.properties'), 'version=1\ncluster.id=seededFromDisk\nnode.id=1\n');
  const views = [view(db.url, 1, dir)];
  t.after(async () => { for (const v of views) await v.close(); await db.drop(); });
  await views[0].load(null);
  assert.equal((views[0] as any).metadata.clusterId, 'seededFromDisk', 'the first broker names the cluster after its data dir');
  views.push(view(db.url, 2, dir));
  await assert.rejects(views[1].load(null), /belongs to node.id 1 \(meta.properties\), not 2; give each broker its own --data-dir/);
  const other = tempDir();
  fs.writeFileSync(path.join(other, 'meta.properties'), 'version=1\ncluster.id=someOtherCluster\nnode.id=3\n');
  views.push(view(db.url, 3, other));
  await assert.rejects(views[2].load(null), /holds the logs of cluster someOtherCluster .* but the metadata store's cluster is seededFromDisk/);
});
