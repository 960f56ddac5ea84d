// KafkaStreams: runs a topology against the broker. The application's consumer
// group (group id = application.id) spreads tasks over instances; each task
// restores its stores from their changelog topics before it processes. Under
// exactly_once_v2 a commit is one transaction holding the interval's output,
// changelog writes and input offsets; input and changelogs are read read_committed.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { KafkaAdmin, KafkaProducer, PartitionReader, builtRecords, type PartitionBatch, type PreparedBatch } from '../../client/index.ts';
import { Headers, TaskId } from '../processor.ts';
import type { Topology, SubTopology } from '../topology.ts';
import { TopologyException } from '../topology.ts';
import { streamsConfig, type StreamsConfig, type StreamsConfigInput } from '../config.ts';
import { StreamTask, StreamsException, type RawRecord, type RecordCollector, type TaskConfig } from './task.ts';
import type { StateStore, StoreEnv } from '../state/stores.ts';
import { KeyValueStore, SessionStore, WindowStore } from '../state/stores.ts';
import { assignTasks, partitionsOf, type TaskSpec } from './assignor.ts';
import { StreamsMembership, TransactionalProducer, slices, type OutRecord } from './kafka-adapter.ts';
import { partitionFor } from './murmur2.ts';
import { SerdeNotReadyException, type Serializer } from '../serdes.ts';
import { ThreadCache } from '../state/record-cache.ts';
import { StandbyTasks, type StandbyRuntime } from './standby.ts';
import { RecordAccumulator } from './record-accumulator.ts';

/** accumulated output bytes that go out mid-poll, without waiting for the poll's end */
const DISPATCH_BYTES = 256 << 10;
/** output bytes sent and not yet acknowledged before processing waits for the producer */
const MAX_IN_FLIGHT_BYTES = 32 << 20;

export type State = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';
export const StreamThreadExceptionResponse = { REPLACE_THREAD: 'REPLACE_THREAD', SHUTDOWN_CLIENT: 'SHUTDOWN_CLIENT', SHUTDOWN_APPLICATION: 'SHUTDOWN_APPLICATION' } as const;
export interface StateRestoreListener {
  onRestoreStart?(topicPartition: { topic: string; partition: number }, storeName: string, startingOffset: number, endingOffset: number): void;
  onBatchRestored?(topicPartition: { topic: string; partition: number }, storeName: string, batchEndOffset: number, numRestored: number): void;
  onRestoreEnd?(topicPartition: { topic: string; partition: number }, storeName: string, totalRestored: number): void;
}
export class InvalidStateStoreException extends Error { constructor(m: string) { super(m); this.name = 'InvalidStateStoreException'; } }

