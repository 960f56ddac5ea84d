// Replication end to end: three `tributary broker` processes on one PostgreSQL
// metadata store (the control plane elects, the data plane replicates), real
// clients (librdkafka through python confluent-kafka, kafkajs) with acks=all, and
// kill -9. Every acknowledged record must be read back at its offset, and the
// replicas must hold the same bytes once they settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { kcatMetadata, waitFor } from './helpers/cluster.ts';
import { TestClient } from './helpers/replication-cluster.ts';
import { SESSION_MS, checkAcked, cluster, createTopic, coordinatorOf, groupCoordinatedBy, partitionInfo, pythonProducer, readAll, settled } from './helpers/replication-e2e.ts';

test('kill -9 of the leader under acks=all librdkafka and kafkajs producers: every acknowledged record is read back at its offset, replicas converge byte for byte, and a consumer group coordinated by the killed broker keeps consuming', async (t) => {
  const c = await cluster(t);
  const topic = 'failover';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const before = await partitionInfo(c, topic);

  // A consumer group reading the partition throughout, coordinated by the broker that is killed
  // (the worst case: the group's coordinator and the partition's leader go at once).
  const groupId = await groupCoordinatedBy(c, before.leader, 'failover-readers');
  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumed = new Set<string>();
  const reads: { offset: bigint; value: string }[] = [];
  // kafkajs keeps the coordinator it found and retries a connection error against it; it asks
  // FindCoordinator again only when its consumer restarts after `retry.retries` failed rounds
  // (the same against Kafka). Few retries and a short long-poll make that restart come soon.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 1000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { const value = message.value!.toString(); consumed.add(value); reads.push({ offset: BigInt(message.offset), value }); } });
  t.after(() => consumer.disconnect().catch(() => {}));
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect().catch(() => {}));
  const committed = async () => BigInt((await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset);

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
  const committedBeforeKill = await waitFor('the group committed', async () => { const o = await committed(); return o > 0n && o; });
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
    await waitFor('the group consumed every acknowledged record', async () => missing().length === 0, 90000);
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${missing().length} missing (first ${JSON.stringify(missing().slice(0, 3))}), ${consumed.size} consumed`);
  }
  // At-least-once across the move: what the group committed on the killed coordinator held, so
  // a record read twice lies at or above the offset committed before the kill.
  const seen = new Set<string>();
  for (const r of reads) {
    if (seen.has(r.value)) assert.ok(r.offset >= committedBeforeKill, `${r.value} at ${r.offset} re-read from below the offset ${committedBeforeKill} committed before the kill`);
    seen.add(r.value);
  }
  t.diagnostic(`group ${groupId}: ${reads.length} reads of ${consumed.size} records; committed ${committedBeforeKill} before the kill`);
  const movedTo = await coordinatorOf(c, groupId, 0);
  assert.notEqual(movedTo, before.leader, 'the group moved to another coordinator');
  await waitFor('the group commits on its new coordinator', async () => (await committed()) >= BigInt(log.size), 30000);
  // Clients leave while the brokers still run (the cluster's own cleanup kills them first).
  await consumer.disconnect();
  await admin.disconnect();
  await producer.disconnect();

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
