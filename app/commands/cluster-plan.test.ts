import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planBalance, parseKafkaPlan, toKafkaPlan } from './cluster-plan.ts';

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
