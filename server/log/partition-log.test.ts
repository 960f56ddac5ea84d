import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG, RecordTooLargeError, OffsetOutOfRangeError, lastOffsetIn } from './partition-log.ts';
import { buildBatch, readRecords, readBatchInfo, InvalidRecordError, LOG_OVERHEAD } from './record-batch.ts';
import { compress, decompress, initCodecs } from './compression.ts';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'plog-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const cfg = (o: Partial<typeof DEFAULT_LOG_CONFIG> = {}) => ({ ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256, ...o });

function batch(n: number, from = 0, ts = 1000n, size = 10): Buffer {
  return buildBatch(Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${from + i}`), value: Buffer.alloc(size, 97 + ((from + i) % 26)), timestamp: ts + BigInt(from + i) })));
}

/** Appends and commits (the replica manager moves the high-water mark in the broker). */
function append(log: PartitionLog, b: Buffer) {
  const r = log.append(b);
  log.highWatermark = log.logEndOffset;
  return r;
}

function allRecords(log: PartitionLog, from = 0n) {
  const out = [];
  for (const buf of log.read(from, 1 << 30)) {
    let pos = 0;
    while (pos < buf.length) { const info = readBatchInfo(buf, pos); out.push(...readRecords(buf, pos)); pos += info.size; }
  }
  return out.filter((r) => r.offset >= from);
}

test('assigns offsets, rolls segments at segment.bytes and reads across them', (t) => {
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg({ segmentBytes: 2000 }), true);
  for (let i = 0; i < 50; i++) {
    const r = append(log, batch(3, i * 3));
    assert.equal(r.baseOffset, BigInt(i * 3));
    assert.equal(r.lastOffset, BigInt(i * 3 + 2));
  }
  assert.ok(log.segments.length > 3, `expected several segments, got ${log.segments.length}`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
  assert.ok(files.every((f) => /^\d{20}\.log$/.test(f)));
  assert.ok(fs.existsSync(path.join(dir, '00000000000000000000.index')));
  assert.ok(fs.existsSync(path.join(dir, '00000000000000000000.timeindex')));
  const recs = allRecords(log);
  assert.equal(recs.length, 150);
  recs.forEach((r, i) => { assert.equal(r.offset, BigInt(i)); assert.equal(r.key!.toString(), `k${i}`); });
  // From the middle of a segment, and exactly at a segment boundary.
  const mid = allRecords(log, 77n);
  assert.equal(mid[0].offset, 77n);
  const boundary = log.segments[2].baseOffset;
  assert.equal(allRecords(log, boundary)[0].offset, boundary);
  log.close();
});

test('index lookup finds the batch without scanning from the start', (t) => {
  const log = PartitionLog.open(tmp(t), cfg(), true);
  for (let i = 0; i < 200; i++) append(log, batch(1, i, 1000n, 100));
  const seg = log.active;
  assert.ok(seg.index.count > 10);
  const pos = seg.index.lookup(150n);
  assert.ok(pos > 0);
  const slice = log.read(150n, 1);
  assert.equal(readBatchInfo(slice[0], 0).baseOffset, 150n);
  log.close();
});

test('recovery truncates a torn tail and keeps every complete batch', (t) => {
  const dir = tmp(t);
  let log = PartitionLog.open(dir, cfg(), true);
  for (let i = 0; i < 20; i++) append(log, batch(2, i * 2));
  const file = log.active.logPath;
  log.close();
  // Simulate a crash mid-write: half a batch at the tail, and a stale index.
  const half = batch(2, 40).subarray(0, 30);
  fs.appendFileSync(file, half);
  fs.rmSync(file.replace(/\.log$/, '.index'));
  log = PartitionLog.open(dir, cfg(), false);
  assert.equal(log.logEndOffset, 40n);
  assert.equal(allRecords(log).length, 40);
  const r = append(log, batch(1, 40));
  assert.equal(r.baseOffset, 40n);
  log.close();
});

test('recovery drops a batch whose CRC does not match', (t) => {
  const dir = tmp(t);
  let log = PartitionLog.open(dir, cfg(), true);
  for (let i = 0; i < 5; i++) append(log, batch(1, i));
  const file = log.active.logPath;
  log.close();
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 3] ^= 0xff; // corrupt the last batch's payload
  fs.writeFileSync(file, bytes);
  log = PartitionLog.open(dir, cfg(), false);
  assert.equal(log.logEndOffset, 4n);
  log.close();
});

test('rejects corrupt and oversized batches without appending', (t) => {
  const log = PartitionLog.open(tmp(t), cfg({ maxMessageBytes: 500 }), true);
  const b = batch(1);
  b[b.length - 1] ^= 1;
  assert.throws(() => log.append(b), InvalidRecordError);
  assert.throws(() => log.append(batch(1, 0, 1000n, 1000)), RecordTooLargeError);
  assert.equal(log.logEndOffset, 0n);
  log.close();
});

test('offsetForTimestamp finds the first record at or after a time', (t) => {
  const log = PartitionLog.open(tmp(t), cfg({ segmentBytes: 1500 }), true);
  for (let i = 0; i < 30; i++) append(log, batch(3, i * 3, 10_000n));
  assert.deepEqual(log.offsetForTimestamp(10_050n), { offset: 50n, timestamp: 10_050n });
  assert.deepEqual(log.offsetForTimestamp(0n), { offset: 0n, timestamp: 10_000n });
  assert.equal(log.offsetForTimestamp(99_999n), null);
  log.close();
});

test('advanceLogStart drops whole segments and rejects reads below it', (t) => {
  const log = PartitionLog.open(tmp(t), cfg({ segmentBytes: 1000 }), true);
  for (let i = 0; i < 40; i++) append(log, batch(1, i, 1000n, 50));
  const before = log.segments.length;
  log.advanceLogStart(25n);
  assert.ok(log.segments.length < before);
  assert.equal(log.logStartOffset, 25n);
  assert.throws(() => log.read(3n, 1000), OffsetOutOfRangeError);
  assert.ok(lastOffsetIn(log.read(25n, 1 << 20)[0]) >= 25n);
  log.close();
});

test('every codec round-trips', async () => {
  await initCodecs();
  const data = Buffer.from('tributary '.repeat(500));
  for (const c of [1, 2, 3, 4]) assert.deepEqual(decompress(c, compress(c, data)), data, `codec ${c}`);
  const b = buildBatch([{ key: null, value: data }], { codec: 4 }, compress);
  const recs = readRecords(b, 0);
  assert.deepEqual(recs[0].value, data);
  assert.equal(b.readInt32BE(8) + LOG_OVERHEAD, b.length);
});

test('a roll fsyncs the closed segment and its indexes on the thread pool, never on the event loop', async (t) => {
  // On ext4 an fsync waits for the journal commit behind the data being written back; a
  // synchronous index fsync at each roll stopped the broker's event loop 0.3–1 s under load.
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg({ segmentBytes: 2000 }), true);
  t.after(() => log.close());
  append(log, batch(5, 0, 1000n, 40)); // the first append records the leader epoch (fsynced, once per epoch)
  const syncFds: number[] = [];
  const asyncFds: number[] = [];
  const { fsyncSync, fsync } = fs;
  t.mock.method(fs, 'fsyncSync', (fd: number) => { syncFds.push(fd); return fsyncSync(fd); });
  t.mock.method(fs, 'fsync', (fd: number, cb: (e: Error | null) => void) => { asyncFds.push(fd); return fsync(fd, cb); });
  for (let i = 1; i < 30; i++) append(log, batch(5, i * 5, 1000n, 40));
  assert.ok(log.segments.length > 2, `rolled: ${log.segments.length} segments`);
  assert.deepEqual(syncFds, [], 'no fsync on the event loop while appending and rolling');
  // each roll: the segment's log, offset index and time index
  assert.equal(asyncFds.length, 3 * (log.segments.length - 1));
  await new Promise((r) => setImmediate(r));
});
