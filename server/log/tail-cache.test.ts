// Tail cache: reads at the end of the log come from memory and are exactly what the
// segment file gives. Run: node --import tsx --test server/log/tail-cache.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from './partition-log.ts';
import { buildBatch } from './record-batch.ts';
import { TailCache, TailCacheBudget } from './tail-cache.ts';
import { ReadBufferPool, SharedBuffer, releaseLease, type ReadLease } from './read-buffers.ts';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tailcache-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}
const cfg = { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 256, segmentBytes: 1024 * 1024 };
/** `batches` batches of `n` records in one append (a multi-batch produce or a follower's fetch). */
function records(batches: number, n: number, from: number): Buffer {
  return Buffer.concat(Array.from({ length: batches }, (_, b) => buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.alloc(20 + ((from + b * n + i) % 50), 97), timestamp: 1000n })))));
}

test('every read at the tail equals the segment file\'s bytes (offset, max bytes, up-to), across rolls', (t) => {
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg, true);
  let next = 0;
  for (let i = 0; i < 150; i++) {
    if (i === 60 || i === 100) log.roll();
    const b = 1 + (i % 3); const n = 1 + (i % 7);
    log.append(records(b, n, next));
    next += b * n;
  }
  log.highWatermark = log.logEndOffset - 5n;
  log.flush();
  // The same files opened again: a log whose cache is empty reads everything from disk.
  const disk = PartitionLog.open(dir, cfg, true);
  t.after(() => { disk.close(); log.close(); });
  disk.highWatermark = log.highWatermark;
  assert.ok(log.segments.length > 2, 'the log rolled');
  const active = log.active.baseOffset;
  assert.ok(log.logEndOffset - active > 20n, `the active segment holds ${log.logEndOffset - active} offsets`);
  let checked = 0;
  for (let off = active - 10n; off < log.logEndOffset; off += 1n) {
    for (const max of [1, 100, 700, 5000, 1 << 20]) {
      for (const upTo of [log.highWatermark, log.logEndOffset, off + 4n]) {
        const a = Buffer.concat(log.read(off, max, upTo));
        const b = Buffer.concat(disk.read(off, max, upTo));
        assert.ok(a.equals(b), `read(${off}, ${max}, ${upTo}): ${a.length} vs ${b.length} bytes`);
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `${checked} reads compared`);
});

test('tail reads are served from memory: the file is not read back', (t) => {
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg, true);
  t.after(() => log.close());
  log.append(records(1, 5, 0));
  const second = log.append(records(2, 3, 5));
  log.highWatermark = log.logEndOffset;
  const before = Buffer.concat(log.read(second.baseOffset, 1 << 20));
  // Scribble over the segment file behind the log's back: a read from disk would see it.
  const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.log'))!);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(fs.fstatSync(fd).size, 0xee), 0, fs.fstatSync(fd).size, 0);
  fs.closeSync(fd);
  assert.ok(Buffer.concat(log.read(second.baseOffset, 1 << 20)).equals(before));
});

test('a truncated tail is not served again: the follower\'s new batches are', (t) => {
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg, true);
  t.after(() => log.close());
  log.append(records(1, 5, 0));
  const second = log.append(records(2, 3, 5));
  log.highWatermark = log.logEndOffset;
  const old = Buffer.concat(log.read(second.baseOffset, 1 << 20));
  log.truncateTo(second.baseOffset);
  const replacement = records(1, 4, 100);
  replacement.writeBigInt64BE(second.baseOffset, 0);
  log.appendAsFollower(replacement);
  log.highWatermark = log.logEndOffset;
  const now = Buffer.concat(log.read(second.baseOffset, 1 << 20));
  assert.ok(!now.equals(old));
  assert.ok(now.equals(replacement));
});

test('one budget for all caches: the oldest entries of any partition go first', () => {
  const budget = new TailCacheBudget(4000);
  const a = new TailCache(budget); const b = new TailCache(budget);
  const one = (base: number) => buildBatch([{ key: null, value: Buffer.alloc(900, 1), timestamp: 1n }]).fill(0, 0, 0) && withBase(buildBatch([{ key: null, value: Buffer.alloc(900, 1), timestamp: 1n }]), base);
  a.append(one(0), 0n, 0n); b.append(one(0), 0n, 0n); a.append(one(1), 1n, 1n); b.append(one(1), 1n, 1n);
  assert.equal(budget.used, a.bytes + b.bytes);
  assert.ok(budget.used <= 4000);
  a.append(one(2), 2n, 2n); // over budget: a's offset 0 goes (the oldest of all)
  assert.equal(a.firstOffset, 1n);
  assert.equal(b.firstOffset, 0n);
  b.append(one(2), 2n, 2n); // now b's offset 0
  assert.equal(b.firstOffset, 1n);
  assert.ok(budget.used <= 4000);
  assert.equal(a.read(0n, 1 << 20, 10n), null, 'an evicted offset is not served');
  assert.equal(a.read(2n, 1 << 20, 10n)!.length, 1);
  a.clear(); b.clear();
  assert.equal(budget.used, 0);
});

