// Replication end to end: three `tributary broker` processes on one PostgreSQL
// metadata store (the control plane elects, the data plane replicates), real
// clients (librdkafka through python confluent-kafka, kafkajs) with acks=all, and
// kill -9. Every acknowledged record must be read back at its offset, and the
// replicas must hold the same bytes once they settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { PYTHON } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { TestClient } from './helpers/replication-cluster.ts';
import { FindCoordinator } from '../server/protocol/apis/index.ts';
import { partitionFor } from '../server/txn/transaction-coordinator.ts';

const SESSION_MS = 3000;
const BROKER_FLAGS = [
  '--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.fetch.backoff.ms=100', '--set', 'replica.lag.time.max.ms=5000',
  '--set', 'group.initial.rebalance.delay.ms=0', '--set', 'offsets.topic.num.partitions=3', '--set', 'offsets.topic.replication.factor=3',
  '--set', 'transaction.state.log.num.partitions=3', '--set', 'transaction.state.log.replication.factor=3',
];

async function cluster(t: { after: (fn: () => Promise<void>) => void }): Promise<TestCluster> {
  const c = new TestCluster(await createClusterDb(), BROKER_FLAGS);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  return c;
}

async function createTopic(c: TestCluster, name: string, configs: Record<string, string> = {}, partitions = 1): Promise<void> {
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A broker may count the others alive a moment after kcat lists them: retry what the store refuses.
    await waitFor(`${name} created`, async () => {
      try {
        await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 3, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }], waitForLeaders: true });
        return true;
      } catch (e) {
        if (((e as { errors?: { type?: string }[] }).errors ?? []).some((x) => x.type === 'TOPIC_ALREADY_EXISTS')) return true;
        throw new Error(`${(e as Error).message}: ${JSON.stringify((e as { errors?: unknown[] }).errors ?? [])}`);
      }
    }, 20000, 500);
  } finally { await admin.disconnect(); }
  await waitFor(`${name} led with a full ISR`, async () => {
    const ps = (await kcatMetadata(c.bootstrap(), name)).topics[0]?.partitions ?? [];
    return ps.length === partitions && ps.every((p) => p.leader > 0 && p.isrs.length === 3);
  });
}

async function partitionInfo(c: TestCluster, topic: string) {
  return waitFor(`${topic} metadata`, async () => (await kcatMetadata(c.bootstrap(), topic)).topics[0]?.partitions[0]);
}

