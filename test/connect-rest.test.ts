// Kafka Connect REST API against a running worker: shapes and codes tools rely on
// (CONNECT-NOTES.md), lifecycle (pause/resume/stop/restart/delete), tasks.max,
// config updates, offsets (GET/PATCH/DELETE only when STOPPED), topics, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from './helpers/connect.ts';

const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const STRING = 'org.apache.kafka.connect.storage.StringConverter';

test('REST: root, plugins, validate, create/update/delete and their error codes', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  const root = await kit.request('GET', '/');
  assert.equal(root.status, 200);
  assert.ok(root.body.version && root.body.commit && typeof root.body.kafka_cluster_id === 'string');
  assert.equal((await kit.request('GET', '/health')).body.status, 'healthy');

  const plugins = (await kit.request('GET', '/connector-plugins')).body as { class: string; type: string; version: string }[];
  assert.ok(plugins.some((p) => p.class === SOURCE && p.type === 'source'));
  assert.ok(plugins.some((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSinkConnector' && p.type === 'sink'));
  assert.ok(plugins.every((p) => p.type === 'source' || p.type === 'sink'));
  const all = (await kit.request('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string; type: string }[];
  for (const [cls, type] of [['org.apache.kafka.connect.json.JsonConverter', 'converter'], ['io.confluent.connect.avro.AvroConverter', 'converter'], ['org.apache.kafka.connect.transforms.InsertField$Value', 'transformation'], ['org.apache.kafka.connect.transforms.predicates.TopicNameMatches', 'predicate']]) {
    assert.ok(all.some((p) => p.class === cls && p.type === type), `${cls} listed as ${type}`);
  }
  const defs = (await kit.request('GET', '/connector-plugins/FileStreamSource/config')).body as { name: string }[];
  assert.deepEqual(defs.map((d) => d.name), ['file', 'topic', 'batch.size']);

  // validate: 200 with error_count and per-field errors, Kafka's shape
  const v = await kit.request('PUT', `/connector-plugins/${SOURCE}/config/validate`, { 'connector.class': SOURCE, name: 'x', 'batch.size': 'many', 'tasks.max': '0', transforms: 'tag', 'transforms.tag.type': 'NoSuchTransform' });
  assert.equal(v.status, 200);
  assert.equal(v.body.name, SOURCE);
  assert.ok(v.body.groups.includes('Common') && v.body.groups.includes('File'));
  const byName = Object.fromEntries(v.body.configs.map((c: any) => [c.value.name, c]));
  assert.deepEqual(Object.keys(byName['topic'].definition).sort(), ['default_value', 'dependents', 'display_name', 'documentation', 'group', 'importance', 'name', 'order', 'required', 'type', 'width']);
  assert.deepEqual(Object.keys(byName['topic'].value).sort(), ['errors', 'name', 'recommended_values', 'value', 'visible']);
  assert.match(byName['topic'].value.errors[0], /Missing required configuration "topic"/);
  assert.match(byName['batch.size'].value.errors[0], /batch\.size/);
  assert.match(byName['tasks.max'].value.errors[0], /at least 1/);
  assert.match(byName['transforms.tag.type'].value.errors[0], /NoSuchTransform could not be found/);
  assert.equal(byName['batch.size'].definition.default_value, '2000');
  assert.equal(byName['topic'].definition.required, true);
  // a validator's description is part of the key's documentation (Kafka's "Valid Values")
  assert.match(byName['tasks.max'].definition.documentation, /Valid values: \[1,\.\.\.\]\.$/);
  assert.equal(v.body.error_count, 4);
  const ok = await kit.request('PUT', '/connector-plugins/FileStreamSource/config/validate', { 'connector.class': 'FileStreamSource', name: 'x', topic: 't', file: '/tmp/x' });
  assert.equal(ok.body.error_count, 0);
  assert.equal((await kit.request('PUT', `/connector-plugins/${SOURCE}/config/validate`, { 'connector.class': 'FileStreamSink' })).status, 400);
  assert.equal((await kit.request('PUT', '/connector-plugins/Nope/config/validate', { name: 'x' })).status, 404);

  // create errors
  const bad = await kit.request('POST', '/connectors', { name: 'bad', config: { 'connector.class': SOURCE } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 400);
  assert.match(bad.body.message, /Connector configuration is invalid and contains the following 1 error\(s\):\nMissing required configuration "topic"/);
  const unknown = await kit.request('POST', '/connectors', { name: 'u', config: { 'connector.class': 'com.nope.Missing' } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.message, /Failed to find any class that implements Connector and which name matches com\.nope\.Missing/);
  assert.deepEqual(await kit.request('GET', '/connectors/none').then((r) => [r.status, r.body.error_code]), [404, 404]);
  assert.equal((await kit.request('GET', '/connectors/none/status')).status, 404);
  assert.equal((await kit.request('DELETE', '/connectors/none')).status, 404);

  // PUT /config creates (201) then updates (200); POST of an existing name is 409
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, '');
  const put1 = await kit.request('PUT', '/connectors/src/config', { 'connector.class': SOURCE, file: input, topic: 'a', 'value.converter': STRING });
  assert.equal(put1.status, 201);
  assert.equal(put1.body.name, 'src');
  assert.equal((await kit.request('POST', '/connectors', { name: 'src', config: { 'connector.class': SOURCE, file: input, topic: 'a' } })).status, 409);
  const mismatch = await kit.request('PUT', '/connectors/src/config', { name: 'other', 'connector.class': SOURCE, file: input, topic: 'a' });
  assert.equal(mismatch.status, 400);
  await kit.waitForRunning('src');
  fs.appendFileSync(input, 'x1\n');
  assert.equal((await kit.consume('a', { count: 1 }))[0].value!.toString(), 'x1');
  // update: the task restarts with the new topic
  const put2 = await kit.request('PUT', '/connectors/src/config', { 'connector.class': SOURCE, file: input, topic: 'b', 'value.converter': STRING });
  assert.equal(put2.status, 200);
  assert.equal((await kit.request('GET', '/connectors/src/config')).body.topic, 'b');
  await kit.waitForRunning('src');
  fs.appendFileSync(input, 'x2\n');
  assert.deepEqual((await kit.consume('b', { count: 1 })).map((m) => m.value!.toString()), ['x2']);
  // PATCH merges; null removes
  const patched = await kit.request('PATCH', '/connectors/src/config', { 'batch.size': '10', 'value.converter': null });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.config['batch.size'], '10');
  assert.equal(patched.body.config['value.converter'], undefined);

  // expand
  const expanded = (await kit.request('GET', '/connectors?expand=status&expand=info')).body;
  assert.equal(expanded.src.status.connector.state, 'RUNNING');
  assert.equal(expanded.src.info.type, 'source');
  assert.equal(expanded.src.info.config.topic, 'b');

  // topics
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/src/topics')).body.src.topics.includes('b'), { what: 'active topic b' });
  assert.equal((await kit.request('PUT', '/connectors/src/topics/reset')).status, 200);
  assert.deepEqual((await kit.request('GET', '/connectors/src/topics')).body, { src: { topics: [] } });

  // delete
  assert.equal((await kit.request('DELETE', '/connectors/src')).status, 204);
  assert.equal((await kit.request('GET', '/connectors/src')).status, 404);
  assert.deepEqual((await kit.request('GET', '/connectors')).body, []);
  const unknownRoute = await kit.request('GET', '/nope');
  assert.deepEqual([unknownRoute.status, unknownRoute.body.error_code], [404, 404]);
});

test('REST: tasks.max, pause/resume/stop, restart, offsets only when STOPPED', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('events', 3);
  const out = path.join(kit.dir, 'out.txt');
  // sink with 3 tasks over 3 partitions
  await kit.createConnector('sink', { 'connector.class': 'FileStreamSink', 'tasks.max': '3', file: out, topics: 'events', 'value.converter': STRING, 'key.converter': STRING });
  const st = await kit.waitForRunning('sink', { tasks: 3 });
  assert.equal(st.tasks.length, 3);
  const tasks = (await kit.request('GET', '/connectors/sink/tasks')).body;
  assert.deepEqual(tasks.map((x: any) => x.id), [0, 1, 2].map((task) => ({ connector: 'sink', task })));
  assert.equal(tasks[0].config.topics, 'events');
  assert.equal((await kit.request('GET', '/connectors/sink/tasks/1/status')).body.state, 'RUNNING');
  assert.equal((await kit.request('GET', '/connectors/sink/tasks/7/status')).status, 404);
  await kit.produce('events', [0, 1, 2].map((p) => ({ value: `p${p}`, partition: p })));
  await kit.waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length === 3, { what: '3 lines in the sink file' }).catch(async (e) => {
    // what the sink wrote and committed, to tell a lost record from one written twice
    throw new Error(`${e.message}; file: ${JSON.stringify(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null)}, offsets: ${JSON.stringify((await kit.request('GET', '/connectors/sink/offsets')).body)}`);
  });

  // pause: nothing is written; resume: it is
  assert.equal((await kit.request('PUT', '/connectors/sink/pause')).status, 202);
  await kit.waitForState('sink', 'PAUSED', { tasks: 3 });
  await kit.produce('events', [{ value: 'while-paused', partition: 0 }]);
  await new Promise((r) => setTimeout(r, 800));
  assert.ok(!fs.readFileSync(out, 'utf8').includes('while-paused'));
  assert.equal((await kit.request('PUT', '/connectors/sink/resume')).status, 202);
  await kit.waitForRunning('sink', { tasks: 3 });
  await kit.waitFor(() => fs.readFileSync(out, 'utf8').includes('while-paused'), { what: 'the paused record after resume' });

  // offsets: PATCH/DELETE refused while running
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/sink/offsets')).body.offsets.find((o: any) => o.partition.kafka_partition === 0)?.offset.kafka_offset === 2, { what: 'sink offset 2 on partition 0' });
  const refused = await kit.request('PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { kafka_topic: 'events', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] });
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /must be in the STOPPED state/);
  assert.equal((await kit.request('DELETE', '/connectors/sink/offsets')).status, 400);

  // stop: STOPPED, no tasks
  assert.equal((await kit.request('PUT', '/connectors/sink/stop')).status, 204);
  const stopped = await kit.waitFor(async () => { const s = await kit.status('sink'); return s.connector.state === 'STOPPED' && s.tasks.length === 0 ? s : null; }, { what: 'STOPPED' });
  assert.deepEqual(stopped.tasks, []);
  const altered = await kit.request('PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { kafka_topic: 'events', kafka_partition: 0 }, offset: { kafka_offset: 0 } }] });
  assert.equal(altered.status, 200);
  assert.equal(altered.body.message, 'The offsets for this connector have been altered successfully');
  assert.equal((await kit.request('PATCH', '/connectors/sink/offsets', { offsets: [{ partition: { kafka_topic: 'events' }, offset: { kafka_offset: 0 } }] })).status, 400);
  // resume from STOPPED: partition 0 is read again from offset 0
  assert.equal((await kit.request('PUT', '/connectors/sink/resume')).status, 202);
  await kit.waitForRunning('sink', { tasks: 3 });
  await kit.waitFor(() => fs.readFileSync(out, 'utf8').split('\n').filter((l) => l === 'p0').length === 2, { what: 'partition 0 re-read after the offsets PATCH' });

  // DELETE offsets of a stopped sink: the group is gone
  await kit.request('PUT', '/connectors/sink/stop');
  await kit.waitFor(async () => (await kit.status('sink')).connector.state === 'STOPPED', { what: 'STOPPED' });
  const reset = await kit.request('DELETE', '/connectors/sink/offsets');
  assert.equal(reset.status, 200);
  assert.equal(reset.body.message, 'The offsets for this connector have been reset successfully');
  assert.deepEqual((await kit.request('GET', '/connectors/sink/offsets')).body, { offsets: [] });

  // source offsets: PATCH rewinds the file position, DELETE forgets it
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, 'l1\nl2\n');
  await kit.createConnector('src', { 'connector.class': SOURCE, file: input, topic: 'lines', 'value.converter': STRING });
  await kit.consume('lines', { count: 2 });
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/src/offsets')).body.offsets[0]?.offset.position === 6, { what: 'source offset' });
  await kit.request('PUT', '/connectors/src/stop');
  await kit.waitFor(async () => (await kit.status('src')).connector.state === 'STOPPED', { what: 'STOPPED' });
  const srcAlter = await kit.request('PATCH', '/connectors/src/offsets', { offsets: [{ partition: { filename: input }, offset: { position: 3 } }] });
  assert.equal(srcAlter.status, 200);
  assert.match(srcAlter.body.message, /framework-managed offsets for this connector have been altered successfully/);
  assert.deepEqual((await kit.request('GET', '/connectors/src/offsets')).body, { offsets: [{ partition: { filename: input }, offset: { position: 3 } }] });
  await kit.request('PUT', '/connectors/src/resume');
  const lines = await kit.consume('lines', { count: 3 });
  assert.deepEqual(lines.map((m) => m.value!.toString()), ['l1', 'l2', 'l2']);
  await kit.request('PUT', '/connectors/src/stop');
  await kit.waitFor(async () => (await kit.status('src')).connector.state === 'STOPPED', { what: 'STOPPED' });
  assert.equal((await kit.request('DELETE', '/connectors/src/offsets')).status, 200);
  assert.deepEqual((await kit.request('GET', '/connectors/src/offsets')).body, { offsets: [] });

  // restart: plain → 204; with includeTasks → 202 and RESTARTING targets
  await kit.request('PUT', '/connectors/src/resume');
  await kit.waitForRunning('src');
  assert.equal((await kit.request('POST', '/connectors/src/restart')).status, 204);
  const r = await kit.request('POST', '/connectors/src/restart?includeTasks=true');
  assert.equal(r.status, 202);
  assert.equal(r.body.connector.state, 'RESTARTING');
  assert.equal(r.body.tasks[0].state, 'RESTARTING');
  await kit.waitForRunning('src');
  assert.equal((await kit.request('POST', '/connectors/src/tasks/0/restart')).status, 204);
  await kit.waitForRunning('src');
});

test('REST: initial_state PAUSED/STOPPED on create; a connector failing in start() is FAILED with its trace', async (t) => {
  const { SourceConnector, SourceTask, ConfigDef, definePlugin } = await import('../plugins/sdk/index.ts');
  class NoTask extends SourceTask { version() { return '1'; } start() {} async poll() { return null; } stop() {} }
  class Broken extends SourceConnector {
    version() { return '1'; }
    config() { return new ConfigDef(); }
    start() { throw new Error('cannot reach upstream at db:5432'); }
    taskConfigs() { return [{}]; }
    stop() {}
    taskClass() { return NoTask; }
  }
  const kit = await startTestKit({ plugins: [definePlugin({ name: 'broken', version: '1', connectors: { 'test.BrokenSource': Broken } })] });
  t.after(() => kit.close());
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, 'a\n');
  await kit.createConnector('paused', { 'connector.class': SOURCE, file: input, topic: 'p', 'value.converter': STRING }, 'PAUSED');
  await kit.waitForState('paused', 'PAUSED');
  await kit.createConnector('stopped', { 'connector.class': SOURCE, file: input, topic: 's', 'value.converter': STRING }, 'STOPPED');
  const st = await kit.waitFor(async () => { const s = await kit.status('stopped'); return s.connector.state === 'STOPPED' ? s : null; }, { what: 'STOPPED' });
  assert.deepEqual(st.tasks, []);
  assert.equal((await kit.request('POST', '/connectors', { name: 'bad-state', config: { 'connector.class': SOURCE, file: input, topic: 'x' }, initial_state: 'SLEEPING' })).status, 400);
  await kit.request('PUT', '/connectors/paused/resume');
  assert.equal((await kit.consume('p', { count: 1 }))[0].value!.toString(), 'a');

  await kit.createConnector('broken', { 'connector.class': 'BrokenSource' });
  const failed = await kit.waitFor(async () => { const s = await kit.status('broken'); return s.connector.state === 'FAILED' ? s : null; }, { what: 'FAILED connector' });
  assert.match(failed.connector.trace, /^Error: cannot reach upstream at db:5432\n\tat /);
  assert.deepEqual(failed.tasks, []);
});
