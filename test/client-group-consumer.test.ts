// The internal group consumer (client/GroupConsumer, what Connect's sink tasks read with)
// against a real broker while members join and leave and records keep arriving: every
// record is handed out, and none to two members (a rebalance gives a partition to its
// new owner only after the old one stopped and committed, as Kafka's eager protocol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterAdmin, GroupConsumer, KafkaAdmin, KafkaProducer } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';
import { assertEachHandledOnce, startGroupMember, startWriter, type HandledBy, type TestMember } from './helpers/group-members.ts';

const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('client: members joining and leaving while records arrive: every record handled once, by one member', async (t) => {
  const b = await startBroker();
  const cfg = { bootstrap: b.bootstrap, clientId: 'gc-test' };
  const admin = new KafkaAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  await admin.createTopics([{ topic: 'flow', partitions: PARTITIONS, replicationFactor: 1 }]);

  const handledBy: HandledBy = new Map();
  const members: TestMember[] = [];
  const startMember = (name: string) => { members.push(startGroupMember(cfg, name, 'gc-group', 'flow', handledBy)); };

  const writer = startWriter(producer, 'flow', PARTITIONS, 15);
  t.after(async () => {
    await writer.stop().catch(() => undefined);
    for (const m of members) await m.stop().catch(() => undefined);
    await Promise.all([admin.close(), producer.close()]);
    await b.stop();
  });

  // four rebalances with records flowing: join, join, leave, join
  startMember('a');
  await sleep(1500);
  startMember('b');
  await sleep(1500);
  startMember('c');
  await sleep(1500);
  await members.find((m) => m.name === 'b')!.stop();
  await sleep(1500);
  startMember('d');
  await sleep(1500);
  const sent = await writer.stop();
  await assertEachHandledOnce(admin, 'flow', sent, handledBy, 20000);
  assert.deepEqual(members.map((m) => m.failed()).filter(Boolean), [], 'no member loop failed');
});

test('client: partitions added to a subscribed topic reach the group: its leader sees the new count and the group rebalances', async (t) => {
  const b = await startBroker();
  const cfg = { bootstrap: b.bootstrap, clientId: 'gc-grow' };
  const admin = new ClusterAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  await admin.createTopics([{ topic: 'grow', partitions: 2, replicationFactor: 1 }]);
  const members = ['a', 'b'].map((name) => new GroupConsumer({ ...cfg, clientId: name, groupId: 'gc-grow', topics: ['grow'], heartbeatIntervalMs: 300, sessionTimeoutMs: 10000, maxWaitMs: 100, metadataRefreshMs: 300 }));
  let stopping = false;
  const got = new Set<number>();
  const loops = members.map(async (c) => {
    await c.start();
    while (!stopping) for (const batch of await c.poll()) if (batch.records.length) got.add(batch.partition);
  });
  t.after(async () => {
    stopping = true;
    await Promise.allSettled(loops);
    for (const c of members) await c.close();
    await Promise.all([admin.close(), producer.close()]);
    await b.stop();
  });
  const owned = () => members.flatMap((c) => c.assignment().map((tp) => tp.partition)).sort();
  const deadline = Date.now() + 30000;
  while (owned().length !== 2 || members.some((c) => !c.assignment().length)) { assert.ok(Date.now() < deadline, 'both members got a partition'); await sleep(50); }
  await admin.createPartitions('grow', 4);
  // the producer's metadata may not show the new partitions yet
  for (;;) {
    try { await producer.send([2, 3].map((partition) => ({ topic: 'grow', partition, value: Buffer.from('new') }))); break; } catch (e) { assert.ok(Date.now() < deadline + 30000, String(e)); await sleep(200); }
  }
  while (owned().join() !== '0,1,2,3' || !got.has(2) || !got.has(3)) { assert.ok(Date.now() < deadline + 30000, `the new partitions assigned and read (owned ${owned()})`); await sleep(50); }
});
