// A stream task: one sub-topology's processors and stores for one partition.
// Processing is synchronous and depth-first, as in Kafka Streams: a record runs
// through every downstream processor before the next one is taken.
import { Headers, Record, TaskId, type Cancellable, type Processor, type ProcessorContext, type PunctuationType, type Punctuator, type RecordMetadata, supplierGet } from '../processor.ts';
import { SerdeNotReadyException, UTF8_STRINGS, type Serde, type Serializer } from '../serdes.ts';
import type { ProcessorNode, SinkNode, SourceNode, Topology } from '../topology.ts';
import type { StateStore, StoreEnv } from '../state/stores.ts';
import { toMillis } from '../duration.ts';
import { murmur2, partitionFor } from './murmur2.ts';

export interface RawRecord { topic: string; partition: number; offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers?: Headers }

export interface RecordCollector {
  /** a string key or value is UTF-8 text, written as such (a sink under the built-in String serde); only with a partition >= 0 */
  send(topic: string, key: Buffer | string | null, value: Buffer | string | null, headers: Headers, timestamp: number, partition: number): void;
  /** partition count of a topic (for sinks); undefined when unknown (the producer then picks) */
  partitionsFor(topic: string): number | undefined;
}

export type DeserializationHandlerResponse = 'CONTINUE' | 'FAIL';
export type DeserializationExceptionHandler = (record: RawRecord, error: Error) => DeserializationHandlerResponse;
export const LogAndContinueExceptionHandler: DeserializationExceptionHandler = (r, e) => { console.warn(`skipping record ${r.topic}-${r.partition}@${r.offset} that failed to deserialize: ${e.message}`); return 'CONTINUE'; };
export const LogAndFailExceptionHandler: DeserializationExceptionHandler = () => 'FAIL';

export interface TaskConfig {
  applicationId: string;
  defaultKeySerde: Serde<any>;
  defaultValueSerde: Serde<any>;
  resolveTopic(name: string): string;
  deserializationExceptionHandler: DeserializationExceptionHandler;
  appConfigs: { [k: string]: unknown };
  now(): number;
}

interface Schedule { type: PunctuationType; interval: number; next?: number; cb: Punctuator; cancelled: boolean; node: string }

export class StreamsException extends Error {
  constructor(message: string, readonly cause?: unknown) { super(message); this.name = 'StreamsException'; }
}

export class StreamTask {
  streamTime = -1;
  readonly stores = new Map<string, StateStore>();
  private readonly processors = new Map<string, Processor<any, any, any, any>>();
  private readonly contexts = new Map<string, NodeContext>();
  private readonly sourcesByTopic = new Map<string, SourceNode>();
  private readonly patternSources: SourceNode[] = [];
  private readonly schedules: Schedule[] = [];
  current: { topic: string; partition: number; offset: number; timestamp: number; headers: Headers } | undefined;
  processed = 0;

  constructor(readonly id: TaskId, readonly topology: Topology, readonly nodeNames: string[], readonly cfg: TaskConfig, readonly collector: RecordCollector,
    readonly storeEnv: (storeName: string) => StoreEnv, readonly globalStores: Map<string, StateStore> = new Map(), readonly isGlobal = false) {
    for (const n of nodeNames) {
      const node = topology.nodes.get(n)!;
      if (node.kind === 'source') {
        for (const t of node.topics) this.sourcesByTopic.set(cfg.resolveTopic(t), node);
        if (node.pattern) this.patternSources.push(node);
      }
    }
  }

  /** builds stores (the caller restores them before init) */
  buildStores(): void {
    const names = new Set<string>();
    for (const n of this.nodeNames) { const node = this.topology.nodes.get(n)!; if (node.kind === 'processor') for (const s of node.stores) if (this.isGlobal || !this.topology.globalStores.has(s)) names.add(s); }
    for (const s of names) {
      const env: StoreEnv = { ...this.storeEnv(s), recordContext: () => this.current, withRecordContext: (ctx, fn) => this.withContext(ctx as StreamTask['current'], fn) };
      this.stores.set(s, this.topology.stores.get(s)!.builder.build(env));
    }
  }

  private withContext(ctx: StreamTask['current'], fn: () => void): void {
    const saved = this.current;
    this.current = ctx;
    try { fn(); } finally { this.current = saved; }
  }

