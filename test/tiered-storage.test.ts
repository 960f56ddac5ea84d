// Tiered storage to S3 against a real S3-protocol server (s3rver, in this process
// on a free port, path-style) with real clients (kcat, kafkajs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { Admin as PlatformaticAdmin } from '@platformatic/kafka';
import { startBroker, tempDir, type TestBroker } from './helpers/broker.ts';
import { startBroker as startRawBroker } from '../server/broker.ts';
import { spawnCli, BIN } from './helpers/process.ts';
import { kcat, run } from './helpers/clients.ts';
import { startTestS3, type TestS3 } from './helpers/s3-server.ts';
import { RemoteLogManifest } from '../server/tiered/remote-log-manifest.ts';

// 16 KiB segments, a 100 ms task interval and quick retries keep every test short.
const FAST = {
  'log.segment.bytes': '16384',
  'remote.log.manager.task.interval.ms': '100',
  'remote.log.manager.task.retry.backoff.ms': '100',
  'remote.log.manager.task.retry.backoff.max.ms': '400',
  'log.retention.check.interval.ms': '100',
  'log.cleaner.backoff.ms': '600000',
};
const TIERED = { 'remote.storage.enable': 'true', 'local.retention.bytes': '0' };

const record = (i: number) => `r${i}-${String(i).padStart(6, '0')}-${'v'.repeat(180)}`;
const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => record(from + i)).join('\n') + '\n';

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function s3For(t: { after: (fn: () => Promise<void>) => void }): Promise<TestS3> {
  const s3 = await startTestS3();
  t.after(() => s3.close());
  return s3;
}

async function admin(bootstrap: string, t: { after: (fn: () => Promise<void>) => void }) {
  const a = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await a.connect();
  t.after(() => a.disconnect());
  return a;
}

function manifestOf(dataDir: string, topic: string, partition = 0): RemoteLogManifest {
  return RemoteLogManifest.load(path.join(dataDir, `${topic}-${partition}`));
}

function localLogs(dataDir: string, topic: string, partition = 0): string[] {
  return fs.readdirSync(path.join(dataDir, `${topic}-${partition}`)).filter((f) => f.endsWith('.log'));
}

/** Every record of partition 0 from offset 0 via kcat, as `offset:value` lines. */
async function consumeAll(bootstrap: string, topic: string, partition = 0): Promise<string[]> {
  const out = await kcat(['-b', bootstrap, '-t', topic, '-p', String(partition), '-C', '-e', '-q', '-o', 'beginning', '-f', '%o:%s\n']);
  return out.split('\n').filter(Boolean);
}

function assertRecords(got: string[], from: number, to: number): void {
  assert.equal(got.length, to - from, `expected offsets ${from}..${to - 1}, got ${got.length} records (first ${got[0]?.slice(0, 20)})`);
  for (let i = from; i < to; i++) assert.equal(got[i - from], `${i}:${record(i)}`);
}

async function tieredTopic(b: TestBroker, t: any, topic: string, configs: Record<string, string> = TIERED, partitions = 1) {
  const a = await admin(b.bootstrap, t);
  await a.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  return a;
}

async function produce(bootstrap: string, topic: string, from: number, n: number, partition = 0) {
  await kcat(['-b', bootstrap, '-t', topic, '-p', String(partition), '-P', '-X', 'batch.num.messages=20', '-X', 'linger.ms=5'], lines(from, n));
}

