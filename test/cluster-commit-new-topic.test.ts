// A commit naming a topic that this broker has not heard of yet (created through another
// broker a moment ago; the store's notification still on its way) is answered after the
// broker re-reads the store, not with UNKNOWN_TOPIC_OR_PARTITION — librdkafka does not
// retry that error for a commit (its own test 0099 failed on a cluster before).
// To hold the notification back for certain, the test writes the topic's rows into the
// metadata store itself, without NOTIFY, and the brokers poll the store only every 20 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { python } from './helpers/clients.ts';
import { TestClient } from './helpers/replication-cluster.ts';
import { AddPartitionsToTxn, FindCoordinator, InitProducerId } from '../server/protocol/apis/index.ts';


/**
 * A one-partition topic led by broker 1 written straight into the metadata store, with no
 * NOTIFY: the brokers learn of it only when they read the store again.
 */
async function topicWithoutNotification(url: string): Promise<string> {
  const topic = `late-${randomUUID().slice(0, 8)}`;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('INSERT INTO tributary_topics (name, id, internal, configs, created_at) VALUES ($1, $2, false, $3, $4)', [topic, randomUUID().replace(/-/g, ''), '{}', Date.now()]);
    await db.query('INSERT INTO tributary_partitions (topic, partition, leader, leader_epoch, partition_epoch, replicas, isr) VALUES ($1, 0, 1, 0, 0, $2, $2)', [topic, [1]]);
  } finally { await db.end(); }
  return topic;
}

test('a commit for a topic the coordinator has not heard of yet re-reads the metadata store instead of answering UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=60000', '--set', 'broker.heartbeat.interval.ms=20000',
    '--set', 'offsets.topic.num.partitions=1', '--set', 'offsets.topic.replication.factor=1', '--set', 'group.initial.rebalance.delay.ms=0']);
  t.after(() => c.close());
  const b = await c.start(1);
  // the group's coordinator exists before the topic does (FindCoordinator creates __consumer_offsets)
  const prime = await python(['-c', `
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': '${b.bootstrap}', 'group.id': 'g1'})
c.list_topics(timeout=20)
print(c.committed([], timeout=20))
c.close()`]);
  assert.equal(prime.status, 0, prime.stderr);
  await waitFor('__consumer_offsets led', async () => (await kcatMetadata(b.bootstrap, '__consumer_offsets')).topics[0]?.partitions[0]?.leader === 1);

  const topic = await topicWithoutNotification(c.db.url);

  const r = await python(['-c', `
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': '${b.bootstrap}', 'group.id': 'g1'})
out = c.commit(offsets=[TopicPartition('${topic}', 0, 42)], asynchronous=False)
print('commit', out[0].error)
got = c.committed([TopicPartition('${topic}', 0)], timeout=20)
print('committed', got[0].offset)
c.close()`]);
  assert.equal(r.status, 0, `the commit failed: ${r.stderr}`);
  assert.match(r.stdout, /commit None/);
  assert.match(r.stdout, /committed 42/);
});

test('a commit for partitions whose replicas live on other brokers is accepted by the coordinator (it asks the cluster metadata, not its own replicas)', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'offsets.topic.num.partitions=1', '--set', 'offsets.topic.replication.factor=1', '--set', 'group.initial.rebalance.delay.ms=0']);
  t.after(() => c.close());
  const b1 = await c.start(1);
  await c.start(2);
  await waitFor('two brokers', async () => (await kcatMetadata(b1.bootstrap)).brokers.length === 2);
  // one partition on each broker: whichever coordinates the group holds a replica of only one
  const r = await python(['-c', `
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '${c.bootstrap()}'})
a.create_topics([NewTopic('spread', 2, replica_assignment=[[1], [2]])])['spread'].result()
c = Consumer({'bootstrap.servers': '${c.bootstrap()}', 'group.id': 'g2'})
c.list_topics('spread', timeout=20)
out = c.commit(offsets=[TopicPartition('spread', 0, 5), TopicPartition('spread', 1, 7)], asynchronous=False)
print('errors', [str(x.error) for x in out])
got = c.committed([TopicPartition('spread', 0), TopicPartition('spread', 1)], timeout=20)
print('committed', [x.offset for x in got])
c.close()`]);
  assert.equal(r.status, 0, `the commit failed: ${r.stderr}`);
  assert.match(r.stdout, /errors \['None', 'None'\]/);
  assert.match(r.stdout, /committed \[5, 7\]/);
});

test('AddPartitionsToTxn naming a topic the transaction coordinator has not heard of yet re-reads the metadata store instead of answering UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=60000', '--set', 'broker.heartbeat.interval.ms=20000',
    '--set', 'transaction.state.log.num.partitions=1', '--set', 'transaction.state.log.replication.factor=1']);
  t.after(() => c.close());
  const b = await c.start(1);
  const cl = await TestClient.connect(b.port);
  t.after(() => cl.close());
  // FindCoordinator creates __transaction_state; the id's coordinator is this broker once it leads it
  await waitFor('the transaction coordinator', async () => {
    const r = await cl.conn.send(FindCoordinator, 3, { key: 'tx', keyType: 1 });
    return r.errorCode === 0 && r.nodeId === 1;
  });
  const init = await waitFor('InitProducerId', async () => {
    const r = await cl.conn.send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 });
    return r.errorCode === 0 && r;
  });

  const topic = await topicWithoutNotification(c.db.url);

  const add = await cl.conn.send(AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [0] }] });
  const errs = (add.resultsByTopicV3AndBelow as { resultsByPartition: { partitionErrorCode: number }[] }[]).flatMap((x) => x.resultsByPartition.map((p) => p.partitionErrorCode));
  assert.deepEqual(errs, [0], 'the partition joined the transaction (3 = UNKNOWN_TOPIC_OR_PARTITION)');
});
