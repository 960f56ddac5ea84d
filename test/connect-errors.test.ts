// Connect error handling: a failing task shows FAILED with its trace and comes back
// with /restart; errors.tolerance=none fails the task on a bad record; =all skips it
// into the dead letter topic with __connect.errors.* headers; a retriable sink error
// is retried without losing records; per-task error counters over REST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from './helpers/connect.ts';
import { ConfigDef, SourceConnector, SourceTask, definePlugin, S, type Props, type SourceRecord } from '../plugins/sdk/index.ts';

class FlakyTask extends SourceTask {
  private marker = '';
  private topic = '';
  private n = 0;
  version() { return '1'; }
  start(p: Props) { this.marker = p.marker; this.topic = p.topic; }
  async poll(): Promise<SourceRecord[] | null> {
    if (fs.existsSync(this.marker)) throw new Error(`upstream unavailable (${path.basename(this.marker)})`);
    await new Promise((r) => setTimeout(r, 20));
    return [{ sourcePartition: { p: 0 }, sourceOffset: { n: ++this.n }, topic: this.topic, valueSchema: S.string(), value: `v${this.n}` }];
  }
  stop() {}
}
class FlakySource extends SourceConnector {
  private p: Props = {};
  version() { return '1'; }
  config() { return new ConfigDef().define({ name: 'marker', type: 'STRING', documentation: 'fail while this file exists' }).define({ name: 'topic', type: 'STRING', documentation: 'topic' }); }
  start(p: Props) { this.p = p; }
  taskConfigs() { return [{ marker: this.p.marker, topic: this.p.topic }]; }
  stop() {}
  taskClass() { return FlakyTask; }
}
const flaky = definePlugin({ name: 'flaky', version: '1', connectors: { 'test.FlakySource': FlakySource } });

test('a failing task is FAILED with its trace; restart?includeTasks&onlyFailed brings it back', async (t) => {
  const kit = await startTestKit({ plugins: [flaky] });
  t.after(() => kit.close());
  const marker = path.join(kit.dir, 'broken');
  fs.writeFileSync(marker, '');
  await kit.createConnector('flaky', { 'connector.class': 'FlakySource', marker, topic: 'flaky-out' });
  const failed = await kit.waitFor(async () => { const s = await kit.status('flaky'); return s.tasks[0]?.state === 'FAILED' ? s : null; }, { what: 'FAILED task' });
  assert.equal(failed.connector.state, 'RUNNING');
  assert.match(failed.tasks[0].trace, /^Error: upstream unavailable \(broken\)\n\tat /);
  assert.ok(failed.tasks[0].worker_id);
  const ts = (await kit.request('GET', '/connectors/flaky/tasks/0/status')).body;
  assert.equal(ts.state, 'FAILED');
  assert.match(ts.trace, /upstream unavailable/);

  fs.rmSync(marker);
  const r = await kit.request('POST', '/connectors/flaky/restart?includeTasks=true&onlyFailed=true');
  assert.equal(r.status, 202);
  assert.equal(r.body.connector.state, 'RUNNING', 'a running connector is not restarted with onlyFailed');
  assert.equal(r.body.tasks[0].state, 'RESTARTING');
  const back = await kit.waitForRunning('flaky');
  assert.equal(back.tasks[0].trace, undefined);
  assert.ok((await kit.consume('flaky-out', { count: 3 })).length >= 3);
});

