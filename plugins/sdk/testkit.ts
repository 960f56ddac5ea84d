// Test kit for connector plugins: an embedded broker (in-process, free port, temp
// dir) and an in-process Connect worker, driven through the real REST API, with
// helpers to produce, consume and wait for statuses. Not part of the SDK's runtime
// surface (plugins import `plugins/sdk/index.ts`); tests import this file.
//
//   const kit = await startTestKit({ plugins: [myPlugin] });
//   t.after(() => kit.close());
//   await kit.createConnector('src', { 'connector.class': 'MySource', topic: 't' });
//   await kit.waitForRunning('src');
//   const msgs = await kit.consume('t', { count: 10 });
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { startBroker, type Broker } from '../../server/broker.ts';
import { startConnect, type RunningConnect } from '../../connectors/index.ts';
import type { PluginManifest } from './connector.ts';

export interface TestKitOptions {
  /** Plugins given in-process (besides the built-ins, plugins/* and plugin.path). */
  plugins?: PluginManifest[];
  /** Worker config (Kafka Connect names); offset.flush.interval.ms defaults to 200 here. */
  workerConfig?: Record<string, string>;
  /** Broker config (Kafka names). */
  brokerConfig?: Record<string, string>;
  /** Schema registry URL handed to the worker (registry converters). */
  registryUrl?: string;
  /** Load plugins/* (the example plugins) too; default true. */
  scanPluginsDir?: boolean;
  /** Use an existing broker instead of starting one. */
  bootstrap?: string;
  logger?: Logger;
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

export interface TestKit {
  bootstrap: string;
  /** REST base URL of the worker, e.g. http://127.0.0.1:40213 */
  url: string;
  kafka: Kafka;
  connect: RunningConnect;
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

export async function startTestKit(opts: TestKitOptions = {}): Promise<TestKit> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-connect-'));
  const logger = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  let broker: Broker | null = null;
  let bootstrap = opts.bootstrap;
  if (!bootstrap) {
    broker = await startBroker({
      dataDir: path.join(dir, 'broker'), port: 0,
      config: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3', ...opts.brokerConfig },
    });
    bootstrap = `127.0.0.1:${broker.port}`;
  }
  const workerConfig = { 'offset.flush.interval.ms': '200', 'offset.storage.partitions': '5', 'status.storage.partitions': '3', 'consumer.heartbeat.interval.ms': '200', 'consumer.fetch.max.wait.ms': '100', ...opts.workerConfig };
  const start = () => startConnect({ bootstrap: bootstrap!, host: '127.0.0.1', port: 0, logger, config: workerConfig, dataDir: path.join(dir, 'connect'), registryUrl: opts.registryUrl, plugins: opts.plugins, scanPluginsDir: opts.scanPluginsDir });
  let connect = await start();
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

  const kit: TestKit = {
    bootstrap,
    url: connect.url,
    kafka,
    connect,
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
      await connect.close();
      connect = await start();
      kit.connect = connect;
      kit.url = connect.url;
    },
    async close() {
      await connect.close().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await broker?.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return kit;
}
