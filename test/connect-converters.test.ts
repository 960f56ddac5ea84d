// Converters end to end: JsonConverter with schemas.enable true and false in both
// directions, and the Avro converter through a running schema registry (its state on
// the same broker): Confluent wire format in the topic, <topic>-value registered,
// values read back by a sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from './helpers/connect.ts';
import { startBroker } from './helpers/broker.ts';
import { startRegistry } from '../registry/index.ts';

const JSONC = 'org.apache.kafka.connect.json.JsonConverter';

test('JsonConverter schemas.enable=true writes envelopes and reads them back; false reads plain JSON', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createConnector('gen', { 'connector.class': 'com.example.datagen.DatagenSourceConnector', topic: 'orders', 'max.records': '3', 'value.converter': JSONC, 'value.converter.schemas.enable': 'true', 'key.converter': JSONC, 'key.converter.schemas.enable': 'false' });
  const msgs = await kit.consume('orders', { count: 3 });
  const env = JSON.parse(msgs[0].value!.toString());
  assert.deepEqual(env.schema, {
    type: 'struct', optional: false, name: 'example.datagen.Order', fields: [
      { type: 'int64', optional: false, field: 'id' }, { type: 'string', optional: false, field: 'customer' },
      { type: 'float64', optional: false, field: 'amount' }, { type: 'string', optional: false, field: 'status' },
    ],
  });
  assert.equal(env.payload.id, 0);
  assert.equal(msgs[0].key!.toString(), '0', 'schemaless key');

  // sink with schemas.enable=true gets Structs back (written as JSON objects by the file sink)
  const out = path.join(kit.dir, 'structs.txt');
  await kit.createConnector('structs', { 'connector.class': 'FileStreamSink', file: out, topics: 'orders', 'value.converter': JSONC, 'key.converter': JSONC, 'key.converter.schemas.enable': 'false' });
  await kit.waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length === 3, { what: '3 structs' });
  const first = JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]);
  assert.deepEqual(first, env.payload);

  // plain JSON in, schemas.enable=false
  await kit.produce('plain', [{ value: '{"a":1,"b":[true,null]}' }]);
  const plainOut = path.join(kit.dir, 'plain.txt');
  await kit.createConnector('plain', { 'connector.class': 'FileStreamSink', file: plainOut, topics: 'plain', 'value.converter': JSONC, 'value.converter.schemas.enable': 'false', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  await kit.waitFor(() => fs.existsSync(plainOut) && fs.readFileSync(plainOut, 'utf8') === '{"a":1,"b":[true,null]}\n', { what: 'plain JSON line' });

  // the worker default (JsonConverter, schemas.enable=true) refuses plain JSON: the task fails naming the fix
  await kit.createConnector('strict', { 'connector.class': 'FileStreamSink', file: path.join(kit.dir, 'strict.txt'), topics: 'plain', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  const failed = await kit.waitFor(async () => { const s = await kit.status('strict'); return s.tasks[0]?.state === 'FAILED' ? s : null; }, { what: 'FAILED' });
  assert.match(failed.tasks[0].trace, /set schemas\.enable=false in your converter configuration/);
});

test('AvroConverter round trip through the running schema registry', async (t) => {
  const broker = await startBroker();
  const registry = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka', config: { 'kafkastore.topic.replication.factor': '1' } });
  const kit = await startTestKit({ bootstrap: broker.bootstrap, registryUrl: registry.url });
  t.after(async () => { await kit.close(); await registry.close(); await broker.stop(); });
  const AVRO = 'io.confluent.connect.avro.AvroConverter';
  await kit.createConnector('gen', { 'connector.class': 'DatagenSource', topic: 'users', quickstart: 'users', 'max.records': '5', 'value.converter': AVRO, 'key.converter': AVRO, 'value.converter.schema.registry.url': registry.url, 'key.converter.schema.registry.url': registry.url });
  const msgs = await kit.consume('users', { count: 5 });
  const latest = await (await fetch(`${registry.url}/subjects/users-value/versions/latest`)).json() as { id: number; schema: string };
  assert.equal(msgs[0].value![0], 0, 'magic byte');
  assert.equal(msgs[0].value!.readInt32BE(1), latest.id, 'schema id of users-value');
  const avro = JSON.parse(latest.schema);
  assert.equal(avro.type, 'record');
  assert.equal(avro.name, 'User');
  assert.equal(avro.namespace, 'example.datagen');
  assert.equal(avro['connect.name'], 'example.datagen.User', 'Connect metadata on the Avro type, as Confluent\'s AvroData writes it');
  assert.deepEqual(avro.fields.find((f: { name: string }) => f.name === 'email').type, ['null', 'string']);
  assert.ok((await (await fetch(`${registry.url}/subjects`)).json() as string[]).includes('users-key'));

  // a sink reads them back with the same converter (schema from the registry by id)
  const dir = path.join(kit.dir, 'posted');
  await kit.createConnector('collect', { 'connector.class': 'CollectingSink', topics: 'users', 'output.dir': dir, 'batch.max.records': '5', 'value.converter': AVRO, 'key.converter': AVRO });
  const posted = await kit.waitFor(() => {
    if (!fs.existsSync(dir)) return null;
    const recs = fs.readdirSync(dir).flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    return recs.length >= 5 ? recs : null;
  }, { what: 'the sink to receive 5 records' });
  assert.deepEqual(posted.map((r: { key: number }) => r.key), [0, 1, 2, 3, 4]);
  const u = posted[1].value;
  assert.equal(u.id, 1);
  assert.equal(u.registered_at, 1700000001000);
  assert.equal(typeof u.name, 'string');
});

test('worker-level key.converter/value.converter are the default; a connector converter overrides them', async (t) => {
  const STRING = 'org.apache.kafka.connect.storage.StringConverter';
  const kit = await startTestKit({ workerConfig: { 'value.converter': STRING, 'key.converter': STRING } });
  t.after(() => kit.close());
  const input = path.join(kit.dir, 'in.txt');
  fs.writeFileSync(input, 'plain\n');
  await kit.createConnector('default', { 'connector.class': 'FileStreamSource', file: input, topic: 'dflt' });
  assert.equal((await kit.consume('dflt', { count: 1 }))[0].value!.toString(), 'plain');
  await kit.createConnector('own', { 'connector.class': 'FileStreamSource', file: input, topic: 'own', 'value.converter': JSONC, 'value.converter.schemas.enable': 'true' });
  assert.equal((await kit.consume('own', { count: 1 }))[0].value!.toString(), '{"schema":{"type":"string","optional":false},"payload":"plain"}');
});
