// Each built-in transform and predicate, by Kafka class name through the manifest,
// on records with and without schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import manifest from './index.ts';
import { S, Logical, type SinkRecord, type SourceRecord, type Transformation, type Predicate } from '../../../plugins/sdk/index.ts';

const P = 'org.apache.kafka.connect.transforms.';
function tf(name: string, props: Record<string, string>): Transformation {
  const cls = manifest.transforms![P + name];
  assert.ok(cls, `transform ${name} is registered`);
  const t = new cls();
  t.configure(props);
  return t;
}
function pred(name: string, props: Record<string, string>): Predicate {
  const t = new manifest.predicates![`${P}predicates.${name}`]();
  t.configure(props);
  return t;
}

const schema = S.struct('Order', { id: S.int32(), name: S.string(true), price: S.float64(), nested: S.struct('N', { a: S.int32(), b: S.string() }, true) });
const sink = (value: unknown, valueSchema = schema as typeof schema | null): SinkRecord => ({
  topic: 'orders', kafkaPartition: 2, kafkaOffset: 41, keySchema: null, key: 'k1', valueSchema, value, timestamp: Date.UTC(2024, 0, 15, 10, 30), headers: [{ key: 'h1', value: 'x' }],
});
const orderValue = { id: 7, name: 'pen', price: 1.5, nested: { a: 1, b: 'z' } };

test('InsertField$Value adds topic/partition/offset/timestamp/static fields, with schema and without', () => {
  const t = tf('InsertField$Value', { 'topic.field': 'topic', 'partition.field': 'part', 'offset.field': 'off!', 'timestamp.field': 'ts', 'static.field': 'src', 'static.value': 'web' });
  const r = t.apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(r.valueSchema!.fields!.map((f) => f.name), ['id', 'name', 'price', 'nested', 'topic', 'part', 'off', 'ts', 'src']);
  assert.equal(r.valueSchema!.fields!.find((f) => f.name === 'off')!.schema.optional, false);
  assert.equal(r.valueSchema!.fields!.find((f) => f.name === 'ts')!.schema.name, Logical.Timestamp);
  const v = r.value as Record<string, unknown>;
  assert.equal(v.topic, 'orders'); assert.equal(v.part, 2); assert.equal(v.off, 41); assert.equal(v.src, 'web');
  assert.equal((v.ts as Date).getTime(), Date.UTC(2024, 0, 15, 10, 30));
  const s = t.apply(sink({ a: 1 }, null)) as SinkRecord;
  assert.deepEqual(s.value, { a: 1, topic: 'orders', part: 2, off: 41, ts: Date.UTC(2024, 0, 15, 10, 30), src: 'web' });
  assert.equal((t.apply(sink(null)) as SinkRecord).value, null, 'tombstones pass');
  const k = tf('InsertField$Key', { 'static.field': 'x', 'static.value': 'y' }).apply({ ...sink(orderValue), key: { id: 1 } }) as SinkRecord;
  assert.deepEqual(k.key, { id: 1, x: 'y' });
});

