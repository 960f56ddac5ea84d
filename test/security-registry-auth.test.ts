// Registry HTTP basic auth as Confluent's: a JAAS file's SchemaRegistry-Props section
// names a Jetty users file (plain, OBF: and MD5: passwords); no credentials → 401 with
// WWW-Authenticate, role readonly reads but cannot write (403), admin does everything.
// Real HTTP requests and the @kafkajs/confluent-schema-registry client with auth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SchemaRegistry as KafkajsRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startRegistry } from '../registry/index.ts';
import { obfuscate } from '../registry/auth.ts';
import { jaasFilePath, parseJaasConfig } from '../client/jaas.ts';
import { AvroConverter } from '../connectors/builtin/converters/registry.ts';
import { S } from '../plugins/sdk/index.ts';

function secrets(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-auth-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const users = path.join(dir, 'password.properties');
  fs.writeFileSync(users, [
    '# user: password,role',
    'admin: admin-secret,admin',
    `reader: ${obfuscate('reader-secret')},readonly`,
    `md5admin: MD5:${createHash('md5').update('md5-secret').digest('hex')},admin`,
    'guest: guest-secret,guest',
  ].join('\n') + '\n');
  const jaas = path.join(dir, 'jaas.conf');
  fs.writeFileSync(jaas, `// Confluent's example\nSchemaRegistry-Props {\n  org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required\n  file="${users}"\n  debug="false";\n};\n`);
  return { dir, jaas };
}

const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
const avro = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'int' }] });

test('registry basic auth: 401 without credentials, readonly cannot write, admin can; kafkajs registry client with auth', async (t) => {
  const { jaas } = secrets(t);
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: {
    'authentication.method': 'BASIC', 'authentication.realm': 'SchemaRegistry-Props', 'authentication.roles': 'admin,readonly', 'java.security.auth.login.config': jaas,
  } });
  t.after(() => reg.close());
  const call = async (method: string, p: string, auth?: string, body?: unknown) => {
    const res = await fetch(reg.url + p, { method, headers: { ...(auth ? { authorization: auth } : {}), ...(body ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, headers: res.headers, body: await res.json().catch(() => null) };
  };

  const anon = await call('GET', '/subjects');
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="SchemaRegistry-Props"');
  assert.deepEqual(anon.body, { error_code: 401, message: 'Unauthorized' });
  assert.equal((await call('GET', '/subjects', basic('admin', 'wrong'))).status, 401);
  assert.equal((await call('GET', '/subjects', basic('nobody', 'admin-secret'))).status, 401);
  assert.equal((await call('GET', '/subjects', 'Basic !!!')).status, 401);
  assert.equal((await call('GET', '/no/such/route')).status, 401);
  assert.equal((await call('GET', '/health')).status, 200);

  // admin (plain password) writes; md5admin (MD5:) too
  const reg1 = await call('POST', '/subjects/users-value/versions', basic('admin', 'admin-secret'), { schema: avro });
  assert.equal(reg1.status, 200, JSON.stringify(reg1.body));
  assert.equal((await call('PUT', '/config/users-value', basic('md5admin', 'md5-secret'), { compatibility: 'FULL' })).status, 200);

  // readonly (OBF: password): reads, lookups and compatibility checks; no writes
  const r = basic('reader', 'reader-secret');
  assert.deepEqual((await call('GET', '/subjects', r)).body, ['users-value']);
  assert.equal((await call('GET', `/schemas/ids/${reg1.body.id}`, r)).status, 200);
  assert.equal((await call('POST', '/subjects/users-value', r, { schema: avro })).status, 200);
  assert.deepEqual((await call('POST', '/compatibility/subjects/users-value/versions/latest', r, { schema: avro })).body, { is_compatible: true });
  for (const [m, p, b] of [['POST', '/subjects/users-value/versions', { schema: avro }], ['DELETE', '/subjects/users-value', undefined], ['PUT', '/config', { compatibility: 'NONE' }], ['PUT', '/mode', { mode: 'READONLY' }]] as const) {
    const res = await call(m, p, r, b);
    assert.equal(res.status, 403, `${m} ${p}`);
    assert.equal(res.body.error_code, 403);
  }
  // a role outside authentication.roles gets nothing
  assert.equal((await call('GET', '/subjects', basic('guest', 'guest-secret'))).status, 403);
  assert.deepEqual((await call('GET', '/subjects', basic('admin', 'admin-secret'))).body, ['users-value']);

  // an existing client configured with auth works unchanged
  const adminClient = new KafkajsRegistry({ host: reg.url, auth: { username: 'admin', password: 'admin-secret' } });
  const { id } = await adminClient.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'n', type: 'long' }] }) }, { subject: 'orders-value' });
  const readerClient = new KafkajsRegistry({ host: reg.url, auth: { username: 'reader', password: 'reader-secret' } });
  const encoded = await adminClient.encode(id, { n: 7 });
  assert.deepEqual({ ...(await readerClient.decode(encoded)) }, { n: 7 });
  await assert.rejects(readerClient.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'X', fields: [] }) }, { subject: 'x-value' }), (e: Error & { status?: number }) => e.status === 403 || /403/.test(e.message));
  await assert.rejects(new KafkajsRegistry({ host: reg.url }).getSchema(id), (e: Error & { status?: number }) => e.status === 401 || /401|Unauthorized/.test(e.message));
});

