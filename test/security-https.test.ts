// HTTPS on the registry, Connect's REST API and the UI: `listeners=https://HOST:PORT` with
// `ssl.keystore.location` (PEM), checked with curl --cacert (and refused without the CA);
// the UI over HTTPS in Chromium trusting only the test certificate, its session cookie
// Secure; and `tributary start` with the component prefixes (registry.listeners,
// connect.listeners, ui.listeners, …) beside a plaintext broker listener, and with only a
// SASL_SSL broker listener reached through kafkastore.* / connect.* / ui.* client settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert, type Ca } from './helpers/certs.ts';
import { run } from './helpers/clients.ts';
import { spawnCli } from './helpers/process.ts';
import { startUiHarness } from './helpers/ui.ts';
import { startRegistry } from '../registry/index.ts';
import { startConnect } from '../connectors/index.ts';

const curl = (args: string[]) => run('curl', ['-sS', '--max-time', '20', ...args], { timeoutMs: 30000 });

/** Chromium's --ignore-certificate-errors-spki-list value for a certificate: trusts that one key only. */
function spki(certFile: string): string {
  const pub = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-pubkey']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
  return execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64');
}

function certs(t: { after(fn: () => void): void }): { dir: string; ca: Ca; server: ReturnType<typeof makeCert> } {
  const dir = tempDir('tributary-https-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  return { dir, ca, server: makeCert(ca, 'server', '/CN=localhost') };
}

test('registry and Connect serve HTTPS from listeners=https:// with a PEM keystore; curl trusts them only with the CA; a replaced certificate is served without restart', async (t) => {
  const { dir, ca, server } = certs(t);
  const registry = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': server.pem } });
  t.after(() => registry.close());
  assert.match(registry.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const reg = await curl(['--cacert', ca.cert, '-X', 'POST', '-H', 'content-type: application/vnd.schemaregistry.v1+json', '--data', '{"schema":"{\\"type\\":\\"string\\"}"}', `${registry.url}/subjects/s-value/versions`]);
  assert.equal(reg.status, 0, reg.stderr);
  assert.match(reg.stdout, /"id":\s*1/);
  const subjects = await curl(['--cacert', ca.cert, `${registry.url}/subjects`]);
  assert.equal(subjects.stdout, '["s-value"]');
  const untrusted = await curl([`${registry.url}/subjects`]);
  assert.equal(untrusted.status, 60, 'without the CA curl refuses the certificate');
  const plain = await curl([`${registry.url.replace('https:', 'http:')}/subjects`]);
  assert.notEqual(plain.status, 0, 'plain http is not served on the https port');
  // a certificate replaced on disk is served to new connections without a restart
  const rotated = makeCert(ca, 'rotated', '/O=Rotated/CN=localhost');
  const before = await curl(['-v', '--cacert', ca.cert, `${registry.url}/subjects`]);
  assert.doesNotMatch(before.stderr, /Rotated/);
  fs.copyFileSync(rotated.pem, `${server.pem}.new`);
  fs.renameSync(`${server.pem}.new`, server.pem);
  const until = Date.now() + 60000;
  for (;;) {
    const r = await curl(['-v', '--cacert', ca.cert, `${registry.url}/subjects`]);
    if (/Rotated/.test(r.stderr)) { assert.equal(r.stdout, '["s-value"]'); break; }
    assert.ok(Date.now() < until, `the new certificate was not served within 60 s: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 500));
  }

  const b = await startBroker({});
  t.after(() => b.stop());
  const connect = await startConnect({
    bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), dataDir: path.join(dir, 'connect'), scanPluginsDir: false,
    config: { listeners: 'https://localhost:0', 'listeners.https.ssl.keystore.location': server.pem, 'config.storage.replication.factor': '1', 'offset.storage.replication.factor': '1', 'status.storage.replication.factor': '1' },
  });
  t.after(() => connect.close());
  assert.match(connect.url, /^https:\/\/localhost:\d+$/);
  const root = await curl(['--cacert', ca.cert, `${connect.url}/`]);
  assert.equal(root.status, 0, root.stderr);
  assert.match(root.stdout, /"version"/);
  const plugins = await curl(['--cacert', ca.cert, `${connect.url}/connector-plugins`]);
  assert.match(plugins.stdout, /FileStreamSourceConnector/);
  assert.equal((await curl([`${connect.url}/`])).status, 60);

  // a keystore that is not PEM, or missing, stops the component naming the setting
  await assert.rejects(startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': server.pem } }), /ssl\.keystore\.type=JKS/);
  await assert.rejects(startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0' } }), /needs ssl\.keystore\.location/);
  await assert.rejects(startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.location': path.join(dir, 'missing.pem') } }), /cannot read ssl\.keystore\.location=.*ENOENT/);
});

test('client certificates on an HTTPS listener: ssl.client.authentication=REQUIRED (registry) / ssl.client.auth=required (Connect\'s name) refuse a client without one', async (t) => {
  const { ca, server } = certs(t);
  const alice = makeCert(ca, 'alice', '/CN=alice');
  const registry = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'ssl.client.authentication': 'REQUIRED', 'ssl.truststore.location': ca.cert } });
  t.after(() => registry.close());
  const withCert = await curl(['--cacert', ca.cert, '--cert', alice.cert, '--key', alice.key, `${registry.url}/subjects`]);
  assert.equal(withCert.status, 0, withCert.stderr);
  assert.equal(withCert.stdout, '[]');
  const without = await curl(['--cacert', ca.cert, `${registry.url}/subjects`]);
  assert.notEqual(without.status, 0, 'no client certificate: the handshake is refused');
  // a certificate from another CA is refused too
  const otherDir = tempDir('tributary-https-other-');
  t.after(() => fs.rmSync(otherDir, { recursive: true, force: true }));
  const mallory = makeCert(makeCa(otherDir, 'Other CA'), 'mallory', '/CN=mallory');
  assert.notEqual((await curl(['--cacert', ca.cert, '--cert', mallory.cert, '--key', mallory.key, `${registry.url}/subjects`])).status, 0);
  await assert.rejects(startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'ssl.client.auth': 'required' } }), /needs ssl\.truststore\.location/);
  await assert.rejects(startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { listeners: 'https://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'ssl.client.auth': 'sometimes' } }), /ssl\.client\.auth=sometimes is not one of/);
});

test('UI over HTTPS: Chromium trusting the certificate logs in; the session cookie is Secure', async (t) => {
  const { dir, ca, server } = certs(t);
  const users = path.join(dir, 'ui-users.properties');
  fs.writeFileSync(users, 'adam: admin-pw,admin\n');
  const h = await startUiHarness(t, {
    uiConfig: { 'ui.users.file': users, listeners: 'https://localhost:0', 'ssl.keystore.location': server.pem },
    chromiumArgs: [`--ignore-certificate-errors-spki-list=${spki(server.cert)}`],
  });
  assert.match(h.ui.url, /^https:\/\/localhost:\d+$/);
  const me = await curl(['--cacert', ca.cert, '-o', '/dev/null', '-w', '%{http_code}', `${h.ui.url}/api/auth/me`]);
  assert.equal(me.stdout, '401');
  const { page } = h;
  await page.goto(`${h.ui.url}/topics`);
  await page.getByLabel('User name').fill('adam');
  await page.getByLabel('Password').fill('admin-pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Topics' }).waitFor();
  await page.getByRole('link', { name: 'Create topic' }).waitFor();
  const cookie = (await page.context().cookies()).find((c) => c.name === 'tributary_session');
  assert.ok(cookie);
  assert.equal(cookie.secure, true, 'Secure on HTTPS');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
});

test('tributary start: registry., connect. and ui. prefixed listeners serve HTTPS beside the broker\'s plaintext listener; the UI reaches the HTTPS registry and Connect', async (t) => {
  const { dir, ca, server } = certs(t);
  const cli = await spawnCli([
    'start', '--data-dir', path.join(dir, 'data'), '--kafka-port', '0', '--admin-port', '0',
    '--set', 'registry.listeners=https://127.0.0.1:0', '--set', `registry.ssl.keystore.location=${server.pem}`,
    '--set', 'connect.listeners=https://127.0.0.1:0', '--set', `connect.ssl.keystore.location=${server.pem}`,
    '--set', 'ui.listeners=https://127.0.0.1:0', '--set', `ui.ssl.keystore.location=${server.pem}`,
  ], ['kafka', 'registry', 'connect', 'ui'], 180000, { NODE_EXTRA_CA_CERTS: ca.cert });
  t.after(async () => { cli.child.kill('SIGTERM'); await cli.exited; });
  assert.match(cli.output(), /registry listening on 127\.0\.0\.1:\d+ \(https\)/);
  for (const [name, p] of [['registry', '/subjects'], ['connect', '/'], ['ui', '/api/topics']] as const) {
    const r = await curl(['--cacert', ca.cert, '-f', `https://127.0.0.1:${cli.ports[name]}${p}`]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  const status = async (what: string) => JSON.parse((await curl(['--cacert', ca.cert, `https://127.0.0.1:${cli.ports.ui}/api/${what}-status`])).stdout) as { url: string; reachable: boolean; error?: string };
  for (const what of ['registry', 'connect']) {
    const s = await status(what);
    assert.match(s.url, /^https:/);
    assert.equal(s.reachable, true, `${what}: ${s.error}`);
  }
});

test('tributary start with only a SASL_SSL broker listener: registry (kafkastore.*), Connect (connect.*) and the UI (ui.*) reach it by their prefixed client settings', async (t) => {
  const { dir, ca, server } = certs(t);
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="platform" password="platform-pw";';
  const client = (prefix: string) => [
    '--set', `${prefix}security.protocol=SASL_SSL`, '--set', `${prefix}sasl.mechanism=PLAIN`,
    '--set', `${prefix}sasl.jaas.config=${jaas}`, '--set', `${prefix}ssl.truststore.location=${ca.cert}`,
  ];
  const cli = await spawnCli([
    'start', '--data-dir', path.join(dir, 'data'), '--registry-port', '0', '--connect-port', '0', '--ui-port', '0', '--admin-port', '0',
    '--set', 'listeners=SASL_SSL://127.0.0.1:0', '--set', `ssl.keystore.location=${server.pem}`, '--set', 'sasl.enabled.mechanisms=PLAIN',
    '--set', 'listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_platform="platform-pw";',
    ...client('kafkastore.'), ...client('connect.'), ...client('ui.'),
  ], ['kafka', 'registry', 'connect', 'ui'], 180000);
  t.after(async () => { cli.child.kill('SIGTERM'); await cli.exited; });
  const reg = await fetch(`http://127.0.0.1:${cli.ports.registry}/subjects/p-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: '"string"' }) });
  assert.equal(reg.status, 200, await reg.clone().text());
  const input = path.join(dir, 'in.txt');
  fs.writeFileSync(input, 'a\nb\n');
  const created = await fetch(`http://127.0.0.1:${cli.ports.connect}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'start-secure', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } }) });
  assert.equal(created.status, 201, await created.clone().text());
  const until = Date.now() + 120000;
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${cli.ports.ui}/api/topics/start-secure`);
    const body = await r.json().catch(() => null) as { messages?: number } | null;
    if (r.status === 200 && body?.messages === 2) break;
    assert.ok(Date.now() < until, `the UI never showed 2 messages in start-secure: ${r.status} ${JSON.stringify(body)}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  const status = await (await fetch(`http://127.0.0.1:${cli.ports.connect}/connectors/src/status`)).json() as { tasks: { state: string }[] };
  assert.equal(status.tasks[0].state, 'RUNNING');
});
