// task.isolation=thread: each task runs on its own worker thread (task-thread.ts), as
// Kafka Connect gives each task a thread, so a task that computes or blocks in poll()
// or put() stalls neither the broker and REST sharing this event loop nor other tasks.
// ThreadTaskRunner is the task as the herder sees it. It watches the thread's heartbeat:
// a thread that does not return to its event loop for task.blocked.threshold.ms is
// reported FAILED with a "blocked" trace (and a log line) until its heartbeat has been
// regular again for as long; stopping it ends the thread after the graceful timeout.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { relog } from './thread-logs.ts';
import type { Props } from '../../plugins/sdk/index.ts';
import type { ConnectState } from '../storage/state.ts';
import { traceOf } from '../errors.ts';
import { newCounters, type ErrorCounters } from './error-handler.ts';
import type { Plugins } from './plugins.ts';
import type { TaskSpec } from './task-factory.ts';
import { newRecordCounters, type RecordCounters, type TaskListener, type TaskRunner, type TaskState } from './task-runner.ts';
import { listOf } from './transform-chain.ts';
import { taskThreadBundle } from './task-thread-bundle.ts';
import { HEARTBEAT_MS, type FromThread, type ThreadInit, type ToThread } from './task-thread-protocol.ts';

const ENTRY = new URL('./task-thread-entry.mjs', import.meta.url);
const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

/**
 * The plugin folders a task thread must load for this connector config (connector,
 * converters, transforms, predicates), or null when one of them was given in-process
 * (embedding, tests): such a class exists only in this thread, so the task runs here.
 */
export function threadablePluginLocations(plugins: Plugins, config: Props, workerRaw: Record<string, string>): string[] | null {
  const names = [config['connector.class'], config['key.converter'] ?? workerRaw['key.converter'] ?? JSON_CONVERTER, config['value.converter'] ?? workerRaw['value.converter'] ?? JSON_CONVERTER];
  for (const t of listOf(config.transforms)) names.push(config[`transforms.${t}.type`]);
  for (const p of listOf(config.predicates)) names.push(config[`predicates.${p}.type`]);
  const locations = new Set<string>();
  for (const n of names) {
    const d = n ? plugins.resolve(n) : undefined;
    if (!d) { if (n === config['connector.class']) return null; continue; } // the in-process path reports what is missing
    if (d.location.startsWith('in-process:')) return null;
    locations.add(d.location);
  }
  return [...locations];
}

/** execArgv without `--import tsx` (other preloads, such as instrumentation, stay). */
export function withoutTsx(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--import' && argv[i + 1] === 'tsx') { i++; continue; }
    if (argv[i] === '--import=tsx') continue;
    out.push(argv[i]);
  }
  return out;
}

/** Options of the process Node refused in a Worker's execArgv (found at the first refusal). */
const refusedArgv = new Set<string>();

/**
 * A Worker with the process's execArgv less what Node refuses there: process-wide
 * options such as V8's heap flags (`node --max-old-space-size=… bin/tributary.mjs`)
 * make the Worker constructor throw, and they apply to every thread of the process anyway.
 */
export function newWorker(entry: URL, o: { name: string; execArgv: string[] }): Worker {
  const argv = o.execArgv.filter((a) => !refusedArgv.has(a));
  try {
    return new Worker(entry, { ...o, execArgv: argv });
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    // "Initiated Worker with invalid execArgv flags: --a, --b"
    const listed = (e as Error).message.slice((e as Error).message.indexOf(': ') + 2).split(', ');
    for (const f of listed) if (argv.includes(f)) refusedArgv.add(f);
    if (!listed.some((f) => argv.includes(f))) throw e;
    return new Worker(entry, { ...o, execArgv: argv.filter((a) => !refusedArgv.has(a)) });
  }
}

