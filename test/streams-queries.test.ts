// Interactive queries across two instances: each holds half the tasks; the query
// server of either answers every word's count (forwarding to the holder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startBroker, tempDir } from './helpers/broker.ts';
import { startQueryServer } from '../streams/index.ts';
import { wordCountApp } from './streams/word-count-app.ts';
import { setupTopics, produceLines, readCounts, expectedCounts } from './streams/helpers.ts';

const freePort = () => new Promise<number>((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });

test('query servers of two instances answer the same counts for every word', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  await setupTopics(b.bootstrap);
  const ports = [await freePort(), await freePort()];
  const apps = ports.map((p) => {
    const dir = tempDir('streams-q-');
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    return wordCountApp(b.bootstrap, 'wc-queries', 'at_least_once', dir, { 'application.server': `127.0.0.1:${p}` });
  });
  for (const a of apps) t.after(() => a.close());
  await apps[0].start();
  await apps[1].start();
  const servers = await Promise.all(apps.map((a) => startQueryServer(a)));
  for (const s of servers) t.after(() => s.close());
  const deadline = Date.now() + 60000;
  while (!(apps[0].activeTasks().length === 4 && apps[1].activeTasks().length === 4)) {
    if (Date.now() > deadline) throw new Error(`tasks not shared: ${apps[0].activeTasks()} / ${apps[1].activeTasks()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const lines = Array.from({ length: 120 }, (_, i) => `w${i % 9} common`);
  await produceLines(b.bootstrap, lines);
  const want = expectedCounts(lines);
  await readCounts(b.bootstrap, (got) => [...want].every(([w, n]) => got.get(w) === n));
  const hosts = new Set<string>();
  for (const [w, n] of want) {
    for (const s of servers) {
      const r = await fetch(`http://127.0.0.1:${s.port}/stores/counts/keys/${w}`);
      assert.equal(r.status, 200, `${w} via ${s.port}`);
      const body = await r.json() as { value: number; host: string };
      assert.equal(body.value, n, `${w} via ${s.port}`);
      hosts.add(body.host);
    }
  }
  assert.equal(hosts.size, 2, 'the words live on both instances');
  assert.equal((await fetch(`http://127.0.0.1:${servers[0].port}/stores/nope/keys/x`)).status, 404);
  const missing = await fetch(`http://127.0.0.1:${servers[0].port}/stores/counts/keys/zzz-not-a-word`);
  assert.ok(missing.status === 404, `status ${missing.status}`);
});
