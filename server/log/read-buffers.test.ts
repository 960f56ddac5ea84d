import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadBufferPool } from './read-buffers.ts';

test('a released read buffer is handed out again, once, and only for its size class', () => {
  const pool = new ReadBufferPool(8 << 20);
  const a = pool.acquire(1 << 20)!;
  assert.equal(a.length, 1 << 20);
  const b = pool.acquire((1 << 20) + 1)!; // next class up
  assert.equal(b.length, 2 << 20);
  pool.release(a);
  pool.release(a); // a second release of the same buffer must not queue it twice
  assert.equal(pool.idleBytes, 1 << 20);
  const c = pool.acquire(700_000)!;
  assert.equal(c, a);
  const d = pool.acquire(700_000)!;
  assert.notEqual(d, a, 'a buffer in use is never handed out twice');
  pool.release(Buffer.alloc(1 << 20)); // not from this pool: ignored
  assert.equal(pool.idleBytes, 0);
});

test('small and huge reads are not pooled, and the pool keeps at most its byte cap idle', () => {
  const pool = new ReadBufferPool(3 << 20);
  assert.equal(pool.acquire(4096), null);
  assert.equal(pool.acquire(64 << 20), null);
  const bufs = [1, 2, 3, 4].map(() => pool.acquire(1 << 20)!);
  for (const x of bufs) pool.release(x);
  assert.equal(pool.idleBytes, 3 << 20);
});
