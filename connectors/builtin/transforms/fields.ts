// Field-level transforms with Kafka's class names and config keys: InsertField,
// ReplaceField, MaskField, ValueToKey, ExtractField, HoistField, Flatten, Cast,
// SetSchemaMetadata. Each works on the value ($Value) or the key ($Key); records with
// a schema need Struct values, schemaless records need maps (plain objects).
import { ConfigDef, ConfigException, Logical, Validators, type ConnectRecord, type Props, type Schema, type Transformation } from '../../../plugins/sdk/index.ts';
import { DataError, SchemaCache, isSink, listProp, need, part, requireMap, requireStruct, withPart, type Part } from './common.ts';

abstract class PartTransform implements Transformation {
  abstract readonly part: Part;
  abstract config(): ConfigDef;
  abstract configure(props: Props): void;
  abstract apply(r: ConnectRecord): ConnectRecord | null;
  close() {}
}

// ---------------------------------------------------------------- InsertField
type Spec = { name: string; optional: boolean } | null;
function fieldSpec(v: string | undefined): Spec {
  if (!v) return null;
  if (v.endsWith('?')) return { name: v.slice(0, -1), optional: true };
  if (v.endsWith('!')) return { name: v.slice(0, -1), optional: false };
  return { name: v, optional: true };
}

export abstract class InsertField extends PartTransform {
  private topic: Spec = null; private partition: Spec = null; private offset: Spec = null; private timestamp: Spec = null; private staticF: Spec = null; private staticValue: string | null = null;
  private cache = new SchemaCache();
  config() {
    return new ConfigDef()
      .define({ name: 'topic.field', type: 'STRING', default: null, documentation: 'Field name for Kafka topic. Suffix with ! to make this a required field, or ? to keep it optional (the default).' })
      .define({ name: 'partition.field', type: 'STRING', default: null, documentation: 'Field name for Kafka partition. Suffix with ! or ?.' })
      .define({ name: 'offset.field', type: 'STRING', default: null, documentation: 'Field name for Kafka offset - only applicable to sink connectors. Suffix with ! or ?.' })
      .define({ name: 'timestamp.field', type: 'STRING', default: null, documentation: 'Field name for record timestamp. Suffix with ! or ?.' })
      .define({ name: 'static.field', type: 'STRING', default: null, documentation: 'Field name for static data field. Suffix with ! or ?.' })
      .define({ name: 'static.value', type: 'STRING', default: null, documentation: 'Static field value, if field name configured.' });
  }
  configure(p: Props) {
    this.config().parse(p);
    this.topic = fieldSpec(p['topic.field']); this.partition = fieldSpec(p['partition.field']); this.offset = fieldSpec(p['offset.field']);
    this.timestamp = fieldSpec(p['timestamp.field']); this.staticF = fieldSpec(p['static.field']); this.staticValue = p['static.value'] ?? null;
    if (!this.topic && !this.partition && !this.offset && !this.timestamp && !this.staticF) throw new ConfigException('topic.field', 'No field insertion configured');
    if (this.staticF && this.staticValue === null) throw new ConfigException('static.value', 'Missing static.value for static.field');
  }
  private additions(r: ConnectRecord): [Spec, Schema, unknown][] {
    const out: [Spec, Schema, unknown][] = [];
    if (this.topic) out.push([this.topic, { type: 'string', optional: this.topic.optional }, r.topic]);
    if (this.partition) out.push([this.partition, { type: 'int32', optional: this.partition.optional }, isSink(r) ? r.kafkaPartition : r.kafkaPartition ?? null]);
    if (this.offset) {
      if (!isSink(r)) throw new DataError('Offset field can only be used with sink records (the offset of a source record is not known yet)');
      out.push([this.offset, { type: 'int64', optional: this.offset.optional }, r.kafkaOffset]);
    }
    if (this.timestamp) out.push([this.timestamp, { type: 'int64', name: Logical.Timestamp, version: 1, optional: this.timestamp.optional }, r.timestamp === undefined || r.timestamp === null ? null : new Date(r.timestamp)]);
    if (this.staticF) out.push([this.staticF, { type: 'string', optional: this.staticF.optional }, this.staticValue]);
    return out;
  }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (value === null || value === undefined) return r; // tombstones pass
    const adds = this.additions(r);
    if (!schema) {
      const v = { ...requireMap(value, 'field insertion') };
      for (const [s, , x] of adds) v[s!.name] = x instanceof Date ? x.getTime() : x;
      return withPart(r, this.part, null, v);
    }
    const v = { ...requireStruct(schema, value, 'field insertion') };
    const ns = this.cache.get(schema, (s) => ({ ...s, fields: [...(s.fields ?? []), ...adds.map(([sp, fs]) => ({ name: sp!.name, schema: fs }))] }));
    for (const [s, , x] of adds) v[s!.name] = x;
    return withPart(r, this.part, ns, v);
  }
}
export class InsertFieldKey extends InsertField { readonly part = 'key' as const; }
export class InsertFieldValue extends InsertField { readonly part = 'value' as const; }

