import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign, roundRobinAssign } from './consumer-protocol.ts';
import { decodeConsumerAssignment } from './admin-assignment.ts';

test('consumer protocol: subscription and assignment bytes round-trip', () => {
  const s = decodeSubscription('m1', encodeSubscription(['a', 'b'], Buffer.from('ud')));
  assert.deepEqual(s, { memberId: 'm1', topics: ['a', 'b'], userData: Buffer.from('ud') });
  assert.deepEqual(decodeSubscription('m1', encodeSubscription(['a'])), { memberId: 'm1', topics: ['a'], userData: null });
  assert.equal(decodeSubscription('m1', Buffer.from([0, 0, 0, 0, 0, 9, 0])), null);
  assert.deepEqual(decodeConsumerAssignment(encodeAssignment([{ topic: 't', partitions: [2, 0] }])), [{ topic: 't', partitions: [0, 2] }]);
});

test('range assignor: consecutive ranges per topic, the first members get one more', () => {
  const members = [{ memberId: 'b', topics: ['t', 'u'], userData: null }, { memberId: 'a', topics: ['t'], userData: null }];
  const out = rangeAssign(members, new Map([['t', 5], ['u', 2]]));
  assert.deepEqual(out.get('a'), [{ topic: 't', partitions: [0, 1, 2] }]);
  assert.deepEqual(out.get('b'), [{ topic: 't', partitions: [3, 4] }, { topic: 'u', partitions: [0, 1] }]);
});

test('roundrobin assignor: partitions dealt in turn to the members subscribed to their topic', () => {
  const members = [{ memberId: 'a', topics: ['t'], userData: null }, { memberId: 'b', topics: ['t'], userData: null }, { memberId: 'c', topics: ['x'], userData: null }];
  const out = roundRobinAssign(members, new Map([['t', 4], ['x', 1]]));
  assert.deepEqual(out.get('a'), [{ topic: 't', partitions: [0, 2] }]);
  assert.deepEqual(out.get('b'), [{ topic: 't', partitions: [1, 3] }]);
  assert.deepEqual(out.get('c'), [{ topic: 'x', partitions: [0] }]);
});
