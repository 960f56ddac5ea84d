import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionFor } from './murmur2.ts';

test('murmur2 matches Java Kafka Utils.murmur2 on known vectors', () => {
  // vectors from Kafka's UtilsTest.testMurmur2
  const cases: Array<[string, number]> = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536], ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]];
  for (const [s, h] of cases) assert.equal(murmur2(Buffer.from(s)), h, s);
  assert.ok(partitionFor(Buffer.from('foobar'), 6) >= 0);
});

test('a sink keying by a plain ASCII string hashes its char codes: the same partition as its UTF-8 bytes', async () => {
  const { murmur2Ascii } = await import('./task.ts');
  for (let len = 0; len <= 100; len++) {
    const s = Array.from({ length: len }, (_, i) => String.fromCharCode((i * 37 + len) % 128)).join('');
    assert.equal(murmur2Ascii(s), murmur2(Buffer.from(s, 'utf8')), `length ${len}`);
  }
});
