// Registry serdes against a real schema registry (started on the test's broker): a
// streams app reads Avro written by @kafkajs/confluent-schema-registry (the schema
// fetched by id, including a newer version registered while the app runs) and
// writes JSON Schema and Protobuf, which that client decodes. A record that is not
// in the wire format goes to the deserialization handler, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startBroker, tempDir } from './helpers/broker.ts';
import { startRegistry } from '../registry/index.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced, RegistrySerdes } from '../streams/index.ts';

async function readAll(bootstrap: string, topic: string, n: number) {
  const r = new PartitionReader({ bootstrap, clientId: `read-${topic}`, maxWaitMs: 200 });
  await r.assign([{ topic, partition: 0, offset: 'earliest' }]);
  const out = [];
  const end = Date.now() + 60000;
  try { while (out.length < n && Date.now() < end) for (const b of await r.poll()) out.push(...b.records); } finally { await r.close(); }
  return out;
}

test('registry serdes: Avro in (two schema versions), JSON Schema and Protobuf out, in the Confluent wire format', { timeout: 180000 }, async (t) => {
  const b = await startBroker();
  const reg = await startRegistry({ bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  const dir = tempDir('streams-registry-');
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'orders' });
  let app: KafkaStreams | undefined;
  // one teardown, in order: the app and clients, the registry, then the broker
  t.after(async () => { await app?.close(); await p.close(); await admin.close(); await reg.close(); await b.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  await admin.createTopics(['orders', 'orders-priced', 'orders-proto'].map((topic) => ({ topic, partitions: 1, replicationFactor: 1 })));
  const sr = new SchemaRegistry({ host: reg.url });
  const v1 = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'qty', type: 'int' }, { name: 'price', type: 'double' }] };
  const { id: id1 } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'orders-value' });
  await p.send([
    { topic: 'orders', key: 'o1', value: await sr.encode(id1, { id: 'o1', qty: 2, price: 2.5 }) },
    { topic: 'orders', key: 'junk', value: 'not the wire format' },
    { topic: 'orders', key: 'o2', value: await sr.encode(id1, { id: 'o2', qty: 1, price: 10 }) },
  ]);

  const url = reg.url;
  const avroIn = await RegistrySerdes.avro<{ id: string; qty: number; price: number }>({ 'schema.registry.url': url });
  const jsonOut = await RegistrySerdes.jsonSchema<{ id: string; total: number }>({ 'schema.registry.url': url, subject: 'orders-priced-value',
    schema: { type: 'object', properties: { id: { type: 'string' }, total: { type: 'number' } }, required: ['id', 'total'], additionalProperties: false } });
  const protoOut = await RegistrySerdes.protobuf<{ id: string; total: number }>({ 'schema.registry.url': url, subject: 'orders-proto-value',
    schema: 'syntax = "proto3";\npackage shop;\nmessage Priced { string id = 1; double total = 2; }\n' });
  const sb = new StreamsBuilder();
  const priced = sb.stream('orders', Consumed.with(Serdes.String(), avroIn)).mapValues((o) => ({ id: o.id, total: o.qty * o.price }));
  priced.to('orders-priced', Produced.with(Serdes.String(), jsonOut));
  priced.to('orders-proto', Produced.with(Serdes.String(), protoOut));
  app = new KafkaStreams(sb.build(), { 'application.id': 'pricing', 'bootstrap.servers': b.bootstrap, 'state.dir': dir, 'commit.interval.ms': 100, 'default.deserialization.exception.handler': 'LogAndContinueExceptionHandler' });
  await app.start();
  await readAll(b.bootstrap, 'orders-priced', 2);

  // a newer version of the order schema, registered and written while the app runs
  const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: 'string', default: '' }] };
  const { id: id2 } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: 'orders-value' });
  assert.notEqual(id2, id1);
  await p.send([{ topic: 'orders', key: 'o3', value: await sr.encode(id2, { id: 'o3', qty: 3, price: 1, note: 'gift' }) }]);

  const json = await readAll(b.bootstrap, 'orders-priced', 3);
  assert.deepEqual(await Promise.all(json.map((r) => sr.decode(r.value!))), [{ id: 'o1', total: 5 }, { id: 'o2', total: 10 }, { id: 'o3', total: 3 }]);
  assert.equal(json[0].value![0], 0, 'magic byte');
  const jsonId = json[0].value!.readInt32BE(1);
  assert.equal((await sr.getLatestSchemaId('orders-priced-value')), jsonId);
  const proto = await readAll(b.bootstrap, 'orders-proto', 3);
  const decoded = await Promise.all(proto.map((r) => sr.decode(r.value!)));
  assert.deepEqual(decoded.map((d) => ({ ...(d as object) })), [{ id: 'o1', total: 5 }, { id: 'o2', total: 10 }, { id: 'o3', total: 3 }]);
  assert.equal(app.state(), 'RUNNING', 'the record not in the wire format was skipped by the handler');
});
