// TopologyTestDriver: runs a topology without a broker, as Kafka's
// kafka-streams-test-utils does. Records go through the real serializers; what
// a topology writes to a topic it also reads (repartition, FK-join topics) is
// fed back before pipeInput returns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Headers, TaskId } from '../processor.ts';
import type { Deserializer, Serde, Serializer } from '../serdes.ts';
import type { Topology } from '../topology.ts';
import { toMillis, type DurationLike } from '../duration.ts';
import { streamsConfig, type StreamsConfigInput } from '../config.ts';
import { StreamTask, type RawRecord, type RecordCollector } from '../runtime/task.ts';
import type { KeyValueStore, SessionStore, StateStore, WindowStore } from '../state/stores.ts';
import type { KeyValue } from '../key-value.ts';

export class TestRecord<K, V> {
  constructor(readonly key: K, readonly value: V, readonly timestamp?: number, readonly headers: Headers = new Headers()) {}
  /** Kafka's accessor names */
  getKey(): K { return this.key; }
  getValue(): V { return this.value; }
  getRecordTime(): number | undefined { return this.timestamp; }
  getHeaders(): Headers { return this.headers; }
}

type SerLike<T> = Serializer<T> | Serde<T>;
type DeLike<T> = Deserializer<T> | Serde<T>;
const ser = <T>(s: SerLike<T>): Serializer<T> => ('serialize' in s ? s : s.serializer());
const de = <T>(d: DeLike<T>): Deserializer<T> => ('deserialize' in d ? d : d.deserializer());

interface Produced { topic: string; key: Buffer | null; value: Buffer | null; headers: Headers; timestamp: number; partition: number }

export class TopologyTestDriver {
  private readonly tasks: StreamTask[] = [];
  private readonly globalTask?: StreamTask;
  private readonly outputs = new Map<string, Produced[]>();
  private readonly queue: RawRecord[] = [];
  private readonly offsets = new Map<string, number>();
  private readonly stateDir: string;
  private wallClock: number;
  private readonly appId: string;
  private closed = false;
  private readonly internal = new Set<string>();

  constructor(private readonly topology: Topology, props: StreamsConfigInput = {}, initialWallClockTimeMs: number | Date = 0) {
    const cfg = streamsConfig({ 'application.id': 'test', ...props }, { needsBroker: false });
    this.appId = cfg.applicationId;
    this.wallClock = initialWallClockTimeMs instanceof Date ? initialWallClockTimeMs.getTime() : initialWallClockTimeMs;
    this.stateDir = fs.mkdtempSync(path.join(props['state.dir'] as string ?? os.tmpdir(), 'topology-test-driver-'));
    for (const t of topology.internalTopics.keys()) this.internal.add(`${this.appId}-${t}`);
    const collector: RecordCollector = {
      send: (topic, k, v, headers, timestamp, partition) => {
        const key = typeof k === 'string' ? Buffer.from(k) : k, value = typeof v === 'string' ? Buffer.from(v) : v;
        if (topic.endsWith('-changelog') && topic.startsWith(`${this.appId}-`)) return;
        const consumed = this.tasks.some((t) => t.sourceFor(topic)) || this.globalTask?.sourceFor(topic);
        if (!this.internal.has(topic)) {
          if (!this.outputs.has(topic)) this.outputs.set(topic, []);
          this.outputs.get(topic)!.push({ topic, key, value, headers, timestamp, partition });
        }
        if (consumed) this.queue.push({ topic, partition: 0, offset: this.nextOffset(topic), timestamp, key, value, headers });
      },
      partitionsFor: () => 1,
    };
    const taskCfg = {
      applicationId: this.appId,
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
      resolveTopic: (n: string) => (topology.internalTopics.has(n) ? `${this.appId}-${n}` : n),
      deserializationExceptionHandler: cfg.deserializationHandler,
      appConfigs: { ...props, 'application.id': this.appId, 'default.key.serde': cfg.defaultKeySerde, 'default.value.serde': cfg.defaultValueSerde },
      now: () => this.wallClock,
    };
    const env = (taskDir: string) => (storeName: string) => ({
      stateDir: taskDir,
      changelogTopic: `${this.appId}-${storeName}-changelog`,
      logChange: (topic: string, key: Buffer, value: Buffer | null, ts: number) => collector.send(topic, key, value, new Headers(), ts, 0),
      timestamp: () => 0,
      defaultKeySerde: cfg.defaultKeySerde,
      defaultValueSerde: cfg.defaultValueSerde,
    });
    const globalStores = new Map<string, StateStore>();
    if (topology.globalStores.size) {
      const nodes = [...topology.globalStores.values()].flatMap((g) => [g.sourceName, g.processorName]);
      const g = new StreamTask(new TaskId(-1, -1), topology, nodes, taskCfg, collector, env(path.join(this.stateDir, 'global')), globalStores, true);
      g.buildStores();
      for (const [n, s] of g.stores) globalStores.set(n, s);
      g.init();
      this.globalTask = g;
    }
    for (const st of topology.subTopologies()) {
      const task = new StreamTask(new TaskId(st.id, 0), topology, st.nodes, taskCfg, collector, env(path.join(this.stateDir, `${st.id}_0`)), globalStores);
      task.init();
      this.tasks.push(task);
    }
  }

