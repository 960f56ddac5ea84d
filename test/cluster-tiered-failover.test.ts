// Tiered storage in a cluster: the remote log manifest lives in the metadata store.
// Three CLI brokers, RF 3, tiny segments and local retention 0: the leader uploads, every
// replica trims what is uploaded; after a kill -9 of the leader the new leader serves
// offset 0 onwards from S3, carries on uploading after the old leader's last segment
// without uploading anything twice (nor does the old leader when it returns), and retention
// deletes remote segments it did not upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, run } from './helpers/clients.ts';
import { BIN } from './helpers/process.ts';
import { startTestS3 } from './helpers/s3-server.ts';

const FAST = {
  'log.segment.bytes': '16384',
  'remote.log.manager.task.interval.ms': '200',
  'remote.log.manager.task.retry.backoff.ms': '100',
  'remote.log.manager.task.retry.backoff.max.ms': '400',
  'log.retention.check.interval.ms': '200',
  'log.cleaner.backoff.ms': '600000',
  'broker.session.timeout.ms': '6000',
};

const record = (i: number) => `r${i}-${String(i).padStart(6, '0')}-${'v'.repeat(180)}`;
const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => record(from + i)).join('\n') + '\n';

function assertRecords(got: string[], from: number, to: number): void {
  assert.equal(got.length, to - from, `expected offsets ${from}..${to - 1}, got ${got.length} records (first ${got[0]?.slice(0, 20)})`);
  for (let i = from; i < to; i++) assert.equal(got[i - from], `${i}:${record(i)}`);
}

const localLogs = (dataDir: string) => { try { return fs.readdirSync(path.join(dataDir, 'tiered-0')).filter((f) => f.endsWith('.log')).sort(); } catch { return []; } };

