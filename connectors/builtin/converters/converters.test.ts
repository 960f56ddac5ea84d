// Converters: JsonConverter envelopes (Kafka's exact JSON), String/ByteArray, and the
// registry converters round-tripping through a running schema registry (memory store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S, Logical, ByteWriter, type Schema } from '../../../plugins/sdk/index.ts';
import { JsonConverter, compiledToText, valueToJson } from './json.ts';
import { StringConverter, ByteArrayConverter } from './simple.ts';
import { AvroConverter, ProtobufConverter, JsonSchemaConverter } from './registry.ts';
import { startRegistry } from '../../../registry/index.ts';
import { decodeWire } from '../../../registry/serde.ts';

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

test('JsonConverter writes a value as text directly: the same JSON as converting it to an object and stringifying that', () => {
  const row = S.struct('r', { id: S.int64(), name: S.string(true), ok: S.boolean(true), f: S.float64(true), n: S.int32(true), d: { type: 'bytes', name: Logical.Decimal, parameters: { scale: '2' }, optional: true }, tags: S.array(S.string(), true), inner: S.struct('i', { x: S.string() }, true) }, true);
  const env = S.struct('e', { before: row, after: row, op: S.string(), ts: S.int64(true) });
  const values: unknown[] = [
    { before: null, after: { id: 1, name: 'a', ok: true, f: 1.5, n: -0, d: '1.20', tags: ['x', 'y'], inner: { x: 'z' } }, op: 'c', ts: 1e21 },
    // repeated strings (the writer remembers the last one) then different ones, escapes, non-finite numbers, bigint, missing fields
    { before: { id: 2n, name: 'a', ok: false, f: NaN, n: 3 }, after: { id: 2 ** 60, name: 'b"\\\n\u2028\ud800', f: Infinity, extra: 'dropped' }, op: 'c' },
    { before: { id: 9007199254740993n }, after: { id: 3 }, op: 'u', ts: undefined },
  ];
  for (const numeric of [false, true]) {
    for (const v of values) assert.equal(compiledToText(env, numeric)(v), JSON.stringify(valueToJson(env, v, numeric), (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
    for (const schemas of ['true', 'false']) {
      const c = new JsonConverter();
      c.configure({ 'schemas.enable': schemas, 'decimal.format': numeric ? 'NUMERIC' : 'BASE64' }, false);
      const j = JSON.parse(c.fromConnectData('t', env, values[0])!.toString());
      // the text a source's runtime takes instead of the bytes: the same JSON, tombstones null
      for (const v of values) assert.equal(c.fromConnectDataText('t', env, v), c.fromConnectData('t', env, v)!.toString('utf8'));
      assert.equal(c.fromConnectDataText('t', null, null), null);
      assert.equal(c.fromConnectDataText('t', null, { k: 'é', n: 1 }), c.fromConnectData('t', null, { k: 'é', n: 1 })!.toString('utf8'));
      assert.deepEqual(schemas === 'true' ? j.payload : j, JSON.parse(JSON.stringify(valueToJson(env, values[0], numeric))));
    }
  }
  // field names that are not identifiers (the writer is generated code reading each field by name)
  const odd = S.struct('odd', { 'a"b': S.string(true), 'c\\d': S.int32(true), é: S.boolean(true), constructor: S.string(true), '\u2028': S.string(true), '0': S.int64(true), 'x y': S.string(true), "'); throw 1; ('": S.string(true) });
  const oddValue = { 'a"b': 'q', 'c\\d': 1, é: true, constructor: 'k', '\u2028': 'ls', '0': 7, 'x y': 's', "'); throw 1; ('": 'z' };
  assert.equal(compiledToText(odd)(oddValue), JSON.stringify(oddValue));
  assert.throws(() => compiledToText(odd)({ 'c\\d': 'no' }), /INT32.*\(field c\\d\)/);
  // errors name the field, as before
  assert.throws(() => compiledToText(env)({ before: null, after: { id: 'no' }, op: 'c' }), /INT64.*\(field id\).*\(field after\)/);
  assert.throws(() => compiledToText(env)({ before: null, after: null, op: null }), /null value for field that is required.*\(field op\)/);
});

test('JsonConverter writes bytes in place (fromConnectDataInto): exactly the UTF-8 of its text, for awkward values too', () => {
  const row = S.struct('r', {
    id: S.int64(), name: S.string(true), ok: S.boolean(true), f: S.float64(true), n: S.int32(true), i8: S.int8(true),
    d: { type: 'bytes', name: Logical.Decimal, parameters: { scale: '2' }, optional: true }, b: S.bytes(true), tags: S.array(S.string(), true),
    m: S.map(S.string(), S.int32(), true), inner: S.struct('i', { x: S.string(), deep: S.struct('d', { y: S.float32(true) }, true) }, true),
    ts: { type: 'int64', name: Logical.Timestamp, optional: true },
  }, true);
  const env = S.struct('e', { before: row, after: row, op: S.string(), ts_ms: S.int64(true) });
  const long = 'x'.repeat(5000) + 'é' + '"'.repeat(3000);
  const values: unknown[] = [
    { before: null, after: { id: 1, name: 'plain', ok: true, f: 1.5, n: -0, i8: -128, d: '1.20', b: Buffer.from([0, 255, 7]), tags: ['x', 'y'], m: { a: 1 }, inner: { x: 'z', deep: { y: 0.1 } }, ts: new Date(1700000000000) }, op: 'c', ts_ms: 1700000000123 },
    // quotes, backslashes, controls, U+2028/2029, non-BMP (a valid pair), lone surrogates, non-ASCII, empty strings
    { before: { id: 2n, name: 'q"uo\\te\n\t\u0000\u001f', ok: false, f: NaN, n: 2147483647 }, after: { id: 2 ** 60, name: '\u2028\u2029 😀 \ud800 \udfff é ü 中', f: Infinity, n: -2147483648, extra: 'dropped' }, op: '' },
    // decimals, big and negative numbers, float text, bigints, nulls, missing fields, nested structs with nulls
    { before: { id: 9007199254740993n, d: '-0.01', f: -1e-7, n: 10 }, after: { id: -3, d: '123456789012345678.99', f: 1e21, n: 999999999, inner: { x: '', deep: null } }, op: 'u', ts_ms: undefined },
    { before: null, after: { id: 4, name: long, tags: [], b: Buffer.alloc(0) }, op: 'd', ts_ms: -1 },
    // long strings with nothing to escape (ASCII, then non-ASCII without surrogates), and with a non-BMP pair; integers past 32 bits
    { before: { id: 12300000001, name: 'w'.repeat(45) + '\ud800', n: 2 ** 31, f: 2 ** 53 - 1 }, after: { id: 10000000000, name: 'y'.repeat(50) + 'é中ü', f: -(2 ** 52), n: 4294967296 }, op: 'y'.repeat(41) + '😀' + 'w'.repeat(45) + '\udc00', ts_ms: -12300000001 },
  ];
  const out = new ByteWriter(64); // grows while writing
  for (const numeric of [false, true]) {
    for (const schemas of ['true', 'false']) {
      const c = new JsonConverter();
      c.configure({ 'schemas.enable': schemas, 'decimal.format': numeric ? 'NUMERIC' : 'BASE64' }, false);
      for (const [schema, v] of [...values.map((v) => [env, v] as const), [null, { k: 'é"\n', n: 1, big: 5n, nested: { a: [1, null] } }] as const, [S.string(), 'a"b'] as const, [S.int64(true), null] as const]) {
        const at = out.pos;
        assert.equal(c.fromConnectDataInto('t', schema, v, out), true);
        assert.equal(out.buf.subarray(at, out.pos).toString('hex'), Buffer.from(c.fromConnectDataText('t', schema, v)!).toString('hex'));
        assert.deepEqual(out.copyFrom(at), c.fromConnectData('t', schema, v));
      }
      // a tombstone: nothing written
      const at = out.pos;
      assert.equal(c.fromConnectDataInto('t', null, null, out), false);
      assert.equal(out.pos, at);
      // errors as the text path's, naming the field
      assert.throws(() => c.fromConnectDataInto('t', env, { before: null, after: { id: 'no' }, op: 'c' }, out), /INT64.*\(field id\).*\(field after\)/);
      assert.throws(() => c.fromConnectDataInto('t', env, { before: null, after: null, op: null }, out), /null value for field that is required.*\(field op\)/);
    }
  }
  // a remembered field's bytes hold its name as written then (with or without the comma): a field before it that has
  // no JSON form (a type valueToJson does not know) is sometimes left out, sometimes written as null
  const gap = S.struct('gap', { a: { type: 'unknown', optional: true } as unknown as Schema, b: S.string(), c: S.int64(), d: S.boolean() });
  const cg = new JsonConverter();
  cg.configure({ 'schemas.enable': 'false' }, false);
  for (let i = 0; i < 40; i++) {
    const v = { a: i % 3 === 0 ? null : 1, b: 'same', c: 1700000000123, d: i % 2 === 0 };
    out.pos = 0;
    cg.fromConnectDataInto('t', gap, v, out);
    assert.equal(out.buf.toString('utf8', 0, out.pos), cg.fromConnectDataText('t', gap, v));
  }
  // records whose fields repeat, change now and then, or every time (the writer copies repeated fields from the last
  // struct it kept, runs of them at once): a seeded random walk over every kind of field, each record as the text path has it
  const mixed = S.struct('m', {
    a: S.string(), b: S.int64(true), c: S.boolean(true), d: S.string(true), e: { type: 'bytes', name: Logical.Decimal, parameters: { scale: '2' }, optional: true },
    f: S.float64(true), g: { type: 'unknown', optional: true } as unknown as Schema, h: S.struct('h', { x: S.string(true) }, true), i: S.int32(true),
  });
  const pick = <T,>(xs: T[], r: number) => xs[Math.floor(r * xs.length)];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nested = { x: 'n' };
  let last: Record<string, unknown> = {};
  const cm = new JsonConverter();
  cm.configure({ 'schemas.enable': 'false' }, false);
  for (let i = 0; i < 3000; i++) {
    const v: Record<string, unknown> = {};
    const changes = rnd() < 0.2;
    const gen: Record<string, () => unknown> = {
      a: () => pick(['s', 'q"', 'é', 'long '.repeat(12)], rnd()), b: () => pick([1, -0, 2 ** 40, null, undefined, 7n], rnd()), c: () => pick([true, false, null], rnd()),
      d: () => pick(['', 'x', null, undefined], rnd()), e: () => pick(['1.20', '-3.00', null], rnd()), f: () => pick([0.5, NaN, -Infinity, 1e21, null], rnd()),
      g: () => pick([null, 1, 'z'], rnd()), h: () => pick([nested, null, { x: null }], rnd()), i: () => (rnd() < 0.5 ? i : 3),
    };
    for (const k of Object.keys(gen)) v[k] = changes || rnd() < 0.1 || !(k in last) ? gen[k]() : last[k];
    if (rnd() < 0.05) nested.x = String(i); // the same nested object, changed: its bytes are not kept
    last = v;
    out.pos = 0;
    cm.fromConnectDataInto('t', mixed, v, out);
    assert.equal(out.buf.toString('utf8', 0, out.pos), cm.fromConnectDataText('t', mixed, v), `record ${i}`);
  }
  // a struct too large to keep: what was kept before is not used
  const large = S.struct('large', { a: S.string(), d: S.string() });
  const big = 'z'.repeat(70000);
  for (const v of [{ a: 'x', d: 'y' }, { a: 'x', d: big }, { a: 'w', d: big }, { a: 'w', d: big }, { a: 'w', d: 'y' }, { a: 'w', d: 'y' }]) {
    out.pos = 0;
    cm.fromConnectDataInto('t', large, v, out);
    assert.equal(out.buf.toString('utf8', 0, out.pos), cm.fromConnectDataText('t', large, v));
  }
  // a throw part way leaves nothing half-kept
  assert.throws(() => cm.fromConnectDataInto('t', mixed, { ...last, a: null }, out), /field a/);
  out.pos = 0;
  cm.fromConnectDataInto('t', mixed, last, out);
  assert.equal(out.buf.toString('utf8', 0, out.pos), cm.fromConnectDataText('t', mixed, last));
  // field names that are not identifiers, written as their JSON
  const odd = S.struct('odd', { 'a"b': S.string(true), 'c\\d': S.int32(true), é: S.boolean(true), constructor: S.string(true), '\u2028': S.string(true), '0': S.int64(true), "'); throw 1; ('": S.string(true) });
  const oddValue = { 'a"b': 'q', 'c\\d': 1, é: true, constructor: 'k', '\u2028': 'ls', '0': 7, "'); throw 1; ('": 'z' };
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false' }, false);
  out.pos = 0;
  c.fromConnectDataInto('t', odd, oddValue, out);
  assert.equal(out.buf.toString('utf8', 0, out.pos), JSON.stringify(oddValue));
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

// A Debezium-style change event: before/after share one struct schema, primitives carry
// io.debezium.* semantic names, and Connect's logical types sit beside them.
const named = (s: Schema, name: string, extra: Partial<Schema> = {}): Schema => ({ ...s, name, version: 1, ...extra });
const rowSchema: Schema = S.struct('shop.public.items.Value', {
  id: S.int32(),
  price: { type: 'bytes', optional: true, name: Logical.Decimal, version: 1, parameters: { scale: '3', 'connect.decimal.precision': '8' } },
  added: named(S.int32(true), 'io.debezium.time.Date'),
  meta: named(S.string(true), 'io.debezium.data.Json'),
  at: named(S.string(true), 'io.debezium.time.ZonedTimestamp'),
  seen: named(S.int64(true), 'io.debezium.time.MicroTimestamp'),
  due: { type: 'int32', optional: true, name: Logical.Date, version: 1 },
  opens: { type: 'int32', optional: false, name: Logical.Time, version: 1 },
  stamped: { type: 'int64', optional: false, name: Logical.Timestamp, version: 1 },
}, true);
const envelopeSchema: Schema = { ...S.struct('shop.public.items.Envelope', {
  before: rowSchema,
  after: rowSchema,
  source: S.struct('io.debezium.connector.postgresql.Source', {
    version: S.string(),
    snapshot: { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, default: 'false', parameters: { allowed: 'true,last,false' } },
  }),
  op: S.string(),
}), version: 2, doc: 'a change event' };
const row = (id: number) => ({
  id, price: '0.125', added: 19782, meta: '{"x": 1}', at: '2024-02-29T12:00:00Z', seen: 1709208000123456,
  due: new Date(Date.UTC(2024, 1, 29)), opens: new Date(9 * 3600_000), stamped: new Date(1709208000123),
});

test('AvroConverter keeps Connect names, versions, parameters and defaults on every type (Confluent\'s connect.* properties)', async (t) => {
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const url = `http://127.0.0.1:${reg.port}`;
  const c = new AvroConverter();
  c.configure({ 'schema.registry.url': url }, false);
  const value = { before: row(1), after: { ...row(1), price: '2.500', added: null, meta: null }, source: { version: '2.5', snapshot: null }, op: 'u' };
  const bytes = (await c.fromConnectData('shop.public.items', envelopeSchema, value))!;

  // the registered schema: connect.* on primitives, Avro logical types, Value defined once and referenced by full name
  const latest = await (await fetch(`${url}/subjects/shop.public.items-value/versions/latest`)).json() as { id: number; schema: string };
  assert.equal(decodeWire(bytes).id, latest.id);
  const avro = JSON.parse(latest.schema);
  assert.equal(avro['connect.name'], 'shop.public.items.Envelope');
  assert.equal(avro['connect.version'], 2);
  assert.equal(avro['connect.doc'], 'a change event');
  const field = (rec: { fields: { name: string; type: unknown }[] }, n: string) => rec.fields.find((f) => f.name === n)!;
  const before = field(avro, 'before').type as [string, { name: string; namespace: string; fields: { name: string; type: unknown }[] }];
  assert.equal(before[0], 'null');
  assert.equal(`${before[1].namespace}.${before[1].name}`, 'shop.public.items.Value');
  assert.deepEqual(field(avro, 'after').type, ['null', 'shop.public.items.Value'], 'after references the Value record by full name');
  assert.doesNotMatch(latest.schema, /Value2/);
  const typeOf = (n: string) => { const ty = field(before[1], n).type; return (Array.isArray(ty) ? ty.find((x) => x !== 'null') : ty) as Record<string, unknown>; };
  assert.deepEqual(typeOf('added'), { type: 'int', 'connect.name': 'io.debezium.time.Date', 'connect.version': 1 });
  assert.deepEqual(typeOf('meta'), { type: 'string', 'connect.name': 'io.debezium.data.Json', 'connect.version': 1 });
  assert.deepEqual(typeOf('at'), { type: 'string', 'connect.name': 'io.debezium.time.ZonedTimestamp', 'connect.version': 1 });
  assert.deepEqual(typeOf('seen'), { type: 'long', 'connect.name': 'io.debezium.time.MicroTimestamp', 'connect.version': 1 });
  assert.deepEqual(typeOf('price'), { type: 'bytes', scale: 3, precision: 8, logicalType: 'decimal', 'connect.name': Logical.Decimal, 'connect.version': 1, 'connect.parameters': { scale: '3', 'connect.decimal.precision': '8' } });
  assert.equal(typeOf('due').logicalType, 'date');
  assert.equal(typeOf('opens').logicalType, 'time-millis');
  assert.equal(typeOf('stamped').logicalType, 'timestamp-millis');
  const snapshot = field(field(avro, 'source').type as never, 'snapshot') as unknown as { type: unknown[]; default: unknown };
  assert.deepEqual(snapshot.type[1], 'null', 'a union with a non-null default puts the type first');
  assert.equal(snapshot.default, 'false');
  assert.equal((snapshot.type[0] as Record<string, unknown>)['connect.default'], 'false');

  // read back: the same Connect schema (names, versions, parameters, defaults, optionality) and values
  const back = await c.toConnectData('shop.public.items', bytes);
  assert.deepEqual(back.schema, envelopeSchema);
  const v = back.value as { before: Record<string, unknown>; after: Record<string, unknown>; source: Record<string, unknown> };
  assert.deepEqual(v.before, row(1));
  assert.equal(v.after.price, '2.500');
  assert.equal(v.after.added, null);
  assert.equal(v.source.snapshot, null);
  assert.equal((v.before.due as Date).toISOString(), '2024-02-29T00:00:00.000Z');
});

test('AvroConverter: unnamed structs are ConnectDefault, ConnectDefault2, …; equal ones share a definition; Avro-native logical types read as Connect\'s', async (t) => {
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const url = `http://127.0.0.1:${reg.port}`;
  const c = new AvroConverter();
  c.configure({ 'schema.registry.url': url }, false);
  const point = S.struct(undefined, { x: S.int8(), y: S.int16() });
  const schema = S.struct(undefined, { a: point, b: S.optional(point), c: S.struct(undefined, { z: S.string() }), m: S.map(S.int32(), S.string()), n: S.map(S.int32(), S.string()) });
  const value = { a: { x: 1, y: 2 }, b: null, c: { z: 'q' }, m: new Map([[1, 'one']]), n: new Map([[2, 'two']]) };
  const bytes = (await c.fromConnectData('points', schema, value))!;
  const avro = JSON.parse((await (await fetch(`${url}/subjects/points-value/versions/latest`)).json() as { schema: string }).schema);
  assert.equal(`${avro.namespace}.${avro.name}`, 'io.confluent.connect.avro.ConnectDefault');
  assert.equal(avro['connect.name'], undefined);
  const [a, b, cc, m, n] = avro.fields;
  assert.equal(`${a.type.namespace}.${a.type.name}`, 'io.confluent.connect.avro.ConnectDefault2');
  assert.deepEqual(b.type, ['null', 'io.confluent.connect.avro.ConnectDefault2'], 'an equal struct (optional or not) is referenced');
  assert.equal(`${cc.type.namespace}.${cc.type.name}`, 'io.confluent.connect.avro.ConnectDefault3');
  assert.equal(m.type.items.name, 'MapEntry');
  assert.equal(n.type.items, 'io.confluent.connect.avro.MapEntry');
  const back = await c.toConnectData('points', bytes);
  assert.deepEqual(back.schema, JSON.parse(JSON.stringify({ ...schema, optional: false })), 'no name (S.struct(undefined) leaves name: undefined)');
  assert.deepEqual(back.value, value);

  // an Avro schema written by another producer: logical types without connect.* properties
  const { id } = await (await fetch(`${url}/subjects/native-value/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'N', namespace: 'x', fields: [
    { name: 'd', type: { type: 'int', logicalType: 'date' } }, { name: 'amt', type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 } },
  ] }) }) })).json() as { id: number };
  const { RegistrySerde } = await import('../../../registry/serde.ts');
  const { HttpRegistryClient } = await import('../../../registry/client.ts');
  const serde = new RegistrySerde(new HttpRegistryClient(url));
  const framed = await serde.encode(id, { d: 19782, amt: Buffer.from([0x04, 0xd2]) });
  const nat = await c.toConnectData('native', framed);
  assert.deepEqual(nat.schema!.fields!.map((f) => [f.schema.name, f.schema.parameters]), [[Logical.Date, undefined], [Logical.Decimal, { scale: '2', 'connect.decimal.precision': '5' }]]);
  assert.deepEqual(nat.value, { d: new Date(Date.UTC(2024, 1, 29)), amt: '12.34' });
});
