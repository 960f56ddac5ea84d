// The CLI runs from a cached esbuild bundle (app/bundle.ts; bin/cli-bundle.mjs finds it
// without loading TypeScript). A TypeScript plugin still loads in such a process
// (connectors/runtime/plugins.ts registers tsx on first need): test/connect-plugins'
// plain worker lists plugins/example-datagen, written in TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, BIN } from './helpers/process.ts';
import { run } from './helpers/clients.ts';
import { cliBundle } from '../app/bundle.ts';
import { cachedBundle } from '../connectors/runtime/task-thread-bundle.ts';

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

test('the bundle cache works when bundled itself (as in the CLI): a bundle it builds gives each source its own import.meta.url', async (t) => {
  // A builder bundled the way the CLI is, run by a plain node without tsx, builds a module that reads its own URL.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bundle-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const cache = path.relative(dir, path.join(ROOT, 'connectors/runtime/task-thread-bundle.ts')).split(path.sep).join('/');
  fs.writeFileSync(path.join(dir, 'builder.ts'), `export { cachedBundle } from ${JSON.stringify(cache)};\n`);
  fs.writeFileSync(path.join(dir, 'where.ts'), 'export const where: string = import.meta.url;\n');
  const builder = await cachedBundle({ name: 'test-builder', source: path.join(dir, 'builder.ts') });
  const script = `
const { cachedBundle } = await import(${JSON.stringify(builder.href)});
const url = await cachedBundle({ name: 'test-where', source: ${JSON.stringify(path.join(dir, 'where.ts'))} });
const { where } = await import(url.href);
console.log(JSON.stringify({ url: url.href, where }));`;
  const { NODE_OPTIONS: _, ...env } = process.env;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { env, timeoutMs: 120000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.where, pathToFileURL(path.join(dir, 'where.ts')).href, 'the source\'s own URL, not the bundle\'s');
  assert.notEqual(out.url, out.where);
  for (const name of ['test-builder', 'test-where']) {
    for (const e of fs.readdirSync(os.tmpdir())) if (e.startsWith(`tributary-${name}-`)) fs.rmSync(path.join(os.tmpdir(), e), { recursive: true, force: true });
  }
});
