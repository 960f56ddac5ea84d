// Confluent's registry converters: io.confluent.connect.avro.AvroConverter,
// io.confluent.connect.protobuf.ProtobufConverter, io.confluent.connect.json.JsonSchemaConverter.
// Connect schemas map to the format's schema (like Confluent's AvroData / ProtobufData /
// JsonSchemaData), registered under the subject the naming strategy gives
// (TopicNameStrategy: <topic>-key / <topic>-value), framed in the Confluent wire
// format with registry/serde.ts; reading maps the writer's schema back to Connect.
import type protobuf from 'protobufjs';
import { ConfigDef, Logical, RetriableException, type Converter, type ConverterResult, type Field, type Props, type Schema } from '../../../plugins/sdk/index.ts';
import { HttpRegistryClient, RegistryHttpError } from '../../../registry/client.ts';
import { RegistrySerde } from '../../../registry/serde.ts';
import type { AvroSchema, JsonSchema, ProtobufSchema } from '../../../registry/formats/index.ts';
import { DataException, bigintToBytes, bytesToBigint, decimalToUnscaled, scaleOf, toMillis, unscaledToDecimal } from './logical.ts';

type Fmt = 'AVRO' | 'PROTOBUF' | 'JSON';
const STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'];

abstract class RegistryConverter implements Converter {
  protected abstract readonly format: Fmt;
  protected client!: HttpRegistryClient;
  protected serde!: RegistrySerde;
  private isKey = false;
  private autoRegister = true;
  private useLatest = false;
  private strategy = 'TopicNameStrategy';
  private ids = new Map<string, number>();
  /** Connect schema per registry schema (id, plus message name for Protobuf): built once, and the same object for every record, so WeakMap schema caches downstream (transforms) hit. */
  private connectSchemas = new Map<string, Schema>();

  protected connectSchema(key: string, make: () => Schema): Schema {
    let s = this.connectSchemas.get(key);
    if (!s) { s = make(); this.connectSchemas.set(key, s); }
    return s;
  }

