// `tributary cluster balance` and `tributary partitions reassign` against real
// brokers: a fourth broker joins and balance --execute moves replicas and leaders
// onto it while a producer runs; no acknowledged record is lost; --drain empties it
// again; Kafka's reassignment JSON moves one partition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, PYTHON, python, run } from './helpers/clients.ts';
import { BIN, ROOT } from './helpers/process.ts';

const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { timeoutMs: 120000 });
const replicasOn = (md: Awaited<ReturnType<typeof kcatMetadata>>, id: number) => md.topics[0].partitions.filter((p) => p.replicas.some((r) => r.id === id)).length;

test('cluster balance --execute spreads onto a new broker under load; --drain empties it; partitions reassign --plan', async (t) => {
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=6000', '--set', 'replica.lag.time.max.ms=10000']);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 3);
  const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), c.bootstrap(), 'create', 'bal', '6', '2']);
  assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  await c.start(4);
  const boot = c.bootstrap();
  await waitFor('four brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 4);

  // the dry run prints the plan and changes nothing
  const dry = await cli(['cluster', 'balance', '--bootstrap', boot]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /partition\(s\) to move/);
  assert.match(dry.stdout, /dry run: add --execute/);
  assert.equal(replicasOn(await kcatMetadata(boot, 'bal'), 4), 0);

  // A producer keeps writing with acks=all while the plan runs.
  const stop = path.join(c.root, 'stop');
  const producer = spawn(PYTHON, [path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'produce', 'bal', stop], { stdio: ['ignore', 'pipe', 'pipe'] });
  let produced = '';
  producer.stdout.on('data', (d) => { produced += d; });
  const producerDone = new Promise((r) => producer.on('exit', r));
  t.after(() => { producer.kill('SIGKILL'); });
  await new Promise((r) => setTimeout(r, 1000));
  const exec = await cli(['cluster', 'balance', '--bootstrap', boot, '--execute', '--max-moves', '2']);
  assert.equal(exec.status, 0, exec.stdout + exec.stderr);
  assert.match(exec.stderr, /at most 2 at a time/);
  assert.match(exec.stderr, /done: \d+ partition\(s\) on their new replicas/);
  await new Promise((r) => setTimeout(r, 500));
  fs.writeFileSync(stop, '');
  await producerDone;
  const load = JSON.parse(produced.trim().split('\n').at(-1)!);
  const md = await kcatMetadata(boot, 'bal');
  assert.equal(replicasOn(md, 4), 3, 'broker 4 holds its share (12 replicas / 4 brokers)');
  assert.ok(md.topics[0].partitions.some((p) => p.leader === 4), 'and leads some partitions');
  assert.ok(load.acked.length > 0);
  assert.deepEqual(load.errors, [], 'no record failed');
  // Every acknowledged record is at its offset.
  const read = await kcat(['-C', '-b', boot, '-t', 'bal', '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n']);
  const at = new Map(read.trim().split('\n').map((l) => { const [p, o, v] = l.split(' '); return [`${p}:${o}`, v]; }));
  for (const [p, o, v] of load.acked) assert.equal(at.get(`${p}:${o}`), v, `acknowledged ${v} at ${p}:${o}`);

  // Kafka's reassignment JSON moves one partition; a bad plan is a usage error.
  const plan = path.join(c.root, 'move.json');
  const p0 = md.topics[0].partitions.find((p) => p.partition === 0)!;
  const target = [1, 2, 3, 4].filter((b) => !p0.replicas.some((r) => r.id === b)).slice(0, 2);
  fs.writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'bal', partition: 0, replicas: target, log_dirs: ['any', 'any'] }] }));
  const moved = await cli(['partitions', 'reassign', '--bootstrap', boot, '--plan', plan]);
  assert.equal(moved.status, 0, moved.stdout + moved.stderr);
  const after = (await kcatMetadata(boot, 'bal')).topics[0].partitions.find((p) => p.partition === 0)!;
  assert.deepEqual(after.replicas.map((r) => r.id), target);
  fs.writeFileSync(plan, '{"partitions":[{"topic":"bal","partition":0,"replicas":[1,1]}]}');
  const bad = await cli(['partitions', 'reassign', '--bootstrap', boot, '--plan', plan]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"replicas" lists a broker twice/);

  // --drain 4: broker 4 ends with nothing, ready to be removed.
  const drained = await cli(['cluster', 'balance', '--bootstrap', boot, '--drain', '4', '--execute']);
  assert.equal(drained.status, 0, drained.stdout + drained.stderr);
  assert.equal(replicasOn(await kcatMetadata(boot, 'bal'), 4), 0);
  const all = await kcat(['-C', '-b', boot, '-t', 'bal', '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n']);
  assert.equal(all.trim().split('\n').length, read.trim().split('\n').length, 'nothing lost by the moves');
});
