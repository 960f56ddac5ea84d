// The admin CLI run as a user runs it, against a running platform (`tributary start`):
// topic, group, produce, consume, schema and connector commands, their output
// (tables and --output json) and their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';
import { run } from './helpers/clients.ts';

test('tributary topic / group / produce / consume / schema / connector against a running platform', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const platform = await spawnCli(['start', '--data-dir', path.join(dir, 'data'), '--kafka-port', '0', '--registry-port', '0', '--connect-port', '0', '--ui-port', '0'],
    ['kafka', 'registry', 'connect'], 60000);
  t.after(() => platform.child.kill('SIGKILL'));
  const common = ['--bootstrap', `127.0.0.1:${platform.ports.kafka}`, '--registry', `http://127.0.0.1:${platform.ports.registry}`, '--connect', `http://127.0.0.1:${platform.ports.connect}`];
  const cli = async (args: string[], input?: string) => {
    const r = await run(process.execPath, [BIN, ...args, ...common], { input, timeoutMs: 60000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const json = async (args: string[], input?: string) => {
    const r = await cli([...args, '--output', 'json'], input);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };

  // --help on a command, with an example; a bad flag is exit 2
  const help = await run(process.execPath, [BIN, 'group', '--help'], {});
  assert.equal(help.status, 0);
  assert.match(help.stdout, /reset-offsets/);
  assert.match(help.stdout, /example:/);
  assert.match(help.stdout, /exit codes:/);
  const bad = await cli(['topic', 'list', '--frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown option --frobnicate/);

  // topics
  const created = await cli(['topic', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=86400000']);
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /^TOPIC\s+PARTITIONS\s+REPLICATION_FACTOR\s+STATUS\norders\s+3\s+1\s+created$/m);
  assert.equal((await cli(['topic', 'create', 'orders'])).code, 1, 'an existing topic is refused');
  assert.ok((await json(['topic', 'list'])).some((x: { topic: string; partitions: number }) => x.topic === 'orders' && x.partitions === 3));
  const altered = await json(['topic', 'alter-config', 'orders', '--set', 'cleanup.policy=compact']);
  assert.deepEqual(altered.configs, { 'retention.ms': '86400000', 'cleanup.policy': 'compact' });
  assert.equal((await json(['topic', 'add-partitions', 'orders', '--partitions', '4']))[0].partitions, 4);
  const missing = await cli(['topic', 'describe', 'nope']);
  assert.equal(missing.code, 3);
  assert.match(missing.err, /^tributary: topic nope does not exist\n$/);

  // produce / consume
  const produced = await cli(['produce', 'orders', '--key', 'k1'], 'one\ntwo\nthree\n');
  assert.equal(produced.code, 0, produced.err);
  const desc = await json(['topic', 'describe', 'orders']);
  assert.equal(desc.partitions.reduce((n: number, x: { messages: number }) => n + x.messages, 0), 3);
  assert.equal(desc.configs['cleanup.policy'], 'compact');
  const consumed = await cli(['consume', 'orders', '--from-beginning', '--max-messages', '3', '--print-key']);
  assert.equal(consumed.code, 0, consumed.err);
  assert.deepEqual(consumed.out.trim().split('\n'), ['k1\tone', 'k1\ttwo', 'k1\tthree']);
  const records = (await cli(['consume', 'orders', '--from-beginning', '--to-end', '--output', 'json'])).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => [r.key, r.value]), [['k1', 'one'], ['k1', 'two'], ['k1', 'three']]);

  // groups: consume with a group commits; reset-offsets is a dry run until --execute
  assert.equal((await cli(['consume', 'orders', '--from-beginning', '--group', 'billing', '--to-end'])).code, 0);
  assert.ok((await json(['group', 'list'])).some((g: { group: string }) => g.group === 'billing'));
  const before = await json(['group', 'describe', 'billing']);
  assert.equal(before.offsets.reduce((n: number, o: { current_offset: number }) => n + o.current_offset, 0), 3);
  assert.equal(before.offsets.reduce((n: number, o: { lag: number }) => n + o.lag, 0), 0);
  const dry = await cli(['group', 'reset-offsets', 'billing', '--topic', 'orders', '--to-earliest']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /dry run: nothing changed/);
  assert.deepEqual((await json(['group', 'describe', 'billing'])).offsets, before.offsets, 'a dry run changes nothing');
  const exec = await json(['group', 'reset-offsets', 'billing', '--topic', 'orders', '--to-earliest', '--execute']);
  assert.equal(exec.executed, true);
  const after = await json(['group', 'describe', 'billing']);
  assert.equal(after.offsets.reduce((n: number, o: { lag: number }) => n + o.lag, 0), 3);
  const shifted = await json(['group', 'reset-offsets', 'billing', '--topic', 'orders', '--shift-by', '1', '--execute']);
  assert.ok(shifted.plan.every((x: { new_offset: number; current_offset: number }) => x.new_offset >= x.current_offset));
  assert.equal((await cli(['group', 'reset-offsets', 'billing', '--topic', 'orders'])).code, 2, 'no reset option is a usage error');
  assert.equal((await cli(['group', 'delete', 'billing'])).code, 0);
  assert.equal((await cli(['group', 'describe', 'billing'])).code, 3);

  // schemas
  const v1 = path.join(dir, 'v1.avsc'); const v2 = path.join(dir, 'v2.avsc');
  fs.writeFileSync(v1, JSON.stringify({ type: 'record', name: 'O', fields: [{ name: 'a', type: 'string' }] }));
  fs.writeFileSync(v2, JSON.stringify({ type: 'record', name: 'O', fields: [{ name: 'a', type: 'int' }] }));
  assert.equal((await json(['schema', 'register', 'orders-value', '--file', v1]))[0].id > 0, true);
  assert.deepEqual(await json(['schema', 'list']), ['orders-value']);
  const check = await cli(['schema', 'check', 'orders-value', '--file', v2]);
  assert.equal(check.code, 1, 'incompatible is exit 1');
  assert.match(check.out, /orders-value\s+false/);
  assert.equal((await cli(['schema', 'get', 'nope'])).code, 3);

  // connectors
  const input = path.join(dir, 'in.txt');
  fs.writeFileSync(input, 'x\ny\n');
  const conn = await cli(['connector', 'create', 'files', '--set', 'connector.class=FileStreamSource', '--set', `file=${input}`, '--set', 'topic=lines']);
  assert.equal(conn.code, 0, conn.err);
  let status;
  for (let i = 0; i < 100; i++) {
    status = await json(['connector', 'status', 'files']);
    if (status.tasks[0]?.state === 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status.tasks[0].state, 'RUNNING');
  const listed = await cli(['connector', 'list']);
  assert.match(listed.out, /^files\s+source\s+RUNNING\s+0:RUNNING$/m);
  assert.equal((await cli(['connector', 'delete', 'files'])).code, 0);
  assert.equal((await cli(['connector', 'status', 'files'])).code, 3);

  // nothing listening: exit 4
  const down = await run(process.execPath, [BIN, 'connector', 'list', '--connect', 'http://127.0.0.1:9'], {});
  assert.equal(down.status, 4);
  platform.child.kill('SIGTERM');
  assert.equal(await platform.exited, 0);
});

test('group reset-offsets checks its flags before asking the broker: a typo answers at once with exit 2', async () => {
  // nothing listens on port 9: a check made after the first broker call would exit 4 (unreachable) or wait
  const bad = [
    ['--topic', 'orders', '--shift-by', 'ten'],
    ['--topic', 'orders', '--to-datetime', 'yesterday'],
    ['--topic', 'orders', '--to-earliest', '--execute', '--dry-run'],
    ['--to-earliest'],
  ];
  for (const flags of bad) {
    const r = await run(process.execPath, [BIN, 'group', 'reset-offsets', 'billing', ...flags, '--bootstrap', '127.0.0.1:9'], { timeoutMs: 20000 });
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /reset-offsets|expects/);
  }
});
