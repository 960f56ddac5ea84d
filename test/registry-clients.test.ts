// The two npm registry clients, unchanged, against a registry started on the real
// broker (state in `_schemas`): register, encode, decode for Avro, JSON Schema and
// Protobuf, including @confluentinc/schemaregistry's Protobuf path (base64
// descriptors, references named like imports, format=serialized).
import assert from 'node:assert/strict';
import test from 'node:test';
import { SchemaRegistry as KafkajsRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  AvroDeserializer, AvroSerializer, JsonDeserializer, JsonSerializer, ProtobufDeserializer, ProtobufSerializer, SchemaRegistryClient, SerdeType,
} from '@confluentinc/schemaregistry';
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp } from '@bufbuild/protobuf/wkt';
import { startRegistry } from '../registry/index.ts';
import { decodeWire, RegistrySerde } from '../registry/serde.ts';
import { HttpRegistryClient } from '../registry/client.ts';
import { startBroker } from './helpers/broker.ts';

/** Cleanups run last-in first-out in one t.after: registries close before their broker stops. */
function stack(t: test.TestContext): { push(fn: () => Promise<unknown>): void } {
  const fns: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const fn of fns.reverse()) await fn(); });
  return { push: (fn) => { fns.push(fn); } };
}

async function setup(t: test.TestContext) {
  const broker = await startBroker();
  const cleanup = stack(t);
  cleanup.push(() => broker.stop());
  const reg = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  cleanup.push(() => reg.close());
  return reg;
}

test('@kafkajs/confluent-schema-registry: register, encode, decode for Avro, JSON Schema and Protobuf', async (t) => {
  const reg = await setup(t);
  const client = new KafkajsRegistry({ host: reg.url });

  const avro = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] };
  const { id: avroId } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(avro) }, { subject: 'users-value' });
  // the same schema again: the client reads /config/{s} (404 → first registration) and gets the same id
  assert.equal((await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(avro) }, { subject: 'users-value' })).id, avroId);
  const buf = await client.encode(avroId, { name: 'Ada', age: 36 });
  assert.equal(buf[0], 0);
  assert.equal(buf.readInt32BE(1), avroId);
  assert.deepEqual({ ...(await client.decode(buf)) }, { name: 'Ada', age: 36 });
  assert.equal(await client.getLatestSchemaId('users-value'), avroId);

  const json = { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } }, required: ['sku'] };
  const { id: jsonId } = await client.register({ type: SchemaType.JSON, schema: JSON.stringify(json) }, { subject: 'items-value' });
  const jbuf = await client.encode(jsonId, { sku: 'x-1', qty: 2 });
  assert.deepEqual(await client.decode(jbuf), { sku: 'x-1', qty: 2 });

  const proto = 'syntax = "proto3";\npackage shop;\nmessage Order {\n  string id = 1;\n  int32 qty = 2;\n  repeated string tags = 3;\n}\n';
  const { id: protoId } = await client.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: 'orders-value' });
  const pbuf = await client.encode(protoId, { id: 'o-1', qty: 3, tags: ['a', 'b'] });
  assert.deepEqual({ ...(await client.decode(pbuf)) }, { id: 'o-1', qty: 3, tags: ['a', 'b'] });
  // incompatible change → 409 surfaces as the client's error
  await assert.rejects(client.register({ type: SchemaType.AVRO, schema: JSON.stringify({ ...avro, fields: [...avro.fields, { name: 'email', type: 'string' }] }) }, { subject: 'users-value' }), /incompatible/i);
});

