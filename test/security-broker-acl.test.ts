// SCRAM users and ACLs end to end: `tributary users` creates SCRAM credentials over a
// super-user loopback listener (KIP-554), kcat and python confluent-kafka authenticate
// with SCRAM-SHA-256/512 over SASL_SSL, and `tributary acls` grants exactly what they may do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { python, run } from './helpers/clients.ts';
import { BIN } from './helpers/process.ts';
import { AclAdmin } from '../client/admin-acls.ts';
import { ScramAdmin } from '../client/scram-admin.ts';

const SCRIPT = path.join(import.meta.dirname, 'py/secure_client.py');

test('SCRAM + ACLs: users set over a super-user listener, prefixed WRITE grants, DENY beats ALLOW, Metadata hides topics, ACLs and users survive a restart', async (t) => {
  const dir = tempDir('tributary-acl-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  const dataDir = path.join(dir, 'data');
  const config = {
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.location': server.pem,
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'connection.failed.authentication.delay.ms': '10',
  };
  let b = await startBroker({ dataDir, config });
  t.after(() => b.stop());
  const admin = () => b.bootstrap;
  const secure = () => `127.0.0.1:${b.broker.listenerPort('SASL_SSL')}`;
  const cli = async (...args: string[]) => {
    const r = await run(process.execPath, [BIN, ...args, '--bootstrap', admin()], { timeoutMs: 60000 });
    if (r.status !== 0) throw new Error(`tributary ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const pw = (name: string, p: string) => { const f = path.join(dir, `${name}.pw`); fs.writeFileSync(f, `${p}\n`); return f; };
  // The CLI for the first user and grant; the same client library in-process for the rest (each CLI start costs seconds).
  const scram = () => new ScramAdmin({ bootstrap: admin(), clientId: 'acl-test' });
  const acls = () => new AclAdmin({ bootstrap: admin(), clientId: 'acl-test' });

  await cli('users', 'set', 'alice', '--password-file', pw('alice', 'alice-pw'), '--mechanism', 'SCRAM-SHA-256');
  const s1 = scram();
  await s1.set('bob', 'bob-pw', 'SCRAM-SHA-512');
  const listed = await s1.list();
  await s1.close();
  assert.deepEqual(listed.map((u: any) => [u.user, u.credentials.map((c: any) => c.mechanism)]).sort(), [['alice', ['SCRAM-SHA-256']], ['bob', ['SCRAM-SHA-512']]]);
  const stored = fs.readFileSync(path.join(dataDir, 'security', 'security-metadata.json'), 'utf8');
  assert.ok(!stored.includes('alice-pw') && !stored.includes('bob-pw'), 'only salted credentials are stored');

  const kc = (user: string, p: string, mech: string, args: string[], input?: string) => run('kcat', ['-b', secure(), '-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${ca.cert}`,
    '-X', `sasl.mechanism=${mech}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${p}`, ...args], { input, timeoutMs: 30000 });
  const alice = (args: string[], input?: string) => kc('alice', 'alice-pw', 'SCRAM-SHA-256', args, input);

  // wrong password: SASL_AUTHENTICATION_FAILED with Kafka's SCRAM message
  const bad = await kc('alice', 'nope', 'SCRAM-SHA-256', ['-L', '-m', '3']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/);

  b.broker.topics.create('orders-1', 1, 1, {});
  b.broker.topics.create('secret', 1, 1, {});
  // no ACL yet: authenticated but not authorized
  const denied = await alice(['-t', 'orders-1', '-P', '-X', 'message.timeout.ms=5000'], 'x\n');
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /Topic authorization failed/i);

  await cli('acls', 'add', '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'Describe', '--topic', 'orders-', '--resource-pattern-type', 'prefixed');
  const ok = await alice(['-t', 'orders-1', '-P'], 'a1\na2\n');
  assert.equal(ok.status, 0, ok.stderr);
  const other = await alice(['-t', 'secret', '-P', '-X', 'message.timeout.ms=5000'], 'x\n');
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /Topic authorization failed/i);
  // Metadata lists only what alice may describe
  const meta = await alice(['-L']);
  assert.equal(meta.status, 0, meta.stderr);
  assert.match(meta.stdout, /topic "orders-1"/);
  assert.doesNotMatch(meta.stdout, /topic "secret"/);
  // alice may write but not read, nor use a group
  const read = await alice(['-t', 'orders-1', '-C', '-e', '-o', 'beginning']);
  assert.notEqual(read.status, 0);
  assert.match(read.stderr, /Topic authorization failed/i);

  // bob (SCRAM-SHA-512, python): producer + consumer on orders-*, groups py-*
  const a1 = acls();
  const grant = (resourceType: string, resourceName: string, operation: string, permission = 'ALLOW', patternType = 'PREFIXED') => ({ resourceType, resourceName, patternType, principal: 'User:bob', host: '*', operation, permission });
  await a1.createAcls([grant('TOPIC', 'orders-', 'WRITE'), grant('TOPIC', 'orders-', 'READ'), grant('TOPIC', 'orders-', 'CREATE'), grant('GROUP', 'py-', 'READ')]);
  const settings = JSON.stringify({ 'security.protocol': 'SASL_SSL', 'ssl.ca.location': ca.cert, 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'bob', 'sasl.password': 'bob-pw' });
  const py1 = await python([SCRIPT, secure(), 'orders-2', settings, '5']);
  assert.deepEqual(JSON.parse(py1.stdout.trim().split('\n').pop()!), { produced: 5, consumed: 5 }, py1.stderr);
  // DENY beats ALLOW
  await a1.createAcls([grant('TOPIC', 'orders-3', 'WRITE', 'DENY', 'LITERAL')]);
  const py2 = await python([SCRIPT, secure(), 'orders-3', settings, '1']);
  // (python's producer gives up on its first refused produce)
  assert.equal(JSON.parse(py2.stdout.trim().split('\n').pop()!).error, 'TOPIC_AUTHORIZATION_FAILED', py2.stdout + py2.stderr);

  const before = JSON.parse(await cli('acls', 'list', '--output', 'json'));
  assert.ok(before.some((a: any) => a.principal === 'User:bob' && a.permission === 'DENY' && a.resourceName === 'orders-3'));
  const matching = await a1.describeAcls({ resourceType: 'TOPIC', resourceName: 'orders-1', patternType: 'MATCH', principal: null, host: null, operation: null, permission: null });
  assert.ok(matching.length >= 2 && matching.every((a) => a.resourceType === 'TOPIC' && a.patternType === 'PREFIXED'));
  await a1.close();

  // restart: ACLs and users persist
  await b.stop();
  b = await startBroker({ dataDir, config });
  const a2 = acls();
  const after = await a2.describeAcls({ resourceType: 'ANY', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: null, permission: null });
  assert.equal(after.length, before.length);
  const again = await alice(['-t', 'orders-1', '-P'], 'a3\n');
  assert.equal(again.status, 0, again.stderr);
  // removing the grant takes effect at once
  const removed = await a2.deleteAcls([{ resourceType: 'TOPIC', resourceName: 'orders-', patternType: 'PREFIXED', principal: 'User:alice', host: '*', operation: 'WRITE', permission: 'ALLOW' }]);
  assert.equal(removed.length, 1);
  await a2.close();
  const gone = await alice(['-t', 'orders-1', '-P', '-X', 'message.timeout.ms=5000'], 'x\n');
  assert.notEqual(gone.status, 0);
  const s2 = scram();
  await s2.delete('alice', 'SCRAM-SHA-256');
  await s2.close();
  const noAlice = await kc('alice', 'alice-pw', 'SCRAM-SHA-256', ['-L', '-m', '3']);
  assert.notEqual(noAlice.status, 0);
});

test('ACL APIs: SECURITY_DISABLED without an authorizer; a non-super user gets CLUSTER_AUTHORIZATION_FAILED managing ACLs', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const r = new AclAdmin({ bootstrap: b.bootstrap, clientId: 't' });
  t.after(() => r.close());
  await assert.rejects(r.describeAcls({ resourceType: 'ANY', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: null, permission: null }));
  const c = await startBroker({ config: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' } });
  t.after(() => c.stop());
  const add = await run(process.execPath, [BIN, 'acls', 'add', '--allow-principal', 'User:x', '--operation', 'Read', '--topic', 't', '--bootstrap', c.bootstrap], { timeoutMs: 60000 });
  assert.notEqual(add.status, 0);
  assert.match(add.stderr, /CLUSTER_AUTHORIZATION_FAILED/);
});