/** The acks=all idempotent librdkafka producer of test/py/acked_producer.py, running in the background. */
function pythonProducer(bootstrap: string, topic: string, count: number, prefix: string, intervalMs: number) {
  const child = spawn(PYTHON, [path.join(ROOT, 'test/py/acked_producer.py'), bootstrap, topic, '0', String(count), prefix, String(intervalMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = ''; let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise<{ acked: { v: string; o: number }[]; errors: string[] }>((resolve, reject) => {
    child.on('exit', (code) => {
      const lines = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const last = lines.at(-1);
      if (code !== 0 || !last?.done) { reject(new Error(`acked_producer.py exited ${code}: ${err.slice(-2000)}`)); return; }
      resolve({ acked: lines.filter((l) => 'o' in l), errors: last.errors });
    });
  });
  return { child, done, ackedSoFar: () => (out.match(/"o":/g) ?? []).length };
}

/** Every record of partition 0, read from its leader as a consumer (up to the high-water mark). */
async function readAll(c: TestCluster, topic: string): Promise<Map<number, string>> {
  const p = await partitionInfo(c, topic);
  const leader = c.brokers.get(p.leader)!;
  const cl = await TestClient.connect(leader.port);
  try {
    const out = new Map<number, string>();
    let at = 0n;
    for (;;) {
      const r = await cl.fetch(topic, 0, at);
      if (r.error) throw new Error(`fetch from leader ${p.leader}: ${r.error}`);
      if (!r.values.length) break;
      for (const v of r.values) out.set(Number(v.offset), v.value);
      at = r.values.at(-1)!.offset + 1n;
    }
    return out;
  } finally { cl.close(); }
}

/** sha256 of every segment file of the partition on one broker: replicas that settled have equal maps. */
function segmentChecksums(dataDir: string, topic: string): Record<string, string> {
  const dir = path.join(dataDir, `${topic}-0`);
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) out[f] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}

async function settled(c: TestCluster, topic: string): Promise<void> {
  await waitFor('every replica back in the ISR', async () => (await partitionInfo(c, topic)).isrs.length === 3, 30000);
  const dirs = [...c.brokers.values()].map((b) => b.dataDir);
  await waitFor('replicas byte-identical', async () => {
    const sums = dirs.map((d) => JSON.stringify(segmentChecksums(d, topic)));
    return sums.every((s) => s === sums[0]);
  }, 15000);
}

function checkAcked(log: Map<number, string>, acked: { v: string; o: number }[], who: string): void {
  for (const a of acked) assert.equal(log.get(a.o), a.v, `${who}: acknowledged record ${a.v} is at offset ${a.o}`);
}

test('kill -9 of the leader under acks=all librdkafka and kafkajs producers: every acknowledged record is read back at its offset, a group keeps consuming, replicas converge byte for byte', async (t) => {
  const c = await cluster(t);
  const topic = 'failover';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const before = await partitionInfo(c, topic);

  // A consumer group reading the partition throughout.
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumed = new Set<string>();
  const consumer = kafka.consumer({ groupId: 'failover-readers', sessionTimeout: 10000, heartbeatInterval: 500, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { consumed.add(message.value!.toString()); } });
  t.after(() => consumer.disconnect().catch(() => {}));

  const py = pythonProducer(c.bootstrap(), topic, 400, 'py', 8);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  t.after(() => producer.disconnect().catch(() => {}));
  const jsAcked: { v: string; o: number }[] = [];
  const jsErrors: string[] = [];
  const js = (async () => {
    for (let i = 0; i < 200; i++) {
      const v = `js-${i}`;
      try {
        const [r] = await producer.send({ topic, acks: -1, timeout: 30000, messages: [{ value: v, partition: 0 }] });
        jsAcked.push({ v, o: Number(r.baseOffset) });
      } catch (e) { jsErrors.push(`${v}: ${(e as Error).message}`); }
      await new Promise((r) => setTimeout(r, 15));
    }
  })();

  await waitFor('the producers under way', async () => py.ackedSoFar() >= 100 && jsAcked.length >= 30, 30000, 20);
  const t0 = Date.now();
  await c.kill(before.leader);
  const after = await waitFor('a new leader', async () => { const p = await partitionInfo(c, topic); return p.leader > 0 && p.leader !== before.leader && p; }, SESSION_MS * 4);
  t.diagnostic(`kill -9 of leader ${before.leader}: broker ${after.leader} leads after ${Date.now() - t0} ms`);

  const pyRes = await py.done;
  await js;
  t.diagnostic(`acknowledged: librdkafka ${pyRes.acked.length}/400 (errors ${pyRes.errors.length}), kafkajs ${jsAcked.length}/200 (errors ${jsErrors.length})`);
  assert.deepEqual(pyRes.errors, [], 'librdkafka retried through the failover');
  assert.ok(jsAcked.length >= 150, `kafkajs got most writes acknowledged (${jsAcked.length}; errors: ${jsErrors.slice(0, 3).join('; ')})`);

  const log = await readAll(c, topic);
  checkAcked(log, pyRes.acked, 'librdkafka');
  checkAcked(log, jsAcked, 'kafkajs');
  const values = [...log.values()];
  assert.equal(new Set(values).size, values.length, 'idempotent producers wrote nothing twice');
  assert.deepEqual([...log.keys()], [...log.keys()].map((_, i) => i), 'offsets are gapless');

  const missing = () => [...pyRes.acked, ...jsAcked].filter((a) => !consumed.has(a.v));
  try {
    await waitFor('the group consumed every acknowledged record', async () => missing().length === 0, 45000);
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${missing().length} missing (first ${JSON.stringify(missing().slice(0, 3))}), ${consumed.size} consumed`);
  }

  await c.start(before.leader);
  await settled(c, topic);
});

test('only one replica left with min.insync.replicas=2: acks=all is refused with NOT_ENOUGH_REPLICAS and nothing is appended', async (t) => {
  const c = await cluster(t);
  const topic = 'lonely';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const p = await partitionInfo(c, topic);
  const cl = await TestClient.connect(c.brokers.get(p.leader)!.port);
  t.after(() => cl.close());
  assert.equal((await cl.produce(topic, 0, ['with all replicas'])).error, null);
  for (const id of [1, 2, 3].filter((n) => n !== p.leader)) await c.kill(id);
  await waitFor('the ISR shrinks to the leader', async () => (await kcatMetadata(c.brokers.get(p.leader)!.bootstrap, topic)).topics[0].partitions[0].isrs.length === 1, SESSION_MS * 4);
  const r = await cl.produce(topic, 0, ['refused']);
  assert.equal(r.error, 'NOT_ENOUGH_REPLICAS');
  assert.match(r.message ?? '', /min\.insync\.replicas=2/);
  const f = await cl.fetch(topic, 0, 0n);
  assert.deepEqual(f.values.map((v) => v.value), ['with all replicas'], 'nothing appended');
  assert.equal(f.highWatermark, 1n);
});

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

test('a transactional producer and a consumer group survive kill -9 of the broker coordinating both: every committed transaction is read, aborted ones never, the group resumes from its committed offsets', async (t) => {
  const c = await cluster(t);
  const topic = 'txns';
  await createTopic(c, topic, { 'min.insync.replicas': '2' }, 3);
  const any = await TestClient.connect(c.brokers.get(1)!.port);
  t.after(() => any.close());
  const coordinatorOf = async (key: string, keyType: number) => waitFor(`the coordinator of ${key}`, async () => {
    const r = await any.conn.send(FindCoordinator, 3, { key, keyType });
    return r.errorCode === 0 && r.nodeId;
  }, 20000);
  const txnCoordinator = await coordinatorOf('cluster-txn', 1);
  // A group whose __consumer_offsets partition the same broker leads (FindCoordinator creates the topic).
  await coordinatorOf('readers-probe', 0);
  const offsets = await waitFor('__consumer_offsets led', async () => { const ps = (await kcatMetadata(c.bootstrap(), '__consumer_offsets')).topics[0]?.partitions; return ps?.length === 3 && ps.every((p) => p.leader > 0) && ps; });
  let groupId = '';
  for (let i = 0; !groupId; i++) if (offsets.find((p) => p.partition === partitionFor(`readers-${i}`, 3))?.leader === txnCoordinator) groupId = `readers-${i}`;
  assert.equal(await coordinatorOf(groupId, 0), txnCoordinator);

  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumed: string[] = [];
  const reads: { partition: number; offset: bigint; value: string }[] = [];
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, readUncommitted: false, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => { consumed.push(message.value!.toString()); reads.push({ partition, offset: BigInt(message.offset), value: message.value!.toString() }); } });
  t.after(() => consumer.disconnect().catch(() => {}));

  const child = spawn(PYTHON, [path.join(ROOT, 'test/py/txn_cluster.py'), c.bootstrap(), topic, '3', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = ''; let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  t.after(() => { child.kill('SIGKILL'); });
  await waitFor('transactions under way', async () => (out.match(/"committed"/g) ?? []).length >= 15, 60000, 20);
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect().catch(() => {}));
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
  await waitFor('the group commits up to what it read after the move', async () => { const m = await committedOffsets(); return [0, 1, 2].every((p) => (m.get(p) ?? 0n) > lastRead(p)); }, 20000);
  assert.ok(await coordinatorOf(groupId, 0) !== txnCoordinator, 'the group moved to another coordinator');
});
