// Replication throttle (KIP-73) x transactions: a librdkafka transactional producer commits,
// aborts and leaves a transaction open while its partition moves, under a throttle, onto a
// new replica that then leads it (partitions reassign elects the preferred replica); the
// throttle is raised once the transactions are written, so the move cannot end before them. The new
// leader built its transaction state only from what it copied: a read_committed fetch from
// it must list the aborted transactions, hold the last stable offset at the open one until
// its commit marker arrives there, and read_committed consumers read exactly the committed records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python, txnSteps } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { TestClient } from './helpers/replication-cluster.ts';
import { assertThrottleRemoved, assertWithinQuota, FOLLOWER_RATE, LEADER_RATE, startThrottledMove, throttleShown } from './helpers/throttle.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { Fetch } from '../server/protocol/apis/index.ts';
import { readBatchInfo, readRecords } from '../server/log/record-batch.ts';

/** low enough that the copy cannot end while the transactions run; raised after them */
const RATE = 20_000;
const RAISED = 20_000_000;
const FETCH = 65_536;
const RECORD = 1000;
const RECORDS = 1000;
const SLACK = RATE + FETCH + 65_536;
const TOPIC = 'orders';

/** A read_committed Fetch (v12) of partition 0 from one broker: its last stable offset, high-water mark, aborted transactions and visible values. */
async function readCommittedFrom(port: number) {
  const cl = await TestClient.connect(port);
  try {
    const r = await cl.conn.send(Fetch, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 26, isolationLevel: 1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, partitionMaxBytes: 1 << 26 }] }],
    });
    const p = r.responses[0].partitions[0];
    assert.equal(p.errorCode, 0);
    return {
      lso: p.lastStableOffset as bigint, hw: p.highWatermark as bigint,
      aborted: ((p.abortedTransactions ?? []) as { producerId: bigint; firstOffset: bigint }[]).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
    };
  } finally { cl.close(); }
}

/** Every record of partition 0 as stored (read_uncommitted, markers left out), with its offset. */
async function storedRecords(port: number): Promise<Map<string, bigint>> {
  const cl = await TestClient.connect(port);
  try {
    const out = new Map<string, bigint>();
    let at = 0n;
    for (;;) {
      const r = await cl.conn.send(Fetch, 12, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 26, isolationLevel: 0,
        topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: at, currentLeaderEpoch: -1, partitionMaxBytes: 1 << 26 }] }],
      });
      const data: Buffer = r.responses[0].partitions[0].records ?? Buffer.alloc(0);
      if (data.length < 61) return out;
      let pos = 0;
      while (pos + 61 <= data.length) {
        const info = readBatchInfo(data, pos);
        if (pos + info.size > data.length) break;
        if ((info.attributes & 0x20) === 0) for (const rec of readRecords(data, pos)) out.set(rec.value!.toString(), rec.offset);
        at = info.baseOffset + BigInt(info.lastOffsetDelta) + 1n;
        pos += info.size;
      }
    }
  } finally { cl.close(); }
}

