// Distributed Connect: how fast work moves between workers, against the machine's
// Redis (own key prefix, removed at the end).
//  1. Coordination only (no broker): 100 connectors × 4 tasks (500 leased units)
//     over 3 workers — initial assignment, a 4th worker joining, a worker dying.
//  2. Full runtime: 3 in-process Connect workers on one broker running the example
//     datagen source with 6 tasks — a worker dying, a worker joining (status via REST).
// Lease (session.timeout.ms) is BENCH_LEASE_MS, default 3000; failover is bounded
// below by it by design (the dead worker's lease must run out first).
import path from 'node:path';
import fs from 'node:fs';
import pino from 'pino';
import { ClusterCoordinator } from '../connectors/distributed/coordinator.ts';
import { distributedOf } from '../connectors/distributed/cluster.ts';
import { REDIS_URL, deleteKeys, testPrefix } from '../test/helpers/redis.ts';
import { startConnect, type RunningConnect } from '../connectors/index.ts';
import { startBroker, tempDir } from '../test/helpers/broker.ts';

const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 3000);
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function coordination() {
  const prefix = testPrefix();
  const held = new Map<string, Set<string>>();
  const coords: { name: string; c: ClusterCoordinator }[] = [];
  const timing = { leaseMs: LEASE_MS, renewMs: Math.floor(LEASE_MS / 10), stopTimeoutMs: Math.floor(LEASE_MS / 3), rebalanceMs: 250 };
  const add = async (name: string) => {
    const mine = new Set<string>();
    held.set(name, mine);
    const c = new ClusterCoordinator({
      redis: REDIS_URL, prefix, groupId: 'bench', workerId: name, logger, ...timing,
      handler: { start: async (u) => { mine.add(u); }, stop: async (u) => { mine.delete(u); } },
    });
    await c.start();
    coords.push({ name, c });
    return c;
  };
  const units = Array.from({ length: 100 }, (_, i) => [`conn:c${i}`, ...Array.from({ length: 4 }, (_, t) => `task:${t}:c${i}`)]).flat();
  const live = () => coords.filter((x) => held.has(x.name));
  const balanced = () => {
    const n = live().map((x) => held.get(x.name)!.size);
    return n.reduce((a, b) => a + b, 0) === units.length && Math.max(...n) - Math.min(...n) <= 1;
  };
  try {
    for (const n of ['w1', 'w2', 'w3']) await add(n);
    let t0 = performance.now();
    for (const { c } of coords) c.setUnits(units);
    await until(balanced, 60_000, 'initial assignment');
    const assign = performance.now() - t0;

    t0 = performance.now();
    (await add('w4')).setUnits(units);
    await until(balanced, 60_000, 'spread to w4');
    const spread = performance.now() - t0;

    const victim = coords[0];
    const theirs = held.get(victim.name)!.size;
    t0 = performance.now();
    victim.c.crash();
    held.delete(victim.name);
    await until(balanced, 60_000, 'failover');
    const failover = performance.now() - t0;

    console.log(`coordination, 100 connectors × 4 tasks = ${units.length} units, lease ${LEASE_MS} ms:`);
    console.log(`  initial assignment over 3 workers: ${assign.toFixed(0)} ms`);
    console.log(`  4th worker joins → balanced (125 each): ${spread.toFixed(0)} ms`);
    console.log(`  worker with ${theirs} units dies → all running on the other 3: ${failover.toFixed(0)} ms (${(failover - LEASE_MS).toFixed(0)} ms beyond the lease)`);
  } finally {
    await Promise.allSettled(coords.map(({ c }) => c.close()));
    await deleteKeys(prefix);
  }
}

async function runtime() {
  const broker = await startBroker();
  const prefix = testPrefix();
  const dir = tempDir('tributary-bench-dist-');
  const workers: RunningConnect[] = [];
  const config = {
    'session.timeout.ms': String(LEASE_MS), 'heartbeat.interval.ms': String(Math.floor(LEASE_MS / 10)), 'task.shutdown.graceful.timeout.ms': String(Math.floor(LEASE_MS / 3)),
    'redis.key.prefix': prefix, 'offset.flush.interval.ms': '200', 'offset.storage.partitions': '5', 'status.storage.partitions': '3',
  };
  const add = async () => {
    const w = await startConnect({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, logger, config, dataDir: path.join(dir, `w${workers.length}`), redis: REDIS_URL, groupId: 'bench' });
    workers.push(w);
    return w;
  };
  const status = async (w: RunningConnect) => (await (await fetch(`${w.url}/connectors/gen/status`)).json()) as { connector: { state: string; worker_id: string }; tasks: { state: string; worker_id: string }[] };
  try {
    const [w1, w2] = [await add(), await add(), await add()];
    const r = await fetch(`${w1.url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'gen', config: { 'connector.class': 'DatagenSourceConnector', topic: 'bench-orders', 'tasks.max': '6', 'interval.ms': '50', 'batch.size': '10' } }) });
    if (r.status !== 201) throw new Error(`create answered ${r.status}: ${await r.text()}`);
    await until(async () => { const s = await status(w2); return s.tasks.length === 6 && s.tasks.every((t) => t.state === 'RUNNING'); }, 60_000, 'gen running');
    await sleep(1000);

    const victim = workers[2];
    const s0 = await status(w1);
    const moved = s0.tasks.map((t, i) => (t.worker_id === victim.workerId ? i : -1)).filter((i) => i >= 0);
    let t0 = performance.now();
    distributedOf(victim.herder)!.crash();
    await until(async () => { const s = await status(w1); return s.tasks.every((t) => t.state === 'RUNNING' && t.worker_id !== victim.workerId); }, 60_000, 'failover');
    const failover = performance.now() - t0;

    t0 = performance.now();
    const w4 = await add();
    const joinedAt = performance.now() - t0;
    await until(async () => { const s = await status(w1); return s.tasks.every((t) => t.state === 'RUNNING') && [s.connector.worker_id, ...s.tasks.map((t) => t.worker_id)].includes(w4.workerId); }, 60_000, 'spread');
    const spread = performance.now() - t0;

    console.log(`runtime, 3 workers, datagen source with 6 tasks, lease ${LEASE_MS} ms:`);
    console.log(`  worker with tasks ${moved.join(',')} dies → tasks RUNNING elsewhere (REST status): ${failover.toFixed(0)} ms`);
    console.log(`  a new worker starts (${joinedAt.toFixed(0)} ms to join) → runs a task: ${spread.toFixed(0)} ms from its start`);
  } finally {
    await Promise.allSettled(workers.map((w) => w.close()));
    await broker.stop();
    await deleteKeys(prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await coordination();
await runtime();
