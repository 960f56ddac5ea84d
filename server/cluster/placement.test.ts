import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeReplicas, rackAlternated, checkAssignment } from './placement.ts';
import { KafkaError } from '../errors.ts';

const ids = (n: number, rack?: (i: number) => string) => Array.from({ length: n }, (_, i) => ({ nodeId: i + 1, rack: rack ? rack(i) : null }));

test('replicas spread evenly: distinct brokers per partition, leaders round-robin, equal replica counts', () => {
  const a = placeReplicas(ids(3), 6, 3);
  for (const r of a) assert.equal(new Set(r).size, 3);
  const leaders = a.map((r) => r[0]);
  assert.deepEqual(leaders.slice(0, 3).sort(), [1, 2, 3]);
  const count = new Map<number, number>();
  for (const r of placeReplicas(ids(4), 8, 2)) for (const b of r) count.set(b, (count.get(b) ?? 0) + 1);
  assert.deepEqual([...count.values()], [4, 4, 4, 4]);
  // followers shift so the same pair does not always travel together
  const pairs = new Set(placeReplicas(ids(4), 8, 2).map((r) => r.join(',')));
  assert.ok(pairs.size > 4);
});

test('rack-aware: every partition spans as many racks as it can', () => {
  const racks = ids(6, (i) => ['r1', 'r1', 'r2', 'r2', 'r3', 'r3'][i]);
  assert.deepEqual(rackAlternated(racks).map((b) => b.rack), ['r1', 'r2', 'r3', 'r1', 'r2', 'r3']);
  const rackOf = new Map(racks.map((b) => [b.nodeId, b.rack]));
  for (const r of placeReplicas(racks, 12, 3, 0, 1)) assert.equal(new Set(r.map((b) => rackOf.get(b))).size, 3, `partition ${r} spans three racks`);
  // two racks, RF 3: both racks used, no broker twice
  const two = ids(4, (i) => (i < 2 ? 'a' : 'b'));
  for (const r of placeReplicas(two, 4, 3)) { assert.equal(new Set(r).size, 3); assert.equal(new Set(r.map((b) => two[b - 1].rack)).size, 2); }
});

test('bad requests are refused with Kafka\'s errors', () => {
  assert.throws(() => placeReplicas(ids(2), 1, 3), (e: KafkaError) => e.errorName === 'INVALID_REPLICATION_FACTOR' && /larger than available brokers: 2/.test(e.message));
  assert.throws(() => placeReplicas([{ nodeId: 1, rack: 'a' }, { nodeId: 2, rack: null }], 1, 2), /broker.rack/);
  assert.throws(() => checkAssignment([[1, 1]], new Set([1, 2])), (e: KafkaError) => e.errorName === 'INVALID_REPLICA_ASSIGNMENT');
  assert.throws(() => checkAssignment([[1, 9]], new Set([1, 2])), /unknown broker\(s\) 9/);
  assert.throws(() => checkAssignment([[1, 2], [1]], new Set([1, 2]), 2), /same replication factor/);
  checkAssignment([[2, 1], [1, 2]], new Set([1, 2]), 2);
});
