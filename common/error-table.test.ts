// The one error-table shape: the helper refuses a code used twice or a row without a
// message, and every component's table has the shape (each component's own test holds
// its codes to Kafka's, Confluent's or Kafka Connect's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorTable, namesByCode } from './error-table.ts';
import { ERRORS as BROKER } from '../server/errors.ts';
import { ERRORS as REGISTRY } from '../registry/errors.ts';
import { CONNECT_ERRORS } from '../connectors/errors.ts';
import { UI_ERRORS } from '../ui/server/errors.ts';

test('errorTable refuses a code used twice and a row without a message; namesByCode inverts it', () => {
  assert.throws(() => errorTable({ A: { code: 1, message: 'a' }, B: { code: 1, message: 'b' } }), /B and A share code 1/);
  assert.throws(() => errorTable({ A: { code: 1, message: '' } }), /A has no message/);
  const t = errorTable({ NONE: { code: 0, message: 'No error.' }, OOPS: { code: -1, retriable: false, message: 'Oops.' } });
  assert.equal(namesByCode(t).get(-1), 'OOPS');
});

test('every component\'s error table has the one shape: NAME → { code, status?, retriable?, message }', () => {
  const tables = { broker: BROKER, registry: REGISTRY, connect: CONNECT_ERRORS, ui: UI_ERRORS };
  const allowed = new Set(['code', 'status', 'retriable', 'message']);
  for (const [component, table] of Object.entries(tables)) {
    assert.ok(Object.isFrozen(table), `${component}: declared with errorTable()`);
    for (const [name, e] of Object.entries(table as Record<string, Record<string, unknown>>)) {
      for (const k of Object.keys(e)) assert.ok(allowed.has(k), `${component} ${name}: field ${k} is not in the shape`);
      assert.ok(typeof e.code === 'number' || typeof e.code === 'string', `${component} ${name}: code`);
      assert.equal(typeof e.message, 'string', `${component} ${name}: message`);
      if (component !== 'broker') assert.equal(typeof e.status, 'number', `${component} ${name}: HTTP status`);
      else assert.equal(typeof e.retriable, 'boolean', `${component} ${name}: retriable`);
    }
  }
});
