// The internal client (client/) against a real broker and real kcat: every codec
// both ways, read_committed up to the LSO without a consumer group, admin basics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { GroupConsumer, KafkaAdmin, KafkaProducer, PartitionReader, CODECS, type ConsumedRecord, type PartitionBatch } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { partitionFor } from '../client/murmur2.ts';

async function readAll(r: PartitionReader, want: number, timeoutMs = 15000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < want && Date.now() < deadline) for (const b of await r.poll()) out.push(...b.records);
  return out;
}

test('client: kcat writes with every codec, the partition reader reads each; our producer writes with every codec, kcat reads each', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const reader = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'client-test', maxWaitMs: 100 });
  t.after(() => Promise.all([admin.close(), reader.close()]));
  for (const codec of CODECS) {
    const topic = `from-kcat-${codec}`;
    await kcat(['-b', b.bootstrap, '-t', topic, '-P', '-K:', '-z', codec], Array.from({ length: 20 }, (_, i) => `k${i}:${codec}-${i}`).join('\n') + '\n');
    await reader.assign([{ topic, partition: 0, offset: 'earliest' }]);
    const got = await readAll(reader, 20);
    assert.deepEqual(got.map((r) => r.value?.toString()), Array.from({ length: 20 }, (_, i) => `${codec}-${i}`), codec);
    assert.equal(got[3].key?.toString(), 'k3');
    reader.unassign([{ topic, partition: 0 }]);

    const out = `from-client-${codec}`;
    await admin.createTopics([{ topic: out, partitions: 1, replicationFactor: 1 }]);
    const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test', compression: codec });
    t.after(() => p.close());
    const [res] = await p.send(Array.from({ length: 20 }, (_, i) => ({ topic: out, key: `k${i}`, value: `${codec}-${i}`, headers: { h: 'v' } })));
    assert.equal(res.offset, 0);
    const lines = (await kcat(['-b', b.bootstrap, '-t', out, '-C', '-e', '-q', '-f', '%k=%s %h\n'])).trim().split('\n');
    assert.deepEqual(lines, Array.from({ length: 20 }, (_, i) => `k${i}=${codec}-${i} h=v`), codec);
  }
});

test('client: read_committed stops at the LSO, skips aborted records, moves past markers; no consumer group appears', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const bootstrap = b.bootstrap;
  const admin = new KafkaAdmin({ bootstrap, clientId: 'client-test' });
  await admin.createTopics([{ topic: 'tx', partitions: 1, replicationFactor: 1 }]);
  const p = new KafkaProducer({ bootstrap, clientId: 'client-test', transactionalId: 'client-test-tx' });
  const reader = new PartitionReader({ bootstrap, clientId: 'client-test', isolation: 'read_committed', maxWaitMs: 50 });
  t.after(() => Promise.all([admin.close(), reader.close(), p.close()]));
  await p.initTransactions();
  let tx = await p.beginTransaction();
  await tx.send([{ topic: 'tx', key: 'a', value: 'aborted' }]);
  await tx.abort();
  tx = await p.beginTransaction();
  await tx.send([{ topic: 'tx', key: 'c', value: 'committed' }, { topic: 'tx', key: 'd', value: null }]);
  await tx.commit();
  tx = await p.beginTransaction();
  await tx.send([{ topic: 'tx', key: 'o', value: 'open' }]);

  const [ends] = await reader.endOffsets([{ topic: 'tx' }]);
  assert.equal(ends.latest, 6);
  assert.equal(ends.lastStable, 5, 'the open transaction holds the LSO');
  await reader.assign([{ topic: 'tx', partition: 0, offset: 0 }]);
  const seen: ConsumedRecord[] = [];
  for (let i = 0; i < 5 && reader.position('tx', 0)! < ends.lastStable; i++) for (const x of await reader.poll()) seen.push(...x.records);
  assert.deepEqual(seen.map((r) => [r.key?.toString(), r.value?.toString() ?? null]), [['c', 'committed'], ['d', null]]);
  assert.equal(reader.position('tx', 0), 5, 'position is past the commit marker, at the LSO');
  await tx.commit();
  const rest = await readAll(reader, 1);
  assert.deepEqual(rest.map((r) => r.value?.toString()), ['open']);
  const groups = await admin.listGroups();
  assert.deepEqual(groups, [], 'reading by assignment joins no group');
  const offsets = await admin.topicOffsets(['tx']);
  assert.deepEqual(offsets, [{ topic: 'tx', partition: 0, earliest: 0, latest: 7, lastStable: 7 }]);
});

