// `tributary mirror --config mm2.properties` as a child process: a bad file exits 2 with
// one line; kill -9 of the worker mid-flow loses nothing once it is started again, and
// with exactly-once source support duplicates nothing either.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat, run } from './helpers/clients.ts';
import { BIN, spawnCli } from './helpers/process.ts';
import { FAST, countTopic, readTopic, waitFor } from './mirror-helpers.ts';

test('tributary mirror: a bad mm2.properties exits 2 naming the problem', async (t) => {
  const dir = tempDir('mirror-cli-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mm2.properties');
  fs.writeFileSync(file, 'clusters = a, b\na.bootstrap.servers = 127.0.0.1:1\na->b.enabled = true\n');
  const r = await run(process.execPath, [BIN, 'mirror', '--config', file, '--data-dir', dir], { timeoutMs: 60000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /b\.bootstrap\.servers is missing/);
  const none = await run(process.execPath, [BIN, 'mirror', '--data-dir', dir], { timeoutMs: 60000 });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /mirror needs --config/);
});

async function killMidFlow(t: TestContext, extra: string[]): Promise<string[]> {
  const cleanup: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const c of cleanup.reverse()) await c().catch(() => undefined); });
  const [a, b] = await Promise.all([startBroker(), startBroker()]);
  cleanup.push(() => Promise.all([a.stop(), b.stop()]));
  const dir = tempDir('mirror-kill-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mm2.properties');
  fs.writeFileSync(file, [
    'clusters = a, b', `a.bootstrap.servers = ${a.bootstrap}`, `b.bootstrap.servers = ${b.bootstrap}`, 'a->b.enabled = true', 'a->b.topics = events',
    ...FAST.map(([k, v]) => `${k} = ${v}`), ...extra,
  ].join('\n') + '\n');
  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e${from + i}`).join('\n') + '\n';
  await kcat(['-b', a.bootstrap, '-t', 'events', '-P', '-z', 'lz4'], batch(0, 30000));

  const args = ['mirror', '--config', file, '--data-dir', path.join(dir, 'data'), '--connect-port', '0'];
  let cli = await spawnCli(args, ['connect'], 120000);
  cleanup.push(async () => { cli.child.kill('SIGKILL'); await cli.exited; });
  const before = await waitFor(async () => (await countTopic(b.bootstrap, 'a.events').catch(() => 0)), 'the first records on B', 60000);
  cli.child.kill('SIGKILL');
  t.diagnostic(`killed with ${before} of 30000 records copied`);
  await cli.exited;
  await kcat(['-b', a.bootstrap, '-t', 'events', '-P'], batch(30000, 1000));

  cli = await spawnCli(args, ['connect'], 120000);
  // read_committed: with exactly-once, what a killed transaction left behind is not data
  const want = Array.from({ length: 31000 }, (_, i) => `e${i}`).sort();
  const got = await waitFor(async () => {
    const values = [...(await readTopic(b.bootstrap, 'a.events', 'read_committed')).values()].flat().map((r) => r.value!.toString());
    return new Set(values).size === 31000 && values;
  }, 'all 31000 records on B', 90000);
  assert.deepEqual([...new Set(got)].sort(), want);
  t.diagnostic(`${got.length - 31000} records copied twice`);
  return got;
}

test('tributary mirror: kill -9 mid-flow, start again, every record reaches the target', async (t) => {
  const got = await killMidFlow(t, []);
  // at-least-once: redelivered records only since the last offset commit
  assert.ok(got.length - 31000 < 31000, `${got.length - 31000} duplicates`);
});

test('tributary mirror with exactly.once.source.support=enabled: kill -9 mid-flow, nothing lost, nothing twice', async (t) => {
  const got = await killMidFlow(t, ['exactly.once.source.support = enabled']);
  assert.equal(got.length, 31000);
});
