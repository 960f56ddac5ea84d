// Task threads start whatever options the worker's process was started with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { newWorker } from './task-thread-host.ts';

test('newWorker: options Node refuses in a Worker (V8 heap flags) are left out, the others kept', async () => {
  const entry = new URL('data:text/javascript,import { parentPort } from "node:worker_threads"; parentPort.postMessage(process.execArgv);');
  // `node --max-old-space-size=… bin/tributary.mjs start`: the Worker constructor threw on it, failing every task thread
  for (let i = 0; i < 2; i++) {
    const w = newWorker(entry, { name: 'connect-task', execArgv: ['--max-old-space-size=512', '--no-deprecation', '--max-semi-space-size=32'] });
    const [argv] = await once(w, 'message');
    assert.deepEqual(argv, ['--no-deprecation']);
    await w.terminate();
  }
});
