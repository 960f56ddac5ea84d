// Task isolation (issue 21) on the real `tributary start` platform: a source task whose
// poll() busy-waits 3 s on every call runs on its own thread, so kcat produce→consume
// round trips through the same process's broker stay fast and a FileStreamSource beside
// it keeps delivering lines; the blocked task is reported FAILED with a trace naming it
// (and a log line); when its thread never comes back, a restart ends the thread and
// the task runs again. The timing bound here is generous — 1 s, or three times the same
// measure taken before the busy task starts on a loaded machine — (the 200 ms figure is
// bench/connect-isolation.bench.ts's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';

/** A plugin folder: a source whose poll() reads `control.file`: "busy" burns `busy.ms` of CPU then returns a record, "hang" spins for ever, else returns a record at once. */
function writeBusyPlugin(dir: string): string {
  const p = path.join(dir, 'busy-plugin');
  fs.mkdirSync(p, { recursive: true });
  fs.writeFileSync(path.join(p, 'index.mjs'), `
import fs from 'node:fs';
import { ConfigDef, SourceConnector, SourceTask, definePlugin } from ${JSON.stringify(path.join(ROOT, 'plugins/sdk/index.ts'))};
const def = () => new ConfigDef()
  .define({ name: 'topic', type: 'STRING', documentation: 'where to write' })
  .define({ name: 'control.file', type: 'STRING', documentation: 'busy | hang | anything else' })
  .define({ name: 'busy.ms', type: 'LONG', default: 3000, documentation: 'CPU time burnt in every poll() while busy' });
export class BusySourceConnector extends SourceConnector {
  version() { return '1.0.0'; } config() { return def(); }
  start(p) { this.p = p; } taskConfigs() { return [this.p]; } stop() {} taskClass() { return BusySourceTask; }
}
export class BusySourceTask extends SourceTask {
  version() { return '1.0.0'; }
  start(p) { this.c = def().parse(p); this.n = 0; }
  async poll() {
    const mode = fs.readFileSync(this.c['control.file'], 'utf8').trim();
    if (mode === 'hang') { fs.writeFileSync(this.c['control.file'] + '.hung', ''); for (;;) { /* never returns */ } }
    if (mode === 'busy') { const end = Date.now() + this.c['busy.ms']; while (Date.now() < end) { /* burn */ } }
    else await new Promise((r) => setTimeout(r, 100));
    const n = this.n++;
    return [{ sourcePartition: { busy: 1 }, sourceOffset: { n }, topic: this.c.topic, value: mode + ' ' + n }];
  }
  stop() {}
}
export default definePlugin({ name: 'test-busy', version: '1.0.0', connectors: { 'test.BusySourceConnector': BusySourceConnector } });
`);
  return p;
}

