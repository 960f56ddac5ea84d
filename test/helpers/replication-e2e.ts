// Replication end to end (test/replication-*.test.ts): three `tributary broker`
// processes on a fresh PostgreSQL metadata store, librdkafka producers in python,
// reading a partition back from its leader, and per-segment checksums of replicas.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './cluster.ts';
import { PYTHON } from './clients.ts';
import { ROOT } from './process.ts';
import { makeCa, makeCert } from './certs.ts';
import { TestClient } from './replication-cluster.ts';
import { FindCoordinator } from '../../server/protocol/apis/index.ts';
import { partitionFor } from '../../server/txn/transaction-coordinator.ts';

export const SESSION_MS = 3000;
export const BROKER_FLAGS = [
  '--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.fetch.backoff.ms=100', '--set', 'replica.lag.time.max.ms=5000',
  '--set', 'group.initial.rebalance.delay.ms=0', '--set', 'offsets.topic.num.partitions=3', '--set', 'offsets.topic.replication.factor=3',
  '--set', 'transaction.state.log.num.partitions=3', '--set', 'transaction.state.log.replication.factor=3',
];

const leaving = new Map<TestCluster, (() => unknown)[]>();

/**
 * A cleanup that runs before the cluster's brokers are killed, at most 15 s: a client
 * (kafkajs) left to disconnect from dead brokers can hold the test file open past its timeout.
 */
/** The brokers' own PLAIN login on the INTERNAL listener (user_broker: the account they accept). */
export const INTERNAL_PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";';

/**
 * Broker flags for clients on a PLAINTEXT listener (the first, taking --kafka-port) and brokers
 * reaching each other only on a SASL_SSL listener INTERNAL, logging in with PLAIN; the
 * certificate and its CA are made in `dir`.
 */
export function saslSslInterBrokerFlags(dir: string): string[] {
  const ca = makeCa(dir);
  const cert = makeCert(ca, 'broker', '/O=Tributary/CN=broker');
  return [
    '--set', 'listeners=CLIENT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
    '--set', 'listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:SASL_SSL',
    '--set', 'inter.broker.listener.name=INTERNAL',
    '--set', 'sasl.mechanism.inter.broker.protocol=PLAIN',
    '--set', 'listener.name.internal.sasl.enabled.mechanisms=PLAIN',
    '--set', `listener.name.internal.plain.sasl.jaas.config=${INTERNAL_PLAIN_JAAS}`,
    '--set', `listener.name.internal.ssl.keystore.location=${cert.pem}`,
    '--set', `listener.name.internal.ssl.truststore.location=${ca.cert}`,
  ];
}

/** The INTERNAL listener's port of a broker (saslSslInterBrokerFlags), from its "kafka listener INTERNAL (SASL_SSL) listening on" line. */
export function internalPort(output: string): number {
  const m = /kafka listener INTERNAL \(SASL_SSL\) listening on [^\s:]+:(\d+)/.exec(output);
  assert.ok(m, `no INTERNAL listener line in:\n${output.slice(0, 2000)}`);
  return Number(m[1]);
}

/** Every "replica fetcher connected to the leader" log line of a broker (info level: LOG_LEVEL=info). */
export function fetcherConnections(output: string): { leader: number; address: string; listener: string; protocol: string }[] {
  return output.split('\n').filter((l) => l.includes('replica fetcher connected to the leader')).map((l) => JSON.parse(l.slice(l.indexOf('{'))));
}

export function beforeClose(c: TestCluster, fn: () => unknown): void { leaving.get(c)?.push(fn); }

export async function cluster(t: { after: (fn: () => Promise<void>) => void }): Promise<TestCluster> {
  const c = new TestCluster(await createClusterDb(), BROKER_FLAGS);
  leaving.set(c, []);
  t.after(async () => {
    for (const fn of (leaving.get(c) ?? []).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.resolve().then(fn).catch(() => {}), new Promise((r) => { timer = setTimeout(r, 15000); })]);
      clearTimeout(timer);
    }
    leaving.delete(c);
    await c.close();
  });
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  return c;
}

