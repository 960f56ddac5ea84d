import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planBalance, parseKafkaPlan, planThrottles, toKafkaPlan } from './cluster-plan.ts';

const b = (...ids: number[]) => ids.map((nodeId) => ({ nodeId, rack: null }));
const parts = (n: number, rf: number, brokers: number[]) => Array.from({ length: n }, (_, i) => ({ topic: 't', partition: i, replicas: Array.from({ length: rf }, (_, k) => brokers[(i + k) % brokers.length]) }));

test('a new broker gets its share of replicas and preferred leaders, with few moves', () => {
  const plan = planBalance(b(1, 2, 3, 4), parts(12, 3, [1, 2, 3]));
  const after = plan.after;
  assert.deepEqual([...after.values()].map((x) => x.replicas), [9, 9, 9, 9]);
  assert.deepEqual([...after.values()].map((x) => x.leaders), [3, 3, 3, 3]);
  assert.ok(plan.moves.length <= 12);
  for (const m of plan.moves) assert.equal(new Set(m.replicas).size, 3);
  // already balanced: nothing to do
  assert.equal(planBalance(b(1, 2, 3), parts(6, 2, [1, 2, 3])).moves.length, 0);
});

test('--drain empties a broker; too few brokers left is an error', () => {
  const plan = planBalance(b(1, 2, 3, 4), parts(8, 2, [1, 2, 3, 4]), [4]);
  assert.equal(plan.after.get(4)?.replicas ?? 0, 0);
  for (const m of plan.moves) assert.ok(!m.replicas.includes(4));
  assert.equal([...plan.after.values()].reduce((s, x) => s + x.replicas, 0), 16);
  assert.throws(() => planBalance(b(1, 2), parts(2, 2, [1, 2]), [2]), /only 1 broker/);
});

test('racks: a move keeps a partition on distinct racks', () => {
  const brokers = [{ nodeId: 1, rack: 'a' }, { nodeId: 2, rack: 'b' }, { nodeId: 3, rack: 'a' }, { nodeId: 4, rack: 'b' }];
  const plan = planBalance(brokers, parts(4, 2, [1, 2]).map((p) => ({ ...p, replicas: p.partition % 2 ? [2, 1] : [1, 2] })));
  const rack = (id: number) => brokers.find((x) => x.nodeId === id)!.rack;
  for (const m of plan.moves) assert.equal(new Set(m.replicas.map(rack)).size, 2, `${m.replicas}`);
  assert.deepEqual([...plan.after.values()].map((x) => x.replicas), [2, 2, 2, 2]);
});

test('Kafka\'s reassignment JSON round-trips; a bad plan names its fault', () => {
  const moves = [{ topic: 'a', partition: 0, replicas: [2, 1] }];
  assert.deepEqual(parseKafkaPlan(JSON.stringify(toKafkaPlan(moves)), 'p.json'), moves);
  assert.throws(() => parseKafkaPlan('{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}', 'p.json'), /p.json: partitions\[0\]: "replicas" lists a broker twice/);
  assert.throws(() => parseKafkaPlan('[]', 'p.json'), /expected \{"version":1/);
  assert.throws(() => parseKafkaPlan('{"partitions":[{"topic":"a","partition":-1,"replicas":[1]}]}', 'p.json'), /"partition" must be/);
});

test('--throttle: leader side on the current replicas, follower side on the added ones, rates on all of them', () => {
  const current = new Map([['t-0', [1, 2, 3]], ['t-1', [4, 5, 6]], ['t-2', [1, 2]], ['u-0', [2, 3, 4]]]);
  const plan = planThrottles([
    { topic: 't', partition: 0, replicas: [5] },
    { topic: 't', partition: 1, replicas: [4, 7, 8] },
    { topic: 't', partition: 2, replicas: [2, 1] }, // a reorder copies nothing
    { topic: 'u', partition: 0, replicas: [1, 3, 4] },
  ], current);
  assert.deepEqual(Object.fromEntries(plan.leader), { t: '0:1,0:2,0:3,1:4,1:5,1:6', u: '0:2,0:3,0:4' });
  assert.deepEqual(Object.fromEntries(plan.follower), { t: '0:5,1:7,1:8', u: '0:1' });
  assert.deepEqual(plan.brokers, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(planThrottles([{ topic: 't', partition: 2, replicas: [2, 1] }], current).brokers.length, 0);
});
