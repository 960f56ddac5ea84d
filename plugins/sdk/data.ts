// Connect data model: schemas and records, shaped like Kafka Connect's so that
// JsonConverter envelopes, Debezium events and registry formats map onto them.

export type SchemaType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64'
  | 'boolean' | 'string' | 'bytes' | 'array' | 'map' | 'struct';

/** A Connect schema. Logical types are named (`org.apache.kafka.connect.data.Decimal`, …). */
export interface Schema {
  type: SchemaType;
  optional?: boolean;
  name?: string;
  version?: number;
  doc?: string;
  default?: unknown;
  parameters?: Record<string, string>;
  /** struct fields, in order */
  fields?: Field[];
  /** array element schema */
  items?: Schema;
  /** map key/value schemas */
  keys?: Schema;
  values?: Schema;
}

export interface Field { name: string; schema: Schema }

/** Well-known logical type names (same strings as Kafka Connect). */
export const Logical = {
  Decimal: 'org.apache.kafka.connect.data.Decimal',
  Date: 'org.apache.kafka.connect.data.Date',
  Time: 'org.apache.kafka.connect.data.Time',
  Timestamp: 'org.apache.kafka.connect.data.Timestamp',
} as const;

/** Small builders so connectors write `S.struct('x.Value', { id: S.int32(), name: S.string(true) })`. */
export const S = {
  int8: (optional = false): Schema => ({ type: 'int8', optional }),
  int16: (optional = false): Schema => ({ type: 'int16', optional }),
  int32: (optional = false): Schema => ({ type: 'int32', optional }),
  int64: (optional = false): Schema => ({ type: 'int64', optional }),
  float32: (optional = false): Schema => ({ type: 'float32', optional }),
  float64: (optional = false): Schema => ({ type: 'float64', optional }),
  boolean: (optional = false): Schema => ({ type: 'boolean', optional }),
  string: (optional = false): Schema => ({ type: 'string', optional }),
  bytes: (optional = false): Schema => ({ type: 'bytes', optional }),
  array: (items: Schema, optional = false): Schema => ({ type: 'array', items, optional }),
  map: (keys: Schema, values: Schema, optional = false): Schema => ({ type: 'map', keys, values, optional }),
  struct: (name: string | undefined, fields: Record<string, Schema> | Field[], optional = false): Schema => ({
    type: 'struct',
    name,
    optional,
    fields: Array.isArray(fields) ? fields : Object.entries(fields).map(([n, s]) => ({ name: n, schema: s })),
  }),
  optional: (s: Schema): Schema => ({ ...s, optional: true }),
};

/**
 * Struct values are plain objects keyed by field name; bytes are Buffers; int64 may be
 * number or bigint; maps are plain objects (string keys) or Maps. Logical types:
 * Decimal values are exact decimal strings ("12.30"); Date, Time and Timestamp values
 * are JS Dates (numbers of epoch ms are accepted when writing).
 */
export type StructValue = Record<string, unknown>;

export interface Header { key: string; value: Buffer | string | null }

/** A record a source task produces. The runtime converts key/value with the configured converters. */
export interface SourceRecord {
  /** Where in the external system this record came from, e.g. `{ server: 'pg1' }` or `{ filename: '/x' }`. */
  sourcePartition: Record<string, unknown>;
  /** Position in that source partition, stored in `connect-offsets` once the broker acknowledged the record. */
  sourceOffset: Record<string, unknown>;
  topic: string;
  /** null/undefined: chosen by the producer's partitioner from the key */
  kafkaPartition?: number | null;
  keySchema?: Schema | null;
  key?: unknown;
  valueSchema?: Schema | null;
  value?: unknown;
  /** epoch ms; default: now */
  timestamp?: number;
  headers?: Header[];
}

/** A record a sink task receives, already converted from bytes with the configured converters. */
export interface SinkRecord {
  topic: string;
  kafkaPartition: number;
  kafkaOffset: number;
  keySchema: Schema | null;
  key: unknown;
  valueSchema: Schema | null;
  value: unknown;
  timestamp: number;
  timestampType?: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  headers: Header[];
}

export type ConnectRecord = SourceRecord | SinkRecord;

export interface TopicPartition { topic: string; partition: number }

/** Key used in Maps of partitions: `topic-partition`. */
export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;
