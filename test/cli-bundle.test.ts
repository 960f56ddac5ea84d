// The CLI runs from a cached esbuild bundle (app/bundle.ts; bin/cli-bundle.mjs finds it
// without loading TypeScript). A TypeScript plugin still loads in such a process
// (connectors/runtime/plugins.ts registers tsx on first need): test/connect-plugins'
// plain worker lists plugins/example-datagen, written in TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROOT, BIN } from './helpers/process.ts';
import { run } from './helpers/clients.ts';
import { cliBundle } from '../app/bundle.ts';

test('the CLI bundle is plain JavaScript outside the sources, and bin/ finds the one app/bundle.ts built', async () => {
  const url = await cliBundle();
  const file = fileURLToPath(url);
  assert.ok(file.endsWith('cli.mjs') && !file.startsWith(ROOT), file);
  assert.ok(!/from\s+["'][^"']+\.ts["']/.test(fs.readFileSync(file, 'utf8')), 'no TypeScript import left in the bundle');
  assert.equal(typeof (await import(url.href)).main, 'function');
  // bin's plain-JavaScript lookup computes the same cache key (else every start would rebuild)
  const mtime = fs.statSync(file).mtimeMs;
  const { cliBundle: lookup } = await import('../bin/cli-bundle.mjs');
  assert.equal((await lookup()).href, url.href);
  assert.equal(fs.statSync(file).mtimeMs, mtime, 'found, not rebuilt');
});

test('tributary runs from the bundle (TRIBUTARY_BUNDLE=1: no fallback to the sources) and from the sources (TRIBUTARY_BUNDLE=0) alike', async () => {
  const { NODE_OPTIONS: _, ...env } = process.env;
  for (const mode of ['1', '0']) {
    const help = await run(process.execPath, [BIN, 'group', '--help'], { env: { ...env, TRIBUTARY_BUNDLE: mode } });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /reset-offsets/);
    assert.doesNotMatch(help.stderr, /running from the TypeScript sources/);
    const bad = await run(process.execPath, [BIN, 'topic', 'list', '--frobnicate'], { env: { ...env, TRIBUTARY_BUNDLE: mode } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option --frobnicate/);
  }
});
