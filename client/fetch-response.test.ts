// The consumer's batch walker and record decoder over batches our encoder wrote (the
// encoder is checked against the library's reader in record-batch.test.ts): every codec,
// a batch cut short at the end of a fetch, records before the wanted offset skipped, and
// an answer read in the pieces a socket may deliver it in, cut anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODECS, ensureCodecs } from './codecs.ts';
import { encodeRecordBatch } from './record-batch.ts';
import { decodeRecords, forEachBatch, parseFetchResponse, type BatchHeader } from './fetch-response.ts';

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

test('decodeRecords: a compressed batch with no payload bytes at the end of the answer fails in its codec, not in the reading', async () => {
  await ensureCodecs();
  const b = Buffer.from(stored(0, ['x'], 'none').subarray(0, 61)); // the header alone
  b.writeInt32BE(49, 8); // a length that ends at the header
  b.writeInt16BE(1, 21); // gzip, and nothing to decompress
  forEachBatch(b, (h) => {
    assert.equal(h.end, h.start);
    assert.throws(() => decodeRecords([b], h, 0, () => undefined), (e: Error) => !(e instanceof TypeError));
  });
});

/** Every record of `records` (one buffer or its pieces) as plain values. */
function decodeAll(records: Buffer | Buffer[], from = 0): unknown[] {
  const got: unknown[] = [];
  forEachBatch(records, (h) => decodeRecords(records, h, from, (offset, timestamp, key, value, hs) => got.push([offset, timestamp - NOW, key?.toString() ?? null, value?.toString() ?? null, hs.map((x) => [x.key, x.value?.toString() ?? null])])));
  return got;
}

/** `buf` cut at `cuts` (ascending positions). */
const cut = (buf: Buffer, cuts: number[]): Buffer[] => [0, ...cuts].map((at, i) => buf.subarray(at, cuts[i] ?? buf.length));

for (const codec of CODECS) {
  test(`decodeRecords: ${codec} batches in pieces cut at every position give the same records`, async () => {
    await ensureCodecs();
    const long = 'x'.repeat(200);
    const buf = Buffer.concat([stored(0, ['a0', null, long, 'a3'], codec, { headers: true }), stored(4, [long, 'b1'], codec), stored(6, ['c0'], codec)]);
    const whole = decodeAll(buf, 1);
    assert.equal(whole.length, 6);
    for (let at = 1; at < buf.length; at++) assert.deepEqual(decodeAll(cut(buf, [at]), 1), whole, `cut at ${at}`);
    // many small pieces (a record, a varint, a batch header across several)
    for (const size of [1, 3, 7, 64]) {
      const cuts: number[] = [];
      for (let at = size; at < buf.length; at += size) cuts.push(at);
      assert.deepEqual(decodeAll(cut(buf, cuts), 1), whole, `pieces of ${size}`);
    }
  });
}

test('parseFetchResponse reads an answer in pieces cut anywhere as it reads it whole', () => {
  const records = Buffer.concat([stored(10, ['a0', 'a1'], 'none', { headers: true }), stored(12, ['b0'], 'none')]);
  const uvarint = (n: number) => { const out: number[] = []; while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7; } out.push(n); return Buffer.from(out); };
  const i16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
  const i32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  const i64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };
  const partition = (index: number, recs: Buffer | null, aborted: [bigint, bigint][] = []) => Buffer.concat([
    i32(index), i16(0), i64(14n), i64(13n), i64(2n),
    uvarint(aborted.length + 1), ...aborted.map(([pid, first]) => Buffer.concat([i64(pid), i64(first), uvarint(0)])),
    i32(-1), uvarint(recs ? recs.length + 1 : 0), recs ?? Buffer.alloc(0), uvarint(0),
  ]);
  const body = Buffer.concat([
    i32(0), i16(0), i32(0), uvarint(2),
    Buffer.from('00112233445566778899aabbccddeeff', 'hex'), uvarint(3), partition(0, records, [[7n, 11n]]), partition(1, null), uvarint(0),
    uvarint(0),
  ]);
  const read = (pieces: Buffer[]) => {
    const reader = { buffer: { buffers: pieces }, position: 0 };
    const res = parseFetchResponse(1, 1, 16, reader);
    assert.equal(reader.position, body.length);
    return res.responses.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.highWatermark, p.lastStableOffset, p.logStartOffset, p.abortedTransactions, p.records ? decodeAll(p.records) : null])]);
  };
  const whole = read([body]);
  assert.deepEqual(whole, [['00112233-4455-6677-8899-aabbccddeeff', [
    [0, 14, 13, 2, [{ producerId: 7n, firstOffset: 11n }], [[10, 0, null, 'a0', [['h', 'v0'], ['n', null]]], [11, 1, 'k1', 'a1', [['h', 'v1'], ['n', null]]], [12, 0, null, 'b0', []]]],
    [1, 14, 13, 2, [], null],
  ]]]);
  for (let at = 1; at < body.length; at++) assert.deepEqual(read(cut(body, [at])), whole, `cut at ${at}`);
  for (let at = 1; at + 5 < body.length; at += 2) assert.deepEqual(read(cut(body, [at, at + 5])), whole, `cut at ${at} and ${at + 5}`);
  assert.throws(() => read([body.subarray(0, body.length - 1)]), RangeError);
});
