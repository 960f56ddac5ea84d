// Table-driven compatibility: each row is (writer/old, reader/new, expected issues),
// drawn from Avro's schema resolution rules and the peers' public compatibility suites.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkCompatibility, FORMATS, type SchemaType } from './index.ts';

type Row = [name: string, type: SchemaType, oldSchema: string, newSchema: string, backward: string[]];

const rec = (fields: object[], extra: object = {}) => JSON.stringify({ type: 'record', name: 'R', namespace: 'ns', fields, ...extra });
const js = (o: object) => JSON.stringify(o);
const proto = (body: string, pkg = 'p') => `syntax = "proto3";\npackage ${pkg};\n${body}`;

// backward = can the NEW schema read data written with the OLD one; [] = compatible
const ROWS: Row[] = [
  // Avro
  ['avro: add field with default', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string', default: '' }]), []],
  ['avro: add field without default', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]), ['READER_FIELD_MISSING_DEFAULT_VALUE']],
  ['avro: remove field', 'AVRO', rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]), rec([{ name: 'a', type: 'int' }]), []],
  ['avro: promote int→long', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'long' }]), []],
  ['avro: promote long→double', 'AVRO', rec([{ name: 'a', type: 'long' }]), rec([{ name: 'a', type: 'double' }]), []],
  ['avro: promote float→double', 'AVRO', rec([{ name: 'a', type: 'float' }]), rec([{ name: 'a', type: 'double' }]), []],
  ['avro: demote long→int', 'AVRO', rec([{ name: 'a', type: 'long' }]), rec([{ name: 'a', type: 'int' }]), ['TYPE_MISMATCH']],
  ['avro: string↔bytes', 'AVRO', rec([{ name: 'a', type: 'string' }]), rec([{ name: 'a', type: 'bytes' }]), []],
  ['avro: int→string', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'string' }]), ['TYPE_MISMATCH']],
  ['avro: rename field with alias', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'b', type: 'int', aliases: ['a'] }]), []],
  ['avro: rename field without alias', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'b', type: 'int' }]), ['READER_FIELD_MISSING_DEFAULT_VALUE']],
  ['avro: record renamed', 'AVRO', rec([]), JSON.stringify({ type: 'record', name: 'Other', fields: [] }), ['NAME_MISMATCH']],
  ['avro: record renamed with alias', 'AVRO', rec([]), JSON.stringify({ type: 'record', name: 'Other', aliases: ['ns.R'], fields: [] }), []],
  ['avro: namespace change only (unqualified names match)', 'AVRO', rec([]), JSON.stringify({ type: 'record', name: 'R', namespace: 'other', fields: [] }), []],
  ['avro: enum symbol added', 'AVRO', js({ type: 'enum', name: 'E', symbols: ['A'] }), js({ type: 'enum', name: 'E', symbols: ['A', 'B'] }), []],
  ['avro: enum symbol removed', 'AVRO', js({ type: 'enum', name: 'E', symbols: ['A', 'B'] }), js({ type: 'enum', name: 'E', symbols: ['A'] }), ['MISSING_ENUM_SYMBOLS']],
  ['avro: enum symbol removed, reader default', 'AVRO', js({ type: 'enum', name: 'E', symbols: ['A', 'B'] }), js({ type: 'enum', name: 'E', symbols: ['A'], default: 'A' }), []],
  ['avro: fixed size change', 'AVRO', js({ type: 'fixed', name: 'F', size: 4 }), js({ type: 'fixed', name: 'F', size: 8 }), ['FIXED_SIZE_MISMATCH']],
  ['avro: type → union containing it', 'AVRO', rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: ['null', 'int'] }]), []],
  ['avro: union → single type', 'AVRO', rec([{ name: 'a', type: ['null', 'int'] }]), rec([{ name: 'a', type: 'int' }]), ['TYPE_MISMATCH']],
  ['avro: union branch removed', 'AVRO', rec([{ name: 'a', type: ['null', 'int', 'string'] }]), rec([{ name: 'a', type: ['null', 'int'] }]), ['MISSING_UNION_BRANCH']],
  ['avro: union branch added', 'AVRO', rec([{ name: 'a', type: ['null', 'int'] }]), rec([{ name: 'a', type: ['null', 'int', 'string'] }]), []],
  ['avro: union int promoted into long branch', 'AVRO', rec([{ name: 'a', type: ['null', 'int'] }]), rec([{ name: 'a', type: ['null', 'long'] }]), []],
  ['avro: array items promoted', 'AVRO', js({ type: 'array', items: 'int' }), js({ type: 'array', items: 'long' }), []],
  ['avro: map values changed', 'AVRO', js({ type: 'map', values: 'string' }), js({ type: 'map', values: 'int' }), ['TYPE_MISMATCH']],
  ['avro: recursive record unchanged', 'AVRO', js({ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] }), js({ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] }), []],
  ['avro: nested field added without default', 'AVRO', rec([{ name: 'in', type: { type: 'record', name: 'In', fields: [] } }]), rec([{ name: 'in', type: { type: 'record', name: 'In', fields: [{ name: 'x', type: 'int' }] } }]), ['READER_FIELD_MISSING_DEFAULT_VALUE']],
  // JSON Schema
  ['json: add property to open model', 'JSON', js({ type: 'object', properties: { a: { type: 'string' } } }), js({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } }), ['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL']],
  ['json: add property to closed model', 'JSON', js({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }), js({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, additionalProperties: false }), []],
  ['json: remove property from open model', 'JSON', js({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } }), js({ type: 'object', properties: { a: { type: 'string' } } }), []],
  ['json: remove property from closed model', 'JSON', js({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, additionalProperties: false }), js({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }), ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL']],
  ['json: required added', 'JSON', js({ type: 'object', properties: { a: { type: 'string' } } }), js({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }), ['REQUIRED_ATTRIBUTE_ADDED']],
  ['json: required removed', 'JSON', js({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }), js({ type: 'object', properties: { a: { type: 'string' } } }), []],
  ['json: type narrowed number→integer', 'JSON', js({ type: 'number' }), js({ type: 'integer' }), ['TYPE_NARROWED']],
  ['json: type widened integer→number', 'JSON', js({ type: 'integer' }), js({ type: 'number' }), []],
  ['json: type changed', 'JSON', js({ type: 'string' }), js({ type: 'boolean' }), ['TYPE_CHANGED']],
  ['json: type union widened', 'JSON', js({ type: 'string' }), js({ type: ['string', 'null'] }), []],
  ['json: maxLength added', 'JSON', js({ type: 'string' }), js({ type: 'string', maxLength: 5 }), ['MAX_LENGTH_ADDED']],
  ['json: maxLength increased', 'JSON', js({ type: 'string', maxLength: 5 }), js({ type: 'string', maxLength: 9 }), []],
  ['json: minimum increased', 'JSON', js({ type: 'number', minimum: 0 }), js({ type: 'number', minimum: 1 }), ['MINIMUM_INCREASED']],
  ['json: enum extended', 'JSON', js({ enum: ['a', 'b'] }), js({ enum: ['a', 'b', 'c'] }), []],
  ['json: enum narrowed', 'JSON', js({ enum: ['a', 'b'] }), js({ enum: ['a'] }), ['ENUM_ARRAY_NARROWED']],
  ['json: additionalProperties closed', 'JSON', js({ type: 'object' }), js({ type: 'object', additionalProperties: false }), ['ADDITIONAL_PROPERTIES_REMOVED']],
  ['json: items type changed', 'JSON', js({ type: 'array', items: { type: 'string' } }), js({ type: 'array', items: { type: 'integer' } }), ['TYPE_CHANGED']],
  ['json: oneOf extended', 'JSON', js({ oneOf: [{ type: 'string' }] }), js({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), []],
  ['json: oneOf narrowed', 'JSON', js({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), js({ oneOf: [{ type: 'string' }] }), ['COMBINED_TYPE_SUBSCHEMAS_CHANGED']],
  ['json: local $ref followed', 'JSON', js({ definitions: { A: { type: 'string' } }, type: 'object', properties: { a: { $ref: '#/definitions/A' } }, additionalProperties: false }), js({ definitions: { A: { type: 'integer' } }, type: 'object', properties: { a: { $ref: '#/definitions/A' } }, additionalProperties: false }), ['TYPE_CHANGED']],
  // Protobuf (Confluent's rules)
  ['proto: add field', 'PROTOBUF', proto('message M { string a = 1; }'), proto('message M { string a = 1; int32 b = 2; }'), []],
  ['proto: remove field', 'PROTOBUF', proto('message M { string a = 1; int32 b = 2; }'), proto('message M { string a = 1; }'), []],
  ['proto: rename field (number is identity)', 'PROTOBUF', proto('message M { string a = 1; }'), proto('message M { string z = 1; }'), []],
  ['proto: int32→int64 (same wire group)', 'PROTOBUF', proto('message M { int32 a = 1; }'), proto('message M { int64 a = 1; }'), []],
  ['proto: string↔bytes', 'PROTOBUF', proto('message M { string a = 1; }'), proto('message M { bytes a = 1; }'), []],
  ['proto: int32→sint32', 'PROTOBUF', proto('message M { int32 a = 1; }'), proto('message M { sint32 a = 1; }'), ['FIELD_SCALAR_KIND_CHANGED']],
  ['proto: string→int32', 'PROTOBUF', proto('message M { string a = 1; }'), proto('message M { int32 a = 1; }'), ['FIELD_SCALAR_KIND_CHANGED']],
  ['proto: scalar→message', 'PROTOBUF', proto('message M { int32 a = 1; } message N {}'), proto('message M { N a = 1; } message N {}'), ['FIELD_KIND_CHANGED']],
  ['proto: message type changed', 'PROTOBUF', proto('message M { A a = 1; } message A {} message B {}'), proto('message M { B a = 1; } message A {} message B {}'), ['FIELD_NAMED_TYPE_CHANGED']],
  ['proto: message removed', 'PROTOBUF', proto('message M { int32 a = 1; } message N {}'), proto('message M { int32 a = 1; }'), ['MESSAGE_REMOVED']],
  ['proto: package changed', 'PROTOBUF', proto('message M { int32 a = 1; }'), proto('message M { int32 a = 1; }', 'q'), ['PACKAGE_CHANGED']],
  ['proto: field moved into new oneof', 'PROTOBUF', proto('message M { int32 a = 1; }'), proto('message M { oneof o { int32 a = 1; } }'), []],
  ['proto: two fields moved into new oneof', 'PROTOBUF', proto('message M { int32 a = 1; string b = 2; }'), proto('message M { oneof o { int32 a = 1; string b = 2; } }'), ['MULTIPLE_FIELDS_MOVED_TO_ONEOF']],
  ['proto: field moved into existing oneof', 'PROTOBUF', proto('message M { int32 a = 1; oneof o { string b = 2; } }'), proto('message M { oneof o { string b = 2; int32 a = 1; } }'), ['FIELD_MOVED_TO_EXISTING_ONEOF']],
  ['proto: repeated→singular (numeric)', 'PROTOBUF', proto('message M { repeated int32 a = 1; }'), proto('message M { int32 a = 1; }'), ['FIELD_NUMERIC_LABEL_CHANGED']],
  // stricter than Confluent (which only compares the label's scalar group): data written without the field would not parse
  ['proto2: existing field becomes required', 'PROTOBUF', 'syntax = "proto2";\npackage p;\nmessage M { optional string a = 1; }', 'syntax = "proto2";\npackage p;\nmessage M { required string a = 1; }', ['REQUIRED_FIELD_ADDED']],
  ['proto: enum value added', 'PROTOBUF', proto('enum E { A = 0; } message M { E e = 1; }'), proto('enum E { A = 0; B = 1; } message M { E e = 1; }'), []],
];

for (const [name, type, oldS, newS, expected] of ROWS) {
  test(name, () => {
    const f = FORMATS[type];
    const o = f.parse(oldS);
    const n = f.parse(newS);
    const issues = f.checkReadable(n, o).map((i) => i.errorType);
    assert.deepEqual([...new Set(issues)], expected, JSON.stringify(f.checkReadable(n, o), null, 1));
  });
}

test('levels: FORWARD swaps the check, FULL does both, transitive checks every version', () => {
  const f = FORMATS.AVRO;
  const v1 = f.parse(rec([{ name: 'a', type: 'int' }]));
  const v2 = f.parse(rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }]));
  const v3noDefault = f.parse(rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }]));
  const prev = [{ version: 2, schema: v2 }, { version: 1, schema: v1 }];
  // v3 (b without default) reads v2 data (has b), not v1 data
  assert.equal(checkCompatibility(f, 'BACKWARD', v3noDefault, prev).compatible, true);
  assert.equal(checkCompatibility(f, 'BACKWARD_TRANSITIVE', v3noDefault, prev).compatible, false);
  // adding a field without default: old readers can read new data (forward), new cannot read old
  assert.equal(checkCompatibility(f, 'FORWARD', v3noDefault, [{ version: 1, schema: v1 }]).compatible, true);
  assert.equal(checkCompatibility(f, 'FULL', v3noDefault, [{ version: 1, schema: v1 }]).compatible, false);
  assert.equal(checkCompatibility(f, 'NONE', v3noDefault, [{ version: 1, schema: v1 }]).compatible, true);
  const r = checkCompatibility(f, 'FULL_TRANSITIVE', v3noDefault, prev);
  assert.ok(r.messages.some((m) => m.includes('READER_FIELD_MISSING_DEFAULT_VALUE') && m.includes("'b'")));
  assert.ok(r.messages.includes('{oldSchemaVersion: 1}'));
  assert.ok(r.messages.includes("{compatibility: 'FULL_TRANSITIVE'}"));
});
