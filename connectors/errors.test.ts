// Every code of the runtime's error table is documented in connectors/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CONNECT_ERRORS } from './errors.ts';

test('every Connect REST error code is documented', () => {
  const readme = fs.readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  for (const [kind, e] of Object.entries(CONNECT_ERRORS)) {
    assert.ok(e.doc.length > 10, `${kind} has a description`);
    assert.match(readme, new RegExp(`^\\| ${e.status} \\| ${e.status} \\| `, 'm'), `${kind} (${e.status}) in the README's table`);
  }
});
