// Ten rounds of kill -9 / restart of a random broker of a three-broker cluster under
// an idempotent acks=all librdkafka producer (helpers in test/helpers/replication-e2e.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './helpers/cluster.ts';
import { checkAcked, cluster, createTopic, partitionInfo, pythonProducer, readAll, settled } from './helpers/replication-e2e.ts';

test('ten rounds of kill -9 / restart of a random broker under idempotent acks=all load: nothing acknowledged is lost or duplicated, offsets gapless, replicas identical', async (t) => {
  const c = await cluster(t);
  const topic = 'chaos';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const py = pythonProducer(c.bootstrap(), topic, 1500, 'chaos', 25);
  let seed = 16;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let round = 0; round < 10; round++) {
    const victim = 1 + Math.floor(rand() * 3);
    await c.kill(victim);
    await new Promise((r) => setTimeout(r, 500 + Math.floor(rand() * 1000)));
    await c.start(victim);
    await waitFor(`round ${round}: broker ${victim} back in the ISR`, async () => (await partitionInfo(c, topic)).isrs.length === 3, 30000);
  }
  const res = await py.done;
  t.diagnostic(`acknowledged ${res.acked.length}/1500, delivery errors ${res.errors.length}`);
  assert.deepEqual(res.errors, []);
  const log = await readAll(c, topic);
  checkAcked(log, res.acked, 'librdkafka');
  const values = [...log.values()];
  assert.equal(new Set(values).size, values.length, 'nothing written twice');
  assert.deepEqual([...log.keys()], [...log.keys()].map((_, i) => i), 'offsets are gapless');
  assert.equal(log.size, 1500);
  await settled(c, topic);
});
