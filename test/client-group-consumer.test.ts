// The internal group consumer (client/GroupConsumer, what Connect's sink tasks read with)
// against a real broker while members join and leave and records keep arriving: every
// record is handed out, and none to two members (a rebalance gives a partition to its
// new owner only after the old one stopped and committed, as Kafka's eager protocol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaAdmin, KafkaProducer } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';
import { startGroupMember, type HandledBy, type TestMember } from './helpers/group-members.ts';

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

  let producing = true;
  let sent = 0;
  const writer = (async () => {
    while (producing) {
      await producer.send(Array.from({ length: PARTITIONS * 5 }, (_, i) => ({ topic: 'flow', partition: i % PARTITIONS, value: Buffer.from(`v${sent + i}`) })));
      sent += PARTITIONS * 5;
      await sleep(15);
    }
  })();
  t.after(async () => {
    producing = false;
    await writer.catch(() => undefined);
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
  producing = false;
  await writer;

  const ends = await admin.topicOffsets(['flow']);
  const total = ends.reduce((n, e) => n + e.latest, 0);
  assert.equal(total, sent);
  const deadline = Date.now() + 20000;
  while (handledBy.size < total && Date.now() < deadline) await sleep(100);
  assert.equal(handledBy.size, total, `every record handled (${handledBy.size} of ${total})`);
  const twice = [...handledBy].filter(([, by]) => by.length > 1);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} records handled more than once`);
  assert.deepEqual(members.map((m) => m.failed()).filter(Boolean), [], 'no member loop failed');
});
