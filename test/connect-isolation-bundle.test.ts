// The pre-bundled task thread entry (issue 21): one module a thread loads without tsx,
// built once and then found in the cache; a plain `node` (no TypeScript loader) starts a
// thread on it and the thread answers the worker's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { taskThreadBundle } from '../connectors/runtime/task-thread-bundle.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');

test('the task thread bundle is plain JavaScript outside the sources, cached, and a thread runs on it without tsx', async () => {
  const url = await taskThreadBundle();
  const file = fileURLToPath(url);
  assert.ok(file.endsWith('.mjs') && !file.startsWith(ROOT), file);
  assert.ok(!/from\s+["'][^"']+\.ts["']/.test(fs.readFileSync(file, 'utf8')), 'no TypeScript import left in the bundle');
  // a thread in a process without tsx: it loads, takes the worker's 'stop' and answers 'stopped'
  const script = `
import { Worker } from 'node:worker_threads';
const w = new Worker(new URL(${JSON.stringify(url.href)}), { execArgv: [] });
w.on('error', (e) => { console.error('thread failed: ' + e.message); process.exit(1); });
w.on('message', (m) => { if (m.t === 'stopped') { console.log('stopped'); process.exit(0); } });
w.postMessage({ t: 'stop' });`;
  const { NODE_OPTIONS: _, ...env } = process.env;
  const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 120000, env, encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'stopped', r.stderr);
  // the cache: found again, not rebuilt
  const mtime = fs.statSync(file).mtimeMs;
  const again = await import(`../connectors/runtime/task-thread-bundle.ts?again=${Date.now()}`) as typeof import('../connectors/runtime/task-thread-bundle.ts');
  assert.equal((await again.taskThreadBundle()).href, url.href);
  assert.equal(fs.statSync(file).mtimeMs, mtime);
});
