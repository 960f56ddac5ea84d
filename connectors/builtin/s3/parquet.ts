// Parquet objects (Confluent's ParquetFormat): the Connect schema goes through the
// Avro schema (toAvroSchema, as Confluent's AvroData) and is laid out the way
// parquet-avro's AvroSchemaConverter does; the Avro schema is kept in the footer under
// `parquet.avro.schema` (as parquet-avro writes it), so the source rebuilds the exact
// Connect schema with fromAvroSchema. Written with hyparquet-writer, read with hyparquet.
import zlib from 'node:zlib';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { parquetMetadata, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { Logical, bytesToBigint, parseDecimal, unscaledToDecimal, type Schema } from '../../../plugins/sdk/index.ts';

/** A Decimal value at the schema's scale (extra fraction digits cut off, as before). */
const unscaled = (v: unknown, scale: number): bigint => parseDecimal(String(v), scale, { truncate: true }).unscaled;
import { fromAvroSchema, toAvroSchema } from './formats.ts';

export type ParquetCodec = 'none' | 'snappy' | 'gzip';
export const PARQUET_CODECS: ParquetCodec[] = ['none', 'snappy', 'gzip'];

/** Confluent's names: CompressionCodecName's extension + `.parquet`. */
export function parquetExtension(codec: ParquetCodec): string {
  return (codec === 'snappy' ? '.snappy' : codec === 'gzip' ? '.gz' : '') + '.parquet';
}

/** Column name of a non-struct schema (record keys, primitive values) wrapped into a one-column file. */
const WRAPPED = 'value';
const WRAP_KEY = 'tributary.connect.wrapped';
/** the root record of parquet.avro.schema cannot be a ["null", record] union: an optional struct schema is noted here */
const OPTIONAL_KEY = 'tributary.connect.optional';

const avroName = (s: string) => s.replace(/[^A-Za-z0-9_.]/g, '_').replace(/(^|\.)(\d)/g, '$1_$2');
const fieldName = (s: string) => avroName(s).replace(/\./g, '_');

/** Why a record cannot go into a Parquet object, or undefined. */
export function parquetRejects(schema: Schema | null, value: unknown, what = 'value'): string | undefined {
  if (!schema) return `ParquetFormat needs records with a schema, but this record's ${what} has none (schemaless JSON?). Use a ${what}.converter with schemas: io.confluent.connect.avro.AvroConverter, ProtobufConverter, JsonSchemaConverter, or org.apache.kafka.connect.json.JsonConverter with ${what}.converter.schemas.enable=true`;
  if (value === null || value === undefined) {
    if (schema.type === 'struct') return `ParquetFormat cannot store a null ${what} (tombstone) of struct schema ${schema.name ?? ''}: drop tombstones first (e.g. the Filter SMT with RecordIsTombstone) or use AvroFormat/JsonFormat`;
  }
  return undefined;
}

// ---------- schema ----------

/** Connect schema of one field -> Parquet schema elements (depth first), as parquet-avro lays them out. */
function elements(name: string, s: Schema, out: SchemaElement[], required = !s.optional): void {
  const repetition_type = required ? 'REQUIRED' : 'OPTIONAL';
  if (s.name === Logical.Decimal) {
    const precision = Number(s.parameters?.['connect.decimal.precision'] ?? 64);
    const scale = Number(s.parameters?.scale ?? 0);
    out.push({ name, type: 'BYTE_ARRAY', repetition_type, converted_type: 'DECIMAL', scale, precision, logical_type: { type: 'DECIMAL', scale, precision } });
    return;
  }
  if (s.name === Logical.Date) { out.push({ name, type: 'INT32', repetition_type, converted_type: 'DATE' }); return; }
  if (s.name === Logical.Time) { out.push({ name, type: 'INT32', repetition_type, converted_type: 'TIME_MILLIS' }); return; }
  if (s.name === Logical.Timestamp) { out.push({ name, type: 'INT64', repetition_type, converted_type: 'TIMESTAMP_MILLIS' }); return; }
  switch (s.type) {
    case 'int8': case 'int16': case 'int32': out.push({ name, type: 'INT32', repetition_type }); return;
    case 'int64': out.push({ name, type: 'INT64', repetition_type }); return;
    case 'float32': out.push({ name, type: 'FLOAT', repetition_type }); return;
    case 'float64': out.push({ name, type: 'DOUBLE', repetition_type }); return;
    case 'boolean': out.push({ name, type: 'BOOLEAN', repetition_type }); return;
    case 'string': out.push({ name, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8' }); return;
    case 'bytes': out.push({ name, type: 'BYTE_ARRAY', repetition_type }); return;
    case 'array':
      // the standard 3-level list (parquet-avro with parquet.avro.write-old-list-structure=false)
      out.push({ name, repetition_type, converted_type: 'LIST', num_children: 1 }, { name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      elements('element', s.items!, out);
      return;
    case 'map':
      out.push({ name, repetition_type, converted_type: 'MAP', num_children: 1 }, { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 }, { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED', converted_type: 'UTF8' });
      elements('value', s.values!, out);
      return;
    case 'struct': {
      const fields = s.fields ?? [];
      if (!fields.length) throw new Error(`ParquetFormat cannot write the empty struct ${s.name ?? name} (Parquet groups need a field)`);
      out.push({ name, repetition_type, num_children: fields.length });
      for (const f of fields) elements(fieldName(f.name), f.schema, out);
      return;
    }
  }
}

/** Root schema: a struct's fields become the columns; any other schema is wrapped in one `value` column. */
function rootOf(s: Schema): { fields: { name: string; schema: Schema; column: string }[]; wrapped: boolean } {
  if (s.type === 'struct') return { fields: (s.fields ?? []).map((f) => ({ name: f.name, schema: f.schema, column: fieldName(f.name) })), wrapped: false };
  return { fields: [{ name: WRAPPED, schema: s, column: WRAPPED }], wrapped: true };
}

// ---------- values ----------

const fromUnscaled = (bytes: Uint8Array, scale: number): string => unscaledToDecimal(bytesToBigint(bytes), scale);

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

/** Connect value -> the value hyparquet-writer takes for elements(s). */
function toParquet(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) return unscaled(v, Number(s.parameters?.scale ?? 0));
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? ((v.getTime() % 86_400_000) + 86_400_000) % 86_400_000 : Number(v);
  if (s.name === Logical.Timestamp) return BigInt(ms(v));
  switch (s.type) {
    case 'int64': return BigInt(v as number);
    case 'bytes': return v instanceof Uint8Array ? v : Buffer.from(v as string);
    case 'array': return (v as unknown[]).map((x) => toParquet(s.items!, x));
    case 'map': return Object.entries(v instanceof Map ? Object.fromEntries(v) : (v as object)).map(([key, x]) => ({ key: String(key), value: toParquet(s.values!, x) }));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[fieldName(f.name)] = toParquet(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

/** hyparquet's decoded value -> Connect value for the schema (as the Avro path returns them). */
function fromParquet(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) return fromUnscaled(v as Uint8Array, Number(s.parameters?.scale ?? 0));
  if (s.name === Logical.Date) return v instanceof Date ? v : new Date(Number(v) * 86_400_000);
  if (s.name === Logical.Time || s.name === Logical.Timestamp) return v instanceof Date ? v : new Date(Number(v));
  switch (s.type) {
    case 'int64': return typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
    case 'float32': return Math.fround(Number(v));
    case 'bytes': return Buffer.from(v as Uint8Array);
    case 'string': return typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8');
    case 'array': return (v as unknown[]).map((x) => fromParquet(s.items!, x));
    case 'map': {
      const entries: [string, unknown][] = Array.isArray(v) ? v.map((e: { key: unknown; value: unknown }) => [String(e.key), e.value]) : Object.entries(v as object);
      return Object.fromEntries(entries.map(([k, x]) => [typeof k === 'string' ? k : Buffer.from(k as Uint8Array).toString('utf8'), fromParquet(s.values!, x)]));
    }
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = fromParquet(f.schema, (v as Record<string, unknown>)[fieldName(f.name)]);
      return o;
    }
    default: return v;
  }
}

// ---------- files ----------

const writeCompressors = { GZIP: (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b)) };
const readCompressors = { GZIP: (b: Uint8Array) => new Uint8Array(zlib.gunzipSync(b)) };
const CODECS = { none: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP' } as const;

export function encodeParquet(schema: Schema | null, values: unknown[], codec: ParquetCodec): Buffer {
  const why = values.map((v) => parquetRejects(schema, v)).find(Boolean);
  if (why) throw new Error(why);
  const s = schema!;
  const root = rootOf(s);
  const parquetSchema: SchemaElement[] = [{ name: s.type === 'struct' ? avroName(s.name ?? 'ConnectDefault').split('.').pop()! : 'ConnectDefault', num_children: root.fields.length }];
  for (const f of root.fields) elements(f.column, f.schema, parquetSchema);
  const columnData = root.fields.map((f) => ({
    name: f.column,
    data: values.map((v) => toParquet(f.schema, root.wrapped ? v : (v as Record<string, unknown>)[f.name])),
  }));
  const avroSchema = root.wrapped ? { type: 'record', name: 'ConnectDefault', fields: [{ name: WRAPPED, type: toAvroSchema(s) }] } : toAvroSchema({ ...s, optional: false });
  const writer = new ByteWriter();
  parquetWrite({
    writer, columnData, schema: parquetSchema, codec: CODECS[codec], compressors: writeCompressors,
    kvMetadata: [{ key: 'parquet.avro.schema', value: JSON.stringify(avroSchema) }, { key: 'writer.model.name', value: 'avro' }, ...(root.wrapped ? [{ key: WRAP_KEY, value: WRAPPED }] : []), ...(!root.wrapped && s.optional ? [{ key: OPTIONAL_KEY, value: 'true' }] : [])],
    createdBy: 'tributary (hyparquet-writer)',
  });
  return Buffer.from(writer.getBuffer());
}

export async function decodeParquet(body: Buffer): Promise<{ schema: Schema; values: unknown[] }> {
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const kv = new Map((metadata.key_value_metadata ?? []).map((x) => [x.key, x.value]));
  const avroText = kv.get('parquet.avro.schema');
  if (!avroText) throw new Error('Parquet object without parquet.avro.schema in its footer: not written by an Avro-model writer (Confluent ParquetFormat or Tributary)');
  const avroSchema = JSON.parse(avroText) as { fields: { name: string; type: unknown }[] };
  const wrapped = kv.get(WRAP_KEY) === WRAPPED;
  const schema = wrapped ? fromAvroSchema(avroSchema.fields[0].type) : fromAvroSchema(avroSchema, new Map(), kv.get(OPTIONAL_KEY) === 'true');
  // decimals as their unscaled bytes (hyparquet would turn them into lossy numbers)
  for (const e of metadata.schema) if (e.converted_type === 'DECIMAL') { delete e.converted_type; delete e.logical_type; }
  const rows = await parquetReadObjects({ file, metadata, compressors: readCompressors, utf8: false }) as Record<string, unknown>[];
  const values = wrapped ? rows.map((r) => fromParquet(schema, r[WRAPPED])) : rows.map((r) => fromParquet(schema, r));
  return { schema, values };
}
