// Active/active A<->B with the default replication policy: each side holds the other's
// topics once (a.t on B, b.u on A), nothing comes back (no b.a.t, no a.b.u), and the
// heartbeats of each flow travel one hop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { startMirror } from '../app/commands/mirror.ts';
import { FAST, countTopic, listTopics, waitFor } from './mirror-helpers.ts';

test('A<->B active/active: each side holds the other\'s topics once, no loop', async (t) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const c of cleanup.reverse()) await c().catch(() => undefined); });
  const [a, b] = await Promise.all([startBroker(), startBroker()]);
  cleanup.push(() => Promise.all([a.stop(), b.stop()]));
  await kcat(['-b', a.bootstrap, '-t', 't', '-P'], 'a1\na2\na3\n');
  await kcat(['-b', b.bootstrap, '-t', 'u', '-P'], 'b1\nb2\n');
  const dir = tempDir('mirror-aa-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const mirror = await startMirror({
    dataDir: dir, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    pairs: [['clusters', 'a, b'], ['a.bootstrap.servers', a.bootstrap], ['b.bootstrap.servers', b.bootstrap], ['a->b.enabled', 'true'], ['b->a.enabled', 'true'], ...FAST],
  });
  cleanup.push(() => mirror.close());
  assert.deepEqual(mirror.flows.map((f) => `${f.source}->${f.target}`), ['a->b', 'b->a']);

  await waitFor(async () => (await countTopic(b.bootstrap, 'a.t').catch(() => 0)) === 3 && (await countTopic(a.bootstrap, 'b.u').catch(() => 0)) === 2, 'a.t on B and b.u on A');
  await waitFor(async () => (await listTopics(b.bootstrap)).includes('a.heartbeats') && (await listTopics(a.bootstrap)).includes('b.heartbeats'), 'heartbeats mirrored one hop');
  // several refresh rounds later nothing has come back
  await new Promise((r) => setTimeout(r, 4000));
  const onA = await listTopics(a.bootstrap), onB = await listTopics(b.bootstrap);
  const user = (l: string[]) => l.filter((x) => !x.startsWith('mm2-') && !x.endsWith('.internal'));
  assert.deepEqual(user(onA), ['b.heartbeats', 'b.u', 'heartbeats', 't']);
  assert.deepEqual(user(onB), ['a.heartbeats', 'a.t', 'heartbeats', 'u']);
  assert.equal(await countTopic(b.bootstrap, 'a.t'), 3);
  assert.equal(await countTopic(a.bootstrap, 'b.u'), 2);
});
