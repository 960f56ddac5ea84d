import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, quotas, type ClusterView, type LeaseView } from './balance.ts';

const lease = (instance: string, generation = 1): LeaseView => ({ instance, generation, expires: 1e15 });
const view = (members: string[], leases: Record<string, string>): ClusterView => ({ now: 0, members, leases: new Map(Object.entries(leases).map(([u, m]) => [u, lease(m)])) });
const units = (n: number) => new Set(Array.from({ length: n }, (_, i) => `u${i}`));

test('quotas: floor share, the extra units stay with those already holding most', () => {
  const q = quotas(['a', 'b', 'c'], new Map([['a', 1], ['b', 3], ['c', 2]]), 7);
  assert.deepEqual([q.get('a'), q.get('b'), q.get('c')], [2, 3, 2]);
  assert.equal([...q.values()].reduce((x, y) => x + y, 0), 7);
});

test('a new member takes free units up to its share; holders keep theirs', () => {
  const v = view(['a', 'b'], { u0: 'a', u1: 'a', u2: 'b', u3: 'b' });
  assert.deepEqual(plan('a', v, units(4), ['u0', 'u1']).release, []);
  const joined = view(['a', 'b', 'c'], { u0: 'a', u1: 'a', u2: 'b', u3: 'b' });
  // 4 over 3: one of a/b gives one unit (b: ties broken by id, a keeps its extra)
  assert.deepEqual(plan('a', joined, units(4), ['u0', 'u1']).release, []);
  assert.deepEqual(plan('b', joined, units(4), ['u2', 'u3']).release, ['u3']);
  const c = plan('c', view(['a', 'b', 'c'], { u0: 'a', u1: 'a', u2: 'b' }), units(4), []);
  assert.equal(c.acquire, 1);
  assert.deepEqual(c.candidates, ['u3']);
});

test('units of a dead member are taken only after its lease is gone', () => {
  const stillLeased = view(['a'], { u0: 'a', u1: 'dead' });
  const p = plan('a', stillLeased, units(2), ['u0']);
  assert.deepEqual(p.candidates, []);
  const expired = view(['a'], { u0: 'a' });
  assert.deepEqual(plan('a', expired, units(2), ['u0']).candidates, ['u1']);
});

test('units no longer configured are released, others untouched', () => {
  const p = plan('a', view(['a', 'b'], { u0: 'a', u1: 'a', u2: 'b' }), new Set(['u0', 'u2']), ['u0', 'u1']);
  assert.deepEqual(p.release, ['u1']);
});

test('no release when nobody is under quota (views disagree)', () => {
  // b holds units a does not know about: a is over its share but b is full
  const p = plan('a', view(['a', 'b'], { u0: 'a', u1: 'a', u2: 'a', x: 'b', y: 'b', z: 'b' }), new Set(['u0', 'u1', 'u2']), ['u0', 'u1', 'u2']);
  assert.deepEqual(p.release, []);
});

test('100 connectors × 4 tasks over 3 members converges to 134/133/133 in one round', () => {
  const all = units(400);
  const v = view(['a', 'b', 'c'], {});
  const shares = ['a', 'b', 'c'].map((m) => plan(m, v, all, []).acquire);
  assert.deepEqual(shares.sort(), [133, 133, 134]);
});