test('closed segments upload to S3, local copies go, and consumers read offset 0 from S3 transparently', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  const a = await tieredTopic(b, t, 'tiered');
  await produce(b.bootstrap, 'tiered', 0, 2000);
  const log = b.broker.replicas.get('tiered', 0)!.log;
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  const m = manifestOf(b.dataDir, 'tiered');
  const closed = m.segments.length;
  assert.ok(closed >= 15, `${closed} segments uploaded`);
  assert.equal(m.segments[0].baseOffset, 0n);
  m.segments.slice(1).forEach((s, i) => assert.equal(s.baseOffset, m.segments[i].nextOffset, 'remote segments are contiguous'));
  assert.equal(m.endOffset, log.logStartOffset, 'remote data ends where local data begins');
  assert.deepEqual(localLogs(b.dataDir, 'tiered'), [`${String(log.active.baseOffset).padStart(20, '0')}.log`]);
  const keys = s3.keys('tributary/tiered-');
  for (const ext of ['.log', '.index', '.timeindex']) assert.equal(keys.filter((k) => k.endsWith(ext)).length, closed, `${ext} objects`);
  // ListOffsets: earliest is the remote start, earliest-local the local one.
  const offs = await a.fetchTopicOffsets('tiered');
  assert.equal(offs[0].low, '0');
  assert.equal(offs[0].high, '2000');
  assert.ok(log.logStartOffset > 1000n, `local log start ${log.logStartOffset}`);
  // kcat from the beginning: every record, in order, most of them from S3.
  assertRecords(await consumeAll(b.bootstrap, 'tiered'), 0, 2000);
  assert.ok(b.broker.remoteLogManager!.stats.remoteReads > 0, 'fetches were served from S3');
  // kafkajs by timestamp finds a record held only remotely.
  const byTime = await a.fetchTopicOffsetsByTimestamp('tiered', 0);
  assert.equal(byTime[0].offset, '0');
  // DeleteRecords inside the remote range: the start moves, older remote segments go.
  const segs = manifestOf(b.dataDir, 'tiered').segments.length;
  await a.deleteTopicRecords({ topic: 'tiered', partitions: [{ partition: 0, offset: '500' }] });
  assert.equal((await a.fetchTopicOffsets('tiered'))[0].low, '500');
  await waitFor('remote segments below 500 deleted', () => s3.keys('tributary/tiered-').filter((k) => k.endsWith('.log')).length < segs);
  assert.ok(manifestOf(b.dataDir, 'tiered').segments[0].baseOffset <= 500n, 'the segment holding 500 stays');
  assertRecords(await consumeAll(b.bootstrap, 'tiered'), 500, 2000);
});

/** Every segment object was PUT exactly once. */
function assertUploadedOnce(s3: TestS3): void {
  const logs = [...s3.puts].filter(([k]) => k.endsWith('.log'));
  assert.ok(logs.length > 0, 'segments were uploaded');
  for (const [k, n] of logs) assert.equal(n, 1, `${k} uploaded ${n} times`);
}

test('an in-process restart on the same data dir neither re-uploads nor loses track of remote segments', async (t) => {
  const s3 = await s3For(t);
  const dataDir = tempDir();
  let b = await startBroker({ dataDir, config: s3.config(FAST) });
  t.after(async () => { await b.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); });
  await tieredTopic(b, t, 'restart');
  await produce(b.bootstrap, 'restart', 0, 1000);
  let log = b.broker.replicas.get('restart', 0)!.log;
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  const putsBefore = [...s3.puts.values()].reduce((x, y) => x + y, 0);
  await b.stop();
  b = await startBroker({ dataDir, config: s3.config(FAST) });
  log = b.broker.replicas.get('restart', 0)!.log;
  const a = await admin(b.bootstrap, t);
  assert.equal((await a.fetchTopicOffsets('restart'))[0].low, '0', 'remote start survives the restart');
  await new Promise((r) => setTimeout(r, 1000)); // ten task intervals
  assert.equal([...s3.puts.values()].reduce((x, y) => x + y, 0), putsBefore, 'nothing uploaded again');
  await produce(b.bootstrap, 'restart', 1000, 500);
  await waitFor('new segments uploaded', () => log.segments.length === 1);
  assertUploadedOnce(s3);
  assertRecords(await consumeAll(b.bootstrap, 'restart'), 0, 1500);
});

