import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LeaderEpochCache, LEADER_EPOCH_CHECKPOINT } from './leader-epoch-cache.ts';
import { PartitionLog, DEFAULT_LOG_CONFIG, OffsetOutOfRangeError } from './partition-log.ts';
import { buildBatch, readBatchInfo, OFF_LEADER_EPOCH } from './record-batch.ts';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'epochs-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const batch = (n: number) => buildBatch(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`) })));

test('endOffsetFor answers as Kafka\'s LeaderEpochFileCache', (t) => {
  const c = LeaderEpochCache.empty(tmp(t));
  assert.deepEqual(c.endOffsetFor(0, 0n), { epoch: -1, endOffset: -1n });
  c.assign(1, 0n); c.assign(3, 10n); c.assign(4, 25n);
  assert.deepEqual(c.endOffsetFor(4, 40n), { epoch: 4, endOffset: 40n }, 'latest epoch ends at the log end');
  assert.deepEqual(c.endOffsetFor(3, 40n), { epoch: 3, endOffset: 25n });
  assert.deepEqual(c.endOffsetFor(2, 40n), { epoch: 1, endOffset: 10n }, 'an epoch this log never had: the largest below it');
  assert.deepEqual(c.endOffsetFor(0, 40n), { epoch: 0, endOffset: 0n }, 'below the first epoch: ends where the first starts');
  assert.deepEqual(c.endOffsetFor(5, 40n), { epoch: -1, endOffset: -1n }, 'a newer epoch than ours is unknown');
  assert.equal(c.assign(3, 50n), false, 'an older epoch never comes back');
});

test('the checkpoint is Kafka\'s file format, cut on truncation from either end', (t) => {
  const dir = tmp(t);
  const c = LeaderEpochCache.empty(dir);
  c.assign(0, 0n); c.assign(2, 5n); c.assign(3, 9n);
  assert.equal(fs.readFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT), 'utf8'), '0\n3\n0 0\n2 5\n3 9\n');
  c.truncateFromEnd(9n);
  c.truncateFromStart(6n);
  assert.deepEqual(LeaderEpochCache.load(dir)!.all, [{ epoch: 2, startOffset: 6n }]);
});

test('a log keeps epochs from its appends, rebuilds a lost checkpoint, and truncates them with the log', (t) => {
  const dir = tmp(t);
  let log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, true);
  log.append(batch(3), { leaderEpoch: 0 });
  log.append(batch(2), { leaderEpoch: 2 });
  log.append(batch(2), { leaderEpoch: 2 });
  log.append(batch(1), { leaderEpoch: 5 });
  assert.deepEqual(log.leaderEpochs.all, [{ epoch: 0, startOffset: 0n }, { epoch: 2, startOffset: 3n }, { epoch: 5, startOffset: 7n }]);
  log.close();
  fs.rmSync(path.join(dir, LEADER_EPOCH_CHECKPOINT));
  log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, false);
  assert.deepEqual(log.leaderEpochs.all, [{ epoch: 0, startOffset: 0n }, { epoch: 2, startOffset: 3n }, { epoch: 5, startOffset: 7n }], 'rebuilt from batch headers');
  log.truncateTo(5n);
  assert.equal(log.logEndOffset, 5n);
  assert.deepEqual(log.leaderEpochs.all, [{ epoch: 0, startOffset: 0n }, { epoch: 2, startOffset: 3n }]);
  log.close();
});

test('a follower appends the leader\'s batches with their offsets and epochs, only at its log end', (t) => {
  const leader = PartitionLog.open(tmp(t), DEFAULT_LOG_CONFIG, true);
  leader.append(batch(4), { leaderEpoch: 1 });
  leader.append(batch(2), { leaderEpoch: 3 });
  leader.highWatermark = leader.logEndOffset;
  const data = Buffer.concat(leader.read(0n, 1 << 20));
  const follower = PartitionLog.open(tmp(t), DEFAULT_LOG_CONFIG, true);
  const r = follower.appendAsFollower(Buffer.from(data));
  assert.equal(r.baseOffset, 0n); assert.equal(r.lastOffset, 5n);
  assert.deepEqual(follower.leaderEpochs.all, [{ epoch: 1, startOffset: 0n }, { epoch: 3, startOffset: 4n }]);
  follower.highWatermark = follower.logEndOffset;
  const copy = Buffer.concat(follower.read(0n, 1 << 20));
  assert.ok(copy.equals(data), 'byte-identical');
  assert.equal(readBatchInfo(copy, 0).baseOffset, 0n); assert.equal(copy.readInt32BE(OFF_LEADER_EPOCH), 1);
  assert.throws(() => follower.appendAsFollower(Buffer.from(data)), OffsetOutOfRangeError, 'a batch that does not follow the log end');
  follower.truncateFullyAndStartAt(100n);
  assert.equal(follower.logStartOffset, 100n); assert.equal(follower.logEndOffset, 100n);
  assert.deepEqual(follower.leaderEpochs.all, []);
  leader.close(); follower.close();
});
