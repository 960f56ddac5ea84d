// Confluent's registry converters: io.confluent.connect.avro.AvroConverter,
// io.confluent.connect.protobuf.ProtobufConverter, io.confluent.connect.json.JsonSchemaConverter.
// Connect schemas map to the format's schema (like Confluent's AvroData / ProtobufData /
// JsonSchemaData), registered under the subject the naming strategy gives
// (TopicNameStrategy: <topic>-key / <topic>-value), framed in the Confluent wire
// format with registry/serde.ts; reading maps the writer's schema back to Connect.
import type protobuf from 'protobufjs';
import { ConfigDef, Logical, RetriableException, Validators, type Converter, type ConverterResult, type Field, type Props, type Schema } from '../../plugins/sdk/index.ts';
import { HttpRegistryClient, RegistryHttpError } from '../../registry/client.ts';
import { RegistrySerde } from '../../registry/serde.ts';
import type { AvroSchema, JsonSchema, ProtobufSchema } from '../../registry/formats/index.ts';
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

  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'schema.registry.url', type: 'LIST', documentation: 'Comma-separated list of URLs for Schema Registry instances (the first is used).' })
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
    this.client = new HttpRegistryClient(url);
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
const DEFAULT_NS = 'io.confluent.connect.avro';

function splitName(n: string | undefined, fallback: string): { name: string; namespace?: string } {
  const full = n ?? fallback;
  const i = full.lastIndexOf('.');
  return i < 0 ? { name: full } : { name: full.slice(i + 1), namespace: full.slice(0, i) };
}

export function connectToAvro(s: Schema, names = new Set<string>(), fallbackName = `${DEFAULT_NS}.ConnectDefault`): unknown {
  const base = (): unknown => {
    if (s.name === Logical.Decimal) return { type: 'bytes', scale: scaleOf(s), precision: Number(s.parameters?.['connect.decimal.precision'] ?? 64), 'connect.version': 1, 'connect.parameters': s.parameters ?? { scale: '0' }, 'connect.name': Logical.Decimal, logicalType: 'decimal' };
    if (s.name === Logical.Date) return { type: 'int', 'connect.version': 1, 'connect.name': Logical.Date, logicalType: 'date' };
    if (s.name === Logical.Time) return { type: 'int', 'connect.version': 1, 'connect.name': Logical.Time, logicalType: 'time-millis' };
    if (s.name === Logical.Timestamp) return { type: 'long', 'connect.version': 1, 'connect.name': Logical.Timestamp, logicalType: 'timestamp-millis' };
    switch (s.type) {
      case 'int8': case 'int16': return { type: 'int', 'connect.type': s.type };
      case 'int32': return 'int';
      case 'int64': return 'long';
      case 'float32': return 'float';
      case 'float64': return 'double';
      case 'boolean': case 'string': case 'bytes': return s.type;
      case 'array': return { type: 'array', items: connectToAvro(s.items!, names, `${fallbackName}_items`) };
      case 'map':
        if (s.keys!.type === 'string' && !s.keys!.optional) return { type: 'map', values: connectToAvro(s.values!, names, `${fallbackName}_values`) };
        return { type: 'array', items: { type: 'record', name: 'MapEntry', namespace: DEFAULT_NS, fields: [{ name: 'key', type: connectToAvro(s.keys!, names) }, { name: 'value', type: connectToAvro(s.values!, names) }] } };
      case 'struct': {
        let full = s.name ?? fallbackName;
        if (names.has(full)) { let i = 2; while (names.has(`${full}${i}`)) i++; full = `${full}${i}`; }
        names.add(full);
        const rec: Record<string, unknown> = { type: 'record', ...splitName(full, full), fields: (s.fields ?? []).map((f) => {
          const ft = connectToAvro(f.schema, names, `${DEFAULT_NS}.${f.name}`);
          return f.schema.optional ? { name: f.name, type: ft, default: null } : { name: f.name, type: ft };
        }) };
        if (s.doc) rec.doc = s.doc;
        if (s.name) rec['connect.name'] = s.name;
        return rec;
      }
    }
  };
  const t = base();
  return s.optional ? ['null', t] : t;
}

