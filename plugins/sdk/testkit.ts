// Test kit for connector plugins: a broker and a Connect worker on free ports in a
// temp dir, driven through the real REST API, with helpers to produce, consume and
// wait for statuses. Not part of the SDK's runtime surface (plugins import
// `index.ts`); tests import this file.
//
//   const kit = await startTestKit({ workerConfig: { 'plugin.path': pluginDir } });
//   t.after(() => kit.close());
//   await kit.createConnector('src', { 'connector.class': 'MySource', topic: 't' });
//   await kit.waitForRunning('src');
//   const msgs = await kit.consume('t', { count: 10 });
//
// Where the broker and worker come from is a `TestPlatform`. The default runs the
// `tributary` command (TRIBUTARY_BIN, or `tributary` on PATH) as child processes:
// the plugin under test is loaded from `plugin.path` exactly as in production. The
// platform's own tests inject an in-process one (test/helpers/connect.ts), which
// also takes manifests given in-process (`plugins`). The SDK imports nothing of
// the platform.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { PluginManifest } from './connector.ts';

export interface TestKitOptions<W = unknown> {
  /** Plugins given in-process (besides the built-ins, plugins/* and plugin.path); needs an in-process platform. */
  plugins?: PluginManifest[];
  /** Worker config (Kafka Connect names); offset.flush.interval.ms defaults to 200 here. */
  workerConfig?: Record<string, string>;
  /** Broker config (Kafka names). */
  brokerConfig?: Record<string, string>;
  /** Schema registry URL handed to the worker (registry converters). */
  registryUrl?: string;
  /** Load the repository's plugins/* (the example plugins) too; default true. */
  scanPluginsDir?: boolean;
  /** Use an existing broker instead of starting one. */
  bootstrap?: string;
  /** Handed to the platform (the in-process one takes a pino logger). */
  logger?: unknown;
  /** Where broker and worker come from; default: `processPlatform()`. */
  platform?: TestPlatform<W>;
}

/** What a platform is asked to start: everything but `platform` from TestKitOptions, with defaults applied. */
export interface PlatformStartOptions {
  /** temp dir of this kit (removed on close) */
  dir: string;
  workerConfig: Record<string, string>;
  brokerConfig: Record<string, string>;
  registryUrl?: string;
  plugins?: PluginManifest[];
  scanPluginsDir?: boolean;
  bootstrap?: string;
  logger?: unknown;
}

export interface RunningWorker<W = unknown> {
  /** REST base URL */
  url: string;
  /** the platform's handle of the worker (in-process: the running Connect runtime) */
  worker: W;
}

export interface RunningPlatform<W = unknown> extends RunningWorker<W> {
  bootstrap: string;
  /** Stops the worker and starts a new one on the same broker. */
  restartWorker(): Promise<RunningWorker<W>>;
  close(): Promise<void>;
}