test('client: read_committed skips every aborted transaction of a producer, also after its own commit markers, in one fetch', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  await admin.createTopics([{ topic: 'tx2', partitions: 1, replicationFactor: 1 }]);
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test', transactionalId: 'client-test-tx2' });
  const reader = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'client-test', isolation: 'read_committed', maxWaitMs: 50 });
  t.after(() => Promise.all([admin.close(), reader.close(), p.close()]));
  await p.initTransactions();
  // commit, abort, commit, abort, commit: a commit marker of the same producer sits before each aborted transaction
  for (const [values, end] of [[['c1', 'c2'], 'commit'], [['a1', 'a2'], 'abort'], [['c3'], 'commit'], [['a3'], 'abort'], [['c4'], 'commit']] as const) {
    const tx = await p.beginTransaction();
    await tx.send(values.map((value) => ({ topic: 'tx2', value })));
    await tx[end]();
  }
  await reader.assign([{ topic: 'tx2', partition: 0, offset: 0 }]);
  const seen = await readAll(reader, 4);
  assert.deepEqual(seen.map((r) => r.value?.toString()), ['c1', 'c2', 'c3', 'c4']);
  // from inside the first aborted transaction (its first offset is 3): still skipped
  reader.seek('tx2', 0, 4);
  const again = await readAll(reader, 2);
  assert.deepEqual(again.map((r) => r.value?.toString()), ['c3', 'c4']);
});

test('client: concurrent sends of one idempotent producer all land (none dropped as a duplicate sequence)', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test' });
  t.after(() => Promise.all([admin.close(), p.close()]));
  await admin.createTopics([{ topic: 'conc', partitions: 1, replicationFactor: 1 }]);
  const res = await Promise.all(Array.from({ length: 20 }, (_, i) => p.send([{ topic: 'conc', key: 'k', value: String(i) }])));
  assert.deepEqual(res.map(([r]) => r.offset).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  const [o] = await admin.topicOffsets(['conc']);
  assert.equal(o.latest, 20);
});

test('client: a keyed record lands on the partition Kafka\'s default partitioner picks (murmur2, positive), as librdkafka\'s murmur2_random does', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test' });
  t.after(() => Promise.all([admin.close(), p.close()]));
  await admin.createTopics([{ topic: 'keyed', partitions: 6, replicationFactor: 1 }]);
  const keys = ['foobar', '21', 'abc', ...Array.from({ length: 37 }, (_, i) => `key-${i}`)];
  await p.send(keys.map((k) => ({ topic: 'keyed', key: k, value: 'ours' })));
  await p.send([{ topic: 'keyed', key: null, value: 'no key' }, { topic: 'keyed', key: null, value: 'no key' }]);
  await kcat(['-b', b.bootstrap, '-t', 'keyed', '-P', '-K:', '-X', 'topic.partitioner=murmur2_random'], keys.map((k) => `${k}:kcat`).join('\n') + '\n');
  const lines = (await kcat(['-b', b.bootstrap, '-t', 'keyed', '-C', '-e', '-q', '-f', '%p %k %s\n'])).trim().split('\n');
  const where = new Map<string, number>();
  for (const l of lines) {
    const [part, key, value] = l.split(' ');
    if (value !== 'ours') continue;
    where.set(key, Number(part));
  }
  assert.equal(where.size, keys.length);
  for (const l of lines) {
    const [part, key, value] = l.split(' ');
    if (value === 'kcat') assert.equal(Number(part), where.get(key), `key ${key}: kcat (murmur2_random) chose ${part}, we chose ${where.get(key)}`);
  }
  assert.equal(where.get('foobar'), partitionFor(Buffer.from('foobar'), 6));
  assert.equal(partitionFor(Buffer.from('foobar'), 6), 0); // Java: (murmur2("foobar") = -790332482) & 0x7fffffff % 6
  assert.equal(lines.filter((l) => l.endsWith(' no key')).length, 2);
});

