// The registry on the real broker: state in the compacted topic `_schemas`, kept across
// restarts; two instances elect one writer and the other forwards writes to it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startRegistry } from '../registry/index.ts';
import { startBroker } from './helpers/broker.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

/** Cleanups run last-in first-out in one t.after: registries close before their broker stops. */
function stack(t: test.TestContext): { push(fn: () => Promise<unknown>): void } {
  const fns: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const fn of fns.reverse()) await fn(); });
  return { push: (fn) => { fns.push(fn); } };
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method, headers: body === undefined ? {} : { 'content-type': CT }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = text;
  try { json = JSON.parse(text); } catch { /* raw schema */ }
  return { status: res.status, body: json };
}

test('restart keeps ids, versions, deletes and configs; _schemas is compacted with Confluent keys', async (t) => {
  const broker = await startBroker();
  const cleanup = stack(t);
  cleanup.push(() => broker.stop());
  let reg = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  cleanup.push(() => reg.close());
  const schema = (n: number) => JSON.stringify({ type: 'record', name: 'R', fields: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 })) });
  assert.deepEqual((await call(reg.url, 'POST', '/subjects/a/versions', { schema: schema(1) })).body, { id: 1 });
  assert.deepEqual((await call(reg.url, 'POST', '/subjects/a/versions', { schema: schema(2) })).body, { id: 2 });
  assert.deepEqual((await call(reg.url, 'POST', '/subjects/b/versions', { schema: schema(2) })).body, { id: 2 });
  await call(reg.url, 'PUT', '/config/a', { compatibility: 'FULL' });
  await call(reg.url, 'DELETE', '/subjects/b');
  await reg.close();

  reg = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  assert.deepEqual((await call(reg.url, 'GET', '/subjects')).body, ['a']);
  assert.deepEqual((await call(reg.url, 'GET', '/subjects/a/versions')).body, [1, 2]);
  assert.equal((await call(reg.url, 'GET', '/subjects/a/versions/2')).body.id, 2);
  assert.deepEqual((await call(reg.url, 'GET', '/subjects/b/versions?deleted=true')).body, [1]);
  assert.deepEqual((await call(reg.url, 'GET', '/config/a')).body, { compatibilityLevel: 'FULL' });
  // the next id continues after the highest one in the log
  assert.deepEqual((await call(reg.url, 'POST', '/subjects/c/versions', { schema: '"string"' })).body, { id: 3 });

  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  cleanup.push(() => admin.disconnect());
  const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: '_schemas', configNames: ['cleanup.policy'] }], includeSynonyms: false });
  assert.equal(cfg.resources[0].configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
  const md = await admin.fetchTopicMetadata({ topics: ['_schemas'] });
  assert.equal(md.topics[0].partitions.length, 1);
});

test('two instances: one writer is elected, the other forwards writes; ids never collide', async (t) => {
  const broker = await startBroker();
  const cleanup = stack(t);
  cleanup.push(() => broker.stop());
  const a = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  cleanup.push(() => a.close());
  const b = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  cleanup.push(() => b.close());
  // writes through both, concurrently
  const writes = [];
  for (let i = 0; i < 10; i++) {
    const base = i % 2 ? a.url : b.url;
    writes.push(call(base, 'POST', `/subjects/s${i}/versions`, { schema: JSON.stringify({ type: 'enum', name: `E${i}`, symbols: ['A'] }) }));
  }
  const results = await Promise.all(writes);
  const ids = results.map((r) => r.body.id);
  assert.equal(new Set(ids).size, 10, JSON.stringify(results));
  // each instance sees all of it (followers catch up before answering a forwarded write)
  for (const base of [a.url, b.url]) {
    const subjects = (await call(base, 'GET', '/subjects')).body;
    assert.equal(subjects.length, 10, `${base}: ${JSON.stringify(subjects)}`);
  }
  // exactly one leader; when it goes, the other takes over and continues the ids
  assert.equal([a, b].filter((r) => r.isLeader()).length, 1);
  const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
  await leader.close();
  const deadline = Date.now() + 20000;
  while (!follower.isLeader() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(follower.isLeader(), 'the remaining instance became leader');
  assert.deepEqual((await call(follower.url, 'POST', '/subjects/after/versions', { schema: '"bytes"' })).body, { id: 11 });
});
