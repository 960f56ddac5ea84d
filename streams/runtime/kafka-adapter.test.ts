import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slices } from './kafka-adapter.ts';

test('large sends are sliced below the broker\'s max.message.bytes, order kept', () => {
  const recs = Array.from({ length: 3000 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(1000, i % 256) }));
  const parts = slices(recs);
  assert.ok(parts.length >= 6);
  for (const p of parts) assert.ok(p.reduce((n, r) => n + r.key.length + r.value.length, 0) <= 512 * 1024);
  assert.deepEqual(parts.flat(), recs);
  assert.equal(slices([{ key: null, value: Buffer.alloc(2 << 20) }]).length, 1, 'one oversized record is its own slice');
});