// ---------------------------------------------------------------- ReplaceField
export abstract class ReplaceField extends PartTransform {
  private exclude: string[] = []; private include: string[] = []; private renames = new Map<string, string>(); private reverse = new Map<string, string>();
  private cache = new SchemaCache();
  config() {
    return new ConfigDef()
      .define({ name: 'exclude', type: 'LIST', default: '', documentation: 'Fields to exclude. This takes precedence over the fields to include.' })
      .define({ name: 'include', type: 'LIST', default: '', documentation: 'Fields to include. If specified, only these fields will be used.' })
      .define({ name: 'renames', type: 'LIST', default: '', documentation: 'Field rename mappings, e.g. foo:bar,abc:xyz.',
        validator: Object.assign((n: string, v: unknown) => { for (const x of v as string[]) if (x.split(':').length !== 2) return `Invalid value ${x} for configuration ${n}: Invalid rename mapping: ${x}`; }, { describe: 'list of colon-delimited pairs, e.g. foo:bar,abc:xyz' }) })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }
  configure(p: Props) {
    const c = this.config().parse({ ...p, exclude: p.exclude ?? p.blacklist, include: p.include ?? p.whitelist });
    this.exclude = c.exclude as string[];
    this.include = c.include as string[];
    for (const x of c.renames as string[]) { const [a, b] = x.split(':'); this.renames.set(a, b); this.reverse.set(b, a); }
  }
  private keep(f: string) { return !this.exclude.includes(f) && (!this.include.length || this.include.includes(f)); }
  private rename(f: string) { return this.renames.get(f) ?? f; }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (value === null || value === undefined) return r;
    if (!schema) {
      const v = requireMap(value, 'field replacement');
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (this.keep(k)) out[this.rename(k)] = x;
      return withPart(r, this.part, null, out);
    }
    const v = requireStruct(schema, value, 'field replacement');
    const ns = this.cache.get(schema, (s) => ({ ...s, fields: (s.fields ?? []).filter((f) => this.keep(f.name)).map((f) => ({ name: this.rename(f.name), schema: f.schema })) }));
    const out: Record<string, unknown> = {};
    for (const f of schema.fields ?? []) if (this.keep(f.name)) out[this.rename(f.name)] = v[f.name] ?? (f.schema.default !== undefined ? f.schema.default : null);
    return withPart(r, this.part, ns, out);
  }
}
export class ReplaceFieldKey extends ReplaceField { readonly part = 'key' as const; }
export class ReplaceFieldValue extends ReplaceField { readonly part = 'value' as const; }

// ---------------------------------------------------------------- MaskField
function maskOf(schemaType: string | undefined, v: unknown, replacement: string | null): unknown {
  const t = schemaType ?? (typeof v === 'number' ? 'float64' : typeof v === 'boolean' ? 'boolean' : typeof v === 'bigint' ? 'int64' : Buffer.isBuffer(v) ? 'bytes' : Array.isArray(v) ? 'array' : v && typeof v === 'object' ? 'map' : 'string');
  if (replacement !== null) {
    switch (t) {
      case 'string': return replacement;
      case 'int8': case 'int16': case 'int32': case 'int64': { const n = Number(replacement); if (!Number.isInteger(n)) throw new DataError(`Unable to convert ${replacement} to ${t}`); return n; }
      case 'float32': case 'float64': { const n = Number(replacement); if (Number.isNaN(n)) throw new DataError(`Unable to convert ${replacement} to ${t}`); return n; }
      case 'boolean': return replacement === 'true';
      default: throw new DataError(`Cannot mask value of type ${t} with custom replacement.`);
    }
  }
  switch (t) {
    case 'string': return '';
    case 'boolean': return false;
    case 'bytes': return Buffer.alloc(0);
    case 'array': return [];
    case 'map': return {};
    case 'struct': throw new DataError('Cannot mask a struct field');
    default: return 0;
  }
}

