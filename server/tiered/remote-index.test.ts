import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from '@node-rs/crc32';
import { buildBatch } from '../log/record-batch.ts';
import { summarizeSegment, summarizeFile, lookupIndex, lookupTimeIndex, encodeTxnIndex } from './remote-index.ts';
import { RangeCache } from './range-cache.ts';

function segment(base: bigint, batches: number, perBatch: number, t0: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < batches; i++) {
    out.push(buildBatch(Array.from({ length: perBatch }, (_, j) => ({ value: Buffer.alloc(100, 97), timestamp: BigInt(t0 + i * 10 + j) })), { baseOffset: base + BigInt(i * perBatch) }));
  }
  return Buffer.concat(out);
}

test('uploaded indexes are built from the uploaded bytes, in Kafka formats', () => {
  const data = segment(1000n, 50, 10, 1_000_000);
  const s = summarizeSegment(data, 1000n, 4096);
  assert.equal(s.nextOffset, 1500n);
  assert.equal(s.validBytes, data.length);
  assert.equal(s.maxTimestamp, BigInt(1_000_000 + 49 * 10 + 9));
  assert.equal(s.index.length % 8, 0);
  assert.ok(s.index.length / 8 > 3 && s.index.length / 8 < 50, `${s.index.length / 8} sparse entries`);
  assert.equal(s.timeIndex.length % 12, 0);
  // Lookups land on a batch start at or before the offset.
  for (const o of [1000n, 1001n, 1250n, 1499n]) {
    const pos = lookupIndex(s.index, 1000n, o);
    const base = data.readBigInt64BE(pos);
    assert.ok(base <= o, `batch at ${pos} starts at ${base} <= ${o}`);
  }
  assert.equal(lookupIndex(s.index, 1000n, 999n), 0);
  assert.ok(lookupTimeIndex(s.timeIndex, 1000n, 1_000_250n) <= 1250n);
  assert.equal(lookupTimeIndex(s.timeIndex, 1000n, 0n), 1000n);
  // A torn tail is cut at the last whole batch.
  const torn = summarizeSegment(data.subarray(0, data.length - 5), 1000n, 4096);
  assert.equal(torn.nextOffset, 1490n);
  assert.equal(summarizeSegment(Buffer.alloc(0), 7n, 4096).nextOffset, 7n);
  assert.equal(encodeTxnIndex([{ producerId: 5n, firstOffset: 1n, lastOffset: 9n }], 10n).length, 34);
});

test('the range cache is an LRU bounded by bytes, and shares concurrent misses', async () => {
  const c = new RangeCache(250);
  let loads = 0;
  const load = (n: number) => async () => { loads++; await new Promise((r) => setTimeout(r, 5)); return Buffer.alloc(n); };
  const [x, y] = await Promise.all([c.get('a', load(100)), c.get('a', load(100))]);
  assert.equal(loads, 1, 'one GET for two readers');
  assert.equal(x, y);
  await c.get('b', load(100));
  await c.get('a', load(100)); // a is now most recently used
  await c.get('c', load(100)); // evicts b
  assert.equal(c.size, 200);
  const before = loads;
  await c.get('a', load(100));
  assert.equal(loads, before, 'a still cached');
  await c.get('b', load(100));
  assert.equal(loads, before + 1, 'b was evicted');
  c.invalidate('a');
  await c.get('a', load(100));
  assert.equal(loads, before + 2);
  await c.get('huge', load(1000));
  assert.ok(c.size <= 250, 'an entry larger than the cache is not kept');
});

test('summarizing a segment file in chunks gives the same indexes as in memory, with the CRC of its whole batches', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summarize-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = segment(500n, 40, 7, 2_000_000);
  for (const [name, bytes] of [['whole', data], ['torn', data.subarray(0, data.length - 100)], ['empty', Buffer.alloc(0)]] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    const mem = summarizeSegment(bytes, 500n, 2048);
    for (const chunk of [97, 1000, 4 << 20]) { // headers straddling chunks, batches larger than a chunk, one read
      const fh = await fsp.open(file, 'r');
      try {
        const f = await summarizeFile(fh, bytes.length, 500n, 2048, crc32, chunk);
        assert.deepEqual(f.index, mem.index, `${name}/${chunk} index`);
        assert.deepEqual(f.timeIndex, mem.timeIndex, `${name}/${chunk} time index`);
        assert.equal(f.nextOffset, mem.nextOffset);
        assert.equal(f.validBytes, mem.validBytes);
        assert.equal(f.crc, crc32(bytes.subarray(0, mem.validBytes)));
      } finally { await fh.close(); }
    }
  }
});
