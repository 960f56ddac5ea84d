// Connect config providers (KIP-297/421) end to end: a FileStreamSink whose `file` is a
// secret held in a properties file (${file:...}) and in an env var (${env:...}) writes
// where the secret says, while no REST answer and no log line of the worker ever holds
// the secret; PASSWORD-type fields come back from REST as [hidden].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestKit } from './helpers/connect.ts';
import { loadWorkerConfig } from '../connectors/config.ts';
import { PG } from './helpers/postgres.ts';

const PROVIDERS = {
  'config.providers': 'file,env,directory',
  'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
  'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
  'config.providers.directory.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
};

/** Every REST body the test saw, and every log line of the worker. */
function recorder() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, logger: pino({ level: 'trace' }, stream) };
}

test('${file:...}, ${env:...} and ${directory:...} resolve when the sink starts and restarts; REST and logs keep the placeholder', async (t) => {
  const rec = recorder();
  const kit = await startTestKit({ workerConfig: PROVIDERS, logger: rec.logger });
  t.after(() => kit.close());
  const seen: string[] = [];
  const req = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(kit.url + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    seen.push(text, JSON.stringify(Object.fromEntries(res.headers)));
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const token = randomBytes(8).toString('hex');
  const secretDir = fs.mkdtempSync(path.join(kit.dir, 'secrets-'));
  const out1 = path.join(kit.dir, `out-${token}-1.txt`);
  const out2 = path.join(kit.dir, `out-${token}-2.txt`);
  const props = path.join(secretDir, 'sink.properties');
  fs.writeFileSync(props, `# the sink's target\nfile.path = ${out1}\n`);

  await kit.createTopic('lines');
  await kit.produce('lines', [{ value: 'one' }, { value: 'two' }]);
  const placeholder = `\${file:${props}:file.path}`;
  const created = await req('POST', '/connectors', { name: 'sink', config: {
    'connector.class': 'FileStreamSink', file: placeholder, topics: 'lines', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.config.file, placeholder);
  await kit.waitForRunning('sink');
  await kit.waitFor(() => fs.existsSync(out1) && fs.readFileSync(out1, 'utf8') === 'one\ntwo\n', { what: 'the sink to write to the resolved file' });

  // the placeholder is what REST shows: connector, config, task configs, expand=info
  assert.equal((await req('GET', '/connectors/sink/config')).body.file, placeholder);
  assert.equal((await req('GET', '/connectors/sink')).body.config.file, placeholder);
  assert.equal((await req('GET', '/connectors/sink/tasks')).body[0].config.file, placeholder);
  assert.equal((await req('GET', '/connectors?expand=info')).body.sink.info.config.file, placeholder);

  // the secret changes: a restart resolves it afresh (connector and tasks)
  fs.writeFileSync(props, `file.path=${out2}\n`);
  assert.equal((await req('POST', '/connectors/sink/restart?includeTasks=true')).status, 202);
  await kit.produce('lines', [{ value: 'three' }]);
  await kit.waitFor(() => fs.existsSync(out2) && fs.readFileSync(out2, 'utf8').includes('three'), { what: 'the restarted sink to write to the new file' });
  assert.equal((await req('GET', '/connectors/sink/config')).body.file, placeholder);

  // env and directory providers, embedded in a longer value
  process.env.TRIB_TEST_SINK_DIR = kit.dir;
  t.after(() => { delete process.env.TRIB_TEST_SINK_DIR; });
  fs.writeFileSync(path.join(secretDir, 'name'), `out-${token}-3.txt`);
  const embedded = `\${env:TRIB_TEST_SINK_DIR}/\${directory:${secretDir}:name}`;
  assert.equal((await req('PUT', '/connectors/sink2/config', { 'connector.class': 'FileStreamSink', file: embedded, topics: 'lines', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' })).status, 201);
  const out3 = path.join(kit.dir, `out-${token}-3.txt`);
  await kit.waitFor(() => fs.existsSync(out3) && fs.readFileSync(out3, 'utf8') === 'one\ntwo\nthree\n', { what: 'sink2 to write to the env+directory resolved file' });
  assert.equal((await req('GET', '/connectors/sink2/config')).body.file, embedded);

  // a secret file that is missing: validation refuses the config, naming the file
  const refused = await req('PUT', '/connectors/broken/config', { 'connector.class': 'FileStreamSink', file: `\${file:${secretDir}/missing.properties:x}`, topics: 'lines' });
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /missing\.properties: ENOENT/);
  // and one that disappears later fails the connector at its restart with a trace naming the file, not a crash
  fs.writeFileSync(path.join(secretDir, 'missing.properties'), `x=${out1}\n`);
  assert.equal((await req('PUT', '/connectors/broken/config', { 'connector.class': 'FileStreamSink', file: `\${file:${secretDir}/missing.properties:x}`, topics: 'lines' })).status, 201);
  await kit.waitForRunning('broken');
  fs.rmSync(path.join(secretDir, 'missing.properties'));
  assert.equal((await req('POST', '/connectors/broken/restart')).status, 204);
  await kit.waitFor(async () => (await req('GET', '/connectors/broken/status')).body.connector.state === 'FAILED', { what: 'the connector with a missing secret file to fail' });
  assert.match((await req('GET', '/connectors/broken/status')).body.connector.trace, /missing\.properties: ENOENT/);

  for (const p of ['/connectors/sink/status', '/connectors/sink2/status', '/connectors?expand=status&expand=info', '/connectors/sink/offsets']) assert.equal((await req('GET', p)).status, 200);
  for (const s of seen) assert.ok(!s.includes(token), `a REST answer holds the secret: ${s}`);
  assert.ok(rec.lines.length > 0);
  for (const l of rec.lines) assert.ok(!l.includes(token), `a log line holds the secret: ${l}`);
});

test('PASSWORD-type fields are [hidden] in REST answers; PUT of what GET returned keeps the stored password', async (t) => {
  const rec = recorder();
  const kit = await startTestKit({ workerConfig: PROVIDERS, logger: rec.logger });
  t.after(() => kit.close());
  const secret = `pw-${randomBytes(8).toString('hex')}`;
  const seen: string[] = [];
  const req = async (method: string, p: string, body?: unknown) => {
    const r = await kit.request(method, p, body);
    seen.push(JSON.stringify(r.body));
    return r;
  };
  const config = { 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', topics: 'x', 'connection.url': `jdbc:postgresql://${PG.host}:${PG.port}/postgres`, 'connection.user': PG.user, 'connection.password': secret };
  const created = await req('POST', '/connectors', { name: 'pg', config, initial_state: 'STOPPED' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.config['connection.password'], '[hidden]');
  const got = await req('GET', '/connectors/pg/config');
  assert.equal(got.body['connection.password'], '[hidden]');
  assert.equal((await req('GET', '/connectors/pg')).body.config['connection.password'], '[hidden]');
  // round trip: PUT back what GET gave, with one change; the stored password is kept
  const put = await req('PUT', '/connectors/pg/config', { ...got.body, 'tasks.max': '2' });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(kit.connect.herder.config('pg')['connection.password'], secret);
  assert.equal(kit.connect.herder.config('pg')['tasks.max'], '2');
  const patched = await req('PATCH', '/connectors/pg/config', { 'tasks.max': '1' });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(kit.connect.herder.config('pg')['connection.password'], secret);
  // validate shows [hidden] too (as Kafka)
  const v = await req('PUT', '/connector-plugins/JdbcSinkConnector/config/validate', config);
  assert.equal(v.body.configs.find((c: any) => c.value.name === 'connection.password').value.value, '[hidden]');
  // a placeholder in a PASSWORD field is no secret: REST shows it as written
  await req('PUT', '/connectors/pg/config', { ...config, 'connection.password': '${env:PGPASSWORD}' });
  assert.equal((await req('GET', '/connectors/pg/config')).body['connection.password'], '${env:PGPASSWORD}');
  for (const s of seen) assert.ok(!s.includes(secret), `a REST answer holds the password: ${s}`);
  for (const l of rec.lines) assert.ok(!l.includes(secret), `a log line holds the password: ${l}`);
});

test('worker config: a config provider without a known class is a start-up error naming the key', () => {
  assert.throws(() => loadWorkerConfig({ 'config.providers': 'vault' }), /config\.providers\.vault\.class: missing/);
  assert.throws(() => loadWorkerConfig({ 'config.providers': 'x', 'config.providers.x.class': 'com.example.Nope' }), /config\.providers\.x\.class: unknown config provider class/);
  assert.doesNotThrow(() => loadWorkerConfig(PROVIDERS));
});