function connectToAvroValue(s: Schema, v: unknown): unknown {
  if (v === null || v === undefined) {
    if (s.optional) return null;
    if (s.default !== undefined) return connectToAvroValue(s, s.default);
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

export function avroToConnect(a: any, optional = false): Schema {
  if (Array.isArray(a)) {
    const nonNull = a.filter((x) => x !== 'null' && x?.type !== 'null');
    const hasNull = nonNull.length < a.length;
    if (nonNull.length === 1) return avroToConnect(nonNull[0], hasNull || optional);
    throw new DataException('Avro unions of several non-null types are not supported by this converter');
  }
  const t = typeof a === 'string' ? a : a.type;
  const o = typeof a === 'object' ? a : {};
  const withOpt = (s: Schema): Schema => (optional ? { ...s, optional: true } : { ...s, optional: false });
  if (o.logicalType === 'decimal') return withOpt({ type: 'bytes', name: Logical.Decimal, version: 1, parameters: { scale: String(o.scale ?? 0), 'connect.decimal.precision': String(o.precision ?? 64) } });
  if (o.logicalType === 'date') return withOpt({ type: 'int32', name: Logical.Date, version: 1 });
  if (o.logicalType === 'time-millis') return withOpt({ type: 'int32', name: Logical.Time, version: 1 });
  if (o.logicalType === 'timestamp-millis') return withOpt({ type: 'int64', name: Logical.Timestamp, version: 1 });
  switch (t) {
    case 'int': return withOpt({ type: o['connect.type'] === 'int8' ? 'int8' : o['connect.type'] === 'int16' ? 'int16' : 'int32' });
    case 'long': return withOpt({ type: 'int64' });
    case 'float': return withOpt({ type: 'float32' });
    case 'double': return withOpt({ type: 'float64' });
    case 'boolean': case 'string': case 'bytes': return withOpt({ type: t });
    case 'enum': return withOpt({ type: 'string', name: o.namespace ? `${o.namespace}.${o.name}` : o.name });
    case 'fixed': return withOpt({ type: 'bytes' });
    case 'array':
      if (o.items?.type === 'record' && o.items.name === 'MapEntry' && o.items.fields?.length === 2) return withOpt({ type: 'map', keys: avroToConnect(o.items.fields[0].type), values: avroToConnect(o.items.fields[1].type) });
      return withOpt({ type: 'array', items: avroToConnect(o.items) });
    case 'map': return withOpt({ type: 'map', keys: { type: 'string' }, values: avroToConnect(o.values) });
    case 'record': case 'error': {
      const name = o['connect.name'] ?? (o.namespace && !o.name.includes('.') ? `${o.namespace}.${o.name}` : o.name);
      const fields: Field[] = (o.fields ?? []).map((f: any) => ({ name: f.name, schema: avroToConnect(f.type) }));
      return withOpt({ type: 'struct', name: name === `${DEFAULT_NS}.ConnectDefault` ? undefined : name, fields });
    }
    default:
      if (typeof a === 'object' && typeof a.type === 'object') return avroToConnect(a.type, optional);
      throw new DataException(`Unsupported Avro type ${JSON.stringify(t)}`);
  }
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

export class AvroConverter extends RegistryConverter {
  protected readonly format = 'AVRO' as const;
  private cache = new WeakMap<Schema, string>();
  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    const s = schema ?? inferSchema(value);
    let text = this.cache.get(s);
    if (!text) { text = JSON.stringify(connectToAvro(s)); this.cache.set(s, text); }
    const recordName = s.type === 'struct' ? (s.name ?? `${DEFAULT_NS}.ConnectDefault`) : null;
    const id = await this.idFor(this.subject(topic, recordName), text);
    return this.serde.encode(id, connectToAvroValue(s, value));
  }
  async toConnectData(_topic: string, value: Buffer | null): Promise<ConverterResult> {
    if (value === null) return { schema: null, value: null };
    const d = await this.registryCall(() => this.serde.decodeWithSchema(value));
    if (d.schemaType !== 'AVRO') throw new DataException(`schema ${d.id} is ${d.schemaType}, not AVRO`);
    const parsed = (await this.serde.schema(d.id)) as AvroSchema;
    const schema = avroToConnect(parsed.json);
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
    const type = parsed.root.lookupType(d.messageName!);
    const schema = protoToConnect(type);
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
  private cache = new WeakMap<Schema, string>();
  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    const s = schema ?? inferSchema(value);
    let text = this.cache.get(s);
    if (!text) { text = JSON.stringify(connectToJsonSchema(s)); this.cache.set(s, text); }
    const id = await this.idFor(this.subject(topic, s.name ?? null), text);
    return this.serde.encode(id, connectToJsonValue(s, value));
  }
  async toConnectData(_topic: string, value: Buffer | null): Promise<ConverterResult> {
    if (value === null) return { schema: null, value: null };
    const d = await this.registryCall(() => this.serde.decodeWithSchema(value));
    if (d.schemaType !== 'JSON') throw new DataException(`schema ${d.id} is ${d.schemaType}, not JSON`);
    const parsed = (await this.serde.schema(d.id)) as JsonSchema & { json?: unknown };
    const schema = jsonSchemaToConnect(JSON.parse(parsed.canonical));
    return { schema, value: jsonToConnectValue(schema, d.value) };
  }
}
void Validators;