test('kill -9 of the broker process: the restarted broker neither re-uploads nor loses track', async (t) => {
  const s3 = await s3For(t);
  const dataDir = tempDir();
  const sets = Object.entries({ ...s3.config(FAST), 'log.local.retention.bytes': '0' }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const args = ['broker', '--data-dir', dataDir, '--kafka-port', '0', ...sets];
  let cli = await spawnCli(args);
  t.after(async () => { cli.child.kill('SIGKILL'); await cli.exited; fs.rmSync(dataDir, { recursive: true, force: true }); });
  let bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  const a1 = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await a1.connect();
  await a1.createTopics({ topics: [{ topic: 'killed', configEntries: [{ name: 'remote.storage.enable', value: 'true' }] }] });
  await a1.disconnect();
  await produce(bootstrap, 'killed', 0, 1000);
  const stable = async () => {
    const n = s3.keys('tributary/killed-').length;
    await new Promise((r) => setTimeout(r, 400));
    return n > 0 && n === s3.keys('tributary/killed-').length && localLogs(dataDir, 'killed').length === 1;
  };
  await waitFor('uploads to settle', stable);
  const uploaded = s3.keys('tributary/killed-').filter((k) => k.endsWith('.log'));
  assert.ok(uploaded.length >= 7, `${uploaded.length} segments uploaded`);
  cli.child.kill('SIGKILL');
  await cli.exited;
  cli = await spawnCli(args);
  bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  await new Promise((r) => setTimeout(r, 1000));
  assertUploadedOnce(s3);
  assert.deepEqual(s3.keys('tributary/killed-').filter((k) => k.endsWith('.log')), uploaded);
  assertRecords(await consumeAll(bootstrap, 'killed'), 0, 1000);
  cli.child.kill('SIGTERM');
  await cli.exited;
});

test('S3 down: produce still works, nothing is lost or trimmed, and uploads resume when S3 is back', async (t) => {
  const s3 = await s3For(t);
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write(c, _e, cb) { logLines.push(c.toString()); cb(); } }));
  const dataDir = tempDir();
  const broker = await startRawBroker({ dataDir, logger, config: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '1', 'transaction.state.log.num.partitions': '1', ...s3.config(FAST) } });
  t.after(async () => { await broker.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); });
  const bootstrap = `127.0.0.1:${broker.port}`;
  const a = await admin(bootstrap, t);
  await a.createTopics({ topics: [{ topic: 'outage', configEntries: Object.entries(TIERED).map(([name, value]) => ({ name, value })) }] });
  await s3.stop();
  const t0 = Date.now();
  await produce(bootstrap, 'outage', 0, 1500);
  assert.ok(Date.now() - t0 < 10000, 'produce is not held up by S3');
  const log = broker.replicas.get('outage', 0)!.log;
  const closed = log.segments.length - 1;
  assert.ok(closed >= 10, `${closed} closed segments`);
  await waitFor('a warning naming the endpoint', () => logLines.some((l) => l.includes(s3.endpoint) && l.includes('tiered.s3.endpoint')));
  assert.equal(log.segments.length - 1, closed, 'no local segment deleted while it is not in S3');
  assert.equal(log.logStartOffset, 0n);
  assertRecords(await consumeAll(bootstrap, 'outage'), 0, 1500);
  await s3.start();
  await waitFor('uploads to resume and local copies to go', () => log.segments.length === 1, 30000);
  assert.equal(manifestOf(dataDir, 'outage').segments.length, closed);
  assertRecords(await consumeAll(bootstrap, 'outage'), 0, 1500);
  // A consumer reading remote data during an outage gets a retriable error and carries on once S3 is back.
  broker.remoteLogManager!.cache.invalidate('');
  await s3.stop();
  let done = false;
  const reading = consumeAll(bootstrap, 'outage').finally(() => { done = true; });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(done, false, 'nothing to read while S3 is down');
  await s3.start();
  assertRecords(await reading, 0, 1500);
});

const configEntries = (c: Record<string, string>) => Object.entries(c).map(([name, value]) => ({ name, value }));

test('total retention (retention.bytes, retention.ms) deletes remote segments too; earliest follows', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  const a = await tieredTopic(b, t, 'expiring');
  await produce(b.bootstrap, 'expiring', 0, 1500);
  const log = b.broker.replicas.get('expiring', 0)!.log;
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  const uploaded = manifestOf(b.dataDir, 'expiring').segments.length;
  assert.equal((await a.fetchTopicOffsets('expiring'))[0].low, '0');
  // retention.bytes: keep about 60 KB of the whole partition, remote included.
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'expiring', configEntries: configEntries({ ...TIERED, 'retention.bytes': '60000' }) }] });
  await waitFor('remote segments deleted by size', () => manifestOf(b.dataDir, 'expiring').segments.length < uploaded);
  await waitFor('deletes settle', () => s3.keys('tributary/expiring-').filter((k) => k.endsWith('.log')).length === manifestOf(b.dataDir, 'expiring').segments.length);
  const m = manifestOf(b.dataDir, 'expiring');
  assert.ok(m.totalBytes + log.size < 60000 + 16384 + 1, `remote ${m.totalBytes} + local ${log.size} within retention.bytes + one segment`);
  const low = BigInt((await a.fetchTopicOffsets('expiring'))[0].low);
  assert.equal(low, m.segments[0].baseOffset);
  assert.ok(low > 0n && low < log.logStartOffset, `earliest ${low} is remote`);
  assertRecords(await consumeAll(b.bootstrap, 'expiring'), Number(low), 1500);
  // retention.ms: everything closed is old enough; only the active segment stays.
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'expiring', configEntries: configEntries({ ...TIERED, 'retention.ms': '1' }) }] });
  await waitFor('all remote segments deleted', () => s3.keys('tributary/expiring-').length === 0);
  assert.equal(manifestOf(b.dataDir, 'expiring').segments.length, 0);
  assert.equal((await a.fetchTopicOffsets('expiring'))[0].low, String(log.logStartOffset));
});

