#!/usr/bin/env node
// Runs every *.test.ts under the source folders with node's test runner through tsx.
// Usage: npm test [-- <path-filter> ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['common', 'app', 'server', 'client', 'registry', 'connectors', 'plugins', 'streams', 'ui/server', 'test'];
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
// The longest files start first (two run at a time), so that none of them starts near the
// end and runs alone while the other slot idles. Order from a full run's junit report
// (2026-12-06, per-file sums of test durations); a name no longer here is ignored.
const SLOW_FIRST = [
  'test/mirror-cli.test.ts',
  'test/cli-admin.test.ts',
  'test/replication-chaos.test.ts',
  'test/connect-distributed.test.ts',
  'test/replication-inter-broker-security.test.ts',
  'test/security-https.test.ts',
  'test/ui-streams.test.ts',
  'test/mirror-distributed.test.ts',
  'test/tiered-storage.test.ts',
  'test/connect-isolation.test.ts',
  'test/ops-ui-metrics-cli.test.ts',
  'test/replication-failover.test.ts',
  'test/ops-consume-registry.test.ts',
  'test/mirror-replication.test.ts',
  'test/mirror-active-active.test.ts',
  'test/groups-clients.test.ts',
  'test/connect-plugins.test.ts',
  'test/streams-errors.test.ts',
  'test/replication-transactions.test.ts',
  'test/security-connect-clients.test.ts',
  'test/streams-failover.test.ts',
  'test/connect-rest.test.ts',
  'test/security-broker-oauthbearer.test.ts',
  'test/cluster-security-store.test.ts',
  'test/streams-standby.test.ts',
  'test/connect-sdk-package.test.ts',
  'test/mirror-acls.test.ts',
  'test/security-connect-auth.test.ts',
  'test/cluster-brokers.test.ts',
  'test/security-broker-acl.test.ts',
];
const rank = (f) => { const i = SLOW_FIRST.indexOf(f.split('\\').join('/')); return i < 0 ? SLOW_FIRST.length : i; };
selected.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
if (process.env.SETUP !== '0' && !filters.length) {
  const s = spawnSync(process.execPath, ['--import', 'tsx', 'test/setup/global-setup.ts'], { stdio: 'inherit' });
  if (s.status !== 0) process.exit(s.status ?? 1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
process.exit(r.status ?? 1);
