// client/admin-cluster.ts (on client/admin.ts) against a real broker: the admin
// calls the UI needs, with a real kafkajs consumer group and producer on the other side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { summarizeKafkaError } from '../client/admin-errors.ts';
import { startBroker } from './helpers/broker.ts';

test('ClusterAdmin: cluster, topics, offsets, configs, groups and log dirs', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const admin = new ClusterAdmin({ bootstrap: broker.bootstrap, clientId: 'admin-test', retries: 2 });
  t.after(() => admin.close());
  const kafka = new Kafka({ clientId: 'admin-test-kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  assert.equal(cluster.brokers[0].port, broker.port);
  assert.equal(cluster.controllerId, cluster.brokers[0].nodeId);
  assert.ok(cluster.clusterId);

  await admin.createTopic({ topic: 'orders', partitions: 3, configs: { 'retention.ms': '3600000' } });
  assert.ok((await admin.listTopics(true)).includes('orders'));
  const [meta] = await admin.describeTopics(['orders']);
  assert.deepEqual(meta.partitions.map((p) => p.partition), [0, 1, 2]);
  for (const p of meta.partitions) { assert.equal(p.leader, cluster.brokers[0].nodeId); assert.deepEqual(p.isr, [p.leader]); }

  const err = await admin.createTopic({ topic: 'orders' }).then(() => null, (e) => e);
  assert.ok(err, 'creating an existing topic fails');
  assert.ok(summarizeKafkaError(err).codes.includes('TOPIC_ALREADY_EXISTS'), summarizeKafkaError(err).message);
  assert.equal(summarizeKafkaError(err).retriable, false);
  const unknown = await admin.describeTopics(['nope']).then(() => null, (e) => e);
  assert.ok(summarizeKafkaError(unknown).codes.includes('UNKNOWN_TOPIC_OR_PARTITION'));

  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const before = Date.now();
  await producer.send({ topic: 'orders', messages: Array.from({ length: 10 }, (_, i) => ({ partition: 1, value: `v${i}`, timestamp: String(before - 60_000 + i * 1000) })) });
  const offsets = await admin.topicOffsets(['orders']);
  assert.deepEqual(offsets.map((o) => [o.partition, o.earliest, o.latest]), [[0, 0, 0], [1, 0, 10], [2, 0, 0]]);
  const byTime = await admin.offsetsForTimes('orders', before - 60_000 + 4500);
  assert.equal(byTime.find((o) => o.partition === 1)!.offset, 5);
  assert.equal(byTime.find((o) => o.partition === 0)!.offset, -1, 'no record that late');

  const configs = await admin.describeTopicConfigEntries('orders');
  const retention = configs.find((c) => c.name === 'retention.ms')!;
  assert.equal(retention.value, '3600000');
  assert.equal(retention.source, 1);
  assert.equal(retention.isDefault, false);
  assert.equal(configs.find((c) => c.name === 'cleanup.policy')!.isDefault, true);
  await admin.replaceTopicConfigs('orders', { 'cleanup.policy': 'compact' });
  const after = await admin.describeTopicConfigEntries('orders');
  assert.equal(after.find((c) => c.name === 'cleanup.policy')!.value, 'compact');
  assert.equal(after.find((c) => c.name === 'retention.ms')!.isDefault, true, 'AlterConfigs replaces the whole override set');

  await admin.createPartitions('orders', 4);
  assert.equal((await admin.describeTopics(['orders']))[0].partitions.length, 4);

  // A live consumer group: described with its decoded assignment, then its offsets.
  const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 10_000 });
  await consumer.connect();
  t.after(() => consumer.disconnect().catch(() => undefined));
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async () => { if (++seen === 10) resolve(); } });
  });
  await done;
  await consumer.commitOffsets([{ topic: 'orders', partition: 1, offset: '10' }]);
  const groups = await admin.listGroups();
  assert.deepEqual(groups.map((g) => [g.groupId, g.protocolType]), [['billing', 'consumer']]);
  const [g] = await admin.inspectGroups(['billing']);
  assert.equal(g.state, 'Stable');
  assert.equal(g.members.length, 1);
  assert.deepEqual(g.members[0].assignment, [{ topic: 'orders', partitions: [0, 1, 2, 3] }]);
  assert.ok(g.members[0].clientId);
  const committed = await admin.groupOffsets('billing');
  assert.deepEqual(committed.filter((c) => c.offset >= 0).map((c) => [c.topic, c.partition, c.offset]), [['orders', 1, 10]]);

  await consumer.disconnect();
  const [empty] = await admin.inspectGroups(['billing']);
  assert.equal(empty.state, 'Empty');
  await admin.setGroupOffsets('billing', [{ topic: 'orders', partition: 1, offset: 3 }]);
  assert.equal((await admin.groupOffsets('billing')).find((c) => c.partition === 1)!.offset, 3);
  const [dead] = await admin.inspectGroups(['no-such-group']);
  assert.equal(dead.state, 'Dead');
  await admin.deleteGroups(['billing']);
  assert.deepEqual(await admin.listGroups(), []);

  const dirs = await admin.describeLogDirs();
  assert.equal(dirs.length, 1);
  assert.equal(dirs[0].error, null);
  const size = dirs[0].dirs!.flatMap((d) => d.topics).find((x) => x.name === 'orders')!.partitions.find((p) => p.partition === 1)!.size;
  assert.ok(size > 0, 'the partition with records has a size');

  await admin.deleteTopics(['orders']);
  assert.ok(!(await admin.listTopics(true)).includes('orders'));
});

test('ClusterAdmin: an unreachable broker is a network error, quickly', async (t) => {
  const admin = new ClusterAdmin({ bootstrap: '127.0.0.1:1', clientId: 'admin-test', retries: 1 });
  t.after(() => admin.close());
  const err = await admin.listTopics().then(() => null, (e) => e);
  assert.ok(err);
  const s = summarizeKafkaError(err);
  assert.equal(s.network, true, s.message);
  assert.match(s.message, /ECONNREFUSED|connect/i);
});
