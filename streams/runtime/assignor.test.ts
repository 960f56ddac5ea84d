import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignTasks, partitionsOf } from './assignor.ts';

const subs = [{ subtopology: 0, partitions: 4, topics: ['in'] }, { subtopology: 1, partitions: 4, topics: ['app-x-repartition'] }];

test('tasks of one partition stay together and spread evenly', () => {
  const a = assignTasks([{ memberId: 'b', previousTasks: [] }, { memberId: 'a', previousTasks: [] }], subs);
  assert.deepEqual(a.get('a'), ['0_0', '0_2', '1_0', '1_2']);
  assert.deepEqual(a.get('b'), ['0_1', '0_3', '1_1', '1_3']);
  assert.deepEqual(partitionsOf(a.get('a')!, subs), [{ topic: 'in', partitions: [0, 2] }, { topic: 'app-x-repartition', partitions: [0, 2] }]);
});

test('sticky: a member keeps its previous partitions while balanced; a lone member gets all', () => {
  const a = assignTasks([{ memberId: 'a', previousTasks: ['0_3', '1_3', '0_2'] }, { memberId: 'b', previousTasks: [] }], subs);
  assert.deepEqual(a.get('a'), ['0_2', '0_3', '1_2', '1_3']);
  assert.deepEqual(assignTasks([{ memberId: 'x', previousTasks: [] }], subs).get('x')!.length, 8);
});
