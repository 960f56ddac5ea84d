// The metadata store goes away (the test's own PostgreSQL, stopped with pg_ctl):
// brokers keep serving produce and fetch for the leaders they have, log that no
// leadership change is possible, and resume without restarts when it returns —
// with no false failover from the leases nobody could renew meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { kcatMetadata, OwnPostgres, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { BrokerConnection } from '../server/replication/broker-connection.ts';
import { CreateTopics } from '../server/protocol/apis/index.ts';

const SESSION_MS = 4000;

test('a store outage: produce and fetch continue, nothing fails over, leadership moves again afterwards', async (t) => {
  const pg = new OwnPostgres();
  await pg.init();
  t.after(() => pg.close());
  const c = new TestCluster({ url: pg.url(), name: 'postgres', drop: async () => {} }, ['--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.lag.time.max.ms=30000', '--log-level', 'info']);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  const boot = c.bootstrap();
  await waitFor('three brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 3);
  const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'create', 'outage', '1', '3']);
  assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  await waitFor('a full ISR', async () => (await kcatMetadata(boot, 'outage')).topics[0].partitions[0].isrs.length === 3);
  const before = (await kcatMetadata(boot, 'outage')).topics[0].partitions[0];
  await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], 'a1\na2\na3\n');

  await pg.stop();
  await waitFor('the brokers to notice', async () => [...c.brokers.values()].every((b) => /metadata store unreachable/.test(b.cli.output())), 10000);
  // Longer than a session: every lease lapses in the store's eyes, and nobody may act on it.
  for (let i = 0; i < 4; i++) {
    await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], `b${i}\n`);
    await new Promise((r) => setTimeout(r, SESSION_MS / 3));
  }
  // An admin change cannot be made: a retriable error that says why.
  const conn = await BrokerConnection.connect('127.0.0.1', c.brokers.get(1)!.port, 'outage-test');
  const created = await conn.send(CreateTopics, 5, { topics: [{ name: 'during', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false } as any) as any;
  conn.close();
  assert.equal(created.topics[0].errorCode, 41, 'NOT_CONTROLLER (retriable)');
  assert.match(created.topics[0].errorMessage, /metadata store .* cannot be reached .* Retry/);
  const during = await kcat(['-C', '-b', boot, '-t', 'outage', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(during.trim().split('\n'), ['a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3']);

  await pg.start();
  await waitFor('the brokers to resume', async () => [...c.brokers.values()].every((b) => /metadata store reachable again/.test(b.cli.output())), 20000);
  await new Promise((r) => setTimeout(r, SESSION_MS + 1500));
  const after = (await kcatMetadata(boot, 'outage')).topics[0].partitions[0];
  assert.equal(after.leader, before.leader, 'no failover for leases nobody could renew');
  assert.equal(after.isrs.length, 3);
  assert.equal((await kcatMetadata(boot)).brokers.length, 3);
  await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], 'c1\n');

  // Leadership can move again: kill -9 the leader.
  await c.kill(before.leader);
  const rest = c.bootstrap();
  const moved = await waitFor('a new leader', async () => { const p = (await kcatMetadata(rest, 'outage')).topics[0].partitions[0]; return p.leader !== before.leader && p.leader >= 0 && p; }, SESSION_MS * 3);
  assert.ok(before.isrs.some((r) => r.id === moved.leader));
  const all = await kcat(['-C', '-b', rest, '-t', 'outage', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(all.trim().split('\n'), ['a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c1']);
});