test('compacted topics tier too: a segment compacted after upload is re-uploaded and replaces the old copy', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  const topicCfg = { 'remote.storage.enable': 'true', 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' };
  const a = await tieredTopic(b, t, 'table', topicCfg);
  // 300 keys written once (they survive compaction in closed segments), then 20 keys rewritten over and over.
  const input = [...Array.from({ length: 300 }, (_, i) => `static${i}:s${i}-${'y'.repeat(150)}`), ...Array.from({ length: 1500 }, (_, i) => `user${i % 20}:v${i}-${'x'.repeat(150)}`)].join('\n') + '\n';
  await kcat(['-b', b.bootstrap, '-t', 'table', '-P', '-K:', '-X', 'batch.num.messages=20', '-X', 'linger.ms=5'], input);
  const log = b.broker.replicas.get('table', 0)!.log;
  const closed = log.segments.length - 1;
  await waitFor('every closed segment uploaded', () => manifestOf(b.dataDir, 'table').segments.length === closed);
  const before = manifestOf(b.dataDir, 'table');
  const stats = b.broker.cleaner!.runOnce(Date.now(), true);
  assert.ok(stats.length === 1 && stats[0].segments > 0, JSON.stringify(stats));
  // The manifest follows the cleaned segments: same bases, new sizes and keys.
  const matches = () => {
    const m = manifestOf(b.dataDir, 'table');
    return m.segments.length === closed && m.segments.every((s, i) => s.size === log.segments[i].size) && m.pendingDeletes.length === 0;
  };
  await waitFor('compacted segments re-uploaded', matches);
  const after = manifestOf(b.dataDir, 'table');
  assert.ok(after.segments.some((s, i) => s.key !== before.segments[i].key), 'some segments replaced');
  assert.equal(s3.keys('tributary/table-').filter((k) => k.endsWith('.log')).length, closed, 'replaced copies deleted from S3');
  assertNoReuploadOfUnchanged(before, after);
  // Now let local copies go and read the compacted data back from S3.
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'table', configEntries: configEntries({ ...topicCfg, 'local.retention.bytes': '0' }) }] });
  await waitFor('local deletion', () => log.segments.length === 1);
  const reads = b.broker.remoteLogManager!.stats.remoteReads;
  const out = (await kcat(['-b', b.bootstrap, '-t', 'table', '-C', '-e', '-q', '-o', 'beginning', '-f', '%k=%s@%o\n'])).trim().split('\n');
  assert.ok(b.broker.remoteLogManager!.stats.remoteReads > reads, 'read from S3');
  const latest = new Map<string, string>();
  for (const l of out) { const [kv] = l.split('@'); const [k, v] = kv.split('='); latest.set(k, v.split('-')[0]); }
  for (let u = 0; u < 20; u++) assert.equal(latest.get(`user${u}`), `v${1480 + u}`);
  for (let i = 0; i < 300; i++) assert.equal(latest.get(`static${i}`), `s${i}`);
  const offsets = out.map((l) => Number(l.split('@')[1]));
  assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'offsets increase, never renumbered');
  assert.ok(out.length < 450, `compacted to ${out.length} records`);
});

function assertNoReuploadOfUnchanged(before: RemoteLogManifest, after: RemoteLogManifest): void {
  for (let i = 0; i < before.segments.length; i++) {
    if (before.segments[i].size === after.segments[i].size) assert.equal(after.segments[i].key, before.segments[i].key, 'an unchanged segment keeps its upload');
  }
}

test('remote.storage.enable=false on a topic stops tiering; the topic stays and its remote data stays readable', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  const a = await tieredTopic(b, t, 'switch');
  await produce(b.bootstrap, 'switch', 0, 1000);
  const log = b.broker.replicas.get('switch', 0)!.log;
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  const puts = s3.puts.size;
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'switch', configEntries: configEntries({ 'remote.storage.enable': 'false' }) }] });
  await produce(b.bootstrap, 'switch', 1000, 1000);
  assert.ok(log.segments.length > 5, `${log.segments.length} local segments`);
  await new Promise((r) => setTimeout(r, 1000)); // ten task intervals
  assert.equal(s3.puts.size, puts, 'no uploads once switched off');
  assert.ok(log.segments.length > 5, 'local segments kept');
  assert.ok((await a.listTopics()).includes('switch'), 'the topic still exists');
  assert.equal((await a.fetchTopicOffsets('switch'))[0].low, '0');
  assertRecords(await consumeAll(b.bootstrap, 'switch'), 0, 2000);
  // On again, with IncrementalAlterConfigs (what kafka-configs.sh --add-config sends): the new closed segments go up.
  const pk = new PlatformaticAdmin({ clientId: 'tiered-admin', bootstrapBrokers: [b.bootstrap] });
  t.after(() => pk.close());
  await pk.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'switch', configs: Object.entries(TIERED).map(([name, value]) => ({ name, value, configOperation: 0 })) }] });
  await waitFor('tiering resumed', () => log.segments.length === 1);
  assertUploadedOnce(s3);
  assertRecords(await consumeAll(b.bootstrap, 'switch'), 0, 2000);
});