/**
 * Task threads. A thread spends ~0.6 s of CPU loading its modules and warming up
 * (the bundle, the converters, the codecs), so the worker starts `task.thread.spares`
 * threads (default 1) with itself, before any task needs one: a task starting finds its
 * thread loaded. A spare taken is replaced a little after the task that took it has
 * started (REPLENISH_DELAY_MS): loading it (~0.6 s of CPU) beside the task's first burst of
 * work cost the task ~3 µs CPU per record over a 200,000-record file source run.
 * A thread whose task stopped cleanly goes back to the spares (its modules stay
 * loaded); a task that had to be ended gets a fresh one started. Threads start on the
 * pre-bundled entry (task-thread-bundle.ts), or on the tsx entry when it is unavailable.
 */
/** How long after a task started on a spare its replacement starts loading. */
export const REPLENISH_DELAY_MS = 3000;

export class TaskThreadPool {
  private spares: Worker[] = [];
  private closed = false;
  private replenishTimer: NodeJS.Timeout | null = null;
  private entry: URL = ENTRY;

  /** @param size spares kept loaded (0: threads start when a task needs one; a stopped task's thread is still kept) */
  constructor(private readonly size = 0, private readonly logger?: Pick<Logger, 'warn'>) {}

  /** Finds (or builds) the bundled entry, then starts the spares. Called when the worker starts; never rejects. */
  async start(): Promise<void> {
    try {
      const entry = await taskThreadBundle();
      if (this.closed) return;
      this.entry = entry;
    } catch (e) {
      this.logger?.warn({ err: e }, `task threads start from TypeScript sources (slower): the bundled task thread could not be built: ${(e as Error)?.message ?? e}`);
    }
    this.replenish();
  }

  private spawn(): Worker {
    // a bundle removed under a long-running worker (task-thread-bundle.ts keeps them a week): the tsx entry
    if (this.entry !== ENTRY && !fs.existsSync(fileURLToPath(this.entry))) this.entry = ENTRY;
    // a bundled thread needs no tsx preloaded (`node --import tsx` as tests and benchmarks run): it registers it for a TypeScript plugin only
    const w = newWorker(this.entry, { name: 'connect-task', execArgv: this.entry === ENTRY ? process.execArgv : withoutTsx(process.execArgv) });
    // a thread that failed to load is reported by the runner that takes it (its 'error'/'exit')
    w.on('error', () => undefined);
    return w;
  }

  private keep(w: Worker): void {
    w.unref();
    w.once('exit', () => { this.spares = this.spares.filter((x) => x !== w); });
    this.spares.push(w);
  }

  /** Spares started and not taken (loaded or still loading). */
  get spareCount(): number { return this.spares.length; }

  /** A thread for a task starting now: a spare if there is one. */
  take(): Worker {
    let w: Worker | undefined;
    while ((w = this.spares.shift()) && w.threadId < 0) { /* ended meanwhile */ }
    if (!w) return this.spawn();
    w.ref();
    return w;
  }

  /** A thread whose task stopped cleanly: kept as a spare (its modules stay loaded) if there is room. */
  release(w: Worker): void {
    if (this.closed || this.spares.length >= Math.max(1, this.size)) { void w.terminate(); return; }
    this.keep(w);
  }

  /** Starts threads until task.thread.spares are loaded (at the worker's start, and after a task took one). */
  replenish(): void {
    while (!this.closed && this.spares.length < this.size) this.keep(this.spawn());
  }

  /** replenish() `delayMs` from now (once, however often asked meanwhile): a task that took a spare has just started. */
  replenishSoon(delayMs = REPLENISH_DELAY_MS): void {
    if (this.closed || this.replenishTimer || this.spares.length >= this.size) return;
    this.replenishTimer = setTimeout(() => { this.replenishTimer = null; this.replenish(); }, delayMs);
    this.replenishTimer.unref();
  }

  /** Starts a spare if fewer than task.thread.spares (at least one) are loaded. */
  prepare(): void {
    if (this.closed || this.spares.length >= Math.max(1, this.size)) return;
    this.keep(this.spawn());
  }

  close(): void {
    this.closed = true;
    if (this.replenishTimer) clearTimeout(this.replenishTimer);
    for (const w of this.spares) void w.terminate();
    this.spares = [];
  }
}

