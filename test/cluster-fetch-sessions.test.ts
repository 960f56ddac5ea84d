// KIP-227 between our own brokers: followers fetch with incremental sessions. Three
// `tributary broker` processes, 200 partitions with RF=3 under producers, a broker
// killed -9 and restarted in the middle (it follows two thirds of the partitions); afterwards every replica is byte-identical,
// and what followers list per Fetch request (the brokers' tributary_fetch_* counters)
// drops to the partitions whose position moved instead of every partition followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { BROKER_FLAGS, checkAcked, createTopic, pythonProducer, readAll } from './helpers/replication-e2e.ts';

const TOPIC = 'sessions';
const PARTITIONS = 200;

async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^((?:tributary_fetch|kafka_server_fetchsessioncache)\S*)\s+(\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

const REQS = 'tributary_fetch_requests_total{fetcher="follower"}';
const PARTS = 'tributary_fetch_request_partitions_total{fetcher="follower"}';

/** Partitions listed per follower Fetch request, over all brokers, during `ms`. */
async function partitionsPerFollowerRequest(c: TestCluster, ms: number): Promise<{ perRequest: number; requests: number }> {
  const ports = [...c.brokers.values()].map((b) => b.cli.ports.admin);
  const before = await Promise.all(ports.map(scrape));
  await new Promise((r) => setTimeout(r, ms));
  const after = await Promise.all(ports.map(scrape));
  let reqs = 0; let parts = 0;
  for (let i = 0; i < ports.length; i++) {
    reqs += after[i].get(REQS)! - before[i].get(REQS)!;
    parts += after[i].get(PARTS)! - before[i].get(PARTS)!;
  }
  return { perRequest: parts / Math.max(1, reqs), requests: reqs };
}

/** sha256 of each partition's segment files on one broker */
function checksums(dataDir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (let p = 0; p < PARTITIONS; p++) {
    const dir = path.join(dataDir, `${TOPIC}-${p}`);
    const h = crypto.createHash('sha256');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
    out.set(p, h.digest('hex'));
  }
  return out;
}

/** One record to each partition but 0 (librdkafka's). kafkajs is load only: it can report a send to a killed broker as done (tulios/kafkajs#1303). */
async function produceRound(producer: Producer, round: number): Promise<void> {
  const messages = Array.from({ length: PARTITIONS - 1 }, (_, i) => ({ partition: i + 1, value: `r${round}-p${i + 1}` }));
  await producer.send({ topic: TOPIC, acks: -1, messages });
}

test('200 partitions RF=3 replicate with fetch sessions through a broker kill -9 / restart; replicas identical, acknowledged writes kept, follower requests list only what moved', { timeout: 300_000 }, async (t) => {
  const c = new TestCluster(await createClusterDb(), BROKER_FLAGS);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n, ['--admin-port', '0'])));
  await waitFor('admin ports', async () => [...c.brokers.values()].every((b) => b.cli.ports.admin));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  await createTopic(c, TOPIC, {}, PARTITIONS);

  const kafka = new Kafka({ brokers: c.bootstrap().split(','), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  for (let round = 0; round < 3; round++) await produceRound(producer, round);

  // Quiet: every follower keeps fetching (long polls), listing next to nothing.
  const quiet = await partitionsPerFollowerRequest(c, 3000);
  t.diagnostic(`quiet: ${quiet.requests} follower requests, ${quiet.perRequest.toFixed(2)} partitions listed per request (each follows ~${Math.round(PARTITIONS / 3)} per leader)`);
  assert.ok(quiet.requests > 0, 'follower fetches were counted');
  assert.ok(quiet.perRequest < 2, `followers list ${quiet.perRequest.toFixed(1)} partitions per request while nothing moves`);
  for (const b of c.brokers.values()) {
    const m = await scrape(b.cli.ports.admin);
    assert.ok(m.get('kafka_server_fetchsessioncache_numincrementalfetchsessions')! >= 2, `broker ${b.nodeId} holds its two followers' sessions`);
    assert.ok(m.get('kafka_server_fetchsessioncache_numincrementalfetchpartitionscached')! >= PARTITIONS * 2 / 3 - 10, `broker ${b.nodeId} caches its followers' partitions`);
  }

  // Under load — kafkajs over every partition, and an idempotent acks=all librdkafka producer on
  // partition 0 whose every acknowledgement is checked — kill -9 the broker leading partition 0
  // (a follower of two thirds of the partitions) and restart it.
  const victim = (await kcatMetadata(c.bootstrap(), TOPIC)).topics[0].partitions.find((p) => p.partition === 0)!.leader;
  const acked0 = pythonProducer(c.bootstrap(), TOPIC, 600, 'p0', 10);
  let stop = false;
  let round = 3;
  const load = (async () => { while (!stop) { await produceRound(producer, round++); await new Promise((r) => setTimeout(r, 50)); } })();
  await waitFor('partition 0 acknowledged writes', async () => acked0.ackedSoFar() > 50, 30000, 50);
  await c.kill(victim);
  await new Promise((r) => setTimeout(r, 1500));
  await c.start(victim, ['--admin-port', '0']);
  await waitFor('admin port', async () => c.brokers.get(victim)!.cli.ports.admin);
  await new Promise((r) => setTimeout(r, 2000));
  stop = true;
  await load;
  const res = await acked0.done;
  t.diagnostic(`killed broker ${victim}; kafkajs rounds ${round}; partition 0: ${res.acked.length}/600 acknowledged, delivery errors ${res.errors.length}`);
  assert.deepEqual(res.errors, []);

  await waitFor('every partition led with a full ISR', async () => {
    const ps = (await kcatMetadata(c.bootstrap(), TOPIC)).topics[0]?.partitions ?? [];
    return ps.length === PARTITIONS && ps.every((p) => p.leader > 0 && p.isrs.length === 3);
  }, 60000, 500);
  const dirs = [...c.brokers.values()].map((b) => b.dataDir);
  let differing = '';
  await waitFor('replicas byte-identical', async () => {
    const sums = dirs.map(checksums);
    const differ = [...sums[0].keys()].filter((p) => sums.some((x) => x.get(p) !== sums[0].get(p)));
    differing = differ.slice(0, 10).join(',');
    return differ.length === 0;
  }, 30000, 500).catch((e) => { throw new Error(`${(e as Error).message}; partitions differing: ${differing}`); });
  const log = await readAll(c, TOPIC);
  checkAcked(log, res.acked, 'librdkafka');
  assert.equal(res.acked.length, 600);

  // and the restarted follower is back on sessions: quiet again, next to nothing listed
  await waitFor('quiet follower requests after the restart', async () => (await partitionsPerFollowerRequest(c, 2000)).perRequest < 2, 30000, 0);
});
