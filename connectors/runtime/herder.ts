// The herder: owns connector configs and target states, runs the connectors and
// tasks the Assigner gives this worker, and answers the REST API. Operations run one
// at a time (like Kafka's herder thread), so REST calls never race each other.
import { KafkaProducer, type ClientConfig } from '../../client/index.ts';
import { taskSecurity } from '../kafka.ts';
import type { Logger } from 'pino';
import { connectorLoggerName, taskLoggerName, type LogLevels } from './log-levels.ts';
import type { Connector, ConnectorContext, Props } from '../../plugins/sdk/index.ts';
import type { ConnectState, State, StatusRecord, TargetState } from '../storage/state.ts';
import type { WorkerConfig } from '../config.ts';
import type { Assigner, Assignment } from './assigner.ts';
import type { Plugins, PluginDesc } from './plugins.ts';
import { createTaskRunner, type TaskSpec } from './task-factory.ts';
import { TaskThreadPool, ThreadTaskRunner, threadablePluginLocations } from './task-thread-host.ts';
import type { RecordCounters, TaskRunner, TaskState } from './task-runner.ts';
import { validateConnectorConfig, invalidConfigMessage, type ConfigInfos } from './validation.ts';
import { badRequest, conflict, notFound, traceOf, ConnectRestError } from '../errors.ts';
import type { ErrorCounters } from './error-handler.ts';
import { resolveConnectorConfig, reverseTransform, validateResolved } from './config-providers.ts';

export interface HerderOptions {
  /** where the broker is: every producer and consumer of the worker is made from it */
  client: ClientConfig;
  state: ConnectState;
  plugins: Plugins;
  worker: WorkerConfig;
  workerId: string;
  assigner: Assigner;
  logger: Logger;
  registryUrl?: string;
  /** Exactly-once sources: resolves once this worker read connect-offsets to its end (what a fenced-out instance committed is then visible). */
  readOffsetsToEnd?: () => Promise<void>;
  /** Dynamic log levels (/admin/loggers): names and creates the connector and task loggers. */
  logLevels?: LogLevels;
}

interface RunningConnector { name: string; desc: PluginDesc; instance: Connector; failed: boolean }

export interface ConnectorInfo { name: string; config: Props; tasks: { connector: string; task: number }[]; type: 'source' | 'sink' | 'unknown' }
export interface TaskStateInfo { id: number; state: State; worker_id: string; trace?: string }
export interface ConnectorStateInfo { name: string; connector: { state: State; worker_id: string; trace?: string }; tasks: TaskStateInfo[]; type: 'source' | 'sink' | 'unknown' }

class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

const taskKey = (c: string, t: number) => `${c}\u0000${t}`;

export class Herder {
  private readonly lock = new Lock();
  private readonly running = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, TaskRunner>();
  private assignment: Assignment = { connectors: [], tasks: [] };
  private dlqProducer!: KafkaProducer;
  private closed = false;
  private restartTimers = new Set<NodeJS.Timeout>();
  private restartBackoff = new Map<string, number>();
  private readonly threads: TaskThreadPool;
  /** Stops still running (past the graceful timeout too), by task key: a task's lease is kept until it is down. */
  private readonly stopping = new Map<string, Promise<void>>();
  ready = false;

  constructor(private readonly o: HerderOptions) {
    this.threads = new TaskThreadPool(o.worker['task.isolation'] === 'thread' ? o.worker['task.thread.spares'] : 0, o.logger);
  }

  get workerId() { return this.o.workerId; }
  private get state() { return this.o.state; }

