// The worker keeps one task thread loaded by default (task.thread.spares=1), and a spare a
// task took is replaced a little after that task has started (ThreadTaskRunner.start → replenishSoon).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKER_CONFIG } from '../config.ts';
import { TaskThreadPool } from './task-thread-host.ts';

test('task.thread.spares is 1 by default, and the pool tops its spares up again after a take, never beyond them', async (t) => {
  assert.equal(WORKER_CONFIG.parse({})['task.thread.spares'], 1);
  const pool = new TaskThreadPool(1);
  t.after(() => pool.close());
  await pool.start();
  assert.equal(pool.spareCount, 1);
  const w = pool.take();
  t.after(() => w.terminate());
  assert.equal(pool.spareCount, 0);
  pool.replenish();
  assert.equal(pool.spareCount, 1);
  pool.replenish();
  assert.equal(pool.spareCount, 1);
  // after a task started on a spare: the replacement loads a little later, not beside the task's first work
  const w2 = pool.take();
  t.after(() => w2.terminate());
  pool.replenishSoon(200);
  pool.replenishSoon(200);
  assert.equal(pool.spareCount, 0, 'not at once');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(pool.spareCount, 1, 'once, after the delay');
  const none = new TaskThreadPool(0);
  t.after(() => none.close());
  await none.start();
  none.replenish();
  assert.equal(none.spareCount, 0, 'task.thread.spares=0 keeps none');
});