  /** writes the record caches through, in topology order (a flushed store can feed a later cached one): before each commit */
  flushCaches(): void { for (const s of this.stores.values()) (s as { flushCache?(): void }).flushCache?.(); }

  init(): void {
    if (!this.stores.size) this.buildStores();
    for (const n of this.nodeNames) {
      const node = this.topology.nodes.get(n)!;
      const ctx = new NodeContext(this, n);
      this.contexts.set(n, ctx);
      if (node.kind === 'processor') this.processors.set(n, supplierGet(node.supplier));
      else if (node.kind === 'sink') this.processors.set(n, new SinkProcessor(this, node));
    }
    for (const [n, p] of this.processors) p.init?.(this.contexts.get(n)! as ProcessorContext<any, any>);
  }

  sourceFor(topic: string): SourceNode | undefined {
    return this.sourcesByTopic.get(topic) ?? this.patternSources.find((s) => s.pattern!.test(topic));
  }

  process(raw: RawRecord): void {
    const source = this.sourceFor(raw.topic);
    if (!source) throw new StreamsException(`task ${this.id} has no source for topic ${raw.topic}`);
    let key: unknown, value: unknown;
    try {
      key = (source.keyDeserializer ?? this.cfg.defaultKeySerde.deserializer()).deserialize(raw.topic, raw.key);
      value = (source.valueDeserializer ?? this.cfg.defaultValueSerde.deserializer()).deserialize(raw.topic, raw.value);
    } catch (e) {
      if (e instanceof SerdeNotReadyException) throw e; // the runtime waits and hands the record in again
      const r = this.cfg.deserializationExceptionHandler(raw, e as Error);
      if (r === 'CONTINUE') return;
      throw new StreamsException(`Deserialization exception handler is set to fail upon a deserialization error of ${raw.topic}-${raw.partition} at offset ${raw.offset}: ${(e as Error).message}`, e);
    }
    let ts = raw.timestamp;
    if (source.timestampExtractor) ts = source.timestampExtractor({ topic: raw.topic, partition: raw.partition, offset: raw.offset, key, value, timestamp: raw.timestamp }, this.streamTime);
    if (!(ts >= 0)) { console.warn(`skipping record ${raw.topic}-${raw.partition}@${raw.offset} with invalid timestamp ${ts}`); return; }
    const headers = raw.headers ?? new Headers();
    this.current = { topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: ts, headers };
    if (ts > this.streamTime) this.streamTime = ts;
    const rec = new Record(key, value, ts, headers);
    for (const c of source.children) this.run(c, rec);
    this.processed++;
    this.punctuate('STREAM_TIME', this.streamTime);
  }

  run(nodeName: string, record: Record<any, any>): void {
    const p = this.processors.get(nodeName);
    if (!p) throw new StreamsException(`unknown processor ${nodeName}`);
    p.process(record);
  }

  schedule(node: string, interval: number, type: PunctuationType, cb: Punctuator): Cancellable {
    if (!(interval >= 1)) throw new RangeError('punctuation interval must be at least 1 ms');
    const s: Schedule = { type, interval, cb, cancelled: false, node, next: type === 'WALL_CLOCK_TIME' ? this.cfg.now() + interval : undefined };
    this.schedules.push(s);
    return { cancel: () => { s.cancelled = true; } };
  }

  /** fires due punctuations of one type; returns whether any fired */
  punctuate(type: PunctuationType, time: number): boolean {
    let fired = false;
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== type || time < 0) continue;
      if (s.next === undefined || time >= s.next) {
        s.next = s.next === undefined ? time + s.interval : s.next + s.interval * (Math.floor((time - s.next) / s.interval) + 1);
        const saved = this.current;
        this.current = undefined;
        try { s.cb(time); } finally { this.current = saved; }
        fired = true;
      }
    }
    return fired;
  }

  getStore(name: string): StateStore | undefined { return this.stores.get(name) ?? this.globalStores.get(name); }

  flush(): void { for (const s of this.stores.values()) s.flush(); }
  close(): void {
    for (const p of this.processors.values()) p.close?.();
    for (const s of this.stores.values()) s.close();
  }
}

