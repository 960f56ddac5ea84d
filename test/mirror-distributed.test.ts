// `tributary mirror --redis URL` (issue 20): two mirror processes with the same
// mm2.properties form each flow's distributed Connect group (Kafka's dedicated mode:
// group <source>-mm2, state in mm2-*.<source>.internal on the target) and share its
// tasks; kill -9 of the one running the MirrorSourceConnector task: the other takes
// the task over and every record reaches the target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { spawnCli, type RunningCli } from './helpers/process.ts';
import { REDIS_URL, deleteKeys, testPrefix } from './helpers/redis.ts';
import { FAST, countTopic, listTopics, readTopic, waitFor } from './mirror-helpers.ts';

test('tributary mirror --redis: two processes share a flow; kill -9 of the one running the source task, the other continues it', async (t) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const c of cleanup.reverse()) await c().catch(() => undefined); });
  const [a, b] = await Promise.all([startBroker(), startBroker()]);
  cleanup.push(() => Promise.all([a.stop(), b.stop()]));
  const prefix = testPrefix();
  cleanup.push(() => deleteKeys(prefix));
  const dir = tempDir('mirror-dist-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mm2.properties');
  fs.writeFileSync(file, [
    'clusters = a, b', `a.bootstrap.servers = ${a.bootstrap}`, `b.bootstrap.servers = ${b.bootstrap}`, 'a->b.enabled = true', 'a->b.topics = events',
    `redis.key.prefix = ${prefix}`, 'session.timeout.ms = 3000', 'heartbeat.interval.ms = 300', 'task.shutdown.graceful.timeout.ms = 1000',
    ...FAST.map(([k, v]) => `${k} = ${v}`),
  ].join('\n') + '\n');
  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e${from + i}`).join('\n') + '\n';
  await kcat(['-b', a.bootstrap, '-t', 'events', '-P'], batch(0, 20000));

  const procs: RunningCli[] = [];
  for (let i = 0; i < 2; i++) {
    const cli = await spawnCli(['mirror', '--config', file, '--data-dir', path.join(dir, `data${i}`), '--connect-port', '0', '--redis', REDIS_URL], ['connect'], 120000);
    cleanup.push(async () => { cli.child.kill('SIGKILL'); await cli.exited; });
    procs.push(cli);
  }
  const urls = procs.map((p) => `http://127.0.0.1:${p.ports.connect}`);
  // Kafka's dedicated-mode names: the group's state topics on the target
  const onB = await listTopics(b.bootstrap);
  for (const x of ['mm2-configs.a.internal', 'mm2-offsets.a.internal', 'mm2-status.a.internal']) assert.ok(onB.includes(x), `${x} on B (${onB.join(', ')})`);

  // one group: both processes answer with the same connectors, and the units are spread over both workers
  const status = async (url: string, name: string) => (await (await fetch(`${url}/connectors/${name}/status`)).json()) as { connector: { worker_id: string }; tasks: { state: string; worker_id: string }[] };
  const source = await waitFor(async () => { const s = await status(urls[1], 'MirrorSourceConnector'); return s.tasks[0]?.state === 'RUNNING' && s; }, 'the source task RUNNING (seen from the second process)', 90000);
  const workersOf = async () => {
    const workers = new Set<string>();
    for (const n of ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector']) {
      const s = await status(urls[0], n);
      workers.add(s.connector.worker_id);
      for (const x of s.tasks) workers.add(x.worker_id);
    }
    return workers;
  };
  await waitFor(async () => (await workersOf()).size === 2, 'the flow\'s connectors and tasks spread over both processes', 60000);

  await waitFor(async () => (await countTopic(b.bootstrap, 'a.events').catch(() => 0)) > 0, 'the first records on B', 60000);
  // the process whose worker runs the source task (its REST port is in its worker id)
  const victim = procs.findIndex((p) => source.tasks[0].worker_id.endsWith(`:${p.ports.connect}`));
  assert.ok(victim >= 0, `the source task's worker ${source.tasks[0].worker_id} is one of the two processes`);
  procs[victim].child.kill('SIGKILL');
  await procs[victim].exited;
  await kcat(['-b', a.bootstrap, '-t', 'events', '-P'], batch(20000, 1000));

  const survivor = urls[1 - victim];
  await waitFor(async () => { const s = await status(survivor, 'MirrorSourceConnector'); return s.tasks[0]?.state === 'RUNNING' && s.tasks[0].worker_id.endsWith(`:${procs[1 - victim].ports.connect}`); }, 'the source task taken over by the survivor', 90000);
  const want = Array.from({ length: 21000 }, (_, i) => `e${i}`).sort();
  const got = await waitFor(async () => {
    const values = [...(await readTopic(b.bootstrap, 'a.events')).values()].flat().map((r) => r.value!.toString());
    return new Set(values).size === 21000 && values;
  }, 'all 21000 records on B', 90000);
  assert.deepEqual([...new Set(got)].sort(), want);
  t.diagnostic(`${got.length - 21000} records copied twice (at-least-once since the last offset commit)`);
});
