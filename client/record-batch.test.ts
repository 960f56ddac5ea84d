// The batch encoder against the library's batch reader (the one every internal reader
// uses) and Kafka's CRC32C, for every codec: keys and values as strings and buffers,
// nulls, headers (repeated keys kept), timestamps out of order and far apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '@node-rs/crc32';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { CODECS, ensureCodecs } from './codecs.ts';
import { encodeRecordBatch, RecordBatchBuilder, builtRecords, type BatchRecord } from './record-batch.ts';
import { murmur2 } from './murmur2.ts';

const records: BatchRecord[] = [
  { key: 'k1', value: 'héllo wörld', timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: 1_600_000_000_000 },
  { key: Buffer.alloc(0), value: null, timestamp: 1_800_000_000_000.7 },
  { value: 'x'.repeat(300), headers: [{ key: 'h', value: 'a' }, { key: 'h', value: null }, { key: 'ü', value: Buffer.from('b') }] },
  { key: 'k5', value: '', headers: { one: '1', two: Buffer.from('2') } },
];
const NOW = 1_750_000_000_123;

for (const codec of CODECS) {
  test(`encodeRecordBatch: ${codec} batch reads back record for record, CRC32C right`, async () => {
    await ensureCodecs();
    const buf = encodeRecordBatch(records, { producerId: 42n, producerEpoch: 3, baseSequence: 7, transactional: codec === 'gzip', codec, now: NOW });
    assert.equal(buf.readInt32BE(8), buf.length - 12, 'batch length');
    assert.equal(buf[16], 2, 'magic');
    assert.equal(buf.readUInt32BE(17), crc32c(buf.subarray(21)), 'crc32c over attributes..end');
    const b = readRecordsBatch(Reader.from(buf));
    assert.equal(b.attributes & 7, CODECS.indexOf(codec));
    assert.equal(!!(b.attributes & 0x10), codec === 'gzip', 'transactional bit');
    assert.equal(b.lastOffsetDelta, records.length - 1);
    assert.equal(b.producerId, 42n);
    assert.equal(b.producerEpoch, 3);
    assert.equal(b.firstSequence, 7);
    assert.equal(b.firstTimestamp, 1_700_000_000_000n);
    assert.equal(b.maxTimestamp, 1_800_000_000_000n);
    assert.equal(b.records.length, records.length);
    const ts = b.records.map((r) => Number(b.firstTimestamp + r.timestampDelta));
    assert.deepEqual(ts, [1_700_000_000_000, 1_600_000_000_000, 1_800_000_000_000, NOW, NOW]);
    assert.deepEqual(b.records.map((r) => r.offsetDelta), [0, 1, 2, 3, 4]);
    const str = (x: Buffer | null | undefined) => (x === null || x === undefined ? x : x.toString());
    assert.deepEqual(b.records.map((r) => str(r.key)), ['k1', null, '', null, 'k5']);
    assert.deepEqual(b.records.map((r) => r.value === null ? null : Buffer.from(r.value)), [Buffer.from('héllo wörld'), Buffer.from([0, 1, 2, 255]), null, Buffer.from('x'.repeat(300)), Buffer.alloc(0)]);
    assert.deepEqual(b.records[3].headers.map(([k, v]) => [str(k), str(v)]), [['h', 'a'], ['h', null], ['ü', 'b']]);
    assert.deepEqual(b.records[4].headers.map(([k, v]) => [str(k), str(v)]), [['one', '1'], ['two', '2']]);
    assert.deepEqual(b.records[0].headers, []);
  });
}

test('encodeRecordBatch: varints of every width (lengths around 2^7, 2^14, 2^21) read back', () => {
  const sizes = [0, 1, 63, 64, 127, 128, 8191, 8192, 16383, 16384, 1 << 20, (1 << 21) + 5];
  const recs = sizes.map((n, i) => ({ key: String(i), value: Buffer.alloc(n, i), timestamp: NOW + i * 1_000_000_007 }));
  const buf = encodeRecordBatch(recs, { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false, codec: 'none', now: NOW });
  const b = readRecordsBatch(Reader.from(buf));
  assert.deepEqual(b.records.map((r) => r.value.length), sizes);
  assert.deepEqual(b.records.map((r) => Number(r.timestampDelta)), sizes.map((_, i) => i * 1_000_000_007));
  assert.equal(b.producerId, -1n);
  assert.equal(b.firstSequence, -1);
  assert.throws(() => encodeRecordBatch([], { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false, codec: 'none', now: NOW }), /at least one record/);
});