test('@confluentinc/schemaregistry: Avro, JSON and Protobuf serdes with auto-registration', async (t) => {
  const reg = await setup(t);
  const client = new SchemaRegistryClient({ baseURLs: [reg.url], cacheCapacity: 100 });

  const avroSer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
  const avroDe = new AvroDeserializer(client, SerdeType.VALUE, {});
  const rec = { name: 'Grace', score: 9.5 };
  const abuf = await avroSer.serialize('scores', rec);
  assert.deepEqual({ ...(await avroDe.deserialize('scores', abuf)) }, rec);

  const jsonSchema = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } });
  await client.register('cities-value', { schemaType: 'JSON', schema: jsonSchema });
  const jsonSer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const jsonDe = new JsonDeserializer(client, SerdeType.VALUE, {});
  const jbuf = await jsonSer.serialize('cities', { city: 'Lyon' });
  assert.deepEqual(await jsonDe.deserialize('cities', jbuf), { city: 'Lyon' });

  // Protobuf: a descriptor with an import of a well-known type and of a file of its own
  const money = create(FileDescriptorProtoSchema, {
    name: 'shop/money.proto', package: 'shop', syntax: 'proto3',
    messageType: [{ name: 'Money', field: [{ name: 'currency', number: 1, type: 9, label: 1, jsonName: 'currency' }, { name: 'units', number: 2, type: 3, label: 1, jsonName: 'units' }] }],
  });
  const order = create(FileDescriptorProtoSchema, {
    name: 'shop/order.proto', package: 'shop', syntax: 'proto3', dependency: ['google/protobuf/timestamp.proto', 'shop/money.proto'],
    messageType: [
      { name: 'Order', field: [
        { name: 'id', number: 1, type: 9, label: 1, jsonName: 'id' },
        { name: 'total', number: 2, type: 11, typeName: '.shop.Money', label: 1, jsonName: 'total' },
        { name: 'at', number: 3, type: 11, typeName: '.google.protobuf.Timestamp', label: 1, jsonName: 'at' },
      ] },
      { name: 'Refund', field: [{ name: 'order_id', number: 1, type: 9, label: 1, jsonName: 'orderId' }] },
    ],
  });
  const files = createFileRegistry(order, (name) => (name === 'shop/money.proto' ? createFileRegistry(money, () => undefined).getFile('shop/money.proto') : name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined));
  const OrderDesc = files.getMessage('shop.Order') as DescMessage;
  const RefundDesc = files.getMessage('shop.Refund') as DescMessage;
  const protoSer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
  protoSer.registry.add(OrderDesc);
  protoSer.registry.add(RefundDesc);
  const protoDe = new ProtobufDeserializer(client, SerdeType.VALUE, {});
  const msg = create(OrderDesc, { id: 'o-9', total: { currency: 'EUR', units: 12n }, at: { seconds: 1700000000n, nanos: 0 } });
  const pbuf = await protoSer.serialize('orders', msg);
  const back = await protoDe.deserialize('orders', pbuf) as Record<string, any>;
  assert.equal(back.id, 'o-9');
  assert.equal(back.total.currency, 'EUR');
  assert.equal(back.total.units, 12n);
  assert.equal(back.at.seconds, 1700000000n);
  // the dependency was registered under a subject named like the import, and is a reference
  const refs = (await (await fetch(`${reg.url}/subjects/orders-value/versions/latest`)).json()).references;
  assert.deepEqual(refs, [{ name: 'shop/money.proto', subject: 'shop/money.proto', version: 1 }]);
  // a second message type of the same file: message index [1]
  const rbuf = await protoSer.serialize('orders', create(RefundDesc, { orderId: 'o-9' }));
  assert.equal(rbuf[5], 2); // zigzag varint count 1
  assert.equal(rbuf[6], 2); // zigzag varint index 1
  assert.equal(((await protoDe.deserialize('orders', rbuf)) as Record<string, any>).orderId, 'o-9');
});

test('registry/serde.ts: Confluent wire format for all three formats, readable by the npm client', async (t) => {
  const reg = await setup(t);
  const http = new HttpRegistryClient(reg.url);
  const serde = new RegistrySerde(http);
  const avroId = (await http.register('t-value', { schema: JSON.stringify({ type: 'record', name: 'T', fields: [{ name: 'n', type: 'long' }] }) })).id;
  const bytes = await serde.encode(avroId, { n: 5 });
  assert.deepEqual(decodeWire(bytes).id, avroId);
  assert.deepEqual({ ...(await serde.decode(bytes) as object) }, { n: 5 });
  const kafkajsClient = new KafkajsRegistry({ host: reg.url });
  assert.deepEqual({ ...(await kafkajsClient.decode(bytes)) }, { n: 5 });

  const protoId = (await http.register('p-value', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; package z; message A { string s = 1; } message B { int32 i = 1; message C { bool b = 1; } }' })).id;
  const pb = await serde.encode(protoId, { b: true }, { messageName: 'z.B.C' });
  assert.deepEqual([...decodeWire(pb, { protobuf: true }).messageIndexes!], [1, 0]);
  assert.deepEqual(await serde.decode(pb), { b: true });
  const pa = await serde.encode(protoId, { s: 'x' });
  assert.equal(pa[5], 0); // the common [0] is the single byte 0
  const jsonId = (await http.register('j-value', { schemaType: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}' })).id;
  assert.deepEqual(await serde.decode(await serde.encode(jsonId, { a: 1 })), { a: 1 });
  await assert.rejects(serde.encode(jsonId, { a: 'nope' }), /JSON Schema/);
});
