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

  // the topic appears in the store without a notification
  const topic = `late-${randomUUID().slice(0, 8)}`;
  const db = new pg.Client({ connectionString: c.db.url });
  await db.connect();
  try {
    await db.query('INSERT INTO tributary_topics (name, id, internal, configs, created_at) VALUES ($1, $2, false, $3, $4)', [topic, randomUUID().replace(/-/g, ''), '{}', Date.now()]);
    await db.query('INSERT INTO tributary_partitions (topic, partition, leader, leader_epoch, partition_epoch, replicas, isr) VALUES ($1, 0, 1, 0, 0, $2, $2)', [topic, [1]]);
  } finally { await db.end(); }

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
