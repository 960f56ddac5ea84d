// ACLs and SCRAM users in a cluster live in the shared metadata store: a user created and
// an ACL added through broker 1 hold on brokers 2 and 3 (kcat SCRAM logins, authorization
// by exactly that ACL), an ACL removed through broker 2 stops being honoured on broker 1,
// and a broker killed with -9 and restarted still has both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor, type ClusterBroker } from './helpers/cluster.ts';
import { run } from './helpers/clients.ts';
import { BIN } from './helpers/process.ts';

const SECURITY = [
  '--set', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
  '--set', 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
  '--set', 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  // the PLAINTEXT listener is the admin's and the replicas' (followers need CLUSTER_ACTION)
  '--set', 'super.users=User:ANONYMOUS',
  '--set', 'connection.failed.authentication.delay.ms=10',
  '--set', 'broker.session.timeout.ms=6000',
];

/** The SASL listener's port, from the broker's "kafka listener … listening on" line. */
function saslPort(b: ClusterBroker): number {
  const m = /kafka listener SASL_PLAINTEXT \(SASL_PLAINTEXT\) listening on [^\s:]+:(\d+)/.exec(b.cli.output());
  assert.ok(m, `no SASL_PLAINTEXT listener line in:\n${b.cli.output()}`);
  return Number(m[1]);
}

test('cluster security: SCRAM users and ACLs written through one broker hold on every broker, removals spread, kill -9 keeps them', async (t) => {
  const db = await createClusterDb();
  const cluster = new TestCluster(db, SECURITY);
  t.after(() => cluster.close());
  const b1 = await cluster.start(1);
  const b2 = await cluster.start(2);
  let b3 = await cluster.start(3);

  const cli = async (bootstrap: string, ...args: string[]) => {
    const r = await run(process.execPath, [BIN, ...args, '--bootstrap', bootstrap], { timeoutMs: 90000 });
    if (r.status !== 0) throw new Error(`tributary ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const pwFile = path.join(cluster.root, 'alice.pw');
  fs.writeFileSync(pwFile, 'alice-pw\n');
  await waitFor('three brokers in the metadata', async () => (await kcatMetadata(b1.bootstrap)).brokers.length === 3, 60000, 500);
  await cli(b1.bootstrap, 'topic', 'create', 'orders', '--partitions', '1', '--replication-factor', '3');
  await cli(b1.bootstrap, 'topic', 'create', 'secret', '--partitions', '1', '--replication-factor', '3');

  // Written through broker 1 only.
  await cli(b1.bootstrap, 'users', 'set', 'alice', '--password-file', pwFile, '--mechanism', 'SCRAM-SHA-256');
  await cli(b1.bootstrap, 'acls', 'add', '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'Describe', '--topic', 'orders');

  const alice = (b: ClusterBroker, args: string[], input?: string, password = 'alice-pw') => run('kcat', ['-b', `127.0.0.1:${saslPort(b)}`,
    '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=SCRAM-SHA-256', '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`,
    '-X', 'message.timeout.ms=8000', ...args], { input, timeoutMs: 30000 });

  // Broker 2: alice logs in and sees exactly the topic her ACL names; a wrong password is refused.
  const meta2 = await waitFor('alice logging in on broker 2', async () => { const r = await alice(b2, ['-L', '-m', '5']); return r.status === 0 && r; }, 30000, 500);
  assert.match(meta2.stdout, /topic "orders"/);
  assert.doesNotMatch(meta2.stdout, /topic "secret"/);
  const wrong = await alice(b2, ['-L', '-m', '5'], undefined, 'nope');
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /Authentication failed/);
  const wrote = await alice(b2, ['-t', 'orders', '-P'], 'a1\na2\n');
  assert.equal(wrote.status, 0, wrote.stderr);

  // Broker 3: allowed to write orders, refused secret with TOPIC_AUTHORIZATION_FAILED, refused reading orders.
  const wrote3 = await alice(b3, ['-t', 'orders', '-P'], 'a3\n');
  assert.equal(wrote3.status, 0, wrote3.stderr);
  const secret = await alice(b3, ['-t', 'secret', '-P'], 'x\n');
  assert.notEqual(secret.status, 0);
  assert.match(secret.stderr, /Topic authorization failed/i);
  const read = await alice(b3, ['-t', 'orders', '-C', '-e', '-o', 'beginning']);
  assert.notEqual(read.status, 0);
  assert.match(read.stderr, /Topic authorization failed/i);

  // Removed through broker 2: broker 1 refuses alice's writes soon after (Describe stays).
  await cli(b2.bootstrap, 'acls', 'remove', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders');
  await waitFor('broker 1 refusing the removed grant', async () => {
    const r = await alice(b1, ['-t', 'orders', '-P'], 'x\n');
    return r.status !== 0 && /Topic authorization failed/i.test(r.stderr);
  }, 30000, 500);
  const listed = JSON.parse(await cli(b1.bootstrap, 'acls', 'list', '--output', 'json'));
  assert.deepEqual(listed.map((a: any) => [a.principal, a.operation, a.resourceName]), [['User:alice', 'DESCRIBE', 'orders']]);

  // kill -9 and restart broker 3: alice still logs in there, the remaining ACL still holds, the removed one stays removed.
  await cluster.kill(3);
  b3 = await cluster.start(3);
  const meta3 = await waitFor('alice logging in on the restarted broker 3', async () => { const r = await alice(b3, ['-L', '-m', '5']); return r.status === 0 && r; }, 30000, 500);
  assert.match(meta3.stdout, /topic "orders"/);
  assert.doesNotMatch(meta3.stdout, /topic "secret"/);
  const after = await alice(b3, ['-t', 'orders', '-P'], 'x\n');
  assert.notEqual(after.status, 0);
  assert.match(after.stderr, /Topic authorization failed/i);

  // Deleting the user through broker 3 ends her logins on broker 1.
  await cli(b3.bootstrap, 'users', 'delete', 'alice', '--mechanism', 'SCRAM-SHA-256');
  await waitFor('broker 1 refusing the deleted user', async () => { const r = await alice(b1, ['-L', '-m', '5']); return r.status !== 0 && /Authentication failed/.test(r.stderr); }, 30000, 500);
});
