// Converters: JsonConverter envelopes (Kafka's exact JSON), String/ByteArray, and the
// registry converters round-tripping through a running schema registry (memory store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, Logical, type Schema } from '../../plugins/sdk/index.ts';
import { JsonConverter } from './json.ts';
import { StringConverter, ByteArrayConverter } from './simple.ts';
import { AvroConverter, ProtobufConverter, JsonSchemaConverter } from './registry.ts';
import { startRegistry } from '../../registry/index.ts';
import { decodeWire } from '../../registry/serde.ts';

const orderSchema: Schema = S.struct('shop.Order', { id: S.int32(), name: S.string(true), amount: { type: 'bytes', name: Logical.Decimal, parameters: { scale: '2' } }, tags: S.array(S.string()) });
const order = { id: 1, name: 'pen', amount: '12.34', tags: ['a', 'b'] };

test('JsonConverter with schemas.enable=true writes Connect\'s envelope and reads it back', async () => {
  const c = new JsonConverter();
  c.configure({}, false);
  const bytes = c.fromConnectData('t', orderSchema, order)!;
  const j = JSON.parse(bytes.toString());
  assert.deepEqual(j.schema, {
    type: 'struct', optional: false, name: 'shop.Order', fields: [
      { type: 'int32', optional: false, field: 'id' },
      { type: 'string', optional: true, field: 'name' },
      { type: 'bytes', optional: false, name: Logical.Decimal, parameters: { scale: '2' }, field: 'amount' },
      { type: 'array', items: { type: 'string', optional: false }, optional: false, field: 'tags' },
    ],
  });
  assert.deepEqual(j.payload, { id: 1, name: 'pen', amount: 'BNI=', tags: ['a', 'b'] }); // 1234 as two's complement bytes
  const back = c.toConnectData('t', bytes);
  assert.deepEqual(back.value, order);
  assert.equal(back.schema!.fields![2].schema.name, Logical.Decimal);
  assert.throws(() => c.toConnectData('t', Buffer.from('{"id":1}')), /schemas\.enable requires "schema" and "payload"/);
  assert.throws(() => c.fromConnectData('t', orderSchema, { ...order, id: null }), /null/);
  assert.equal(c.fromConnectData('t', null, null), null, 'tombstone');
  assert.deepEqual(c.toConnectData('t', null), { schema: null, value: null });
  const ts = c.fromConnectData('t', { type: 'int64', name: Logical.Timestamp }, new Date(1700000000000))!;
  assert.equal(ts.toString(), '{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp"},"payload":1700000000000}');
});

test('JsonConverter with schemas.enable=false writes and reads plain JSON', async () => {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false' }, false);
  assert.equal(c.fromConnectData('t', null, { a: 1, b: [true] })!.toString(), '{"a":1,"b":[true]}');
  assert.equal(c.fromConnectData('t', orderSchema, order)!.toString(), '{"id":1,"name":"pen","amount":"BNI=","tags":["a","b"]}');
  assert.deepEqual(c.toConnectData('t', Buffer.from('{"x":"y"}')), { schema: null, value: { x: 'y' } });
  assert.throws(() => c.toConnectData('t', Buffer.from('{nope')), /serialization error/);
  const numeric = new JsonConverter();
  numeric.configure({ 'schemas.enable': 'false', 'decimal.format': 'NUMERIC' }, false);
  assert.equal(numeric.fromConnectData('t', orderSchema, order)!.toString(), '{"id":1,"name":"pen","amount":12.34,"tags":["a","b"]}');
});

test('StringConverter and ByteArrayConverter', () => {
  const s = new StringConverter();
  s.configure({});
  assert.equal(s.fromConnectData('t', S.string(), 'héllo')!.toString('utf8'), 'héllo');
  assert.deepEqual(s.toConnectData('t', Buffer.from('x')), { schema: S.optional(S.string()), value: 'x' });
  const b = new ByteArrayConverter();
  b.configure();
  assert.deepEqual(b.fromConnectData('t', S.bytes(), Buffer.from([1, 2])), Buffer.from([1, 2]));
  assert.throws(() => b.fromConnectData('t', S.string(), 'x'), /Invalid schema type/);
  assert.deepEqual(b.toConnectData('t', Buffer.from([3])).value, Buffer.from([3]));
});

test('Avro, Protobuf and JSON Schema converters register <topic>-value and round-trip through the registry', async (t) => {
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const url = `http://127.0.0.1:${reg.port}`;
  const schema: Schema = S.struct('shop.Order', { id: S.int64(), name: S.string(true), ok: S.boolean(), score: S.float64(), at: { type: 'int64', name: Logical.Timestamp } });
  const value = { id: 42, name: 'pen', ok: true, score: 0.5, at: new Date(1700000000000) };
  for (const [Cls, type] of [[AvroConverter, 'AVRO'], [ProtobufConverter, 'PROTOBUF'], [JsonSchemaConverter, 'JSON']] as const) {
    const c = new Cls();
    c.configure({ 'schema.registry.url': url }, false);
    const topic = `orders-${type.toLowerCase()}`;
    const bytes = (await c.fromConnectData(topic, schema, value))!;
    const { id } = decodeWire(bytes);
    const latest = await (await fetch(`${url}/subjects/${topic}-value/versions/latest`)).json() as { id: number; schemaType?: string };
    assert.equal(latest.id, id, `${type}: registered under ${topic}-value`);
    assert.equal(latest.schemaType ?? 'AVRO', type);
    const back = await c.toConnectData(topic, bytes);
    const v = back.value as Record<string, unknown>;
    assert.equal(v.id, 42, type); assert.equal(v.name, 'pen', type); assert.equal(v.ok, true, type); assert.equal(v.score, 0.5, type);
    if (type !== 'PROTOBUF') assert.equal((v.at as Date).getTime(), 1700000000000, type);
    assert.equal(back.schema!.type, 'struct');
    assert.deepEqual(back.schema!.fields!.map((f) => f.name), ['id', 'name', 'ok', 'score', 'at']);
    // same schema again: no new version
    await c.fromConnectData(topic, schema, { ...value, id: 43 });
    const versions = await (await fetch(`${url}/subjects/${topic}-value/versions`)).json();
    assert.deepEqual(versions, [1], type);
  }
});

test('registry converters: subject name strategies, bad bytes are DataExceptions, an unreachable registry is retriable', async (t) => {
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const url = `http://127.0.0.1:${reg.port}`;
  const schema: Schema = S.struct('shop.Item', { sku: S.string() });
  const rec = new AvroConverter();
  rec.configure({ 'schema.registry.url': url, 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy' }, false);
  await rec.fromConnectData('items', schema, { sku: 'a' });
  const trn = new AvroConverter();
  trn.configure({ 'schema.registry.url': url, 'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy' }, false);
  await trn.fromConnectData('items', schema, { sku: 'a' });
  const key = new JsonSchemaConverter();
  key.configure({ 'schema.registry.url': url }, true);
  await key.fromConnectData('items', S.string(), 'k1');
  const subjects = (await (await fetch(`${url}/subjects`)).json() as string[]).sort();
  assert.deepEqual(subjects, ['items-key', 'items-shop.Item', 'shop.Item']);
  await assert.rejects(rec.toConnectData('items', Buffer.from('plain text')), (e: Error) => e.name === 'DataException');
  const down = new AvroConverter();
  down.configure({ 'schema.registry.url': 'http://127.0.0.1:9' }, false);
  await assert.rejects(down.fromConnectData('items', schema, { sku: 'a' }), (e: Error) => e.name === 'RetriableException');
});
