// Replication end to end: three `tributary broker` processes on one PostgreSQL
// metadata store (the control plane elects, the data plane replicates), real
// clients (librdkafka through python confluent-kafka, kafkajs) with acks=all, and
// kill -9. Every acknowledged record must be read back at its offset, and the
// replicas must hold the same bytes once they settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { PYTHON } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { kcatMetadata, waitFor } from './helpers/cluster.ts';
import { TestClient } from './helpers/replication-cluster.ts';
import { SESSION_MS, beforeClose, checkAcked, cluster, createTopic, coordinatorOf, groupCoordinatedBy, partitionInfo, pythonProducer, readAll, settled } from './helpers/replication-e2e.ts';

test('kill -9 of the leader under acks=all librdkafka and kafkajs producers: every acknowledged record is read back at its offset, replicas converge byte for byte, and kafkajs and librdkafka consumer groups coordinated by the killed broker keep consuming', async (t) => {
  const c = await cluster(t);
  const topic = 'failover';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const before = await partitionInfo(c, topic);

  // A consumer group reading the partition throughout, coordinated by the broker that is killed
  // (the worst case: the group's coordinator and the partition's leader go at once).
  const groupId = await groupCoordinatedBy(c, before.leader, 'failover-readers');
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const reads: { offset: bigint; value: string }[] = [];
  // kafkajs keeps the coordinator it found and retries a connection error against it; it asks
  // FindCoordinator again only when its consumer restarts after `retry.retries` failed rounds
  // (the same against Kafka). Few retries and a short long-poll make that restart come soon.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 1000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { const value = message.value!.toString(); reads.push({ offset: BigInt(message.offset), value }); } });
  beforeClose(c, () => consumer.disconnect());
  const admin = kafka.admin();
  await admin.connect();
  beforeClose(c, () => admin.disconnect());
  const committed = async (group = groupId) => BigInt((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions[0].offset);
  // A librdkafka member of a second group on the same coordinator: it asks FindCoordinator again by itself.
  const rdGroupId = await groupCoordinatedBy(c, before.leader, 'failover-librdkafka');
  const rd = spawn(PYTHON, [path.join(ROOT, 'test/py/group_client.py'), c.bootstrap(), rdGroupId, topic, 'range', '-', '10000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { rd.kill('SIGKILL'); });
  const rdExited = new Promise<number | null>((r) => rd.on('exit', r));
  const rdReads: { offset: bigint; value: string }[] = [];
  let rdOut = '';
  rd.stdout.on('data', (d) => {
    rdOut += d;
    const lines = rdOut.split('\n'); rdOut = lines.pop()!;
    for (const l of lines) { const m = JSON.parse(l); if ('msg' in m) rdReads.push({ offset: BigInt(m.o), value: m.msg }); }
  });

  const py = pythonProducer(c.bootstrap(), topic, 400, 'py', 8);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  beforeClose(c, () => producer.disconnect());
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
  const committedBeforeKill = await waitFor('the group committed', async () => { const o = await committed(); return o > 0n && o; });
  const rdCommittedBeforeKill = await waitFor('the librdkafka group committed', async () => { const o = await committed(rdGroupId); return o > 0n && o; });
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

  // Each group reads every acknowledged record, and at least once across the move: what it
  // committed on the killed coordinator held, so a record read twice lies at or above the
  // offset committed before the kill (which fails if the new coordinator lost the commits).
  const groups = [
    { name: 'kafkajs', id: groupId, reads, before: committedBeforeKill },
    { name: 'librdkafka', id: rdGroupId, reads: rdReads, before: rdCommittedBeforeKill },
  ];
  for (const g of groups) {
    const read = () => new Set(g.reads.map((r) => r.value));
    const missing = () => { const have = read(); return [...pyRes.acked, ...jsAcked].filter((a) => !have.has(a.v)); };
    try {
      await waitFor(`the ${g.name} group consumed every acknowledged record`, async () => missing().length === 0, 90000);
    } catch (e) {
      throw new Error(`${(e as Error).message}: ${missing().length} missing (first ${JSON.stringify(missing().slice(0, 3))}), ${read().size} consumed`);
    }
    const seen = new Set<string>();
    for (const r of g.reads) {
      if (seen.has(r.value)) assert.ok(r.offset >= g.before, `${g.name}: ${r.value} at ${r.offset} re-read from below the offset ${g.before} committed before the kill`);
      seen.add(r.value);
    }
    t.diagnostic(`${g.name} group ${g.id}: ${g.reads.length} reads of ${read().size} records; committed ${g.before} before the kill`);
    assert.notEqual(await coordinatorOf(c, g.id, 0), before.leader, `the ${g.name} group moved to another coordinator`);
    await waitFor(`the ${g.name} group commits on its new coordinator`, async () => (await committed(g.id)) >= BigInt(log.size), 30000);
  }
  await consumer.disconnect();
  await admin.disconnect();
  await producer.disconnect();
  rd.kill('SIGTERM');
  await rdExited;

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
