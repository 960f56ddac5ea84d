// Connector, task, transformation and converter contracts. Built-in connectors
// (connectors/file, connectors/postgres, connectors/s3) use exactly these, like
// any third-party plugin.
import type { ByteWriter } from './bytes.ts';
import type { ConfigDef } from './config.ts';
import type { Header, Schema, SinkRecord, SourceRecord, TopicPartition, ConnectRecord } from './data.ts';

/** Connector configs arrive as strings, exactly as posted to the REST API. */
export type Props = Record<string, string>;

/** Minimal structured logger (pino-compatible subset). */
export interface Logger {
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface ConnectorContext {
  readonly logger: Logger;
  /** Ask the runtime to call taskConfigs() again and restart tasks whose config changed. */
  requestTaskReconfiguration(): void;
  /** Fail the connector with this error (status FAILED, trace shown). */
  raiseError(err: Error): void;
}

export abstract class Connector {
  abstract version(): string;
  /** The config definition: drives validation and the UI form. */
  abstract config(): ConfigDef;
  abstract start(props: Props, context: ConnectorContext): void | Promise<void>;
  /** At most maxTasks configs; one task is started per config. */
  abstract taskConfigs(maxTasks: number): Props[] | Promise<Props[]>;
  abstract stop(): void | Promise<void>;
  /** Extra checks beyond the ConfigDef (e.g. try to connect); return field → errors. */
  validate?(props: Props): Record<string, string[]> | Promise<Record<string, string[]>>;
}

export interface OffsetStorageReader {
  /** The last committed offset of one source partition, or null. */
  offset(partition: Record<string, unknown>): Promise<Record<string, unknown> | null>;
  offsets(partitions: Record<string, unknown>[]): Promise<Map<string, Record<string, unknown>>>;
}

export interface SourceTaskContext {
  readonly logger: Logger;
  readonly taskId: number;
  readonly connectorName: string;
  readonly offsetStorageReader: OffsetStorageReader;
  /** Report progress shown in the task status (e.g. snapshot 40% of table x). */
  reportProgress?(info: Record<string, unknown>): void;
  /**
   * Exactly-once sources (KIP-618): set only when the worker runs with
   * `exactly.once.source.support=enabled` and the connector with
   * `transaction.boundary=connector`; otherwise absent or null.
   */
  readonly transactionContext?: TransactionContext | null;
}

/**
 * Connector-defined transaction boundaries (Kafka's TransactionContext). Without a record:
 * commit/abort the open transaction after the records of the current poll() batch;
 * with a record: right after that record (which is included).
 */
export interface TransactionContext {
  commitTransaction(record?: SourceRecord): void;
  abortTransaction(record?: SourceRecord): void;
}

export interface RecordMetadata { topic: string; partition: number; offset: number }

export abstract class SourceConnector extends Connector {
  abstract taskClass(): new () => SourceTask;
  /**
   * Exactly-once support (KIP-618): 'SUPPORTED' when the task's source offsets alone say
   * where to resume (records and offsets are committed in one transaction); null or
   * absent = unknown. `exactly.once.support=required` needs 'SUPPORTED'.
   */
  exactlyOnceSupport?(props: Props): 'SUPPORTED' | 'UNSUPPORTED' | null | Promise<'SUPPORTED' | 'UNSUPPORTED' | null>;
  /** Whether tasks can define transactions (`transaction.boundary=connector`) through SourceTaskContext.transactionContext. */
  canDefineTransactionBoundaries?(props: Props): 'SUPPORTED' | 'UNSUPPORTED' | Promise<'SUPPORTED' | 'UNSUPPORTED'>;
}

export abstract class SourceTask {
  abstract version(): string;
  abstract start(props: Props, context: SourceTaskContext): void | Promise<void>;
  /** Records to send, or null/[] when none are ready (the runtime calls again; block briefly for data, not forever). */
  abstract poll(): Promise<SourceRecord[] | null>;
  /**
   * Called after the offsets of everything polled so far were committed to `connect-offsets`
   * (i.e. the broker acknowledged the records and the offsets). Acknowledge upstream here
   * (e.g. confirm an LSN to Postgres): never earlier.
   */
  commit?(committedOffsets: Map<string, Record<string, unknown>>): void | Promise<void>;
  /** Called once per record after the broker acknowledged it. */
  commitRecord?(record: SourceRecord, metadata: RecordMetadata): void | Promise<void>;
  abstract stop(): void | Promise<void>;
}

export interface SinkTaskContext {
  readonly logger: Logger;
  readonly taskId: number;
  readonly connectorName: string;
  /** Rewind/skip: the next records of this partition will start at offset. */
  offset(tp: TopicPartition, offset: number): void;
  assignment(): TopicPartition[];
  pause(...tps: TopicPartition[]): void;
  resume(...tps: TopicPartition[]): void;
  /** Ask for flush + offset commit soon. */
  requestCommit(): void;
  /** Report one bad record to the dead letter queue (if configured) and go on; rejects if errors.tolerance=none. */
  reportError?(record: SinkRecord, error: Error): Promise<void>;
  /** Report progress shown in the task status and metrics (e.g. bytes written to the external system). */
  reportProgress?(info: Record<string, unknown>): void;
}

export abstract class SinkConnector extends Connector {
  abstract taskClass(): new () => SinkTask;
}

export abstract class SinkTask {
  abstract version(): string;
  abstract start(props: Props, context: SinkTaskContext): void | Promise<void>;
  /** Write (or buffer) records. Throw RetriableException to have the same batch redelivered after a backoff. */
  abstract put(records: SinkRecord[]): Promise<void>;
  /** Make everything put so far durable; the runtime commits these consumer offsets after it resolves. */
  flush?(currentOffsets: Map<string, number>): Promise<void>;
  /**
   * Which offsets are safe to commit (key `topic-partition`, value = next offset to read).
   * Default: flush(currentOffsets) then commit currentOffsets. Sinks that buffer (S3) return less.
   */
  preCommit?(currentOffsets: Map<string, number>): Promise<Map<string, number>>;
  open?(partitions: TopicPartition[]): void | Promise<void>;
  close?(partitions: TopicPartition[]): void | Promise<void>;
  abstract stop(): void | Promise<void>;
}

/** Thrown by tasks for errors worth retrying (the runtime retries with backoff per errors.retry.*). */
export class RetriableException extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetriableException';
  }
}

