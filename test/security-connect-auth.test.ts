// Connect REST basic auth as Kafka's BasicAuthSecurityRestExtension: the JAAS file's
// KafkaConnect section names a `user: password` file; every request needs credentials
// (401 otherwise), and two distributed workers with auth still forward writes to each other.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { REDIS_URL, deleteKeys, testPrefix } from './helpers/redis.ts';
import { startConnect, type RunningConnect } from '../connectors/index.ts';

const logger = pino({ level: 'silent' });
const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

function jaasFiles(dir: string) {
  const users = path.join(dir, 'connect.password');
  fs.writeFileSync(users, 'connectadmin: s3cret-pass\nops = other:pass\n');
  const jaas = path.join(dir, 'jaas.conf');
  fs.writeFileSync(jaas, `KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file="${users}";\n};\n`);
  return jaas;
}

async function call(w: RunningConnect, method: string, p: string, auth?: string, body?: unknown) {
  const res = await fetch(w.url + p, { method, headers: { ...(auth ? { authorization: auth } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function waitFor<T>(what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A broker in a temp dir; `closing` runs last-in first-out in one t.after (workers, then the broker, then the dir). */
async function setup(t: TestContext) {
  const dir = tempDir('tributary-connect-auth-');
  const closing: (() => unknown)[] = [() => fs.rmSync(dir, { recursive: true, force: true })];
  t.after(async () => { for (const c of closing.reverse()) await c(); });
  const broker = await startBroker({ dataDir: path.join(dir, 'broker') });
  closing.push(() => broker.stop());
  return { dir, broker, jaas: jaasFiles(dir), closing };
}

test('Connect basic auth: 401 without or with wrong credentials, everything with them; the JAAS file through KAFKA_OPTS too', async (t) => {
  const { dir, broker, jaas, closing } = await setup(t);
  const saved = process.env.KAFKA_OPTS;
  process.env.KAFKA_OPTS = `-Xms64m -Djava.security.auth.login.config=${jaas}`;
  t.after(() => { if (saved === undefined) delete process.env.KAFKA_OPTS; else process.env.KAFKA_OPTS = saved; });
  const w = await startConnect({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, logger, dataDir: path.join(dir, 'w'), scanPluginsDir: false,
    config: { 'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension', 'offset.storage.partitions': '2', 'status.storage.partitions': '2' } });
  closing.push(() => w.close());
  const ok = basic('connectadmin', 's3cret-pass');

  const anon = await call(w, 'GET', '/connectors');
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="KafkaConnect"');
  assert.deepEqual(anon.body, { error_code: 401, message: 'User cannot access the resource.' });
  assert.equal((await call(w, 'GET', '/connectors', basic('connectadmin', 'wrong'))).status, 401);
  assert.equal((await call(w, 'GET', '/connectors', basic('nobody', 's3cret-pass'))).status, 401);
  assert.equal((await call(w, 'POST', '/connectors', undefined, { name: 'x', config: { 'connector.class': 'FileStreamSink', topics: 't', file: path.join(dir, 'o') } })).status, 401);
  assert.equal((await call(w, 'GET', '/connector-plugins')).status, 401);
  assert.equal((await call(w, 'GET', '/health')).status, 200);

  assert.equal((await call(w, 'GET', '/connectors', ok)).status, 200);
  assert.equal((await call(w, 'GET', '/', basic('ops', 'other:pass'))).status, 200); // `=` separator, ':' inside the password
  const created = await call(w, 'POST', '/connectors', ok, { name: 'sink', config: { 'connector.class': 'FileStreamSink', topics: 'lines', file: path.join(dir, 'out.txt') } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await waitFor('the sink to run', async () => (await call(w, 'GET', '/connectors/sink/status', ok)).body.connector.state === 'RUNNING');
  assert.equal((await call(w, 'DELETE', '/connectors/sink', ok)).status, 204);
});

test('Connect basic auth: a bad setup is a start-up error naming the setting', async (t) => {
  const { dir, broker } = await setup(t);
  const saved = process.env.KAFKA_OPTS;
  delete process.env.KAFKA_OPTS;
  t.after(() => { if (saved !== undefined) process.env.KAFKA_OPTS = saved; });
  const start = (config: Record<string, string>) => startConnect({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, logger, dataDir: path.join(dir, 'w'), scanPluginsDir: false, config });
  await assert.rejects(start({ 'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension' }), /java\.security\.auth\.login\.config/);
  await assert.rejects(start({ 'rest.extension.classes': 'com.example.Other' }), /rest\.extension\.classes: unknown REST extension com\.example\.Other/);
  fs.writeFileSync(path.join(dir, 'j.conf'), 'Other { a.B required file="/x"; };');
  await assert.rejects(start({ 'rest.extension.classes': 'BasicAuthSecurityRestExtension', 'java.security.auth.login.config': path.join(dir, 'j.conf') }), /no KafkaConnect section/);
});

test('distributed workers with basic auth: a write sent to any worker is forwarded and applied', async (t) => {
  const { dir, broker, jaas, closing } = await setup(t);
  const prefix = testPrefix();
  closing.push(() => deleteKeys(prefix));
  const config = {
    'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension', 'java.security.auth.login.config': jaas,
    'session.timeout.ms': '3000', 'heartbeat.interval.ms': '300', 'task.shutdown.graceful.timeout.ms': '1000', 'redis.key.prefix': prefix, 'offset.storage.partitions': '2', 'status.storage.partitions': '2',
  };
  const workers: RunningConnect[] = [];
  closing.push(() => Promise.allSettled(workers.map((w) => w.close())));
  for (const i of [0, 1]) workers.push(await startConnect({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, logger, config, dataDir: path.join(dir, `w${i}`), redis: REDIS_URL, groupId: `auth-${prefix}`, scanPluginsDir: false }));
  const ok = basic('connectadmin', 's3cret-pass');
  for (const [i, w] of workers.entries()) {
    const created = await call(w, 'PUT', `/connectors/sink${i}/config`, ok, { 'connector.class': 'FileStreamSink', topics: 'lines', file: path.join(dir, `out${i}.txt`) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  for (const w of workers) {
    await waitFor('both connectors on every worker', async () => JSON.stringify((await call(w, 'GET', '/connectors', ok)).body) === '["sink0","sink1"]');
    assert.equal((await call(w, 'GET', '/connectors')).status, 401);
  }
  for (const n of ['sink0', 'sink1']) await waitFor(`${n} running`, async () => (await call(workers[0], 'GET', `/connectors/${n}/status`, ok)).body.connector.state === 'RUNNING');
});
