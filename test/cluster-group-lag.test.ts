// Consumer-group lag in a cluster: the coordinator reports every partition of the group's
// topics, also those whose replicas live only on other brokers (their leaders' high-water
// marks, asked by ListOffsets), not only the partitions it happens to hold a replica of.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { python } from './helpers/clients.ts';

/** kafka_consumergroup_lag{consumergroup="g-lag"} rows of a broker's /metrics, by partition. */
async function lagRows(adminPort: number): Promise<Map<number, number>> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const rows = new Map<number, number>();
  for (const m of text.matchAll(/^kafka_consumergroup_lag\{([^}]*)\} (\S+)$/gm)) {
    if (!m[1].includes('consumergroup="g-lag"') || !m[1].includes('topic="spread"')) continue;
    rows.set(Number(/partition="(\d+)"/.exec(m[1])![1]), Number(m[2]));
  }
  return rows;
}

test('the group coordinator of a cluster reports lag for partitions whose replicas live only on other brokers', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'offsets.topic.num.partitions=1', '--set', 'offsets.topic.replication.factor=1', '--set', 'group.initial.rebalance.delay.ms=0']);
  t.after(() => c.close());
  const b1 = await c.start(1);
  const b2 = await c.start(2);
  await waitFor('two brokers', async () => (await kcatMetadata(b1.bootstrap)).brokers.length === 2);
  // one partition on each broker, 5 and 7 records; the group committed 2 and 3
  const r = await python(['-c', `
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '${c.bootstrap()}'})
a.create_topics([NewTopic('spread', 2, replica_assignment=[[1], [2]])])['spread'].result()
p = Producer({'bootstrap.servers': '${c.bootstrap()}'})
for part, n in ((0, 5), (1, 7)):
    for i in range(n):
        p.produce('spread', b'x', partition=part)
assert p.flush(30) == 0
c = Consumer({'bootstrap.servers': '${c.bootstrap()}', 'group.id': 'g-lag'})
out = c.commit(offsets=[TopicPartition('spread', 0, 2), TopicPartition('spread', 1, 3)], asynchronous=False)
print('errors', [str(x.error) for x in out])
c.close()`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /errors \['None', 'None'\]/);
  const admin = [b1, b2].map((b) => b.cli.ports.admin);
  assert.ok(admin.every((p) => p > 0), 'both brokers serve /metrics');
  // whichever broker coordinates g-lag holds a replica of one partition only
  const rows = await waitFor('lag of both partitions', async () => {
    for (const port of admin) { const m = await lagRows(port); if (m.size === 2) return m; }
    return null;
  }, 30000, 500);
  assert.deepEqual([...rows].sort(), [[0, 3], [1, 4]]);
});
