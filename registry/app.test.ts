// The REST API against the in-memory store, through app.inject().
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { buildApp } from './app.ts';
import { loadRegistryConfig } from './config.ts';
import { SchemaRegistry } from './service.ts';
import { MemorySchemaStore } from './store/schema-store.ts';
import type { LogRecord } from './store/records.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

async function setup(t: TestContext, log: LogRecord[] = [], config: Record<string, string> = {}) {
  const registry = new SchemaRegistry(new MemorySchemaStore(log), loadRegistryConfig(config).config);
  await registry.start();
  const app = buildApp({ registry });
  t.after(() => app.close());
  const call = async (method: string, url: string, body?: unknown, contentType = CT) => {
    const res = await app.inject({ method: method as 'GET', url, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': contentType } });
    let json: unknown;
    try { json = res.json(); } catch { json = res.body; }
    return { status: res.statusCode, body: json as any, headers: res.headers };
  };
  return { app, registry, call, log };
}

const avro = (fields: object[], name = 'User') => JSON.stringify({ type: 'record', name, namespace: 'acme', fields });

test('register, same schema gets the same id, other subject reuses the id, versions and lookups', async (t) => {
  const { call } = await setup(t);
  const s1 = avro([{ name: 'id', type: 'long' }]);
  let r = await call('POST', '/subjects/users-value/versions', { schema: s1 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { id: 1 });
  assert.match(String(r.headers['content-type']), /vnd\.schemaregistry\.v1\+json/);
  // whitespace and key order differ: same schema, same id
  const s1b = JSON.stringify({ namespace: 'acme', fields: [{ type: 'long', name: 'id' }], name: 'User', type: 'record' }, null, 2);
  assert.deepEqual((await call('POST', '/subjects/users-value/versions', { schema: s1b })).body, { id: 1 });
  assert.deepEqual((await call('POST', '/subjects/other/versions', { schema: s1 }, 'application/json')).body, { id: 1 });
  const s2 = avro([{ name: 'id', type: 'long' }, { name: 'email', type: ['null', 'string'], default: null }]);
  assert.deepEqual((await call('POST', '/subjects/users-value/versions', { schema: s2 }, 'application/vnd.schemaregistry+json')).body, { id: 2 });
  assert.deepEqual((await call('GET', '/subjects')).body, ['other', 'users-value']);
  assert.deepEqual((await call('GET', '/subjects?subjectPrefix=us')).body, ['users-value']);
  assert.deepEqual((await call('GET', '/subjects/users-value/versions')).body, [1, 2]);
  r = await call('GET', '/subjects/users-value/versions/latest');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.id, 2);
  assert.equal(r.body.schemaType, undefined);
  assert.deepEqual(JSON.parse(r.body.schema), JSON.parse(s2));
  assert.equal((await call('GET', '/subjects/users-value/versions/-1')).body.version, 2);
  assert.deepEqual(JSON.parse((await call('GET', '/subjects/users-value/versions/1/schema')).body === undefined ? '{}' : JSON.stringify((await call('GET', '/subjects/users-value/versions/1/schema')).body)), JSON.parse(s1));
  r = await call('POST', '/subjects/users-value', { schema: s1b });
  assert.deepEqual([r.body.subject, r.body.version, r.body.id], ['users-value', 1, 1]);
  assert.equal((await call('POST', '/subjects/users-value', { schema: avro([{ name: 'x', type: 'int' }]) })).body.error_code, 40403);
  assert.deepEqual((await call('GET', '/schemas/ids/1')).body, { schema: JSON.parse(JSON.stringify((await call('GET', '/schemas/ids/1')).body.schema)) });
  assert.deepEqual((await call('GET', '/schemas/ids/1/versions')).body, [{ subject: 'other', version: 1 }, { subject: 'users-value', version: 1 }]);
  assert.deepEqual((await call('GET', '/schemas/ids/1/subjects')).body, ['other', 'users-value']);
  assert.deepEqual((await call('GET', '/schemas/types')).body, ['JSON', 'PROTOBUF', 'AVRO']);
  assert.deepEqual((await call('GET', '/contexts')).body, ['.']);
});

test('errors have Confluent codes and HTTP status from their first three digits', async (t) => {
  const { call } = await setup(t);
  const cases: [string, string, unknown, number][] = [
    ['GET', '/subjects/nope/versions', undefined, 40401],
    ['GET', '/subjects/nope/versions/1', undefined, 40401],
    ['GET', '/schemas/ids/99', undefined, 40403],
    ['GET', '/subjects/x/versions/0', undefined, 42202],
    ['GET', '/subjects/x/versions/abc', undefined, 42202],
    ['POST', '/subjects/x/versions', { schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}' }, 42201],
    ['POST', '/subjects/x/versions', { schema: '{not json' }, 42201],
    ['POST', '/subjects/x/versions', { schema: '"int"', schemaType: 'XML' }, 42201],
    ['POST', '/subjects/x/versions', {}, 42201],
    ['POST', '/subjects/x/versions', { schema: 'syntax = "proto3"; message M { strin a = 1; }', schemaType: 'PROTOBUF' }, 42201],
    ['POST', '/subjects/x/versions', { schema: '{"type":"object","properties":{"a":{"type":"strin"}}}', schemaType: 'JSON' }, 42201],
    ['POST', '/subjects/x/versions', { schema: '"int"', references: [{ name: 'a', subject: 'missing', version: 1 }] }, 42201],
    ['PUT', '/config', { compatibility: 'SIDEWAYS' }, 42203],
    ['PUT', '/mode', { mode: 'WRITEONLY' }, 42204],
    ['GET', '/config/x', undefined, 40408],
    ['GET', '/mode/x', undefined, 40409],
    ['GET', '/no/such/route', undefined, 404],
    ['GET', '/associations/resources/x/y', undefined, 404],
  ];
  for (const [method, url, body, code] of cases) {
    const r = await call(method, url, body);
    assert.equal(r.body.error_code, code, `${method} ${url} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    assert.equal(r.status, Number(String(code).slice(0, 3)));
    assert.equal(typeof r.body.message, 'string');
  }
  const bad = await call('POST', '/subjects/x/versions', { schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}' });
  assert.match(bad.body.message, /undefined type name: nope/); // the parser's own message
  const malformed = await call('POST', '/subjects/x/versions', '{"schema": ');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error_code, 400);
});

test('a malformed URL gets a Confluent error body', async (t) => {
  const { call } = await setup(t);
  const r = await call('GET', '/subjects/%E0%A4%A/versions');
  assert.equal(r.status, 400);
  assert.equal(r.body.error_code, 400);
  assert.equal(typeof r.body.message, 'string');
});

test('incompatible schema → 409; compatibility endpoint with verbose reasons', async (t) => {
  const { call } = await setup(t);
  await call('POST', '/subjects/s/versions', { schema: avro([{ name: 'id', type: 'long' }]) });
  const bad = avro([{ name: 'id', type: 'long' }, { name: 'email', type: 'string' }]);
  const r = await call('POST', '/subjects/s/versions', { schema: bad });
  assert.equal(r.status, 409);
  assert.equal(r.body.error_code, 409);
  assert.match(r.body.message, /READER_FIELD_MISSING_DEFAULT_VALUE/);
  let c = await call('POST', '/compatibility/subjects/s/versions/latest', { schema: bad });
  assert.deepEqual(c.body, { is_compatible: false });
  c = await call('POST', '/compatibility/subjects/s/versions/latest?verbose=true', { schema: bad });
  assert.equal(c.body.is_compatible, false);
  assert.ok(c.body.messages.some((m: string) => m.includes("'email'")), JSON.stringify(c.body));
  c = await call('POST', '/compatibility/subjects/s/versions?verbose=true', { schema: avro([{ name: 'id', type: 'long' }, { name: 'email', type: 'string', default: '' }]) });
  assert.deepEqual(c.body, { is_compatible: true, messages: [] });
  // latest on an empty subject is compatible; a missing version is 40402
  assert.deepEqual((await call('POST', '/compatibility/subjects/empty/versions/latest', { schema: bad })).body, { is_compatible: true });
  assert.equal((await call('POST', '/compatibility/subjects/s/versions/7', { schema: bad })).body.error_code, 40402);
  // NONE lets anything through
  assert.deepEqual((await call('PUT', '/config/s', { compatibility: 'none' })).body, { compatibility: 'NONE' });
  assert.deepEqual((await call('POST', '/subjects/s/versions', { schema: bad })).body, { id: 2 });
});

test('another schemaType in a subject is incompatible (409), not a 500', async (t) => {
  const { call } = await setup(t);
  await call('POST', '/subjects/mixed/versions', { schemaType: 'JSON', schema: '{"type":"object"}' });
  const r = await call('POST', '/subjects/mixed/versions', { schema: avro([{ name: 'id', type: 'long' }]) });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.match(r.body.message, /different schema type/);
  const c = await call('POST', '/compatibility/subjects/mixed/versions/latest?verbose=true', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { string a = 1; }' });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.is_compatible, false);
});

test('config and mode: global, per subject, defaultToGlobal, delete, READONLY and IMPORT', async (t) => {
  const { call } = await setup(t);
  assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
  assert.deepEqual((await call('PUT', '/config', { compatibility: 'FULL' })).body, { compatibility: 'FULL' });
  assert.deepEqual((await call('GET', '/config/s?defaultToGlobal=true')).body, { compatibilityLevel: 'FULL' });
  await call('PUT', '/config/s', { compatibility: 'FORWARD_TRANSITIVE' });
  assert.deepEqual((await call('GET', '/config/s')).body, { compatibilityLevel: 'FORWARD_TRANSITIVE' });
  assert.deepEqual((await call('DELETE', '/config/s')).body, { compatibilityLevel: 'FORWARD_TRANSITIVE' });
  assert.equal((await call('GET', '/config/s')).body.error_code, 40408);
  assert.deepEqual((await call('DELETE', '/config')).body, { compatibilityLevel: 'FULL' });
  assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });

  assert.deepEqual((await call('GET', '/mode')).body, { mode: 'READWRITE' });
  await call('PUT', '/mode/s', { mode: 'READONLY' });
  assert.deepEqual((await call('GET', '/mode/s')).body, { mode: 'READONLY' });
  assert.equal((await call('POST', '/subjects/s/versions', { schema: '"int"' })).body.error_code, 42205);
  assert.deepEqual((await call('POST', '/subjects/t/versions', { schema: '"int"' })).body, { id: 1 });
  assert.deepEqual((await call('DELETE', '/mode/s')).body, { mode: 'READONLY' });
  assert.deepEqual((await call('POST', '/subjects/s/versions', { schema: '"int"' })).body, { id: 1 });

  // IMPORT: explicit ids, only on an empty registry unless forced
  assert.equal((await call('POST', '/subjects/u/versions', { schema: '"long"', id: 100 })).body.error_code, 42205);
  assert.equal((await call('PUT', '/mode', { mode: 'IMPORT' })).body.error_code, 42205);
  assert.deepEqual((await call('PUT', '/mode?force=true', { mode: 'IMPORT' })).body, { mode: 'IMPORT' });
  assert.deepEqual((await call('POST', '/subjects/u/versions', { schema: '"long"', id: 100, version: 5 })).body, { id: 100 });
  assert.deepEqual((await call('GET', '/subjects/u/versions')).body, [5]);
  await call('PUT', '/mode', { mode: 'READWRITE' });
  assert.deepEqual((await call('POST', '/subjects/v/versions', { schema: '"float"' })).body, { id: 101 });
});

test('soft and permanent deletes follow Confluent\'s order and codes', async (t) => {
  const { call } = await setup(t);
  await call('PUT', '/config', { compatibility: 'NONE' });
  await call('POST', '/subjects/s/versions', { schema: '"int"' });
  await call('POST', '/subjects/s/versions', { schema: '"string"' });
  await call('POST', '/subjects/s/versions', { schema: '"long"' });
  assert.equal((await call('DELETE', '/subjects/s/versions/2?permanent=true')).body.error_code, 40407);
  assert.equal((await call('DELETE', '/subjects/s/versions/2')).body, 2);
  assert.equal((await call('DELETE', '/subjects/s/versions/2')).body.error_code, 40406);
  assert.deepEqual((await call('GET', '/subjects/s/versions')).body, [1, 3]);
  assert.deepEqual((await call('GET', '/subjects/s/versions?deleted=true')).body, [1, 2, 3]);
  assert.equal((await call('GET', '/subjects/s/versions/2')).body.error_code, 40402);
  assert.equal((await call('GET', '/subjects/s/versions/2?deleted=true')).body.version, 2);
  assert.equal((await call('GET', '/schemas/ids/2')).status, 200); // ids stay readable after a soft delete
  assert.equal((await call('DELETE', '/subjects/s/versions/2?permanent=true')).body, 2);
  assert.equal((await call('GET', '/schemas/ids/2')).body.error_code, 40403);
  assert.equal((await call('DELETE', '/subjects/s?permanent=true')).body.error_code, 40405);
  assert.deepEqual((await call('DELETE', '/subjects/s')).body, [1, 3]);
  assert.equal((await call('DELETE', '/subjects/s')).body.error_code, 40404);
  assert.deepEqual((await call('GET', '/subjects')).body, []);
  assert.deepEqual((await call('GET', '/subjects?deleted=true')).body, ['s']);
  assert.deepEqual((await call('DELETE', '/subjects/s?permanent=true')).body, [1, 3]);
  assert.equal((await call('GET', '/subjects/s/versions?deleted=true')).body.error_code, 40401);
  // a re-registered schema starts again at version 1
  await call('POST', '/subjects/s/versions', { schema: '"int"' });
  assert.deepEqual((await call('GET', '/subjects/s/versions')).body, [1]);
});

test('references: Avro named types across subjects, referencedby, and delete protection', async (t) => {
  const { call } = await setup(t);
  const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'acme', fields: [{ name: 'city', type: 'string' }] });
  assert.deepEqual((await call('POST', '/subjects/address/versions', { schema: address })).body, { id: 1 });
  const user = JSON.stringify({ type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'home', type: 'acme.Address' }] });
  const refs = [{ name: 'acme.Address', subject: 'address', version: 1 }];
  assert.equal((await call('POST', '/subjects/user/versions', { schema: user })).body.error_code, 42201);
  assert.deepEqual((await call('POST', '/subjects/user/versions', { schema: user, references: refs })).body, { id: 2 });
  const got = (await call('GET', '/subjects/user/versions/1')).body;
  assert.deepEqual(got.references, refs);
  assert.deepEqual((await call('GET', '/subjects/address/versions/1/referencedby')).body, [2]);
  assert.equal((await call('DELETE', '/subjects/address/versions/1')).body.error_code, 42206);
  assert.equal((await call('DELETE', '/subjects/address')).body.error_code, 42206);
  // JSON Schema and Protobuf references
  await call('POST', '/subjects/geo/versions', { schemaType: 'JSON', schema: '{"type":"object","properties":{"lat":{"type":"number"}}}' });
  const j = await call('POST', '/subjects/place/versions', { schemaType: 'JSON', schema: '{"type":"object","properties":{"at":{"$ref":"geo.json"}}}', references: [{ name: 'geo.json', subject: 'geo', version: 1 }] });
  assert.equal(typeof j.body.id, 'number', JSON.stringify(j.body));
  await call('POST', '/subjects/money.proto/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; package acme; message Money { string currency = 1; int64 units = 2; }' });
  const p = await call('POST', '/subjects/order/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; package acme; import "money.proto"; import "google/protobuf/timestamp.proto"; message Order { Money total = 1; google.protobuf.Timestamp at = 2; }', references: [{ name: 'money.proto', subject: 'money.proto', version: 1 }] });
  assert.equal(typeof p.body.id, 'number', JSON.stringify(p.body));
  const missing = await call('POST', '/subjects/order2/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; import "money.proto"; message O { acme.Money m = 1; }' });
  assert.equal(missing.body.error_code, 42201);
  assert.match(missing.body.message, /money\.proto/);
});

test('Protobuf: text and base64 descriptor register as the same schema; format=serialized round-trips', async (t) => {
  const { call } = await setup(t);
  const text = 'syntax = "proto3";\npackage shop;\n\nmessage Item {\n  string sku = 1;\n  map<string, int32> stock = 2;\n  oneof price { int64 cents = 3; string label = 4; }\n  optional bool gift = 5;\n  enum Kind { UNKNOWN = 0; BOOK = 1; }\n  Kind kind = 6;\n}\n';
  const r1 = await call('POST', '/subjects/item/versions', { schemaType: 'PROTOBUF', schema: text });
  const ser = await call('GET', `/schemas/ids/${r1.body.id}?format=serialized`);
  assert.equal(ser.body.schemaType, 'PROTOBUF');
  assert.match(ser.body.schema, /^[A-Za-z0-9+/]+=*$/);
  const r2 = await call('POST', '/subjects/item/versions', { schemaType: 'PROTOBUF', schema: ser.body.schema });
  assert.deepEqual(r2.body, r1.body);
  const plain = await call('GET', `/schemas/ids/${r1.body.id}`);
  assert.match(plain.body.schema, /message Item/);
  assert.equal((await call('GET', `/subjects/item/versions/1?format=serialized`)).body.schema, ser.body.schema);
});

test('normalize=true: equivalent schemas written differently get one id', async (t) => {
  const { call } = await setup(t);
  const a = JSON.stringify({ type: 'record', name: 'R', namespace: 'n', fields: [{ name: 'x', type: { type: 'record', name: 'Inner', fields: [] } }, { name: 'y', type: 'Inner' }] });
  const b = JSON.stringify({ type: 'record', name: 'n.R', fields: [{ name: 'x', type: { type: 'record', name: 'n.Inner', fields: [] } }, { name: 'y', type: 'n.Inner' }] });
  const r1 = await call('POST', '/subjects/n/versions?normalize=true', { schema: a });
  const r2 = await call('POST', '/subjects/n/versions?normalize=true', { schema: b });
  assert.deepEqual(r2.body, r1.body);
  const j1 = await call('POST', '/subjects/j/versions?normalize=true', { schemaType: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}' });
  const j2 = await call('POST', '/subjects/j/versions?normalize=true', { schemaType: 'JSON', schema: '{"properties":{"b":{"type":"integer"},"a":{"type":"string"}},"type":"object"}' });
  assert.deepEqual(j2.body, j1.body);
  const lookup = await call('POST', '/subjects/j?normalize=true', { schemaType: 'JSON', schema: '{"properties":{"a":{"type":"string"},"b":{"type":"integer"}},"type":"object"}' });
  assert.equal(lookup.body.id, j1.body.id);
});

test('state is rebuilt from the log: a second instance on the same log sees everything', async (t) => {
  const first = await setup(t);
  await first.call('POST', '/subjects/a/versions', { schema: '"int"' });
  await first.call('PUT', '/config/a', { compatibility: 'FULL' });
  await first.call('DELETE', '/subjects/a/versions/1');
  const second = await setup(t, first.log);
  assert.deepEqual((await second.call('GET', '/subjects/a/versions?deleted=true')).body, [1]);
  assert.deepEqual((await second.call('GET', '/config/a')).body, { compatibilityLevel: 'FULL' });
  assert.deepEqual((await second.call('POST', '/subjects/b/versions', { schema: '"string"' })).body, { id: 2 });
  // keys are Confluent's
  assert.deepEqual(JSON.parse(first.log[0].key), { keytype: 'SCHEMA', subject: 'a', version: 1, magic: 1 });
  assert.deepEqual(JSON.parse(first.log[0].value!), { subject: 'a', version: 1, id: 1, schema: '"int"', deleted: false });
});
