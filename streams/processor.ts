// The Processor API (org.apache.kafka.streams.processor.api): immutable Record,
// Processor with init/process/close, a context that forwards, schedules and
// hands out state stores.
export type HeaderValue = Buffer | null;
export class Headers {
  private readonly list: Array<{ key: string; value: HeaderValue }>;
  constructor(list?: Array<{ key: string; value: HeaderValue }>) { this.list = list && list.length ? list.slice() : []; }
  add(key: string, value: HeaderValue | string): this { this.list.push({ key, value: typeof value === 'string' ? Buffer.from(value) : value }); return this; }
  remove(key: string): this { for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].key === key) this.list.splice(i, 1); return this; }
  lastHeader(key: string): { key: string; value: HeaderValue } | undefined { for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].key === key) return this.list[i]; return undefined; }
  headers(key: string): Array<{ key: string; value: HeaderValue }> { return this.list.filter((h) => h.key === key); }
  toArray(): Array<{ key: string; value: HeaderValue }> { return this.list.slice(); }
  [Symbol.iterator](): Iterator<{ key: string; value: HeaderValue }> { return this.list[Symbol.iterator](); }
  get size(): number { return this.list.length; }
}

export class Record<K, V> {
  constructor(private readonly k: K, private readonly v: V, private readonly ts: number, private readonly hdrs: Headers = new Headers()) {
    if (!Number.isFinite(ts) || ts < 0) throw new RangeError(`Timestamp may not be negative, got ${ts}`);
  }
  key(): K { return this.k; }
  value(): V { return this.v; }
  timestamp(): number { return this.ts; }
  headers(): Headers { return this.hdrs; }
  withKey<K2>(key: K2): Record<K2, V> { return new Record(key, this.v, this.ts, this.hdrs); }
  withValue<V2>(value: V2): Record<K, V2> { return new Record(this.k, value, this.ts, this.hdrs); }
  withTimestamp(ts: number): Record<K, V> { return new Record(this.k, this.v, ts, this.hdrs); }
  withHeaders(h: Headers): Record<K, V> { return new Record(this.k, this.v, this.ts, h); }
}

export const PunctuationType = { STREAM_TIME: 'STREAM_TIME', WALL_CLOCK_TIME: 'WALL_CLOCK_TIME' } as const;
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType];
export type Punctuator = (timestamp: number) => void;
export interface Cancellable { cancel(): void }

export interface RecordMetadata { topic(): string; partition(): number; offset(): number }
export class TaskId {
  constructor(readonly subtopology: number, readonly partition: number) {}
  toString(): string { return `${this.subtopology}_${this.partition}`; }
}

export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
  schedule(interval: number | { toMillis(): number }, type: PunctuationType, callback: Punctuator): Cancellable;
  getStateStore<S = unknown>(name: string): S;
  recordMetadata(): RecordMetadata | undefined;
  taskId(): TaskId;
  applicationId(): string;
  appConfigs(): Record_<string, unknown>;
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  commit(): void;
}
type Record_<K extends string, V> = { [k in K]: V };

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> =
  | (() => Processor<KIn, VIn, KOut, VOut>)
  | { get(): Processor<KIn, VIn, KOut, VOut>; stores?(): unknown[] };

export function supplierGet<A, B, C, D>(s: ProcessorSupplier<A, B, C, D>): Processor<A, B, C, D> {
  return typeof s === 'function' ? s() : s.get();
}

export interface RecordContext { topic(): string; partition(): number; offset(): number; timestamp(): number; headers(): Headers }
/** to(extractor): picks the output topic per record. */
export type TopicNameExtractor<K, V> = (key: K, value: V, recordContext: RecordContext) => string;
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;
