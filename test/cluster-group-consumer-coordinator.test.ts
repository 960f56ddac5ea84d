// client/GroupConsumer in a three-broker cluster when the group's coordinator dies (kill -9 of
// the leader of __consumer_offsets): the members find the new coordinator (FindCoordinator again
// after the broken connection / NOT_COORDINATOR), keep their membership and commits, records
// keep flowing; every record handled once, and the group's committed offsets end at the topic's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaAdmin, KafkaProducer } from '../client/index.ts';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { assertEachHandledOnce, startGroupMember, startWriter, type HandledBy, type TestMember } from './helpers/group-members.ts';

const SESSION_MS = 4000; // the brokers' (failover), not the group's (10 s)
const PARTITIONS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('cluster: group members follow the coordinator to another broker after kill -9; every record handled once, commits reach the new coordinator', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'offsets.topic.num.partitions=1', '--set', 'offsets.topic.replication.factor=3', '--set', 'group.initial.rebalance.delay.ms=0']);
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  const bootstrap = [...c.brokers.values()].map((b) => b.bootstrap);
  await waitFor('three brokers', async () => (await kcatMetadata(bootstrap[0])).brokers.length === 3);
  const cfg = { bootstrap, clientId: 'cgc-test' };
  const admin = new KafkaAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  const handledBy: HandledBy = new Map();
  const members: TestMember[] = [];
  let stopWriter = async () => 0;
  t.after(async () => {
    await stopWriter().catch(() => undefined);
    for (const m of members) await m.stop().catch(() => undefined);
    await Promise.all([admin.close(), producer.close()]);
    await c.close();
  });
  await admin.createTopics([{ topic: 'flow', partitions: PARTITIONS, replicationFactor: 3 }]);

  stopWriter = startWriter(producer, 'flow', PARTITIONS, 20).stop;

  members.push(startGroupMember(cfg, 'a', 'cgc-group', 'flow', handledBy), startGroupMember(cfg, 'b', 'cgc-group', 'flow', handledBy));
  await waitFor('both members to hold partitions', async () => members.every((m) => m.consumer.assignment().length > 0), 60000);
  const ids = members.map((m) => m.consumer.memberId);
  await sleep(1000);

  const coordinator = (await kcatMetadata(bootstrap[0], '__consumer_offsets')).topics[0].partitions[0].leader;
  assert.ok([1, 2, 3].includes(coordinator));
  await c.kill(coordinator);
  const survivor = [...c.brokers.values()][0].bootstrap;
  const moved = await waitFor('a new coordinator', async () => { const l = (await kcatMetadata(survivor, '__consumer_offsets')).topics[0].partitions[0].leader; return l > 0 && l !== coordinator && l; }, SESSION_MS * 5, 100);
  t.diagnostic(`coordinator ${coordinator} killed, ${moved} coordinates now`);
  const before = handledBy.size;
  await waitFor('records handled after the coordinator moved', async () => handledBy.size > before + 200, 60000);
  await sleep(2000);
  assert.deepEqual(members.map((m) => m.consumer.memberId), ids, 'the new coordinator loaded the group: nobody had to join as a new member');
  assert.ok(members.every((m) => m.consumer.assignment().length > 0));

  const sent = await stopWriter(); // rejects with what a send threw
  const ends = await assertEachHandledOnce(admin, 'flow', sent, handledBy, 30000);
  for (const m of members) await m.stop();
  assert.deepEqual(members.map((m) => m.failed()).filter(Boolean), [], 'no member loop failed');
  const committed = await admin.groupOffsets('cgc-group');
  const byPartition = (l: { partition: number; o: number }[]) => l.map((x) => [x.partition, x.o]).sort((x, y) => x[0] - y[0]);
  assert.deepEqual(byPartition(committed.map((o) => ({ partition: o.partition, o: o.offset }))), byPartition(ends.map((e) => ({ partition: e.partition, o: e.latest }))));
});
