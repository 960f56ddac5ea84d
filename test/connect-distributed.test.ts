// Distributed Connect end to end: several in-process workers (startConnect with
// --redis and one group id) on one broker and the machine's Redis (own key prefix
// per test). A sequence source plugin numbers its records per task, so the topic
// shows any gap; a registry inside the plugin fails the test if a task ever runs
// on two workers at once.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { spawnCli, type RunningCli } from './helpers/process.ts';
import { startConnect, type RunningConnect } from '../connectors/index.ts';
import { distributedOf } from '../connectors/distributed/cluster.ts';
import { REDIS_URL, RedisProxy, deleteKeys, startOwnRedis, testPrefix } from './helpers/redis.ts';
import { ConfigDef, SinkConnector, SinkTask, SourceConnector, SourceTask, definePlugin, type Props, type SinkRecord, type SourceRecord, type SourceTaskContext } from '../plugins/sdk/index.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const LEASE_MS = 3000;
/** Fails instead of hanging (a stuck step would otherwise only show as the file's timeout). */
function withTimeout<T>(what: string, p: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_r, j) => { timer = setTimeout(() => j(new Error(`timed out: ${what}`)), ms); })]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ test plugin

/** connector/task → the instance running it now; any overlap is a violation. */
const active = new Map<string, SeqTask>();
const violations: string[] = [];
const starts: { key: string; t: number }[] = [];

class SeqConnector extends SourceConnector {
  private props: Props = {};
  version() { return '1'; }
  config() { return new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'topic' }); }
  start(props: Props) { this.props = props; }
  taskConfigs(max: number): Props[] { return Array.from({ length: max }, (_, i) => ({ topic: this.props.topic, 'task.index': String(i), connector: this.props.name })); }
  stop() {}
  taskClass() { return SeqTask; }
}

class SeqTask extends SourceTask {
  /** Set by a test: the next poll() hangs this long (a task that does not stop in time). */
  hangFor = 0;
  /** This instance may outlive its lease (its writes must be fenced): not a violation. */
  zombie = false;
  readonly inst = Math.random().toString(36).slice(2);
  private next = 0;
  private key = '';
  private topic = '';
  private index = 0;
  version() { return '1'; }
  async start(props: Props, ctx: SourceTaskContext) {
    this.index = Number(props['task.index']);
    this.topic = props.topic;
    this.key = `${props.connector}/${this.index}`;
    const cur = active.get(this.key);
    if (cur && !cur.zombie) violations.push(`${this.key} started while another instance runs`);
    active.set(this.key, this);
    starts.push({ key: this.key, t: Date.now() });
    const off = await ctx.offsetStorageReader.offset({ task: this.index });
    this.next = typeof off?.next === 'number' ? off.next : 0;
  }
  async poll(): Promise<SourceRecord[]> {
    await sleep(20);
    if (this.hangFor) { const d = this.hangFor; this.hangFor = 0; await sleep(d); }
    const out: SourceRecord[] = [];
    for (let i = 0; i < 5; i++, this.next++) {
      out.push({ sourcePartition: { task: this.index }, sourceOffset: { next: this.next + 1 }, topic: this.topic, key: `${this.index}`, value: `${this.index}:${this.next}`, headers: [{ key: 'inst', value: this.inst }] });
    }
    return out;
  }
  stop() { if (active.get(this.key) === this) active.delete(this.key); }
}

/** Every value any CollectSink task was given (at-least-once: counts may exceed 1). */
const collected = new Map<string, number>();

class CollectConnector extends SinkConnector {
  version() { return '1'; }
  config() { return new ConfigDef(); }
  start() {}
  taskConfigs(max: number): Props[] { return Array.from({ length: max }, () => ({})); }
  stop() {}
  taskClass() { return CollectTask; }
}

class CollectTask extends SinkTask {
  version() { return '1'; }
  start() {}
  async put(records: SinkRecord[]) { for (const r of records) collected.set(String(r.value), (collected.get(String(r.value)) ?? 0) + 1); }
  stop() {}
}

