// Case table for the JSON Schema and Protobuf rule families where Confluent's rules
// are easy to get wrong. Each row: (original, update, BACKWARD compatible?, FORWARD
// compatible?) under Confluent's documented rules (strict JSON Schema policy); the
// test checks BACKWARD, FORWARD (the check with the schemas swapped) and FULL (both)
// through the level logic the registry uses.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkCompatibility, FORMATS, type ResolvedReference, type SchemaType } from './index.ts';

interface Case {
  family: string;
  name: string;
  type: SchemaType;
  original: string;
  update: string;
  backward: boolean;
  forward: boolean;
  /** For Protobuf imports: references of each side. */
  refs?: { original: ResolvedReference[]; update: ResolvedReference[] };
}

const js = (o: object) => JSON.stringify(o);
const proto = (body: string) => `syntax = "proto3";\npackage shop;\n${body}`;
const proto2 = (body: string) => `syntax = "proto2";\npackage shop;\n${body}`;
const ref = (name: string, schema: string): ResolvedReference => ({ name, subject: name, version: 1, schemaType: 'PROTOBUF', schema, references: [] });

const str = { type: 'string' };
const num = { type: 'number' };
const obj = (properties: object, extra: object = {}) => ({ type: 'object', properties, ...extra });
const closed = { additionalProperties: false };

