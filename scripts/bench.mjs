#!/usr/bin/env node
// Runs every bench/*.bench.ts in turn (or those matching the arguments) and
// prints their figures. Benchmarks are not part of npm test: timings are noisy.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filters = process.argv.slice(2);
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)));
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  if (r.status !== 0) { failed++; console.log(`${f} failed with exit code ${r.status}`); }
}
process.exit(failed ? 1 : 0);
