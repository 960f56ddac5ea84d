// Which in-sync replica leads after a kill -9 when one of them restarted moments ago:
// clients (librdkafka) are still backing off from that broker, so a broker that stayed
// up is elected even when the restarted one comes first in the replica order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';

const SESSION_MS = 3000;

/** Three brokers and topic `topic` with one partition on replicas [1, 2, 3], led by broker 1 with a full ISR; returns the cluster and a reader of that partition's metadata. */
async function preferredOneCluster(t: { after: (fn: () => Promise<void>) => void }, topic: string, extra: string[] = []) {
  const c = new TestCluster(await createClusterDb(), ['--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.fetch.backoff.ms=100', ...extra]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  const r = await python([path.join(ROOT, 'test/py/cluster_admin.py'), c.bootstrap(), 'assign', topic, '[[1,2,3]]'], 60000);
  assert.equal(JSON.parse(r.stdout.trim().split('\n').at(-1)!).ok, true, r.stderr);
  const state = async () => (await kcatMetadata(c.bootstrap(), topic)).topics[0]?.partitions[0];
  await waitFor('broker 1 leads with a full ISR', async () => { const p = await state(); return p?.leader === 1 && p.isrs.length === 3; }, 30000);
  return { c, state };
}

test('kill -9 of a leader whose preferred successor restarted seconds ago: the in-sync replica that stayed up leads', async (t) => {
  const { c, state } = await preferredOneCluster(t, 'order');

  // Broker 1 dies and comes back: it rejoins the ISR, first in the replica order again.
  await c.kill(1);
  const first = await waitFor('a new leader', async () => { const p = await state(); return p && p.leader > 1 && p.leader; }, SESSION_MS * 3, 50);
  await c.start(1);
  await waitFor('broker 1 back in the ISR', async () => (await state())?.isrs.length === 3, 30000);

  // Now the leader dies: broker 1 is preferred but up for seconds only; the other survivor leads.
  const other = [2, 3].find((n) => n !== first)!;
  await c.kill(first);
  const next = await waitFor('a new leader', async () => { const p = await state(); return p && p.leader > 0 && p.leader !== first && p; }, SESSION_MS * 3, 50);
  assert.equal(next.leader, other, `broker ${other} (up since the start) leads, not broker 1 (restarted seconds ago)`);
  assert.deepEqual(next.isrs.map((x) => x.id).sort(), [1, other].sort(), 'both survivors stay in sync');
});

test('automatic leader rebalancing hands leadership back to a restarted preferred replica only once it has been up 10 s', async (t) => {
  const { c, state } = await preferredOneCluster(t, 'pref', ['--set', 'leader.imbalance.check.interval.seconds=1']);

  await c.kill(1);
  await waitFor('a new leader', async () => { const p = await state(); return p && p.leader > 1; }, SESSION_MS * 3, 50);
  await c.start(1);
  const restarted = Date.now(); // listening, so registered no later than now
  await waitFor('broker 1 back in the ISR', async () => (await state())?.isrs.length === 3, 30000, 100);
  const inSync = Date.now() - restarted;
  await waitFor('leadership back on broker 1', async () => (await state())?.leader === 1, 40000, 100);
  const back = Date.now() - restarted;
  // Registration comes before listening, so allow a little under 10 s.
  assert.ok(back >= 8500, `broker 1 led again ${back} ms after its restart (in sync after ${inSync} ms): rebalancing did not wait for it to settle`);
});