  async start(): Promise<void> {
    // dead letter records of tasks on this loop: a producer, so the worker's producer.* security settings (task threads have their own)
    this.dlqProducer = new KafkaProducer({ ...this.o.client, security: taskSecurity(this.o.worker.raw, {}, 'producer'), clientId: `${this.o.client.clientId}-dlq`, autoCreateTopics: true });
    this.state.onExternalConfigChange = () => { void this.lock.run(() => this.reconcile()); };
    // the bundled thread entry is found (or built, ~1 s) beside the worker's start; tasks before it use the tsx entry
    if (this.o.worker['task.isolation'] === 'thread') void this.threads.start();
    this.o.assigner.trackStops?.((connector, task) => this.stopping.get(taskKey(connector, task)) ?? Promise.resolve());
    await this.o.assigner.start((a) => {
      this.assignment = a;
      return this.lock.run(() => this.reconcile()).catch((e) => this.o.logger.error({ err: e }, 'reconcile failed'));
    });
    await this.lock.run(async () => {
      for (const name of this.o.assigner.shared ? [] : this.state.connectors.keys()) {
        await this.setConnectorStatus(name, 'UNASSIGNED', null);
      }
      await this.publishWork();
    });
    this.ready = true;
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.restartTimers) clearTimeout(t);
    this.threads.close(); // no spare for tasks that will not start again
    await this.lock.run(async () => {
      await Promise.allSettled([...this.tasks.values()].map((t) => this.stopTask(t, false)));
      for (const rc of [...this.running.values()]) await this.stopConnectorInstance(rc, false);
    });
    await this.o.assigner.stop();
    await this.dlqProducer?.close();
  }

  // ------------------------------------------------------------------ reconcile

  /** Tells the assigner what exists; it answers with this worker's share (standalone: all). */
  private published = '';

  private work() {
    return [...this.state.connectors].map(([connector, c]) => ({ connector, tasks: c.target === 'STOPPED' ? 0 : c.tasks.length, generation: c.generation }));
  }

  private async publishWork(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const work = this.work();
      this.published = JSON.stringify(work);
      await this.o.assigner.update(work);
      await this.reconcile();
      // starting a connector may have produced new task configs: publish again
      if (JSON.stringify(this.work()) === this.published) return;
    }
  }

  /** Makes what runs here match the assignment, the configs and the target states. */
  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const wantConnectors = new Set(this.assignment.connectors.filter((n) => this.state.connectors.has(n)));
    // connectors that go away
    for (const rc of [...this.running.values()]) {
      const c = this.state.connectors.get(rc.name);
      if (!wantConnectors.has(rc.name) || !c || c.target === 'STOPPED') {
        await Promise.all([...this.tasks.values()].filter((t) => t.connector === rc.name).map((t) => this.stopTask(t)));
        await this.stopConnectorInstance(rc);
        if (c && c.target === 'STOPPED' && wantConnectors.has(rc.name)) await this.setConnectorStatus(rc.name, 'STOPPED', null);
      }
    }
    // connectors that start
    for (const name of wantConnectors) {
      const c = this.state.connectors.get(name)!;
      if (c.target === 'STOPPED') {
        const st = this.state.statuses.get(`status-connector-${name}`);
        if (st?.state !== 'STOPPED') await this.setConnectorStatus(name, 'STOPPED', null);
        if (c.tasks.length) await this.state.putTaskConfigs(name, []);
        continue;
      }
      if (!this.running.has(name)) await this.startConnectorInstance(name);
      const rc = this.running.get(name);
      if (rc && !rc.failed) await this.setConnectorStatus(name, c.target === 'PAUSED' ? 'PAUSED' : 'RUNNING', null);
    }
    // tasks
    const wantTasks = new Map(this.assignment.tasks.map((t) => [taskKey(t.connector, t.task), t]));
    // stop and start in parallel: sink tasks of one connector then join their group together (one rebalance)
    await Promise.all([...this.tasks].map(async ([k, t]) => {
      const c = this.state.connectors.get(t.connector);
      if (!wantTasks.has(k) || !c || c.target === 'STOPPED' || t.taskId >= c.tasks.length || t.generation !== c.generation) await this.stopTask(t);
    }));
    const starts: Promise<void>[] = [];
    for (const [k, t] of wantTasks) {
      const c = this.state.connectors.get(t.connector);
      if (!c || c.target === 'STOPPED' || t.task >= c.tasks.length) continue;
      const cur = this.tasks.get(k);
      if (!cur) starts.push(this.startTask(t.connector, t.task));
      else if (c.target === 'PAUSED') cur.pause();
      else cur.resume();
    }
    await Promise.all(starts);
    // statuses of tasks that no longer exist
    for (const [key, s] of [...this.state.statuses]) {
      const m = key.match(/^status-task-(.+)-(\d+)$/);
      if (!m || s.worker_id !== this.workerId) continue;
      const c = this.state.connectors.get(m[1]);
      if (!c || Number(m[2]) >= c.tasks.length) await this.state.deleteStatus(key).catch(() => undefined);
    }
  }

  private connectorContext(name: string): ConnectorContext {
    return {
      logger: this.o.logLevels?.child(connectorLoggerName(name), { connector: name }) ?? this.o.logger.child({ connector: name }),
      requestTaskReconfiguration: () => { void this.lock.run(async () => { await this.reconfigureTasks(name, false); await this.publishWork(); }).catch((e) => this.o.logger.error({ err: e }, 'task reconfiguration failed')); },
      raiseError: (err) => {
        const rc = this.running.get(name);
        if (rc) rc.failed = true;
        void this.setConnectorStatus(name, 'FAILED', traceOf(err));
      },
    };
  }

  private async startConnectorInstance(name: string): Promise<void> {
    const c = this.state.connectors.get(name)!;
    const cls = c.config['connector.class'];
    const desc = cls ? this.o.plugins.resolve(cls, ['source', 'sink']) : undefined;
    if (!desc) {
      await this.setConnectorStatus(name, 'FAILED', `org.apache.kafka.connect.errors.ConnectException: Failed to find any class that implements Connector and which name matches ${cls}`);
      return;
    }
    const instance = new (desc.cls as new () => Connector)();
    const rc: RunningConnector = { name, desc, instance, failed: false };
    this.running.set(name, rc);
    try {
      await instance.start(resolveConnectorConfig(this.o.worker, c.config), this.connectorContext(name));
    } catch (e) {
      rc.failed = true;
      this.o.logger.error({ err: e, connector: name }, 'connector failed to start');
      await this.setConnectorStatus(name, 'FAILED', traceOf(e));
      return;
    }
    await this.reconfigureTasks(name, false);
  }

  /** Asks the connector for task configs; writes them (a new generation) when they changed or when forced. */
  private async reconfigureTasks(name: string, force: boolean): Promise<void> {
    const rc = this.running.get(name);
    const c = this.state.connectors.get(name);
    if (!rc || rc.failed || !c || c.target === 'STOPPED') return;
    let configs: Props[];
    try {
      const max = Number(c.config['tasks.max'] ?? 1) || 1;
      configs = (await rc.instance.taskConfigs(max)).slice(0, max).map((p) => {
        const t: Props = { ...p, 'task.class': rc.instance.constructor.name };
        if (rc.desc.type === 'sink') {
          if (c.config.topics !== undefined) t.topics = c.config.topics;
          if (c.config['topics.regex'] !== undefined) t['topics.regex'] = c.config['topics.regex'];
        }
        return t;
      });
    } catch (e) {
      rc.failed = true;
      await this.setConnectorStatus(name, 'FAILED', traceOf(e));
      return;
    }
    configs = reverseTransform(c.config, configs);
    if (force || JSON.stringify(configs) !== JSON.stringify(c.tasks)) await this.state.putTaskConfigs(name, configs);
  }

  private async stopConnectorInstance(rc: RunningConnector, markUnassigned = true): Promise<void> {
    this.running.delete(rc.name);
    try { await rc.instance.stop(); } catch (e) { this.o.logger.warn({ err: e, connector: rc.name }, 'connector stop failed'); }
    if (markUnassigned && this.state.connectors.has(rc.name)) {
      const target = this.state.connectors.get(rc.name)!.target;
      if (target !== 'STOPPED') await this.setConnectorStatus(rc.name, 'UNASSIGNED', null);
    }
  }

  private async startTask(connector: string, taskId: number): Promise<void> {
    const stored = this.state.connectors.get(connector)!;
    const generation = stored.generation;
    const logger = this.o.logLevels?.child(taskLoggerName(connector, taskId), { connector, task: taskId }) ?? this.o.logger.child({ connector, task: taskId });
    const listener = { onState: (n: string, t: number, s: TaskState, trace: string | null, g: number) => this.onTaskState(n, t, s, trace, g) };
    let runner: TaskRunner;
    try {
      const config = resolveConnectorConfig(this.o.worker, stored.config);
      const exactlyOnce = this.o.worker['exactly.once.source.support'] === 'enabled';
      // KIP-618: one transactional.id per task, <group.id>-<connector>-<task> (standalone: the group.id given, else connect-standalone)
      const groupId = this.o.assigner.shared ? this.o.worker['group.id'] : (this.o.worker.raw['group.id'] ?? 'connect-standalone');
      const spec: TaskSpec = {
        connector, taskId, generation, config,
        taskProps: resolveConnectorConfig(this.o.worker, stored.tasks[taskId]),
        startPaused: stored.target === 'PAUSED',
        workerRaw: this.o.worker.raw,
        flushIntervalMs: this.o.worker['offset.flush.interval.ms'],
        registryUrl: this.o.registryUrl,
        eos: exactlyOnce && this.typeOf(connector) === 'source' ? { transactionalId: `${groupId}-${connector}-${taskId}`, offsetTopic: this.state.offsetTopic } : null,
      };
      const fence = this.o.assigner.fence?.(connector, taskId);
      const locations = this.o.worker['task.isolation'] === 'thread' ? threadablePluginLocations(this.o.plugins, config, this.o.worker.raw) : null;
      if (locations) {
        runner = new ThreadTaskRunner({
          spec, locations, bootstrap: this.o.client.bootstrap, state: this.state, logger, listener, fence, readOffsetsToEnd: this.o.readOffsetsToEnd,
          blockedThresholdMs: this.o.worker['task.blocked.threshold.ms'], gracefulTimeoutMs: this.o.worker['task.shutdown.graceful.timeout.ms'], pool: this.threads,
        });
      } else {
        runner = await createTaskRunner(spec, {
          client: this.o.client, plugins: this.o.plugins, state: this.state, admin: this.state.admin, logger, listener,
          dlqProducer: this.dlqProducer, connectorInstance: this.running.get(connector)?.instance, fence, readOffsetsToEnd: this.o.readOffsetsToEnd,
        });
      }
    } catch (e) {
      logger.error({ err: e }, 'task failed to start');
      this.onTaskState(connector, taskId, 'FAILED', traceOf(e), generation);
      return;
    }
    this.tasks.set(taskKey(connector, taskId), runner);
    await runner.start();
  }

  private async stopTask(t: TaskRunner, markUnassigned = true): Promise<void> {
    const key = taskKey(t.connector, t.taskId);
    this.tasks.delete(key);
    const timeout = this.o.worker['task.shutdown.graceful.timeout.ms'];
    let timer: NodeJS.Timeout | undefined;
    const done = t.stop().then(() => undefined, (e) => { this.o.logger.warn({ err: e }, 'task stop failed'); });
    this.stopping.set(key, done);
    void done.finally(() => { if (this.stopping.get(key) === done) this.stopping.delete(key); });
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(true), timeout); }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.o.logger.error({ connector: t.connector, task: t.taskId }, `Graceful stop of task ${t.connector}-${t.taskId} failed (took longer than ${timeout} ms)`);
    // a task fenced out by a newer instance (exactly-once sources): its status is the new holder's
    if (markUnassigned && !t.fenced && this.state.connectors.has(t.connector)) await this.putTaskStatus(t.connector, t.taskId, 'UNASSIGNED', null, t.generation);
  }

  private onTaskState(connector: string, task: number, state: TaskState, trace: string | null, generation: number): void {
    void this.putTaskStatus(connector, task, state, trace, generation);
    if (state === 'FAILED' && this.o.worker['task.restart.policy'] === 'backoff' && !this.closed) {
      const k = taskKey(connector, task);
      const delay = Math.min((this.restartBackoff.get(k) ?? 500) * 2, 60000);
      this.restartBackoff.set(k, delay);
      const timer = setTimeout(() => {
        this.restartTimers.delete(timer);
        void this.lock.run(async () => {
          const t = this.tasks.get(k);
          const s = this.state.statuses.get(`status-task-${connector}-${task}`);
          if (s?.state !== 'FAILED' || this.closed) return;
          if (t) await this.stopTask(t);
          await this.reconcile();
        }).catch(() => undefined);
      }, delay);
      this.restartTimers.add(timer);
    } else if (state === 'RUNNING') {
      // a task that keeps running for a minute starts its backoff afresh
      const k = taskKey(connector, task);
      if (this.restartBackoff.has(k)) setTimeout(() => { if (this.state.statuses.get(`status-task-${connector}-${task}`)?.state === 'RUNNING') this.restartBackoff.delete(k); }, 60000).unref();
    }
  }

  private async putTaskStatus(connector: string, task: number, state: State, trace: string | null, generation: number): Promise<void> {
    const rec: StatusRecord = { state, trace, worker_id: this.workerId, generation };
    await this.state.putStatus(`status-task-${connector}-${task}`, rec).catch((e) => this.o.logger.warn({ err: e }, 'could not write task status'));
  }

  private async setConnectorStatus(name: string, state: State, trace: string | null): Promise<void> {
    const generation = this.state.connectors.get(name)?.generation ?? 0;
    const cur = this.state.statuses.get(`status-connector-${name}`);
    if (cur && cur.state === state && cur.trace === trace && cur.worker_id === this.workerId) return;
    await this.state.putStatus(`status-connector-${name}`, { state, trace, worker_id: this.workerId, generation }).catch((e) => this.o.logger.warn({ err: e }, 'could not write connector status'));
  }

  // ------------------------------------------------------------------ queries

  private need(name: string) {
    const c = this.state.connectors.get(name);
    if (!c) throw notFound(`Connector ${name} not found`);
    return c;
  }

  private typeOf(name: string): 'source' | 'sink' | 'unknown' {
    const cls = this.state.connectors.get(name)?.config['connector.class'];
    const d = cls ? this.o.plugins.resolve(cls, ['source', 'sink']) : undefined;
    return (d?.type as 'source' | 'sink') ?? 'unknown';
  }

  connectorNames(): string[] { return [...this.state.connectors.keys()].sort(); }

  info(name: string): ConnectorInfo {
    const c = this.need(name);
    return { name, config: { ...c.config }, tasks: c.tasks.map((_, task) => ({ connector: name, task })), type: this.typeOf(name) };
  }

  config(name: string): Props { return { ...this.need(name).config }; }

  taskConfigs(name: string): { id: { connector: string; task: number }; config: Props }[] {
    return this.need(name).tasks.map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  status(name: string): ConnectorStateInfo {
    const c = this.need(name);
    const s = this.state.statuses.get(`status-connector-${name}`);
    const connector = { state: s?.state ?? 'UNASSIGNED', worker_id: s?.worker_id ?? this.workerId, ...(s?.trace ? { trace: s.trace } : {}) };
    const tasks = c.target === 'STOPPED' ? [] : c.tasks.map((_, i) => this.taskStatusOf(name, i));
    return { name, connector, tasks, type: this.typeOf(name) };
  }

  private taskStatusOf(name: string, id: number): TaskStateInfo {
    const s = this.state.statuses.get(`status-task-${name}-${id}`);
    return { id, state: s?.state ?? 'UNASSIGNED', worker_id: s?.worker_id ?? this.workerId, ...(s?.trace ? { trace: s.trace } : {}) };
  }

  taskStatus(name: string, task: number): TaskStateInfo {
    const c = this.need(name);
    if (!(task >= 0 && task < c.tasks.length)) throw notFound(`Task ${name}-${task} not found`);
    return this.taskStatusOf(name, task);
  }

  /** Fresh counters from the tasks running on threads, before errorCounters(). */
  async refreshCounters(name: string): Promise<void> {
    await Promise.all([...this.tasks.values()].filter((t) => t.connector === name).map((t) => t.refresh?.()));
  }

  /** Tributary extension: per-task error counters and the last errors. */
  errorCounters(name: string): { id: number; counters: ErrorCounters | null; progress: Record<string, unknown> | null; records?: RecordCounters | null }[] {
    const c = this.need(name);
    return c.tasks.map((_, id) => { const t = this.tasks.get(taskKey(name, id)); return { id, counters: t?.counters ?? null, progress: t?.progress ?? null, records: t?.records ?? null }; });
  }

  activeTopics(name: string): string[] { this.need(name); return this.state.activeTopics(name); }

  async resetTopics(name: string): Promise<void> { this.need(name); await this.state.resetActiveTopics(name); }

  // ------------------------------------------------------------------ validation

  async validate(pluginName: string, props: Props): Promise<ConfigInfos> {
    const desc = this.o.plugins.resolve(pluginName, ['source', 'sink']);
    if (!desc) throw notFound(`Failed to find any class that implements Connector and which name matches ${pluginName}`);
    return validateResolved(this.o.worker, props, (p) => validateConnectorConfig(this.o.plugins, desc, p, this.validationOptions()));
  }

  private validationOptions() { return { exactlyOnceSource: this.o.worker['exactly.once.source.support'] === 'enabled' }; }

  // ------------------------------------------------------------------ mutations

  /** Create or update; returns whether it was created. */
  putConnectorConfig(name: string, config: Props, opts: { allowReplace: boolean; initialState?: TargetState }): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.lock.run(async () => {
      const props: Props = {};
      for (const [k, v] of Object.entries(config ?? {})) {
        if (v === null || v === undefined) continue;
        props[k] = typeof v === 'string' ? v : String(v);
      }
      if (props.name !== undefined && props.name !== name) throw badRequest(`Connector name configuration (${props.name}) doesn't match connector name in the URL (${name})`);
      props.name = name;
      if (!props['connector.class']) throw badRequest('Connector config {' + Object.entries(props).map(([k, v]) => `${k}=${v}`).join(', ') + '} contains no connector type');
      const exists = this.state.connectors.has(name);
      if (exists && !opts.allowReplace) throw conflict(`Connector ${name} already exists`);
      const desc = this.o.plugins.resolve(props['connector.class'], ['source', 'sink']);
      if (!desc) throw badRequest(`Failed to find any class that implements Connector and which name matches ${props['connector.class']}, available connectors are: ${this.o.plugins.list().filter((p) => p.type === 'source' || p.type === 'sink').map((p) => `PluginDesc{klass=${p.className}, name='${p.className}', version='${p.version}', type=${p.type}, typeName='${p.type}', location='${p.location}'}`).join(', ')}`);
      const infos = await validateResolved(this.o.worker, props, (p) => validateConnectorConfig(this.o.plugins, desc, p, this.validationOptions()));
      if (infos.error_count > 0) throw badRequest(invalidConfigMessage(infos));
      if (exists) {
        // stop what runs with the old config; reconcile starts it again with the new one
        await Promise.all([...this.tasks.values()].filter((t) => t.connector === name).map((t) => this.stopTask(t)));
        const rc = this.running.get(name);
        if (rc) await this.stopConnectorInstance(rc);
        await this.state.putConnectorConfig(name, props);
        await this.startAndConfigure(name, true);
      } else {
        await this.state.putConnectorConfig(name, props, opts.initialState ?? 'STARTED');
        await this.setConnectorStatus(name, 'UNASSIGNED', null);
        await this.startAndConfigure(name, true);
      }
      return { created: !exists, info: this.info(name) };
    });
  }

  private async startAndConfigure(name: string, forceTasks: boolean): Promise<void> {
    const c = this.state.connectors.get(name)!;
    if (this.assignedHere(name) && c.target !== 'STOPPED') {
      if (!this.running.has(name)) await this.startConnectorInstance(name);
      await this.reconfigureTasks(name, forceTasks);
    }
    await this.publishWork();
  }

  private assignedHere(name: string): boolean {
    // the assigner decides on publishWork; standalone and a connector new to the cluster: here
    return this.assignment.connectors.includes(name) || !this.assignment.connectors.length || this.o.assigner.workerId === this.workerId;
  }

  deleteConnector(name: string): Promise<void> {
    return this.lock.run(async () => {
      const c = this.need(name);
      await Promise.all([...this.tasks.values()].filter((t) => t.connector === name).map((t) => this.stopTask(t, false)));
      const rc = this.running.get(name);
      if (rc) await this.stopConnectorInstance(rc, false);
      const n = c.tasks.length;
      await this.state.removeConnector(name);
      await this.state.deleteStatus(`status-connector-${name}`).catch(() => undefined);
      for (let i = 0; i < n; i++) await this.state.deleteStatus(`status-task-${name}-${i}`).catch(() => undefined);
      await this.publishWork();
    });
  }

  setTargetState(name: string, target: TargetState): Promise<void> {
    return this.lock.run(async () => {
      const c = this.need(name);
      const was = c.target;
      await this.state.putTargetState(name, target);
      if (was === 'STOPPED' && target !== 'STOPPED') await this.startAndConfigure(name, true);
      else await this.publishWork();
    });
  }

  /** POST /restart. Returns the status with the restarting targets marked RESTARTING (when flags were given). */
  restartConnector(name: string, includeTasks: boolean, onlyFailed: boolean): Promise<ConnectorStateInfo> {
    return this.lock.run(async () => {
      const c = this.need(name);
      const before = this.status(name);
      const connectorToo = !onlyFailed || before.connector.state === 'FAILED';
      const taskIds = includeTasks ? before.tasks.filter((t) => !onlyFailed || t.state === 'FAILED').map((t) => t.id) : [];
      const plan: ConnectorStateInfo = {
        ...before,
        connector: connectorToo ? { ...before.connector, state: 'RESTARTING' } : before.connector,
        tasks: before.tasks.map((t) => (taskIds.includes(t.id) ? { ...t, state: 'RESTARTING' as State } : t)),
      };
      if (c.target === 'STOPPED') return before;
      if (connectorToo) await this.setConnectorStatus(name, 'RESTARTING', null);
      for (const id of taskIds) await this.putTaskStatus(name, id, 'RESTARTING', null, c.generation);
      if (connectorToo) {
        const rc = this.running.get(name);
        if (rc) await this.stopConnectorInstance(rc, false);
      }
      for (const id of taskIds) {
        const t = this.tasks.get(taskKey(name, id));
        if (t) await this.stopTask(t, false);
      }
      if (connectorToo && this.assignedHere(name)) {
        await this.startConnectorInstance(name);
      }
      await this.publishWork();
      return plan;
    });
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.lock.run(async () => {
      const c = this.need(name);
      if (!(task >= 0 && task < c.tasks.length)) throw notFound(`Task ${name}-${task} not found`);
      const t = this.tasks.get(taskKey(name, task));
      if (t) await this.stopTask(t, false);
      await this.putTaskStatus(name, task, 'RESTARTING', null, c.generation);
      await this.reconcile();
    });
  }

  // ------------------------------------------------------------------ offsets

  async getOffsets(name: string): Promise<{ offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] }> {
    this.need(name);
    if (this.typeOf(name) === 'sink') {
      const res = await this.state.admin.groupOffsets(`connect-${name}`);
      const offsets = res.filter((p) => p.offset >= 0).map((p) => ({ partition: { kafka_topic: p.topic, kafka_partition: p.partition }, offset: { kafka_offset: p.offset } }));
      return { offsets };
    }
    return { offsets: this.state.offsetsOf(name) };
  }

  private requireStopped(name: string): void {
    const c = this.need(name);
    if (c.target !== 'STOPPED' || this.tasks.size && [...this.tasks.values()].some((t) => t.connector === name)) {
      throw badRequest(`Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`);
    }
  }

  alterOffsets(name: string, body: unknown): Promise<{ message: string }> {
    return this.lock.run(async () => {
      this.requireStopped(name);
      const list = (body as { offsets?: unknown })?.offsets;
      if (!Array.isArray(list) || !list.length) throw badRequest('The offsets to be altered must be specified');
      for (const e of list) {
        if (!e || typeof e !== 'object' || !e.partition || typeof e.partition !== 'object') throw badRequest('Every entry of "offsets" needs a "partition" object and an "offset" object or null');
      }
      if (this.typeOf(name) === 'sink') {
        const toSet: { topic: string; partition: number; offset: number }[] = [];
        const admin = this.state.admin;
        for (const e of list) {
          const t = e.partition.kafka_topic, p = e.partition.kafka_partition;
          if (typeof t !== 'string' || !Number.isInteger(p)) throw badRequest('Sink connector offsets need partitions of the form {"kafka_topic": "<topic>", "kafka_partition": <int>}');
          let off: number;
          if (e.offset === null) {
            const w = (await admin.topicOffsets([t])).find((x) => x.partition === p);
            off = w?.earliest ?? 0;
          } else {
            off = e.offset?.kafka_offset;
            if (!Number.isInteger(off) || off < 0) throw badRequest(`Sink connector offsets need offsets of the form {"kafka_offset": <non-negative int>}; got ${JSON.stringify(e.offset)}`);
          }
          toSet.push({ topic: t, partition: p, offset: off });
        }
        await admin.setGroupOffsets(`connect-${name}`, toSet);
        return { message: 'The offsets for this connector have been altered successfully' };
      }
      for (const e of list) if (e.offset !== null && (typeof e.offset !== 'object' || Array.isArray(e.offset))) throw badRequest('Source offsets must be objects or null');
      await this.state.putOffsets(name, list.map((e: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }) => ({ partition: e.partition, offset: e.offset })));
      return { message: 'The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.' };
    });
  }

  resetOffsets(name: string): Promise<{ message: string }> {
    return this.lock.run(async () => {
      this.requireStopped(name);
      if (this.typeOf(name) === 'sink') {
        await this.state.admin.deleteGroups([`connect-${name}`]);
        return { message: 'The offsets for this connector have been reset successfully' };
      }
      await this.state.putOffsets(name, this.state.offsetsOf(name).map((e) => ({ partition: e.partition, offset: null })));
      return { message: 'The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.' };
    });
  }
}

export { ConnectRestError };
