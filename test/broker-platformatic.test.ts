// @platformatic/kafka (flexible versions: compact types, tagged fields, request
// header v2) producing and administering against the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer, Admin, stringSerializers } from '@platformatic/kafka';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';

test('@platformatic/kafka: admin create/metadata/delete and produce, read back with kcat', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new Admin({ clientId: 'pk-admin', bootstrapBrokers: [b.bootstrap] });
  t.after(() => admin.close());
  await admin.createTopics({ topics: ['pk'], partitions: 3, replicas: 1 });
  const meta = await admin.metadata({ topics: ['pk'] });
  const topic = meta.topics.get('pk')!;
  assert.equal(topic.partitionsCount, 3);
  const producer = new Producer({ clientId: 'pk-producer', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers });
  t.after(() => producer.close());
  const res = await producer.send({ messages: Array.from({ length: 30 }, (_, i) => ({ topic: 'pk', key: `k${i}`, value: `v${i}`, headers: { n: String(i) }, partition: i % 3 })) });
  assert.ok(res.offsets && res.offsets.length > 0);
  const out = (await kcat(['-b', b.bootstrap, '-t', 'pk', '-C', '-e', '-q', '-f', '%p %k %s %h\n'])).trim().split('\n');
  assert.equal(out.length, 30);
  for (const line of out) {
    const [p, k, v, h] = line.split(' ');
    const i = Number(k.slice(1));
    assert.equal(v, `v${i}`);
    assert.equal(Number(p), i % 3);
    assert.equal(h, `n=${i}`);
  }
  await admin.deleteTopics({ topics: ['pk'] });
  const after = await admin.metadata({ topics: [] });
  assert.ok(!after.topics.has('pk'));
});

test('@platformatic/kafka consumer group reads with Fetch v12+ (topic ids, flexible versions)', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '2' } });
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-t', 'pkc', '-P', '-K:'], Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n');
  const { Consumer, stringDeserializers, MessagesStreamModes } = await import('@platformatic/kafka');
  const consumer = new Consumer({ groupId: 'pk-group', clientId: 'pk-consumer', bootstrapBrokers: [b.bootstrap], deserializers: stringDeserializers, sessionTimeout: 6000, heartbeatInterval: 500 });
  const stream = await consumer.consume({ topics: ['pkc'], mode: MessagesStreamModes.EARLIEST, autocommit: true });
  const seen = new Set<string>();
  for await (const m of stream) {
    seen.add(m.value as string);
    if (seen.size === 50) break;
  }
  await consumer.close(true);
  assert.equal(seen.size, 50);
  assert.ok(seen.has('v0') && seen.has('v49'));
});
