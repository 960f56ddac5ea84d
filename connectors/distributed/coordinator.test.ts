// Several coordinators in one process against the machine's Redis (own key
// prefix per test). A shared ledger records which coordinator runs each unit and
// fails on any overlap; outages go through a TCP proxy the test controls.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ClusterCoordinator, type CoordinatorOptions, type StopReason } from './coordinator.ts';
import { RedisProxy, REDIS_URL, deleteKeys, startOwnRedis, testPrefix } from '../../test/helpers/redis.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const TIMING = { leaseMs: 2500, renewMs: 150, stopTimeoutMs: 700, clockMarginMs: 100, rebalanceMs: 100 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Ledger {
  running = new Map<string, { worker: string; generation: number }>();
  events: { t: number; worker: string; unit: string; op: 'start' | 'stop'; generation: number; reason?: StopReason }[] = [];
  violations: string[] = [];
  lastGen = new Map<string, number>();
  handler(worker: string, coord: () => ClusterCoordinator, stopDelayMs = 0): CoordinatorOptions['handler'] {
    return {
      start: async (unit, generation) => {
        const cur = this.running.get(unit);
        if (cur) this.violations.push(`${unit}: ${worker}@${generation} started while ${cur.worker}@${cur.generation} runs`);
        if ((this.lastGen.get(unit) ?? 0) >= generation) this.violations.push(`${unit}: generation ${generation} not above ${this.lastGen.get(unit)}`);
        this.lastGen.set(unit, generation);
        this.running.set(unit, { worker, generation });
        this.events.push({ t: Date.now(), worker, unit, op: 'start', generation });
      },
      stop: async (unit, generation, reason) => {
        if (stopDelayMs) await sleep(stopDelayMs);
        const cur = this.running.get(unit);
        if (cur?.worker === worker && cur.generation === generation) this.running.delete(unit);
        this.events.push({ t: Date.now(), worker, unit, op: 'stop', generation, reason });
      },
      command: async (unit, payload) => ({ ranOn: worker, unit, payload, valid: coord().heldUnits().has(unit) }),
    };
  }
  holders(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const [u, r] of this.running) { const l = m.get(r.worker) ?? []; l.push(u); m.set(r.worker, l); }
    return m;
  }
}

