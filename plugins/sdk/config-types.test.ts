// The type tests of config.type-test.ts compile: parse() yields typed values, and the
// misuses marked @ts-expect-error are errors (an unused one fails too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

test('ConfigDef types: parse() follows from the define() calls (tsc)', async () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const tsc = path.join(root, 'node_modules/.bin/tsc');
  const args = ['--ignoreConfig', '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--allowImportingTsExtensions', '--skipLibCheck', '--types', 'node', path.join(import.meta.dirname, 'config.type-test.ts')];
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(tsc, args, { cwd: root });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, out }));
  });
  assert.equal(code, 0, out);
});