export async function createTopic(c: TestCluster, name: string, configs: Record<string, string> = {}, partitions = 1): Promise<void> {
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

export async function partitionInfo(c: TestCluster, topic: string) {
  return waitFor(`${topic} metadata`, async () => (await kcatMetadata(c.bootstrap(), topic)).topics[0]?.partitions[0]);
}

/** The acks=all idempotent librdkafka producer of test/py/acked_producer.py, running in the background. */
export function pythonProducer(bootstrap: string, topic: string, count: number, prefix: string, intervalMs: number) {
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
export async function readAll(c: TestCluster, topic: string): Promise<Map<number, string>> {
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

export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export const CODEC_ID: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Codec ids (attributes & 7) of every batch in a replica's segments of partition 0. */
export function batchCodecs(dataDir: string, topic: string): number[] {
  const dir = path.join(dataDir, `${topic}-0`);
  const out: number[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) {
    const buf = fs.readFileSync(path.join(dir, f));
    for (let pos = 0; pos + 23 <= buf.length; pos += 12 + buf.readInt32BE(pos + 8)) out.push(buf.readInt16BE(pos + 21) & 7);
  }
  return out;
}

/** sha256 of every segment file of the partition on one broker: replicas that settled have equal maps. */
export function segmentChecksums(dataDir: string, topic: string): Record<string, string> {
  const dir = path.join(dataDir, `${topic}-0`);
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) out[f] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
  return out;
}

export async function settled(c: TestCluster, topic: string): Promise<void> {
  await waitFor('every replica back in the ISR', async () => (await partitionInfo(c, topic)).isrs.length === 3, 30000);
  const dirs = [...c.brokers.values()].map((b) => b.dataDir);
  await waitFor('replicas byte-identical', async () => {
    const sums = dirs.map((d) => JSON.stringify(segmentChecksums(d, topic)));
    return sums.every((s) => s === sums[0]);
  }, 15000);
}

export function checkAcked(log: Map<number, string>, acked: { v: string; o: number }[], who: string): void {
  for (const a of acked) assert.equal(log.get(a.o), a.v, `${who}: acknowledged record ${a.v} is at offset ${a.o}`);
}


/** The coordinator broker of a group (key type 0) or transactional id (1), once FindCoordinator names one. */
export async function coordinatorOf(c: TestCluster, key: string, keyType: 0 | 1): Promise<number> {
  return waitFor(`the coordinator of ${key}`, async () => {
    const b = [...c.brokers.values()][0];
    const cl = await TestClient.connect(b.port);
    try {
      const r = await cl.conn.send(FindCoordinator, 3, { key, keyType });
      return r.errorCode === 0 && r.nodeId;
    } finally { cl.close(); }
  }, 30000, 200);
}

/** A group id (`prefix-N`) whose __consumer_offsets partition broker `nodeId` leads (FindCoordinator creates the topic first). */
export async function groupCoordinatedBy(c: TestCluster, nodeId: number, prefix: string): Promise<string> {
  await coordinatorOf(c, `${prefix}-probe`, 0);
  const ps = await waitFor('__consumer_offsets led with a full ISR', async () => {
    const t = (await kcatMetadata(c.bootstrap(), '__consumer_offsets')).topics[0];
    return !!t?.partitions?.length && t.partitions.every((p) => p.leader > 0 && p.isrs.length === 3) && t.partitions;
  }, 30000);
  for (let i = 0; i < 1000; i++) {
    const id = `${prefix}-${i}`;
    if (ps.find((p) => p.partition === partitionFor(id, ps.length))?.leader === nodeId) {
      assert.equal(await coordinatorOf(c, id, 0), nodeId, `FindCoordinator names broker ${nodeId} for ${id}`);
      return id;
    }
  }
  throw new Error(`broker ${nodeId} leads no __consumer_offsets partition`);
}
