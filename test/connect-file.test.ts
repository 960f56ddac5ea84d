// Connect end to end with the built-in file connectors: REST create → records in the
// topic → file sink writes them; restart of the worker resumes without duplicates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from './helpers/connect.ts';

test('file source → topic → file sink, and a worker restart resumes from committed offsets', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  const input = path.join(kit.dir, 'in.txt');
  const output = path.join(kit.dir, 'out.txt');
  fs.writeFileSync(input, 'one\ntwo\nthree\n');

  const created = await kit.request('POST', '/connectors', { name: 'src', config: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector', file: input, topic: 'lines', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } });
  assert.equal(created.status, 201);
  assert.match(created.headers.get('location') ?? '', /\/connectors\/src$/);
  assert.deepEqual(created.body.tasks, [{ connector: 'src', task: 0 }]);
  assert.equal(created.body.type, 'source');
  await kit.waitForRunning('src');
  const first = await kit.consume('lines', { count: 3 });
  assert.deepEqual(first.map((m) => m.value!.toString()), ['one', 'two', 'three']);

  // sink by alias, String converter both ways
  await kit.createConnector('sink', { 'connector.class': 'FileStreamSink', file: output, topics: 'lines', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  await kit.waitForRunning('sink');
  await kit.waitFor(() => fs.existsSync(output) && fs.readFileSync(output, 'utf8') === 'one\ntwo\nthree\n', { what: 'the sink file' });

  // source offsets are committed ({"filename"} → {"position"} in bytes)
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/src/offsets')).body.offsets[0]?.offset.position === 14, { what: 'source offset 14' });
  // sink offsets are the group's committed offsets
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/sink/offsets')).body.offsets[0]?.offset.kafka_offset === 3, { what: 'sink offset 3' });
  assert.deepEqual((await kit.request('GET', '/connectors/sink/offsets')).body, { offsets: [{ partition: { kafka_topic: 'lines', kafka_partition: 0 }, offset: { kafka_offset: 3 } }] });

  // restart the worker; append while it is down; nothing is read twice
  await kit.restartWorker();
  fs.appendFileSync(input, 'four\n');
  await kit.waitForRunning('src');
  await kit.waitForRunning('sink');
  const all = await kit.consume('lines', { count: 4 });
  await new Promise((r) => setTimeout(r, 500));
  const again = await kit.readAll('lines');
  assert.deepEqual(again.map((m) => m.value!.toString()), ['one', 'two', 'three', 'four']);
  assert.equal(all.length, 4);
  await kit.waitFor(() => fs.readFileSync(output, 'utf8') === 'one\ntwo\nthree\nfour\n', { what: 'the sink to append the new line only' });
  assert.deepEqual((await kit.request('GET', '/connectors')).body, ['sink', 'src']);
});
