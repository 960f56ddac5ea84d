// The task thread's bundle carries the Kafka client library and the converters' formats
// (task-thread-bundle.ts): a thread then loads a few files, not ~500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { taskThreadBundle } from './task-thread-bundle.ts';

test('the task thread bundle imports neither the Kafka library nor ajv, avsc, protobufjs from node_modules', async () => {
  const dir = path.dirname(fileURLToPath(await taskThreadBundle()));
  let carried = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.mjs'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(src, /(from|import)\s*\(?\s*["'](@platformatic\/kafka|ajv|avsc|protobufjs)["'/]/, `${f} imports a package the bundle should carry`);
    if (src.includes('node_modules/@platformatic/kafka/dist/')) carried++;
  }
  assert.ok(carried > 0, 'the library\'s own files are in the bundle');
});