test('RecordBatchBuilder: records appended one by one make the same bytes as encodeRecordBatch, for every codec', async () => {
  await ensureCodecs();
  // array headers and explicit timestamps (what the builder takes); a small first buffer so it grows several times
  const recs: BatchRecord[] = [
    ...records.map((r, i) => ({ ...r, headers: Array.isArray(r.headers) ? r.headers : r.headers ? Object.entries(r.headers).map(([key, value]) => ({ key, value })) : undefined, timestamp: r.timestamp ?? NOW + i })),
    ...Array.from({ length: 300 }, (_, i) => ({ key: `key-${i}`, value: Buffer.alloc(i * 7, i), timestamp: NOW - i * 1000 })),
  ];
  for (const codec of CODECS) {
    const b = new RecordBatchBuilder(100);
    for (const r of recs) b.append(r.key, r.value, r.timestamp!, r.headers as { key: string; value: Buffer | string | null }[] | undefined);
    assert.equal(b.count, recs.length);
    const o = { producerId: 9n, producerEpoch: 1, baseSequence: 40, transactional: true, codec, now: NOW };
    assert.deepEqual(b.finish(o), encodeRecordBatch(recs, o), codec);
  }
  const b = new RecordBatchBuilder(100);
  for (const r of recs) b.append(r.key, r.value, r.timestamp!, r.headers as { key: string; value: Buffer | string | null }[] | undefined);
  const buf = (x: unknown) => (x === null || x === undefined ? null : Buffer.from(x as string));
  assert.deepEqual(builtRecords(b), recs.map((r) => ({ key: buf(r.key), value: buf(r.value), timestamp: Math.trunc(r.timestamp!), headers: ((r.headers ?? []) as { key: string; value: Buffer | string | null }[]).map((h) => ({ key: h.key, value: buf(h.value) })) })), 'read back');
  assert.throws(() => new RecordBatchBuilder().finish({ producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false, codec: 'none', now: NOW }), /at least one record/);
});

test('RecordBatchBuilder.reset: a builder filled again after a batch makes the bytes a new one makes, in the same buffer', () => {
  const o = { producerId: 9n, producerEpoch: 1, baseSequence: 40, transactional: false, codec: 'none' as const, now: NOW };
  const b = new RecordBatchBuilder(64 * 1024);
  // a first batch with more, larger and later records than the second (nothing of it may show through)
  for (let i = 0; i < 50; i++) b.append(`first-${i}`, 'y'.repeat(500), NOW + 5000 + i, [{ key: 'h', value: 'v' }]);
  const capacity = b.capacity;
  b.finish(o);
  assert.equal(b.reset(), b);
  assert.equal(b.count, 0);
  assert.equal(b.capacity, capacity, 'the buffer is kept');
  const second: BatchRecord[] = [{ key: 'a', value: 'x', timestamp: NOW - 10 }, { key: null, value: 'zz', timestamp: NOW }];
  for (const r of second) b.append(r.key, r.value, r.timestamp!);
  assert.deepEqual(b.finish(o), encodeRecordBatch(second, o));
});

test('RecordBatchBuilder.appendFrom: keys and values as ranges of one reused buffer make the bytes append makes; murmur2 of a range is murmur2 of its copy', () => {
  const recs: { key: Buffer | null; value: Buffer | null; headers?: { key: string; value: Buffer | string | null }[] }[] = [
    { key: Buffer.from('k1'), value: Buffer.from('{"a":1}') },
    { key: null, value: Buffer.from('no key') },
    { key: Buffer.from('tomb'), value: null },
    { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'h', value: 'v' }, { key: 'n', value: null }] },
    ...Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(i * 41, i) })),
  ];
  const a = new RecordBatchBuilder(100), b = new RecordBatchBuilder(100);
  const scratch = Buffer.alloc(4096, 0xee);
  recs.forEach((r, i) => {
    a.append(r.key, r.value, NOW + i, r.headers);
    // the key and value somewhere in the middle of the shared buffer, other bytes around them
    let pos = 7 + i;
    const ks = r.key ? pos : -1;
    if (r.key) pos += r.key.copy(scratch, pos);
    const ke = pos;
    pos += 3;
    const vs = r.value ? pos : -1;
    if (r.value) pos += r.value.copy(scratch, pos);
    b.appendFrom(scratch, ks, ke, vs, pos, NOW + i, r.headers);
    if (r.key) assert.equal(murmur2(scratch, ks, ke), murmur2(Buffer.from(r.key)));
  });
  const o = { producerId: 1n, producerEpoch: 0, baseSequence: 0, transactional: false, codec: 'none' as const, now: NOW };
  assert.deepEqual(b.finish(o), a.finish(o));
});