async function cluster(t: TestContext, opts: { redis?: string; prefix?: string } = {}) {
  const prefix = opts.prefix ?? testPrefix();
  const ledger = new Ledger();
  const coords: ClusterCoordinator[] = [];
  t.after(async () => {
    await Promise.allSettled(coords.map((c) => c.close()));
    await deleteKeys(prefix);
  });
  const add = async (name: string, extra: Partial<CoordinatorOptions> & { stopDelayMs?: number } = {}) => {
    let c: ClusterCoordinator;
    c = new ClusterCoordinator({ redis: opts.redis ?? REDIS_URL, prefix, groupId: 'g1', workerId: name, url: `http://${name}`, logger, handler: ledger.handler(name, () => c, extra.stopDelayMs), ...TIMING, ...extra });
    coords.push(c);
    await c.start();
    return c;
  };
  return { prefix, ledger, coords, add };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const unitsOf = (n: number) => Array.from({ length: n }, (_, i) => `task:c${Math.floor(i / 4)}:${i % 4}`);
const counts = (l: Ledger) => [...l.holders().values()].map((x) => x.length).sort();

test('units spread evenly over three workers, each held once', async (t) => {
  const { ledger, add } = await cluster(t);
  const units = unitsOf(12);
  const ws = [await add('w1'), await add('w2'), await add('w3')];
  for (const w of ws) w.setUnits(units);
  await until('12 units running 4/4/4', () => ledger.running.size === 12 && counts(ledger).join() === '4,4,4');
  await sleep(500);
  assert.deepEqual(counts(ledger), [4, 4, 4]);
  assert.deepEqual(ledger.violations, []);
  assert.equal(ledger.events.filter((e) => e.op === 'stop').length, 0, 'a fresh cluster only starts units');
});

test('a worker that stops renewing loses its units after the lease; others resume them with a higher generation', async (t) => {
  const { ledger, coords, add } = await cluster(t);
  const units = unitsOf(6);
  for (const n of ['w1', 'w2', 'w3']) (await add(n)).setUnits(units);
  await until('spread', () => ledger.running.size === 6 && counts(ledger).join() === '2,2,2');
  const victim = coords[0];
  const theirs = [...victim.heldUnits().keys()];
  const mark = ledger.events.length;
  const t0 = Date.now();
  victim.crash();
  // the cut-off worker stops its own units before the lease can expire in Redis
  await until('victim stopped its units', () => ledger.events.some((e) => e.worker === 'w1' && e.op === 'stop'));
  await until('units moved', () => theirs.every((u) => ledger.running.get(u) && ledger.running.get(u)!.worker !== 'w1'));
  const moved = Date.now() - t0;
  // the last renewal happened up to one renew interval before the crash
  assert.ok(moved >= TIMING.leaseMs - TIMING.renewMs - 50, `moved after ${moved} ms, before the lease ran out`);
  assert.ok(moved < TIMING.leaseMs + 4000, `moved after ${moved} ms`);
  const stops = ledger.events.slice(mark).filter((e) => e.op === 'stop' && e.worker === 'w1');
  assert.ok(stops.every((e) => e.reason === 'unproven'), 'the cut-off worker stops units for lack of proof');
  for (const u of theirs) {
    const stop = stops.find((e) => e.unit === u)!;
    const start = ledger.events.find((e) => e.op === 'start' && e.unit === u && e.worker !== 'w1')!;
    assert.ok(stop.t <= start.t, `${u} restarted before the old holder stopped`);
  }
  await until('3/3', () => counts(ledger).join() === '3,3');
  // survivors' own units were never touched
  assert.equal(ledger.events.slice(mark).filter((e) => e.op === 'stop' && e.worker !== 'w1').length, 0);
  assert.deepEqual(ledger.violations, []);
});

test('a joining worker gets its share within seconds, moving only the surplus', async (t) => {
  const { ledger, add } = await cluster(t);
  const units = unitsOf(8);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(units);
  await until('4/4', () => ledger.running.size === 8 && counts(ledger).join() === '4,4');
  const before = ledger.events.length;
  const t0 = Date.now();
  (await add('w3')).setUnits(units);
  await until('3/3/2', () => ledger.running.size === 8 && counts(ledger).join() === '2,3,3');
  const took = Date.now() - t0;
  assert.ok(took < 3000, `spread took ${took} ms`);
  const after = ledger.events.slice(before);
  assert.equal(after.filter((e) => e.op === 'stop').length, 2, 'exactly two units moved');
  assert.ok(after.filter((e) => e.op === 'stop').every((e) => e.reason === 'rebalance'));
  assert.deepEqual(ledger.violations, []);
});

test('graceful close hands units over at once, not after the lease', async (t) => {
  const { ledger, coords, add } = await cluster(t);
  const units = unitsOf(4);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(units);
  await until('2/2', () => ledger.running.size === 4 && counts(ledger).join() === '2,2');
  const t0 = Date.now();
  await coords[0].close();
  await until('all on w2', () => ledger.running.size === 4 && ledger.holders().get('w2')?.length === 4);
  const took = Date.now() - t0;
  assert.ok(took < TIMING.leaseMs, `hand-over took ${took} ms`);
  assert.deepEqual(ledger.violations, []);
});

test('adding and removing units touches only those units', async (t) => {
  const { ledger, coords, add } = await cluster(t);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(unitsOf(4));
  await until('2/2', () => ledger.running.size === 4 && counts(ledger).join() === '2,2');
  await sleep(300);
  const before = ledger.events.length;
  // tasks.max 4 → 6 on c0 … and c1 removed
  const next = [...unitsOf(4), 'task:c0:4', 'task:c0:5'];
  for (const c of coords) c.setUnits(next);
  await until('6', () => ledger.running.size === 6);
  await sleep(400);
  const after = ledger.events.slice(before);
  assert.deepEqual(after.filter((e) => e.op === 'stop'), []);
  assert.deepEqual(after.map((e) => e.unit).sort(), ['task:c0:4', 'task:c0:5']);
  const shrink = unitsOf(4).slice(0, 2);
  for (const c of coords) c.setUnits(shrink);
  await until('2', () => ledger.running.size === 2);
  assert.deepEqual([...ledger.running.keys()].sort(), shrink);
  const stops = ledger.events.slice(before).filter((e) => e.op === 'stop');
  assert.ok(stops.filter((e) => !shrink.includes(e.unit)).every((e) => e.reason === 'removed'), 'removed units stop as removed');
  // of the two kept units at most one moves, and only to even out 2/0
  assert.ok(stops.filter((e) => shrink.includes(e.unit)).length <= 1, 'kept units stay put unless needed for balance');
  await until('1/1', () => counts(ledger).join() === '1,1');
  assert.deepEqual(ledger.violations, []);
});

test('commands run on the unit holder from any worker', async (t) => {
  const { ledger, coords, add } = await cluster(t);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(unitsOf(4));
  await until('2/2', () => counts(ledger).join() === '2,2');
  const onW2 = ledger.holders().get('w2')![0];
  const r = (await coords[0].runOnOwner(onW2, { op: 'restart' }, 15000)) as { ranOn: string; valid: boolean };
  assert.equal(r.ranOn, 'w2');
  assert.equal(r.valid, true);
  const onW1 = ledger.holders().get('w1')![0];
  assert.equal(((await coords[0].runOnOwner(onW1, 1)) as { ranOn: string }).ranOn, 'w1');
  const owners = await coords[0].owners();
  assert.equal(owners.get(onW2)?.workerId, 'w2');
  assert.equal(owners.get(onW2)?.url, 'http://w2');
});

test('fence: generation checks locally and in Redis', async (t) => {
  const { ledger, coords, add } = await cluster(t);
  const c = await add('w1');
  c.setUnits(['task:a:0']);
  await until('running', () => ledger.running.size === 1);
  const g = c.heldUnits().get('task:a:0')!;
  assert.equal(c.isValid('task:a:0', g), true);
  assert.equal(await c.verify('task:a:0', g), true);
  assert.equal(c.isValid('task:a:0', g - 1), false);
  assert.equal(await c.verify('task:a:0', g + 1), false);
  assert.equal(coords.length, 1);
});

test('Redis outage: units keep running while provable, stop before expiry, come back after', async (t) => {
  const proxy = await new RedisProxy().start();
  const { ledger, coords, add } = await cluster(t, { redis: proxy.url });
  t.after(() => proxy.close()); // after the coordinators closed
  const c = await add('w1');
  c.setUnits(unitsOf(3));
  await until('3 running', () => ledger.running.size === 3);
  // a blip shorter than the stop threshold changes nothing
  proxy.cut();
  await sleep(300);
  assert.equal(c.health().redis, 'down');
  proxy.restore();
  await until('redis up', () => c.health().redis === 'up');
  assert.equal(ledger.events.filter((e) => e.op === 'stop').length, 0);
  // a long outage: units stop once their lease can no longer be proven
  const t0 = Date.now();
  proxy.blackhole();
  await until('units stopped', () => ledger.running.size === 0, 15000);
  const stoppedAfter = Date.now() - t0;
  assert.ok(stoppedAfter <= TIMING.leaseMs - TIMING.clockMarginMs, `stopped after ${stoppedAfter} ms, past the lease`);
  assert.ok(ledger.events.filter((e) => e.op === 'stop').every((e) => e.reason === 'unproven'));
  assert.equal(c.health().redis, 'down');
  assert.ok(c.health().error);
  proxy.restore();
  await until('units back', () => ledger.running.size === 3, 15000);
  assert.equal(c.health().redis, 'up');
  assert.deepEqual(ledger.violations, []);
  assert.equal(coords.length, 1);
});

test('outage of one worker only: its units move to a worker that still reaches Redis, never overlapping', async (t) => {
  const proxy = await new RedisProxy().start();
  const { ledger, add } = await cluster(t);
  t.after(() => proxy.close()); // after the coordinators closed
  const units = unitsOf(4);
  // w1 reaches Redis through the proxy, w2 directly
  const slow = 300;
  const w1 = await add('w1', { redis: proxy.url, stopDelayMs: slow });
  w1.setUnits(units);
  await until('w1 holds all', () => ledger.running.size === 4);
  (await add('w2')).setUnits(units);
  await until('2/2', () => counts(ledger).join() === '2,2');
  proxy.blackhole();
  await until('all on w2', () => ledger.holders().get('w2')?.length === 4, 15000);
  assert.deepEqual(ledger.violations, []);
  proxy.restore();
  await until('2/2 again', () => counts(ledger).join() === '2,2', 15000);
  assert.deepEqual(ledger.violations, []);
});

test('Redis loses its data (restart without persistence): holders re-claim their leases, nothing stops or runs twice', async (t) => {
  const { prefix, ledger, coords, add } = await cluster(t);
  const units = unitsOf(6);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(units);
  await until('3/3', () => ledger.running.size === 6 && counts(ledger).join() === '3,3');
  await sleep(300);
  const mark = ledger.events.length;
  const held = coords.map((c) => new Map(c.heldUnits()));
  await deleteKeys(prefix);
  // a unit nobody held before the loss waits out the grace; the running ones never stop
  for (const c of coords) c.setUnits([...units, 'task:new:0']);
  await sleep(TIMING.leaseMs * 2);
  assert.deepEqual(ledger.events.slice(mark).filter((e) => e.op === 'stop'), []);
  coords.forEach((c, i) => { for (const [u, g] of held[i]) assert.equal(c.heldUnits().get(u), g, `${u} kept generation ${g}`); });
  for (const [i, c] of coords.entries()) for (const [u, g] of held[i]) assert.equal(await c.verify(u, g), true);
  await until('new unit running', () => ledger.running.has('task:new:0'));
  assert.deepEqual(ledger.violations, []);
});

test('a real Redis restart (own redis-server, no persistence): running units keep running, new ones are placed after the grace', async (t) => {
  const own = await startOwnRedis();
  const { ledger, coords, add } = await cluster(t, { redis: own.url });
  t.after(() => own.stop()); // after the coordinators closed
  const units = unitsOf(4);
  for (const n of ['w1', 'w2']) (await add(n)).setUnits(units);
  await until('2/2', () => ledger.running.size === 4 && counts(ledger).join() === '2,2');
  await sleep(300);
  const mark = ledger.events.length;
  await own.restart();
  await until('both workers renewed again', () => coords.every((c) => c.health().redis === 'up'), 15000);
  for (const c of coords) c.setUnits([...units, 'task:late:0']);
  await until('the new unit runs', () => ledger.running.has('task:late:0'), 15000);
  assert.deepEqual(ledger.events.slice(mark).filter((e) => e.op === 'stop'), []);
  assert.equal(ledger.running.size, 5);
  assert.deepEqual(ledger.violations, []);
});

test('config: a lease too short for a clean stop is refused', () => {
  assert.throws(() => new ClusterCoordinator({ redis: REDIS_URL, groupId: 'x', workerId: 'w', logger, handler: { start: async () => {}, stop: async () => {} }, leaseMs: 1000, stopTimeoutMs: 900, renewMs: 200 }), /lease 1000 ms must be at least/);
});
