// The `tributary` command line: flags, config errors, readiness, clean shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';

function run(args: string[], timeout = 30000) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout });
}

test('bad flags and bad config values exit 2 with a one-line reason naming them', () => {
  const unknown = run(['broker', '--frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate/);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  const badValue = run(['broker', '--set', 'num.partitions=lots']);
  assert.equal(badValue.status, 2);
  assert.match(badValue.stderr, /num\.partitions/);
  const badPort = run(['start', '--kafka-port', '99999']);
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--kafka-port/);
  const noCmd = run(['--data-dir', '/tmp/x']);
  assert.equal(noCmd.status, 2);
});

test("a component's config error exits 2 with its one-line reason, like the broker's", () => {
  // The registry and Connect check their config before reaching the broker, so no broker is needed.
  // These load the registry and Connect (seconds on a busy machine): a generous limit.
  const registry = run(['registry', '--bootstrap', '127.0.0.1:1', '--registry-port', '0', '--set', 'schema.compatibility.level=SIDEWAYS'], 120000);
  assert.equal(registry.status, 2, registry.stderr);
  assert.match(registry.stderr, /schema\.compatibility\.level/);
  assert.equal(registry.stderr.trim().split('\n').length, 1);
  const connect = run(['connect', '--bootstrap', '127.0.0.1:1', '--connect-port', '0', '--set', 'offset.flush.interval.ms=abc'], 120000);
  assert.equal(connect.status, 2, connect.stderr);
  assert.match(connect.stderr, /offset\.flush\.interval\.ms/);
  assert.equal(connect.stderr.trim().split('\n').length, 1);
  const unknown = run(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const help = run(['--help']);
  assert.equal(help.status, 0);
  for (const c of ['start', 'broker', 'registry', 'connect', 'ui']) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
});

test('broker starts, warns about unimplemented Kafka configs, lays out data like Kafka, stops on SIGTERM', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cfgFile = path.join(dir, 'server.properties');
  fs.writeFileSync(cfgFile, '# kafka style\nnum.partitions=2\nsasl.kerberos.service.name=kafka\n');
  const started = Date.now();
  const cli = await spawnCli(['broker', '--data-dir', path.join(dir, 'data'), '--kafka-port', '0', '--config', cfgFile, '--set', 'log.segment.bytes=1048576']);
  assert.ok(Date.now() - started < 10000, 'ready within seconds');
  assert.match(cli.output(), /sasl\.kerberos\.service\.name/);
  const r = spawnSync('kcat', ['-b', `127.0.0.1:${cli.ports.kafka}`, '-t', 'layout', '-P'], { input: 'a\nb\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const t0 = Date.now();
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
  assert.ok(Date.now() - t0 < 15000);
  const files = fs.readdirSync(path.join(dir, 'data'));
  assert.ok(files.includes('layout-0') && files.includes('layout-1'), files.join(','));
  const seg = fs.readdirSync(path.join(dir, 'data', 'layout-0')).sort();
  assert.deepEqual(seg.filter((f) => /^0{20}\./.test(f)), ['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']);
  assert.ok(files.includes('.kafka_cleanshutdown'));
});

test('start accepts all four port flags', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = await spawnCli(['start', '--data-dir', dir, '--kafka-port', '0', '--registry-port', '0', '--connect-port', '0', '--ui-port', '0']);
  t.after(() => cli.child.kill('SIGKILL'));
  assert.ok(cli.ports.kafka > 0);
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
});
