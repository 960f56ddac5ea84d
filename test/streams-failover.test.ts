// Two word-count instances (child processes) share the input's partitions under
// exactly_once_v2; one is killed with SIGKILL mid-stream. The survivor takes its
// tasks, restores them from the changelogs, and every count is exact: each word's
// counts downstream (read_committed) are 1, 2, … n, none missing or repeated.
// Then an instance with an empty state dir joins and restores its share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startBroker, tempDir } from './helpers/broker.ts';
import { ROOT } from './helpers/process.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';

interface App { child: ChildProcess; out: () => string; exited: Promise<unknown> }
function spawnApp(bootstrap: string, appId: string, stateDir: string): App {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/streams/word-count-app.ts'), bootstrap, appId, 'exactly_once_v2', stateDir, '1500'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.on('exit', r));
  return { child, out: () => out, exited };
}
const tasksOf = (a: App) => { const m = [...a.out().matchAll(/tasks ([\d_,]*) processed/g)].pop(); return m ? m[1].split(',').filter(Boolean) : []; };
async function waitFor(what: string, cond: () => boolean, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 200)); }
}

test('exactly_once_v2: kill -9 one of two instances mid-stream, counts stay exact; an empty state dir restores from changelogs', { timeout: 240000 }, async (t) => {
  const b = await startBroker({ config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500' } });
  t.after(() => b.stop());
  await setupTopics(b.bootstrap);
  const dirs = [tempDir('streams-a-'), tempDir('streams-b-'), tempDir('streams-c-')];
  t.after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  const apps: App[] = [];
  t.after(async () => { for (const a of apps) if (a.child.exitCode === null && a.child.signalCode === null) { a.child.kill('SIGKILL'); await a.exited; } });

  const a = spawnApp(b.bootstrap, 'wc-failover', dirs[0]); apps.push(a);
  await waitFor('instance A running', () => tasksOf(a).length === 8);
  const bApp = spawnApp(b.bootstrap, 'wc-failover', dirs[1]); apps.push(bApp);
  await waitFor(`both instances to share the tasks\nA: ${a.out().slice(-300)}\nB: ${bApp.out().slice(-300)}`, () => tasksOf(a).length === 4 && tasksOf(bApp).length === 4);

  const lines = Array.from({ length: 3000 }, (_, i) => `w${i % 13} x${i % 5} ${i % 3 ? 'fizz' : 'buzz'}`);
  const processedBy = (x: App) => Number([...x.out().matchAll(/processed (\d+)/g)].pop()?.[1] ?? 0);
  await produceLines(b.bootstrap, lines.slice(0, 1500));
  await waitFor('B to process records', () => processedBy(bApp) > 0);
  // kill B while it has processed records it has not committed yet (commit interval 1.5 s)
  const before = processedBy(bApp);
  await produceLines(b.bootstrap, lines.slice(1500));
  await waitFor('B to process more', () => processedBy(bApp) > before);
  bApp.child.kill('SIGKILL');
  await bApp.exited;
  const want = expectedCounts(lines);
  const { all } = await readCounts(b.bootstrap, (got) => [...want].every(([w, n]) => got.get(w) === n), 120000, 4000);
  await waitFor('A to hold every task', () => tasksOf(a).length === 8);
  // exactly once downstream: each word's counts are 1..n, in order, no repeats
  const seq = new Map<string, number[]>();
  for (const [w, n] of all) { if (!seq.has(w)) seq.set(w, []); seq.get(w)!.push(n); }
  for (const [w, n] of want) assert.deepEqual(seq.get(w), Array.from({ length: n }, (_, i) => i + 1), `counts of ${w}`);

  // a third instance with an empty state dir takes half the tasks and restores them from the changelogs
  const c = spawnApp(b.bootstrap, 'wc-failover', dirs[2]); apps.push(c);
  await waitFor('C to take tasks', () => tasksOf(c).length === 4 && tasksOf(a).length === 4);
  await produceLines(b.bootstrap, lines.slice(0, 300));
  const want2 = expectedCounts([...lines, ...lines.slice(0, 300)]);
  const after = await readCounts(b.bootstrap, (got) => [...want2].every(([w, n]) => got.get(w) === n), 120000, 4000);
  const seq2 = new Map<string, number[]>();
  for (const [w, n] of after.all) { if (!seq2.has(w)) seq2.set(w, []); seq2.get(w)!.push(n); }
  for (const [w, n] of want2) assert.deepEqual(seq2.get(w), Array.from({ length: n }, (_, i) => i + 1), `counts of ${w} after C joined`);
  assert.ok(fs.readdirSync(path.join(dirs[2], 'wc-failover')).some((d) => /^\d+_\d+$/.test(d)), 'C keeps task state on disk');
});
