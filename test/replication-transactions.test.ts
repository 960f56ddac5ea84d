// Transactions and consumer groups across a kill -9 of the broker that coordinates
// both, on a three-broker cluster (helpers in test/helpers/replication-e2e.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './helpers/cluster.ts';
import { beforeClose, cluster, coordinatorOf, createTopic, groupCoordinatedBy } from './helpers/replication-e2e.ts';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PYTHON } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';

test('a transactional producer and a consumer group survive kill -9 of the broker coordinating both: every committed transaction is read, aborted ones never, the group resumes from its committed offsets', async (t) => {
  const c = await cluster(t);
  const topic = 'txns';
  await createTopic(c, topic, { 'min.insync.replicas': '2' }, 3);
  const txnCoordinator = await coordinatorOf(c, 'cluster-txn', 1);
  // A group whose __consumer_offsets partition the same broker leads.
  const groupId = await groupCoordinatedBy(c, txnCoordinator, 'readers');

  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumed: string[] = [];
  const reads: { partition: number; offset: bigint; value: string }[] = [];
  // kafkajs finds a dead coordinator's successor only when its consumer restarts after `retry.retries`
  // failed rounds (see replication-failover.test.ts): few retries and a short long-poll make that soon.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 1000, readUncommitted: false, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => { consumed.push(message.value!.toString()); reads.push({ partition, offset: BigInt(message.offset), value: message.value!.toString() }); } });
  beforeClose(c, () => consumer.disconnect());

  const child = spawn(PYTHON, [path.join(ROOT, 'test/py/txn_cluster.py'), c.bootstrap(), topic, '3', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = ''; let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  t.after(() => { child.kill('SIGKILL'); });
  await waitFor('transactions under way', async () => (out.match(/"committed"/g) ?? []).length >= 15, 60000, 20);
  const admin = kafka.admin();
  await admin.connect();
  beforeClose(c, () => admin.disconnect());
  const committedOffsets = async () => new Map((await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.map((p) => [p.partition, BigInt(p.offset)]));
  const show = (m: Map<number, bigint>) => [...m].sort().map(([p, o]) => `${p}:${o}`).join(' ');
  const beforeKill = await committedOffsets();
  t.diagnostic(`before the kill: consumed ${consumed.length}, group offsets ${show(beforeKill)}`);
  await c.kill(txnCoordinator);
  t.diagnostic(`killed broker ${txnCoordinator}, coordinator of the transactional id and of group ${groupId}`);
  assert.equal(await exited, 0, `txn_cluster.py failed: ${err.slice(-3000)}`);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  const committed = lines.filter((l) => 'committed' in l) as { committed: number; attempt: number }[];
  const done = lines.at(-1);
  t.diagnostic(`committed ${committed.length}/60 transactions; aborted and retried: ${done.aborted.length}`);
  assert.equal(committed.length, 60);
  const expected = new Set(committed.flatMap((x) => [0, 1, 2].map((p) => `t${x.committed}-p${p}-a${x.attempt}`)));
  await waitFor('the group read every committed record', async () => [...expected].every((v) => consumed.includes(v)), 60000);
  assert.deepEqual(consumed.filter((v) => !expected.has(v)), [], 'no record of an aborted attempt is read');
  const end = await committedOffsets();
  t.diagnostic(`after: consumed ${consumed.length} (${new Set(consumed).size} distinct), group offsets ${show(end)}`);
  // At-least-once across the move: what the group committed on the dead coordinator held, so
  // only records after those offsets (processed, not yet committed) may be read again.
  const seen = new Set<string>();
  for (const r of reads) {
    if (seen.has(r.value)) assert.ok(r.offset >= (beforeKill.get(r.partition) ?? 0n), `${r.value} at ${r.partition}:${r.offset} re-read from below the offset committed before the kill`);
    seen.add(r.value);
  }
  const lastRead = (p: number) => reads.filter((r) => r.partition === p).reduce((m, r) => (r.offset > m ? r.offset : m), -1n);
  await waitFor('the group commits up to what it read after the move', async () => { const m = await committedOffsets(); return [0, 1, 2].every((p) => (m.get(p) ?? 0n) > lastRead(p)); }, 45000);
  assert.notEqual(await coordinatorOf(c, groupId, 0), txnCoordinator, 'the group moved to another coordinator');
  await consumer.disconnect();
  await admin.disconnect();
});
