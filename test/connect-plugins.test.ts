// Plugin loading: plugin.path folders (npm-style packages and plain folders with an
// index), a broken plugin is logged with its path and reason and isolated, the
// example plugin runs from plugin.path like any third-party plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import pino from 'pino';
import { Writable } from 'node:stream';
import { startTestKit } from './helpers/connect.ts';
import { startTestKit as startSdkTestKit, processPlatform } from '../plugins/sdk/testkit.ts';
import { BIN } from './helpers/process.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sdk = pathToFileURL(path.join(repo, 'plugins/sdk/index.ts')).href;

function fixture(dir: string) {
  // a working npm-style package (package.json "main")
  const good = path.join(dir, 'acme-upper');
  fs.mkdirSync(good, { recursive: true });
  fs.writeFileSync(path.join(good, 'package.json'), JSON.stringify({ name: 'acme-upper', version: '2.1.0', type: 'module', main: 'lib/main.ts' }));
  fs.mkdirSync(path.join(good, 'lib'));
  fs.writeFileSync(path.join(good, 'lib/main.ts'), `
import { ConfigDef, definePlugin, type ConnectRecord, type Transformation } from '${sdk}';
class Upper implements Transformation {
  config() { return new ConfigDef(); }
  configure() {}
  apply(r: ConnectRecord) { return { ...r, value: String(r.value).toUpperCase() }; }
}
export default definePlugin({ name: 'acme-upper', version: '2.1.0', transforms: { 'com.acme.Upper': Upper } });
`);
  // throws while importing
  const boom = path.join(dir, 'boom');
  fs.mkdirSync(boom);
  fs.writeFileSync(path.join(boom, 'index.ts'), `throw new Error('kaboom at import');\n`);
  // no manifest
  const empty = path.join(dir, 'no-manifest');
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, 'index.ts'), `export const nothing = 1;\n`);
  // a plugin claiming a class name that already exists
  const dup = path.join(dir, 'dup');
  fs.mkdirSync(dup);
  fs.writeFileSync(path.join(dup, 'index.ts'), `
import { definePlugin } from '${sdk}';
class X {}
export default definePlugin({ name: 'dup', version: '1', converters: { 'org.apache.kafka.connect.json.JsonConverter': X as any } });
`);
  return { good, boom, empty, dup };
}

test('plugin.path: good plugins load, broken ones are logged with path and reason and isolated', async (t) => {
  const lines: any[] = [];
  const logger = pino({ level: 'error' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(c.toString())); cb(); } }));
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-plugins-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const f = fixture(base);
  const kit = await startTestKit({ workerConfig: { 'plugin.path': base }, logger });
  t.after(() => kit.close());

  const failures = lines.filter((l) => l.location);
  const reasonOf = (p: string) => failures.find((l) => l.location === p)?.reason as string | undefined;
  assert.match(reasonOf(f.boom) ?? '', /kaboom at import/);
  assert.match(reasonOf(f.empty) ?? '', /no default export made with definePlugin/);
  assert.match(reasonOf(f.dup) ?? '', /already provided/);
  assert.equal(reasonOf(f.good), undefined);

  const all = (await kit.request('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string; type: string; version: string }[];
  assert.deepEqual(all.find((p) => p.class === 'com.acme.Upper'), { class: 'com.acme.Upper', type: 'transformation', version: '2.1.0' });
  assert.ok(all.some((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSourceConnector'), 'built-ins still load');

  // the loaded transform works in a pipeline, by its simple name
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, 'shout\n');
  await kit.createConnector('up', { 'connector.class': 'FileStreamSource', file: input, topic: 'up', transforms: 'u', 'transforms.u.type': 'Upper', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  assert.equal((await kit.consume('up', { count: 1 }))[0].value!.toString(), 'SHOUT');
});

test('the example plugin runs from plugin.path: datagen tasks split the ids and resume from committed offsets after a restart', async (t) => {
  const kit = await startTestKit({ scanPluginsDir: false, workerConfig: { 'plugin.path': path.join(repo, 'plugins', 'example-datagen') } });
  t.after(() => kit.close());
  const plugins = (await kit.request('GET', '/connector-plugins')).body as { class: string }[];
  assert.ok(plugins.some((p) => p.class === 'com.example.datagen.DatagenSourceConnector'));
  await kit.createConnector('gen', { 'connector.class': 'DatagenSource', topic: 'orders', 'max.records': '50', 'batch.size': '20', 'tasks.max': '2', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false', 'key.converter': 'org.apache.kafka.connect.converters.LongConverter' });
  await kit.waitForRunning('gen', { tasks: 2 });
  const got = await kit.consume('orders', { count: 100 });
  const ids = got.map((m) => (JSON.parse(m.value!.toString()) as { id: number }).id).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => i), 'two tasks, 50 each, disjoint ids');
  const metrics = (await kit.request('GET', '/connectors/gen/metrics')).body.tasks;
  assert.deepEqual(metrics.map((t: any) => [t.id, t.progress.generated, t.counters.total_errors]), [[0, 50, 0], [1, 50, 0]], 'progress reported by the tasks');
  const v = JSON.parse(got[0].value!.toString());
  assert.deepEqual(Object.keys(v), ['id', 'customer', 'amount', 'status']);
  // raise the limit: after a worker restart each task goes on from its committed offset
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/gen/offsets')).body.offsets.every((o: any) => o.offset.generated === 50) && (await kit.request('GET', '/connectors/gen/offsets')).body.offsets.length === 2, { what: 'offsets 50/50' });
  await kit.restartWorker();
  await kit.request('PUT', '/connectors/gen/config', { 'connector.class': 'DatagenSource', topic: 'orders', 'max.records': '60', 'batch.size': '20', 'tasks.max': '2', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false', 'key.converter': 'org.apache.kafka.connect.converters.LongConverter' });
  const after = await kit.consume('orders', { count: 120 });
  await new Promise((r) => setTimeout(r, 300));
  const all = (await kit.readAll('orders')).map((m) => (JSON.parse(m.value!.toString()) as { id: number }).id);
  assert.equal(after.length, 120);
  assert.equal(all.length, 120, 'no duplicates');
  assert.equal(new Set(all).size, 120);
});

test('a plain worker (the tributary command, as the SDK test kit runs it by default) lists the built-ins and plugins/*, never a test-kit plugin', async (t) => {
  const kit = await startSdkTestKit({ platform: processPlatform({ bin: BIN }) });
  t.after(() => kit.close());
  const classes = ((await kit.request('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string }[]).map((p) => p.class);
  for (const c of ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'io.debezium.connector.postgresql.PostgresConnector', 'io.confluent.connect.s3.S3SinkConnector',
    'org.apache.kafka.connect.json.JsonConverter', 'org.apache.kafka.connect.transforms.InsertField$Value', 'io.debezium.transforms.ExtractNewRecordState', 'com.example.datagen.DatagenSourceConnector']) {
    assert.ok(classes.includes(c), `${c} listed`);
  }
  assert.ok(!classes.some((c) => c.includes('Collecting')), 'the test-kit sink is not part of a plain worker');
  // the kit drives the child-process worker like the in-process one
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, 'a\nb\n');
  await kit.createConnector('src', { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  assert.deepEqual((await kit.consume('lines', { count: 2 })).map((m) => m.value!.toString()), ['a', 'b']);
});
