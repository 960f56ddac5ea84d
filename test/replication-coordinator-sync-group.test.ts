// Group state in a cluster is handed out only once stored: as Kafka's coordinator,
// the leader's assignment (SyncGroup) and a committed offset (what OffsetFetch
// answers) take effect once the in-sync replicas of __consumer_offsets hold their
// record, so a coordinator that takes the group over knows what the members and
// other readers were told. In-process brokers; the test decides leadership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationCluster, TestClient, until } from './helpers/replication-cluster.ts';
import { Heartbeat, JoinGroup, OffsetCommit, OffsetFetch, SyncGroup } from '../server/protocol/apis/index.ts';
import { code } from '../server/errors.ts';

const OFFSETS = '__consumer_offsets';

test('SyncGroup answers the assignment only once the ISR holds the group record; one that cannot be stored is REBALANCE_IN_PROGRESS, and the next coordinator knows the generation the members got', async (t) => {
  const c = new ReplicationCluster();
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  c.createTopic(OFFSETS, 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  const cl = await TestClient.connect(c.broker(1).port);
  t.after(() => cl.close());
  const joinOnce = (conn: TestClient, memberId: string) => conn.conn.send(JoinGroup, 5, { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 30000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }] });
  /** JoinGroup v5: the first call hands out the member id (MEMBER_ID_REQUIRED), the second joins with it. */
  const join = async (conn: TestClient, memberId: string) => {
    const r = await joinOnce(conn, memberId);
    return memberId || r.errorCode !== code('MEMBER_ID_REQUIRED') ? r : joinOnce(conn, r.memberId);
  };
  const sync = (conn: TestClient, memberId: string, generationId: number) => conn.conn.send(SyncGroup, 3, { groupId: 'g', generationId, memberId, groupInstanceId: null, assignments: [{ memberId, assignment: Buffer.from('p0') }] });

  // Broker 2, in the ISR, is down: nothing written now reaches every in-sync replica.
  await c.stopNode(2);
  const first = await join(cl, '');
  assert.equal(first.errorCode, 0);
  const refused = await sync(cl, first.memberId, first.generationId);
  assert.equal(refused.errorCode, code('REBALANCE_IN_PROGRESS'), 'an assignment the ISR could not store is not handed out');

  await c.startNode(2);
  const again = await join(cl, first.memberId);
  assert.equal(again.errorCode, 0);
  assert.ok(again.generationId > first.generationId, 'a new generation after the failed one');
  const ok = await sync(cl, again.memberId, again.generationId);
  assert.equal(ok.errorCode, 0);
  assert.equal(Buffer.from(ok.assignment).toString(), 'p0');
  const leo = c.broker(1).replicas.get(OFFSETS, 0)!.logEndOffset;
  assert.equal(c.broker(3).replicas.get(OFFSETS, 0)!.logEndOffset, leo, 'the group record was on the followers before the answer');

  // The coordinator moves: the member's generation is the one the new coordinator loaded.
  c.controller.elect(OFFSETS, 0, 3, [1, 2, 3], [1, 2, 3]);
  const cl3 = await TestClient.connect(c.broker(3).port);
  t.after(() => cl3.close());
  const heartbeat = () => cl3.conn.send(Heartbeat, 3, { groupId: 'g', generationId: again.generationId, memberId: again.memberId, groupInstanceId: null }).then((r) => r.errorCode);
  await until(async () => (await heartbeat()) !== code('NOT_COORDINATOR'), 10000, 'broker 3 coordinating');
  assert.equal(await heartbeat(), 0, 'the new coordinator knows the generation the member got');
});

test('a committed offset is what OffsetFetch answers only once the in-sync replicas hold it: never one a coordinator move could take back', async (t) => {
  const c = new ReplicationCluster();
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  c.createTopic(OFFSETS, 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  c.createTopic('orders', 1, [1, 2, 3]);
  const committer = await TestClient.connect(c.broker(1).port);
  const reader = await TestClient.connect(c.broker(1).port);
  t.after(() => { committer.close(); reader.close(); });
  const commit = (offset: bigint) => committer.conn.send(OffsetCommit, 7, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: '' }] }] }).then((r) => r.topics[0].partitions[0].errorCode);
  const fetched = () => reader.conn.send(OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0] }] }).then((r) => r.topics[0].partitions[0].committedOffset);
  assert.equal(await commit(5n), 0);
  assert.equal(await fetched(), 5n);
  // An ISR member is down: the next commit is in the leader's log but not on every in-sync replica.
  await c.stopNode(2);
  const log = c.broker(1).replicas.get(OFFSETS, 0)!;
  const before = log.logEndOffset;
  const pending = commit(9n);
  await until(() => log.logEndOffset > before, 10000, 'the commit appended');
  assert.equal(await fetched(), 5n, 'an offset the ISR does not hold yet is not answered');
  assert.notEqual(await pending, 0, 'nor acknowledged');
  assert.equal(await fetched(), 5n);
  await c.startNode(2);
  assert.equal(await commit(11n), 0);
  assert.equal(await fetched(), 11n);
});