const tpk = (t: string, p: number) => `${t}:${p}`;
/** the headers of an output record that has none (shared: nobody adds to an OutRecord's headers) */
const NO_HEADERS: OutRecord['headers'] = Object.freeze([]) as unknown as OutRecord['headers'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TaskRuntime { task: StreamTask; dir: string; changelogs: Map<string, { topic: string; partition: number }> }

export class KafkaStreams {
  private readonly cfg: StreamsConfig;
  private stateValue: State = 'CREATED';
  private stateListener?: (newState: State, oldState: State) => void;
  private exceptionHandler: (e: Error) => StreamThreadExceptionResponse = () => 'SHUTDOWN_CLIENT';
  private restoreListener?: StateRestoreListener;
  private readonly subs: SubTopology[];
  private specs: TaskSpec[] = [];
  private readonly tasks = new Map<string, TaskRuntime>();
  private readonly taskByTp = new Map<string, TaskRuntime>();
  private readonly positions = new Map<string, number>();
  private readonly committedPositions = new Map<string, number>();
  /** output records whose partition is not known here (the producer picks it) and dead-letter records */
  private outBuffer: OutRecord[] = [];
  /** every other output record, already in its partition's record batch */
  private readonly acc = new RecordAccumulator();
  /** the sends dispatched so far, in order (never rejects: the first error lands in sendError) */
  private sending: Promise<void> = Promise.resolve();
  private sendError?: Error;
  /** bumped when tasks are reset: sends dispatched before then are dropped or their errors ignored */
  private sendGen = 0;
  private inFlightBytes = 0;
  private partitionCounts = new Map<string, number>();
  private admin?: KafkaAdmin;
  private membership?: StreamsMembership;
  private reader?: PartitionReader;
  private producer?: KafkaProducer;
  private txProducer?: TransactionalProducer;
  private globalReader?: PartitionReader;
  private globalTask?: StreamTask;
  private readonly globalStores = new Map<string, StateStore>();
  private pending: string[] | null = null;
  private loop?: Promise<void>;
  private stopping = false;
  private lastCommit = Date.now();
  private processId!: string;
  private appDir!: string;
  private readonly taskCfg: TaskConfig;
  /** the record cache shared by this instance's cached stores */
  readonly cache: ThreadCache;
  private firstAssignment?: () => void;
  /** records processed since start (for benchmarks and tests) */
  processed = 0;

  constructor(private readonly topology: Topology, props: StreamsConfigInput) {
    this.cfg = streamsConfig(props, { needsBroker: true });
    this.subs = topology.subTopologies();
    const cfg = this.cfg;
    this.cache = new ThreadCache(cfg.cacheMaxBytes);
    this.taskCfg = {
      applicationId: cfg.applicationId,
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
      resolveTopic: (n) => this.resolve(n),
      deserializationExceptionHandler: (r, e) => {
        if (cfg.dlqTopic) {
          this.outBuffer.push({ topic: cfg.dlqTopic, key: r.key, value: r.value, timestamp: r.timestamp, headers: [
            { key: '__streams.errors.exception', value: Buffer.from(e.name) }, { key: '__streams.errors.message', value: Buffer.from(e.message) },
            { key: '__streams.errors.topic', value: Buffer.from(r.topic) }, { key: '__streams.errors.partition', value: Buffer.from(String(r.partition)) }, { key: '__streams.errors.offset', value: Buffer.from(String(r.offset)) }] });
          return 'CONTINUE';
        }
        return cfg.deserializationHandler(r, e);
      },
      appConfigs: { ...props, 'default.key.serde': cfg.defaultKeySerde, 'default.value.serde': cfg.defaultValueSerde },
      now: () => Date.now(),
    };
  }

  private resolve(name: string): string { return this.topology.internalTopics.has(name) ? `${this.cfg.applicationId}-${name}` : name; }
  private changelogOf(store: string): string { return `${this.cfg.applicationId}-${store}-changelog`; }

  state(): State { return this.stateValue; }
  private setState(s: State): void {
    const old = this.stateValue;
    if (old === s) return;
    this.stateValue = s;
    try { this.stateListener?.(s, old); } catch { /* a listener's error is its own */ }
  }
  setStateListener(listener: (newState: State, oldState: State) => void): void { this.stateListener = listener; }
  setUncaughtExceptionHandler(handler: (e: Error) => StreamThreadExceptionResponse): void { this.exceptionHandler = handler; }
  setGlobalStateRestoreListener(listener: StateRestoreListener): void { this.restoreListener = listener; }

  /** Starts processing; resolves once the instance joined its group and got its first tasks. */
  async start(): Promise<void> {
    if (this.stateValue !== 'CREATED') throw new StreamsException(`KafkaStreams is not in state CREATED (${this.stateValue}); it can be started once`);
    this.setState('REBALANCING');
    try {
      await this.startUp();
    } catch (e) {
      this.lastError = e as Error;
      this.setState('PENDING_ERROR');
      await this.shutdown('ERROR');
      throw e;
    }
  }

  private async startUp(): Promise<void> {
    const c = this.cfg;
    const client = { bootstrap: c.bootstrapServers, clientId: c.clientId };
    this.appDir = path.join(c.stateDir, c.applicationId);
    fs.mkdirSync(this.appDir, { recursive: true });
    const idFile = path.join(this.appDir, 'kafka-streams-process-metadata');
    try { this.processId = JSON.parse(fs.readFileSync(idFile, 'utf8')).processId; } catch { this.processId = randomUUID(); fs.writeFileSync(idFile, JSON.stringify({ processId: this.processId })); }
    this.admin = new KafkaAdmin(client);
    await this.createInternalTopics();
    const isolation = c.eos ? 'read_committed' : 'read_uncommitted';
    this.reader = new PartitionReader({ ...client, clientId: `${c.clientId}-consumer`, isolation, maxWaitMs: 100, resetTo: c.autoOffsetReset });
    if (c.eos) {
      this.txProducer = new TransactionalProducer({ ...client, clientId: `${c.clientId}-producer`, transactionalId: `${c.applicationId}-${this.processId}`, transactionTimeoutMs: c.transactionTimeoutMs });
      await this.txProducer.init();
    } else {
      this.producer = new KafkaProducer({ ...client, clientId: `${c.clientId}-producer` });
    }
    await this.startGlobal(client, isolation);
    if (c.standbyReplicas > 0) this.standbys = new StandbyTasks({ bootstrap: c.bootstrapServers, clientId: c.clientId, eos: c.eos, build: (id) => this.buildStandby(id), onError: (e) => { if (process.env.STREAMS_DEBUG) console.error(`streams ${c.clientId} standby: ${e.message}`); } });
    const got = new Promise<void>((r) => { this.firstAssignment = r; });
    this.membership = this.newMembership(false);
    await this.membership.start();
    await got;
    this.loop = this.run();
  }

  /**
   * The application's group membership (protocol "stream"). Its subscription metadata
   * (JSON) carries the process id, the task directories on disk (for sticky assignment),
   * application.server, the topology's description and stores (for the admin UI) and —
   * Kafka's SHUTDOWN_APPLICATION — a request that every instance stop.
   */
  private newMembership(shutdownRequested: boolean): StreamsMembership {
    const c = this.cfg;
    const previousTasks = fs.readdirSync(this.appDir).filter((d) => /^\d+_\d+$/.test(d));
    const topics = [...new Set(this.specs.flatMap((s) => s.topics))];
    return new StreamsMembership({
      bootstrap: c.bootstrapServers, clientId: c.clientId, groupId: c.applicationId, topics, sessionTimeoutMs: c.sessionTimeoutMs, heartbeatIntervalMs: c.heartbeatIntervalMs,
      metadata: Buffer.from(JSON.stringify({
        processId: this.processId, previousTasks, applicationServer: c.applicationServer ?? null, ...(shutdownRequested ? { shutdownRequested: true } : {}),
        // what the admin UI's Stream applications page shows: this is a tributary streams member, its topology and its stores
        kind: 'tributary-streams', topology: this.topology.describe().toString(),
        stores: [...this.topology.stores.keys()].filter((n) => !this.topology.globalStores.has(n)).map((name) => ({ name, changelog: this.topology.stores.get(name)!.builder.loggingEnabled ? this.changelogOf(name) : null })),
      })),
      assign: (members) => {
        const ms = members.map((m) => { let prev: string[] = []; try { const md = JSON.parse(m.metadata?.toString() ?? '{}'); prev = md.previousTasks ?? []; if (md.shutdownRequested) this.shutdownRequestedBy = m.memberId; } catch { /* foreign member */ } return { memberId: m.memberId, previousTasks: prev }; });
        // an instance asked the application to stop: no member gets tasks
        if (this.shutdownRequestedBy) return new Map(ms.map((m) => [m.memberId, []]));
        const tasks = assignTasks(ms, this.specs);
        return new Map([...tasks].map(([id, ts]) => [id, partitionsOf(ts, this.specs)]));
      },
      onAssignment: (a) => {
        if (shutdownRequested) return;
        const tasks = new Set<string>();
        for (const x of a) { const spec = this.specs.find((s) => s.topics.includes(x.topic)); if (spec) for (const p of x.partitions) tasks.add(`${spec.subtopology}_${p}`); }
        this.pending = [...tasks];
        this.firstAssignment?.();
      },
      onError: (e) => { if (!shutdownRequested) this.membershipError = e; },
    });
  }

  /** the member whose subscription asks the application to shut down, once seen */
  private shutdownRequestedBy?: string;

  private standbys?: StandbyTasks;

  /** a standby's stores: the task's persistent, logged ones (in-memory stores gain nothing from a standby here) */
  private buildStandby(id: string): StandbyRuntime | null {
    const [s, p] = id.split('_').map(Number);
    const sub = this.subs.find((x) => x.id === s);
    if (!sub) return null;
    const stores = sub.stores.filter((n) => { const b = this.topology.stores.get(n)!.builder; return b.loggingEnabled && b.supplier.persistent; });
    if (!stores.length) return null;
    const dir = path.join(this.appDir, id);
    fs.mkdirSync(dir, { recursive: true });
    const task = new StreamTask(new TaskId(s, p), this.topology, sub.nodes, this.taskCfg, this.collector(), this.storeEnv(dir, p), this.globalStores);
    task.buildStores();
    for (const [n, st] of [...task.stores]) if (!stores.includes(n)) { st.close(); task.stores.delete(n); }
    return { task, dir, changelogs: new Map(stores.map((n) => [n, { topic: this.changelogOf(n), partition: p }])) };
  }

  /**
   * num.standby.replicas: after each rebalance every instance works out the same standby
   * placement from the group's assignment (each task's standbys on the next members after
   * its owner, in member-id order) and follows the changelogs of the tasks placed on it.
   */
  private async updateStandbys(active: Set<string>): Promise<void> {
    if (!this.standbys) return;
    const [g] = await this.admin!.describeGroups([this.cfg.applicationId]);
    const members = (g?.members ?? []).map((m) => ({ id: m.memberId, tasks: m.assignment.flatMap((a) => { const spec = this.specs.find((x) => x.topics.includes(a.topic)); return spec ? a.partitions.map((p) => `${spec.subtopology}_${p}`) : []; }) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const me = this.membership?.memberId;
    const want = new Set<string>();
    members.forEach((m, i) => {
      for (const t of new Set(m.tasks)) for (let k = 1; k <= Math.min(this.cfg.standbyReplicas, members.length - 1); k++) if (members[(i + k) % members.length].id === me) want.add(t);
    });
    for (const t of active) want.delete(t);
    await this.standbys.set(want);
  }

  /** The standby tasks this instance keeps (num.standby.replicas). */
  standbyTasks(): string[] { return this.standbys?.ids() ?? []; }

  /** after each rebalance: does any member of the group ask the application to shut down? (the group's leader saw it in assign; the others look) */
  private async shutdownRequestedInGroup(): Promise<boolean> {
    if (this.shutdownRequestedBy) return true;
    const [g] = await this.admin!.describeGroups([this.cfg.applicationId]);
    for (const m of g?.members ?? []) {
      try { if (JSON.parse(m.metadata?.toString() ?? '{}').shutdownRequested) { this.shutdownRequestedBy = m.memberId; return true; } } catch { /* foreign member */ }
    }
    return false;
  }

  /**
   * SHUTDOWN_APPLICATION: this instance rejoins the group with a subscription that asks
   * every instance to stop (Kafka signals it through the assignment's error code; our
   * group protocol's metadata plays that part), waits until the others left (at most
   * two session timeouts), then stops itself.
   */
  private async requestApplicationShutdown(e: Error): Promise<void> {
    this.resetTasks();
    this.pending = null;
    await this.membership?.close().catch(() => undefined);
    const m = this.newMembership(true);
    this.membership = m;
    try {
      await m.start();
      const end = Date.now() + 2 * this.cfg.sessionTimeoutMs;
      while (Date.now() < end) {
        const [g] = await this.admin!.describeGroups([this.cfg.applicationId]);
        if ((g?.members ?? []).every((x) => x.memberId === m.memberId)) break;
        await sleep(200);
      }
    } catch { /* stopping anyway */ }
    this.fail(e);
  }

  private async createInternalTopics(): Promise<void> {
    const admin = this.admin!;
    const t = this.topology;
    const userTopics = new Set<string>();
    const all = await admin.listTopics();
    for (const s of this.subs) {
      for (const x of s.sourceTopics) if (!t.internalTopics.has(x)) userTopics.add(x);
      for (const re of s.sourcePatterns) for (const x of all) { re.lastIndex = 0; if (re.test(x) && !x.startsWith('__')) userTopics.add(x); }
    }
    const missing = [...userTopics].filter((x) => !all.includes(x));
    if (missing.length) throw new StreamsException(`Source topics not found: [${missing.join(', ')}]; create them before starting the application (MissingSourceTopicException)`);
    const counts = this.partitionCounts;
    for (const d of await admin.describeTopics([...userTopics])) counts.set(d.topic, d.partitions.length);
    for (const [name, spec] of t.internalTopics) if (spec.partitions) counts.set(name, spec.partitions);
    // co-partitioned groups first, then each internal topic takes its writer's count
    const subTopics = (s: SubTopology) => [...s.sourceTopics, ...s.sourcePatterns.flatMap((re) => [...userTopics].filter((x) => { re.lastIndex = 0; return re.test(x); }))];
    for (let round = 0; round < 10; round++) {
      for (const g of t.copartitionGroups) {
        const known = g.map((x) => counts.get(x)).filter((n): n is number => n !== undefined);
        const user = g.filter((x) => !t.internalTopics.has(x)).map((x) => counts.get(x)!);
        if (new Set(user).size > 1) throw new TopologyException(`Topics not co-partitioned: [${g.filter((x) => !t.internalTopics.has(x)).map((x) => `${x}(${counts.get(x)})`).join(', ')}]`);
        const n = user[0] ?? (known.length ? Math.max(...known) : undefined);
        if (n !== undefined) for (const x of g) if (t.internalTopics.has(x) && !counts.has(x)) counts.set(x, n);
      }
      for (const s of this.subs) {
        const n = Math.max(0, ...subTopics(s).map((x) => counts.get(x) ?? 0));
        if (!n) continue;
        for (const sink of s.repartitionSinks) { const node = t.nodes.get(sink)!; const topic = (node as { topic: string }).topic; if (!counts.has(topic)) counts.set(topic, n); }
      }
    }
    this.specs = this.subs.map((s) => {
      const topics = subTopics(s);
      const n = Math.max(0, ...topics.map((x) => counts.get(x) ?? 0));
      if (!n) throw new StreamsException(`cannot tell how many partitions sub-topology ${s.id} has (topics ${topics.join(', ')})`);
      return { subtopology: s.id, partitions: n, topics: topics.map((x) => this.resolve(x)) };
    });
    const specsToCreate: Array<{ topic: string; partitions: number; replicationFactor: number; configs?: Record<string, string> }> = [];
    for (const name of t.internalTopics.keys()) specsToCreate.push({ topic: this.resolve(name), partitions: counts.get(name)!, replicationFactor: this.cfg.replicationFactor });
    for (const s of this.subs) {
      const n = this.specs.find((x) => x.subtopology === s.id)!.partitions;
      for (const store of s.stores) {
        const b = t.stores.get(store)!.builder;
        if (!b.loggingEnabled) continue;
        const windowed = b.supplier.type !== 'keyValue';
        specsToCreate.push({ topic: this.changelogOf(store), partitions: n, replicationFactor: this.cfg.replicationFactor,
          configs: windowed ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String((b.supplier.retentionMs ?? 0) + 86_400_000) } : { 'cleanup.policy': 'compact' } });
      }
    }
    await admin.createTopics(specsToCreate);
    for (const s of specsToCreate) this.partitionCounts.set(s.topic, s.partitions);
    for (const [k, v] of [...counts]) this.partitionCounts.set(this.resolve(k), v);
  }

  private collector(): RecordCollector {
    return {
      send: (topic, key, value, headers, timestamp, partition) => {
        if (partition >= 0) this.acc.append(topic, partition, key, value, timestamp, headers.size ? headers.toArray() : null);
        else this.outBuffer.push({ topic, partition: undefined, key: typeof key === 'string' ? Buffer.from(key) : key, value: typeof value === 'string' ? Buffer.from(value) : value, timestamp, headers: headers.size ? headers.toArray() : NO_HEADERS });
      },
      partitionsFor: (topic) => this.partitionCounts.get(topic),
    };
  }

  private storeEnv(dir: string, partition: number) {
    return (store: string): StoreEnv => ({
      stateDir: dir,
      changelogTopic: this.changelogOf(store),
      // global stores log nothing (their topic is their changelog)
      logChange: partition >= 0 ? (topic, key, value, ts) => this.acc.append(topic, partition, key, value, ts, null) : () => undefined,
      timestamp: () => Date.now(),
      defaultKeySerde: this.cfg.defaultKeySerde,
      defaultValueSerde: this.cfg.defaultValueSerde,
      cache: partition >= 0 ? this.cache : undefined,
    });
  }

  private async startGlobal(client: { bootstrap: string[]; clientId: string }, isolation: 'read_committed' | 'read_uncommitted'): Promise<void> {
    if (!this.topology.globalStores.size) return;
    const nodes = [...this.topology.globalStores.values()].flatMap((g) => [g.sourceName, g.processorName]);
    const dir = path.join(this.appDir, 'global');
    const g = new StreamTask(new TaskId(-1, -1), this.topology, nodes, this.taskCfg, this.collector(), this.storeEnv(dir, -1), this.globalStores, true);
    g.buildStores();
    for (const [n, s] of g.stores) { (s as unknown as { inner: { clear(): void } }).inner.clear(); this.globalStores.set(n, s); }
    g.init();
    this.globalTask = g;
    this.globalReader = new PartitionReader({ ...client, clientId: `${client.clientId}-global`, isolation, maxWaitMs: 50 });
    const topics = [...this.topology.globalStores.values()].map((x) => x.topic);
    const ends = await this.globalReader.endOffsets(topics.map((topic) => ({ topic })));
    await this.globalReader.assign(ends.map((e) => ({ topic: e.topic, partition: e.partition, offset: 'earliest' as const })));
    // bootstrap: read every global topic to its end before any task runs
    const target = new Map(ends.map((e) => [tpk(e.topic, e.partition), isolation === 'read_committed' ? e.lastStable : e.latest]));
    const done = () => [...target].every(([k, end]) => { const [t, p] = k.split(':'); return (this.globalReader!.position(t, Number(p)) ?? 0) >= end; });
    while (!done()) this.processGlobal(await this.globalReader.poll());
  }

  private prefetch?: Promise<[PartitionBatch[], PartitionBatch[]]>;
  private pollOnce(): Promise<[PartitionBatch[], PartitionBatch[]]> {
    return Promise.all([this.reader!.poll(), this.globalReader ? this.globalReader.poll() : Promise.resolve([])]);
  }
  /**
   * Before the assignment changes: a fetch made ahead is not processed, so the reader goes
   * back to where processing is (global records are applied: nothing rewinds the global reader).
   */
  private async dropPrefetch(): Promise<void> {
    const p = this.prefetch;
    if (!p) return;
    this.prefetch = undefined;
    const r = await p.catch(() => undefined);
    if (r?.[1].length) this.processGlobal(r[1]);
    for (const [k, pos] of this.positions) { const [t, part] = splitTp(k); this.reader!.seek(t, part, pos); }
  }

  private processGlobal(batches: PartitionBatch[]): void {
    for (const b of batches) for (const r of b.records) this.globalTask!.process(toRaw(r));
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.membershipError) { const e = this.membershipError; this.membershipError = undefined; throw new StreamsException(`the application's consumer group membership failed: ${e.message}`, e); }
        if (this.pending) { await this.dropPrefetch(); await this.rebalance(); }
        if (!this.taskByTp.size) { await sleep(50); continue; }
        const fetched = this.prefetch ?? this.pollOnce();
        this.prefetch = undefined;
        const [batches, globalBatches] = await fetched;
        // as Kafka's consumer does, the next fetch is in flight while these records are processed
        if (!this.stopping) { const next = this.pollOnce(); next.catch(() => undefined); this.prefetch = next; }
        if (globalBatches.length) this.processGlobal(globalBatches);
        for (const b of batches) {
          const k = tpk(b.topic, b.partition);
          const rt = this.taskByTp.get(k);
          if (!rt) continue;
          for (const r of b.records) {
            const raw = toRaw(r);
            // a source deserializer still fetching something (a registry serde's schema): wait, then the same record again
            for (let tries = 0; ; tries++) {
              try { rt.task.process(raw); break; } catch (e) { if (!(e instanceof SerdeNotReadyException) || tries >= 3) throw e; await e.ready; }
            }
            // a large poll: what it produced so far goes out now, and the producer gets a turn of the
            // event loop (its answers come in, its next request goes out) while processing goes on
            if ((++this.processed & 255) === 0 && this.acc.bytes >= DISPATCH_BYTES) { this.dispatch(); await new Promise((r) => setImmediate(r)); }
          }
          this.positions.set(k, b.nextOffset);
        }
        const now = Date.now();
        for (const rt of this.tasks.values()) rt.task.punctuate('WALL_CLOCK_TIME', now);
        // the output goes out as it is made, without waiting for the answer: at_least_once plainly
        // (a crash re-processes from the committed offsets), exactly_once_v2 in the interval's transaction
        this.dispatch();
        if (this.inFlightBytes > MAX_IN_FLIGHT_BYTES) await this.sending;
        if (now - this.lastCommit >= this.cfg.commitIntervalMs) await this.commit();
      } catch (e) {
        if (this.stopping) break;
        await this.onError(e as Error).catch((e2: Error) => this.fail(e2));
      }
    }
  }

  /** A commit that fails (fenced, a rebalance moved the tasks) leaves the tasks corrupted: they are rebuilt from their changelogs. */
  private async onError(e: Error): Promise<void> {
    if (process.env.STREAMS_DEBUG) console.error(`streams ${this.cfg.clientId}: ${e.message} ${kafkaErrorCodes(e)}`);
    const migrated = kafkaErrorCodes(e).some((c) => MIGRATED.has(c));
    // the same "tasks moved" failure again and again is no rebalance: it goes to the exception handler
    if (migrated && !(e instanceof StreamsException) && ++this.migratedInARow <= 5) {
      this.resetTasks();
      if (this.cfg.eos) { await this.txProducer!.close(); this.txProducer = new TransactionalProducer({ bootstrap: this.cfg.bootstrapServers, clientId: `${this.cfg.clientId}-producer`, transactionalId: `${this.cfg.applicationId}-${this.processId}`, transactionTimeoutMs: this.cfg.transactionTimeoutMs }); await this.txProducer.init(); }
      await sleep(200);
      return;
    }
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT';
    try { response = this.exceptionHandler(e); } catch { /* keep the default */ }
    if (response === 'REPLACE_THREAD') { this.resetTasks(); return; }
    if (response === 'SHUTDOWN_APPLICATION') { await this.requestApplicationShutdown(e); return; }
    this.fail(e);
  }

  private fail(e: Error): void {
    if (this.stateValue === 'PENDING_ERROR' || this.stateValue === 'ERROR') return;
    this.setState('PENDING_ERROR');
    this.stopping = true;
    this.lastError = e;
    queueMicrotask(() => { void this.shutdown('ERROR'); });
  }
  lastError?: Error;
  private membershipError?: Error;
  private migratedInARow = 0;

  /** closes every task without committing, wipes its state; the current assignment is applied again */
  private resetTasks(): void {
    const current = [...this.tasks.keys()];
    for (const [id, rt] of this.tasks) { this.closeTask(id, rt, false); }
    this.outBuffer = [];
    this.acc.clear();
    // what was dispatched for these tasks is dropped; under exactly_once_v2 their open transaction is aborted
    this.sendGen++;
    this.sendError = undefined;
    const tx = this.txProducer;
    if (tx) this.sending = this.sending.then(() => tx.abort());
    this.pending = this.pending ?? current;
  }

  private closeTask(id: string, rt: TaskRuntime, clean: boolean): void {
    if (!clean) for (const s of rt.task.stores.values()) (s as unknown as { inner: { clear(): void } }).inner.clear();
    try { rt.task.close(); } catch { /* closing a broken task */ }
    if (!clean) fs.rmSync(path.join(rt.dir, '.checkpoint'), { force: true });
    this.tasks.delete(id);
    for (const [k, v] of [...this.taskByTp]) if (v === rt) { this.taskByTp.delete(k); this.positions.delete(k); const [t, p] = splitTp(k); this.reader!.unassign([{ topic: t, partition: p }]); }
  }

  private async rebalance(): Promise<void> {
    this.setState('REBALANCING');
    if (await this.shutdownRequestedInGroup()) {
      this.pending = null;
      this.fail(new StreamsException(`the application was asked to shut down by a member of group ${this.cfg.applicationId} (SHUTDOWN_APPLICATION)`));
      return;
    }
    const want = new Set(this.pending!);
    this.pending = null;
    // finish the work of tasks we keep or lose, then let the lost ones go
    if (this.tasks.size) await this.commit();
    for (const [id, rt] of [...this.tasks]) if (!want.has(id)) { this.writeCheckpoint(rt); this.closeTask(id, rt, true); }
    const added = [...want].filter((id) => !this.tasks.has(id));
    // a standby of a task that becomes active here hands over its stores and checkpoint: the restore reads only the tail
    await this.standbys?.release(added);
    const created: Array<[string, TaskRuntime]> = [];
    for (const id of added) {
      const [s, p] = id.split('_').map(Number);
      const sub = this.subs.find((x) => x.id === s)!;
      const dir = path.join(this.appDir, id);
      fs.mkdirSync(dir, { recursive: true });
      const task = new StreamTask(new TaskId(s, p), this.topology, sub.nodes, this.taskCfg, this.collector(), this.storeEnv(dir, p), this.globalStores);
      task.buildStores();
      const changelogs = new Map<string, { topic: string; partition: number }>();
      for (const store of sub.stores) if (this.topology.stores.get(store)!.builder.loggingEnabled) changelogs.set(store, { topic: this.changelogOf(store), partition: p });
      created.push([id, { task, dir, changelogs }]);
    }
    await this.restore(created.map(([, rt]) => rt));
    const assign: Array<{ topic: string; partition: number; offset: number | 'earliest' | 'latest' }> = [];
    const tps = created.flatMap(([id, rt]) => { const spec = this.specs.find((x) => x.subtopology === rt.task.id.subtopology)!; return spec.topics.map((topic) => ({ topic, partition: rt.task.id.partition, id })); });
    const committed = tps.length ? await this.membership!.committed(tps) : new Map<string, number>();
    for (const [id, rt] of created) {
      rt.task.init();
      this.tasks.set(id, rt);
    }
    for (const tp of tps) {
      const k = tpk(tp.topic, tp.partition);
      this.taskByTp.set(k, this.tasks.get(tp.id)!);
      const off = committed.get(k);
      assign.push({ topic: tp.topic, partition: tp.partition, offset: off ?? this.cfg.autoOffsetReset });
    }
    if (assign.length) await this.reader!.assign(assign);
    for (const a of assign) { const pos = this.reader!.position(a.topic, a.partition); if (pos !== undefined) { this.positions.set(tpk(a.topic, a.partition), pos); this.committedPositions.set(tpk(a.topic, a.partition), pos); } }
    await this.updateStandbys(want);
    if (!this.pending) this.setState('RUNNING');
  }

  private readCheckpoint(dir: string): Record<string, number> {
    try { return JSON.parse(fs.readFileSync(path.join(dir, '.checkpoint'), 'utf8')); } catch { return {}; }
  }
  private writeCheckpoint(rt: TaskRuntime, offsets?: Map<string, number>): void {
    for (const s of rt.task.stores.values()) s.flush();
    const cp = this.readCheckpoint(rt.dir);
    if (offsets) for (const { topic, partition } of rt.changelogs.values()) { const o = offsets.get(tpk(topic, partition)); if (o !== undefined) cp[tpk(topic, partition)] = o; }
    fs.writeFileSync(path.join(rt.dir, '.checkpoint'), JSON.stringify(cp));
  }

  /** Restores new tasks' stores from their changelogs: from the checkpoint if the store was closed cleanly, else from scratch. */
  private async restore(rts: TaskRuntime[]): Promise<void> {
    const parts: Array<{ rt: TaskRuntime; store: string; topic: string; partition: number; from: number }> = [];
    for (const rt of rts) {
      const cp = this.readCheckpoint(rt.dir);
      // under exactly_once a checkpoint is only good once: a crash before the next clean close must restore from scratch
      if (this.cfg.eos) fs.rmSync(path.join(rt.dir, '.checkpoint'), { force: true });
      for (const [store, tp] of rt.changelogs) {
        const from = cp[tpk(tp.topic, tp.partition)];
        const st = rt.task.stores.get(store)!;
        if (from === undefined || !st.persistent()) (st as unknown as { inner: { clear(): void } }).inner.clear();
        parts.push({ rt, store, ...tp, from: from !== undefined && st.persistent() ? from : 0 });
      }
    }
    if (!parts.length) return;
    const reader = new PartitionReader({ bootstrap: this.cfg.bootstrapServers, clientId: `${this.cfg.clientId}-restore`, isolation: this.cfg.eos ? 'read_committed' : 'read_uncommitted', maxWaitMs: 50, partitionMaxBytes: 8 << 20 });
    try {
      const ends = await reader.endOffsets(parts.map((p) => ({ topic: p.topic, partition: p.partition })));
      const endOf = (p: { topic: string; partition: number }) => { const e = ends.find((x) => x.topic === p.topic && x.partition === p.partition); return this.cfg.eos ? e?.lastStable ?? 0 : e?.latest ?? 0; };
      const todo = parts.filter((p) => p.from < endOf(p));
      const byTp = new Map(todo.map((p) => [tpk(p.topic, p.partition), { ...p, end: endOf(p), restored: 0 }]));
      for (const p of byTp.values()) this.restoreListener?.onRestoreStart?.({ topic: p.topic, partition: p.partition }, p.store, p.from, p.end);
      if (todo.length) await reader.assign(todo.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.from })));
      const more = () => [...byTp.values()].some((p) => (reader.position(p.topic, p.partition) ?? 0) < p.end);
      // the next fetch is in flight while this one's records are written
      let next = more() ? reader.poll() : undefined;
      while (next) {
        const batches = await next;
        next = more() ? reader.poll() : undefined;
        for (const b of batches) {
          const p = byTp.get(tpk(b.topic, b.partition));
          if (!p) continue;
          const st = p.rt.task.stores.get(p.store) as unknown as { restoreBatch(batch: Array<[Buffer, Buffer | null]>): void };
          const batch: Array<[Buffer, Buffer | null]> = [];
          for (const r of b.records) if (r.offset < p.end && r.key) batch.push([r.key, r.value]);
          st.restoreBatch(batch);
          p.restored += batch.length;
          this.restoreListener?.onBatchRestored?.({ topic: p.topic, partition: p.partition }, p.store, b.nextOffset, batch.length);
        }
      }
      for (const p of byTp.values()) await (p.rt.task.stores.get(p.store) as unknown as { restored?(): Promise<void> }).restored?.();
      for (const p of byTp.values()) this.restoreListener?.onRestoreEnd?.({ topic: p.topic, partition: p.partition }, p.store, p.restored);
    } finally {
      await reader.close();
    }
  }

  /** changelog partition → the offset after the last record this instance wrote (for checkpoints) */
  private readonly changelogEnds = new Map<string, number>();

  /**
   * Hands what the tasks produced since the last call to the producer, without waiting:
   * sends run one after another in `sending`; commit() waits for them.
   */
  private dispatch(): void {
    const rounds = this.acc.drain();
    const loose = this.outBuffer;
    if (!rounds.length && !loose.length) return;
    this.outBuffer = [];
    for (const r of loose) if (r.partition === undefined && r.key) { const n = this.partitionCounts.get(r.topic); if (n) r.partition = partitionFor(r.key, n); }
    let bytes = 0;
    for (const round of rounds) for (const b of round) bytes += b.batch.sizeInBytes;
    for (const r of loose) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
    const gen = this.sendGen;
    this.inFlightBytes += bytes;
    this.sending = this.sending
      .then(() => {
        if (gen !== this.sendGen || this.sendError) return;
        return this.cfg.eos ? this.txProducer!.send(rounds, loose) : this.sendAtLeastOnce(rounds, loose);
      })
      .catch((e: Error) => { if (gen === this.sendGen) this.sendError ??= e; })
      .finally(() => { this.inFlightBytes -= bytes; });
  }

  /** a changelog partition's end: the base offset of the batch written to it plus its records */
  private noteEnds(round: PreparedBatch[], res: Array<{ topic: string; partition: number; offset: number }>): void {
    for (const x of res) {
      if (!x.topic.endsWith('-changelog')) continue;
      const b = round.find((y) => y.topic === x.topic && y.partition === x.partition);
      if (b) this.changelogEnds.set(tpk(x.topic, x.partition), x.offset + b.batch.count);
    }
  }

  /** at_least_once: a request that fails is sent again record by record, so the production exception handler judges each record */
  private async sendAtLeastOnce(rounds: PreparedBatch[][], loose: OutRecord[]): Promise<void> {
    for (const round of rounds) {
      try {
        this.noteEnds(round, await this.producer!.sendBatches(round));
      } catch {
        for (const b of round) await this.sendBuffered(builtRecords(b.batch).map((r) => ({ topic: b.topic, partition: b.partition, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })));
      }
    }
    await this.sendBuffered(loose);
  }

  private async sendBuffered(records: OutRecord[]): Promise<void> {
    if (!records.length) return;
    // a changelog partition's end: the base offset of its last batch plus that batch's records
    const noteEnds = (part: OutRecord[], res: Array<{ topic: string; partition: number; offset: number }>) => {
      const counts = new Map<string, number>();
      for (const r of part) if (r.topic.endsWith('-changelog')) { const k = tpk(r.topic, r.partition!); counts.set(k, (counts.get(k) ?? 0) + 1); }
      for (const x of res) { const k = tpk(x.topic, x.partition); if (counts.has(k)) this.changelogEnds.set(k, x.offset + counts.get(k)!); }
    };
    const send = (part: OutRecord[]) => this.producer!.send(part.map((r) => ({ topic: r.topic, partition: r.partition, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })));
    for (const part of slices(records)) {
      try {
        noteEnds(part, await send(part));
      } catch (e) {
        // the batch failed: send its records one by one, so the production exception handler
        // judges each record that fails (Kafka calls it per record), not the whole batch
        for (const r of part) {
          try {
            noteEnds([r], await send([r]));
          } catch (e1) {
            let resp: 'CONTINUE' | 'FAIL' = 'FAIL';
            try { resp = this.cfg.productionHandler({ topic: r.topic, key: r.key, value: r.value }, e1 as Error); } catch { /* a throwing handler fails */ }
            if (resp === 'FAIL') throw new StreamsException(`Error encountered sending record to topic ${r.topic}: ${(e1 as Error).message}`, e1);
          }
        }
        if (process.env.STREAMS_DEBUG) console.error(`streams ${this.cfg.clientId}: batch send failed, sent per record: ${(e as Error).message}`);
      }
    }
  }

  private async commit(): Promise<void> {
    this.lastCommit = Date.now();
    // what the caches hold goes out with this commit: store, changelog and downstream
    for (const rt of this.tasks.values()) rt.task.flushCaches();
    const offsets = [...this.positions].filter(([k, v]) => this.committedPositions.get(k) !== v).map(([k, offset]) => { const [topic, partition] = splitTp(k); return { topic, partition, offset }; });
    this.dispatch();
    await this.sending;
    if (this.sendError) { const e = this.sendError; this.sendError = undefined; throw e; }
    if (this.cfg.eos) {
      if (!offsets.length && !this.txProducer!.open) return;
      await this.txProducer!.commit(offsets, this.membership!.groupMetadata());
      for (const rt of this.tasks.values()) for (const s of rt.task.stores.values()) s.flush();
    } else {
      if (!offsets.length) return;
      for (const rt of this.tasks.values()) for (const s of rt.task.stores.values()) s.flush();
      await this.membership!.commit(offsets);
      for (const rt of this.tasks.values()) this.writeCheckpoint(rt, this.changelogEnds);
    }
    for (const o of offsets) this.committedPositions.set(tpk(o.topic, o.partition), o.offset);
    this.migratedInARow = 0;
  }

  /** Local state of a store across this instance's tasks (Kafka's interactive queries). */
  store<S = ReadOnlyStoreView>(nameOrParams: string | { storeName: string }): S {
    const name = typeof nameOrParams === 'string' ? nameOrParams : nameOrParams.storeName;
    if (!this.topology.stores.has(name)) throw new InvalidStateStoreException(`Cannot get state store ${name} because no such store is registered in the topology.`);
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') throw new InvalidStateStoreException(`Cannot get state store ${name} because the stream thread is ${this.stateValue}, not RUNNING`);
    const global = this.globalStores.get(name);
    const stores = () => (global ? [global] : [...this.tasks.values()].map((rt) => rt.task.stores.get(name)).filter((s): s is StateStore => !!s));
    return new ReadOnlyStoreView(stores) as S;
  }

  /** Which partition (and whether this instance) holds a key of a store. */
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer: Serializer<K>): { partition: number; local: boolean } {
    const sub = this.subs.find((s) => s.stores.includes(storeName));
    if (!sub) throw new InvalidStateStoreException(`no store ${storeName}`);
    const n = this.specs.find((x) => x.subtopology === sub.id)!.partitions;
    const partition = partitionFor(keySerializer.serialize(storeName, key)!, n);
    return { partition, local: this.tasks.has(`${sub.id}_${partition}`) };
  }

  /**
   * Which instance hosts a key of a store (Kafka's queryMetadataForKey): the partition
   * of the key, and the `application.server` of the member the group gave that partition.
   */
  async queryMetadataForKeyAsync<K>(storeName: string, key: K, keySerializer: Serializer<K>): Promise<{ partition: number; local: boolean; activeHost: string | null }> {
    const { partition, local } = this.queryMetadataForKey(storeName, key, keySerializer);
    if (local) return { partition, local, activeHost: this.cfg.applicationServer ?? null };
    const sub = this.subs.find((s) => s.stores.includes(storeName))!;
    const topics = this.specs.find((x) => x.subtopology === sub.id)!.topics;
    const [g] = await this.admin!.describeGroups([this.cfg.applicationId]);
    for (const m of g?.members ?? []) {
      if (!m.assignment.some((a) => topics.includes(a.topic) && a.partitions.includes(partition))) continue;
      try { return { partition, local, activeHost: JSON.parse(m.metadata?.toString() ?? '{}').applicationServer ?? null }; } catch { break; }
    }
    return { partition, local, activeHost: null };
  }

  /** the `application.server` this instance announces */
  applicationServer(): string | undefined { return this.cfg.applicationServer; }

  /** The tasks this instance runs (Kafka's metadataForLocalThreads, reduced). */
  activeTasks(): string[] { return [...this.tasks.keys()].sort(); }

  async close(): Promise<void> {
    if (this.stateValue === 'NOT_RUNNING' || this.stateValue === 'ERROR') return;
    this.setState('PENDING_SHUTDOWN');
    await this.shutdown('NOT_RUNNING');
  }

  private shuttingDown?: Promise<void>;
  private shutdown(final: State): Promise<void> {
    if (!this.shuttingDown) this.shuttingDown = (async () => {
      this.stopping = true;
      await this.loop?.catch(() => undefined);
      if (final === 'NOT_RUNNING') {
        try { await this.commit(); for (const rt of this.tasks.values()) this.writeCheckpoint(rt); } catch { /* the next owner restores from the changelog */ }
      }
      for (const [id, rt] of [...this.tasks]) { try { rt.task.close(); } catch { /* already broken */ } this.tasks.delete(id); }
      await this.standbys?.close().catch(() => undefined);
      this.globalTask?.close();
      await this.membership?.close().catch(() => undefined);
      await this.reader?.close().catch(() => undefined);
      await this.globalReader?.close().catch(() => undefined);
      await this.producer?.close().catch(() => undefined);
      await this.txProducer?.close().catch(() => undefined);
      await this.admin?.close().catch(() => undefined);
      this.setState(final);
    })();
    return this.shuttingDown;
  }

  /** Deletes this application's local state directory (only when not running). */
  cleanUp(): void {
    if (this.stateValue !== 'CREATED' && this.stateValue !== 'NOT_RUNNING' && this.stateValue !== 'ERROR') throw new StreamsException('Cannot clean up while running.');
    fs.rmSync(path.join(this.cfg.stateDir, this.cfg.applicationId), { recursive: true, force: true });
  }
}

