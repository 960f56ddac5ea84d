// kafkajs 2.2.4 producer and admin against the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { startBroker } from './helpers/broker.ts';

test('kafkajs: produce, offsets by time, delete records, describe cluster and configs', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'js', numPartitions: 2, configEntries: [{ name: 'segment.bytes', value: '4096' }] }] });
  assert.deepEqual((await admin.listTopics()).filter((x) => x === 'js'), ['js']);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.after(() => producer.disconnect());
  const t0 = Date.now() - 10_000;
  for (let i = 0; i < 50; i++) {
    const res = await producer.send({
      topic: 'js', acks: -1, compression: i % 2 ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: [{ partition: 0, key: `k${i}`, value: `v${i}`.padEnd(200, '.'), timestamp: String(t0 + i * 10), headers: { i: String(i) } }],
    });
    assert.equal(res[0].errorCode, 0);
    assert.equal(res[0].baseOffset, String(i));
  }
  const offsets = await admin.fetchTopicOffsets('js');
  const p0 = offsets.find((o) => o.partition === 0)!;
  assert.equal(p0.low, '0');
  assert.equal(p0.high, '50');
  const byTime = await admin.fetchTopicOffsetsByTimestamp('js', t0 + 255);
  assert.equal(byTime.find((o) => o.partition === 0)!.offset, '26');
  // segment.bytes=4096 rolled several segments; deleting records drops the old ones
  assert.ok(b.broker.replicas.get('js', 0)!.log.segments.length > 2);
  await admin.deleteTopicRecords({ topic: 'js', partitions: [{ partition: 0, offset: '30' }] });
  const after = await admin.fetchTopicOffsets('js');
  assert.equal(after.find((o) => o.partition === 0)!.low, '30');
  const cluster = await admin.describeCluster();
  assert.equal(cluster.controller, 0);
  assert.equal(cluster.brokers[0].port, b.port);
  const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: 'js' }], includeSynonyms: false });
  const seg = cfg.resources[0].configEntries.find((e) => e.configName === 'segment.bytes')!;
  assert.equal(seg.configValue, '4096');
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'js', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
  const cfg2 = await admin.describeConfigs({ resources: [{ type: 2, name: 'js' }], includeSynonyms: false });
  assert.equal(cfg2.resources[0].configEntries.find((e) => e.configName === 'retention.ms')!.configValue, '1000');
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'js' }], validateOnly: false }).then((ok) => { if (!ok) throw new Error('exists'); }));
  await admin.deleteTopics({ topics: ['js'] });
  assert.ok(!(await admin.listTopics()).includes('js'));
});

test('kafkajs: unknown topic with auto-create off gives UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  const b = await startBroker({ config: { 'auto.create.topics.enable': 'false' } });
  t.after(() => b.stop());
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await assert.rejects(producer.send({ topic: 'nope', messages: [{ value: 'x' }] }), /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/i);
});
