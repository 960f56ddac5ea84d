// The inside of a task thread (task.isolation=thread): loads the plugins the task
// needs, builds its runner with its own Kafka clients (records never cross the thread
// boundary) and runs it. What crosses, as messages to the worker (task-thread-host.ts):
// status changes, log lines in batches, counter snapshots a few times a second, and
// the few writes to the worker's state (source offsets, active topics). A heartbeat in
// shared memory tells the worker whether this thread's event loop still turns.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import { batchedLogger } from './thread-logs.ts';
import { KafkaAdmin, KafkaProducer, ensureCodecs } from '../../client/index.ts';
import { BUILTIN_PLUGINS } from '../builtin/index.ts';
import { connectClient, taskSecurity } from '../kafka.ts';
import { traceOf } from '../errors.ts';
import { canonical } from '../storage/state.ts';
import { Plugins } from './plugins.ts';
import { createTaskRunner } from './task-factory.ts';
import type { TaskRunner, TaskStateAccess, TaskState } from './task-runner.ts';
import { HEARTBEAT_MS, type FromThread, type ThreadInit, type ToThread, type OffsetEntry } from './task-thread-protocol.ts';

const port = parentPort!;
const post = (m: FromThread) => port.postMessage(m);
// a thread is started ahead of its task (the worker keeps one spare with its modules
// loaded, task-thread-host.ts): the task comes with the 'init' message
let d!: ThreadInit;
let connector = '', taskId = 0;
let tick: Float64Array<ArrayBufferLike> = new Float64Array(1);
let flags: Int32Array<ArrayBufferLike> = new Int32Array(2);
// heartbeat: the worker reads it to tell a blocked thread from a busy one
// (0 while the task's plugins load: importing modules, and registering tsx for a TypeScript plugin, is not the task blocking)
let loading = true;
setInterval(() => { if (!loading) tick[0] = Date.now(); }, HEARTBEAT_MS);
// what every task loads whatever its connector, loaded while the thread waits for its task
// (a spare): the converters (one plugin; every task has a key and a value converter) and the
// codecs (zstd is WebAssembly on Node 20, compiled on the first send or fetch)
// (a task never waits for the warm-up longer than a second)
const warm = Promise.race([
  Promise.allSettled([
    BUILTIN_PLUGINS.find((b) => b.name === 'converters')?.load(),
    ensureCodecs(),
  ]),
  new Promise((r) => setTimeout(r, 1000).unref()),
]);

// log lines go to the worker in batches; it writes them through the task's logger
const { logger, flush: flushLogs } = batchedLogger('info', (lines) => post({ t: 'logs', lines }));

let nextCall = 0;
const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function call<T>(op: 'offsets' | 'putOffsets' | 'putActiveTopic', args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = ++nextCall;
    calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ t: 'call', id, op, args });
  });
}

/** The task's view of the worker's state: its connector's offsets (a copy kept current by its own commits), writes forwarded. */
class StateProxy implements TaskStateAccess {
  readonly offsets = new Map<string, Map<string, OffsetEntry>>();
  private topics = new Set<string>();
  offset(c: string, partition: Record<string, unknown>): Record<string, unknown> | null {
    return this.offsets.get(c)?.get(canonical(partition))?.offset ?? null;
  }
  load(entries: OffsetEntry[]) { this.offsets.set(connector, new Map(entries.map((e) => [canonical(e.partition), e]))); }
  async putOffsets(c: string, entries: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[]): Promise<void> {
    await call('putOffsets', [c, entries]);
    let m = this.offsets.get(c);
    if (!m) this.offsets.set(c, (m = new Map()));
    for (const e of entries) if (e.offset === null) m.delete(canonical(e.partition)); else m.set(canonical(e.partition), e as OffsetEntry);
  }
  async putActiveTopic(c: string, topic: string, task: number): Promise<void> {
    if (this.topics.has(topic)) return;
    this.topics.add(topic);
    await call('putActiveTopic', [c, topic, task]);
  }
}

let runner: TaskRunner | null = null;
let admin: KafkaAdmin | null = null;
let dlq: KafkaProducer | null = null;
let lastStats = '';
function sendStats(force = false) {
  if (!runner) return;
  const s = { counters: runner.counters, records: runner.records ?? null, progress: runner.progress ?? null };
  const json = JSON.stringify(s);
  if (!force && json === lastStats) return;
  lastStats = json;
  post({ t: 'stats', ...s });
}
setInterval(() => sendStats(), 250);

