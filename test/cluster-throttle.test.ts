// Replication throttle (KIP-73) on real brokers: `tributary partitions reassign
// --throttle` moves ~6 MB onto another broker no faster than the throttle allows,
// DescribeConfigs shows the throttle while it is set (topic replica lists, broker
// rates), a producer to another partition keeps working, and the throttle is gone
// once the move is done. Only a lower bound on time is asserted (it cannot be
// faster than bytes / rate minus what the quota lets through at once); a loaded
// machine only makes it slower.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python, run } from './helpers/clients.ts';
import { BIN, ROOT } from './helpers/process.ts';
import { assertThrottleRemoved, assertWithinQuota, startThrottledMove, throttleShown } from './helpers/throttle.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { kafkaMessage } from '../app/commands/partitions.ts';

const RATE = 700_000;
/** follower fetches of at most this (and batches of at most 64 KiB, below): the quota is overdrawn by one of them at most */
const FETCH = 262_144;
const RECORD = 1000;
const RECORDS = 6 * 1024;
/** the quota's burst (one 1 s window) plus one follower fetch that may overdraw it (replica.fetch.max.bytes) */
const SLACK = RATE + FETCH + 65_536;

const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { timeoutMs: 180000 });

test('partitions reassign --throttle copies at the throttle rate, shows it in DescribeConfigs, and removes it when done', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=6000', '--set', `replica.fetch.max.bytes=${FETCH}`]);
  t.after(() => c.close());
  await Promise.all([1, 2].map((n) => c.start(n)));
  await waitFor('two brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 2);
  const boot = c.bootstrap();
  for (const [topic, a] of [['moving', [[1]]], ['back', [[2]]], ['other', [[1]]]] as const) {
    const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'assign', topic, JSON.stringify(a)]);
    assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  }
  const line = (i: number) => String(i).padStart(8, '0') + 'x'.repeat(RECORD - 9);
  const payload = Array.from({ length: RECORDS }, (_, i) => line(i)).join('\n') + '\n';
  for (const topic of ['moving', 'back']) await kcat(['-P', '-b', boot, '-t', topic, '-X', 'acks=all', '-X', 'batch.size=65536', '-z', 'none'], payload);
  const admin = new ClusterAdmin({ bootstrap: boot, clientId: 'throttle-test' });
  t.after(() => admin.close());
  const size = (await admin.describeLogDirs()).find((b) => b.nodeId === 1)!.dirs![0].topics.find((x) => x.name === 'moving')!.partitions[0].size;
  assert.ok(size >= RECORDS * RECORD, `the partition holds ${size} bytes`);

  // The throttled move, in the background: while it runs DescribeConfigs shows the throttle.
  const move = startThrottledMove({ bootstrap: boot, dir: c.root, admin, rate: RATE, moves: [{ topic: 'moving', partition: 0, replicas: [2] }], watch: { nodeId: 2, topic: 'moving', partition: 0 }, after: (fn) => t.after(fn) });
  let running = true;
  void move.exited.then(() => { running = false; });
  await throttleShown(admin, 'moving', '0:1', '0:2', [1, 2], RATE);

  // Another partition of the throttled leader takes writes meanwhile (throttling is of replication only).
  const produced = await run('kcat', ['-P', '-b', boot, '-t', 'other', '-X', 'acks=all', '-X', 'message.timeout.ms=30000'], { input: 'a\nb\nc\n', timeoutMs: 60000 });
  assert.equal(produced.status, 0, produced.stderr);
  t.diagnostic(`produce to another partition of broker 1 answered while the move ${running ? 'ran' : 'had already ended'}`);

  const code = await move.exited;
  const elapsed = move.elapsed();
  const out = move.output();
  assert.equal(code, 0, out);
  assert.match(out, new RegExp(`throttle: ${RATE} B/s on brokers 1,2`));
  assert.match(out, /throttle removed from moving and brokers 1,2/);
  const floor = (size - SLACK) / RATE;
  t.diagnostic(`throttled move of ${size} bytes at ${RATE} B/s: ${elapsed.toFixed(2)} s (lower bound ${floor.toFixed(2)} s)`);
  assert.ok(elapsed >= floor, `${size} bytes at ${RATE} B/s cannot take less than ${floor.toFixed(2)} s; took ${elapsed.toFixed(2)} s`);
  // The same bound while it ran, between any two looks at broker 2.
  const copying = move.samples.filter((x) => x.held > 0 && x.held < size);
  t.diagnostic(`broker 2 held ${copying.map((x) => `${(x.held / 1e6).toFixed(1)} MB@${x.got.toFixed(1)}s`).join(' ')}`);
  assertWithinQuota(move.samples, size, RATE, SLACK);

  // Done: the data is on broker 2 alone, and the throttle is gone (back to the defaults).
  const md = await kcatMetadata(boot, 'moving');
  assert.deepEqual(md.topics[0].partitions[0].replicas.map((r) => r.id), [2]);
  const read = await kcat(['-C', '-b', boot, '-t', 'moving', '-o', 'beginning', '-e', '-q', '-f', '%o\\n']);
  assert.equal(read.trim().split('\n').length, RECORDS);
  await assertThrottleRemoved(admin, 'moving', [1, 2]);
  assert.deepEqual((await run('kcat', ['-C', '-b', boot, '-t', 'other', '-o', 'beginning', '-e', '-q'], { timeoutMs: 30000 })).stdout.trim().split('\n'), ['a', 'b', 'c']);

  // The same amount unthrottled, for comparison (reported, not asserted: timing on a loaded machine).
  const plan = path.join(c.root, 'back.json');
  fs.writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'back', partition: 0, replicas: [1] }] }));
  const t0 = Date.now();
  const free = await cli(['partitions', 'reassign', '--bootstrap', boot, '--plan', plan]);
  assert.equal(free.status, 0, free.stdout + free.stderr);
  t.diagnostic(`the same move without a throttle: ${((Date.now() - t0) / 1000).toFixed(2)} s`);

  // Bad input is a usage error.
  const bad = await cli(['partitions', 'reassign', '--bootstrap', boot, '--plan', plan, '--throttle', '-5']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--throttle expects bytes per second/);
  const refused = await admin.raw.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'moving', configs: [{ name: 'leader.replication.throttled.replicas', configOperation: 0, value: '0-1' }] }] }).then(() => null, (e) => e);
  assert.match(kafkaMessage(refused), /INVALID_CONFIG: .*leader.replication.throttled.replicas: must be the literal '\*' or a list of replicas/);
});