export abstract class MaskField extends PartTransform {
  private fields: string[] = []; private replacement: string | null = null;
  config() {
    return new ConfigDef()
      .define({ name: 'fields', type: 'LIST', documentation: 'Names of fields to mask.', validator: Object.assign((n: string, v: unknown) => { if (!(v as string[]).length) return `Invalid value for configuration ${n}: Empty list`; }, { describe: 'non-empty list' }) })
      .define({ name: 'replacement', type: 'STRING', default: null, documentation: 'Custom value replacement, that will be applied to all \'fields\' values (numeric or non-empty string values only).' });
  }
  configure(p: Props) { const c = this.config().parse(p); this.fields = c.fields as string[]; this.replacement = (c.replacement as string | null) ?? null; }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (value === null || value === undefined) return r;
    if (!schema) {
      const v = { ...requireMap(value, 'masking') };
      for (const f of this.fields) if (f in v) v[f] = maskOf(undefined, v[f], this.replacement);
      return withPart(r, this.part, null, v);
    }
    const v = { ...requireStruct(schema, value, 'masking') };
    for (const f of this.fields) {
      const fs = schema.fields?.find((x) => x.name === f);
      if (fs) v[f] = maskOf(fs.schema.name === Logical.Decimal ? 'string' : fs.schema.type, v[f], this.replacement);
    }
    return withPart(r, this.part, schema, v);
  }
}
export class MaskFieldKey extends MaskField { readonly part = 'key' as const; }
export class MaskFieldValue extends MaskField { readonly part = 'value' as const; }

// ---------------------------------------------------------------- ValueToKey
export class ValueToKey implements Transformation {
  private fields: string[] = [];
  private cache = new SchemaCache();
  config() {
    return new ConfigDef().define({ name: 'fields', type: 'LIST', documentation: 'Field names on the record value to extract as the record key.', validator: Object.assign((n: string, v: unknown) => { if (!(v as string[]).length) return `Invalid value for configuration ${n}: Empty list`; }, { describe: 'non-empty list' }) })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }
  configure(p: Props) { this.fields = this.config().parse(p).fields as string[]; }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, 'value');
    if (!schema) {
      const v = requireMap(value, 'copying fields from value to key');
      return { ...r, keySchema: null, key: Object.fromEntries(this.fields.map((f) => [f, v[f] ?? null])) };
    }
    const v = requireStruct(schema, value, 'copying fields from value to key');
    const ks = this.cache.get(schema, (s) => ({ type: 'struct', optional: false, fields: this.fields.map((f) => {
      const fs = s.fields?.find((x) => x.name === f);
      if (!fs) throw new DataError(`Field does not exist: ${f}`);
      return { name: f, schema: fs.schema };
    }) }));
    return { ...r, keySchema: ks, key: Object.fromEntries(this.fields.map((f) => [f, v[f] ?? null])) };
  }
  close() {}
}

