// The command line's operations surface: the admin port, one logger configuration
// (JSON when piped, one readable line per entry on a terminal, levels per
// component) and no third-party notices at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';
import { freePort } from './helpers/prometheus.ts';

test('tributary broker serves /metrics, /health and /ready on --admin-port and prints the admin listener', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const adminPort = await freePort();
  const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--admin-port', String(adminPort)], ['admin', 'kafka']);
  t.after(() => cli.child.kill('SIGKILL'));
  assert.equal(cli.ports.admin, adminPort);
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/ready`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${adminPort}/health`)).status, 200);
  const m = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  assert.match(m, /^kafka_server_replicamanager_partitioncount \d+$/m);
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
});

test('with --kafka-port 0 the admin port is any free one too, so several brokers run side by side', async (t) => {
  const a = tempDir(); const b = tempDir();
  t.after(() => { fs.rmSync(a, { recursive: true, force: true }); fs.rmSync(b, { recursive: true, force: true }); });
  const one = await spawnCli(['broker', '--data-dir', a, '--kafka-port', '0'], ['admin', 'kafka']);
  t.after(() => one.child.kill('SIGKILL'));
  const two = await spawnCli(['broker', '--data-dir', b, '--kafka-port', '0'], ['admin', 'kafka']);
  t.after(() => two.child.kill('SIGKILL'));
  assert.notEqual(one.ports.admin, two.ports.admin);
  assert.equal((await fetch(`http://127.0.0.1:${two.ports.admin}/ready`)).status, 200);
});

test('logs: JSON lines when piped, per-component levels, a bad level exits 2, no AWS SDK Node-version notice', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // tiered storage builds an S3 client at start: the AWS SDK would print its Node-version notice
  const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--log-level', 'warn,broker=debug',
    '--set', 'remote.log.storage.system.enable=true', '--set', 'tiered.s3.bucket=b', '--set', 'tiered.s3.endpoint=http://127.0.0.1:9'], ['kafka']);
  t.after(() => cli.child.kill('SIGKILL'));
  cli.child.kill('SIGTERM');
  await cli.exited;
  const out = cli.output();
  assert.doesNotMatch(out, /NodeVersionSupportWarning|AWS SDK for JavaScript/);
  const json = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.ok(json.some((l) => l.component === 'broker' && l.msg === 'tiered storage enabled' && l.level === 30), out);
  const bad = spawnSync(process.execPath, [BIN, 'broker', '--log-level', 'loud'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--log-level: unknown level "loud"/);
});

test('logs: one readable line per entry on a terminal (LOG_FORMAT=pretty forces it when piped)', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  process.env.LOG_FORMAT = 'pretty';
  let cli;
  try { cli = await spawnCli(['broker', '--data-dir', path.join(dir, 'd'), '--kafka-port', '0', '--log-level', 'info', '--set', 'frobnicate.ms=1'], ['kafka']); } finally { delete process.env.LOG_FORMAT; }
  t.after(() => cli.child.kill('SIGKILL'));
  cli.child.kill('SIGTERM');
  await cli.exited;
  const warn = cli.output().split('\n').find((l) => l.includes('frobnicate.ms'));
  assert.ok(warn, cli.output());
  assert.ok(!warn.startsWith('{'), warn);
  assert.match(warn, /WARN/);
});