  /** Registry schema text per Connect schema: built once per schema object. */
  private texts = new WeakMap<Schema, string>();
  protected schemaText(s: Schema, make: () => unknown): string {
    let text = this.texts.get(s);
    if (!text) { text = JSON.stringify(make()); this.texts.set(s, text); }
    return text;
  }

  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'schema.registry.url', type: 'LIST', documentation: 'Comma-separated list of URLs for Schema Registry instances (the first is used).' })
      .define({ name: 'basic.auth.credentials.source', type: 'STRING', default: 'URL', documentation: 'Where the registry credentials come from: USER_INFO (basic.auth.user.info) or URL (http://user:password@host).' })
      .define({ name: 'basic.auth.user.info', type: 'PASSWORD', default: '', documentation: 'user:password for the registry (with basic.auth.credentials.source=USER_INFO); a ${file:...} placeholder keeps it out of the config.' })
      .define({ name: 'auto.register.schemas', type: 'BOOLEAN', default: true, documentation: 'Register new schemas under the subject when converting.' })
      .define({ name: 'use.latest.version', type: 'BOOLEAN', default: false, documentation: 'With auto.register.schemas=false: use the latest version of the subject.' })
      .define({ name: 'key.subject.name.strategy', type: 'CLASS', default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy', documentation: 'Subject naming for keys: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.' })
      .define({ name: 'value.subject.name.strategy', type: 'CLASS', default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy', documentation: 'Subject naming for values: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.' });
  }

  configure(props: Props, isKey: boolean): void {
    const c = this.config().parse(props);
    this.isKey = isKey;
    const url = (c['schema.registry.url'] as string[])[0];
    if (!url) throw new DataException('schema.registry.url is required');
    this.client = registryClient(url, String(c['basic.auth.credentials.source']), String(c['basic.auth.user.info'] ?? ''));
    this.serde = new RegistrySerde(this.client);
    this.autoRegister = c['auto.register.schemas'] as boolean;
    this.useLatest = c['use.latest.version'] as boolean;
    const st = String(c[isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy']);
    this.strategy = st.slice(st.lastIndexOf('.') + 1);
    if (!STRATEGIES.includes(this.strategy)) throw new DataException(`Unknown subject name strategy ${st}`);
  }

  protected subject(topic: string, recordName: string | null): string {
    const suffix = this.isKey ? 'key' : 'value';
    switch (this.strategy) {
      case 'RecordNameStrategy': if (!recordName) throw new DataException('RecordNameStrategy needs a named (record) schema'); return recordName;
      case 'TopicRecordNameStrategy': if (!recordName) throw new DataException('TopicRecordNameStrategy needs a named (record) schema'); return `${topic}-${recordName}`;
      default: return `${topic}-${suffix}`;
    }
  }

  /** Registry unreachable or 5xx: retriable (errors.retry.timeout applies), as Confluent's converters treat network errors. */
  protected async registryCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as Error;
      if (e instanceof RegistryHttpError) {
        if (e.status >= 500) throw new RetriableException(`schema registry unavailable: ${e.message}`, { cause: e });
        throw new DataException(`schema registry: ${e.message} (error ${e.errorCode})`, { cause: e });
      }
      if ((err.name === 'TypeError' && /fetch failed/.test(err.message)) || err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new RetriableException(`schema registry unavailable: ${err.message}`, { cause: e });
      }
      throw new DataException(`Converting failed: ${err.message}`, { cause: e });
    }
  }

  protected async idFor(subject: string, schemaText: string): Promise<number> {
    const k = `${subject}\u0000${schemaText}`;
    let id = this.ids.get(k);
    if (id !== undefined) return id;
    const body = { schema: schemaText, ...(this.format === 'AVRO' ? {} : { schemaType: this.format }) };
    if (this.autoRegister) id = (await this.registryCall(() => this.client.register(subject, body))).id;
    else if (this.useLatest) id = (await this.registryCall(() => this.client.getSchemaByVersion(subject, 'latest'))).id;
    else id = (await this.registryCall(() => this.client.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}`, body))).id;
    this.ids.set(k, id);
    return id;
  }

  abstract fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null>;
  abstract toConnectData(topic: string, value: Buffer | null): Promise<ConverterResult>;
}

function inferSchema(v: unknown): Schema {
  if (typeof v === 'string') return { type: 'string' };
  if (typeof v === 'boolean') return { type: 'boolean' };
  if (typeof v === 'bigint') return { type: 'int64' };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int64' } : { type: 'float64' };
  if (Buffer.isBuffer(v)) return { type: 'bytes' };
  throw new DataException(`The registry converters need a schema for ${Array.isArray(v) ? 'arrays' : typeof v} values (schemaless data of this kind cannot be converted)`);
}

// ============================================================ Avro
// Like Confluent's AvroData: Connect metadata rides on the Avro type as connect.name,
// connect.version, connect.doc, connect.parameters and connect.default (and
// connect.type for int8/int16), so names and parameters of primitives (Debezium's
// io.debezium.time.Date, io.debezium.data.Json, …) survive a round trip; Connect's
// logical types also get Avro's logicalType. A struct is defined once per Avro schema
// and referenced by its full name afterwards (Debezium's before/after); unnamed
// structs are io.confluent.connect.avro.ConnectDefault, ConnectDefault2, …
const DEFAULT_NS = 'io.confluent.connect.avro';
const DEFAULT_NAME = 'ConnectDefault';
const DEFAULT_FULL_NAME = /^io\.confluent\.connect\.avro\.ConnectDefault\d*$/;
const MAP_ENTRY = 'MapEntry';
const RECORD_DOC = 'io.confluent.connect.avro.record.doc';
const FIELD_DOC = 'io.confluent.connect.avro.field.doc.';
const DECIMAL_PRECISION = 'connect.decimal.precision';
const AVRO_PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

function splitName(n: string | undefined, fallback: string): { name: string; namespace?: string } {
  const full = n ?? fallback;
  const i = full.lastIndexOf('.');
  return i < 0 ? { name: full } : { name: full.slice(i + 1), namespace: full.slice(0, i) };
}

/** State of one Connect → Avro conversion: the named types already defined in it. */
interface FromConnectContext {
  /** full names defined so far */
  names: Set<string>;
  /** structural key of a (non-optional) struct or map entry → the full name it was defined under */
  defined: Map<string, string>;
  /** ConnectDefault records handed out */
  defaults: number;
  /** namespace names inherit at the current position */
  ns: string;
}

/** A stable key for structural equality of Connect schemas (Connect's Schema.equals; optional ignored at the top). */
function schemaKey(s: Schema, top = true): string {
  const norm = (x: Schema, t: boolean): unknown => [
    x.type, t ? false : !!x.optional, x.name ?? null, x.version ?? null, x.doc ?? null,
    x.parameters ? Object.keys(x.parameters).sort().map((k) => [k, x.parameters![k]]) : null,
    x.default === undefined ? null : x.default,
    x.fields?.map((f) => [f.name, norm(f.schema, false)]) ?? null,
    x.items ? norm(x.items, false) : null, x.keys ? norm(x.keys, false) : null, x.values ? norm(x.values, false) : null,
  ];
  return JSON.stringify(norm(s, top), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Connect value → Avro's JSON form of a default (bytes as ISO-8859-1 strings). */
function avroDefault(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const a = connectToAvroValue(s, v);
  const json = (t: Schema, x: unknown): unknown => {
    if (x === null || x === undefined) return null;
    if (Buffer.isBuffer(x) || x instanceof Uint8Array) return Buffer.from(x).toString('latin1');
    switch (t.type) {
      case 'array': return (x as unknown[]).map((y) => json(t.items!, y));
      case 'map':
        if (Array.isArray(x)) return x.map((e: { key: unknown; value: unknown }) => ({ key: json(t.keys!, e.key), value: json(t.values!, e.value) }));
        return Object.fromEntries(Object.entries(x as object).map(([k, y]) => [k, json(t.values!, y)]));
      case 'struct': return Object.fromEntries((t.fields ?? []).map((f) => [f.name, json(f.schema, (x as Record<string, unknown>)[f.name])]));
      default: return x;
    }
  };
  return json(s, a);
}

/** Avro's JSON form of a default → Connect value. */
function fromAvroDefault(s: Schema, j: unknown): unknown {
  if (j === null || j === undefined) return null;
  const bin = (t: Schema, x: unknown): unknown => {
    if (x === null || x === undefined) return null;
    if (t.type === 'bytes' && typeof x === 'string') return Buffer.from(x, 'latin1');
    switch (t.type) {
      case 'array': return (x as unknown[]).map((y) => bin(t.items!, y));
      case 'map':
        if (Array.isArray(x)) return x.map((e: any) => (Array.isArray(e) ? { key: bin(t.keys!, e[0]), value: bin(t.values!, e[1]) } : { key: bin(t.keys!, e.key), value: bin(t.values!, e.value) }));
        return Object.fromEntries(Object.entries(x as object).map(([k, y]) => [k, bin(t.values!, y)]));
      case 'struct': return Object.fromEntries((t.fields ?? []).map((f) => [f.name, bin(f.schema, (x as Record<string, unknown>)[f.name])]));
      default: return x;
    }
  };
  return avroToConnectValue(s, bin(s, j));
}

/** connect.* properties of a Connect schema, as AvroData adds them to the Avro type. */
function connectMeta(s: Schema, o: Record<string, unknown>): void {
  if (s.doc !== undefined) o['connect.doc'] = s.doc;
  if (s.version !== undefined) o['connect.version'] = s.version;
  if (s.parameters && Object.keys(s.parameters).length) o['connect.parameters'] = { ...s.parameters };
  if (s.default !== undefined && s.default !== null) o['connect.default'] = avroDefault(s, s.default);
  if (s.name !== undefined) o['connect.name'] = s.name;
}

function newFromConnectContext(): FromConnectContext {
  return { names: new Set(), defined: new Map(), defaults: 0, ns: '' };
}

/** Defines a named type once; a structurally equal one later is referenced by its full name. */
function defineNamed(ctx: FromConnectContext, key: string, wanted: string | null, build: (full: string) => Record<string, unknown>): unknown {
  const existing = ctx.defined.get(key);
  if (existing) return existing;
  let full: string;
  if (wanted === null) {
    do { ctx.defaults++; full = `${DEFAULT_NS}.${DEFAULT_NAME}${ctx.defaults > 1 ? ctx.defaults : ''}`; } while (ctx.names.has(full));
  } else {
    full = wanted;
    // a different schema under a name already defined: Avro cannot redefine a name (connect.name keeps the Connect name)
    if (ctx.names.has(full)) { let i = 2; while (ctx.names.has(`${wanted}${i}`)) i++; full = `${wanted}${i}`; }
  }
  ctx.names.add(full);
  ctx.defined.set(key, full);
  const { name, namespace } = splitName(full, full);
  const outer = ctx.ns;
  ctx.ns = namespace ?? '';
  try {
    // a name without namespace inside a namespaced record must say so, or it would inherit the namespace
    return { type: 'record', name, ...(namespace !== undefined ? { namespace } : outer ? { namespace: '' } : {}), ...build(full) };
  } finally { ctx.ns = outer; }
}

function avroField(name: string, fs: Schema, ctx: FromConnectContext, doc?: string): Record<string, unknown> {
  const f: Record<string, unknown> = { name, type: connectToAvro(fs, ctx) };
  if (doc !== undefined) f.doc = doc;
  if (fs.default !== undefined && fs.default !== null) f.default = avroDefault(fs, fs.default);
  else if (fs.optional) f.default = null;
  return f;
}

/** Connect schema → Avro schema JSON, as Confluent's AvroData.fromConnectSchema. */
export function connectToAvro(s: Schema, ctx: FromConnectContext = newFromConnectContext()): unknown {
  const base = connectToAvroBase(s, ctx);
  if (!s.optional) return base;
  return s.default !== undefined && s.default !== null ? [base, 'null'] : ['null', base];
}

function connectToAvroBase(s: Schema, ctx: FromConnectContext): unknown {
  if (s.type === 'struct') {
    return defineNamed(ctx, schemaKey(s), s.name ?? null, () => {
      const rec: Record<string, unknown> = {};
      const doc = s.parameters?.[RECORD_DOC];
      if (doc !== undefined) rec.doc = doc;
      rec.fields = (s.fields ?? []).map((f) => avroField(f.name, f.schema, ctx, s.parameters?.[FIELD_DOC + f.name]));
      connectMeta(s, rec);
      return rec;
    });
  }
  let o: Record<string, unknown>;
  switch (s.type) {
    case 'int8': case 'int16': case 'int32': o = { type: 'int' }; break;
    case 'int64': o = { type: 'long' }; break;
    case 'float32': o = { type: 'float' }; break;
    case 'float64': o = { type: 'double' }; break;
    case 'boolean': case 'string': o = { type: s.type }; break;
    case 'bytes':
      o = { type: 'bytes' };
      if (s.name === Logical.Decimal) { o.scale = scaleOf(s); o.precision = Number(s.parameters?.[DECIMAL_PRECISION] ?? 64); }
      break;
    case 'array': o = { type: 'array', items: connectToAvro(s.items!, ctx) }; break;
    case 'map': {
      if (s.keys!.type === 'string' && !s.keys!.optional) { o = { type: 'map', values: connectToAvro(s.values!, ctx) }; break; }
      // Avro maps have string keys only: an array of key/value records
      const key = `${MAP_ENTRY}\u0000${s.name ?? ''}\u0000${schemaKey(s.keys!, false)}\u0000${schemaKey(s.values!, false)}`;
      const entry = defineNamed(ctx, key, s.name ?? `${DEFAULT_NS}.${MAP_ENTRY}`, () => ({
        fields: [avroField('key', s.keys!, ctx), avroField('value', s.values!, ctx)],
        ...(s.name ? { 'connect.internal.type': MAP_ENTRY } : {}),
      }));
      o = { type: 'array', items: entry };
      break;
    }
    default: throw new DataException(`Unknown schema type: ${s.type}`);
  }
  // Kafka's logical schemas carry version 1
  const meta = isLogicalName(s.name) && s.version === undefined ? { ...s, version: 1 } : s;
  connectMeta(meta, o);
  if (s.type === 'int8' || s.type === 'int16') o['connect.type'] = s.type;
  if (s.name === Logical.Decimal) o.logicalType = 'decimal';
  else if (s.name === Logical.Date) o.logicalType = 'date';
  else if (s.name === Logical.Time) o.logicalType = 'time-millis';
  else if (s.name === Logical.Timestamp) o.logicalType = 'timestamp-millis';
  return Object.keys(o).length === 1 ? o.type : o;
}

const isLogicalName = (n: string | undefined): boolean => n === Logical.Decimal || n === Logical.Date || n === Logical.Time || n === Logical.Timestamp;

function connectToAvroValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) {
    if (s.optional) return null;
    if (s.default !== undefined && s.default !== null) return connectToAvroValue(s, s.default);
    throw new DataException(`null value for required ${s.type} field`);
  }
  if (s.name === Logical.Decimal) return bigintToBytes(decimalToUnscaled(v, scaleOf(s)));
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86400000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? v.getTime() % 86400000 : Number(v);
  if (s.name === Logical.Timestamp) return toMillis(v);
  switch (s.type) {
    case 'int64': return Number(v);
    case 'bytes': return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
    case 'array': return (v as unknown[]).map((x) => connectToAvroValue(s.items!, x));
    case 'map': {
      const entries = v instanceof Map ? [...v] : Object.entries(v as object);
      if (s.keys!.type === 'string' && !s.keys!.optional) return Object.fromEntries(entries.map(([k, x]) => [k, connectToAvroValue(s.values!, x)]));
      return entries.map(([k, x]) => ({ key: connectToAvroValue(s.keys!, k), value: connectToAvroValue(s.values!, x) }));
    }
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = connectToAvroValue(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

/** State of one Avro → Connect conversion: named types seen so far (for references by name). */
interface ToConnectContext { named: Map<string, Schema>; ns: string; entries?: Map<string, Schema> }

const fullNameOf = (name: string, ns: string): string => (name.includes('.') || !ns ? name : `${ns}.${name}`);
/** Full name of a named Avro type's JSON (its own namespace, else the enclosing one). */
const avroFullName = (o: { name: string; namespace?: unknown }, ns: string): string =>
  o.name.includes('.') ? o.name : typeof o.namespace === 'string' ? (o.namespace ? `${o.namespace}.${o.name}` : o.name) : fullNameOf(o.name, ns);

/** Avro schema JSON → Connect schema, as Confluent's AvroData.toConnectSchema. */
export function avroToConnect(a: any, ctx: ToConnectContext = { named: new Map(), ns: '' }, optional = false, fieldDefault?: unknown): Schema {
  if (Array.isArray(a)) {
    const nonNull = a.filter((x) => x !== 'null' && x?.type !== 'null');
    const hasNull = nonNull.length < a.length;
    if (nonNull.length === 1) return avroToConnect(nonNull[0], ctx, hasNull || optional, fieldDefault);
    throw new DataException('Avro unions of several non-null types are not supported by this converter');
  }
  if (typeof a === 'string' && !AVRO_PRIMITIVES.has(a)) {
    // a named type defined earlier in this schema
    const s = ctx.named.get(fullNameOf(a, ctx.ns)) ?? ctx.named.get(a);
    if (!s) throw new DataException(`Unknown Avro type name ${JSON.stringify(a)}`);
    const { default: _d, ...ref } = s;
    const out: Schema = { ...ref, optional };
    if (fieldDefault !== undefined && fieldDefault !== null) out.default = fromAvroDefault(out, fieldDefault);
    return out;
  }
  const o = typeof a === 'object' && a !== null ? a : {};
  if (typeof o.type === 'object' && o.type !== null) return avroToConnect(o.type, ctx, optional, fieldDefault);
  const t: string = typeof a === 'string' ? a : o.type;
  let s: Schema;
  switch (t) {
    case 'int': s = { type: o['connect.type'] === 'int8' ? 'int8' : o['connect.type'] === 'int16' ? 'int16' : 'int32' }; break;
    case 'long': s = { type: 'int64' }; break;
    case 'float': s = { type: 'float32' }; break;
    case 'double': s = { type: 'float64' }; break;
    case 'boolean': case 'string': case 'bytes': s = { type: t }; break;
    case 'enum': {
      const full = avroFullName(o, ctx.ns);
      s = { type: 'string', name: full };
      ctx.named.set(full, s);
      break;
    }
    case 'fixed': {
      s = { type: 'bytes' };
      ctx.named.set(avroFullName(o, ctx.ns), s);
      break;
    }
    case 'array': {
      const ref = typeof o.items === 'string' ? ctx.entries?.get(fullNameOf(o.items, ctx.ns)) ?? ctx.entries?.get(o.items) : undefined;
      if (ref) { s = { type: 'map', keys: ref.keys, values: ref.values }; break; }
      const items = typeof o.items === 'string' ? null : o.items;
      const entryName = items && typeof items === 'object' && items.type === 'record' ? avroFullName(items, ctx.ns) : '';
      const isEntry = items && (items['connect.internal.type'] === MAP_ENTRY || new RegExp(`^${DEFAULT_NS.replace(/\./g, '\\.')}\\.${MAP_ENTRY}\\d*$`).test(entryName)) && items.fields?.length === 2 && items.fields[0].name === 'key' && items.fields[1].name === 'value';
      if (isEntry) {
        const outer = ctx.ns;
        ctx.ns = entryName.includes('.') ? entryName.slice(0, entryName.lastIndexOf('.')) : '';
        try { s = { type: 'map', keys: avroToConnect(items.fields[0].type, ctx), values: avroToConnect(items.fields[1].type, ctx) }; } finally { ctx.ns = outer; }
        (ctx.entries ??= new Map()).set(entryName, s);
      } else s = { type: 'array', items: avroToConnect(o.items, ctx) };
      break;
    }
    case 'map': s = { type: 'map', keys: { type: 'string' }, values: avroToConnect(o.values, ctx) }; break;
    case 'record': case 'error': {
      const full = avroFullName(o, ctx.ns);
      s = { type: 'struct', fields: [] };
      ctx.named.set(full, s); // before the fields: references inside resolve to it
      const outer = ctx.ns;
      ctx.ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
      const params: Record<string, string> = {};
      if (typeof o.doc === 'string') params[RECORD_DOC] = o.doc;
      try {
        for (const f of o.fields ?? []) {
          if (typeof f.doc === 'string') params[FIELD_DOC + f.name] = f.doc;
          s.fields!.push({ name: f.name, schema: avroToConnect(f.type, ctx, false, f.default) });
        }
      } finally { ctx.ns = outer; }
      if (Object.keys(params).length) s.parameters = params;
      if (!DEFAULT_FULL_NAME.test(full)) s.name = full;
      break;
    }
    default: throw new DataException(`Unsupported Avro type ${JSON.stringify(t)}`);
  }
  // Avro logical types (for schemas not written by a Connect converter; connect.* below wins)
  if (o.logicalType === 'decimal' && (t === 'bytes' || t === 'fixed')) Object.assign(s, { name: Logical.Decimal, version: 1, parameters: { scale: String(o.scale ?? 0), [DECIMAL_PRECISION]: String(o.precision ?? 64) } });
  else if (o.logicalType === 'date' && t === 'int') Object.assign(s, { name: Logical.Date, version: 1 });
  else if (o.logicalType === 'time-millis' && t === 'int') Object.assign(s, { name: Logical.Time, version: 1 });
  else if (o.logicalType === 'timestamp-millis' && t === 'long') Object.assign(s, { name: Logical.Timestamp, version: 1 });
  if (typeof o['connect.doc'] === 'string') s.doc = o['connect.doc'];
  if (o['connect.version'] !== undefined) {
    if (typeof o['connect.version'] !== 'number') throw new DataException(`Invalid Connect version found: ${JSON.stringify(o['connect.version'])}`);
    s.version = o['connect.version'];
  }
  const cp = o['connect.parameters'];
  if (cp !== undefined) {
    if (!cp || typeof cp !== 'object' || Array.isArray(cp)) throw new DataException(`Expected JSON object for schema parameters but found: ${JSON.stringify(cp)}`);
    for (const [k, v] of Object.entries(cp)) if (typeof v !== 'string') throw new DataException(`Expected schema parameter values to be strings but found: ${JSON.stringify(v)}`);
    // the Connect schema's own parameters (e.g. a Decimal's, as the source gave them) replace ones derived from Avro
    s.parameters = s.type === 'struct' ? { ...(s.parameters ?? {}), ...cp } : { ...cp };
  }
  const cn = o['connect.name'];
  if (cn !== undefined) {
    if (typeof cn !== 'string') throw new DataException(`Invalid schema name: ${JSON.stringify(cn)}`);
    if (DEFAULT_FULL_NAME.test(cn)) delete s.name; else s.name = cn;
  }
  s.optional = optional;
  const dflt = o['connect.default'] !== undefined ? o['connect.default'] : fieldDefault;
  if (dflt !== undefined && dflt !== null) s.default = fromAvroDefault(s, dflt);
  return s;
}

function avroToConnectValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) return unscaledToDecimal(bytesToBigint(v as Buffer), scaleOf(s));
  if (s.name === Logical.Date) return new Date(Number(v) * 86400000);
  if (s.name === Logical.Time || s.name === Logical.Timestamp) return new Date(Number(v));
  switch (s.type) {
    case 'array': return (v as unknown[]).map((x) => avroToConnectValue(s.items!, x));
    case 'map':
      if (Array.isArray(v)) return new Map(v.map((e: any) => [avroToConnectValue(s.keys!, e.key), avroToConnectValue(s.values!, e.value)]));
      return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, avroToConnectValue(s.values!, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = avroToConnectValue(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

/** Confluent's basic.auth.credentials.source: USER_INFO, or URL (credentials in the URL, which fetch refuses, so they move to the header). */
function registryClient(url: string, source: string, userInfo: string): HttpRegistryClient {
  if (source.toUpperCase() === 'USER_INFO') return new HttpRegistryClient(url, undefined, userInfo || undefined);
  const u = new URL(url);
  if (!u.username) return new HttpRegistryClient(url);
  const info = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = ''; u.password = '';
  return new HttpRegistryClient(u.toString(), undefined, info);
}

export class AvroConverter extends RegistryConverter {
  protected readonly format = 'AVRO' as const;
  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    const s = schema ?? inferSchema(value);
    const text = this.schemaText(s, () => connectToAvro(s));
    const recordName = s.type === 'struct' ? (s.name ?? `${DEFAULT_NS}.${DEFAULT_NAME}`) : null;
    const id = await this.idFor(this.subject(topic, recordName), text);
    return this.serde.encode(id, connectToAvroValue(s, value));
  }
  async toConnectData(_topic: string, value: Buffer | null): Promise<ConverterResult> {
    if (value === null) return { schema: null, value: null };
    const d = await this.registryCall(() => this.serde.decodeWithSchema(value));
    if (d.schemaType !== 'AVRO') throw new DataException(`schema ${d.id} is ${d.schemaType}, not AVRO`);
    const parsed = (await this.serde.schema(d.id)) as AvroSchema;
    const schema = this.connectSchema(String(d.id), () => avroToConnect(parsed.json));
    return { schema, value: avroToConnectValue(schema, d.value) };
  }
}

// ============================================================ Protobuf
function protoScalar(s: Schema): string {
  if (s.name === Logical.Decimal) return 'string';
  if (s.name === Logical.Date || s.name === Logical.Time) return 'int32';
  if (s.name === Logical.Timestamp) return 'int64';
  switch (s.type) {
    case 'int8': case 'int16': case 'int32': return 'int32';
    case 'int64': return 'int64';
    case 'float32': return 'float';
    case 'float64': return 'double';
    case 'boolean': return 'bool';
    case 'string': return 'string';
    case 'bytes': return 'bytes';
    default: throw new DataException(`no scalar Protobuf type for ${s.type}`);
  }
}

export function connectToProto(s: Schema): { text: string; messageName: string } {
  if (s.type !== 'struct') throw new DataException('ProtobufConverter needs a struct schema');
  const { name, namespace } = splitName(s.name, 'ConnectDefault1');
  const lines: string[] = ['syntax = "proto3";', ...(namespace ? [`package ${namespace};`] : []), ''];
  const msg = (st: Schema, mname: string, indent: string): string[] => {
    const out = [`${indent}message ${mname} {`];
    let n = 1;
    for (const f of st.fields ?? []) {
      const fs = f.schema;
      let type: string;
      let label = '';
      if (fs.type === 'struct') { const nn = `${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}Entry`; out.push(...msg(fs, nn, indent + '  ')); type = nn; }
      else if (fs.type === 'array') {
        label = 'repeated ';
        if (fs.items!.type === 'struct') { const nn = `${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}Item`; out.push(...msg(fs.items!, nn, indent + '  ')); type = nn; } else type = protoScalar(fs.items!);
      } else if (fs.type === 'map') type = `map<${protoScalar(fs.keys!)}, ${fs.values!.type === 'struct' ? (() => { const nn = `${f.name.charAt(0).toUpperCase()}${f.name.slice(1)}Value`; out.push(...msg(fs.values!, nn, indent + '  ')); return nn; })() : protoScalar(fs.values!)}>`;
      else { type = protoScalar(fs); if (fs.optional) label = 'optional '; }
      out.push(`${indent}  ${label}${type} ${f.name} = ${n++};`);
    }
    out.push(`${indent}}`);
    return out;
  };
  lines.push(...msg(s, name, ''));
  return { text: lines.join('\n') + '\n', messageName: namespace ? `${namespace}.${name}` : name };
}

function connectToProtoValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (s.name === Logical.Decimal) return String(v);
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86400000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? v.getTime() % 86400000 : Number(v);
  if (s.name === Logical.Timestamp) return toMillis(v);
  switch (s.type) {
    case 'int64': return Number(v);
    case 'array': return (v as unknown[]).map((x) => connectToProtoValue(s.items!, x));
    case 'map': return Object.fromEntries((v instanceof Map ? [...v] : Object.entries(v as object)).map(([k, x]) => [k, connectToProtoValue(s.values!, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) { const x = connectToProtoValue(f.schema, (v as Record<string, unknown>)[f.name]); if (x !== undefined) o[f.name] = x; }
      return o;
    }
    default: return v;
  }
}

function protoToConnect(t: protobuf.Type): Schema {
  const fields: Field[] = t.fieldsArray.map((f) => {
    f.resolve();
    const scalar = (type: string, rt: protobuf.ReflectionObject | null): Schema => {
      if (rt && (rt as protobuf.Type).fieldsArray) return protoToConnect(rt as protobuf.Type);
      if (rt) return { type: 'string' }; // enum
      switch (type) {
        case 'int32': case 'sint32': case 'sfixed32': case 'uint32': case 'fixed32': return { type: 'int32' };
        case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64': return { type: 'int64' };
        case 'float': return { type: 'float32' };
        case 'double': return { type: 'float64' };
        case 'bool': return { type: 'boolean' };
        case 'bytes': return { type: 'bytes' };
        default: return { type: 'string' };
      }
    };
    let schema: Schema;
    if (f.map) schema = { type: 'map', keys: scalar((f as unknown as protobuf.MapField).keyType, null), values: scalar(f.type, f.resolvedType), optional: true };
    else if (f.repeated) schema = { type: 'array', items: scalar(f.type, f.resolvedType), optional: true };
    else schema = { ...scalar(f.type, f.resolvedType), optional: !!(f.options?.proto3_optional || f.resolvedType instanceof Object && (f.resolvedType as protobuf.Type).fieldsArray) };
    return { name: f.name, schema };
  });
  return { type: 'struct', name: t.fullName.replace(/^\./, ''), fields };
}

function protoToConnectValue(s: Schema, v: unknown): unknown {
  if (s.type === 'struct') {
    const o: Record<string, unknown> = {};
    const src = (v ?? {}) as Record<string, unknown>;
    for (const f of s.fields ?? []) {
      const x = src[f.name];
      o[f.name] = x === undefined ? (f.schema.optional ? null : defaultOf(f.schema)) : protoToConnectValue(f.schema, x);
    }
    return o;
  }
  if (v === null || v === undefined) return null;
  switch (s.type) {
    case 'int64': return Number(v);
    case 'bytes': return typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v as Uint8Array);
    case 'array': return (v as unknown[]).map((x) => protoToConnectValue(s.items!, x));
    case 'map': return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, protoToConnectValue(s.values!, x)]));
    default: return v;
  }
}

function defaultOf(s: Schema): unknown {
  switch (s.type) {
    case 'string': return '';
    case 'boolean': return false;
    case 'bytes': return Buffer.alloc(0);
    case 'array': return [];
    case 'map': return {};
    case 'struct': return null;
    default: return 0;
  }
}

export class ProtobufConverter extends RegistryConverter {
  protected readonly format = 'PROTOBUF' as const;
  private cache = new WeakMap<Schema, { text: string; messageName: string }>();
  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    if (!schema) throw new DataException('ProtobufConverter needs a schema (struct)');
    let p = this.cache.get(schema);
    if (!p) { p = connectToProto(schema); this.cache.set(schema, p); }
    const id = await this.idFor(this.subject(topic, p.messageName), p.text);
    return this.serde.encode(id, connectToProtoValue(schema, value), { messageName: p.messageName });
  }
  async toConnectData(_topic: string, value: Buffer | null): Promise<ConverterResult> {
    if (value === null) return { schema: null, value: null };
    const d = await this.registryCall(() => this.serde.decodeWithSchema(value));
    if (d.schemaType !== 'PROTOBUF') throw new DataException(`schema ${d.id} is ${d.schemaType}, not PROTOBUF`);
    const parsed = (await this.serde.schema(d.id)) as ProtobufSchema;
    const schema = this.connectSchema(`${d.id}:${d.messageName}`, () => protoToConnect(parsed.root.lookupType(d.messageName!)));
    return { schema, value: protoToConnectValue(schema, d.value) };
  }
}

// ============================================================ JSON Schema
export function connectToJsonSchema(s: Schema, top = true): Record<string, unknown> {
  const base = (): Record<string, unknown> => {
    if (s.name === Logical.Decimal) return { type: 'number', title: Logical.Decimal, 'connect.type': 'bytes', 'connect.parameters': s.parameters ?? {} };
    if (s.name === Logical.Date) return { type: 'integer', title: Logical.Date, 'connect.type': 'int32' };
    if (s.name === Logical.Time) return { type: 'integer', title: Logical.Time, 'connect.type': 'int32' };
    if (s.name === Logical.Timestamp) return { type: 'integer', title: Logical.Timestamp, 'connect.type': 'int64' };
    switch (s.type) {
      case 'int8': case 'int16': case 'int32': case 'int64': return { type: 'integer', 'connect.type': s.type };
      case 'float32': case 'float64': return { type: 'number', 'connect.type': s.type };
      case 'boolean': return { type: 'boolean' };
      case 'string': return { type: 'string' };
      case 'bytes': return { type: 'string', 'connect.type': 'bytes' };
      case 'array': return { type: 'array', items: connectToJsonSchema(s.items!, false) };
      case 'map': return { type: 'object', additionalProperties: connectToJsonSchema(s.values!, false), 'connect.type': 'map' };
      case 'struct': {
        const properties: Record<string, unknown> = {};
        (s.fields ?? []).forEach((f, i) => { properties[f.name] = { ...connectToJsonSchema(f.schema, false), 'connect.index': i }; });
        const o: Record<string, unknown> = { type: 'object', properties };
        const required = (s.fields ?? []).filter((f) => !f.schema.optional).map((f) => f.name);
        if (required.length) o.required = required;
        if (s.name) o.title = s.name;
        return o;
      }
    }
  };
  const b = base();
  const out = s.optional && !top ? { oneOf: [{ type: 'null' }, b] } : b;
  return top ? { $schema: 'http://json-schema.org/draft-07/schema#', ...out } : out;
}

function connectToJsonValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) return Number(v);
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86400000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? v.getTime() % 86400000 : Number(v);
  if (s.name === Logical.Timestamp) return toMillis(v);
  switch (s.type) {
    case 'int64': return Number(v);
    case 'bytes': return Buffer.from(v as Uint8Array).toString('base64');
    case 'array': return (v as unknown[]).map((x) => connectToJsonValue(s.items!, x));
    case 'map': return Object.fromEntries((v instanceof Map ? [...v] : Object.entries(v as object)).map(([k, x]) => [k, connectToJsonValue(s.values!, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = connectToJsonValue(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

export function jsonSchemaToConnect(j: any, optional = false): Schema {
  if (j === true || j === undefined || j === null) return { type: 'string', optional: true };
  const alts = j.oneOf ?? j.anyOf;
  if (Array.isArray(alts)) {
    const nn = alts.filter((a: any) => a?.type !== 'null');
    if (nn.length === 1) return jsonSchemaToConnect(nn[0], true);
  }
  const opt = (s: Schema): Schema => ({ ...s, optional });
  const ct = j['connect.type'];
  if (j.title === Logical.Decimal) return opt({ type: 'bytes', name: Logical.Decimal, parameters: j['connect.parameters'] ?? { scale: '0' } });
  if (j.title === Logical.Timestamp) return opt({ type: 'int64', name: Logical.Timestamp });
  if (j.title === Logical.Date) return opt({ type: 'int32', name: Logical.Date });
  if (j.title === Logical.Time) return opt({ type: 'int32', name: Logical.Time });
  const type = Array.isArray(j.type) ? j.type.find((t: string) => t !== 'null') : j.type;
  const nullable = Array.isArray(j.type) && j.type.includes('null');
  const o2 = (s: Schema): Schema => ({ ...s, optional: optional || nullable });
  switch (type) {
    case 'integer': return o2({ type: ['int8', 'int16', 'int32', 'int64'].includes(ct) ? ct : 'int64' });
    case 'number': return o2({ type: ct === 'float32' ? 'float32' : 'float64' });
    case 'boolean': return o2({ type: 'boolean' });
    case 'string': return o2({ type: ct === 'bytes' ? 'bytes' : 'string' });
    case 'array': return o2({ type: 'array', items: jsonSchemaToConnect(j.items) });
    case 'object': {
      if (ct === 'map' || (!j.properties && j.additionalProperties)) return o2({ type: 'map', keys: { type: 'string' }, values: jsonSchemaToConnect(j.additionalProperties) });
      const req: string[] = j.required ?? [];
      const props = Object.entries(j.properties ?? {}).sort(([, a]: any, [, b]: any) => (a['connect.index'] ?? 0) - (b['connect.index'] ?? 0));
      return o2({ type: 'struct', name: j.title, fields: props.map(([name, p]) => { const s = jsonSchemaToConnect(p); return { name, schema: { ...s, optional: !!s.optional || !req.includes(name) } }; }) });
    }
    default: return { type: 'string', optional: true };
  }
}

function jsonToConnectValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s.name === Logical.Decimal) return String(v);
  if (s.name === Logical.Date) return new Date(Number(v) * 86400000);
  if (s.name === Logical.Time || s.name === Logical.Timestamp) return new Date(Number(v));
  switch (s.type) {
    case 'bytes': return Buffer.from(String(v), 'base64');
    case 'array': return (v as unknown[]).map((x) => jsonToConnectValue(s.items!, x));
    case 'map': return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, jsonToConnectValue(s.values!, x)]));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = jsonToConnectValue(f.schema, (v as Record<string, unknown>)[f.name]);
      return o;
    }
    default: return v;
  }
}

export class JsonSchemaConverter extends RegistryConverter {
  protected readonly format = 'JSON' as const;
  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    const s = schema ?? inferSchema(value);
    const text = this.schemaText(s, () => connectToJsonSchema(s));
    const id = await this.idFor(this.subject(topic, s.name ?? null), text);
    return this.serde.encode(id, connectToJsonValue(s, value));
  }
  async toConnectData(_topic: string, value: Buffer | null): Promise<ConverterResult> {
    if (value === null) return { schema: null, value: null };
    const d = await this.registryCall(() => this.serde.decodeWithSchema(value));
    if (d.schemaType !== 'JSON') throw new DataException(`schema ${d.id} is ${d.schemaType}, not JSON`);
    const parsed = (await this.serde.schema(d.id)) as JsonSchema & { json?: unknown };
    const schema = this.connectSchema(String(d.id), () => jsonSchemaToConnect(JSON.parse(parsed.canonical)));
    return { schema, value: jsonToConnectValue(schema, d.value) };
  }
}
