// The registry's error table against Confluent Schema Registry's codes (the
// *_ERROR_CODE constants of Confluent's rest.exceptions.Errors and rest-utils' plain
// HTTP statuses): each row has Confluent's code for its name and the HTTP status that
// code answers with, and every code is documented in README.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { ERRORS, httpStatus, RegistryError } from './errors.ts';

// Confluent's codes for the errors Tributary answers (REGISTRY-NOTES.md). Incompatible
// schemas answer error_code 409 as the registry versions our clients know do; the
// newest Confluent releases define 40901 for it.
const CONFLUENT: Record<string, number> = {
  SUBJECT_NOT_FOUND: 40401, VERSION_NOT_FOUND: 40402, SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404, SUBJECT_NOT_SOFT_DELETED: 40405, SCHEMA_VERSION_SOFT_DELETED: 40406, SCHEMA_VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: 40408, SUBJECT_LEVEL_MODE_NOT_CONFIGURED: 40409,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201, INVALID_VERSION: 42202, INVALID_COMPATIBILITY_LEVEL: 42203, INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205, REFERENCE_EXISTS: 42206, ID_DOES_NOT_MATCH: 42207, INVALID_SUBJECT: 42208,
  STORE_ERROR: 50001, OPERATION_TIMEOUT: 50002, REQUEST_FORWARDING_FAILED: 50003, UNKNOWN_LEADER: 50004,
};
// rest-utils answers errors without a registry code with error_code = the HTTP status.
const HTTP = new Set([400, 401, 403, 404, 405, 409, 422, 500]);

test('every row has Confluent\'s code for its name and that code\'s HTTP status', () => {
  for (const [name, e] of Object.entries(ERRORS)) {
    if (name in CONFLUENT) assert.equal(e.code, CONFLUENT[name], `${name}: Confluent's code`);
    else assert.ok(HTTP.has(e.code), `${name} (${e.code}) is neither a Confluent registry code nor a plain HTTP status`);
    assert.equal(e.status, httpStatus(e.code), `${name}: HTTP status is the first three digits of ${e.code}`);
  }
  for (const name of Object.keys(CONFLUENT)) assert.ok(name in ERRORS, `${name} (${CONFLUENT[name]}) is missing from the table`);
});

test('each error code has a description and a row in README.md', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const codes = new Set<number>();
  for (const [name, e] of Object.entries(ERRORS)) {
    assert.ok(e.message.length > 5, `${name} has no description`);
    assert.ok(!codes.has(e.code), `${e.code} is used twice`);
    codes.add(e.code);
    assert.match(readme, new RegExp(`\\| ${e.code} \\| ${e.status} \\| ${name} \\|`), `${name} (${e.code}) is not in registry/README.md's error table`);
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
