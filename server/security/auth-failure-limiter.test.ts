import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthFailureLimiter } from './auth-failure-limiter.ts';

test('failures from one address grow its delay and then block it; other addresses are unaffected; the block ends with the window', () => {
  let now = 1_000;
  const l = new AuthFailureLimiter({ limit: 3, windowMs: 10_000, baseDelayMs: 100, maxDelayMs: 350 }, () => now);
  assert.equal(l.failed('10.0.0.1'), 100);
  assert.equal(l.failed('10.0.0.1'), 200);
  assert.equal(l.blocked('10.0.0.1'), false);
  assert.equal(l.failed('10.0.0.1'), 350, 'capped');
  assert.equal(l.blocked('10.0.0.1'), true);
  assert.equal(l.blocked('10.0.0.2'), false);
  assert.equal(l.failed('10.0.0.2'), 100);
  now += 10_001;
  assert.equal(l.blocked('10.0.0.1'), false);
  assert.equal(l.count('10.0.0.1'), 0);
});

test('limit 0 never blocks; base delay 0 never delays', () => {
  const l = new AuthFailureLimiter({ limit: 0, windowMs: 1000, baseDelayMs: 0, maxDelayMs: 1000 });
  for (let i = 0; i < 100; i++) assert.equal(l.failed('h'), 0);
  assert.equal(l.blocked('h'), false);
});
