// max.poll.interval.ms: a member whose poll loop is stuck (its event loop free, so it keeps
// heartbeating) leaves the group once that interval passes — its partitions go to the others
// well before any session timeout — its commits fail with CommitFailedError meanwhile, and
// its next poll rejoins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitFailedError, GroupConsumer, KafkaAdmin, KafkaProducer } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';
import { until } from './helpers/group-members.ts';

const PARTITIONS = 4;
const SESSION = 20000;
const MAX_POLL = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


test('client: a member that does not poll for max.poll.interval.ms leaves the group, cannot commit, and rejoins on its next poll', async (t) => {
  const b = await startBroker();
  const cfg = { bootstrap: b.bootstrap, clientId: 'pi-test' };
  const admin = new KafkaAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  await admin.createTopics([{ topic: 'pi', partitions: PARTITIONS, replicationFactor: 1 }]);
  await producer.send(Array.from({ length: PARTITIONS * 3 }, (_, i) => ({ topic: 'pi', partition: i % PARTITIONS, value: Buffer.from(`v${i}`) })));
  const member = (name: string) => new GroupConsumer({ ...cfg, clientId: name, groupId: 'pi-group', topics: ['pi'], sessionTimeoutMs: SESSION, heartbeatIntervalMs: 300, maxPollIntervalMs: MAX_POLL, maxWaitMs: 100 });
  const a = member('a');
  const bm = member('b');
  const polling = { a: true, b: true };
  let stopped = false;
  const loop = (c: GroupConsumer, name: 'a' | 'b') => (async () => {
    await c.start();
    while (!stopped) { if (polling[name]) await c.poll(); else await sleep(50); }
  })();
  const loops = [loop(a, 'a'), loop(bm, 'b')];
  t.after(async () => {
    stopped = true;
    await Promise.allSettled(loops);
    await Promise.allSettled([a.close(), bm.close(), admin.close(), producer.close()]);
    await b.stop();
  });

  await until('both members to hold partitions', () => a.assignment().length > 0 && bm.assignment().length > 0 && a.assignment().length + bm.assignment().length === PARTITIONS, 30000);
  const aHeld = a.assignment();

  // a's poll loop stalls (its event loop stays free: it would heartbeat on for ever)
  polling.a = false;
  const moved = await until('b to get every partition', () => bm.assignment().length === PARTITIONS, SESSION / 2);
  assert.ok(moved >= MAX_POLL - 500, `the partitions moved ${moved} ms after a's last poll, before max.poll.interval.ms (${MAX_POLL})`);
  await assert.rejects(a.commit(aHeld.map((tp) => ({ ...tp, offset: 1 }))), CommitFailedError, 'a commit after the poll timeout fails: the offsets belong to a generation a left');
  assert.equal(a.owns(aHeld[0]), false, 'a no longer owns what it held');

  // a polls again: it rejoins and the group shares the partitions once more
  polling.a = true;
  await until('a to hold partitions again', () => a.assignment().length > 0 && bm.assignment().length > 0 && a.assignment().length + bm.assignment().length === PARTITIONS, 30000);
});
