import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBatch, checkUncompressedRecords, validateBatches, InvalidRecordError, rewriteCrc, BATCH_HEADER_SIZE, OFF_ATTRIBUTES, OFF_RECORD_COUNT } from './record-batch.ts';

// The messages are those checkUncompressedRecords gave before its walk lost its per-call closures.
const R0 = BATCH_HEADER_SIZE; // the first record's length varint
const redoCrc = (b: Buffer, edit: (b: Buffer) => void) => { edit(b); rewriteCrc(b, 0, b.length); return b; };
/** three records: key, value and a header; no key; no value (timestamp delta 100,000: a 3-byte varlong) */
const three = (edit: (b: Buffer) => void = () => {}) => redoCrc(buildBatch([
  { key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1000n },
  { key: null, value: Buffer.alloc(200, 1), timestamp: 1000n },
  { key: Buffer.from('k2'), value: null, timestamp: 101_000n },
]), edit);
/** one record, 12 bytes after its length: attributes, timestamp delta, offset delta, key 'k' (R0+4), value 'v' (R0+6), 1 header (R0+8): 'h' (R0+9) = 'x' (R0+11) */
const one = (edit: (b: Buffer) => void) => redoCrc(buildBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }] }]), edit);
const check = (b: Buffer) => { for (const info of validateBatches(b)) checkUncompressedRecords(b, info); };
const fails = (b: Buffer, why: string) => assert.throws(() => check(b), (e: unknown) => e instanceof InvalidRecordError && e.code === 'CORRUPT_MESSAGE' && e.message === `record batch at byte 0: ${why}`);

test('checkUncompressedRecords passes well-formed batches, several in one record set', () => {
  check(three());
  check(Buffer.concat([three(), three(), buildBatch([{ value: Buffer.alloc(300, 2) }])]));
  check(buildBatch([]));
});

test('checkUncompressedRecords: records that disagree with their header are CORRUPT_MESSAGE, saying how', () => {
  fails(three((b) => b.writeInt32BE(4, OFF_RECORD_COUNT)), "records do not match the header's count of 4: truncated: need 1 bytes at 296, have 0");
  fails(three((b) => b.writeInt32BE(2, OFF_RECORD_COUNT)), "11 bytes after the header's 2 records");
  fails(three((b) => { b[R0] = 0x7e; }), 'record 0 has 49 bytes past its fields');
  fails(three((b) => { b[R0] += 2; }), 'record 0 has 1 bytes past its fields');
  fails(three((b) => { b[R0] -= 2; }), 'record 0 runs 1 bytes past its length 13');
  fails(three((b) => { b[R0] = 0x01; }), 'record 0 has length -1, 234 bytes left');
  fails(three((b) => { b[R0 + 3] = 10; }), 'record 0 has offset delta 5 outside 0..2');
  fails(three((b) => { b[R0 + 4] = 5; }), 'record 0 has key length -3');
  fails(three((b) => { b[R0 + 10] = 3; }), 'record 0 has -2 headers');
  fails(three((b) => { b.fill(0xff, R0, R0 + 6); }), "records do not match the header's count of 3: varint too long");
  fails(one((b) => { b[R0] = 0x7e; }), 'record 0 has length 63, 12 bytes left');
  fails(one((b) => { b.fill(0xff, R0 + 2, R0 + 12); }), "records do not match the header's count of 1: varlong too long");
  fails(one((b) => { b[R0 + 4] = 0x7e; }), "records do not match the header's count of 1: truncated: need 63 bytes at 66, have 8");
  fails(one((b) => { b[R0 + 6] = 5; }), 'record 0 has value length -3');
  fails(one((b) => { b[R0 + 9] = 1; }), 'record 0 header 0 has a null key');
  fails(one((b) => { b[R0 + 11] = 5; }), 'record 0 header 0 has value length -3');
});

test('checkUncompressedRecords leaves compressed batches to their codec', () => {
  const b = three((x) => { x.writeInt16BE(1, OFF_ATTRIBUTES); x.fill(0xff, R0); });
  const [info] = validateBatches(b);
  checkUncompressedRecords(b, info);
});
