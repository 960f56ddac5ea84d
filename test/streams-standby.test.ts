// Standby replicas: two word-count instances (child processes, exactly_once_v2,
// num.standby.replicas=1) each keep a standby of the other's tasks by following the
// changelogs. One is killed with SIGKILL; the survivor takes its tasks and restores
// only the changelogs' tail from its standby checkpoints, not the whole changelog,
// and the counts stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startBroker, tempDir } from './helpers/broker.ts';
import { ROOT } from './helpers/process.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';

interface App { child: ChildProcess; out: () => string; exited: Promise<unknown> }
function spawnApp(bootstrap: string, stateDir: string): App {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/streams/word-count-app.ts'), bootstrap, 'wc-standby', 'exactly_once_v2', stateDir, '300'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STREAMS_EXTRA: JSON.stringify({ 'num.standby.replicas': 1 }) } });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  return { child, out: () => out, exited: new Promise((r) => child.on('exit', r)) };
}
const last = (a: App, re: RegExp) => [...a.out().matchAll(re)].pop();
const tasksOf = (a: App) => (last(a, /tasks ([\d_,]*) processed/g)?.[1] ?? '').split(',').filter(Boolean);
const standbyOf = (a: App) => (last(a, /standby ([\d_,]*)\n/g)?.[1] ?? '').split(',').filter(Boolean);
const restoredIn = (text: string) => [...text.matchAll(/restored (\d+) of /g)].reduce((n, m) => n + Number(m[1]), 0);
async function waitFor(what: () => string, cond: () => boolean, ms = 90000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`); await new Promise((r) => setTimeout(r, 200)); }
}

test('num.standby.replicas=1: after kill -9 of one instance the other restores only the changelog tail', { timeout: 240000 }, async (t) => {
  const b = await startBroker({ config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500' } });
  t.after(() => b.stop());
  await setupTopics(b.bootstrap);
  const dirs = [tempDir('standby-a-'), tempDir('standby-b-')];
  t.after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  const apps: App[] = [];
  t.after(async () => { for (const a of apps) if (a.child.exitCode === null && a.child.signalCode === null) { a.child.kill('SIGKILL'); await a.exited; } });
  const a = spawnApp(b.bootstrap, dirs[0]); apps.push(a);
  await waitFor(() => `A running: ${a.out().slice(-300)}`, () => tasksOf(a).length === 8);
  const bApp = spawnApp(b.bootstrap, dirs[1]); apps.push(bApp);
  // standbys only of tasks with a persistent store: the counting sub-topology 1
  const stateful = (x: App) => tasksOf(x).filter((id) => id.startsWith('1_')).sort().join();
  await waitFor(() => `tasks and standbys shared\nA: ${a.out().slice(-300)}\nB: ${bApp.out().slice(-300)}`,
    () => tasksOf(a).length === 4 && tasksOf(bApp).length === 4 && stateful(a) !== '' && standbyOf(bApp).sort().join() === stateful(a) && standbyOf(a).sort().join() === stateful(bApp));

  // many distinct words: every count update is a changelog record (the test app runs without the record cache)
  const lines = Array.from({ length: 3000 }, (_, i) => `u${i} v${i % 500} w${i % 7}`);
  await produceLines(b.bootstrap, lines);
  const want = expectedCounts(lines);
  await readCounts(b.bootstrap, (got) => [...want].every(([w, n]) => got.get(w) === n), 120000);
  const aTasks = tasksOf(a).filter((x) => x.startsWith('1_')); // the counting tasks: their store is the changelogged one
  await new Promise((r) => setTimeout(r, 3000)); // the standbys follow the committed changelog
  const before = bApp.out().length;
  a.child.kill('SIGKILL');
  await a.exited;
  await waitFor(() => `B to hold every task: ${bApp.out().slice(-300)}`, () => tasksOf(bApp).length === 8);
  const restored = restoredIn(bApp.out().slice(before));
  // A's counting tasks wrote about half of the 9000 count updates to their changelog partitions
  assert.ok(aTasks.length > 0);
  assert.ok(restored < 450, `B restored ${restored} changelog records after the kill; with its standbys it should read only a tail (A's tasks: ${aTasks})`);

  // and counting goes on exactly
  await produceLines(b.bootstrap, ['u1 w1']);
  await readCounts(b.bootstrap, (got) => got.get('u1') === 2 && got.get('w1') === (want.get('w1') ?? 0) + 1, 120000);
});
