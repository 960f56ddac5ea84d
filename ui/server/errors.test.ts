// The UI API's error table: each code is its own name, answers a 4xx/5xx status, and
// has a row in ui/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { UI_ERRORS, UiError } from './errors.ts';

test('every UI API error code is its name, an HTTP error status, and documented', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const [name, e] of Object.entries(UI_ERRORS)) {
    assert.equal(e.code, name);
    assert.ok(e.status >= 400 && e.status < 600, `${name}: ${e.status}`);
    assert.match(readme, new RegExp(`^\\| ${e.code} \\| ${e.status} \\| `, 'm'), `${name} in ui/README.md's error table`);
  }
  const err = new UiError('topic_not_found', undefined, 'localhost:9092');
  assert.deepEqual([err.status, err.body()], [404, { code: 'topic_not_found', message: 'No such topic', target: 'localhost:9092' }]);
});
