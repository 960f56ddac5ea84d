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

const SESSION_MS = 3000;
const BROKER_FLAGS = [
  '--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.fetch.backoff.ms=100', '--set', 'replica.lag.time.max.ms=5000',
  '--set', 'group.initial.rebalance.delay.ms=0', '--set', 'offsets.topic.num.partitions=3', '--set', 'offsets.topic.replication.factor=3',
];

async function cluster(t: { after: (fn: () => Promise<void>) => void }): Promise<TestCluster> {
  const c = new TestCluster(await createClusterDb(), BROKER_FLAGS);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  return c;
}

async function createTopic(c: TestCluster, name: string, configs: Record<string, string> = {}): Promise<void> {
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 1, replicationFactor: 3, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }], waitForLeaders: true });
  } finally { await admin.disconnect(); }
  await waitFor(`${name} led with a full ISR`, async () => {
    const p = (await kcatMetadata(c.bootstrap(), name)).topics[0]?.partitions[0];
    return p && p.leader > 0 && p.isrs.length === 3;
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

  await waitFor('the group consumed every acknowledged record', async () => [...pyRes.acked, ...jsAcked].every((a) => consumed.has(a.v)), 30000);

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