const seqPlugin = definePlugin({ name: 'seq-test', version: '1', description: 'numbered records per task', connectors: { SeqSource: SeqConnector, CollectSink: CollectConnector } });

// ------------------------------------------------------------------ cluster harness

interface Cluster {
  bootstrap: string;
  prefix: string;
  workers: RunningConnect[];
  add(): Promise<RunningConnect>;
  request(w: RunningConnect, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }>;
  waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<T>>;
  readAll(topic: string): Promise<string[]>;
  createTopic(topic: string, partitions: number): Promise<void>;
  readAllWithHeaders(topic: string): Promise<{ value: string; inst: string }[]>;
  workerConfig: Record<string, string>;
}

async function cluster(t: TestContext, groupId = 'dist-test', redis = REDIS_URL, overrides: Record<string, string> = {}): Promise<Cluster> {
  const broker = await startBroker();
  const prefix = testPrefix();
  const dir = tempDir('tributary-dist-');
  const workers: RunningConnect[] = [];
  const kafka = new Kafka({ clientId: 'dist-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(async () => {
    await Promise.allSettled(workers.map((w) => withTimeout('closing a worker', w.close(), 30_000)));
    await admin.disconnect();
    await broker.stop();
    await deleteKeys(prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const workerConfig = {
    'session.timeout.ms': String(LEASE_MS), 'heartbeat.interval.ms': '300', 'task.shutdown.graceful.timeout.ms': '1000', 'redis.key.prefix': prefix,
    'offset.flush.interval.ms': '200', 'offset.storage.partitions': '5', 'status.storage.partitions': '3', ...overrides,
  };
  const c: Cluster = {
    bootstrap: broker.bootstrap,
    prefix,
    workers,
    workerConfig,
    async add() {
      const w = await startConnect({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, logger, config: workerConfig, dataDir: path.join(dir, `w${workers.length}`), redis, groupId, plugins: [seqPlugin], scanPluginsDir: false });
      workers.push(w);
      return w;
    },
    async request(w, method, p, body) {
      const res = await fetch(w.url + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async waitFor(what, fn, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try { const v = await fn(); if (v) return v as NonNullable<Awaited<typeof v>>; } catch (e) { last = e; }
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
        await sleep(50);
      }
    },
    async createTopic(topic, partitions) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
    },
    async readAll(topic) {
      return (await c.readAllWithHeaders(topic)).map((m) => m.value);
    },
    async readAllWithHeaders(topic) {
      const ends = await admin.fetchTopicOffsets(topic);
      const high = Number(ends[0].high);
      const got: { value: string; inst: string }[] = [];
      if (!high) return got;
      const consumer = kafka.consumer({ groupId: `reader-${Math.random()}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      try {
        await withTimeout(`reading ${topic} up to offset ${high}`, new Promise<void>((resolve) => {
          void consumer.run({ eachMessage: async ({ message }) => { got.push({ value: message.value!.toString(), inst: String(message.headers?.inst ?? '') }); if (Number(message.offset) >= high - 1) resolve(); } });
        }));
      } finally {
        await consumer.disconnect();
      }
      return got;
    },
  };
  return c;
}

/** Per task: the sequence numbers seen must be 0..max without a hole (duplicates allowed). */
function gaps(values: string[]): string[] {
  const seen = new Map<number, Set<number>>();
  for (const v of values) {
    const [t, n] = v.split(':').map(Number);
    let s = seen.get(t); if (!s) seen.set(t, (s = new Set())); s.add(n);
  }
  const out: string[] = [];
  for (const [t, s] of seen) {
    const max = Math.max(...s);
    for (let i = 0; i <= max; i++) if (!s.has(i)) { out.push(`task ${t} misses ${i}`); break; }
  }
  return out;
}

const statusOf = async (c: Cluster, w: RunningConnect, name: string) => {
  const r = await c.request(w, 'GET', `/connectors/${name}/status`);
  return r.status === 200 ? r.body : null;
};
const allRunning = (s: any, n: number) => s && s.connector.state === 'RUNNING' && s.tasks.length === n && s.tasks.every((t: any) => t.state === 'RUNNING');
const taskWorkers = (s: any): string[] => s.tasks.map((t: any) => t.worker_id);

// ------------------------------------------------------------------ tests

test('tasks spread over workers, REST on any worker, tasks.max moves only new tasks, a dead worker\'s tasks resume elsewhere without gaps', async (t) => {
  const c = await cluster(t);
  const [w1, w2, w3] = [await c.add(), await c.add(), await c.add()];
  const ids = new Set([w1.workerId, w2.workerId, w3.workerId]);

  const created = await c.request(w2, 'POST', '/connectors', { name: 'seq', config: { 'connector.class': 'SeqSource', topic: 'numbers', 'tasks.max': '6' } });
  assert.equal(created.status, 201);
  // every worker answers the same status, with each task's worker_id
  const s = await c.waitFor('6 tasks running', async () => { const x = await statusOf(c, w3, 'seq'); return allRunning(x, 6) ? x : null; });
  const spread = new Set([s.connector.worker_id, ...taskWorkers(s)]);
  assert.equal(spread.size, 3, `connector + 6 tasks on all three workers: ${JSON.stringify(s)}`);
  for (const id of spread) assert.ok(ids.has(id), `${id} is a worker id (host:port)`);
  await c.waitFor('status the same on every worker', async () => {
    const all = await Promise.all([w1, w2, w3].map((w) => statusOf(c, w, 'seq')));
    return all.every((x) => JSON.stringify(taskWorkers(x)) === JSON.stringify(taskWorkers(s)));
  });

  // tasks.max 6 → 8 through another worker: tasks 0-5 keep their workers
  const before = taskWorkers(s);
  const put = await c.request(w1, 'PUT', '/connectors/seq/config', { 'connector.class': 'SeqSource', topic: 'numbers', 'tasks.max': '8' });
  assert.equal(put.status, 200);
  const s8 = await c.waitFor('8 tasks running', async () => { const x = await statusOf(c, w1, 'seq'); return allRunning(x, 8) ? x : null; });
  assert.deepEqual(taskWorkers(s8).slice(0, 6), before, 'existing tasks stay where they ran');
  await sleep(1000);
  assert.deepEqual(taskWorkers((await statusOf(c, w3, 'seq'))).slice(0, 6), before);

  // restart a task through a worker that does not run it: it runs again where it was
  const owner = taskWorkers(s8)[0];
  const other = [w1, w2, w3].find((w) => w.workerId !== owner)!;
  const nStarts = starts.filter((x) => x.key === 'seq/0').length;
  const rs = await c.request(other, 'POST', '/connectors/seq/tasks/0/restart');
  assert.equal(rs.status, 204);
  await c.waitFor('task 0 restarted', () => starts.filter((x) => x.key === 'seq/0').length > nStarts);
  await c.waitFor('task 0 running on its owner', async () => { const x = await statusOf(c, other, 'seq'); return x?.tasks[0].state === 'RUNNING' && x.tasks[0].worker_id === owner; });

  // a worker dies (stops renewing, releases nothing): its tasks move after the lease
  const victim = [w1, w2, w3].find((w) => taskWorkers(s8).includes(w.workerId) && w.workerId !== owner) ?? w1;
  const theirs = taskWorkers(s8).map((id, i) => (id === victim.workerId ? i : -1)).filter((i) => i >= 0);
  assert.ok(theirs.length > 0);
  const t0 = Date.now();
  distributedOf(victim.herder)!.crash();
  const survivor = [w1, w2, w3].find((w) => w !== victim)!;
  await c.waitFor('tasks of the dead worker running elsewhere', async () => {
    const x = await statusOf(c, survivor, 'seq');
    return allRunning(x, 8) && theirs.every((i) => x.tasks[i].worker_id !== victim.workerId);
  }, LEASE_MS * 20);
  // how fast is the benchmark's (npm run bench -- connect-distributed): a loaded machine stretches it
  const failover = Date.now() - t0;
  t.diagnostic(`failover after a worker death: ${failover} ms (lease ${LEASE_MS} ms); moved tasks ${theirs.join(',')}`);
  // let the moved tasks produce, then check: no task skipped a number
  await sleep(800);
  const values = await c.readAll('numbers');
  assert.ok(values.length > 100);
  assert.deepEqual(gaps(values), []);
  assert.deepEqual(violations, []);
});

test('a joining worker takes tasks within seconds; a graceful shutdown hands tasks over at once', async (t) => {
  // a long lease, so a hand-over that waited for it could not pass for a graceful one
  const c = await cluster(t, 'dist-scale', REDIS_URL, { 'session.timeout.ms': String(LEASE_MS * 3) });
  const w1 = await c.add();
  const w2 = await c.add();
  assert.equal((await c.request(w1, 'POST', '/connectors', { name: 'scale', config: { 'connector.class': 'SeqSource', topic: 'scaled', 'tasks.max': '5' } })).status, 201);
  await c.waitFor('5 tasks running', async () => allRunning(await statusOf(c, w1, 'scale'), 5));

  const t0 = Date.now();
  const w3 = await c.add();
  const s = await c.waitFor('a task on the new worker', async () => {
    const x = await statusOf(c, w1, 'scale');
    return allRunning(x, 5) && [x.connector.worker_id, ...taskWorkers(x)].includes(w3.workerId) ? x : null;
  });
  const spreadMs = Date.now() - t0;
  assert.ok(spreadMs < 5000, `spreading took ${spreadMs} ms`);
  t.diagnostic(`new worker got a task after ${spreadMs} ms`);
  // 6 units over 3 workers: two each
  await c.waitFor('2/2/2', async () => {
    const x = await statusOf(c, w1, 'scale');
    const all = [x.connector.worker_id, ...taskWorkers(x)];
    return allRunning(x, 5) && [w1, w2, w3].every((w) => all.filter((id) => id === w.workerId).length === 2);
  });
  void s;

  // graceful shutdown of w2: its tasks are running elsewhere well before a lease could expire
  const t1 = Date.now();
  await w2.close();
  c.workers.splice(c.workers.indexOf(w2), 1);
  await c.waitFor('no task on w2', async () => {
    const x = await statusOf(c, w1, 'scale');
    return allRunning(x, 5) && ![x.connector.worker_id, ...taskWorkers(x)].includes(w2.workerId);
  });
  const handOver = Date.now() - t1;
  assert.ok(handOver < LEASE_MS * 3, `hand-over took ${handOver} ms`);
  t.diagnostic(`graceful hand-over: ${handOver} ms`);
  await sleep(500);
  assert.deepEqual(gaps(await c.readAll('scaled')), []);
  assert.deepEqual(violations, []);
});

test('writes through any worker act cluster-wide: pause/resume, an invalid update answered 400, delete', async (t) => {
  const c = await cluster(t, 'dist-writes');
  const [w1, w2] = [await c.add(), await c.add()];
  assert.equal((await c.request(w1, 'POST', '/connectors', { name: 'wr', config: { 'connector.class': 'SeqSource', topic: 'writes', 'tasks.max': '3' } })).status, 201);
  const s = await c.waitFor('3 tasks running', async () => { const x = await statusOf(c, w2, 'wr'); return allRunning(x, 3) ? x : null; });
  // the worker not running the connector instance forwards to the one that does
  const notOwner = [w1, w2].find((w) => w.workerId !== s.connector.worker_id)!;
  const paused = await c.request(notOwner, 'PUT', '/connectors/wr/pause');
  assert.equal(paused.status, 202, JSON.stringify(paused.body));
  await c.waitFor('all paused', async () => { const x = await statusOf(c, w1, 'wr'); return x.connector.state === 'PAUSED' && x.tasks.length === 3 && x.tasks.every((k: any) => k.state === 'PAUSED'); });
  const resumed = await c.request(notOwner, 'PUT', '/connectors/wr/resume');
  assert.equal(resumed.status, 202, JSON.stringify(resumed.body));
  await c.waitFor('running again', async () => allRunning(await statusOf(c, w2, 'wr'), 3));
  const bad = await c.request(notOwner, 'PUT', '/connectors/wr/config', { 'connector.class': 'SeqSource', topic: 'writes', 'tasks.max': 'many' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 400);
  assert.match(bad.body.message, /tasks\.max/);
  assert.equal((await c.request(notOwner, 'DELETE', '/connectors/wr')).status, 204);
  await c.waitFor('gone everywhere', async () => (await c.request(w1, 'GET', '/connectors/wr/status')).status === 404 && (await c.request(w2, 'GET', '/connectors/wr/status')).status === 404);
  await c.waitFor('no task of wr runs', () => ![...active.keys()].some((k) => k.startsWith('wr/')));
  assert.deepEqual(violations, []);
});

test('fencing: a cut-off worker whose task does not stop in time writes nothing once another worker took over', async (t) => {
  const c = await cluster(t, 'dist-fence');
  const [w1, w2] = [await c.add(), await c.add()];
  assert.equal((await c.request(w1, 'POST', '/connectors', { name: 'fz', config: { 'connector.class': 'SeqSource', topic: 'fenced', 'tasks.max': '2' } })).status, 201);
  const s = await c.waitFor('2 tasks running', async () => { const x = await statusOf(c, w2, 'fz'); return allRunning(x, 2) ? x : null; });
  const victim = [w1, w2].find((w) => w.workerId === s.tasks[0].worker_id)!;
  const survivor = [w1, w2].find((w) => w !== victim)!;
  const zombie = active.get('fz/0')!;
  zombie.zombie = true;
  zombie.hangFor = LEASE_MS * 2; // its runner cannot stop it: the poll returns long after the lease ran out
  await sleep(300);
  const byInst = async () => {
    const r = await c.readAllWithHeaders('fenced');
    return { zombie: r.filter((m) => m.inst === zombie.inst).length, all: r };
  };
  const before = (await byInst()).zombie;
  distributedOf(victim.herder)!.crash();
  await c.waitFor('task 0 running on the survivor', async () => { const x = await statusOf(c, survivor, 'fz'); return allRunning(x, 2) && x.tasks[0].worker_id === survivor.workerId; }, LEASE_MS * 4);
  const successor = active.get('fz/0')!;
  assert.notEqual(successor, zombie);
  // the zombie's poll returns now; its records must be refused by the fence
  await sleep(LEASE_MS * 2);
  const after = await byInst();
  assert.equal(after.zombie, before, 'the fenced worker produced nothing after losing its lease');
  assert.ok(after.all.some((m) => m.inst === successor.inst));
  assert.deepEqual(gaps(after.all.map((m) => m.value)), []);
  assert.deepEqual(violations, []);
});

test('a sink pipeline across workers: a dead worker\'s sink task resumes elsewhere and every record arrives', async (t) => {
  // a sink consumer that could not leave its group is evicted after its session timeout
  const c = await cluster(t, 'dist-sink', REDIS_URL, { 'consumer.session.timeout.ms': '6000', 'consumer.heartbeat.interval.ms': '500' });
  const ws = [await c.add(), await c.add(), await c.add()];
  await c.createTopic('pipe', 2);
  const str = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };
  assert.equal((await c.request(ws[0], 'POST', '/connectors', { name: 'pk', config: { 'connector.class': 'CollectSink', topics: 'pipe', 'tasks.max': '2', ...str } })).status, 201);
  assert.equal((await c.request(ws[1], 'POST', '/connectors', { name: 'ps', config: { 'connector.class': 'SeqSource', topic: 'pipe', 'tasks.max': '2', ...str } })).status, 201);
  const s = await c.waitFor('sink running', async () => { const x = await statusOf(c, ws[2], 'pk'); return allRunning(x, 2) ? x : null; });
  await c.waitFor('source running', async () => allRunning(await statusOf(c, ws[2], 'ps'), 2));
  await sleep(500);
  const victim = ws.find((w) => taskWorkers(s).includes(w.workerId))!;
  const survivor = ws.find((w) => w !== victim)!;
  distributedOf(victim.herder)!.crash();
  await c.waitFor('sink tasks running on the others', async () => { const x = await statusOf(c, survivor, 'pk'); return allRunning(x, 2) && !taskWorkers(x).includes(victim.workerId); }, 40_000);
  await c.waitFor('source tasks running on the others', async () => { const x = await statusOf(c, survivor, 'ps'); return allRunning(x, 2) && !taskWorkers(x).includes(victim.workerId); }, 40_000);
  await sleep(500);
  assert.equal((await c.request(survivor, 'PUT', '/connectors/ps/pause')).status, 202);
  await c.waitFor('source paused', async () => (await statusOf(c, survivor, 'ps')).tasks.every((x: any) => x.state === 'PAUSED'));
  await sleep(500);
  const written = await c.readAll('pipe');
  assert.ok(written.length > 100);
  await c.waitFor('the sink got every record', () => written.every((v) => collected.has(v)), 40_000);
  assert.deepEqual(gaps(written), []);
  assert.deepEqual(violations, []);
});

test('Redis restarts and loses everything (own redis-server, no persistence): tasks keep running, nothing restarts, no gap', async (t) => {
  const own = await startOwnRedis();
  // headroom for a loaded machine: a renewal may be late by up to lease − margin − stop budget before tasks stop
  const c = await cluster(t, 'dist-restart', own.url, { 'session.timeout.ms': String(LEASE_MS * 2) });
  t.after(() => own.stop()); // after the workers closed
  const [w1, w2] = [await c.add(), await c.add()];
  assert.equal((await c.request(w1, 'POST', '/connectors', { name: 'rr', config: { 'connector.class': 'SeqSource', topic: 'restarts', 'tasks.max': '3' } })).status, 201);
  const s = await c.waitFor('3 tasks running', async () => { const x = await statusOf(c, w2, 'rr'); return allRunning(x, 3) ? x : null; });
  await sleep(500);
  const startsBefore = starts.filter((x) => x.key.startsWith('rr/')).length;
  await own.restart(200);
  await sleep(LEASE_MS * 2);
  const after = await statusOf(c, w1, 'rr');
  assert.ok(allRunning(after, 3));
  assert.deepEqual(taskWorkers(after), taskWorkers(s), 'nothing moved');
  assert.equal(starts.filter((x) => x.key.startsWith('rr/')).length, startsBefore, 'no task restarted');
  // commands between workers (BullMQ) work again: restart task 0 through the worker that does not run it
  const other = [w1, w2].find((w) => w.workerId !== after.tasks[0].worker_id)!;
  const n0 = starts.filter((x) => x.key === 'rr/0').length;
  assert.equal((await c.request(other, 'POST', '/connectors/rr/tasks/0/restart')).status, 204);
  await c.waitFor('task 0 restarted', () => starts.filter((x) => x.key === 'rr/0').length > n0);
  assert.deepEqual(gaps(await c.readAll('restarts')), []);
  assert.deepEqual(violations, []);
});

test('three worker processes: kill -9 one, then a Redis outage — tasks resume elsewhere, nothing lost', async (t) => {
  const broker = await startBroker();
  const proxy = await new RedisProxy().start();
  const prefix = testPrefix();
  const dir = tempDir('tributary-dist-cli-');
  const children: RunningCli[] = [];
  t.after(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.allSettled(children.map((c) => c.exited));
    await proxy.close();
    await broker.stop();
    await deleteKeys(prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const spawnWorker = async (i: number) => {
    const w = await spawnCli(['connect', '--bootstrap', broker.bootstrap, '--redis', proxy.url, '--group-id', 'cli-group', '--connect-port', '0', '--data-dir', path.join(dir, `w${i}`),
      '--set', `session.timeout.ms=${LEASE_MS}`, '--set', 'heartbeat.interval.ms=300', '--set', 'task.shutdown.graceful.timeout.ms=1000', '--set', `redis.key.prefix=${prefix}`,
      '--set', 'offset.flush.interval.ms=200', '--set', 'offset.storage.partitions=5', '--set', 'status.storage.partitions=3'], ['connect'], 60_000);
    children.push(w);
    return w;
  };
  const tSpawn = Date.now();
  const ws = await Promise.all([0, 1, 2].map(spawnWorker));
  t.diagnostic(`3 worker processes up after ${Date.now() - tSpawn} ms`);
  const url = (w: RunningCli) => `http://127.0.0.1:${w.ports.connect}`;
  const get = async (w: RunningCli, p: string) => { const r = await fetch(url(w) + p); return { status: r.status, body: await r.json() as any }; };
  const waitFor = async <T>(what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try { const v = await fn(); if (v) return v as NonNullable<T>; } catch { /* not yet */ }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const created = await fetch(url(ws[1]) + '/connectors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'orders', config: { 'connector.class': 'DatagenSourceConnector', topic: 'cli-orders', 'tasks.max': '3', 'interval.ms': '50', 'batch.size': '5' } }) });
  assert.equal(created.status, 201);
  const s = await waitFor('3 tasks running', async () => { const r = await get(ws[0], '/connectors/orders/status'); return allRunning(r.body, 3) ? r.body : null; });
  const victim = ws.find((w) => taskWorkers(s).includes(`127.0.0.1:${w.ports.connect}`))!;
  const victimId = `127.0.0.1:${victim.ports.connect}`;
  const survivor = ws.find((w) => w !== victim)!;
  await sleep(500);

  const t0 = Date.now();
  victim.child.kill('SIGKILL');
  await victim.exited;
  await waitFor('tasks of the killed worker running elsewhere', async () => {
    const r = await get(survivor, '/connectors/orders/status');
    return allRunning(r.body, 3) && r.body.connector.worker_id !== victimId && !taskWorkers(r.body).includes(victimId);
  }, LEASE_MS * 20);
  // how fast is the benchmark's (npm run bench -- connect-distributed): a loaded machine stretches it
  const failover = Date.now() - t0;
  t.diagnostic(`kill -9 → tasks running on the other workers after ${failover} ms (lease ${LEASE_MS} ms)`);
  await sleep(500);

  // Redis goes away for longer than the lease: workers stop their tasks, say why in status, and resume when it is back
  const tCut = Date.now();
  proxy.cut();
  const down = await waitFor('status to report the outage', async () => {
    const r = await get(survivor, '/connectors/orders/status');
    const said = r.body.tasks.some((x: any) => /Redis unreachable/.test(x.trace ?? ''));
    // every task stopped by now (its worker could no longer prove its lease)
    return said && r.body.tasks.every((x: any) => x.state !== 'RUNNING') ? r.body : null;
  }, LEASE_MS * 4);
  assert.ok(down.tasks.length === 3);
  t.diagnostic(`Redis cut: outage in status after ${Date.now() - tCut} ms`);
  const tBack = Date.now();
  proxy.restore();
  await waitFor('tasks running again after Redis came back', async () => {
    const r = await get(survivor, '/connectors/orders/status');
    return allRunning(r.body, 3) && r.body.tasks.every((x: any) => !x.trace);
  }, LEASE_MS * 5);
  t.diagnostic(`Redis back: tasks running again after ${Date.now() - tBack} ms`);
  await sleep(1000);

  // every task's sequence is complete (datagen ids are n × 3 + task); duplicates only from uncommitted tails
  const kafka = new Kafka({ clientId: 'dist-cli-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const high = Number((await admin.fetchTopicOffsets('cli-orders'))[0].high);
  await admin.disconnect();
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: `check-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'cli-orders', fromBeginning: true });
  await withTimeout('reading cli-orders', new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => {
      const id = (JSON.parse(message.value!.toString()).payload ?? JSON.parse(message.value!.toString())).id as number;
      values.push(`${id % 3}:${Math.floor(id / 3)}`);
      if (Number(message.offset) >= high - 1) resolve();
    } });
  })).finally(() => consumer.disconnect());
  assert.ok(values.length > 100, `${values.length} records`);
  assert.deepEqual(gaps(values), []);
  const dups = values.length - new Set(values).size;
  t.diagnostic(`${values.length} records, ${dups} duplicates after a kill -9 and a Redis outage`);
  assert.ok(dups <= 3 * 2 * 60, `${dups} duplicates`);
});
