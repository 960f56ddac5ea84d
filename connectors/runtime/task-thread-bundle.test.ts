// The task thread's bundle carries the Kafka client library and the converters' formats
// (task-thread-bundle.ts): a thread then loads a few files, not ~500, and the library's
// option validators compile when used (client/ never has it validate), not at import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LAZY_VALIDATORS, taskThreadBundle } from './task-thread-bundle.ts';

test('the task thread bundle imports neither the Kafka library nor ajv, avsc, protobufjs from node_modules; the library\'s validators are lazy there', async () => {
  const dir = path.dirname(fileURLToPath(await taskThreadBundle()));
  let lazy = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.mjs'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(src, /(from|import)\s*\(?\s*["'](@platformatic\/kafka|ajv|avsc|protobufjs)["'/]/, `${f} imports a package the bundle should carry`);
    if (/\bajv\.compile = \(schema\) =>/.test(src)) lazy++; // LAZY_VALIDATORS, as esbuild prints it
  }
  assert.equal(lazy, 1, 'the library\'s ajv.compile is replaced once, in the chunk that carries it');
});

test('a lazy validator compiles on its first call and then validates and reports errors as ajv\'s own', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  let compiled = 0;
  const compile = ajv.compile.bind(ajv);
  ajv.compile = ((s: object) => { compiled++; return compile(s); }) as typeof ajv.compile;
  new Function('ajv', LAZY_VALIDATORS)(ajv);
  const validate = ajv.compile({ type: 'object', properties: { acks: { type: 'number' } }, additionalProperties: false });
  assert.equal(compiled, 0, 'not compiled when made');
  assert.equal(validate({ acks: 1 }), true);
  assert.equal(validate.errors, null);
  assert.equal(validate({ acks: 'all', x: 1 }), false);
  assert.equal(compiled, 1, 'compiled once, on first use');
  assert.match(ajv.errorsText(validate.errors), /data\/acks must be number/);
  assert.match(ajv.errorsText(validate.errors), /must NOT have additional properties/);
  // the library's index.js puts ajv.compile back once its modules are loaded: later schemas compile (and are checked) at once
  (ajv.compile as unknown as { eagerAgain: () => void }).eagerAgain();
  assert.throws(() => ajv.compile({ type: 'no-such-type' }), /schema is invalid/);
  assert.equal(compiled, 2);
});
