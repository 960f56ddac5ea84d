// Every Confluent error code in the table is documented: in the table and in README.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { ERRORS, httpStatus, RegistryError } from './errors.ts';

test('each error code has a description and a row in README.md', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const codes = new Set<number>();
  for (const [name, e] of Object.entries(ERRORS)) {
    assert.ok(e.doc.length > 5, `${name} has no description`);
    assert.ok(!codes.has(e.code), `${e.code} is used twice`);
    codes.add(e.code);
    assert.match(readme, new RegExp(`\\| ${e.code} \\|`), `${name} (${e.code}) is not in registry/README.md's error table`);
  }
});

test('HTTP status is the first three digits of the code', () => {
  assert.equal(httpStatus(40401), 404);
  assert.equal(httpStatus(42201), 422);
  assert.equal(httpStatus(409), 409);
  assert.equal(httpStatus(50001), 500);
  const e = new RegistryError('REFERENCE_EXISTS', 'x');
  assert.equal(e.errorCode, 42206);
  assert.equal(e.statusCode, 422);
});