test('registry auth config: the JAAS file from SCHEMA_REGISTRY_OPTS/KAFKA_OPTS; bad setups are start-up errors naming the setting', async (t) => {
  const { jaas, dir } = secrets(t);
  assert.equal(jaasFilePath({}, ['SCHEMA_REGISTRY_OPTS', 'KAFKA_OPTS'], { SCHEMA_REGISTRY_OPTS: `-Xmx1g -Djava.security.auth.login.config=${jaas} -Dx=y` }), jaas);
  assert.equal(jaasFilePath({}, ['SCHEMA_REGISTRY_OPTS', 'KAFKA_OPTS'], { KAFKA_OPTS: `-Djava.security.auth.login.config="${jaas}"` }), jaas);
  assert.equal(jaasFilePath({}, ['SCHEMA_REGISTRY_OPTS'], {}), null);
  const sections = parseJaasConfig(fs.readFileSync(jaas, 'utf8'));
  assert.deepEqual(sections.get('SchemaRegistry-Props')?.[0].options.debug, 'false');

  const saved = { a: process.env.SCHEMA_REGISTRY_OPTS, b: process.env.KAFKA_OPTS };
  delete process.env.SCHEMA_REGISTRY_OPTS; delete process.env.KAFKA_OPTS;
  t.after(() => { if (saved.a !== undefined) process.env.SCHEMA_REGISTRY_OPTS = saved.a; if (saved.b !== undefined) process.env.KAFKA_OPTS = saved.b; });
  const start = (config: Record<string, string>) => startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config });
  await assert.rejects(start({ 'authentication.method': 'BASIC' }), /java\.security\.auth\.login\.config/);
  await assert.rejects(start({ 'authentication.method': 'DIGEST' }), /authentication\.method/);
  await assert.rejects(start({ 'authentication.method': 'BASIC', 'authentication.realm': 'Other', 'java.security.auth.login.config': jaas }), /no Other section/);
  fs.writeFileSync(path.join(dir, 'bad.conf'), `SchemaRegistry-Props { x.Y required file="${path.join(dir, 'none')}"; };`);
  await assert.rejects(start({ 'authentication.method': 'BASIC', 'java.security.auth.login.config': path.join(dir, 'bad.conf') }), /users file .*none: ENOENT/);

  // through the environment, as Confluent's launch script passes it
  process.env.SCHEMA_REGISTRY_OPTS = `-Djava.security.auth.login.config=${jaas}`;
  const reg = await start({ 'authentication.method': 'BASIC', 'authentication.roles': 'admin' });
  t.after(() => reg.close());
  assert.equal((await fetch(reg.url + '/subjects')).status, 401);
  assert.equal((await fetch(reg.url + '/subjects', { headers: { authorization: basic('admin', 'admin-secret') } })).status, 200);
  assert.equal((await fetch(reg.url + '/subjects', { headers: { authorization: basic('reader', 'reader-secret') } })).status, 403);
});

test('Connect\'s registry converters authenticate as Confluent\'s: basic.auth.credentials.source=USER_INFO or credentials in the URL', async (t) => {
  const { jaas } = secrets(t);
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { 'authentication.method': 'BASIC', 'authentication.roles': 'admin,readonly', 'java.security.auth.login.config': jaas } });
  t.after(() => reg.close());
  const schema = S.struct('shop.Item', { sku: S.string() });
  const withUserInfo = new AvroConverter();
  withUserInfo.configure({ 'schema.registry.url': reg.url, 'basic.auth.credentials.source': 'USER_INFO', 'basic.auth.user.info': 'admin:admin-secret' }, false);
  const bytes = await withUserInfo.fromConnectData('items', schema, { sku: 'a' });
  const inUrl = new AvroConverter();
  inUrl.configure({ 'schema.registry.url': reg.url.replace('http://', 'http://reader:reader-secret@') }, false);
  assert.deepEqual((await inUrl.toConnectData('items', bytes)).value, { sku: 'a' });
  const none = new AvroConverter();
  none.configure({ 'schema.registry.url': reg.url }, false);
  await assert.rejects(none.fromConnectData('other', schema, { sku: 'b' }), /Unauthorized|401/);
});