test('ReplaceField include/exclude/renames', () => {
  const r = tf('ReplaceField$Value', { exclude: 'price', renames: 'name:title,id:order_id' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(r.valueSchema!.fields!.map((f) => f.name), ['order_id', 'title', 'nested']);
  assert.deepEqual(r.value, { order_id: 7, title: 'pen', nested: { a: 1, b: 'z' } });
  const i = tf('ReplaceField$Value', { include: 'id,name' }).apply(sink({ id: 1, name: 'a', x: 2 }, null)) as SinkRecord;
  assert.deepEqual(i.value, { id: 1, name: 'a' });
});

test('MaskField masks with type defaults or a replacement', () => {
  const r = tf('MaskField$Value', { fields: 'name,price' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(r.value, { ...orderValue, name: '', price: 0 });
  const s = tf('MaskField$Value', { fields: 'card', replacement: '****' }).apply(sink({ card: '4111', n: 1 }, null)) as SinkRecord;
  assert.deepEqual(s.value, { card: '****', n: 1 });
});

test('ValueToKey, ExtractField, HoistField', () => {
  const k = tf('ValueToKey', { fields: 'id' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(k.key, { id: 7 });
  assert.deepEqual(k.keySchema!.fields!.map((f) => [f.name, f.schema.type]), [['id', 'int32']]);
  const e = tf('ExtractField$Key', { field: 'id' }).apply(k) as SinkRecord;
  assert.equal(e.key, 7); assert.equal(e.keySchema!.type, 'int32');
  const nested = tf('ExtractField$Value', { field: 'nested.b', 'field.syntax.version': 'V2' }).apply(sink(orderValue)) as SinkRecord;
  assert.equal(nested.value, 'z');
  const h = tf('HoistField$Value', { field: 'line' }).apply(sink('hello', S.string())) as SinkRecord;
  assert.deepEqual(h.value, { line: 'hello' });
  assert.equal(h.valueSchema!.fields![0].schema.type, 'string');
  assert.deepEqual((tf('HoistField$Value', { field: 'x' }).apply(sink(5, null)) as SinkRecord).value, { x: 5 });
});

test('Flatten joins nested field names with the delimiter', () => {
  const r = tf('Flatten$Value', { delimiter: '_' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(r.value, { id: 7, name: 'pen', price: 1.5, nested_a: 1, nested_b: 'z' });
  assert.equal(r.valueSchema!.fields!.find((f) => f.name === 'nested_a')!.schema.optional, true, 'fields of an optional struct become optional');
  assert.deepEqual((tf('Flatten$Value', {}).apply(sink({ a: { b: { c: 1 } } }, null)) as SinkRecord).value, { 'a.b.c': 1 });
});

test('Cast fields and whole values', () => {
  const r = tf('Cast$Value', { spec: 'id:string,price:int32' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual([(r.value as any).id, (r.value as any).price], ['7', 1]);
  assert.equal(r.valueSchema!.fields!.find((f) => f.name === 'id')!.schema.type, 'string');
  assert.equal((tf('Cast$Value', { spec: 'int64' }).apply(sink('42', S.string())) as SinkRecord).value, 42);
  assert.equal((tf('Cast$Value', { spec: 'boolean' }).apply(sink('true', null)) as SinkRecord).value, true);
  assert.throws(() => tf('Cast$Value', { spec: 'id:decimalx' }), /Invalid type/);
});

test('TimestampConverter between string, unix, Timestamp', () => {
  const toStr = tf('TimestampConverter$Value', { field: 'ts', 'target.type': 'string', format: "yyyy-MM-dd'T'HH:mm:ss.SSS" });
  const r = toStr.apply(sink({ ts: Date.UTC(2024, 0, 15, 10, 30, 5, 7) }, null)) as SinkRecord;
  assert.deepEqual(r.value, { ts: '2024-01-15T10:30:05.007' });
  const back = tf('TimestampConverter$Value', { field: 'ts', 'target.type': 'unix', format: "yyyy-MM-dd'T'HH:mm:ss.SSS" }).apply(r) as SinkRecord;
  assert.deepEqual(back.value, { ts: Date.UTC(2024, 0, 15, 10, 30, 5, 7) });
  const secs = tf('TimestampConverter$Value', { 'target.type': 'unix', 'unix.precision': 'seconds' }).apply(sink(new Date(5000), { type: 'int64', name: Logical.Timestamp })) as SinkRecord;
  assert.equal(secs.value, 5); assert.equal(secs.valueSchema!.type, 'int64');
  const ts = tf('TimestampConverter$Value', { 'target.type': 'Timestamp' }).apply(sink(1700000000000, S.int64())) as SinkRecord;
  assert.ok(ts.value instanceof Date); assert.equal(ts.valueSchema!.name, Logical.Timestamp);
  assert.throws(() => tf('TimestampConverter$Value', { 'target.type': 'string' }), /format/);
});

test('RegexRouter and TimestampRouter change the topic', () => {
  assert.equal((tf('RegexRouter', { regex: '(.*)ders', replacement: 'x-$1' }).apply(sink(orderValue)) as SinkRecord).topic, 'x-or');
  assert.equal((tf('RegexRouter', { regex: 'nomatch', replacement: 'y' }).apply(sink(orderValue)) as SinkRecord).topic, 'orders');
  assert.equal((tf('TimestampRouter', { 'topic.format': '${topic}_${timestamp}', 'timestamp.format': 'yyyy-MM' }).apply(sink(orderValue)) as SinkRecord).topic, 'orders_2024-01');
});

test('Filter with predicates, header transforms', () => {
  assert.equal(tf('Filter', {}).apply(sink(orderValue)), null);
  assert.equal(pred('TopicNameMatches', { pattern: 'ord.*' }).test(sink(1)), true);
  assert.equal(pred('TopicNameMatches', { pattern: 'ord' }).test(sink(1)), false, 'the whole topic must match');
  assert.equal(pred('HasHeaderKey', { name: 'h1' }).test(sink(1)), true);
  assert.equal(pred('HasHeaderKey', { name: 'nope' }).test(sink(1)), false);
  assert.equal(pred('RecordIsTombstone', {}).test(sink(null)), true);
  assert.equal(pred('RecordIsTombstone', {}).test(sink(1)), false);
  const moved = tf('HeaderFrom$Value', { fields: 'id,name', headers: 'x-id,x-name', operation: 'move' }).apply(sink(orderValue)) as SinkRecord;
  assert.deepEqual(moved.headers.map((h) => [h.key, String(h.value)]), [['h1', 'x'], ['x-id', '7'], ['x-name', 'pen']]);
  assert.deepEqual(moved.valueSchema!.fields!.map((f) => f.name), ['price', 'nested']);
  const dropped = tf('DropHeaders', { headers: 'h1' }).apply(moved) as SinkRecord;
  assert.deepEqual(dropped.headers.map((h) => h.key), ['x-id', 'x-name']);
  const ins = tf('InsertHeader', { header: 'env', 'value.literal': 'prod' }).apply(dropped) as SinkRecord;
  assert.equal(ins.headers.at(-1)!.value, 'prod');
  const src: SourceRecord = { sourcePartition: {}, sourceOffset: {}, topic: 't', value: { a: 1 } };
  assert.deepEqual((tf('SetSchemaMetadata$Value', { 'schema.name': 'x.Y' }).apply({ ...src, valueSchema: S.struct(undefined, { a: S.int32() }) }) as SourceRecord).valueSchema!.name, 'x.Y');
});
