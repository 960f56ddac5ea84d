// Helpers shared by the built-in transforms: which part of the record a $Key/$Value
// variant works on, and copying a record with a new key or value.
import { ConfigException, DataException, type ConnectRecord, type Schema, type SinkRecord } from '../../../plugins/sdk/index.ts';

export type Part = 'key' | 'value';

export function part(r: ConnectRecord, p: Part): { schema: Schema | null; value: unknown } {
  return p === 'key' ? { schema: r.keySchema ?? null, value: r.key ?? null } : { schema: r.valueSchema ?? null, value: r.value ?? null };
}

export function withPart<R extends ConnectRecord>(r: R, p: Part, schema: Schema | null, value: unknown): R {
  return p === 'key' ? { ...r, keySchema: schema, key: value } : { ...r, valueSchema: schema, value };
}

export const isSink = (r: ConnectRecord): r is SinkRecord => typeof (r as SinkRecord).kafkaOffset === 'number';

export function requireStruct(schema: Schema | null, value: unknown, purpose: string): Record<string, unknown> {
  if (!schema || schema.type !== 'struct') throw new DataError(`Only Struct objects supported for [${purpose}], found: ${schema ? schema.type : typeof value}`);
  if (!value || typeof value !== 'object') throw new DataError(`Only Struct objects supported for [${purpose}], found: ${value === null ? 'null' : typeof value}`);
  return value as Record<string, unknown>;
}

export function requireMap(value: unknown, purpose: string): Record<string, unknown> {
  if (value instanceof Map) return Object.fromEntries(value);
  if (!value || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
  return value as Record<string, unknown>;
}

/** Kafka's DataException (the SDK's), under the name the transforms use. */
export const DataError = DataException;

export const listProp = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function need(props: Record<string, string>, key: string): string {
  const v = props[key];
  if (v === undefined || v === '') throw new ConfigException(key, `Missing required configuration "${key}" which has no default value.`);
  return v;
}

/** Caches derived schemas per input schema object. */
export class SchemaCache {
  private m = new WeakMap<Schema, Schema>();
  get(s: Schema, make: (s: Schema) => Schema): Schema {
    let out = this.m.get(s);
    if (!out) { out = make(s); this.m.set(s, out); }
    return out;
  }
}
