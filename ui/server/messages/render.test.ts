import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexDump, renderPlain, wireSchemaId } from './render.ts';

test('JSON is pretty-printed, text kept, binary shown as hex', () => {
  assert.deepEqual(renderPlain(Buffer.from('{"a":1}')), { kind: 'json', text: '{\n  "a": 1\n}', size: 7 });
  assert.equal(renderPlain(Buffer.from('hello')).kind, 'text');
  const b = renderPlain(Buffer.from([0, 0xff, 0x41]));
  assert.equal(b.kind, 'binary');
  assert.equal(b.text, `00000000  ${'00 ff 41'.padEnd(47)}  ..A`);
  assert.equal(renderPlain(null).kind, 'null');
});

test('hex dump is capped', () => {
  assert.match(hexDump(Buffer.alloc(40), 16), /… 24 more bytes$/);
});

test('Confluent wire format schema id', () => {
  assert.equal(wireSchemaId(Buffer.from([0, 0, 0, 0, 42, 1])), 42);
  assert.equal(wireSchemaId(Buffer.from('{"a":1}')), null);
});
