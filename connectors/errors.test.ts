// The runtime's error table: Kafka Connect's REST error shape, where error_code is the
// HTTP status (Kafka's ConnectRestException / ConnectExceptionMapper), and every code
// documented in connectors/README.md. test/connect-rest checks the bodies a real
// worker answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CONNECT_ERRORS, ConnectRestError } from './errors.ts';

// The statuses Kafka Connect's REST API answers errors with: BadRequestException 400,
// the basic-auth filter 401, NotFoundException 404, AlreadyExists/rebalance 409,
// anything else 500, a worker still starting 503.
const KAFKA_CONNECT_STATUSES = [400, 401, 404, 409, 500, 503];

test('every Connect REST error code is its HTTP status, one of Kafka Connect\'s, and documented', () => {
  const readme = fs.readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  for (const [kind, e] of Object.entries(CONNECT_ERRORS)) {
    assert.equal(e.code, e.status, `${kind}: error_code is the HTTP status`);
    assert.ok(KAFKA_CONNECT_STATUSES.includes(e.code), `${kind}: ${e.code} is a status Kafka Connect answers errors with`);
    assert.ok(e.message.length > 10, `${kind} has a description`);
    assert.match(readme, new RegExp(`^\\| ${e.status} \\| ${e.status} \\| `, 'm'), `${kind} (${e.status}) in the README's table`);
  }
  const err = new ConnectRestError('CONFLICT', 'Connector x already exists');
  assert.equal(err.status, 409);
});