// ---------------------------------------------------------------- ExtractField
export abstract class ExtractField extends PartTransform {
  private path: string[] = [];
  config() {
    return new ConfigDef()
      .define({ name: 'field', type: 'STRING', documentation: 'Field name to extract (with field.syntax.version=V2, a dotted path to a nested field).' })
      .define({ name: 'field.syntax.version', type: 'STRING', default: 'V1', validator: Validators.oneOf('V1', 'V2'), documentation: 'V1: field names as given; V2: dots separate nested fields (backquotes escape).' })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }
  configure(p: Props) {
    const c = this.config().parse(p);
    const f = c.field as string;
    this.path = c['field.syntax.version'] === 'V2' ? f.split('.') : [f];
  }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (!schema) {
      if (value === null || value === undefined) return withPart(r, this.part, null, null);
      let v: unknown = requireMap(value, 'field extraction');
      for (const seg of this.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] ?? null : null;
      return withPart(r, this.part, null, v);
    }
    if (value === null || value === undefined) {
      let s: Schema | undefined = schema;
      for (const seg of this.path) s = s?.fields?.find((x) => x.name === seg)?.schema;
      return withPart(r, this.part, s ?? null, null);
    }
    let s: Schema = schema;
    let v: unknown = requireStruct(schema, value, 'field extraction');
    for (const seg of this.path) {
      const fs = s.fields?.find((x) => x.name === seg);
      if (!fs) throw new DataError(`Unknown field: ${seg}`);
      s = fs.schema;
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] ?? null : null;
    }
    return withPart(r, this.part, s, v);
  }
}
export class ExtractFieldKey extends ExtractField { readonly part = 'key' as const; }
export class ExtractFieldValue extends ExtractField { readonly part = 'value' as const; }

// ---------------------------------------------------------------- HoistField
export abstract class HoistField extends PartTransform {
  private field = '';
  private cache = new SchemaCache();
  config() { return new ConfigDef().define({ name: 'field', type: 'STRING', documentation: 'Field name for the single field that will be created in the resulting Struct or Map.' }); }
  configure(p: Props) { this.field = this.config().parse(p).field as string; }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (!schema) return withPart(r, this.part, null, { [this.field]: value });
    const ns = this.cache.get(schema, (s) => ({ type: 'struct', optional: false, fields: [{ name: this.field, schema: s }] }));
    return withPart(r, this.part, ns, { [this.field]: value });
  }
}
export class HoistFieldKey extends HoistField { readonly part = 'key' as const; }
export class HoistFieldValue extends HoistField { readonly part = 'value' as const; }

// ---------------------------------------------------------------- Flatten
export abstract class Flatten extends PartTransform {
  private delimiter = '.';
  private cache = new SchemaCache();
  config() { return new ConfigDef().define({ name: 'delimiter', type: 'STRING', default: '.', documentation: 'Delimiter to insert between field names from the input record when generating field names for the output record' }); }
  configure(p: Props) { this.delimiter = this.config().parse(p).delimiter as string; }
  private flatSchema(s: Schema, prefix: string, optional: boolean, out: { name: string; schema: Schema }[]) {
    for (const f of s.fields ?? []) {
      const n = prefix ? `${prefix}${this.delimiter}${f.name}` : f.name;
      if (f.schema.type === 'struct') this.flatSchema(f.schema, n, optional || !!f.schema.optional, out);
      else out.push({ name: n, schema: optional && !f.schema.optional ? { ...f.schema, optional: true } : f.schema });
    }
  }
  private flatValue(v: Record<string, unknown> | null, prefix: string, out: Record<string, unknown>, s?: Schema) {
    if (s) {
      for (const f of s.fields ?? []) {
        const n = prefix ? `${prefix}${this.delimiter}${f.name}` : f.name;
        const x = v ? v[f.name] : null;
        if (f.schema.type === 'struct') this.flatValue((x as Record<string, unknown>) ?? null, n, out, f.schema);
        else out[n] = x ?? null;
      }
      return;
    }
    for (const [k, x] of Object.entries(v ?? {})) {
      const n = prefix ? `${prefix}${this.delimiter}${k}` : k;
      if (x && typeof x === 'object' && !Array.isArray(x) && !Buffer.isBuffer(x) && !(x instanceof Date)) this.flatValue(x as Record<string, unknown>, n, out);
      else out[n] = x;
    }
  }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (value === null || value === undefined) return r;
    const out: Record<string, unknown> = {};
    if (!schema) { this.flatValue(requireMap(value, 'flattening'), '', out); return withPart(r, this.part, null, out); }
    const v = requireStruct(schema, value, 'flattening');
    const ns = this.cache.get(schema, (s) => { const fields: { name: string; schema: Schema }[] = []; this.flatSchema(s, '', false, fields); return { ...s, fields }; });
    this.flatValue(v, '', out, schema);
    return withPart(r, this.part, ns, out);
  }
}
export class FlattenKey extends Flatten { readonly part = 'key' as const; }
export class FlattenValue extends Flatten { readonly part = 'value' as const; }