export interface ThreadRunnerOptions {
  spec: TaskSpec;
  locations: string[];
  bootstrap: string | string[];
  state: ConnectState;
  /** the task's logger: the thread's log lines are written through it */
  logger: Logger;
  listener: TaskListener;
  fence?: () => boolean;
  readOffsetsToEnd?: () => Promise<void>;
  /** 0 = no check */
  blockedThresholdMs: number;
  gracefulTimeoutMs: number;
  pool: TaskThreadPool;
}

export class ThreadTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  counters: ErrorCounters = newCounters();
  records: RecordCounters = newRecordCounters();
  progress: Record<string, unknown> | null = null;
  fenced = false;
  private worker: Worker | null = null;
  private readonly shared = new SharedArrayBuffer(16);
  private readonly tick = new Float64Array(this.shared, 0, 1);
  private readonly flags = new Int32Array(this.shared, 8, 2);
  private monitor: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private exited = false;
  private level: string;
  /** the state the task itself last reported (what a blocked report hides) */
  private reported: { state: TaskState; trace: string | null } | null = null;
  private blocked = false;
  private regularSince = 0;
  private onStarted!: () => void;
  private readonly started = new Promise<void>((r) => { this.onStarted = r; });
  private onStopped!: () => void;
  private readonly stopped = new Promise<void>((r) => { this.onStopped = r; });

  constructor(private readonly o: ThreadRunnerOptions) {
    this.connector = o.spec.connector;
    this.taskId = o.spec.taskId;
    this.generation = o.spec.generation;
    this.level = o.logger.level;
  }

  async start(): Promise<void> {
    const o = this.o;
    const init: ThreadInit = { spec: o.spec, locations: o.locations, bootstrap: o.bootstrap, shared: this.shared, fenced: !!o.fence, logLevel: this.level };
    const w = o.pool.take();
    this.worker = w;
    w.postMessage({ t: 'init', init } satisfies ToThread);
    const onMessage = (m: FromThread) => this.onMessage(m);
    const onError = (e: Error) => {
      // an exception nothing in the thread caught: the thread is gone
      o.logger.error({ err: e }, `the thread of task ${this.connector}-${this.taskId} failed`);
      if (!this.stopping) this.setState('FAILED', traceOf(e));
    };
    const onExit = (code: number) => {
      this.exited = true;
      if (this.monitor) clearInterval(this.monitor);
      if (!this.stopping && code !== 0 && this.reported?.state !== 'FAILED') this.setState('FAILED', `org.apache.kafka.connect.errors.ConnectException: the thread of task ${this.connector}-${this.taskId} exited with code ${code}`);
      this.onStarted();
      this.onStopped();
    };
    w.on('message', onMessage).on('error', onError).on('exit', onExit);
    this.detach = () => { w.off('message', onMessage).off('error', onError).off('exit', onExit); };
    const every = Math.max(20, Math.min(500, Math.floor((o.blockedThresholdMs || 2000) / 4)));
    this.monitor = setInterval(() => this.check(), every);
    this.monitor.unref();
    await this.started;
    o.pool.replenishSoon();
  }

  private post(m: ToThread) { if (!this.exited) this.worker?.postMessage(m); }

  private setState(state: TaskState, trace: string | null) {
    this.o.listener.onState(this.connector, this.taskId, state, trace, this.generation);
  }

  /** Heartbeat and log level, a few times a second. */
  private check() {
    const o = this.o;
    if (o.logger.level !== this.level) { this.level = o.logger.level; this.post({ t: 'level', level: this.level }); }
    const threshold = o.blockedThresholdMs;
    // 0: the thread is still loading its modules (not counted)
    if (!threshold || this.stopping || this.exited || !this.tick[0]) return;
    const now = Date.now();
    const lag = now - this.tick[0];
    if (!this.blocked) {
      if (lag <= threshold) return;
      this.blocked = true;
      this.regularSince = 0;
      const c = this.connector, t = this.taskId;
      const msg = `Task ${c}-${t} is blocked: its thread has not returned to its event loop for ${lag} ms (task.blocked.threshold.ms=${threshold}). A poll(), put() or other task method computing or waiting synchronously holds it; the broker and the other tasks are not affected. Restart the task (POST /connectors/${c}/tasks/${t}/restart) to end its thread.`;
      o.logger.error({ blockedMs: lag }, msg);
      this.setState('FAILED', `org.apache.kafka.connect.errors.ConnectException: ${msg}`);
      return;
    }
    // blocked: back to what the task reported once the heartbeat was regular for as long as the threshold
    if (lag > Math.min(1000, threshold / 2)) { this.regularSince = 0; return; }
    if (!this.regularSince) { this.regularSince = now; return; }
    if (now - this.regularSince < threshold) return;
    this.blocked = false;
    o.logger.info(`Task ${this.connector}-${this.taskId} is no longer blocked`);
    const r = this.reported ?? { state: 'RUNNING' as TaskState, trace: null };
    this.setState(r.state, r.trace);
  }

  private onMessage(m: FromThread) {
    switch (m.t) {
      case 'state':
        this.reported = { state: m.state, trace: m.trace };
        if (!this.blocked || m.state === 'FAILED') { if (m.state === 'FAILED') this.blocked = false; this.setState(m.state, m.trace); }
        break;
      case 'logs': for (const l of m.lines) relog(this.o.logger, l); break;
      case 'stats': {
        this.counters = m.counters; if (m.records) this.records = m.records; this.progress = m.progress;
        const w = this.statsWaiters; this.statsWaiters = []; for (const r of w) r();
        break;
      }
      case 'call': void this.answer(m.id, m.op, m.args); break;
      case 'started': this.onStarted(); break;
      case 'fence':
        // the thread waits on flags[1]
        Atomics.store(this.flags, 0, this.o.fence?.() ? 1 : 0);
        Atomics.store(this.flags, 1, 1);
        Atomics.notify(this.flags, 1);
        break;
      case 'stopped': this.fenced = m.fenced; this.cleanStop = true; this.onStopped(); break;
    }
  }

  private async answer(id: number, op: string, args: unknown[]) {
    const { state, spec } = this.o;
    try {
      let value: unknown;
      if (op === 'offsets') {
        if (args[0]) await this.o.readOffsetsToEnd?.();
        value = state.offsetsOf(spec.connector);
      } else if (op === 'putOffsets') {
        await state.putOffsets(args[0] as string, args[1] as Parameters<ConnectState['putOffsets']>[1]);
      } else if (op === 'putActiveTopic') {
        await state.putActiveTopic(args[0] as string, args[1] as string, args[2] as number);
      } else throw new Error(`unknown operation ${op}`);
      this.post({ t: 'reply', id, value });
    } catch (e) {
      this.post({ t: 'reply', id, error: { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) } });
    }
  }

  private statsWaiters: (() => void)[] = [];
  private detach: () => void = () => undefined;
  /** the thread said its task stopped (it may take another) */
  private cleanStop = false;

  /** Fresh counters from the thread (a blocked thread: the last ones, after 200 ms). */
  refresh(): Promise<void> {
    if (this.exited || !this.worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 200);
      this.statsWaiters.push(() => { clearTimeout(timer); resolve(); });
      this.post({ t: 'stats' });
    });
  }

  pause(): void { this.post({ t: 'pause' }); }
  resume(): void { this.post({ t: 'resume' }); }

  /** Graceful stop inside the thread; the thread ends when it is done or after task.shutdown.graceful.timeout.ms. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // a blocked thread will most likely have to be ended: its successor's thread loads meanwhile
      if (this.blocked) this.o.pool.prepare();
      this.post({ t: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([this.stopped.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), this.o.gracefulTimeoutMs); })]);
      clearTimeout(timer);
      if (!graceful) this.o.logger.warn(`Task ${this.connector}-${this.taskId} did not stop within task.shutdown.graceful.timeout.ms (${this.o.gracefulTimeoutMs} ms); ending its thread`);
      if (this.monitor) clearInterval(this.monitor);
      const w = this.worker;
      if (!w) return;
      if (graceful && this.cleanStop && !this.exited) {
        this.detach();
        this.exited = true; // for this runner: the thread is the pool's now
        this.o.pool.release(w);
      } else {
        this.o.pool.prepare();
        await w.terminate();
      }
    })();
    return this.stopping;
  }
}
