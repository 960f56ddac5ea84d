// Transactional consumer offsets (TxnOffsetCommit) across a move of the group's
// coordinator, on three in-process brokers whose leadership the test decides
// (test/helpers/replication-cluster.ts). Kafka writes them to __consumer_offsets as
// records of the transaction and completes them on its marker; a coordinator that
// takes the partition over between TxnOffsetCommit and EndTxn must know them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationCluster, TestClient, until } from './helpers/replication-cluster.ts';
import { code } from '../server/errors.ts';
import { AddOffsetsToTxn, AddPartitionsToTxn, DescribeTransactions, EndTxn, InitProducerId, OffsetFetch, TxnOffsetCommit } from '../server/protocol/apis/index.ts';

const T = 'orders';
const OFFSETS = '__consumer_offsets';

async function setUp(t: { after: (fn: () => Promise<void> | void) => void }) {
  const c = new ReplicationCluster();
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  c.createTopic(OFFSETS, 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  c.createTopic('__transaction_state', 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  c.createTopic(T, 1, [1, 2, 3]);
  const clients = new Map<number, TestClient>();
  for (const id of [1, 2, 3]) { const cl = await TestClient.connect(c.broker(id).port); clients.set(id, cl); t.after(() => cl.close()); }
  const on = (id: number) => clients.get(id)!.conn;
  /** The group's offset on broker `id` without requireStable: what is committed now, pending transactions left out. */
  const committed = async (id: number) => {
    const r = await on(id).send(OffsetFetch, 7, { groupId: 'g', topics: [{ name: T, partitionIndexes: [0] }] });
    assert.equal(r.errorCode, 0, `OffsetFetch on broker ${id}`);
    return r.topics[0].partitions[0].committedOffset;
  };
  /** With requireStable (KIP-447), as a read_committed consumer: UNSTABLE_OFFSET_COMMIT while a transaction's offsets wait for their marker. */
  const stableOrUnstable = async (id: number) => {
    const r = await on(id).send(OffsetFetch, 7, { groupId: 'g', topics: [{ name: T, partitionIndexes: [0] }], requireStable: true });
    assert.equal(r.errorCode, 0, `OffsetFetch on broker ${id}`);
    const p = r.topics[0].partitions[0];
    return p.errorCode === code('UNSTABLE_OFFSET_COMMIT') ? 'unstable' as const : (assert.equal(p.errorCode, 0), p.committedOffset);
  };
  /** EndTxn is answered before the markers are written (Kafka's order): the stable offset, retried as the client does. */
  const stable = async (id: number) => until(async () => { const o = await stableOrUnstable(id); return o === 'unstable' ? null : { o }; }, 10000, 'a stable offset').then((x) => x!.o);
  /** InitProducerId + AddOffsetsToTxn + TxnOffsetCommit on broker 1 (the transaction coordinator), group g at `offset`. */
  const begin = async (offset: bigint, groupCoordinator: number) => {
    const init = await on(1).send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 });
    assert.equal(init.errorCode, 0);
    const ids = { transactionalId: 'tx', producerId: init.producerId, producerEpoch: init.producerEpoch };
    assert.equal((await on(1).send(AddOffsetsToTxn, 1, { ...ids, groupId: 'g' })).errorCode, 0);
    const r = await on(groupCoordinator).send(TxnOffsetCommit, 2, { ...ids, groupId: 'g', topics: [{ name: T, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    assert.equal(r.topics[0].partitions[0].errorCode, 0, 'TxnOffsetCommit');
    return { end: async (commit: boolean) => assert.equal((await on(1).send(EndTxn, 1, { ...ids, committed: commit })).errorCode, 0, 'EndTxn') };
  };
  return { c, begin, committed, stable, stableOrUnstable };
}

test('transactional offsets survive a move of the group coordinator between TxnOffsetCommit and EndTxn: committed ones become the group\'s offsets on the new coordinator, aborted ones never do', async (t) => {
  const { c, begin, committed, stable, stableOrUnstable } = await setUp(t);
  const txn = await begin(42n, 1);
  assert.equal(await committed(1), -1n, 'not visible before the transaction commits');
  assert.equal(await stableOrUnstable(1), 'unstable', 'requireStable: UNSTABLE_OFFSET_COMMIT while the transaction is open');
  // The group coordinator moves; the transaction coordinator (broker 1) stays.
  c.controller.elect(OFFSETS, 0, 2, [1, 2, 3], [1, 2, 3]);
  assert.equal(await committed(2), -1n, 'still pending on the new coordinator');
  assert.equal(await stableOrUnstable(2), 'unstable', 'the new coordinator replayed the pending offsets');
  await txn.end(true);
  assert.equal(await stable(2), 42n, 'the commit marker sent to the new coordinator completed the offsets it replayed');
  // Replayed from the log (the records and their marker) by the next coordinator as well.
  c.controller.elect(OFFSETS, 0, 3, [1, 2, 3], [1, 2, 3]);
  assert.equal(await committed(3), 42n, 'replayed: the transactional record and its commit marker');

  const aborted = await begin(50n, 3);
  c.controller.elect(OFFSETS, 0, 1, [1, 2, 3], [1, 2, 3]);
  await aborted.end(false);
  assert.equal(await stable(1), 42n, 'an aborted transaction\'s offsets never become the group\'s');
  c.controller.elect(OFFSETS, 0, 2, [1, 2, 3], [1, 2, 3]);
  assert.equal(await committed(2), 42n, 'replayed: the abort marker drops them');
});

test('a committed transaction\'s offsets survive a coordinator move after its marker, and one still open stays pending there', async (t) => {
  const { c, begin, committed, stable } = await setUp(t);
  const done = await begin(7n, 1);
  await done.end(true);
  assert.equal(await stable(1), 7n);
  const open = await begin(9n, 1);
  c.controller.elect(OFFSETS, 0, 3, [1, 2, 3], [1, 2, 3]);
  assert.equal(await committed(3), 7n, 'the committed offset moved; the open transaction\'s is not visible');
  await open.end(true);
  assert.equal(await stable(3), 9n, 'the open transaction completed on the new coordinator');
});

test('a transaction left in PrepareCommit by a coordinator that went away is completed by the next one: its markers are written and the partition\'s last stable offset moves past it', async (t) => {
  const c = new ReplicationCluster();
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  c.createTopic('__transaction_state', 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  c.createTopic(T, 1, [2, 3, 1]);
  const coord = await TestClient.connect(c.broker(1).port);
  const ender = await TestClient.connect(c.broker(1).port);
  const leader = await TestClient.connect(c.broker(2).port);
  const next = await TestClient.connect(c.broker(3).port);
  t.after(() => { coord.close(); ender.close(); leader.close(); next.close(); });
  const init = await coord.conn.send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 });
  const ids = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const add = await coord.conn.send(AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: ids.producerId, v3AndBelowProducerEpoch: ids.producerEpoch, v3AndBelowTopics: [{ name: T, partitions: [0] }] });
  assert.equal((add.resultsByTopicV3AndBelow as { resultsByPartition: { partitionErrorCode: number }[] }[])[0].resultsByPartition[0].partitionErrorCode, 0);
  assert.equal((await leader.produce(T, 0, ['a', 'b'], { batch: { ...ids, transactional: true, baseSequence: 0 } })).error, null);
  const part = () => c.broker(2).replicas.get(T, 0)!;
  const lso = () => c.broker(2).replicas.producerState.lastStableOffset(part());
  assert.equal(lso(), 0n, 'the open transaction holds the last stable offset');
  // The coordinator cannot reach the partition's leader: EndTxn persists PrepareCommit, then retries its marker.
  c.controller.endpoints.get(2)!.alive = false;
  const txnLog = (id: number) => c.broker(id).replicas.get('__transaction_state', 0)!;
  const before = txnLog(1).logEndOffset;
  void ender.conn.send(EndTxn, 1, { transactionalId: 'tx', ...ids, committed: true }).catch(() => {});
  await until(() => txnLog(1).logEndOffset > before && txnLog(3).logEndOffset === txnLog(1).logEndOffset, 10000, 'PrepareCommit replicated');
  await c.stopNode(1);
  c.controller.elect('__transaction_state', 0, 3, [1, 2, 3], [2, 3]);
  c.controller.elect(T, 0, 2, [2, 3, 1], [2, 3]);
  c.controller.endpoints.get(2)!.alive = true;
  await until(() => lso() === part().logEndOffset && part().logEndOffset > 2n, 20000, 'the commit marker on the partition');
  const d = await next.conn.send(DescribeTransactions, 0, { transactionalIds: ['tx'] });
  assert.equal(d.transactionStates[0].transactionState, 'CompleteCommit', 'the new coordinator completed it');
});

test('an OffsetFetch without requireStable (kafkajs, the platform\'s own client) after EndTxn waits for the offsets\' marker instead of answering the offset before the transaction', async (t) => {
  const { c, begin, committed } = await setUp(t);
  // The group's coordinator is broker 2; the transaction coordinator (broker 1) cannot reach it for the marker.
  c.controller.elect(OFFSETS, 0, 2, [1, 2, 3], [1, 2, 3]);
  const txn = await begin(42n, 2);
  c.controller.endpoints.get(2)!.alive = false;
  await txn.end(true); // answered: the prepare is replicated; the marker to broker 2 is retried
  // While the marker cannot arrive, the fetch answers as Kafka does once it stops waiting: the offset before.
  assert.equal(await committed(2), -1n);
  // A fetch asked while the marker is on its way answers the transaction's offset, not the one before it.
  const asked = committed(2);
  c.controller.endpoints.get(2)!.alive = true;
  assert.equal(await asked, 42n, 'the offset before the committed transaction: a consumer would re-read what it consumed');
});
