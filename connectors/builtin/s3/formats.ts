// Object formats: JSON lines (values as schemaless JSON, like JsonConverter with
// schemas.enable=false), Avro object container files (schema from the Connect schema,
// as Confluent's AvroData maps it) and raw bytes with a separator.
import avro from 'avsc';
import { Logical, bigintToBytes, bytesToBigint, parseDecimal, unscaledToDecimal, type Schema } from '../../../plugins/sdk/index.ts';

/** A Decimal value at the schema's scale (extra fraction digits cut off, as before). */
const unscaled = (v: unknown, scale: number): bigint => parseDecimal(String(v), scale, { truncate: true }).unscaled;

export type FormatName = 'json' | 'avro' | 'bytes' | 'parquet';

/** parquet: `.snappy.parquet` by default, see parquetExtension(parquet.codec) */
export const EXTENSIONS: Record<FormatName, string> = { json: '.json', avro: '.avro', bytes: '.bin', parquet: '.snappy.parquet' };

export interface Encoded { body: Buffer; count: number }

// ---------- JSON ----------

/** Connect value -> plain JSON value (bytes as base64, Decimal as its number, dates as epoch numbers). */
export function toPlainJson(s: Schema | null, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s?.name === Logical.Decimal) return Number(v);
  if (s?.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : Number(v);
  if (s?.name === Logical.Timestamp || s?.name === Logical.Time) return v instanceof Date ? v.getTime() : Number(v);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.getTime();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toPlainJson(s?.values ?? null, x)]));
  if (Array.isArray(v)) return v.map((x) => toPlainJson(s?.items ?? null, x));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    if (s?.type === 'struct') for (const f of s.fields ?? []) out[f.name] = toPlainJson(f.schema, (v as Record<string, unknown>)[f.name]);
    else for (const [k, x] of Object.entries(v)) out[k] = toPlainJson(s?.type === 'map' ? s.values ?? null : null, x);
    return out;
  }
  return v;
}

export function encodeJson(schema: Schema | null, values: unknown[]): Buffer {
  return Buffer.from(values.map((v) => JSON.stringify(toPlainJson(schema, v)) + '\n').join(''));
}

export function decodeJson(body: Buffer): unknown[] {
  return body.toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

// ---------- bytes ----------

export function unescapeSeparator(s: string): Buffer {
  return Buffer.from(JSON.parse(`"${s.replace(/"/g, '\\"')}"`) as string);
}

export function encodeBytes(values: unknown[], sep: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    parts.push(Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
    parts.push(sep);
  }
  return Buffer.concat(parts);
}

export function decodeBytes(body: Buffer, sep: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < body.length) {
    const j = sep.length ? body.indexOf(sep, i) : -1;
    if (j < 0) { out.push(body.subarray(i)); break; }
    out.push(body.subarray(i, j));
    i = j + sep.length;
  }
  return out;
}

// ---------- Avro ----------

const avroName = (s: string) => s.replace(/[^A-Za-z0-9_.]/g, '_').replace(/(^|\.)(\d)/g, '$1_$2');

/** Connect schema -> Avro schema (optional -> ["null", T] with default null). */
export function toAvroSchema(s: Schema | null, defined = new Set<string>()): unknown {
  if (!s) return 'bytes';
  let t: unknown;
  if (s.name === Logical.Decimal) t = { type: 'bytes', logicalType: 'decimal', precision: Number(s.parameters?.['connect.decimal.precision'] ?? 64), scale: Number(s.parameters?.scale ?? 0), 'connect.name': s.name };
  else if (s.name === Logical.Date) t = { type: 'int', logicalType: 'date', 'connect.name': s.name };
  else if (s.name === Logical.Time) t = { type: 'int', logicalType: 'time-millis', 'connect.name': s.name };
  else if (s.name === Logical.Timestamp) t = { type: 'long', logicalType: 'timestamp-millis', 'connect.name': s.name };
  else {
    switch (s.type) {
      case 'int8': case 'int16': t = { type: 'int', 'connect.type': s.type, ...(s.name ? { 'connect.name': s.name } : {}) }; break;
      case 'int32': t = s.name ? { type: 'int', 'connect.name': s.name } : 'int'; break;
      case 'int64': t = s.name ? { type: 'long', 'connect.name': s.name } : 'long'; break;
      case 'float32': t = 'float'; break;
      case 'float64': t = 'double'; break;
      case 'boolean': t = 'boolean'; break;
      case 'string': t = s.name ? { type: 'string', 'connect.name': s.name } : 'string'; break;
      case 'bytes': t = 'bytes'; break;
      case 'array': t = { type: 'array', items: toAvroSchema(s.items ?? null, defined) }; break;
      case 'map': t = { type: 'map', values: toAvroSchema(s.values ?? null, defined) }; break;
      case 'struct': {
        const name = avroName(s.name ?? 'ConnectDefault');
        if (defined.has(name)) t = name;
        else {
          defined.add(name);
          t = { type: 'record', name, fields: (s.fields ?? []).map((f) => ({ name: avroName(f.name), type: toAvroSchema(f.schema, defined), ...(f.schema.optional ? { default: null } : {}) })) };
        }
        break;
      }
    }
  }
  // Connect parameters ride along as AvroData's connect.parameters, so they come back unchanged
  if (s.parameters && Object.keys(s.parameters).length && s.type !== 'struct') t = { ...(typeof t === 'string' ? { type: t } : (t as object)), 'connect.parameters': s.parameters };
  return s.optional ? ['null', t] : t;
}

