// Records of the `_schemas` topic, keyed and valued as Confluent Schema Registry
// writes them, so a topic written by either can be read by the other. Keys are
// serialized with a fixed field order: compaction compares key bytes.
import type { SchemaReference, SchemaType } from '../formats/types.ts';

export type SchemaKey = { keytype: 'SCHEMA'; subject: string; version: number };
export type ConfigKey = { keytype: 'CONFIG'; subject: string | null };
export type ModeKey = { keytype: 'MODE'; subject: string | null };
export type DeleteSubjectKey = { keytype: 'DELETE_SUBJECT'; subject: string };
export type ClearSubjectKey = { keytype: 'CLEAR_SUBJECT'; subject: string };
export type NoopKey = { keytype: 'NOOP' };
export type RecordKey = SchemaKey | ConfigKey | ModeKey | DeleteSubjectKey | ClearSubjectKey | NoopKey;

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType; // absent = AVRO
  references?: SchemaReference[];
  schema: string;
  deleted?: boolean;
}
export interface ConfigValue { compatibilityLevel: string }
export interface ModeValue { mode: string }
export interface DeleteSubjectValue { subject: string; version: number }

/** One raw record of the log: key and value as the JSON strings stored in Kafka. */
export interface LogRecord { key: string; value: string | null }

export function encodeKey(k: RecordKey): string {
  switch (k.keytype) {
    case 'SCHEMA': return JSON.stringify({ keytype: 'SCHEMA', subject: k.subject, version: k.version, magic: 1 });
    case 'CONFIG': return JSON.stringify({ keytype: 'CONFIG', subject: k.subject, magic: 0 });
    case 'MODE': return JSON.stringify({ keytype: 'MODE', subject: k.subject, magic: 0 });
    case 'DELETE_SUBJECT': return JSON.stringify({ keytype: 'DELETE_SUBJECT', subject: k.subject, magic: 0 });
    case 'CLEAR_SUBJECT': return JSON.stringify({ keytype: 'CLEAR_SUBJECT', subject: k.subject, magic: 0 });
    case 'NOOP': return JSON.stringify({ keytype: 'NOOP', magic: 0 });
  }
}

export function encodeSchemaValue(v: SchemaValue): string {
  const o: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
  if (v.schemaType && v.schemaType !== 'AVRO') o.schemaType = v.schemaType;
  if (v.references?.length) o.references = v.references;
  o.schema = v.schema;
  o.deleted = !!v.deleted;
  return JSON.stringify(o);
}

/** Decodes a key; unknown key types (newer Confluent features) decode to null and are skipped. */
export function decodeKey(key: string): RecordKey | null {
  let o: Record<string, unknown>;
  try { o = JSON.parse(key); } catch { return null; }
  const subject = typeof o.subject === 'string' ? o.subject : null;
  switch (o.keytype) {
    case 'SCHEMA': return subject !== null && typeof o.version === 'number' ? { keytype: 'SCHEMA', subject, version: o.version } : null;
    case 'CONFIG': return { keytype: 'CONFIG', subject };
    case 'MODE': return { keytype: 'MODE', subject };
    case 'DELETE_SUBJECT': return subject !== null ? { keytype: 'DELETE_SUBJECT', subject } : null;
    case 'CLEAR_SUBJECT': return subject !== null ? { keytype: 'CLEAR_SUBJECT', subject } : null;
    case 'NOOP': return { keytype: 'NOOP' };
    default: return null;
  }
}