/** Lines kcat prints for a topic, with the time each arrived. */
function follow(bootstrap: string, topic: string) {
  const got: { line: string; at: number }[] = [];
  const p = spawn('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-u', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  p.stdout.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { got.push({ line: buf.slice(0, i), at: Date.now() }); buf = buf.slice(i + 1); } });
  return { got, stop: () => p.kill('SIGKILL') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('a busy-waiting source task runs on its own thread: the broker and a file source beside it do not notice; it is reported blocked and a restart recovers it', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const control = path.join(dir, 'control');
  fs.writeFileSync(control, 'busy');
  const platform = await spawnCli(['start', '--data-dir', path.join(dir, 'data'), '--kafka-port', '0', '--registry-port', '0', '--connect-port', '0', '--ui-port', '0',
    '--set', `plugin.path=${writeBusyPlugin(dir)}`, '--set', 'task.blocked.threshold.ms=1000', '--set', 'task.shutdown.graceful.timeout.ms=1000', '--set', 'offset.flush.interval.ms=1000'],
  ['kafka', 'connect'], 60000);
  t.after(() => platform.child.kill('SIGKILL'));
  const bootstrap = `127.0.0.1:${platform.ports.kafka}`;
  const connect = `http://127.0.0.1:${platform.ports.connect}`;
  const rest = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(connect + p, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };

  const input = path.join(dir, 'lines.txt');
  fs.writeFileSync(input, '');
  assert.equal((await rest('POST', '/connectors', { name: 'file', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'file-out', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } })).status, 201);
  for (const topic of ['rt', 'file-out', 'busy-out']) await kcat(['-b', bootstrap, '-P', '-t', topic], 'warm\n'); // topics exist before kcat -C follows them
  const rt = follow(bootstrap, 'rt');
  const files = follow(bootstrap, 'file-out');
  t.after(() => { rt.stop(); files.stop(); });
  await waitFor('the file source RUNNING', async () => (await rest('GET', '/connectors/file/status')).body.tasks[0]?.state === 'RUNNING');

  /** Round trips (a one-shot kcat producer: connect, metadata, produce acks=all, seen by the kcat consumer) and file-source lines, in ms. */
  const measure = async (tag: string, n: number) => {
    const sentAt = new Map<string, number>();
    const fileAt = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const m = `${tag}${i}`;
      sentAt.set(m, Date.now());
      await kcat(['-b', bootstrap, '-P', '-t', 'rt'], m + '\n');
      if (i % 4 === 0) { fs.appendFileSync(input, `line-${m}\n`); fileAt.set(`line-${m}`, Date.now()); }
      await sleep(150);
    }
    await waitFor('every round trip', () => [...sentAt.keys()].every((m) => rt.got.some((g) => g.line === m)), 30000);
    await waitFor('every file line', () => [...fileAt.keys()].every((l) => files.got.some((g) => g.line === l)), 30000);
    const lat = [...sentAt].map(([m, at]) => rt.got.find((g) => g.line === m)!.at - at).sort((a, b) => a - b);
    const fileLat = [...fileAt].map(([l, at]) => files.got.find((g) => g.line === l)!.at - at);
    return { p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))], lat, fileMax: Math.max(...fileLat), fileLat };
  };
  // the same measure with nothing busy: on a loaded machine a kcat process alone can take a while to start
  const base = await measure('b', 8);

  assert.equal((await rest('POST', '/connectors', { name: 'busy', config: { 'connector.class': 'test.BusySourceConnector', topic: 'busy-out', 'control.file': control, 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' } })).status, 201);
  // the busy task is reported blocked, by name, in its status and in the log
  const blocked = await waitFor('the busy task reported blocked', async () => {
    const s = (await rest('GET', '/connectors/busy/status')).body;
    return s.tasks[0]?.state === 'FAILED' && /blocked/.test(s.tasks[0].trace ?? '') ? s.tasks[0] : undefined;
  });
  assert.match(blocked.trace, /Task busy-0 is blocked: its thread has not returned to its event loop for \d+ ms \(task\.blocked\.threshold\.ms=1000\)/);
  assert.match(platform.output(), /Task busy-0 is blocked/);

  // while it busy-waits 3 s per poll: round trips stay fast (on the broker's loop they took up to 3 s) and file lines keep coming
  const busy = await measure('m', 20);
  const bound = Math.max(1000, 3 * base.p99);
  assert.ok(busy.p99 < bound, `produce→consume p99 ${busy.p99} ms while a task busy-waits 3 s per poll (bound ${bound}; all: ${busy.lat.join(', ')}; idle: ${base.lat.join(', ')})`);
  const fileBound = Math.max(1500, 3 * base.fileMax);
  assert.ok(busy.fileMax < fileBound, `file source lines took ${busy.fileLat.join(', ')} ms (bound ${fileBound}; idle: ${base.fileLat.join(', ')})`);
  // and the busy task does produce (slowly): it is blocked, not dead
  const busyOut = follow(bootstrap, 'busy-out');
  t.after(() => busyOut.stop());
  await waitFor('a record of the busy task', () => busyOut.got.some((g) => g.line.startsWith('busy ')), 20000);

  // a thread that never comes back: a restart ends it and the task runs again
  fs.writeFileSync(control, 'hang');
  await waitFor('the task spinning for ever', () => fs.existsSync(control + '.hung'), 20000);
  fs.writeFileSync(control, 'ok');
  assert.equal((await rest('GET', '/connectors/busy/status')).body.tasks[0].state, 'FAILED');
  assert.equal((await rest('POST', '/connectors/busy/tasks/0/restart')).status, 204);
  await waitFor('the restarted task RUNNING', async () => (await rest('GET', '/connectors/busy/status')).body.tasks[0]?.state === 'RUNNING');
  await waitFor('records of the restarted task', () => busyOut.got.some((g) => g.line.startsWith('ok ')), 20000);
  // still RUNNING a while later: its new thread is not blocked
  await sleep(1500);
  const after = (await rest('GET', '/connectors/busy/status')).body;
  assert.equal(after.tasks[0].state, 'RUNNING', JSON.stringify(after));
  assert.equal((await rest('GET', '/connectors/file/status')).body.tasks[0].state, 'RUNNING');
});

test('distributed mode\'s fence reaches a task thread: once the worker no longer holds the lease, the task writes nothing more', async (t) => {
  const { startBroker } = await import('./helpers/broker.ts');
  const { default: pino } = await import('pino');
  const { ConnectState, loadWorkerConfig } = await import('../connectors/index.ts');
  const { connectClient } = await import('../connectors/kafka.ts');
  const { TaskThreadPool, ThreadTaskRunner } = await import('../connectors/runtime/task-thread-host.ts');
  const broker = await startBroker();
  t.after(() => broker.stop());
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const logger = pino({ level: 'silent' });
  const worker = loadWorkerConfig({ 'offset.storage.replication.factor': '1', 'config.storage.replication.factor': '1', 'status.storage.replication.factor': '1' });
  const state = new ConnectState(connectClient(broker.bootstrap, 'fence-test', logger), worker, logger);
  await state.start();
  t.after(() => state.stop());
  await state.admin.ensureTopic({ topic: 'fenced-out', partitions: 1, replicationFactor: 1 });
  const pool = new TaskThreadPool();
  t.after(() => pool.close());
  const input = path.join(dir, 'in.txt');
  fs.writeFileSync(input, 'a\nb\n');
  let holds = true;
  const states: { state: string; trace: string | null }[] = [];
  const STRING = 'org.apache.kafka.connect.storage.StringConverter';
  const config = { name: 'fenced', 'connector.class': 'FileStreamSource', file: input, topic: 'fenced-out', 'value.converter': STRING, 'key.converter': STRING };
  const runner = new ThreadTaskRunner({
    spec: { connector: 'fenced', taskId: 0, generation: 0, config, taskProps: { file: input, topic: 'fenced-out', 'batch.size': '100' }, startPaused: false, workerRaw: {}, flushIntervalMs: 200, eos: null },
    locations: [path.join(ROOT, 'connectors/builtin/file'), path.join(ROOT, 'connectors/builtin/converters')],
    bootstrap: broker.bootstrap, state, logger, listener: { onState: (_c, _t, s, trace) => { states.push({ state: s, trace }); } },
    fence: () => holds, blockedThresholdMs: 0, gracefulTimeoutMs: 2000, pool,
  });
  await runner.start();
  t.after(() => runner.stop());
  const out = follow(broker.bootstrap, 'fenced-out');
  t.after(() => out.stop());
  await waitFor('the lines written while the lease is held', () => out.got.length >= 2, 30000);
  holds = false;
  fs.appendFileSync(input, 'c\n');
  await waitFor('the task failing on its closed fence', () => states.some((s) => s.state === 'FAILED' && /fenced/.test(s.trace ?? '')), 30000);
  await sleep(1000);
  assert.deepEqual(out.got.map((g) => g.line), ['a', 'b'], 'nothing written after the fence closed');
});
