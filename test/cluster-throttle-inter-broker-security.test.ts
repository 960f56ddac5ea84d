// Replication throttle (KIP-73) x inter-broker security: the brokers reach each other only
// on a SASL_SSL listener (PLAIN login over TLS, saslSslInterBrokerFlags), clients on a
// PLAINTEXT one. A throttled `partitions reassign` copies over that listener no faster than
// the throttle, every record arrives on the new replica, and the throttle is gone after.
// Small data and a low rate keep it short; see cluster-throttle.test.ts for the bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { fetcherConnections, internalPort, saslSslInterBrokerFlags } from './helpers/replication-e2e.ts';
import { assertThrottleRemoved, assertWithinQuota, startThrottledMove, throttleShown } from './helpers/throttle.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';

// The brokers' "replica fetcher connected" lines are info level.
process.env.LOG_LEVEL = 'info';

const RATE = 200_000;
const FETCH = 65_536;
const RECORD = 1000;
const RECORDS = 1200;
/** the quota's burst (one 1 s window) plus one follower fetch that may overdraw it, plus one batch */
const SLACK = RATE + FETCH + 65_536;

test('a throttled reassignment over a SASL_SSL inter-broker listener keeps to the throttle, copies every record, and removes the throttle', async (t) => {
  const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-throttle-tls-'));
  t.after(() => fs.rmSync(certs, { recursive: true, force: true }));
  const c = new TestCluster(await createClusterDb(), ['--set', 'broker.session.timeout.ms=6000', '--set', `replica.fetch.max.bytes=${FETCH}`, ...saslSslInterBrokerFlags(certs)]);
  t.after(() => c.close());
  await Promise.all([1, 2].map((n) => c.start(n)));
  await waitFor('two brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 2);
  const boot = c.bootstrap();
  const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'assign', 'moving', JSON.stringify([[1]])]);
  assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  const line = (i: number) => String(i).padStart(8, '0') + 'x'.repeat(RECORD - 9);
  const lines = Array.from({ length: RECORDS }, (_, i) => line(i));
  await kcat(['-P', '-b', boot, '-t', 'moving', '-X', 'acks=all', '-X', 'batch.size=65536', '-z', 'none'], lines.join('\n') + '\n');
  const admin = new ClusterAdmin({ bootstrap: boot, clientId: 'throttle-tls-test' });
  t.after(() => admin.close());
  const size = (await admin.describeLogDirs()).find((b) => b.nodeId === 1)!.dirs![0].topics.find((x) => x.name === 'moving')!.partitions[0].size;

  const move = startThrottledMove({ bootstrap: boot, dir: c.root, admin, rate: RATE, moves: [{ topic: 'moving', partition: 0, replicas: [2] }], watch: { nodeId: 2, topic: 'moving', partition: 0 }, after: (fn) => t.after(fn) });
  await throttleShown(admin, 'moving', '0:1', '0:2', [1, 2], RATE);
  const code = await move.exited;
  assert.equal(code, 0, move.output());
  assert.match(move.output(), /throttle removed from moving and brokers 1,2/);
  const copying = move.samples.filter((x) => x.held > 0 && x.held < size);
  t.diagnostic(`moved ${size} bytes at ${RATE} B/s over SASL_SSL in ${move.elapsed().toFixed(2)} s; broker 2 held ${copying.map((x) => `${(x.held / 1e6).toFixed(2)} MB@${x.got.toFixed(1)}s`).join(' ')}`);
  assertWithinQuota(move.samples, size, RATE, SLACK);
  assert.ok(copying.length >= 2, 'broker 2 was seen part-way through the copy at least twice');

  // The copy went over broker 1's INTERNAL (SASL_SSL) endpoint, never its client port.
  const conns = fetcherConnections(c.brokers.get(2)!.cli.output()).filter((x) => x.leader === 1);
  assert.ok(conns.length > 0, 'broker 2 never connected to broker 1 as a follower');
  for (const x of conns) assert.deepEqual([x.listener, x.protocol, x.address], ['INTERNAL', 'SASL_SSL', `127.0.0.1:${internalPort(c.brokers.get(1)!.cli.output())}`]);

  // Every record is on broker 2, the only replica now, read back through the client listener.
  const md = await kcatMetadata(boot, 'moving');
  assert.deepEqual(md.topics[0].partitions[0].replicas.map((r) => r.id), [2]);
  assert.equal(md.topics[0].partitions[0].leader, 2);
  const read = await kcat(['-C', '-b', c.brokers.get(2)!.bootstrap, '-t', 'moving', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(read.replace(/\n$/, '').split('\n'), lines);
  await assertThrottleRemoved(admin, 'moving', [1, 2]);
});