  private nextOffset(topic: string): number { const o = this.offsets.get(topic) ?? 0; this.offsets.set(topic, o + 1); return o; }

  /** @internal */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    if (this.closed) throw new Error('TopologyTestDriver is closed');
    const rec: RawRecord = { topic, partition: 0, offset: this.nextOffset(topic), timestamp, key, value, headers };
    const targets = [...(this.globalTask?.sourceFor(topic) ? [this.globalTask] : []), ...this.tasks.filter((t) => t.sourceFor(topic))];
    if (!targets.length) throw new Error(`Unknown topic: ${topic}`);
    for (const t of targets) t.process(rec);
    while (this.queue.length) {
      const r = this.queue.shift()!;
      if (this.globalTask?.sourceFor(r.topic)) this.globalTask.process(r);
      for (const t of this.tasks) if (t.sourceFor(r.topic)) t.process(r);
    }
  }

  createInputTopic<K, V>(topic: string, keySerializer: SerLike<K>, valueSerializer: SerLike<V>, startTimestamp: number | Date = this.wallClock, autoAdvance: DurationLike = 0): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, ser(keySerializer), ser(valueSerializer), startTimestamp instanceof Date ? startTimestamp.getTime() : startTimestamp, toMillis(autoAdvance));
  }
  createOutputTopic<K, V>(topic: string, keyDeserializer: DeLike<K>, valueDeserializer: DeLike<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, de(keyDeserializer), de(valueDeserializer));
  }
  /** @internal */
  takeOutput(topic: string, n?: number): Produced[] {
    const q = this.outputs.get(topic) ?? [];
    return q.splice(0, n ?? q.length);
  }
  /** @internal */
  outputSize(topic: string): number { return this.outputs.get(topic)?.length ?? 0; }

  advanceWallClockTime(advance: DurationLike): void {
    this.wallClock += toMillis(advance, 'advance');
    for (const t of this.tasks) t.punctuate('WALL_CLOCK_TIME', this.wallClock);
    while (this.queue.length) { const r = this.queue.shift()!; for (const t of this.tasks) if (t.sourceFor(r.topic)) t.process(r); }
  }

  producedTopicNames(): Set<string> { return new Set(this.outputs.keys()); }
  getStateStore<S extends StateStore = StateStore>(name: string): S | undefined {
    for (const t of [...this.tasks, ...(this.globalTask ? [this.globalTask] : [])]) { const s = t.stores.get(name); if (s) return s as S; }
    return undefined;
  }
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined { return this.getStateStore<KeyValueStore<K, V>>(name); }
  getTimestampedKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined { return this.getKeyValueStore(name); }
  getWindowStore<K, V>(name: string): WindowStore<K, V> | undefined { return this.getStateStore<WindowStore<K, V>>(name); }
  getSessionStore<K, V>(name: string): SessionStore<K, V> | undefined { return this.getStateStore<SessionStore<K, V>>(name); }
  getAllStateStores(): Map<string, StateStore> {
    const m = new Map<string, StateStore>();
    for (const t of [...this.tasks, ...(this.globalTask ? [this.globalTask] : [])]) for (const [n, s] of t.stores) m.set(n, s);
    return m;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.close();
    this.globalTask?.close();
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

export class TestInputTopic<K, V> {
  private currentTime: number;
  constructor(private readonly driver: TopologyTestDriver, private readonly topic: string, private readonly keySer: Serializer<K>, private readonly valueSer: Serializer<V>, startTimestamp: number, private readonly autoAdvance: number) {
    this.currentTime = startTimestamp;
  }
  advanceTime(advance: DurationLike): void { this.currentTime += toMillis(advance, 'advance'); }
  /** pipeInput(value) · pipeInput(key, value) · pipeInput(key, value, timestamp) · pipeInput(TestRecord) */
  pipeInput(value: V | TestRecord<K, V>): void;
  pipeInput(key: K, value: V, timestamp?: number | Date): void;
  pipeInput(a: any, b?: any, c?: any): void {
    let rec: TestRecord<K, V>;
    if (arguments.length === 1) rec = a instanceof TestRecord ? a : new TestRecord<K, V>(null as K, a);
    else rec = new TestRecord<K, V>(a, b, c instanceof Date ? c.getTime() : c);
    let ts = rec.timestamp;
    if (ts === undefined) { ts = this.currentTime; this.currentTime += this.autoAdvance; }
    this.driver.pipeRaw(this.topic, this.keySer.serialize(this.topic, rec.key), this.valueSer.serialize(this.topic, rec.value), ts, rec.headers);
  }
  pipeValueList(values: V[]): void { for (const v of values) this.pipeInput(v); }
  pipeKeyValueList(list: Array<KeyValue<K, V>>): void { for (const kv of list) this.pipeInput(kv.key, kv.value); }
  pipeRecordList(list: Array<TestRecord<K, V>>): void { for (const r of list) this.pipeInput(r); }
}

export class TestOutputTopic<K, V> {
  constructor(private readonly driver: TopologyTestDriver, private readonly topic: string, private readonly keyDe: Deserializer<K>, private readonly valueDe: Deserializer<V>) {}
  private read(): TestRecord<K, V> {
    const [p] = this.driver.takeOutput(this.topic, 1);
    if (!p) throw new Error(`Uninitialized topic: ${this.topic} is empty`);
    return new TestRecord(this.keyDe.deserialize(this.topic, p.key), this.valueDe.deserialize(this.topic, p.value), p.timestamp, p.headers);
  }
  readValue(): V { return this.read().value; }
  readKeyValue(): KeyValue<K, V> { const r = this.read(); return { key: r.key, value: r.value }; }
  readRecord(): TestRecord<K, V> { return this.read(); }
  readValuesToList(): V[] { return this.readRecordsToList().map((r) => r.value); }
  readKeyValuesToList(): Array<KeyValue<K, V>> { return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value })); }
  readKeyValuesToMap(): Map<K, V> { const m = new Map<K, V>(); for (const r of this.readRecordsToList()) m.set(r.key, r.value); return m; }
  readRecordsToList(): Array<TestRecord<K, V>> { const out: Array<TestRecord<K, V>> = []; while (!this.isEmpty()) out.push(this.read()); return out; }
  isEmpty(): boolean { return this.driver.outputSize(this.topic) === 0; }
  getQueueSize(): number { return this.driver.outputSize(this.topic); }
}
