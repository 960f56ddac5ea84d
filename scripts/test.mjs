#!/usr/bin/env node
// Runs every *.test.ts under the source folders with node's test runner through tsx.
// Usage: npm test [-- <path-filter> ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['app', 'server', 'client', 'registry', 'connectors', 'plugins', 'streams', 'ui/server', 'test'];
const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts')) files.push(p);
  }
}
for (const r of roots) walk(r);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
selected.sort();
if (process.env.SETUP !== '0' && !filters.length) {
  const s = spawnSync(process.execPath, ['--import', 'tsx', 'test/setup/global-setup.ts'], { stdio: 'inherit' });
  if (s.status !== 0) process.exit(s.status ?? 1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
process.exit(r.status ?? 1);