async function build(): Promise<void> {
  const plugins = new Plugins(pino({ level: 'silent' }));
  for (const loc of d.locations) {
    const b = BUILTIN_PLUGINS.find((x) => x.location === loc);
    if (b) await plugins.loadBuiltin(b); else await plugins.loadFrom(loc);
  }
  if (plugins.failures.length) throw new Error(`the task thread could not load ${plugins.failures.map((f) => `${f.location} (${f.reason})`).join(', ')}`);
  const client = connectClient(d.bootstrap, 'tributary-connect', logger, d.spec.workerRaw);
  // the task's admin and dead letter producer: Kafka's admin.* / producer.* (and the connector's .override.*) security settings
  admin = new KafkaAdmin({ ...client, security: taskSecurity(d.spec.workerRaw, d.spec.config, 'admin') });
  dlq = new KafkaProducer({ ...client, security: taskSecurity(d.spec.workerRaw, d.spec.config, 'producer'), clientId: `tributary-connect-dlq-${connector}-${taskId}`, autoCreateTopics: true });
  const state = new StateProxy();
  state.load(await call<OffsetEntry[]>('offsets', [false]));
  runner = await createTaskRunner(d.spec, {
    client, plugins, state, admin, logger, dlqProducer: dlq,
    listener: { onState: (_c: string, _t: number, s: TaskState, trace: string | null) => { flushLogs(); post({ t: 'state', state: s, trace }); } },
    // distributed mode: asked synchronously before each write, as on the worker's loop (the lease is time-bound there)
    ...(d.fenced ? { fence: askFence } : {}),
    // exactly-once: after InitProducerId fenced older instances, the worker reads connect-offsets to its end
    readOffsetsToEnd: async () => { state.load(await call<OffsetEntry[]>('offsets', [true])); },
  });
}

/** The worker's fence, synchronously: it answers in shared memory while this thread waits (a reply missing for 2 s counts as closed). */
function askFence(): boolean {
  Atomics.store(flags, 1, 0);
  post({ t: 'fence' });
  return Atomics.wait(flags, 1, 0, 2000) !== 'timed-out' && Atomics.load(flags, 0) === 1;
}

let stopping = false;
let started: Promise<void> | null = null;

function begin(init: ThreadInit): void {
  d = init;
  ({ connector, taskId } = d.spec);
  tick = new Float64Array(d.shared, 0, 1);
  flags = new Int32Array(d.shared, 8, 2);
  loading = true;
  tick[0] = 0;
  logger.level = d.logLevel;
  started = warm.then(build).then(async () => {
    loading = false;
    tick[0] = Date.now(); // from here on the worker counts
    if (stopping) return;
    await runner!.start();
    sendStats(true);
  }).catch((e) => {
    logger.error({ err: e }, 'task failed to start');
    flushLogs();
    post({ t: 'state', state: 'FAILED', trace: traceOf(e) });
  }).finally(() => post({ t: 'started' }));
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await (started ?? Promise.resolve());
  if (runner) {
    try { await runner.stop(); } catch (e) { logger.warn({ err: e }, 'task stop failed'); }
  }
  await dlq?.close().catch(() => undefined);
  await admin?.close().catch(() => undefined);
  sendStats(true);
  flushLogs();
  post({ t: 'stopped', fenced: !!runner?.fenced });
  // the thread may be given another task (the worker keeps it as its spare)
  runner = null; admin = null; dlq = null; started = null; lastStats = '';
  stopping = false;
}

port.on('message', (m: ToThread) => {
  switch (m.t) {
    case 'reply': {
      const c = calls.get(m.id);
      calls.delete(m.id);
      if (c) { if (m.error) c.reject(Object.assign(new Error(m.error.message), { name: m.error.name })); else c.resolve(m.value); }
      break;
    }
    case 'init': begin(m.init); break;
    case 'pause': void started?.then(() => runner?.pause()); break;
    case 'resume': void started?.then(() => runner?.resume()); break;
    case 'level': logger.level = m.level; break;
    case 'stop': void stop(); break;
    case 'stats': sendStats(true); break;
  }
});
