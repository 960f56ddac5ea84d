// The consumer's batch walker and record decoder over batches our encoder wrote (the
// encoder is checked against the library's reader in record-batch.test.ts): every codec,
// a batch cut short at the end of a fetch, records before the wanted offset skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODECS, ensureCodecs } from './codecs.ts';
import { encodeRecordBatch } from './record-batch.ts';
import { decodeRecords, forEachBatch, type BatchHeader } from './fetch-response.ts';

const NOW = 1_750_000_000_000;

/** A batch as the broker serves it: base offset set. */
function stored(baseOffset: number, values: (string | null)[], codec: (typeof CODECS)[number], extra: { headers?: boolean } = {}): Buffer {
  const b = encodeRecordBatch(values.map((value, i) => ({ key: i % 2 ? `k${i}` : null, value, timestamp: NOW + i, ...(extra.headers ? { headers: [{ key: 'h', value: `v${i}` }, { key: 'n', value: null }] } : {}) })), { producerId: 9n, producerEpoch: 0, baseSequence: 0, transactional: false, codec, now: NOW });
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  return b;
}

for (const codec of CODECS) {
  test(`forEachBatch + decodeRecords: ${codec} batches back to records, a cut batch left out`, async () => {
    await ensureCodecs();
    const a = stored(100, ['a0', null, 'a2'], codec);
    const b = stored(103, ['b0', 'b1'], codec, { headers: true });
    const c = stored(105, ['c0'], codec);
    const buf = Buffer.concat([a, b, c.subarray(0, c.length - 3)]);
    const headers: BatchHeader[] = [];
    const got: unknown[] = [];
    forEachBatch(buf, (h) => {
      headers.push(h);
      decodeRecords(buf, h, 101, (offset, timestamp, key, value, hs) => got.push([offset, timestamp - NOW, key?.toString() ?? null, value?.toString() ?? null, hs.map((x) => [x.key, x.value?.toString() ?? null])]));
    });
    assert.deepEqual(headers.map((h) => [h.baseOffset, h.lastOffsetDelta, h.count, h.producerId, h.attributes & 7]), [[100, 2, 3, 9n, CODECS.indexOf(codec)], [103, 1, 2, 9n, CODECS.indexOf(codec)]]);
    assert.deepEqual(got, [
      [101, 1, 'k1', null, []],
      [102, 2, null, 'a2', []],
      [103, 0, null, 'b0', [['h', 'v0'], ['n', null]]],
      [104, 1, 'k1', 'b1', [['h', 'v1'], ['n', null]]],
    ]);
  });
}

test('forEachBatch refuses a batch of an older message format by name', () => {
  const b = stored(0, ['x'], 'none');
  b[16] = 1;
  assert.throws(() => forEachBatch(b, () => undefined), /magic 1 .* not supported/);
  // a length that would not move past the header (a corrupt answer) fails instead of looping
  const c = stored(0, ['x'], 'none');
  c.writeInt32BE(-12, 8);
  assert.throws(() => forEachBatch(c, () => undefined), /length of -12 bytes/);
});