class NodeContext implements ProcessorContext<any, any> {
  private readonly node: ProcessorNode | SinkNode | SourceNode;
  constructor(private readonly task: StreamTask, private readonly name: string) { this.node = task.topology.nodes.get(name)!; }
  forward(record: Record<any, any>, childName?: string): void {
    if (childName !== undefined) {
      if (!this.node.children.includes(childName)) throw new StreamsException(`Unknown downstream node: ${childName} either does not exist or is not connected to this processor.`);
      this.task.run(childName, record);
      return;
    }
    for (const c of this.node.children) this.task.run(c, record);
  }
  schedule(interval: number | { toMillis(): number }, type: PunctuationType, cb: Punctuator): Cancellable {
    return this.task.schedule(this.name, toMillis(interval as number, 'punctuation interval'), type, cb);
  }
  getStateStore<S>(name: string): S {
    const connected = this.node.kind === 'processor' && this.node.stores.has(name);
    if (!connected && !this.task.topology.globalStores.has(name)) throw new StreamsException(`Processor ${this.name} has no access to StateStore ${name} as the store is not connected to the processor.`);
    const s = this.task.getStore(name);
    if (!s) throw new StreamsException(`state store ${name} is not available in task ${this.task.id}`);
    return s as S;
  }
  recordMetadata(): RecordMetadata | undefined {
    const c = this.task.current;
    return c && { topic: () => c.topic, partition: () => c.partition, offset: () => c.offset };
  }
  taskId(): TaskId { return this.task.id; }
  applicationId(): string { return this.task.cfg.applicationId; }
  appConfigs(): { [k: string]: unknown } { return this.task.cfg.appConfigs; }
  currentStreamTimeMs(): number { return this.task.streamTime; }
  currentSystemTimeMs(): number { return this.task.cfg.now(); }
  commit(): void { /* commits follow commit.interval.ms */ }
}

class SinkProcessor implements Processor<any, any, void, void> {
  constructor(private readonly task: StreamTask, private readonly node: SinkNode) {}
  process(record: Record<any, any>): void {
    const t = this.task;
    const c = t.current;
    const topic = typeof this.node.topic === 'string' ? t.cfg.resolveTopic(this.node.topic)
      : this.node.topic(record.key(), record.value(), { topic: () => c?.topic ?? '', partition: () => c?.partition ?? -1, offset: () => c?.offset ?? -1, timestamp: () => record.timestamp(), headers: () => record.headers() });
    if (typeof topic !== 'string' || !topic) throw new StreamsException(`topic name extractor of ${this.node.name} returned ${String(topic)}`);
    const ks = this.node.keySerializer ?? t.cfg.defaultKeySerde.serializer(), vs = this.node.valueSerializer ?? t.cfg.defaultValueSerde.serializer();
    const key = record.key(), value = record.value();
    const n = t.collector.partitionsFor(topic);
    let partition = -1;
    if (n !== undefined && this.node.partitioner) partition = this.node.partitioner(topic, key, value, n) ?? -1;
    // the built-in String serde with the partition known: the strings go into the batch as they are (no Buffer
    // per key and value); a plain ASCII key's UTF-8 bytes are its char codes, so murmur2 reads them from the string
    let k: Buffer | string | null;
    if (n !== undefined && typeof key === 'string' && isUtf8(ks) && (partition >= 0 || ASCII.test(key))) {
      k = key;
      if (partition < 0) partition = (murmur2Ascii(key) & 0x7fffffff) % n;
    } else {
      k = ks.serialize(topic, key);
      if (n !== undefined && partition < 0) partition = k ? partitionFor(k, n) : Math.floor(Math.random() * n);
    }
    const v = n !== undefined && typeof value === 'string' && isUtf8(vs) ? value : vs.serialize(topic, value);
    t.collector.send(topic, k, v, record.headers(), record.timestamp(), partition);
  }
}

const ASCII = /^[\x00-\x7f]*$/;
const isUtf8 = (s: Serializer<unknown>) => (s as { [UTF8_STRINGS]?: boolean })[UTF8_STRINGS] === true;
/** murmur2 (Kafka's default partitioner) of an ASCII string's bytes, read as its char codes */
export function murmur2Ascii(s: string): number {
  const len = s.length;
  if (len <= 64) {
    const b = SCRATCH;
    for (let i = 0; i < len; i++) b[i] = s.charCodeAt(i);
    return murmur2(b.subarray(0, len));
  }
  return murmur2(Buffer.from(s, 'latin1'));
}
const SCRATCH = Buffer.allocUnsafe(64);