test('errors.tolerance=all sends poison records to the DLQ with context headers; none fails the task', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('in', 1);
  const good = (n: number) => JSON.stringify({ schema: { type: 'string', optional: false }, payload: `good-${n}` });
  await kit.produce('in', [{ value: good(1) }, { key: 'k', value: 'not json at all', headers: { trace: 'abc' } }, { value: good(2) }]);

  const out = path.join(kit.dir, 'tolerant.txt');
  await kit.createConnector('tolerant', {
    'connector.class': 'FileStreamSink', file: out, topics: 'in', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq-in', 'errors.deadletterqueue.topic.replication.factor': '1', 'errors.log.enable': 'true',
  });
  await kit.waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8') === 'good-1\ngood-2\n', { what: 'the good records in the file' });
  const [dead] = await kit.consume('dlq-in', { count: 1 });
  assert.equal(dead.value!.toString(), 'not json at all', 'the original bytes');
  assert.equal(dead.key!.toString(), 'k');
  assert.equal(dead.headers.trace, 'abc', 'original headers kept');
  assert.equal(dead.headers['__connect.errors.topic'], 'in');
  assert.equal(dead.headers['__connect.errors.partition'], '0');
  assert.equal(dead.headers['__connect.errors.offset'], '1');
  assert.equal(dead.headers['__connect.errors.connector.name'], 'tolerant');
  assert.equal(dead.headers['__connect.errors.task.id'], '0');
  assert.equal(dead.headers['__connect.errors.stage'], 'VALUE_CONVERTER');
  assert.equal(dead.headers['__connect.errors.class.name'], 'org.apache.kafka.connect.json.JsonConverter');
  assert.equal(dead.headers['__connect.errors.exception.class.name'], 'DataException');
  assert.match(dead.headers['__connect.errors.exception.message'], /Converting byte\[\] to Kafka Connect data failed/);
  assert.match(dead.headers['__connect.errors.exception.stacktrace'], /DataException/);
  assert.equal((await kit.status('tolerant')).tasks[0].state, 'RUNNING');
  const counters = (await kit.request('GET', '/connectors/tolerant/errors')).body.tasks[0].counters;
  assert.equal(counters.total_errors, 1);
  assert.equal(counters.total_records_skipped, 1);
  assert.equal(counters.total_dlq_records, 1);
  assert.equal(counters.last_errors[0].offset, 1);
  // the committed offset moved past the poison record
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/tolerant/offsets')).body.offsets[0]?.offset.kafka_offset === 3, { what: 'offset 3 committed' });

  const strictOut = path.join(kit.dir, 'strict.txt');
  await kit.createConnector('strict', { 'connector.class': 'FileStreamSink', file: strictOut, topics: 'in', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  const failed = await kit.waitFor(async () => { const s = await kit.status('strict'); return s.tasks[0]?.state === 'FAILED' ? s : null; }, { what: 'strict sink FAILED' });
  assert.match(failed.tasks[0].trace, /Tolerance exceeded in error handler/);
  assert.match(failed.tasks[0].trace, /Caused by: DataException/);
  // nothing after the poison record was committed: a restart reads it again
  const off = (await kit.request('GET', '/connectors/strict/offsets')).body.offsets;
  assert.ok(!off.length || off[0].offset.kafka_offset <= 1, `committed ${JSON.stringify(off)}`);
});

test('a retriable sink error redelivers the batch; offsets are committed only after flush succeeded', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.produce('orders', Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ id: i }) })));
  const dir = path.join(kit.dir, 'requests');
  await kit.createConnector('collect', {
    'connector.class': 'com.example.collect.CollectingSinkConnector', 'output.dir': dir, topics: 'orders', 'batch.max.records': '2', 'fail.first.requests': '2',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  });
  const ids = await kit.waitFor(() => {
    if (!fs.existsSync(dir)) return null;
    const all = fs.readdirSync(dir).flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { value: { id: number } }[]).map((r) => r.value.id);
    return all.length >= 5 ? all : null;
  }, { what: '5 records posted' });
  assert.deepEqual([...new Set(ids)].sort(), [0, 1, 2, 3, 4]);
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/collect/offsets')).body.offsets[0]?.offset.kafka_offset === 5, { what: 'offset 5' });
  assert.equal((await kit.status('collect')).tasks[0].state, 'RUNNING');
  assert.ok((await kit.request('GET', '/connectors/collect/errors')).body.tasks[0].counters.total_retries >= 2);
});

test('task.restart.policy=backoff restarts a FAILED task by itself once its cause is gone', async (t) => {
  const kit = await startTestKit({ plugins: [flaky], workerConfig: { 'task.restart.policy': 'backoff' } });
  t.after(() => kit.close());
  const marker = path.join(kit.dir, 'down');
  fs.writeFileSync(marker, '');
  await kit.createConnector('auto', { 'connector.class': 'test.FlakySource', marker, topic: 'auto-out' });
  await kit.waitFor(async () => (await kit.status('auto')).tasks[0]?.state === 'FAILED', { what: 'FAILED' });
  fs.rmSync(marker);
  await kit.waitForRunning('auto', { timeoutMs: 10000 });
  assert.ok((await kit.consume('auto-out', { count: 2 })).length >= 2);
});

test('a source record failing in a transform goes to the dead letter topic (beyond Kafka: sources too)', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  const input = path.join(kit.dir, 'nums.txt');
  fs.writeFileSync(input, '1\nabc\n3\n');
  await kit.createConnector('nums', {
    'connector.class': 'FileStreamSource', file: input, topic: 'nums', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
    transforms: 'toInt', 'transforms.toInt.type': 'org.apache.kafka.connect.transforms.Cast$Value', 'transforms.toInt.spec': 'int32',
    'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'nums-dlq', 'errors.deadletterqueue.topic.replication.factor': '1',
  });
  const good = await kit.consume('nums', { count: 2 });
  assert.deepEqual(good.map((m) => m.value!.toString()), ['1', '3']);
  const [dead] = await kit.consume('nums-dlq', { count: 1 });
  assert.equal(JSON.parse(dead.value!.toString()).value, 'abc');
  assert.equal(dead.headers['__connect.errors.stage'], 'TRANSFORMATION');
  assert.equal(dead.headers['__connect.errors.class.name'], 'org.apache.kafka.connect.transforms.Cast$Value');
  assert.equal(dead.headers['__connect.errors.connector.name'], 'nums');
  // the file position still moves past the bad line
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/nums/offsets')).body.offsets[0]?.offset.position === 8, { what: 'offset past every line' });
});