// ---------------------------------------------------------------- Cast
const CAST_TYPES = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'] as const;
type CastType = typeof CAST_TYPES[number];

function castValue(v: unknown, to: CastType): unknown {
  if (v === null || v === undefined) return null;
  const num = (): number => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof Date) return v.getTime();
    const n = typeof v === 'string' ? Number(v.trim()) : Number(v);
    if (Number.isNaN(n)) throw new DataError(`Unexpected type in Cast transformation: cannot cast ${JSON.stringify(v)} to ${to}`);
    return n;
  };
  switch (to) {
    case 'int8': case 'int16': case 'int32': case 'int64': return Math.trunc(num());
    case 'float32': return Math.fround(num());
    case 'float64': return num();
    case 'boolean': return typeof v === 'string' ? v.trim().toLowerCase() === 'true' : Boolean(num());
    case 'string': return v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

export abstract class Cast extends PartTransform {
  private whole: CastType | null = null;
  private casts = new Map<string, CastType>();
  private cache = new SchemaCache();
  config() {
    return new ConfigDef().define({ name: 'spec', type: 'LIST', documentation: 'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string.' })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }
  configure(p: Props) {
    const spec = this.config().parse(p).spec as string[];
    if (!spec.length) throw new ConfigException('spec', 'Must specify at least one field to cast.');
    for (const s of spec) {
      const parts = s.split(':');
      if (parts.length === 1) {
        if (spec.length > 1) throw new ConfigException('spec', 'Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec');
        this.whole = checkType(parts[0]);
      } else if (parts.length === 2) this.casts.set(parts[0].trim(), checkType(parts[1]));
      else throw new ConfigException('spec', `Invalid cast mapping: ${s}`);
    }
  }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (this.whole) {
      return withPart(r, this.part, schema ? { type: this.whole, optional: !!schema.optional } : null, castValue(value, this.whole));
    }
    if (value === null || value === undefined) return r;
    if (!schema) {
      const v = { ...requireMap(value, 'cast types') };
      for (const [f, t] of this.casts) if (f in v) v[f] = castValue(v[f], t);
      return withPart(r, this.part, null, v);
    }
    const v = { ...requireStruct(schema, value, 'cast types') };
    const ns = this.cache.get(schema, (s) => ({ ...s, fields: (s.fields ?? []).map((f) => { const t = this.casts.get(f.name); return t ? { name: f.name, schema: { type: t, optional: !!f.schema.optional } } : f; }) }));
    for (const [f, t] of this.casts) if (f in v) v[f] = castValue(v[f], t);
    return withPart(r, this.part, ns, v);
  }
}
function checkType(t: string): CastType {
  const x = t.trim().toLowerCase() as CastType;
  if (!CAST_TYPES.includes(x)) throw new ConfigException('spec', `Invalid type found in casting schema: ${t}`);
  return x;
}
export class CastKey extends Cast { readonly part = 'key' as const; }
export class CastValue extends Cast { readonly part = 'value' as const; }

// ---------------------------------------------------------------- SetSchemaMetadata
export abstract class SetSchemaMetadata extends PartTransform {
  private name: string | null = null; private version: number | null = null;
  config() {
    return new ConfigDef().define({ name: 'schema.name', type: 'STRING', default: null, documentation: 'Schema name to set.' })
      .define({ name: 'schema.version', type: 'INT', default: null, documentation: 'Schema version to set.' });
  }
  configure(p: Props) { const c = this.config().parse(p); this.name = c['schema.name'] as string | null; this.version = c['schema.version'] as number | null; if (this.name === null && this.version === null) throw new ConfigException('schema.name', 'Neither schema name nor version configured'); }
  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (!schema) throw new DataError('Schema required for [updating schema metadata]');
    return withPart(r, this.part, { ...schema, ...(this.name !== null ? { name: this.name } : {}), ...(this.version !== null ? { version: this.version } : {}) }, value);
  }
}
export class SetSchemaMetadataKey extends SetSchemaMetadata { readonly part = 'key' as const; }
export class SetSchemaMetadataValue extends SetSchemaMetadata { readonly part = 'value' as const; }
void need;
