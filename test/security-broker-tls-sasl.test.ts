// Listeners by Kafka's names, TLS with PEM (KIP-651) and SASL/PLAIN, driven by kcat,
// python confluent-kafka and a raw TLS socket; certificates made by openssl here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { kcat, python, run } from './helpers/clients.ts';

const SCRIPT = path.join(import.meta.dirname, 'py/secure_client.py');
const PLAIN_USERS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';

function pki(t: { after(fn: () => void): void }) {
  const dir = tempDir('tributary-certs-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  return { dir, ca, server: makeCert(ca, 'server', '/CN=localhost') };
}

test('listeners: PLAINTEXT + SSL + SASL_SSL by Kafka\'s names; Metadata advertises the listener the client came in on', async (t) => {
  const { ca, server } = pki(t);
  const b = await startBroker({ config: {
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM', 'ssl.keystore.location': server.pem,
    'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_USERS,
  } });
  t.after(() => b.stop());
  const ssl = b.broker.listenerPort('SSL');
  const saslSsl = b.broker.listenerPort('SASL_SSL');
  assert.notEqual(ssl, 0); assert.notEqual(saslSsl, 0);
  const plainMeta = await kcat(['-b', b.bootstrap, '-L']);
  assert.match(plainMeta, new RegExp(`broker 0 at 127\\.0\\.0\\.1:${b.port}`));
  const sslMeta = await kcat(['-b', `127.0.0.1:${ssl}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-L']);
  assert.match(sslMeta, new RegExp(`broker 0 at 127\\.0\\.0\\.1:${ssl}`));
  // SSL: produce and consume through TLS
  await kcat(['-b', `127.0.0.1:${ssl}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-t', 'tls-topic', '-P'], 'one\ntwo\n');
  const out = await kcat(['-b', `127.0.0.1:${ssl}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-t', 'tls-topic', '-C', '-e', '-f', '%s\n']);
  assert.deepEqual(out.trim().split('\n'), ['one', 'two']);
  // A PLAINTEXT client on the SSL port fails cleanly; the broker keeps serving.
  const plainOnTls = await run('kcat', ['-b', `127.0.0.1:${ssl}`, '-L', '-m', '3'], { timeoutMs: 15000 });
  assert.notEqual(plainOnTls.status, 0);
  const garbage = net.connect(ssl, '127.0.0.1');
  await new Promise<void>((r) => garbage.once('connect', () => r()));
  garbage.end(Buffer.from('\u0000\u0000\u0000\u0010garbage-not-tls!'));
  await new Promise<void>((r) => garbage.once('close', () => r()));
  assert.match(await kcat(['-b', `127.0.0.1:${ssl}`, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-L']), /tls-topic/);
});

test('SASL/PLAIN: kcat and python over SASL_SSL and SASL_PLAINTEXT; wrong password → SASL_AUTHENTICATION_FAILED with Kafka\'s message and a closed connection', async (t) => {
  const { ca, server } = pki(t);
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.certificate.chain': fs.readFileSync(server.cert, 'utf8'), 'ssl.keystore.key': fs.readFileSync(server.key, 'utf8'),
    'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_USERS, 'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_USERS,
    'connection.failed.authentication.delay.ms': '10',
  } });
  t.after(() => b.stop());
  const sp = `127.0.0.1:${b.broker.listenerPort('SASL_PLAINTEXT')}`;
  const ss = `127.0.0.1:${b.broker.listenerPort('SASL_SSL')}`;
  const plain = (user: string, pw: string) => ['-X', 'sasl.mechanism=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${pw}`];
  await kcat(['-b', sp, '-X', 'security.protocol=sasl_plaintext', ...plain('alice', 'alice-secret'), '-t', 'sasl-topic', '-P'], 'a\nb\n');
  const got = await kcat(['-b', ss, '-X', 'security.protocol=sasl_ssl', '-X', `ssl.ca.location=${ca.cert}`, ...plain('bob', 'bob-secret'), '-t', 'sasl-topic', '-C', '-e', '-f', '%s\n']);
  assert.deepEqual(got.trim().split('\n'), ['a', 'b']);
  const bad = await run('kcat', ['-b', sp, '-X', 'security.protocol=sasl_plaintext', ...plain('alice', 'wrong'), '-L', '-m', '3'], { timeoutMs: 15000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /SASL authentication error: Authentication failed: Invalid username or password/);
  const py = await python([SCRIPT, ss, 'py-sasl', JSON.stringify({ 'security.protocol': 'SASL_SSL', 'ssl.ca.location': ca.cert, 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret' })]);
  assert.deepEqual(JSON.parse(py.stdout.trim().split('\n').pop()!), { produced: 10, consumed: 10 }, py.stderr);
  const pyBad = await python([SCRIPT, ss, 'py-sasl', JSON.stringify({ 'security.protocol': 'SASL_SSL', 'ssl.ca.location': ca.cert, 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'nope' }), '1']);
  assert.equal(JSON.parse(pyBad.stdout.trim().split('\n').pop()!).error, '_AUTHENTICATION', pyBad.stdout);
});

test('SASL listener: a request before authentication closes the connection (only ApiVersions and SaslHandshake are answered)', async (t) => {
  const b = await startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_USERS } });
  t.after(() => b.stop());
  const sock = net.connect(b.port, '127.0.0.1');
  t.after(() => sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  // Metadata v1, no topics: refused by closing.
  const frame = Buffer.from([0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 7, 0, 2, 0x63, 0x31, 0xff, 0xff]);
  frame.writeInt32BE(frame.length - 4, 0);
  sock.write(frame);
  const data: Buffer[] = [];
  sock.on('data', (d) => data.push(d));
  await new Promise<void>((r) => sock.once('close', () => r()));
  assert.equal(Buffer.concat(data).length, 0, 'no answer, just a close');
  // a kcat without credentials gets nothing either, and the broker is fine
  const anon = await run('kcat', ['-b', b.bootstrap, '-L', '-m', '3'], { timeoutMs: 15000 });
  assert.notEqual(anon.status, 0);
  await kcat(['-b', b.bootstrap, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret', '-L']);
});

test('TLS: a certificate rotated on disk is served to new connections without a restart', async (t) => {
  const { ca, dir } = pki(t);
  const first = makeCert(ca, 'rot1', '/O=Tributary/CN=localhost');
  const live = path.join(dir, 'live.pem');
  fs.copyFileSync(first.pem, live);
  const b = await startBroker({ config: { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': live } });
  t.after(() => b.stop());
  const subjectOrg = () => new Promise<string>((resolve, reject) => {
    const s = tls.connect({ port: b.port, host: '127.0.0.1', ca: fs.readFileSync(ca.cert), servername: 'localhost' }, () => { const o = s.getPeerCertificate().subject.O; s.destroy(); resolve(String(o)); });
    s.once('error', reject);
  });
  assert.equal(await subjectOrg(), 'Tributary');
  const second = makeCert(ca, 'rot2', '/O=Rotated/CN=localhost');
  fs.writeFileSync(`${live}.new`, fs.readFileSync(second.pem));
  fs.renameSync(`${live}.new`, live);
  const deadline = Date.now() + 10000;
  let org = '';
  while (Date.now() < deadline && (org = await subjectOrg()) !== 'Rotated') await new Promise((r) => setTimeout(r, 200));
  assert.equal(org, 'Rotated');
  await kcat(['-b', b.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca.cert}`, '-L']);
});

test('bad listener settings stop the broker with a message naming the setting', async () => {
  await assert.rejects(startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0' } }), /ssl\.keystore\.location/);
  await assert.rejects(startBroker({ config: { listeners: 'INTERNAL://127.0.0.1:0' } }), /listener\.security\.protocol\.map/);
  await assert.rejects(startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN' } }), /plain\.sasl\.jaas\.config/);
});
