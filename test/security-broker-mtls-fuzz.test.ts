// mTLS: the client certificate's subject, mapped by ssl.principal.mapping.rules, is the
// principal the ACLs see. Fuzz: random and truncated SASL frames, oversized handshakes and
// raw tokens never crash the broker; other clients keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { kcat, run } from './helpers/clients.ts';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../server/security/acl.ts';

test('mTLS: a client certificate subject mapped by ssl.principal.mapping.rules is the principal ACLs grant to', async (t) => {
  const dir = tempDir('tributary-mtls-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  const alice = makeCert(ca, 'alice', '/O=Acme/CN=Alice');
  const bob = makeCert(ca, 'bob', '/O=Acme/CN=Bob');
  const b = await startBroker({ config: {
    listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'ssl.truststore.location': ca.cert, 'ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),O=Acme$/$1/L,DEFAULT',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  } });
  t.after(() => b.stop());
  b.broker.topics.create('mtls', 1, 1, {});
  const acl = (operation: number) => ({ resourceType: ResourceType.TOPIC, resourceName: 'mtls', patternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionType.ALLOW });
  b.broker.securityStore.add([acl(AclOperation.WRITE), acl(AclOperation.READ)]);
  const as = (c: { cert: string; key: string }) => ['-b', b.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-X', `ssl.certificate.location=${c.cert}`, '-X', `ssl.key.location=${c.key}`];
  await kcat([...as(alice), '-t', 'mtls', '-P'], 'from-alice\n');
  assert.equal((await kcat([...as(alice), '-t', 'mtls', '-C', '-e', '-f', '%s\n'])).trim(), 'from-alice');
  const denied = await run('kcat', [...as(bob), '-t', 'mtls', '-P', '-X', 'message.timeout.ms=5000'], { input: 'x\n', timeoutMs: 30000 });
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /Topic authorization failed/i);
  const noCert = await run('kcat', ['-b', b.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-L', '-m', '3'], { timeoutMs: 20000 });
  assert.notEqual(noCert.status, 0, 'ssl.client.auth=required refuses a client without a certificate');
});

test('fuzz: random and truncated SASL frames, bad mechanisms, raw v0 tokens and oversized handshakes close only their connection', async (t) => {
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="pw";',
    'connection.failed.authentication.delay.ms': '0',
    // every fuzz connection comes from 127.0.0.1: the per-address limit (test/security-broker-auth-limit) is off here
    'connection.failed.authentication.max.per.ip': '0',
  } });
  t.after(() => b.stop());
  const frame = (body: Buffer) => { const h = Buffer.alloc(4); h.writeInt32BE(body.length, 0); return Buffer.concat([h, body]); };
  const header = (key: number, version: number, corr: number) => { const h = Buffer.alloc(10); h.writeInt16BE(key, 0); h.writeInt16BE(version, 2); h.writeInt32BE(corr, 4); h.writeInt16BE(-1, 8); return h; };
  const str = (s: string) => { const b2 = Buffer.from(s); const h = Buffer.alloc(2); h.writeInt16BE(b2.length, 0); return Buffer.concat([h, b2]); };
  const bytes = (buf: Buffer) => { const h = Buffer.alloc(4); h.writeInt32BE(buf.length, 0); return Buffer.concat([h, buf]); };
  const rnd = (n: number) => crypto.randomBytes(n);
  const cases: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const mech = ['PLAIN', 'SCRAM-SHA-256', 'GSSAPI', rnd(8).toString('latin1')][i % 4];
    cases.push(rnd(1 + (i * 7) % 64)); // random bytes as a first frame
    cases.push(frame(rnd(1 + (i * 13) % 200))); // a framed random body
    cases.push(frame(Buffer.concat([header(17, 1, i), str(mech)])).subarray(0, 4 + (i % 12))); // truncated handshake
    cases.push(Buffer.concat([frame(Buffer.concat([header(17, 1, i), str(mech)])), frame(Buffer.concat([header(36, 0, i + 1), bytes(rnd(i * 5))]))])); // handshake + random token
    cases.push(Buffer.concat([frame(Buffer.concat([header(17, 0, i), str(mech)])), frame(rnd(i * 3))])); // v0 handshake + raw random token
    cases.push(Buffer.concat([frame(Buffer.concat([header(17, 1, i), str('SCRAM-SHA-256')])), frame(Buffer.concat([header(36, 1, i + 1), bytes(Buffer.from(`n,,n=${rnd(6).toString('base64')},r=${rnd(4).toString('hex')}`))])), frame(Buffer.concat([header(36, 1, i + 2), bytes(rnd(40))]))]));
  }
  const oversized = Buffer.alloc(8); oversized.writeInt32BE(600_000, 0);
  cases.push(oversized);
  const send = (data: Buffer) => new Promise<void>((resolve) => {
    const s = net.connect(b.port, '127.0.0.1', () => { s.write(data); setTimeout(() => s.destroy(), 300); });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
  for (let i = 0; i < cases.length; i += 20) await Promise.all(cases.slice(i, i + 20).map(send));
  // the broker is unharmed: a real client authenticates and works
  await kcat(['-b', b.bootstrap, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=pw', '-t', 'after-fuzz', '-P'], 'ok\n');
  assert.equal((await kcat(['-b', b.bootstrap, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=pw', '-t', 'after-fuzz', '-C', '-e', '-f', '%s\n'])).trim(), 'ok');
});