const values = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}-${i}`);

test('transactions committed, aborted and left open while their partition moves under a throttle: the new leader lists the aborted ones, holds the LSO at the open one, and read_committed reads exactly the committed records', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=6000', '--set', `replica.fetch.max.bytes=${FETCH}`,
    '--set', 'transaction.state.log.num.partitions=1', '--set', 'transaction.state.log.replication.factor=2', '--set', 'offsets.topic.num.partitions=1', '--set', 'offsets.topic.replication.factor=2']);
  t.after(() => c.close());
  await Promise.all([1, 2].map((n) => c.start(n)));
  await waitFor('two brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 2);
  const boot = c.bootstrap();
  const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'assign', TOPIC, JSON.stringify([[1]])]);
  assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  // Plain records the throttled copy takes a while over (>40 s at RATE).
  const filler = Array.from({ length: RECORDS }, (_, i) => String(i).padStart(8, '0') + 'x'.repeat(RECORD - 9));
  await kcat(['-P', '-b', boot, '-t', TOPIC, '-p', '0', '-X', 'acks=all', '-X', 'batch.size=65536', '-z', 'none'], filler.join('\n') + '\n');
  const admin = new ClusterAdmin({ bootstrap: boot, clientId: 'throttle-txn-test' });
  t.after(() => admin.close());

  const txn = txnSteps(boot, TOPIC, 'mover', {}, (fn) => t.after(fn));
  await txn.ready();
  assert.deepEqual(await txn.send('commit c0 3'), { committed: 'c0' });
  assert.deepEqual(await txn.send('abort a0 3'), { aborted: 'a0' });
  const size = (await admin.describeLogDirs()).find((b) => b.nodeId === 1)!.dirs![0].topics.find((x) => x.name === TOPIC)!.partitions[0].size;

  // Broker 2 joins as the preferred replica, copying under the throttle.
  const move = startThrottledMove({ bootstrap: boot, dir: c.root, admin, rate: RATE, moves: [{ topic: TOPIC, partition: 0, replicas: [2, 1] }], watch: { nodeId: 2, topic: TOPIC, partition: 0 }, after: (fn) => t.after(fn) });
  await throttleShown(admin, TOPIC, '0:1', '0:2', [1, 2], RATE);
  const adding = async () => (await admin.listPartitionReassignments())?.filter((r) => r.topic === TOPIC).map((r) => r.adding);
  await waitFor('the reassignment submitted', async () => (await adding())?.length === 1, 30000, 50);
  assert.deepEqual(await txn.send('commit c1 3'), { committed: 'c1' });
  assert.deepEqual(await txn.send('abort a1 3'), { aborted: 'a1' });
  assert.deepEqual(await txn.send('commit c2 3'), { committed: 'c2' });
  assert.deepEqual(await txn.send('open o 3'), { open: 'o' });
  assert.deepEqual(await adding(), [[2]], 'the transactions ran while broker 2 was still being added');

  // The throttle held the copy back while the transactions ran; raised (as an operator would), the move ends.
  const raisedAt = move.elapsed();
  await admin.raw.incrementalAlterConfigs({ resources: [1, 2].map((b) => ({ resourceType: 4, resourceName: String(b), configs: [LEADER_RATE, FOLLOWER_RATE].map((name) => ({ name, configOperation: 0, value: String(RAISED) })) as any })) });
  assert.equal(await move.exited, 0, move.output());
  const ended = move.elapsed();
  assertWithinQuota(move.samples.filter((x) => x.got <= raisedAt), size, RATE, SLACK);
  await assertThrottleRemoved(admin, TOPIC, [1, 2]);
  const md = await waitFor('broker 2 leads the partition', async () => {
    const p = (await kcatMetadata(boot, TOPIC)).topics[0].partitions[0];
    return p.leader === 2 && p;
  });
  assert.deepEqual(md.replicas.map((r) => r.id), [2, 1]);
  t.diagnostic(`the transactions ran in the first ${raisedAt.toFixed(2)} s of the move (at ${RATE} B/s), then it took ${(ended - raisedAt).toFixed(2)} s more at ${RAISED} B/s; broker 2 leads`);

  // The new leader, with the last transaction still open.
  const port2 = c.brokers.get(2)!.port;
  const stored = await storedRecords(port2);
  const at = (v: string) => { const o = stored.get(v); assert.ok(o !== undefined, `${v} is in broker 2's log`); return o; };
  const open = await readCommittedFrom(port2);
  assert.equal(open.lso, at('o-0'), 'the open transaction holds the last stable offset on the new leader');
  assert.ok(open.hw > at('o-2'), 'its records are replicated');
  assert.deepEqual(open.aborted.map((a) => a.firstOffset), [at('a0-0'), at('a1-0')], 'the aborted transactions, as the new leader lists them');
  assert.equal(new Set(open.aborted.map((a) => a.producerId)).size, 1);
  const committedBefore = [...filler, ...values('c0', 3), ...values('c1', 3), ...values('c2', 3)];
  const readCommitted = async () => (await kcat(['-C', '-b', c.brokers.get(2)!.bootstrap, '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed'])).replace(/\n$/, '').split('\n');
  assert.deepEqual(await readCommitted(), committedBefore);

  // Its commit marker goes to the new leader: the last stable offset moves past it.
  assert.deepEqual(await txn.send('end'), { committed: 'o' });
  const done = await waitFor('the last stable offset at the high-water mark on broker 2', async () => { const s = await readCommittedFrom(port2); return s.lso === s.hw && s; });
  assert.ok(done.lso > at('o-2'));
  assert.deepEqual(done.aborted.map((a) => a.firstOffset), [at('a0-0'), at('a1-0')]);
  assert.deepEqual(await readCommitted(), [...committedBefore, ...values('o', 3)]);
  await txn.send('quit');
});
