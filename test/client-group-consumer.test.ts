// The internal group consumer (client/GroupConsumer, what Connect's sink tasks read with)
// against a real broker while members join and leave and records keep arriving: every
// record is handed out, and none to two members (a rebalance gives a partition to its
// new owner only after the old one stopped and committed, as Kafka's eager protocol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupConsumer, KafkaAdmin, KafkaProducer, type TopicPartition } from '../client/index.ts';
import { startBroker } from './helpers/broker.ts';

const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('client: members joining and leaving while records arrive: every record handled once, by one member', async (t) => {
  const b = await startBroker();
  const cfg = { bootstrap: b.bootstrap, clientId: 'gc-test' };
  const admin = new KafkaAdmin(cfg);
  const producer = new KafkaProducer(cfg);
  await admin.createTopics([{ topic: 'flow', partitions: PARTITIONS, replicationFactor: 1 }]);

  const handledBy = new Map<string, string[]>(); // "p/offset" → members that handled it
  const members: { name: string; stop: () => Promise<void> }[] = [];
  const startMember = (name: string) => {
    // what a sink task does: handle what poll() gives, commit what was handled every 100 ms,
    // when partitions are revoked and when a rebalance starts; one thing at a time
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => { const p = chain.then(fn); chain = p.catch(() => undefined); return p; };
    const next = new Map<number, number>();
    const committed = new Map<number, number>();
    const commit = async () => {
      const offsets = [...next].filter(([p, o]) => committed.get(p) !== o).map(([partition, offset]) => ({ topic: 'flow', partition, offset }));
      await c.commit(offsets);
      for (const o of offsets) committed.set(o.partition, o.offset);
    };
    const c: GroupConsumer = new GroupConsumer({
      ...cfg, clientId: name, groupId: 'gc-group', topics: ['flow'], heartbeatIntervalMs: 300, sessionTimeoutMs: 10000, maxWaitMs: 200,
      onRevoked: async (tps: TopicPartition[]) => { await commit(); for (const tp of tps) { next.delete(tp.partition); committed.delete(tp.partition); } },
      onRebalance: () => serial(commit),
    });
    let stopping = false;
    let lastCommit = Date.now();
    const loop = (async () => {
      await c.start();
      while (!stopping) {
        const batches = await serial(() => c.poll());
        await serial(async () => {
          for (const batch of batches) {
            if (!batch.records.length || !c.owns(batch)) continue;
            for (const r of batch.records) {
              const k = `${r.partition}/${r.offset}`;
              const l = handledBy.get(k) ?? [];
              l.push(name);
              handledBy.set(k, l);
            }
            next.set(batch.partition, batch.records[batch.records.length - 1].offset + 1);
          }
          if (Date.now() - lastCommit >= 100) { lastCommit = Date.now(); await commit(); }
        });
      }
      await serial(commit);
    })();
    let stopped: Promise<void> | null = null;
    members.push({ name, stop: () => (stopped ??= (async () => { stopping = true; await loop; await c.close(); })()) });
  };

  let producing = true;
  let sent = 0;
  const writer = (async () => {
    while (producing) {
      await producer.send(Array.from({ length: PARTITIONS * 5 }, (_, i) => ({ topic: 'flow', partition: i % PARTITIONS, value: Buffer.from(`v${sent + i}`) })));
      sent += PARTITIONS * 5;
      await sleep(15);
    }
  })();
  t.after(async () => {
    producing = false;
    await writer.catch(() => undefined);
    for (const m of members) await m.stop().catch(() => undefined);
    await Promise.all([admin.close(), producer.close()]);
    await b.stop();
  });

  // four rebalances with records flowing: join, join, leave, join
  startMember('a');
  await sleep(1500);
  startMember('b');
  await sleep(1500);
  startMember('c');
  await sleep(1500);
  await members.find((m) => m.name === 'b')!.stop();
  await sleep(1500);
  startMember('d');
  await sleep(1500);
  producing = false;
  await writer;

  const ends = await admin.topicOffsets(['flow']);
  const total = ends.reduce((n, e) => n + e.latest, 0);
  assert.equal(total, sent);
  const deadline = Date.now() + 20000;
  while (handledBy.size < total && Date.now() < deadline) await sleep(100);
  assert.equal(handledBy.size, total, `every record handled (${handledBy.size} of ${total})`);
  const twice = [...handledBy].filter(([, by]) => by.length > 1);
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} records handled more than once`);
});
