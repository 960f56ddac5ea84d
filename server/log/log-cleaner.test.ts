import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from './partition-log.ts';
import { buildBatch, readRecords, readBatchInfo } from './record-batch.ts';
import { compress, initCodecs } from './compression.ts';
import { cleanLog, type CompactionPolicy } from './log-cleaner.ts';

const policy: CompactionPolicy = { compact: true, minCleanableDirtyRatio: 0.5, minCompactionLagMs: 0, deleteRetentionMs: 86_400_000 };

function tmp(t: { after: (f: () => void) => void }) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'clean-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function fill(log: PartitionLog, rounds: number, keys: number, codec = 0, tombstoneKey?: number) {
  for (let r = 0; r < rounds; r++) {
    const recs = Array.from({ length: keys }, (_, k) => ({ key: Buffer.from(`k${k}`), value: r === rounds - 1 && k === tombstoneKey ? null : Buffer.from(`v${r}-${k}`), timestamp: BigInt(Date.now()) }));
    log.append(buildBatch(recs, { codec }, compress));
    log.highWatermark = log.logEndOffset;
  }
}

function all(log: PartitionLog) {
  const out: { offset: bigint; key: string; value: string | null }[] = [];
  for (const buf of log.read(log.logStartOffset, 1 << 30)) {
    let pos = 0;
    while (pos < buf.length) {
      const info = readBatchInfo(buf, pos);
      for (const r of readRecords(buf, pos)) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null });
      pos += info.size;
    }
  }
  return out;
}

test('keeps the latest record per key, never renumbers, and works on compressed batches', async (t) => {
  await initCodecs();
  for (const codec of [0, 1, 3, 4]) {
    const log = PartitionLog.open(path.join(tmp(t), `c${codec}`), { ...DEFAULT_LOG_CONFIG, segmentBytes: 600 }, true);
    fill(log, 30, 5, codec);
    const endBefore = log.logEndOffset;
    log.roll();
    const stats = cleanLog(log, policy)!;
    assert.ok(stats.recordsRemoved > 100, `codec ${codec}: removed ${stats.recordsRemoved}`);
    const recs = all(log);
    assert.deepEqual(recs.map((r) => r.key).sort(), ['k0', 'k1', 'k2', 'k3', 'k4']);
    for (const r of recs) assert.equal(r.value, `v29-${r.key.slice(1)}`);
    assert.deepEqual(recs.map((r) => r.offset), [145n, 146n, 147n, 148n, 149n], 'original offsets kept');
    assert.equal(log.logEndOffset, endBefore);
    log.close();
  }
});

test('tombstones go after delete.retention.ms; the dirty ratio gates cleaning', (t) => {
  const log = PartitionLog.open(tmp(t), { ...DEFAULT_LOG_CONFIG, segmentBytes: 500 }, true);
  fill(log, 10, 3, 0, 1);
  log.roll();
  assert.ok(cleanLog(log, policy));
  assert.ok(all(log).some((r) => r.key === 'k1' && r.value === null), 'tombstone kept inside its retention');
  assert.equal(cleanLog(log, policy), null, 'clean log: below the dirty ratio');
  cleanLog(log, { ...policy, deleteRetentionMs: 0 }, undefined, Date.now() + 10, true);
  assert.ok(!all(log).some((r) => r.key === 'k1'), 'tombstone removed after its retention');
  log.close();
});

test('a crash between writing the cleaned segment and the swap leaves a valid log', (t) => {
  const dir = tmp(t);
  let log = PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes: 500 }, true);
  fill(log, 10, 3);
  log.roll();
  const first = log.segments[0];
  const file = first.logPath;
  const original = fs.readFileSync(file);
  log.close();
  // crash 1: a half-written .cleaned file is discarded
  fs.writeFileSync(file + '.cleaned', original.subarray(0, 50));
  log = PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes: 500 }, false);
  assert.equal(fs.existsSync(file + '.cleaned'), false);
  assert.equal(all(log).length, 30);
  log.close();
  // crash 2: the .swap exists and the original was already removed: the swap completes
  fs.renameSync(file, file + '.swap');
  log = PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes: 500 }, false);
  assert.ok(fs.existsSync(file));
  assert.equal(all(log).length, 30);
  log.close();
});