const CASES: Case[] = [
  // --- JSON Schema: enum ---------------------------------------------------
  { family: 'json enum', name: 'values added (extended)', type: 'JSON', original: js({ enum: ['a', 'b'] }), update: js({ enum: ['a', 'b', 'c'] }), backward: true, forward: false },
  { family: 'json enum', name: 'values removed (narrowed)', type: 'JSON', original: js({ enum: ['a', 'b', 'c'] }), update: js({ enum: ['a', 'b'] }), backward: false, forward: true },
  { family: 'json enum', name: 'values replaced (neither)', type: 'JSON', original: js({ enum: ['a', 'b'] }), update: js({ enum: ['b', 'c'] }), backward: false, forward: false },
  { family: 'json enum', name: 'enum added beside a type', type: 'JSON', original: js(str), update: js({ ...str, enum: ['x'] }), backward: false, forward: true },
  { family: 'json enum', name: 'enum removed beside a type', type: 'JSON', original: js({ ...str, enum: ['x'] }), update: js(str), backward: true, forward: false },
  { family: 'json enum', name: 'enum as an allOf member, extended and reordered', type: 'JSON', original: js({ allOf: [str, { enum: ['red'] }] }), update: js({ allOf: [{ enum: ['red', 'blue'] }, str] }), backward: true, forward: false },
  { family: 'json enum', name: 'enum as an allOf member, replaced', type: 'JSON', original: js({ allOf: [str, { enum: ['red'] }] }), update: js({ allOf: [str, { enum: ['blue'] }] }), backward: false, forward: false },
  { family: 'json enum', name: 'property enum extended in a closed model', type: 'JSON', original: js(obj({ c: { enum: ['r', 'g'] } }, closed)), update: js(obj({ c: { enum: ['r', 'g', 'b'] } }, closed)), backward: true, forward: false },

  // --- JSON Schema: allOf members -------------------------------------------
  { family: 'json allOf', name: 'member added', type: 'JSON', original: js({ allOf: [str] }), update: js({ allOf: [str, { maxLength: 5 }] }), backward: false, forward: true },
  { family: 'json allOf', name: 'member removed', type: 'JSON', original: js({ allOf: [str, { maxLength: 5 }] }), update: js({ allOf: [str] }), backward: true, forward: false },
  { family: 'json allOf', name: 'members reordered and duplicated', type: 'JSON', original: js({ allOf: [str, { maxLength: 5 }] }), update: js({ allOf: [{ maxLength: 5 }, str, str] }), backward: true, forward: true },
  { family: 'json allOf', name: 'plain schema wrapped in a one-member allOf', type: 'JSON', original: js(obj({ p: str })), update: js(obj({ p: { allOf: [str] } })), backward: true, forward: true },
  { family: 'json allOf', name: 'one-member allOf becomes anyOf with another branch', type: 'JSON', original: js(obj({ p: { allOf: [str] } })), update: js(obj({ p: { anyOf: [num, str] } })), backward: true, forward: false },
  { family: 'json allOf', name: 'members that contradict accept nothing', type: 'JSON', original: js(obj({ p: str })), update: js(obj({ p: { allOf: [num, str] } })), backward: false, forward: true },
  { family: 'json allOf', name: 'member changed type', type: 'JSON', original: js({ allOf: [{ enum: ['one', 'two'] }, str, { maxLength: 5 }] }), update: js({ allOf: [{ maxLength: 5 }, { enum: ['one', 'two'] }, num] }), backward: false, forward: false },

  // --- JSON Schema: the required array ----------------------------------------
  { family: 'json required', name: 'listed property becomes required', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str }, { required: ['a'] })), backward: false, forward: true },
  { family: 'json required', name: 'required removed', type: 'JSON', original: js(obj({ a: str }, { required: ['a'] })), update: js(obj({ a: str })), backward: true, forward: false },
  { family: 'json required', name: 'required added for a property with a default', type: 'JSON', original: js(obj({ a: { ...str, default: '' } })), update: js(obj({ a: { ...str, default: '' } }, { required: ['a'] })), backward: true, forward: true },
  { family: 'json required', name: 'required moved to a name not listed in properties', type: 'JSON', original: js(obj({ a: str }, { required: ['a'] })), update: js(obj({ a: str }, { required: ['b'] })), backward: true, forward: false },
  { family: 'json required', name: 'new required property in a closed model', type: 'JSON', original: js(obj({ a: str }, closed)), update: js(obj({ a: str, b: str }, { ...closed, required: ['b'] })), backward: false, forward: false },
  { family: 'json required', name: 'new required property with a default in a closed model', type: 'JSON', original: js(obj({ a: str }, closed)), update: js(obj({ a: str, b: { ...str, default: 'x' } }, { ...closed, required: ['b'] })), backward: true, forward: false },
  { family: 'json required', name: 'new required property in an open model', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str, b: str }, { required: ['b'] })), backward: false, forward: true },

  // --- JSON Schema: content models -------------------------------------------
  { family: 'json content model', name: 'property with schema false added to a closed model', type: 'JSON', original: js(obj({ a: str }, closed)), update: js(obj({ a: str, b: false }, closed)), backward: true, forward: true },
  { family: 'json content model', name: 'property with schema false added to an open model', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str, b: false })), backward: false, forward: true },
  { family: 'json content model', name: 'property with schema false removed from a closed model', type: 'JSON', original: js(obj({ a: str, b: false }, closed)), update: js(obj({ a: str }, closed)), backward: true, forward: true },
  { family: 'json content model', name: 'optional property added to a closed model', type: 'JSON', original: js(obj({ a: str }, closed)), update: js(obj({ a: str, b: num }, closed)), backward: true, forward: false },
  { family: 'json content model', name: 'property removed from a closed model', type: 'JSON', original: js(obj({ a: str, b: num }, closed)), update: js(obj({ a: str }, closed)), backward: false, forward: true },
  { family: 'json content model', name: 'property added to an open model', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str, b: num })), backward: false, forward: true },
  { family: 'json content model', name: 'property with an empty schema added to an open model', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str, b: {} })), backward: true, forward: true },
  { family: 'json content model', name: 'property removed from an open model', type: 'JSON', original: js(obj({ a: str, b: num })), update: js(obj({ a: str })), backward: true, forward: false },
  { family: 'json content model', name: 'model closed', type: 'JSON', original: js(obj({ a: str })), update: js(obj({ a: str }, closed)), backward: false, forward: true },
  { family: 'json content model', name: 'partially open: added property fits additionalProperties', type: 'JSON', original: js(obj({ a: str }, { additionalProperties: str })), update: js(obj({ a: str, b: str }, { additionalProperties: str })), backward: true, forward: true },
  { family: 'json content model', name: 'partially open: added property does not fit additionalProperties', type: 'JSON', original: js(obj({ a: str }, { additionalProperties: str })), update: js(obj({ a: str, b: num }, { additionalProperties: str })), backward: false, forward: false },
  { family: 'json content model', name: 'partially open: removed property covered by additionalProperties', type: 'JSON', original: js(obj({ a: str, b: str }, closed)), update: js(obj({ a: str }, { additionalProperties: { anyOf: [{ type: 'null' }, str] } })), backward: true, forward: false },
  { family: 'json content model', name: 'partially open: removed property covered by patternProperties', type: 'JSON', original: js(obj({ I_1: { type: 'integer' } }, closed)), update: js(obj({}, { ...closed, patternProperties: { '^I_': num } })), backward: true, forward: false },
  { family: 'json content model', name: 'partially open: removed property not covered by patternProperties', type: 'JSON', original: js(obj({ S_1: num }, closed)), update: js(obj({}, { ...closed, patternProperties: { '^S_': str } })), backward: false, forward: false },
  { family: 'json content model', name: 'tuple item added to a closed array (2020-12)', type: 'JSON', original: js({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [str], items: false }), update: js({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [str, num], items: false }), backward: true, forward: false },
  { family: 'json content model', name: 'tuple item added, not covered by items (2020-12)', type: 'JSON', original: js({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [str], items: str }), update: js({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [str, num], items: str }), backward: false, forward: false },

  // --- Protobuf: oneofs --------------------------------------------------------
  { family: 'proto oneof', name: 'member removed from a surviving oneof', type: 'PROTOBUF', original: proto('message M { oneof o { string a = 1; int32 b = 2; int64 c = 3; } }'), update: proto('message M { oneof o { string a = 1; int32 b = 2; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'whole oneof removed', type: 'PROTOBUF', original: proto('message M { oneof o { string a = 1; int32 b = 2; } string c = 3; }'), update: proto('message M { string c = 3; }'), backward: true, forward: true },
  { family: 'proto oneof', name: 'member added', type: 'PROTOBUF', original: proto('message M { oneof o { string a = 1; } }'), update: proto('message M { oneof o { string a = 1; int32 b = 2; } }'), backward: true, forward: false },
  { family: 'proto oneof', name: 'one field moved into a new oneof', type: 'PROTOBUF', original: proto('message M { string a = 1; string b = 2; }'), update: proto('message M { string a = 1; oneof o { string b = 2; } }'), backward: true, forward: true },
  { family: 'proto oneof', name: 'two fields moved into a new oneof', type: 'PROTOBUF', original: proto('message M { string a = 1; string b = 2; }'), update: proto('message M { oneof o { string a = 1; string b = 2; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'field moved into an existing oneof', type: 'PROTOBUF', original: proto('message M { string a = 1; oneof o { string b = 2; } }'), update: proto('message M { oneof o { string a = 1; string b = 2; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'field moved into the oneof while it is renamed', type: 'PROTOBUF', original: proto('message M { string a = 1; oneof o { string b = 2; string c = 3; } }'), update: proto('message M { oneof o2 { string a = 1; string b = 2; string c = 3; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'field moved between two oneofs', type: 'PROTOBUF', original: proto('message M { oneof x { int32 a = 1; int32 b = 2; } oneof y { int32 c = 3; } }'), update: proto('message M { oneof x { int32 a = 1; } oneof y { int32 c = 3; int32 b = 2; } }'), backward: false, forward: false },
  { family: 'proto oneof', name: 'two oneofs merged into a new one', type: 'PROTOBUF', original: proto('message M { oneof x { int32 a = 1; } oneof y { int32 b = 2; } }'), update: proto('message M { oneof z { int32 a = 1; int32 b = 2; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'oneof renamed, same members', type: 'PROTOBUF', original: proto('message M { oneof x { float a = 1; int32 b = 2; } }'), update: proto('message M { oneof y { float a = 1; int32 b = 2; } }'), backward: true, forward: true },
  { family: 'proto oneof', name: 'oneof renamed while a member is dropped', type: 'PROTOBUF', original: proto('message M { oneof g { int32 a = 1; int32 b = 2; } }'), update: proto('message M { oneof g2 { int32 a = 1; } }'), backward: false, forward: true },
  { family: 'proto oneof', name: 'member type changed while the oneof is renamed', type: 'PROTOBUF', original: proto('message M { oneof x { float a = 1; int32 b = 2; } }'), update: proto('message M { oneof y { float a = 1; string b = 2; } }'), backward: false, forward: false },
  { family: 'proto oneof', name: 'member moved out to top level', type: 'PROTOBUF', original: proto('message M { oneof x { int32 a = 1; int32 b = 2; } }'), update: proto('message M { oneof x { int32 a = 1; } int32 b = 2; }'), backward: true, forward: false },

  // --- Protobuf: repeated <-> singular ------------------------------------------
  { family: 'proto label', name: 'optional string becomes repeated', type: 'PROTOBUF', original: proto('message M { optional string s = 1; }'), update: proto('message M { repeated string s = 1; }'), backward: true, forward: true },
  { family: 'proto label', name: 'repeated bytes becomes singular', type: 'PROTOBUF', original: proto('message M { repeated bytes b = 1; }'), update: proto('message M { bytes b = 1; }'), backward: true, forward: true },
  { family: 'proto label', name: 'message field becomes repeated', type: 'PROTOBUF', original: proto('message M { optional N n = 1; } message N { string x = 1; }'), update: proto('message M { repeated N n = 1; } message N { string x = 1; }'), backward: true, forward: true },
  { family: 'proto label', name: 'optional int32 becomes repeated', type: 'PROTOBUF', original: proto('message M { optional int32 i = 1; }'), update: proto('message M { repeated int32 i = 1; }'), backward: false, forward: false },
  { family: 'proto label', name: 'repeated double becomes optional', type: 'PROTOBUF', original: proto('message M { repeated double d = 1; }'), update: proto('message M { optional double d = 1; }'), backward: false, forward: false },
  { family: 'proto label', name: 'enum field becomes repeated (numeric)', type: 'PROTOBUF', original: proto('enum E { A = 0; } message M { optional E e = 1; }'), update: proto('enum E { A = 0; } message M { repeated E e = 1; }'), backward: false, forward: false },
  { family: 'proto label', name: 'proto2 optional string becomes repeated', type: 'PROTOBUF', original: proto2('message M { optional string s = 1; }'), update: proto2('message M { repeated string s = 1; }'), backward: true, forward: true },

  // --- Protobuf: kinds and types --------------------------------------------------
  { family: 'proto type', name: 'bytes becomes a message', type: 'PROTOBUF', original: proto('message M { bytes b = 1; } message N {}'), update: proto('message M { N b = 1; } message N {}'), backward: false, forward: false },
  { family: 'proto type', name: 'int32 becomes an enum', type: 'PROTOBUF', original: proto('message M { int32 e = 1; }'), update: proto('enum E { A = 0; } message M { E e = 1; }'), backward: true, forward: true },
  { family: 'proto type', name: 'int32 becomes sint32', type: 'PROTOBUF', original: proto('message M { int32 i = 1; }'), update: proto('message M { sint32 i = 1; }'), backward: false, forward: false },
  {
    family: 'proto type', name: 'imported message changed incompatibly', type: 'PROTOBUF',
    original: 'syntax = "proto3";\npackage shop;\nimport "dev.proto";\nmessage M { acme.Device d = 1; }',
    update: 'syntax = "proto3";\npackage shop;\nimport "dev2.proto";\nmessage M { acme.Device d = 1; }',
    refs: { original: [ref('dev.proto', 'syntax = "proto3"; package acme; message Device { int32 id = 1; }')], update: [ref('dev2.proto', 'syntax = "proto3"; package acme; message Device { string id = 1; }')] },
    backward: false, forward: false,
  },
  {
    family: 'proto type', name: 'imported message moves to another package', type: 'PROTOBUF',
    original: 'syntax = "proto3";\npackage shop;\nimport "dev.proto";\nmessage M { acme.Device d = 1; }',
    update: 'syntax = "proto3";\npackage shop;\nimport "dev2.proto";\nmessage M { other.Device d = 1; }',
    refs: { original: [ref('dev.proto', 'syntax = "proto3"; package acme; message Device { int32 id = 1; }')], update: [ref('dev2.proto', 'syntax = "proto3"; package other; message Device { int32 id = 1; bool on = 2; }')] },
    backward: true, forward: true,
  },
];

for (const c of CASES) {
  test(`${c.family}: ${c.name}`, () => {
    const f = FORMATS[c.type];
    const original = f.parse(c.original, c.refs?.original ?? []);
    const update = f.parse(c.update, c.refs?.update ?? []);
    const prev = [{ version: 1, schema: original }];
    const level = (l: 'BACKWARD' | 'FORWARD' | 'FULL') => checkCompatibility(f, l, update, prev);
    const backward = level('BACKWARD');
    assert.equal(backward.compatible, c.backward, `BACKWARD: ${JSON.stringify(backward.messages, null, 1)}`);
    const forward = level('FORWARD');
    assert.equal(forward.compatible, c.forward, `FORWARD: ${JSON.stringify(forward.messages, null, 1)}`);
    assert.equal(level('FULL').compatible, c.backward && c.forward, 'FULL = BACKWARD and FORWARD');
  });
}

test('messages name the new and the old schema the way Confluent does', () => {
  const f = FORMATS.JSON;
  const original = f.parse(js(obj({ a: str }, closed)));
  const update = f.parse(js(obj({}, closed)));
  const back = checkCompatibility(f, 'BACKWARD', update, [{ version: 3, schema: original }]);
  assert.equal(back.compatible, false);
  assert.match(back.messages[0], /^\{errorType:'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', description:'The new schema has a closed content model and is missing the property at path '#\/properties\/a' that the old schema has'/);
  assert.ok(back.messages.includes('{oldSchemaVersion: 3}'));
  // the same change read the other way round: the old schema is now the reader
  const fwd = checkCompatibility(f, 'FORWARD', original, [{ version: 3, schema: update }]);
  assert.match(fwd.messages[0], /The old schema has a closed content model/);
  const p = FORMATS.PROTOBUF;
  const r = checkCompatibility(p, 'BACKWARD', p.parse(proto('message M { oneof o { string a = 1; } }')), [{ schema: p.parse(proto('message M { oneof o { string a = 1; int32 b = 2; } }')) }]);
  assert.match(r.messages[0], /^\{errorType:'ONEOF_FIELD_REMOVED', description:'The new schema is missing a field of a oneof at path '#\/M\/o\/2' in the old schema'/);
  assert.ok(r.messages.every((m) => !m.includes('{reader}') && !m.includes('{writer}')));
});
