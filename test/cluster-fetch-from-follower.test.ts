// KIP-392 fetch from the closest replica: three `tributary broker` processes with
// broker.rack r1/r2/r3, a partition with RF=3 led by the r1 broker, and a librdkafka
// consumer (python confluent-kafka) with client.rack=r2. With
// replica.selector.class=RackAwareReplicaSelector the leader names the r2 follower
// as preferred read replica and the records come from there (the brokers' own
// kafka_server_brokertopicmetrics_bytesout_total per broker); the follower never
// serves above its high-water mark. Without the selector the consumer reads from the leader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { PYTHON, txnSteps } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { BROKER_FLAGS, pythonProducer, readAll } from './helpers/replication-e2e.ts';
import { TestClient } from './helpers/replication-cluster.ts';

const TOPIC = 'ffetch';
const N = 400;
const RACK_AWARE = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
const value = (prefix: string, i: number) => `${prefix}-${i}-${'x'.repeat(100)}`;

async function bytesOut(c: TestCluster): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const b of c.brokers.values()) {
    const text = await (await fetch(`http://127.0.0.1:${b.cli.ports.admin}/metrics`)).text();
    const m = new RegExp(`^kafka_server_brokertopicmetrics_bytesout_total\\{topic="${TOPIC}"\\}\\s+(\\S+)$`, 'm').exec(text);
    out.set(b.nodeId, m ? Number(m[1]) : 0);
  }
  return out;
}

async function startCluster(t: { after: (fn: () => Promise<void>) => void }, extra: string[]): Promise<TestCluster> {
  const c = new TestCluster(await createClusterDb(), [...BROKER_FLAGS, ...extra]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n, ['--admin-port', '0', '--set', `broker.rack=r${n}`])));
  await waitFor('admin ports', async () => [...c.brokers.values()].every((b) => b.cli.ports.admin));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  // partition 0 on brokers 1 (leader, rack r1), 2, 3
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(`${TOPIC} created`, async () => {
      try { await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }], waitForLeaders: true }); return true; }
      catch (e) { if (((e as { errors?: { type?: string }[] }).errors ?? []).some((x) => x.type === 'TOPIC_ALREADY_EXISTS')) return true; throw e; }
    }, 20000, 500);
  } finally { await admin.disconnect(); }
  await waitFor(`${TOPIC} led by broker 1 with a full ISR`, async () => {
    const p = (await kcatMetadata(c.bootstrap(), TOPIC)).topics[0]?.partitions[0];
    return p && p.leader === 1 && p.isrs.length === 3;
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < N; i += 100) await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 100 }, (_, k) => ({ partition: 0, value: value('a', i + k) })) });
  } finally { await producer.disconnect(); }
  return c;
}

/** test/py/rack_consumer.py in the background: its records as they come, and a sync point. */
function rackConsumer(bootstrap: string, rack: string) {
  const child = spawn(PYTHON, [path.join(ROOT, 'test/py/rack_consumer.py'), bootstrap, TOPIC, rack], { stdio: ['pipe', 'pipe', 'pipe'] });
  const records: { o: number; v: string }[] = [];
  const marks: number[] = [];
  let errors: string[] | null = null;
  let buf = ''; let err = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
      if ('o' in l) records.push(l); else if ('mark' in l) marks.push(l.mark); else if (l.done) errors = l.errors;
    }
  });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  return {
    records,
    /** how many records it has handed over by now (after it polled once more) */
    async mark(): Promise<number> { const k = marks.length; child.stdin.write('stop\n'); return waitFor('consumer mark', async () => marks.length > k && marks[k] + 0.5, 10000, 20).then((x) => x - 0.5); },
    async reach(n: number, ms = 30000): Promise<void> { await waitFor(`consumer at ${n} records (has ${records.length}); stderr ${err.slice(-500)}`, async () => records.length >= n, ms, 50); },
    async close(): Promise<string[]> { child.stdin.end(); await exited; return errors ?? [`no done line: ${err.slice(-1000)}`]; },
    kill: () => child.kill('SIGKILL'),
  };
}

