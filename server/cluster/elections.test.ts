import { test } from 'node:test';
import assert from 'node:assert/strict';
import { electOnBrokerChange, electPreferred, settledFirst } from './elections.ts';
import type { PartitionState } from './cluster-view.ts';

const state = (leader: number, replicas: number[], isr: number[]): PartitionState => ({
  topic: 't', partition: 0, leader, leaderEpoch: 4, partitionEpoch: 9, replicas, isr, addingReplicas: [], removingReplicas: [],
});
const aliveOnly = (...ids: number[]) => (id: number) => ids.includes(id);

test('a dead leader is replaced by the first in-sync replica in preferred order, with a new leader epoch', () => {
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2, 3], [1, 3, 2]), aliveOnly(2, 3), false), { leader: 2, isr: [3, 2], bumpLeaderEpoch: true });
  // an out-of-sync replica is never chosen while unclean election is off
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2, 3], [1, 3]), aliveOnly(2, 3), false), { leader: 3, isr: [3], bumpLeaderEpoch: true });
});

test('a dead follower only leaves the ISR; nothing changes when all are alive', () => {
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2, 3], [1, 2, 3]), aliveOnly(1, 2), false), { leader: 1, isr: [1, 2], bumpLeaderEpoch: false });
  assert.equal(electOnBrokerChange(state(1, [1, 2, 3], [1, 2, 3]), aliveOnly(1, 2, 3), false), null);
});

test('no live ISR member: offline keeping the last ISR, or an unclean leader when allowed', () => {
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2], [1]), aliveOnly(2), false), { leader: -1, isr: [1], bumpLeaderEpoch: true });
  assert.equal(electOnBrokerChange(state(-1, [1, 2], [1]), aliveOnly(2), false), null, 'stays offline without another write');
  assert.deepEqual(electOnBrokerChange(state(-1, [1, 2], [1]), aliveOnly(1, 2), false), { leader: 1, isr: [1], bumpLeaderEpoch: true }, 'the ISR member returns');
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2], [1]), aliveOnly(2), true), { leader: 2, isr: [2], bumpLeaderEpoch: true, unclean: true });
});

test('preferred-leader election moves leadership back only to an in-sync preferred replica', () => {
  assert.deepEqual(electPreferred(state(2, [1, 2], [2, 1]), aliveOnly(1, 2)), { leader: 1, isr: [2, 1], bumpLeaderEpoch: true });
  assert.equal(electPreferred(state(2, [1, 2], [2]), aliveOnly(1, 2)), null);
  assert.equal(electPreferred(state(1, [1, 2], [1, 2]), aliveOnly(1, 2)), null);
});

test('reassignment (KIP-455): add, wait for the ISR, then drop the removed replicas and move leadership', async () => {
  const { startReassignment, finishReassignment, cancelReassignment } = await import('./elections.ts');
  const all = aliveOnly(1, 2, 3, 4);
  const s = state(1, [1, 2], [1, 2]);
  const d = startReassignment(s, [3, 4], all);
  assert.deepEqual([d.replicas, d.adding, d.removing, d.leader, d.isr], [[3, 4, 1, 2], [3, 4], [1, 2], 1, [1, 2]]);
  const moving = { ...s, replicas: d.replicas!, addingReplicas: d.adding!, removingReplicas: d.removing! };
  assert.equal(finishReassignment({ ...moving, isr: [1, 2, 3] }, all), null, 'replica 4 has not caught up');
  assert.deepEqual(finishReassignment({ ...moving, isr: [1, 2, 3, 4] }, all), { leader: 3, isr: [3, 4], bumpLeaderEpoch: true, replicas: [3, 4], adding: [], removing: [] });
  assert.deepEqual(cancelReassignment({ ...moving, isr: [1, 2, 3] }, all), { leader: 1, isr: [1, 2], bumpLeaderEpoch: false, replicas: [1, 2], adding: [], removing: [] });
  // nothing to add: a shrink or reorder completes at once
  const shrink = startReassignment(state(1, [1, 2, 3], [1, 2, 3]), [2, 3], all);
  assert.deepEqual([shrink.replicas, shrink.adding, shrink.leader, shrink.isr, shrink.bumpLeaderEpoch], [[2, 3], [], 2, [2, 3], true]);
});

test('controlled shutdown: a leader with nobody in sync to take over keeps leading until it stops', () => {
  const stopping = (id: number) => id === 1;
  assert.equal(electOnBrokerChange(state(1, [1, 2], [1]), aliveOnly(2), false, stopping), null);
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2], [1, 2]), aliveOnly(2), false, stopping), { leader: 2, isr: [2], bumpLeaderEpoch: true });
  assert.deepEqual(electOnBrokerChange(state(1, [1, 2, 3], [1, 3]), aliveOnly(2), false, stopping), { leader: 1, isr: [1], bumpLeaderEpoch: false }, 'a dead follower still leaves the ISR');
});

test('a broker restarted moments ago leads after a failure only when no settled in-sync replica is left (clients still back off from it)', () => {
  const now = 100_000;
  const up = new Map([[1, now - 2_000], [2, now - 60_000], [3, now - 5_000], [4, now - 30_000]]);
  const order = settledFirst((id) => up.get(id), now, 10_000);
  assert.deepEqual(order([1, 2, 3, 4]), [2, 4, 3, 1], 'settled in preferred order, then the recent ones longest-up first');
  assert.deepEqual(order([1, 3]), [3, 1]);
  assert.deepEqual(order([]), []);
  // leader 2 dies; 1 (preferred, restarted 2 s ago) and 4 (up 30 s) are in sync: 4 leads
  assert.deepEqual(electOnBrokerChange(state(2, [1, 2, 4], [2, 1, 4]), aliveOnly(1, 4), false, () => false, order), { leader: 4, isr: [1, 4], bumpLeaderEpoch: true });
  // only recently restarted ones in sync: the one up longest (3) leads
  assert.deepEqual(electOnBrokerChange(state(2, [1, 2, 3], [2, 1, 3]), aliveOnly(1, 3), false, () => false, order), { leader: 3, isr: [1, 3], bumpLeaderEpoch: true });
  // without an order: Kafka's preferred order
  assert.deepEqual(electOnBrokerChange(state(2, [1, 2, 4], [2, 1, 4]), aliveOnly(1, 4), false), { leader: 1, isr: [1, 4], bumpLeaderEpoch: true });
});