test('one Fetch serves many partitions from S3, reading them concurrently', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  await tieredTopic(b, t, 'wide', TIERED, 4);
  for (let p = 0; p < 4; p++) await produce(b.bootstrap, 'wide', p * 1000, 600, p);
  const logs = [0, 1, 2, 3].map((p) => b.broker.replicas.get('wide', p)!.log);
  await waitFor('all partitions tiered', () => logs.every((l) => l.segments.length === 1 && l.logStartOffset > 0n));
  // Count remote reads in flight at once.
  const hooks = b.broker.remoteLogManager!;
  const read = hooks.read.bind(hooks);
  let inFlight = 0; let maxInFlight = 0;
  const partitionsRead = new Set<number>();
  hooks.read = async (p: Parameters<typeof read>[0], o: bigint, m: number, u: bigint) => {
    inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); partitionsRead.add(p.partition);
    try { return await read(p, o, m, u); } finally { inFlight--; }
  };
  const out = (await kcat(['-b', b.bootstrap, '-t', 'wide', '-C', '-e', '-q', '-o', 'beginning', '-f', '%p:%o:%s\n'])).split('\n').filter(Boolean);
  for (let p = 0; p < 4; p++) {
    const got = out.filter((l) => l.startsWith(`${p}:`)).map((l) => l.slice(2));
    assert.equal(got.length, 600, `partition ${p}`);
    got.forEach((l, i) => assert.equal(l, `${i}:${record(p * 1000 + i)}`));
  }
  assert.equal(partitionsRead.size, 4);
  assert.ok(maxInFlight >= 2, `remote reads in flight at once: ${maxInFlight}`);
  // Deleting the topic deletes its remote segments.
  const a = await admin(b.bootstrap, t);
  await a.deleteTopics({ topics: ['wide'] });
  await waitFor('remote objects of the deleted topic removed', () => s3.keys('tributary/wide-').length === 0);
});

test('read_committed consumers skip aborted transactions in segments read back from S3', async (t) => {
  const s3 = await s3For(t);
  const b = await startBroker({ config: s3.config(FAST) });
  t.after(() => b.stop());
  await tieredTopic(b, t, 'txn');
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'tiered-tx', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const committed: string[] = [];
  for (let i = 0; i < 30; i++) {
    const tx = await producer.transaction();
    const values = Array.from({ length: 20 }, (_, j) => `t${i}-${j}-${'p'.repeat(200)}`);
    await tx.send({ topic: 'txn', messages: values.map((value) => ({ value, partition: 0 })) });
    if (i % 3 === 1) await tx.abort(); else { await tx.commit(); committed.push(...values); }
  }
  const log = b.broker.replicas.get('txn', 0)!.log;
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  assert.ok(manifestOf(b.dataDir, 'txn').segments.length >= 4, 'several segments uploaded');
  assert.ok(manifestOf(b.dataDir, 'txn').segments.some((s) => s.aborted.length > 0), 'aborted transactions recorded with the remote segments');
  const keys = s3.keys('tributary/txn-');
  assert.ok(keys.some((k) => k.endsWith('.txnindex')) && keys.some((k) => k.endsWith('.snapshot')), 'transaction index and producer snapshot uploaded');
  const out = (await kcat(['-b', b.bootstrap, '-t', 'txn', '-C', '-e', '-q', '-o', 'beginning', '-X', 'isolation.level=read_committed', '-f', '%s\n'])).split('\n').filter(Boolean);
  assert.deepEqual(out, committed);
  const all = (await kcat(['-b', b.bootstrap, '-t', 'txn', '-C', '-e', '-q', '-o', 'beginning', '-X', 'isolation.level=read_uncommitted', '-f', '%s\n'])).split('\n').filter(Boolean);
  assert.equal(all.length, 600);
});

test('switching tiering on without a bucket is a one-line config error, exit code 2', async () => {
  const dir = tempDir();
  try {
    const r = await run(process.execPath, [BIN, 'broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'remote.log.storage.system.enable=true'], { timeoutMs: 20000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /tributary: tiered\.s3\.bucket is required/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
