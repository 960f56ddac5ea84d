import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from './log/partition-log.ts';
import { buildBatch } from './log/record-batch.ts';
import { ProducerStateManager } from './txn/producer-state.ts';
import { Partition, type PartitionServices, type RemoteLog } from './partition.ts';

function setup(t: { after: (f: () => void) => void }, placement?: { leader: number; replicas: number[]; isr: number[] }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'partition-'));
  const log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, true);
  t.after(() => { log.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  const services: PartitionServices = { brokerId: 1, producerState: new ProducerStateManager(), remote: null };
  return { p: new Partition('t', 0, log, 3, services, placement), services };
}

const records = (n: number, o: { pid?: bigint; txn?: boolean } = {}) =>
  buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })), o.pid !== undefined ? { producerId: o.pid, producerEpoch: 0, baseSequence: 0, transactional: o.txn } : {});

test('single node: the high-water mark follows the log end, the LSO stops at an open transaction', (t) => {
  const { p } = setup(t);
  p.appendToLocalLog(records(2), {});
  assert.ok(p.maybeIncrementHighWatermark());
  assert.equal(p.highWatermark, 2n);
  assert.equal(p.lastStableOffset(), 2n);
  p.appendToLocalLog(records(3, { pid: 7n, txn: true }), {});
  p.maybeIncrementHighWatermark();
  assert.equal(p.highWatermark, 5n);
  assert.equal(p.lastStableOffset(), 2n, 'the open transaction starts at offset 2');
  assert.deepEqual(p.abortedTransactions(0n, 5n), []);
});

test('replication seam: the high-water mark waits for every in-sync follower, leader epochs fence', (t) => {
  const { p } = setup(t, { leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] });
  assert.ok(p.isLeader);
  p.appendToLocalLog(records(4), {});
  assert.equal(p.maybeIncrementHighWatermark(), false, 'no follower has fetched yet');
  assert.equal(p.highWatermark, 0n);
  p.updateFollowerFetchState(2, 4n);
  assert.equal(p.highWatermark, 0n, 'follower 3 is still behind');
  p.updateFollowerFetchState(3, 3n);
  assert.equal(p.highWatermark, 3n);
  p.isr = [1, 2]; // 3 dropped out of the ISR
  p.maybeIncrementHighWatermark();
  assert.equal(p.highWatermark, 4n);
  assert.ok(p.followerState(2)!.lastCaughtUpMs > 0);
  assert.equal(p.followerState(3)!.lastCaughtUpMs, 0);
  assert.equal(p.checkLeaderEpoch(-1), null);
  assert.equal(p.checkLeaderEpoch(3), null);
  assert.equal(p.checkLeaderEpoch(2), 'FENCED_LEADER_EPOCH');
  assert.equal(p.checkLeaderEpoch(4), 'UNKNOWN_LEADER_EPOCH');
});

test('tiered storage plugs in behind the partition: log start, remote reads and their aborted transactions', async (t) => {
  const { p, services } = setup(t);
  p.appendToLocalLog(records(10), {});
  p.maybeIncrementHighWatermark();
  p.log.advanceLogStart(6n);
  assert.equal(p.logStartOffset, 6n);
  assert.equal(p.isRemoteOffset(2n), false);
  assert.equal(p.latestTieredOffset(), null);
  const remote: RemoteLog = {
    logStartOffset: () => 0n,
    latestTieredOffset: () => 5n,
    isRemoteOffset: (_p, o) => o < 6n,
    read: async (_p, o) => Buffer.from(`remote@${o}`),
    abortedTransactions: () => [{ producerId: 9n, firstOffset: 1n }],
    offsetForTimestamp: () => Promise.resolve({ offset: 1n, timestamp: 5n }),
    advanceLogStart: () => undefined,
    ownsRetention: () => true,
  };
  services.remote = remote;
  assert.equal(p.logStartOffset, 0n, 'clients see the remote start');
  assert.equal(p.localLogStartOffset, 6n);
  assert.equal(p.latestTieredOffset(), 5n);
  assert.ok(p.isRemoteOffset(2n));
  assert.equal((await p.readRemote(2n, 100, 10n)).toString(), 'remote@2');
  assert.deepEqual(p.abortedTransactions(0n, 10n), [], 'local reads: the local index only');
  assert.deepEqual(p.abortedTransactions(0n, 10n, true), [{ producerId: 9n, firstOffset: 1n }]);
  assert.deepEqual(await p.offsetForTimestamp(5n), { offset: 1n, timestamp: 5n });
  assert.ok(p.retentionIsRemote);
});

test('the log keeps its tail in memory only while the partition has followers to serve it', (t) => {
  // Without followers the cache only kept produce buffers alive: RF=1 produce lost a quarter
  // to a half of its MB/s to GC (npm run bench -- cluster.bench, CPU per 100 MB 0.55 -> 0.29 s).
  assert.equal(setup(t).p.log.cacheTail, false, 'a single replica');
  const { p } = setup(t, { leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] });
  assert.equal(p.log.cacheTail, true, 'three replicas');
  p.makeLeader({ topic: 't', partition: 0, leader: 1, leaderEpoch: 4, partitionEpoch: 1, replicas: [1], isr: [1], addingReplicas: [], removingReplicas: [] });
  assert.equal(p.log.cacheTail, false, 'reassigned down to one replica');
  p.makeLeader({ topic: 't', partition: 0, leader: 1, leaderEpoch: 5, partitionEpoch: 2, replicas: [1, 2], isr: [1], addingReplicas: [2], removingReplicas: [] });
  assert.equal(p.log.cacheTail, true, 'a replica added');
});
