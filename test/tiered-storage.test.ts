// Tiered storage to S3 against a real S3-protocol server (s3rver, in this process
// on a free port, path-style) with real clients (kcat, kafkajs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, tempDir, type TestBroker } from './helpers/broker.ts';
import { startBroker as startRawBroker } from '../server/broker.ts';
import { spawnCli } from './helpers/process.ts';
import { kcat } from './helpers/clients.ts';
import { startTestS3, type TestS3 } from '../server/tiered/test-s3.ts';
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
  const closed = log.segments.length - 1;
  assert.ok(closed >= 15, `${closed} closed segments`);
  await waitFor('upload and local deletion', () => log.segments.length === 1);
  const m = manifestOf(b.dataDir, 'tiered');
  assert.equal(m.segments.length, closed);
  assert.equal(m.segments[0].baseOffset, 0n);
  assert.equal(m.endOffset, log.logStartOffset, 'remote data ends where local data begins');
  assert.deepEqual(localLogs(b.dataDir, 'tiered'), [`${String(log.active.baseOffset).padStart(20, '0')}.log`]);
  const keys = s3.keys('tributary/tiered-');
  for (const ext of ['.log', '.index', '.timeindex']) assert.equal(keys.filter((k) => k.endsWith(ext)).length, closed, `${ext} objects`);
  // ListOffsets: earliest is the remote start, earliest-local the local one.
  const offs = await a.fetchTopicOffsets('tiered');
  assert.equal(offs[0].low, '0');
  assert.equal(offs[0].high, '2000');
  assert.ok(log.logStartOffset > 1000n);
  // kcat from the beginning: every record, in order, most of them from S3.
  assertRecords(await consumeAll(b.bootstrap, 'tiered'), 0, 2000);
  assert.ok(b.broker.remoteLogManager!.stats.remoteReads > 0);
  // kafkajs by timestamp finds a record held only remotely.
  const byTime = await a.fetchTopicOffsetsByTimestamp('tiered', 0);
  assert.equal(byTime[0].offset, '0');
});
