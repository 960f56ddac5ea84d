// The replication data plane across three in-process brokers: the test is the
// controller (test/helpers/replication-cluster.ts); fetching, truncation,
// high-water marks, ISR changes and acks are the brokers' own, over real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationCluster, TestClient, until, logBytes } from './helpers/replication-cluster.ts';
import { OffsetCommit, OffsetFetch } from '../server/protocol/apis/index.ts';
import { code } from '../server/errors.ts';

const T = 'orders';

async function cluster(t: { after: (fn: () => Promise<void> | void) => void }, config: Record<string, string> = {}): Promise<ReplicationCluster> {
  const c = new ReplicationCluster(config);
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  return c;
}

async function client(t: { after: (fn: () => void) => void }, c: ReplicationCluster, id: number): Promise<TestClient> {
  const cl = await TestClient.connect(c.broker(id).port);
  t.after(() => cl.close());
  return cl;
}

test('acks=all is answered once every ISR member has the batch; followers hold byte-identical logs; only the leader serves', async (t) => {
  const c = await cluster(t);
  c.createTopic(T, 1, [1, 2, 3], { 'min.insync.replicas': '2' });
  const leader = await client(t, c, 1);
  for (let i = 0; i < 20; i++) {
    const r = await leader.produce(T, 0, [`a${i}`, `b${i}`]);
    assert.equal(r.error, null, r.message ?? '');
    assert.equal(r.baseOffset, BigInt(i * 2));
    // Acknowledged with acks=all: both followers hold it already.
    for (const id of [2, 3]) assert.ok(c.broker(id).replicas.get(T, 0)!.logEndOffset >= BigInt(i * 2 + 2), `follower ${id} has offset ${i * 2 + 1} when the leader acknowledges it`);
  }
  const got = await leader.fetch(T, 0, 0n);
  assert.equal(got.values.length, 40);
  assert.deepEqual(got.values.slice(0, 2), [{ offset: 0n, value: 'a0' }, { offset: 1n, value: 'b0' }]);
  await until(() => [2, 3].every((id) => c.broker(id).replicas.get(T, 0)!.highWatermark === 40n), 5000, 'followers learn the high-water mark');
  const bytes = logBytes(c.broker(1), T, 0);
  assert.ok(logBytes(c.broker(2), T, 0).equals(bytes) && logBytes(c.broker(3), T, 0).equals(bytes), 'replicas are byte-identical');

  const follower = await client(t, c, 2);
  assert.equal((await follower.produce(T, 0, ['x'])).error, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal((await follower.fetch(T, 0, 0n)).error, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal((await follower.offsetForLeaderEpoch(T, 0, 1)).error, 'NOT_LEADER_OR_FOLLOWER');
  // A broker outside the replica set may not fetch as a replica.
  assert.equal((await leader.fetch(T, 0, 0n, { replicaId: 7 })).error, 'NOT_LEADER_OR_FOLLOWER');
  // DeleteRecords on the leader: followers move their log start with it.
  c.broker(1).replicas.get(T, 0)!.deleteRecordsBefore(10n);
  await until(() => [2, 3].every((id) => c.broker(id).replicas.get(T, 0)!.logStartOffset === 10n), 5000, 'followers follow the log start');
});

test('consumers never see above the high-water mark: acks=1 data waits for the followers', async (t) => {
  const c = await cluster(t);
  c.createTopic(T, 1, [1, 2, 3]);
  const leader = await client(t, c, 1);
  await c.stopNode(3);
  const r = await leader.produce(T, 0, ['only-on-leader-and-2'], { acks: 1 });
  assert.equal(r.error, null);
  // Broker 3 is down but still in the ISR (replica.lag.time.max.ms is 30 s): nothing is committed.
  const f = await leader.fetch(T, 0, 0n);
  assert.equal(f.error, null);
  assert.equal(f.highWatermark, 0n);
  assert.deepEqual(f.values, []);
  // A restarted leader keeps its checkpointed high-water mark, not its log end.
  leader.close();
  await c.stopNode(1);
  await c.startNode(1);
  const again = await client(t, c, 1);
  const f2 = await again.fetch(T, 0, 0n);
  assert.equal(f2.highWatermark, 0n);
  assert.deepEqual(f2.values, []);
  await c.startNode(3);
  await until(async () => (await again.fetch(T, 0, 0n)).values.length === 1, 10000, 'the restarted follower catches up and the record is committed');
});

test('a follower down longer than replica.lag.time.max.ms leaves the ISR, produce continues, and it rejoins once caught up', async (t) => {
  const c = await cluster(t, { 'replica.lag.time.max.ms': '600' });
  c.createTopic(T, 1, [1, 2, 3], { 'min.insync.replicas': '2' });
  const leader = await client(t, c, 1);
  assert.equal((await leader.produce(T, 0, ['x0'])).error, null);
  await c.stopNode(3);
  await until(() => c.controller.state(T, 0)!.isr.join() === '1,2', 5000, 'ISR shrinks to [1,2]');
  for (let i = 1; i <= 30; i++) assert.equal((await leader.produce(T, 0, [`x${i}`])).error, null);
  await c.startNode(3);
  await until(() => c.controller.state(T, 0)!.isr.length === 3, 10000, 'the follower rejoins the ISR');
  assert.deepEqual([...c.controller.state(T, 0)!.isr].sort(), [1, 2, 3]);
  await until(() => c.broker(3).replicas.get(T, 0)!.logEndOffset === 31n, 5000, 'caught up');
  assert.ok(logBytes(c.broker(3), T, 0).equals(logBytes(c.broker(1), T, 0)));
});

test('min.insync.replicas: NOT_ENOUGH_REPLICAS before the append; REQUEST_TIMED_OUT when the ISR does not answer in time', async (t) => {
  const c = await cluster(t);
  c.createTopic(T, 1, [1, 2, 3], { 'min.insync.replicas': '2' });
  const leader = await client(t, c, 1);
  c.controller.elect(T, 0, 1, [1, 2, 3], [1]);
  const r = await leader.produce(T, 0, ['refused']);
  assert.equal(r.error, 'NOT_ENOUGH_REPLICAS');
  assert.match(r.message ?? '', /min\.insync\.replicas=2/);
  assert.equal(c.broker(1).replicas.get(T, 0)!.logEndOffset, 0n, 'nothing appended');
  assert.equal((await leader.produce(T, 0, ['acks=1 still works'], { acks: 1 })).error, null);

  c.controller.elect(T, 0, 1, [1, 2, 3], [1, 2, 3]);
  await until(() => c.broker(2).replicas.get(T, 0)!.logEndOffset === 1n && c.broker(3).replicas.get(T, 0)!.logEndOffset === 1n, 5000, 'followers caught up');
  await c.stopNode(2);
  const slow = await leader.produce(T, 0, ['waits'], { timeoutMs: 400 });
  assert.equal(slow.error, 'REQUEST_TIMED_OUT');
});

test('a new leader: the old leader\'s unreplicated tail is truncated away (KIP-101/279) and logs converge byte for byte', async (t) => {
  const c = await cluster(t);
  c.createTopic(T, 1, [1, 2, 3]);
  let l1 = await client(t, c, 1);
  for (let i = 0; i < 5; i++) assert.equal((await l1.produce(T, 0, [`committed-${i}`])).error, null);
  // Followers stop; the leader takes writes nobody else gets (acks=1).
  await c.stopNode(2); await c.stopNode(3);
  for (let i = 0; i < 3; i++) assert.equal((await l1.produce(T, 0, [`lost-${i}`, `lost-${i}b`], { acks: 1 })).error, null);
  assert.equal(c.broker(1).replicas.get(T, 0)!.logEndOffset, 11n);
  l1.close();
  await c.stopNode(1);
  // Broker 2 becomes leader in epoch 2 and takes new writes at the same offsets.
  await c.startNode(2); await c.startNode(3);
  c.controller.elect(T, 0, 2, [1, 2, 3], [2, 3]);
  const l2 = await client(t, c, 2);
  for (let i = 0; i < 4; i++) assert.equal((await l2.produce(T, 0, [`new-${i}`])).error, null);
  // The old leader returns as a follower: it truncates to offset 5 and copies epoch 2's batches.
  await c.startNode(1);
  await until(() => c.broker(1).replicas.get(T, 0)!.logEndOffset === 9n && logBytes(c.broker(1), T, 0).equals(logBytes(c.broker(2), T, 0)), 10000, 'the old leader converges on the new leader\'s log');
  const values = (await l2.fetch(T, 0, 0n)).values.map((v) => v.value);
  assert.deepEqual(values, ['committed-0', 'committed-1', 'committed-2', 'committed-3', 'committed-4', 'new-0', 'new-1', 'new-2', 'new-3']);
  assert.deepEqual(c.broker(1).replicas.get(T, 0)!.log.leaderEpochs.all.map((e) => [e.epoch, Number(e.startOffset)]), [[1, 0], [2, 5]]);
  // OffsetForLeaderEpoch from the leader's epoch cache.
  assert.deepEqual(await l2.offsetForLeaderEpoch(T, 0, 1), { error: null, leaderEpoch: 1, endOffset: 5n });
  assert.deepEqual(await l2.offsetForLeaderEpoch(T, 0, 2), { error: null, leaderEpoch: 2, endOffset: 9n });
  assert.equal((await l2.offsetForLeaderEpoch(T, 0, 2, 1)).error, 'FENCED_LEADER_EPOCH');
  assert.equal((await l2.fetch(T, 0, 0n, { currentLeaderEpoch: 1 })).error, 'FENCED_LEADER_EPOCH');
  assert.equal((await l2.fetch(T, 0, 0n, { currentLeaderEpoch: 3 })).error, 'UNKNOWN_LEADER_EPOCH');
  l1 = await client(t, c, 1);
  assert.equal((await l1.produce(T, 0, ['to the old leader'])).error, 'NOT_LEADER_OR_FOLLOWER');
});

test('an idempotent producer keeps its sequence across a leader change: the retried batch is not written twice', async (t) => {
  const c = await cluster(t);
  c.createTopic(T, 1, [1, 2, 3]);
  const l1 = await client(t, c, 1);
  const pid = { producerId: 4242n, producerEpoch: 0 };
  assert.equal((await l1.produce(T, 0, ['s0'], { batch: { ...pid, baseSequence: 0 } })).error, null);
  const second = await l1.produce(T, 0, ['s1', 's2'], { batch: { ...pid, baseSequence: 1 } });
  assert.equal(second.baseOffset, 1n);
  c.controller.elect(T, 0, 2, [1, 2, 3], [1, 2, 3]);
  const l2 = await client(t, c, 2);
  await until(async () => (await l2.produce(T, 0, ['s1', 's2'], { batch: { ...pid, baseSequence: 1 } })).error === null, 5000, 'the new leader answers');
  // The retry of sequence 1 (its acknowledgement was "lost") lands at its first offsets, not again.
  const retry = await l2.produce(T, 0, ['s1', 's2'], { batch: { ...pid, baseSequence: 1 } });
  assert.equal(retry.error, null); assert.equal(retry.baseOffset, 1n);
  const gap = await l2.produce(T, 0, ['s9'], { batch: { ...pid, baseSequence: 9 } });
  assert.equal(gap.error, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  const next = await l2.produce(T, 0, ['s3'], { batch: { ...pid, baseSequence: 3 } });
  assert.equal(next.error, null); assert.equal(next.baseOffset, 3n);
  assert.deepEqual((await l2.fetch(T, 0, 0n)).values.map((v) => v.value), ['s0', 's1', 's2', 's3']);
});

test('the group coordinator follows the leadership of its __consumer_offsets partition: offsets committed on the old leader are served by the new one', async (t) => {
  const c = await cluster(t);
  c.createTopic('__consumer_offsets', 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  c.createTopic(T, 1, [1, 2, 3]);
  const commit = (cl: TestClient, offset: bigint) => cl.conn.send(OffsetCommit, 7, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: T, partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: '' }] }] })
    .then((r) => r.topics[0].partitions[0].errorCode);
  const fetchOffset = (cl: TestClient) => cl.conn.send(OffsetFetch, 7, { groupId: 'g', topics: [{ name: T, partitionIndexes: [0] }] })
    .then((r) => ({ error: r.errorCode, offset: r.topics[0]?.partitions[0]?.committedOffset }));
  const b1 = await client(t, c, 1);
  const b2 = await client(t, c, 2);
  assert.equal(await commit(b1, 42n), 0);
  assert.equal(await commit(b2, 7n), code('NOT_COORDINATOR'), 'a follower of the coordinator partition is not the coordinator');
  assert.deepEqual(await fetchOffset(b1), { error: 0, offset: 42n });
  // An acknowledged commit is on the in-sync replicas already.
  assert.equal(c.broker(2).replicas.get('__consumer_offsets', 0)!.logEndOffset, c.broker(1).replicas.get('__consumer_offsets', 0)!.logEndOffset, 'the commit was replicated before its answer');
  c.controller.elect('__consumer_offsets', 0, 2, [1, 2, 3], [1, 2, 3]);
  assert.deepEqual(await fetchOffset(b2), { error: 0, offset: 42n }, 'loaded on election');
  assert.equal((await fetchOffset(b1)).error, code('NOT_COORDINATOR'), 'the old coordinator unloaded the group');
  assert.equal(await commit(b2, 43n), 0);
});
