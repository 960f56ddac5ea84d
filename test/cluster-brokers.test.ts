// Three `tributary broker` processes sharing one PostgreSQL database form one
// cluster: every client sees all of them, replicas are placed across them, and a
// kill -9 of a leader or of the controller is repaired by the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';

const SESSION_MS = 6000;

async function admin(bootstrap: string, ...args: string[]): Promise<any> {
  const r = await python([path.join(ROOT, 'test/py/cluster_admin.py'), bootstrap, ...args], 60000);
  if (r.status !== 0) throw new Error(`cluster_admin.py ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('three brokers on one metadata store: placement, metadata, failover of a leader and of the controller', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', `broker.session.timeout.ms=${SESSION_MS}`]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  const b1 = c.brokers.get(1)!.bootstrap;

  // kcat and librdkafka's AdminClient, asking any one broker, see the whole cluster.
  const md = await waitFor('three brokers and a controller in kcat -L', async () => { const m = await kcatMetadata(b1); return m.brokers.length === 3 && m.controllerid > 0 && m; });
  assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 3]);
  assert.ok([1, 2, 3].includes(md.controllerid));
  for (const b of md.brokers) assert.equal(b.name, c.brokers.get(b.id)!.bootstrap, 'each broker advertises its own host:port');

  assert.deepEqual(await admin(c.brokers.get(2)!.bootstrap, 'create', 'replicated', '3', '3'), { ok: true });
  const d = await admin(c.brokers.get(3)!.bootstrap, 'describe', 'replicated');
  assert.deepEqual(d.brokers.map((b: any) => b.id), [1, 2, 3]);
  const parts: { id: number; leader: number; replicas: number[]; isr: number[] }[] = d.topics.replicated;
  assert.equal(parts.length, 3);
  for (const p of parts) {
    assert.deepEqual([...p.replicas].sort(), [1, 2, 3]);
    assert.equal(p.leader, p.replicas[0], 'the preferred replica leads a new partition');
    assert.deepEqual([...p.isr].sort(), [1, 2, 3]);
  }
  assert.deepEqual(parts.map((p) => p.leader).sort(), [1, 2, 3], 'leaders spread over the brokers');

  // Explicit assignments are honoured; a replication factor above the broker count is refused.
  assert.deepEqual(await admin(b1, 'assign', 'pinned', '[[2,3],[3,1]]'), { ok: true });
  const pinned = (await kcatMetadata(b1, 'pinned')).topics[0].partitions;
  assert.deepEqual(pinned.map((p) => [p.leader, p.replicas.map((r) => r.id)]), [[2, [2, 3]], [3, [3, 1]]]);
  const tooMany = await admin(b1, 'create', 'toomany', '1', '4');
  assert.equal(tooMany.error, 'INVALID_REPLICATION_FACTOR');
  assert.match(tooMany.message, /larger than available brokers: 3/);

  // kill -9 the leader of partition 0 (not the controller, so one failure at a time).
  const controller = md.controllerid;
  const victim = parts.find((p) => p.leader !== controller)!;
  const survivor = [1, 2, 3].find((n) => n !== victim.leader)!;
  const t0 = Date.now();
  await c.kill(victim.leader);
  const after = await waitFor('a new leader from the ISR', async () => {
    const p = (await kcatMetadata(c.brokers.get(survivor)!.bootstrap, 'replicated')).topics[0].partitions.find((x) => x.partition === victim.id)!;
    return p.leader !== victim.leader && p.leader !== -1 && p;
  }, SESSION_MS * 3, 50);
  const electedMs = Date.now() - t0;
  t.diagnostic(`kill -9 of leader ${victim.leader} → new leader ${after.leader} in ${electedMs} ms`);
  assert.ok(victim.isr.includes(after.leader), 'the new leader was in the ISR');
  assert.ok(!after.isrs.some((r) => r.id === victim.leader), 'the dead broker left the ISR');
  assert.ok(electedMs <= SESSION_MS + 1000, `elected within the session timeout (${electedMs} ms)`);
  assert.equal((await kcatMetadata(c.brokers.get(survivor)!.bootstrap)).brokers.length, 2, 'a dead broker is no longer listed');

  // kill -9 the controller: the last broker takes over and can create a topic.
  const [ctrl, last] = controller === victim.leader ? [survivor, survivor] : [controller, [1, 2, 3].find((n) => n !== controller && n !== victim.leader)!];
  if (ctrl !== last) {
    await c.kill(ctrl);
    await waitFor('a new controller', async () => (await kcatMetadata(c.brokers.get(last)!.bootstrap)).controllerid === last, SESSION_MS * 3);
  }
  assert.deepEqual(await admin(c.brokers.get(last)!.bootstrap, 'create', 'after-failover', '2', '1'), { ok: true });
  const fresh = (await kcatMetadata(c.brokers.get(last)!.bootstrap, 'after-failover')).topics[0].partitions;
  assert.deepEqual(fresh.map((p) => p.leader), [last, last], 'placed only on the live broker');

  // A killed broker restarts as a new incarnation and is listed again.
  await c.start(victim.leader);
  await waitFor('the restarted broker listed', async () => (await kcatMetadata(c.brokers.get(last)!.bootstrap)).brokers.length === 2);
});
