// The order in which a transaction ends on a cluster (Kafka's): EndTxn is answered once
// PrepareCommit is held by the ISR of the id's __transaction_state partition; the markers
// follow, retried with each partition's current leader until all are written; until then
// the id answers CONCURRENT_TRANSACTIONS and read_committed consumers see nothing of it.
// Three in-process brokers whose leadership the test decides (test/helpers/replication-cluster.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicationCluster, TestClient, until } from './helpers/replication-cluster.ts';
import { AddPartitionsToTxn, DescribeTransactions, EndTxn, Fetch, InitProducerId } from '../server/protocol/apis/index.ts';
import { code } from '../server/errors.ts';
import { readBatchInfo, readRecords } from '../server/log/record-batch.ts';

const T = 'orders';
const TXN = '__transaction_state';

/** What a read_committed consumer reads of a partition from `client`'s broker. */
async function readCommitted(client: TestClient, partition: number): Promise<string[]> {
  const r = await client.conn.send(Fetch, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, isolationLevel: 1,
    topics: [{ topic: T, partitions: [{ partition, fetchOffset: 0n, currentLeaderEpoch: -1, partitionMaxBytes: 1 << 24 }] }],
  });
  const p = r.responses[0].partitions[0];
  assert.equal(p.errorCode, 0, `fetch ${T}-${partition}`);
  const aborted = (p.abortedTransactions ?? []).length;
  assert.equal(aborted, 0, 'no aborted transaction here');
  const out: string[] = [];
  const data: Buffer = p.records ?? Buffer.alloc(0);
  let pos = 0;
  while (pos + 61 <= data.length) {
    const info = readBatchInfo(data, pos);
    // Control batches (markers) are not records to a consumer; a record at or above the LSO is not visible.
    if ((info.attributes & 0x20) === 0) for (const rec of readRecords(data, pos)) if (rec.offset < p.lastStableOffset) out.push(rec.value!.toString());
    pos += info.size;
  }
  return out;
}

test('EndTxn is answered once PrepareCommit is replicated, while a partition\'s leader cannot be reached; the markers follow to its new leader, and until they are written the id answers CONCURRENT_TRANSACTIONS and read_committed sees nothing', async (t) => {
  const c = new ReplicationCluster();
  t.after(() => c.stop());
  await c.start([1, 2, 3]);
  c.createTopic(TXN, 1, [1, 2, 3], { 'cleanup.policy': 'compact' });
  // Partition 0 led by the coordinator itself, partition 1 by broker 2.
  c.createTopic(T, 2, [1, 2, 3]);
  c.controller.elect(T, 1, 2, [2, 3, 1], [2, 3, 1]);
  const clients = new Map<number, TestClient>();
  for (const id of [1, 2, 3]) { const cl = await TestClient.connect(c.broker(id).port); clients.set(id, cl); t.after(() => cl.close()); }
  const on = (id: number) => clients.get(id)!;

  const init = await on(1).conn.send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 });
  assert.equal(init.errorCode, 0);
  const ids = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const addPartitions = async () => {
    const r = await on(1).conn.send(AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: ids.producerId, v3AndBelowProducerEpoch: ids.producerEpoch, v3AndBelowTopics: [{ name: T, partitions: [0, 1] }] });
    return (r.resultsByTopicV3AndBelow as { resultsByPartition: { partitionErrorCode: number }[] }[])[0].resultsByPartition.map((x) => x.partitionErrorCode);
  };
  assert.deepEqual(await addPartitions(), [0, 0]);
  assert.equal((await on(1).produce(T, 0, ['a0', 'b0'], { batch: { ...ids, transactional: true, baseSequence: 0 } })).error, null);
  assert.equal((await on(2).produce(T, 1, ['a1', 'b1'], { batch: { ...ids, transactional: true, baseSequence: 0 } })).error, null);
  const lso = (broker: number, p: number) => c.broker(broker).replicas.get(T, p)!.lastStableOffset();
  assert.equal(lso(2, 1), 0n, 'the open transaction holds the last stable offset');

  // The coordinator cannot reach partition 1's leader: EndTxn still answers (the prepare is replicated).
  c.controller.endpoints.get(2)!.alive = false;
  const ended = on(1).conn.send(EndTxn, 1, { transactionalId: 'tx', ...ids, committed: true });
  const answer = await Promise.race([ended, new Promise<'none'>((r) => { const x = setTimeout(() => r('none'), 15000); x.unref(); })]);
  assert.notEqual(answer, 'none', 'EndTxn was not answered while a partition of the transaction had an unreachable leader');
  assert.equal((answer as { errorCode: number }).errorCode, 0);
  const txnLog = (id: number) => c.broker(id).replicas.get(TXN, 0)!;
  assert.ok(txnLog(1).highWatermark === txnLog(1).logEndOffset, 'answered only once the ISR holds the prepare');

  const describe = async () => (await on(1).conn.send(DescribeTransactions, 0, { transactionalIds: ['tx'] })).transactionStates[0].transactionState;
  assert.equal(await describe(), 'PrepareCommit', 'the marker of partition 1 is not written yet');
  assert.equal(lso(2, 1), 0n, 'partition 1\'s last stable offset stays at the transaction');
  assert.deepEqual(await readCommitted(on(2), 1), [], 'read_committed sees nothing of the transaction on partition 1');
  // The id is busy until the transaction is complete (clients retry).
  assert.deepEqual(await addPartitions(), [code('CONCURRENT_TRANSACTIONS'), code('CONCURRENT_TRANSACTIONS')]);
  assert.equal((await on(1).conn.send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 })).errorCode, code('CONCURRENT_TRANSACTIONS'));

  // The partition's leadership moves to broker 3: the coordinator finds it and writes the marker there.
  c.controller.elect(T, 1, 3, [2, 3, 1], [3, 1]);
  await until(() => c.broker(3).replicas.get(T, 1)!.isLeader && lso(3, 1) === c.broker(3).replicas.get(T, 1)!.logEndOffset && lso(3, 1) > 2n, 20000, 'the commit marker on partition 1\'s new leader');
  await until(async () => (await describe()) === 'CompleteCommit', 10000, 'CompleteCommit');
  assert.deepEqual(await readCommitted(on(3), 1), ['a1', 'b1']);
  assert.deepEqual(await readCommitted(on(1), 0), ['a0', 'b0']);
  assert.deepEqual(await addPartitions(), [0, 0], 'the next transaction begins');
});