/** Single message transform (SMT). Returning null drops the record. */
export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  config(): ConfigDef;
  configure(props: Props): void;
  apply(record: R): R | null;
  close?(): void;
}

/** Condition for a transformation (`transforms.x.predicate`), e.g. TopicNameMatches. */
export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  config(): ConfigDef;
  configure(props: Props): void;
  test(record: R): boolean;
  close?(): void;
}

export interface ConverterResult { schema: Schema | null; value: unknown }

/** Converts between Connect data and bytes (JsonConverter, AvroConverter, …). */
export interface Converter {
  config?(): ConfigDef;
  /** props with the `key.converter.` / `value.converter.` prefix removed. */
  configure(props: Props, isKey: boolean): void | Promise<void>;
  fromConnectData(topic: string, schema: Schema | null, value: unknown, headers?: Header[]): Buffer | null | Promise<Buffer | null>;
  /**
   * Optional (SDK 1.1), for converters whose bytes are UTF-8 text (JSON, strings): the same bytes as
   * fromConnectData, as the string. A source task's runtime then writes the text straight
   * into the record batch, with no Buffer made and copied per key and value.
   */
  fromConnectDataText?(topic: string, schema: Schema | null, value: unknown, headers?: Header[]): string | null | Promise<string | null>;
  /**
   * Optional (SDK 1.2): the bytes fromConnectData gives, appended to `out` at out.pos, synchronously;
   * false for null (nothing appended). A source task's runtime copies them from its one ByteWriter
   * into the record batch, with no Buffer or string made per key and value. On a throw, what was
   * appended is dropped and the record goes through fromConnectData (retries, errors.tolerance).
   */
  fromConnectDataInto?(topic: string, schema: Schema | null, value: unknown, out: ByteWriter, headers?: Header[]): boolean;
  toConnectData(topic: string, value: Buffer | null, headers?: Header[]): ConverterResult | Promise<ConverterResult>;
}

export type ConnectorClass = new () => SourceConnector | SinkConnector;
export type TransformationClass = new () => Transformation;
export type ConverterClass = new () => Converter;
export type PredicateClass = new () => Predicate;

/**
 * What a plugin exports (default export of its entry module):
 * `export default definePlugin({ name, version, connectors: { 'com.acme.MySource': MySource } })`.
 * Class names are the keys users put in `connector.class`, `transforms.x.type`, `*.converter`;
 * the loader also accepts the simple name (`MySource`) as an alias, like Kafka Connect.
 */
export interface PluginManifest {
  name: string;
  version: string;
  description?: string;
  connectors?: Record<string, ConnectorClass>;
  transforms?: Record<string, TransformationClass>;
  converters?: Record<string, ConverterClass>;
  predicates?: Record<string, PredicateClass>;
  /** Extra class names that resolve to one of the above (e.g. a Debezium class name). */
  aliases?: Record<string, string>;
}

export function definePlugin(m: PluginManifest): PluginManifest {
  return m;
}