test('cluster tiered storage: a new leader after kill -9 serves the old leader\'s remote data, uploads nothing twice, retention deletes remote segments', async (t) => {
  const s3 = await startTestS3();
  t.after(() => s3.close());
  const db = await createClusterDb();
  const sets = Object.entries({ ...s3.config(FAST), 'log.local.retention.bytes': '0' }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const cluster = new TestCluster(db, sets);
  t.after(() => cluster.close());
  for (const id of [1, 2, 3]) await cluster.start(id);
  const any = () => [...cluster.brokers.values()][0].bootstrap;
  await waitFor('three brokers in the metadata', async () => (await kcatMetadata(any())).brokers.length === 3, 60000, 500);
  const cli = async (...args: string[]) => {
    const r = await run(process.execPath, [BIN, ...args, '--bootstrap', any()], { timeoutMs: 90000 });
    if (r.status !== 0) throw new Error(`tributary ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  await cli('topic', 'create', 'tiered', '--partitions', '1', '--replication-factor', '3', '--config', 'remote.storage.enable=true', '--config', 'local.retention.bytes=0', '--config', 'min.insync.replicas=2');
  const leaderOf = async (bootstrap: string) => (await kcatMetadata(bootstrap, 'tiered')).topics[0]?.partitions[0];
  await waitFor('a leader with a full ISR', async () => (await leaderOf(any()))?.isrs.length === 3, 30000, 300);

  const produce = (from: number, n: number) => kcat(['-b', cluster.bootstrap(), '-t', 'tiered', '-p', '0', '-P', '-X', 'acks=all', '-X', 'batch.num.messages=20', '-X', 'linger.ms=5'], lines(from, n));
  await produce(0, 1500);
  const leader = (await leaderOf(any()))!.leader;
  const uploaded = () => s3.keys('tributary/tiered-').filter((k) => k.endsWith('.log')).sort();
  // Uploaded, and every replica (the followers too) trimmed its local copies down to the active segment.
  await waitFor('uploads and local trimming on every replica', async () => uploaded().length >= 10 && [...cluster.brokers.values()].every((b) => localLogs(b.dataDir).length === 1), 60000, 300);
  const before = uploaded();
  const puts = () => [...s3.puts].filter(([k]) => k.endsWith('.log'));
  assert.ok(puts().every(([, n]) => n === 1));

  // kill -9 the leader; a follower takes over with only its active segment on disk.
  await cluster.kill(leader);
  const survivor = [...cluster.brokers.values()][0];
  const now = await waitFor('a new leader', async () => { const p = await leaderOf(survivor.bootstrap); return p && p.leader !== leader && p.leader > 0 && p; }, 30000, 300);
  const newLeader = cluster.brokers.get(now.leader)!;
  assert.equal(localLogs(newLeader.dataDir).length, 1, 'the new leader holds only its active segment locally');
  assert.notEqual(localLogs(newLeader.dataDir)[0], '00000000000000000000.log');
  // Every record from offset 0, in order, through the new leader (what is not local comes from S3).
  const read = async () => (await kcat(['-b', newLeader.bootstrap, '-t', 'tiered', '-p', '0', '-C', '-e', '-q', '-o', 'beginning', '-f', '%o:%s\n'])).split('\n').filter(Boolean);
  assertRecords(await read(), 0, 1500);

  // The new leader continues after the last uploaded offset: more data, new segments, nothing uploaded twice.
  await produce(1500, 1000);
  await waitFor('the new leader uploading the new segments', async () => uploaded().length >= before.length + 5 && localLogs(newLeader.dataDir).length === 1, 60000, 300);
  // The old leader comes back (and may lead again by preferred-leader rebalancing): it reads the
  // stored manifest and uploads nothing it or its successor already did.
  await cluster.start(leader);
  await waitFor('the old leader back in the ISR', async () => (await leaderOf(survivor.bootstrap))?.isrs.length === 3, 60000, 300);
  await waitFor('the old leader trimming its local copies', async () => localLogs(cluster.brokers.get(leader)!.dataDir).length === 1, 60000, 300);
  await new Promise((r) => setTimeout(r, 2000)); // ten task intervals: a re-upload would show
  for (const [k, n] of puts()) assert.equal(n, 1, `${k} uploaded ${n} times`);
  const after = uploaded();
  // What the old leader uploaded stays; at most the segment that was open on the new leader at the
  // hand-over (cut at another offset there) replaces the old leader's object of the same base offset.
  const base = (k: string) => /(\d{20})-[0-9a-f]{8}\.log$/.exec(k)![1];
  const replaced = before.filter((k) => !after.includes(k));
  assert.ok(replaced.length <= 1, `old leader's objects replaced: ${replaced.join(', ')}`);
  for (const k of replaced) assert.ok(after.some((n) => base(n) === base(k)), `${k} replaced by a segment of the same base offset`);
  const bases = after.map(base);
  assert.equal(new Set(bases).size, bases.length, 'one object per base offset');
  assertRecords(await read(), 0, 2500);

  // The manifest in the store names exactly what is in the bucket, written under the new leader's epoch.
  const c = new pg.Client({ connectionString: db.url });
  c.on('error', () => {}); // the database is dropped at the end
  await c.connect();
  t.after(() => c.end().catch(() => {}));
  const row = async () => (await c.query('SELECT leader_epoch, manifest FROM tributary_remote_log_manifests')).rows;
  const [m] = await row();
  assert.ok(m.leader_epoch >= 1, `written under leader epoch ${m.leader_epoch}, after the failover`);
  const named = () => row().then((r) => r[0].manifest.segments.map((s: any) => `tributary/${s.key}.log`).sort());
  assert.deepEqual(await named(), uploaded());

  // Retention (total) through the new leader deletes the oldest remote segments, its own predecessor's included.
  await cli('topic', 'alter-config', 'tiered', '--set', 'retention.bytes=100000');
  await waitFor('retention deleting remote segments', async () => uploaded().length < after.length && !uploaded().includes(before[0]), 60000, 300);
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(await named(), uploaded(), 'manifest and bucket agree after retention');
  for (const [k, n] of s3.deletes) if (k.endsWith('.log')) assert.equal(n, 1, `${k} deleted ${n} times`);
  const got = await read();
  const first = Number(got[0].split(':')[0]);
  assert.ok(first > 0, 'the log start moved');
  assertRecords(got, first, 2500);
  await c.end();
});