/** Kafka errors that mean this instance lost its tasks (or its producer) to a rebalance: rebuild the tasks and go on. */
const MIGRATED = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID', 'INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'CONCURRENT_TRANSACTIONS', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS']);
function kafkaErrorCodes(e: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    const o = x as { apiId?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.apiId === 'string') out.push(o.apiId);
    walk(o.cause);
    if (Array.isArray(o.errors)) o.errors.forEach(walk);
  };
  walk(e);
  return out;
}

function splitTp(k: string): [string, number] { const i = k.lastIndexOf(':'); return [k.slice(0, i), Number(k.slice(i + 1))]; }

function toRaw(r: { topic: string; partition: number; offset: number; key: Buffer | null; value: Buffer | null; timestamp: number; headers: Array<{ key: string; value: Buffer | null }> }): RawRecord {
  return { topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: new Headers(r.headers) };
}

/** A read-only view over one store's instances in this instance's tasks. */
export class ReadOnlyStoreView {
  constructor(private readonly stores: () => StateStore[]) {}
  private kv(): Array<KeyValueStore<any, any>> { return this.stores().filter((s): s is KeyValueStore<any, any> => s instanceof KeyValueStore); }
  get(key: unknown): any { for (const s of this.kv()) { const v = s.get(key); if (v !== undefined) return v; } return undefined; }
  range(from: unknown, to: unknown): Array<{ key: any; value: any }> { return this.kv().flatMap((s) => s.range(from, to)); }
  all(): Array<{ key: any; value: any }> {
    return this.stores().flatMap((s) => (s instanceof KeyValueStore || s instanceof WindowStore || s instanceof SessionStore ? (s as { all(): Array<{ key: any; value: any }> }).all() : []));
  }
  approximateNumEntries(): number { return this.stores().reduce((n, s) => n + ((s as unknown as { approximateNumEntries(): number }).approximateNumEntries?.() ?? 0), 0); }
  /** window stores: fetch(key, time) or fetch(key, timeFrom, timeTo); session stores: fetch(key) */
  fetch(key: unknown, a?: number, b?: number): any {
    const out: any[] = [];
    for (const s of this.stores()) {
      if (s instanceof WindowStore) { if (b === undefined) { const v = s.fetch(key, a!); if (v !== undefined) return v; } else out.push(...s.fetch(key, a!, b)); }
      else if (s instanceof SessionStore) out.push(...s.fetch(key));
    }
    return b === undefined && this.stores().some((s) => s instanceof WindowStore) ? undefined : out;
  }
  fetchAll(timeFrom: number, timeTo: number): Array<{ key: any; value: any }> { return this.stores().flatMap((s) => (s instanceof WindowStore ? s.fetchAll(timeFrom, timeTo) : [])); }
}