test('client: a partition whose position fell below the log start (DeleteRecords) restarts per auto.offset.reset while the other partitions keep being read — reader by assignment and group consumer', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const ka = kafka.admin();
  await ka.connect();
  t.after(() => Promise.all([admin.close(), p.close(), ka.disconnect()]));
  await admin.createTopics([{ topic: 'oor', partitions: 2, replicationFactor: 1 }]);
  await p.send(Array.from({ length: 10 }, (_, i) => ({ topic: 'oor', partition: 0, value: `a${i}` })));
  await p.send(Array.from({ length: 10 }, (_, i) => ({ topic: 'oor', partition: 1, value: `b${i}` })));
  // retention's effect, by DeleteRecords: partition 0 now starts at offset 6
  await ka.fetchTopicMetadata({ topics: ['oor'] });
  await ka.deleteTopicRecords({ topic: 'oor', partitions: [{ partition: 0, offset: '6' }] });
  const values = (bs: PartitionBatch[], part: number, into: string[]) => { for (const x of bs) if (x.partition === part) into.push(...x.records.map((r) => r.value!.toString())); };
  const all = (n: number) => Array.from({ length: 10 }, (_, i) => `${n ? 'b' : 'a'}${i}`);

  for (const resetTo of ['earliest', 'latest'] as const) {
    const r = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'client-test', maxWaitMs: 100, resetTo });
    t.after(() => r.close());
    await r.assign([{ topic: 'oor', partition: 0, offset: 2 }, { topic: 'oor', partition: 1, offset: 0 }]);
    const p0: string[] = [], p1: string[] = [];
    for (let i = 0; i < 30 && (p1.length < 10 || r.position('oor', 0) !== 10); i++) {
      const bs = await r.poll();
      values(bs, 0, p0);
      values(bs, 1, p1);
    }
    assert.deepEqual(p1, all(1), `${resetTo}: the other partition is read`);
    assert.deepEqual(p0, resetTo === 'earliest' ? ['a6', 'a7', 'a8', 'a9'] : [], `${resetTo}: partition 0 restarts at its ${resetTo} offset`);
    assert.equal(r.position('oor', 0), 10);
  }

  // a group whose committed offset of partition 0 (2) is below the log start now
  await ka.setOffsets({ groupId: 'oor-group', topic: 'oor', partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '0' }] });
  const c = new GroupConsumer({ bootstrap: b.bootstrap, clientId: 'client-test', groupId: 'oor-group', topics: ['oor'], autoOffsetReset: 'earliest', maxWaitMs: 100, heartbeatIntervalMs: 500 });
  t.after(() => c.close());
  await c.start();
  const p0: string[] = [], p1: string[] = [];
  for (let i = 0; i < 40 && (p0.length < 4 || p1.length < 10); i++) {
    const bs = await c.poll();
    values(bs, 0, p0);
    values(bs, 1, p1);
  }
  assert.deepEqual(p0, ['a6', 'a7', 'a8', 'a9']);
  assert.deepEqual(p1, all(1));
});

test('client: the partition reader\'s fetches open no fetch session on the broker (sessionless full fetches)', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'client-test' });
  const reader = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'client-test', maxWaitMs: 20 });
  t.after(() => Promise.all([admin.close(), reader.close()]));
  await admin.createTopics([{ topic: 'sessions', partitions: 1, replicationFactor: 1 }]);
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'client-test' });
  t.after(() => p.close());
  await p.send(Array.from({ length: 5 }, (_, i) => ({ topic: 'sessions', value: `v${i}` })));
  await reader.assign([{ topic: 'sessions', partition: 0, offset: 'earliest' }]);
  const got = await readAll(reader, 5);
  for (let i = 0; i < 10; i++) await reader.poll();
  assert.equal(got.length, 5);
  // each of those ~11 fetches would have been a new session with epoch 0
  assert.equal(b.broker.fetchSessions.size, 0);
});