export interface TestPlatform<W = unknown> {
  start(o: PlatformStartOptions): Promise<RunningPlatform<W>>;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

export interface HttpResult<T = any> { status: number; body: T; headers: Headers }

export interface TestKit<W = unknown> {
  bootstrap: string;
  /** REST base URL of the worker, e.g. http://127.0.0.1:40213 */
  url: string;
  kafka: Kafka;
  /** the platform's worker handle (in-process: the running Connect runtime) */
  connect: W;
  /** Temp directory removed on close (put files for file connectors here). */
  dir: string;
  request<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  /** POST /connectors; throws with the REST error message unless 201. */
  createConnector(name: string, config: Record<string, string>, initialState?: 'RUNNING' | 'PAUSED' | 'STOPPED'): Promise<any>;
  status(name: string): Promise<any>;
  /** Waits until the connector and (at least `tasks`, default 1) all its tasks are in `state`. */
  waitForState(name: string, state: string, opts?: { tasks?: number; timeoutMs?: number }): Promise<any>;
  waitForRunning(name: string, opts?: { tasks?: number; timeoutMs?: number }): Promise<any>;
  /** Polls fn until it returns a truthy value. */
  waitFor<T>(fn: () => T | Promise<T>, opts?: { timeoutMs?: number; intervalMs?: number; what?: string }): Promise<NonNullable<T>>;
  createTopic(topic: string, partitions?: number): Promise<void>;
  produce(topic: string, messages: { key?: string | Buffer | null; value: string | Buffer | null; headers?: IHeaders; partition?: number }[]): Promise<void>;
  /** Reads a topic from the beginning until `count` records (or timeout, then throws). */
  consume(topic: string, opts: { count: number; timeoutMs?: number }): Promise<ConsumedMessage[]>;
  /** Every record of a topic right now (reads up to the end offsets). */
  readAll(topic: string, opts?: { timeoutMs?: number }): Promise<ConsumedMessage[]>;
  /** Stops the worker and starts a new one on the same broker (state comes back from the connect-* topics). */
  restartWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestKit<W = unknown>(opts: TestKitOptions<W> = {}): Promise<TestKit<W>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-connect-'));
  const platform = opts.platform ?? (processPlatform() as unknown as TestPlatform<W>);
  const workerConfig = { 'offset.flush.interval.ms': '200', 'offset.storage.partitions': '5', 'status.storage.partitions': '3', 'consumer.heartbeat.interval.ms': '200', 'consumer.fetch.max.wait.ms': '100', ...opts.workerConfig };
  const brokerConfig = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3', ...opts.brokerConfig };
  let running: RunningPlatform<W>;
  try {
    running = await platform.start({ dir, workerConfig, brokerConfig, registryUrl: opts.registryUrl, plugins: opts.plugins, scanPluginsDir: opts.scanPluginsDir, bootstrap: opts.bootstrap, logger: opts.logger });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const bootstrap = running.bootstrap;
  const kafka = new Kafka({ clientId: 'testkit', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();

  const request = async <T>(method: string, p: string, body?: unknown): Promise<HttpResult<T>> => {
    const res = await fetch(kit.url + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, body: json as T, headers: res.headers };
  };

  const waitFor = async <T>(fn: () => T | Promise<T>, o: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> => {
    const deadline = Date.now() + (o.timeoutMs ?? 15000);
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v as NonNullable<T>;
      } catch (e) { last = e; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${o.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
    }
  };

  const readTopic = async (topic: string, until: (got: ConsumedMessage[]) => boolean, timeoutMs: number): Promise<ConsumedMessage[]> => {
    const got: ConsumedMessage[] = [];
    const consumer = kafka.consumer({ groupId: `testkit-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let done!: () => void;
      const finished = new Promise<void>((r) => { done = r; });
      if (until(got)) done();
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message: m }) => {
          got.push({
            topic: t, partition, offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null, timestamp: Number(m.timestamp),
            headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)])),
          });
          if (until(got)) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise((_r, rej) => { timer = setTimeout(() => rej(new Error(`consumed ${got.length} records of ${topic} before the timeout`)), timeoutMs); })]).finally(() => clearTimeout(timer));
    } finally {
      await consumer.disconnect();
    }
    return got.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  };

  const kit: TestKit<W> = {
    bootstrap,
    url: running.url,
    kafka,
    connect: running.worker,
    dir,
    request,
    async createConnector(name, config, initialState) {
      const r = await request('POST', '/connectors', { name, config, ...(initialState ? { initial_state: initialState } : {}) });
      if (r.status !== 201) throw new Error(`POST /connectors answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async status(name) {
      const r = await request('GET', `/connectors/${encodeURIComponent(name)}/status`);
      if (r.status !== 200) throw new Error(`GET status answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async waitForState(name, state, o = {}) {
      const tasks = o.tasks ?? 1;
      return waitFor(async () => {
        const s = await kit.status(name);
        return s.connector.state === state && s.tasks.length >= tasks && s.tasks.every((t: { state: string }) => t.state === state) ? s : null;
      }, { timeoutMs: o.timeoutMs, what: `${name} to be ${state}` });
    },
    waitForRunning(name, o) { return kit.waitForState(name, 'RUNNING', o); },
    waitFor,
    async createTopic(topic, partitions = 1) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
    },
    async produce(topic, messages) {
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers, ...(m.partition !== undefined ? { partition: m.partition } : {}) })) });
    },
    consume(topic, o) { return readTopic(topic, (g) => g.length >= o.count, o.timeoutMs ?? 15000); },
    async readAll(topic, o = {}) {
      const ends = await admin.fetchTopicOffsets(topic);
      const want = new Map(ends.map((e) => [e.partition, Number(e.high)]));
      const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
      if (total === 0) return [];
      return readTopic(topic, (g) => [...want].every(([p, high]) => high === 0 || g.some((m) => m.partition === p && m.offset >= high - 1)), o.timeoutMs ?? 15000);
    },
    async restartWorker() {
      const w = await running.restartWorker();
      kit.connect = w.worker;
      kit.url = w.url;
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await running.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return kit;
}

// ------------------------------------------------------------------ the default platform: child processes

export interface ProcessPlatformOptions {
  /** The tributary executable: a path to bin/tributary.mjs (run with this node) or a command; default TRIBUTARY_BIN, else `tributary`. */
  bin?: string;
  /** How long to wait for each process to listen (default 30 s). */
  startTimeoutMs?: number;
}

interface Child { proc: ChildProcess; port: number; output: () => string; stop(): Promise<void> }

const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

function spawnTributary(bin: string, args: string[], component: string, timeoutMs: number): Promise<Child> {
  const js = /\.(m?js|ts)$/.test(bin);
  const proc = spawn(js ? process.execPath : bin, js ? [bin, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  children.add(proc);
  let out = '';
  const exited = new Promise<void>((r) => proc.on('exit', () => { children.delete(proc); r(); }));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`tributary ${args[0]} did not listen within ${timeoutMs} ms; output:\n${out}`)); }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(new RegExp(`${component} listening on [^\\s]*:(\\d+)`));
      if (m) { clearTimeout(timer); resolve({ proc, port: Number(m[1]), output: () => out, stop }); }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${bin} (set TRIBUTARY_BIN to the tributary executable): ${e.message}`)); });
    proc.on('exit', (c) => { clearTimeout(timer); reject(new Error(`tributary ${args[0]} exited with ${c} before listening:\n${out}`)); });
  });
}

const setArgs = (cfg: Record<string, string>) => Object.entries(cfg).flatMap(([k, v]) => ['--set', `${k}=${v}`]);

/**
 * Runs `tributary broker` and `tributary connect` as child processes on free ports:
 * what a plugin outside the repository tests against. Plugins come from `plugin.path`
 * in workerConfig (in-process manifests cannot cross a process boundary).
 */
export function processPlatform(o: ProcessPlatformOptions = {}): TestPlatform<{ pid: number | undefined }> {
  const bin = o.bin ?? process.env.TRIBUTARY_BIN ?? 'tributary';
  const timeout = o.startTimeoutMs ?? 30000;
  return {
    async start(s) {
      if (s.plugins?.length) throw new Error('processPlatform cannot take in-process plugin manifests: give the plugin folder in workerConfig["plugin.path"]');
      let broker: Child | null = null;
      let bootstrap = s.bootstrap;
      if (!bootstrap) {
        broker = await spawnTributary(bin, ['broker', '--kafka-port', '0', '--data-dir', path.join(s.dir, 'broker'), ...setArgs(s.brokerConfig)], 'kafka', timeout);
        bootstrap = `127.0.0.1:${broker.port}`;
      }
      const startWorker = async () => {
        const args = ['connect', '--bootstrap', bootstrap!, '--connect-port', '0', '--data-dir', path.join(s.dir, 'connect'), ...(s.registryUrl ? ['--registry', s.registryUrl] : []), ...setArgs(s.workerConfig)];
        return spawnTributary(bin, args, 'connect', timeout);
      };
      let worker: Child;
      try { worker = await startWorker(); } catch (e) { await broker?.stop(); throw e; }
      const handle = (c: Child) => ({ url: `http://127.0.0.1:${c.port}`, worker: { pid: c.proc.pid } });
      return {
        bootstrap, ...handle(worker),
        async restartWorker() { await worker.stop(); worker = await startWorker(); return handle(worker); },
        async close() { await worker.stop(); await broker?.stop(); },
      };
    },
  };
}