function assertGapless(records: { o: number; v: string }[], what: string): void {
  records.forEach((r, i) => assert.equal(r.o, i, `${what}: record ${i} has offset ${r.o}`));
}

const logBytes = (c: TestCluster, id: number) => fs.readdirSync(path.join(c.brokers.get(id)!.dataDir, `${TOPIC}-0`)).filter((f) => f.endsWith('.log'))
  .reduce((n, f) => n + fs.statSync(path.join(c.brokers.get(id)!.dataDir, `${TOPIC}-0`, f)).size, 0);

test('rack-aware selector: a client.rack=r2 consumer reads every record from the r2 follower, never above its high-water mark', { timeout: 240_000 }, async (t) => {
  // broker 3 is stopped (SIGSTOP) for a while below: its lease and ISR place must outlast that
  const c = await startCluster(t, ['--set', `replica.selector.class=${RACK_AWARE}`, '--set', 'broker.session.timeout.ms=30000', '--set', 'replica.lag.time.max.ms=30000']);
  const before = await bytesOut(c);
  const consumer = rackConsumer(c.bootstrap(), 'r2');
  t.after(() => consumer.kill());
  await consumer.reach(N);
  assert.equal(consumer.records.length, N);
  assertGapless(consumer.records, 'first read');
  consumer.records.forEach((r, i) => assert.equal(r.v, value('a', i)));
  const after = await bytesOut(c);
  const delta = (id: number) => after.get(id)! - before.get(id)!;
  const payload = N * value('a', 0).length;
  t.diagnostic(`bytes out during the read: leader(r1) ${delta(1)}, r2 follower ${delta(2)}, r3 follower ${delta(3)}; record values ${payload}`);
  assert.ok(delta(2) >= payload, `the r2 follower sent ${delta(2)} bytes, less than the ${payload} bytes of values`);
  assert.equal(delta(3), 0, 'the r3 follower served nothing');
  assert.ok(delta(1) < payload / 10, `the leader sent ${delta(1)} bytes to the consumer`);

  // Broker 3 stopped while in the ISR: the leader's high-water mark cannot pass what it holds,
  // while broker 2 keeps replicating. Its consumer must not see the records above the mark.
  const b2Before = logBytes(c, 2);
  c.brokers.get(3)!.cli.child.kill('SIGSTOP');
  let resumed = false;
  t.after(() => { if (!resumed) c.brokers.get(3)?.cli.child.kill('SIGCONT'); });
  const kafka = new Kafka({ brokers: [c.brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const M = 50;
  await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: M }, (_, k) => ({ partition: 0, value: value('b', k) })) });
  await waitFor('broker 2 replicated the new records', async () => logBytes(c, 2) > b2Before, 10000, 50);
  await new Promise((r) => setTimeout(r, 1500));
  const seen = await consumer.mark();
  t.diagnostic(`with broker 3 stopped: broker 2's log grew ${logBytes(c, 2) - b2Before} bytes; the consumer has ${seen} records`);
  assert.equal(seen, N, 'the follower served records above its high-water mark');
  c.brokers.get(3)!.cli.child.kill('SIGCONT');
  resumed = true;
  await consumer.reach(N + M);
  assertGapless(consumer.records, 'after the resume');

  // Producing on (acks=all, idempotent librdkafka) while the consumer reads from the follower:
  // what it sees is gapless and exactly what the leader holds at those offsets.
  const acked = pythonProducer(c.brokers.get(1)!.bootstrap, TOPIC, 300, 'c', 5);
  const res = await acked.done;
  assert.deepEqual(res.errors, []);
  const log = await readAll(c, TOPIC);
  await consumer.reach(log.size);
  const errors = await consumer.close();
  assert.equal(consumer.records.length, log.size);
  assertGapless(consumer.records, 'while producing');
  for (const r of consumer.records) assert.equal(r.v, log.get(r.o), `offset ${r.o}`);
  for (const a of res.acked) assert.equal(log.get(a.o), a.v);
  assert.deepEqual(errors.filter((e) => !/Disconnected|Connection refused|transport/i.test(e)), []);
  const end = await bytesOut(c);
  t.diagnostic(`bytes out in all: leader(r1) ${end.get(1)! - before.get(1)!}, r2 ${end.get(2)! - before.get(2)!}, r3 ${end.get(3)! - before.get(3)!}`);
  assert.equal(end.get(3)! - before.get(3)!, 0, 'the r3 follower served nothing');
});