function withBase(b: Buffer, base: number): Buffer { b.writeBigInt64BE(BigInt(base), 0); return b; }

test('batches of a pooled frame: the cache holds a share, reads serve them only with leases, the frame goes back when the last holder lets go', (t) => {
  const dir = tmp(t);
  const log = PartitionLog.open(dir, cfg, true);
  const pool = new ReadBufferPool(8 << 20);
  const frameOf = (n: number) => {
    const rec = records(4, 400, n); // > 64 KiB: pooled sizes only
    const buf = pool.acquire(rec.length + 100)!;
    rec.copy(buf, 100); // the request header in front, as in a Produce frame
    return { shared: new SharedBuffer(buf, pool), rec: buf.subarray(100, 100 + rec.length) };
  };
  const a = frameOf(0);
  log.append(a.rec, { shared: a.shared });
  assert.equal(a.shared.holders, 2, 'the request and the tail cache');
  a.shared.release(); // the request's reply was written
  assert.equal(pool.idleBytes, 0, 'still cached: not back in the pool');

  const fromFile = Buffer.concat(log.read(0n, 1 << 20, log.logEndOffset));
  const leases: ReadLease[] = [];
  const served = log.read(0n, 1 << 20, log.logEndOffset, leases);
  assert.deepEqual(Buffer.concat(served), fromFile);
  assert.equal(served[0].buffer, a.shared.buf.buffer, 'a fetch with leases is served from the frame itself');
  assert.deepEqual(leases, [a.shared]);
  assert.equal(a.shared.holders, 2, 'the cache and the fetch reply');

  log.roll(); // the cache lets go of the closed segment's batches
  assert.equal(pool.idleBytes, 0, 'the fetch reply still sends them');
  for (const x of leases) releaseLease(x);
  assert.equal(a.shared.holders, 0);
  assert.equal(pool.idleBytes, a.shared.buf.length, 'back in the pool once the reply was written');

  // Without leases (coordinators, tiered storage) cached frame bytes are read from the file instead.
  const b = frameOf(1000);
  log.append(b.rec, { shared: b.shared });
  const start = log.active.baseOffset;
  const plain = log.read(start, 1 << 20, log.logEndOffset);
  assert.notEqual(plain[0].buffer, b.shared.buf.buffer);
  assert.deepEqual(Buffer.concat(plain), b.rec);
  b.shared.release();
  log.close();
  assert.equal(b.shared.holders, 0, 'closing the log empties the cache');
});

test('an entry in a pooled frame is charged the memory it keeps alive: its share of the frame\'s size class', () => {
  const budget = new TailCacheBudget(4 << 20);
  const cache = new TailCache(budget);
  const pool = new ReadBufferPool(64 << 20);
  const held: SharedBuffer[] = [];
  let next = 0n;
  for (let i = 0; i < 40; i++) {
    // a ~300 KB Produce frame: pooled in its 512 KiB size class
    const used = 300 * 1024;
    const buf = pool.acquire(used)!;
    const shared = new SharedBuffer(buf, pool, used);
    const data = buf.subarray(100, used); // the batches, after the request header
    withBase(data, Number(next));
    cache.append(data, next, next, shared);
    shared.release(); // the request was answered: the cache's share is what is left
    held.push(shared);
    next++;
  }
  const kept = held.filter((s) => s.holders > 0).length;
  // 4 MiB of budget holds 8 frames of 512 KiB; charged their batches' bytes alone, 13 or 14 stayed (7 MiB)
  assert.ok(kept <= 8, `frames kept alive by the cache: ${kept}`);
  assert.ok(budget.used <= budget.maxBytes, `budget used ${budget.used}`);
  cache.clear();
  assert.equal(budget.used, 0);
  assert.equal(held.filter((s) => s.holders > 0).length, 0);
});
