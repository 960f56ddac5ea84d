// Transaction markers over inter.broker.listener.name: three CLI brokers whose clients
// come in on a PLAINTEXT listener while the brokers reach each other on a SASL_SSL one.
// The transaction coordinator sends WriteTxnMarkers to the leaders of the transaction's
// other partitions as a replica fetcher does: TLS, then its SASL login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { python } from './helpers/clients.ts';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { BROKER_FLAGS, createTopic, saslSslInterBrokerFlags } from './helpers/replication-e2e.ts';


test('transactions spanning partitions led by every broker commit when the brokers talk over a SASL_SSL inter-broker listener: markers reach the other leaders, read_committed reads every record', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-txn-interbroker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const c = new TestCluster(await createClusterDb(), [...BROKER_FLAGS, ...saslSslInterBrokerFlags(dir)]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  const topic = 'txn-over-internal';
  await createTopic(c, topic, {}, 3);
  const leaders = new Set((await kcatMetadata(c.bootstrap(), topic)).topics[0].partitions.map((p) => p.leader));
  assert.equal(leaders.size, 3, 'one partition led by each broker: two of them are not the coordinator');

  const r = await python(['-c', `
import json, time
from confluent_kafka import Producer, Consumer, TopicPartition
p = Producer({'bootstrap.servers': '${c.bootstrap()}', 'transactional.id': 'over-internal', 'transaction.timeout.ms': 60000})
p.init_transactions(60)
for i in range(3):
    p.begin_transaction()
    for part in range(3):
        p.produce('${topic}', value=f't{i}-p{part}'.encode(), partition=part)
    p.commit_transaction(30)
c = Consumer({'bootstrap.servers': '${c.bootstrap()}', 'group.id': 'reader', 'isolation.level': 'read_committed', 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.assign([TopicPartition('${topic}', part, 0) for part in range(3)])
got = []
deadline = time.time() + 40
while len(got) < 9 and time.time() < deadline:
    for m in c.consume(num_messages=9, timeout=1):
        if m.error() is None:
            got.append(m.value().decode())
print(json.dumps(sorted(got)))
c.close()`], 150000);
  assert.equal(r.status, 0, `the transactional producer failed: ${r.stderr.slice(-2000)}`);
  const expected = [0, 1, 2].flatMap((i) => [0, 1, 2].map((p) => `t${i}-p${p}`)).sort();
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), expected);
});