test('read_committed from the r2 follower: committed transactions only, an open one held back by the follower\'s LSO until it commits', { timeout: 180_000 }, async (t) => {
  const c = await startCluster(t, ['--set', `replica.selector.class=${RACK_AWARE}`]);
  const before = await bytesOut(c);
  const consumer = rackConsumer(c.bootstrap(), 'r2');
  t.after(() => consumer.kill());
  await consumer.reach(N);
  const txn = txnSteps(c.bootstrap(), TOPIC, 'ffetch-txn', {}, (fn) => t.after(fn));
  await txn.ready();
  assert.deepEqual(await txn.send('commit c 20'), { committed: 'c' });
  assert.deepEqual(await txn.send('abort x 20'), { aborted: 'x' });
  assert.deepEqual(await txn.send('open o 20'), { open: 'o' });
  await consumer.reach(N + 20);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await consumer.mark(), N + 20, 'the open transaction was served by the follower');
  assert.deepEqual(await txn.send('end'), { committed: 'o' });
  await consumer.reach(N + 40);
  await new Promise((r) => setTimeout(r, 500));
  const errors = await consumer.close();
  assert.deepEqual(errors, []);
  const values = consumer.records.map((r) => r.v.replace(/~+$/, ''));
  assert.deepEqual(values.slice(N), [...Array.from({ length: 20 }, (_, i) => `c-${i}`), ...Array.from({ length: 20 }, (_, i) => `o-${i}`)]);
  const after = await bytesOut(c);
  t.diagnostic(`bytes out: leader(r1) ${after.get(1)! - before.get(1)!} (its followers' replication included), r2 ${after.get(2)! - before.get(2)!}, r3 ${after.get(3)! - before.get(3)!}`);
  assert.ok(after.get(2)! - before.get(2)! > 0);
  assert.equal(after.get(3)! - before.get(3)!, 0);
});

test('selector off (default): the same client.rack=r2 consumer reads from the leader', { timeout: 180_000 }, async (t) => {
  const c = await startCluster(t, []);
  const before = await bytesOut(c);
  const consumer = rackConsumer(c.bootstrap(), 'r2');
  t.after(() => consumer.kill());
  await consumer.reach(N);
  const errors = await consumer.close();
  assert.deepEqual(errors, []);
  assert.equal(consumer.records.length, N);
  assertGapless(consumer.records, 'read');
  const after = await bytesOut(c);
  const delta = (id: number) => after.get(id)! - before.get(id)!;
  const payload = N * value('a', 0).length;
  t.diagnostic(`bytes out during the read: leader(r1) ${delta(1)}, r2 ${delta(2)}, r3 ${delta(3)}`);
  assert.ok(delta(1) >= payload, `the leader sent ${delta(1)} bytes, less than the ${payload} bytes of values`);
  assert.equal(delta(2), 0);
  assert.equal(delta(3), 0);
  // and a follower still refuses consumers, as before the selector existed
  const cl = await TestClient.connect(c.brokers.get(2)!.port);
  t.after(() => cl.close());
  assert.equal((await cl.fetch(TOPIC, 0, 0n)).error, 'NOT_LEADER_OR_FOLLOWER');
});
