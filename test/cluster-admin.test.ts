// Cluster administration over Kafka's own APIs against real brokers on one metadata
// store: a controlled shutdown moves leadership away first, ElectLeaders moves it
// back to preferred replicas, and AlterPartitionReassignments moves a partition onto
// a new broker (KIP-455: added, caught up, then the old replica dropped) with its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';

const partitionsOf = async (bootstrap: string, topic: string) => (await kcatMetadata(bootstrap, topic)).topics[0].partitions.map((p) => ({ id: p.partition, leader: p.leader, replicas: p.replicas.map((r) => r.id), isr: p.isrs.map((r) => r.id).sort() }));

test('controlled shutdown, preferred-leader election and a partition reassignment onto a new broker', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=6000', '--set', 'replica.lag.time.max.ms=10000', '--log-level', 'info']);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  const admin = new ClusterAdmin({ bootstrap: c.bootstrap(), clientId: 'cluster-admin-test' });
  t.after(() => admin.close());
  await waitFor('three brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 3);
  const r = await python([path.join(ROOT, 'test/py/cluster_admin.py'), c.bootstrap(), 'create', 'moves', '3', '2']);
  assert.deepEqual(JSON.parse(r.stdout), { ok: true }, r.stderr);
  const lines = Array.from({ length: 50 }, (_, i) => `m${i}`).join('\n');
  await kcat(['-P', '-b', c.bootstrap(), '-t', 'moves', '-p', '0', '-X', 'acks=all'], lines + '\n');

  // SIGTERM: leadership leaves the broker before it exits (its partitions had a live ISR member elsewhere).
  const before = await partitionsOf(c.brokers.get(1)!.bootstrap, 'moves');
  await waitFor('every ISR full', async () => (await partitionsOf(c.brokers.get(1)!.bootstrap, 'moves')).every((p) => p.isr.length === 2), 20000);
  const victim = before[0].leader;
  const victimCli = c.brokers.get(victim)!.cli;
  const led = before.filter((p) => p.leader === victim).map((p) => p.id);
  const other = [1, 2, 3].find((n) => n !== victim)!;
  const otherBootstrap = c.brokers.get(other)!.bootstrap;
  assert.equal(await c.stop(victim), 0, 'a clean exit');
  assert.match(victimCli.output(), /controlled shutdown: leadership moved away/);
  const after = await partitionsOf(otherBootstrap, 'moves');
  for (const id of led) assert.notEqual(after[id].leader, victim, `partition ${id} was handed over`);
  assert.ok(after.every((p) => p.leader !== -1), 'nothing went offline');

  // The broker returns, catches up, rejoins the ISR; ElectLeaders gives preferred replicas their leadership back.
  await c.start(victim);
  await waitFor('the restarted broker back in every ISR', async () => (await partitionsOf(otherBootstrap, 'moves')).every((p) => p.isr.length === 2), 30000);
  const elected = await admin.electLeaders(null);
  assert.ok(elected.every((o) => o.errorCode === 0 || o.errorCode === 80), JSON.stringify(elected));
  // (a follower that briefly fell out of the ISR on a loaded machine is elected on the next try)
  const back = await waitFor('every partition led by its preferred replica', async () => {
    const ps = await partitionsOf(otherBootstrap, 'moves');
    if (ps.every((p) => p.leader === p.replicas[0])) return ps;
    await admin.electLeaders(null);
  }, 20000, 300);
  // ELECTION_NOT_NEEDED once its preferred replica leads; PREFERRED_LEADER_NOT_AVAILABLE (80, retriable)
  // was seen once at load 20 right after the metadata showed every preferred leader back: retried, as clients do.
  // NONE (0) means leadership had left the preferred replica again (seen once in a CI run at load ~15, e.g. a
  // broker session lapsing under load) and this call gave it back: the next call must then say 84.
  const again = await waitFor('ELECTION_NOT_NEEDED for a partition its preferred replica leads', async () => {
    const r = await admin.electLeaders([{ topic: 'moves', partition: 0 }]);
    return r[0].errorCode === 80 || r[0].errorCode === 0 ? null : r;
  }, 20000, 300);
  assert.equal(again[0].errorCode, 84, 'ELECTION_NOT_NEEDED');

  // A fourth broker joins; partition 0 moves onto it (and off its first replica), data included.
  await c.start(4);
  // every broker must know broker 4 before it names it in an assignment (registration reaches the others' caches within a poll)
  await waitFor('broker 4 known to every broker', async () => {
    for (const b of c.brokers.values()) if (b.cli.child.exitCode === null && b.cli.child.signalCode === null && !(await kcatMetadata(b.bootstrap).catch(() => null))?.brokers.some((x) => x.id === 4)) return false;
    return true;
  });
  const p0 = back[0];
  const target = [4, p0.replicas[1]];
  const moved = await admin.alterPartitionReassignments([{ topic: 'moves', partition: 0, replicas: target }, { topic: 'moves', partition: 1, replicas: [1, 9] }]);
  assert.deepEqual(moved.map((o) => o.errorCode), [0, 39], 'the second names an unknown broker: INVALID_REPLICA_ASSIGNMENT');
  await waitFor('the reassignment to finish', async () => { const l = await admin.listPartitionReassignments(); return l !== null && l.length === 0; }, 30000, 200);
  const done = (await partitionsOf(otherBootstrap, 'moves'))[0];
  assert.deepEqual(done.replicas, target);
  assert.deepEqual(done.isr, [...target].sort());
  // led by a replica of the target (which one depends on who led when it finished; the preferred election below makes it 4)
  assert.ok(target.includes(done.leader), `leader ${done.leader} is one of ${target}`);
  // Read from the new replica alone: every record is there.
  const only4 = c.brokers.get(4)!.bootstrap;
  await waitFor('broker 4 leads partition 0 after a preferred election', async () => {
    await admin.electLeaders([{ topic: 'moves', partition: 0 }]);
    return (await partitionsOf(only4, 'moves'))[0].leader === 4;
  }, 20000, 300);
  const got = await kcat(['-C', '-b', only4, '-t', 'moves', '-p', '0', '-o', 'beginning', '-e', '-q']);
  assert.equal(got.trim(), lines);
  assert.deepEqual(await admin.alterPartitionReassignments([{ topic: 'moves', partition: 0, replicas: null }]).then((o) => o.map((x) => x.errorCode)), [85], 'NO_REASSIGNMENT_IN_PROGRESS');
});