/** Avro schema (as parsed JSON) -> Connect schema. */
export function fromAvroSchema(a: unknown, named = new Map<string, Schema>(), optional = false): Schema {
  if (Array.isArray(a)) {
    const nonNull = a.filter((x) => x !== 'null');
    return fromAvroSchema(nonNull[0], named, a.includes('null'));
  }
  if (typeof a === 'string') {
    const prim: Record<string, Schema['type']> = { int: 'int32', long: 'int64', float: 'float32', double: 'float64', boolean: 'boolean', string: 'string', bytes: 'bytes' };
    if (prim[a]) return { type: prim[a], optional };
    const n = named.get(a);
    if (n) return { ...n, optional };
    throw new Error(`unknown Avro type ${a}`);
  }
  const o = a as Record<string, unknown>;
  const cname = o['connect.name'] as string | undefined;
  const params = o['connect.parameters'] as Record<string, string> | undefined;
  if (o.logicalType === 'decimal') return { type: 'bytes', name: Logical.Decimal, parameters: params ?? { scale: String(o.scale ?? 0), 'connect.decimal.precision': String(o.precision) }, optional };
  if (o.logicalType === 'date') return { type: 'int32', name: Logical.Date, optional };
  if (o.logicalType === 'time-millis') return { type: 'int32', name: Logical.Time, optional };
  if (o.logicalType === 'timestamp-millis') return { type: 'int64', name: Logical.Timestamp, optional };
  switch (o.type) {
    case 'record': {
      const name = [o.namespace, o.name].filter(Boolean).join('.');
      const s: Schema = { type: 'struct', name, optional, fields: [] };
      named.set(name, s);
      named.set(o.name as string, s);
      s.fields = (o.fields as { name: string; type: unknown }[]).map((f) => ({ name: f.name, schema: fromAvroSchema(f.type, named) }));
      return s;
    }
    case 'array': return { type: 'array', items: fromAvroSchema(o.items, named), optional, ...(params ? { parameters: params } : {}) };
    case 'map': return { type: 'map', keys: { type: 'string', optional: false }, values: fromAvroSchema(o.values, named), optional, ...(params ? { parameters: params } : {}) };
    default: {
      const base = fromAvroSchema(o.type, named, optional);
      const ct = o['connect.type'] as Schema['type'] | undefined;
      return { ...base, ...(ct ? { type: ct } : {}), ...(cname ? { name: cname } : {}), ...(params ? { parameters: params } : {}) };
    }
  }
}

/** Connect value -> the value avsc writes for toAvroSchema(s). */
export function toAvroValue(s: Schema | null, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (!s) return Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v));
  if (s.name === Logical.Decimal) return bigintToBytes(unscaled(v, Number(s.parameters?.scale ?? 0)));
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? v.getTime() % 86_400_000 : Number(v);
  if (s.name === Logical.Timestamp) return v instanceof Date ? v.getTime() : Number(v);
  switch (s.type) {
    case 'int64': return Number(v);
    case 'bytes': return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
    case 'array': return (v as unknown[]).map((x) => toAvroValue(s.items ?? null, x));
    case 'map': return Object.fromEntries(Object.entries(v instanceof Map ? Object.fromEntries(v) : (v as object)).map(([k, x]) => [k, toAvroValue(s.values ?? null, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[avroName(f.name)] = toAvroValue(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

/** avsc's decoded value -> Connect value for fromAvroSchema's schema. */
export function fromAvroValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) {
    const scale = Number(s.parameters?.scale ?? 0);
    return unscaledToDecimal(bytesToBigint(v as Buffer), scale);
  }
  if (s.name === Logical.Date) return new Date(Number(v) * 86_400_000);
  if (s.name === Logical.Time || s.name === Logical.Timestamp) return new Date(Number(v));
  switch (s.type) {
    case 'array': return (v as unknown[]).map((x) => fromAvroValue(s.items!, x));
    case 'map': return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, fromAvroValue(s.values!, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = fromAvroValue(f.schema, (v as Record<string, unknown>)[avroName(f.name)]);
      return o;
    }
    default: return v;
  }
}

export async function encodeAvro(schema: Schema | null, values: unknown[], codec: 'null' | 'deflate'): Promise<Buffer> {
  // the schema object (not a parsed Type) so the header keeps logicalType and connect.* attributes
  const enc = new avro.streams.BlockEncoder(toAvroSchema(schema) as avro.Schema, { codec } as never);
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    enc.on('data', (c: Buffer) => chunks.push(c));
    enc.on('end', resolve);
    enc.on('error', reject);
  });
  for (const v of values) enc.write(toAvroValue(schema, v));
  enc.end();
  await done;
  return Buffer.concat(chunks);
}

export async function decodeAvro(body: Buffer): Promise<{ schema: Schema; values: unknown[] }> {
  const dec = new avro.streams.BlockDecoder({ noDecode: false } as never);
  const values: unknown[] = [];
  let writer: unknown = null;
  const done = new Promise<void>((resolve, reject) => {
    // the header's schema text keeps logicalType and connect.* attributes that avsc's parsed type drops
    dec.on('metadata', (_type: avro.Type, _codec: string, header: { meta: Record<string, Buffer> }) => { writer = JSON.parse(header.meta['avro.schema'].toString()); });
    dec.on('data', (v: unknown) => values.push(v));
    dec.on('end', resolve);
    dec.on('error', reject);
  });
  dec.end(body);
  await done;
  const schema = fromAvroSchema(writer);
  return { schema, values: values.map((v) => fromAvroValue(schema, normalize(v))) };
}

/** avsc decodes records into class instances; make them plain objects. */
function normalize(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(normalize);
  return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, normalize(x)]));
}
