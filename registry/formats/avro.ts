// Avro: parsing (avsc), canonical and normalized forms, and compatibility per
// Apache Avro's schema resolution rules (names compared unqualified, as recent Java Avro does).
import avro from 'avsc';
import { flattenReferences, SchemaParseError, type CompatibilityIssue, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types.ts';

type AvroType = avro.Type;

export interface AvroSchema extends ParsedSchema {
  readonly schemaType: 'AVRO';
  /** avsc type, with referenced named types resolved; use it to encode/decode. */
  readonly type: AvroType;
  readonly json: unknown;
}

const COMPLEX = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export function parseAvro(schema: string, references: ResolvedReference[] = []): AvroSchema {
  let json: unknown;
  try { json = JSON.parse(schema); } catch (e) {
    // A bare primitive name is a valid Avro schema too.
    if (PRIMITIVES.has(schema.trim())) json = schema.trim();
    else throw new SchemaParseError(`Invalid Avro schema JSON: ${(e as Error).message}`);
  }
  const registry: Record<string, AvroType> = {};
  for (const r of flattenReferences(references)) {
    if (r.schemaType !== 'AVRO') throw new SchemaParseError(`reference ${r.name} is ${r.schemaType}, not AVRO`);
    try { avro.Type.forSchema(JSON.parse(r.schema), { registry }); } catch (e) {
      throw new SchemaParseError(`in reference ${r.name}: ${(e as Error).message}`);
    }
  }
  let type: AvroType;
  try { type = avro.Type.forSchema(json as avro.Schema, { registry }); } catch (e) {
    throw new SchemaParseError((e as Error).message);
  }
  return {
    schemaType: 'AVRO',
    canonical: JSON.stringify(canonicalize(json, '', false)),
    normalized: JSON.stringify(canonicalize(json, '', true)),
    references,
    type,
    json,
  };
}

// ---- canonical form --------------------------------------------------------
// Keys in one fixed order (Avro's own printing order, then extra properties
// sorted), whitespace dropped, nothing else changed: the same schema written
// differently compares equal. Normalized also fully qualifies every name.

const TYPE_KEYS = ['type', 'name', 'namespace', 'doc', 'fields', 'symbols', 'items', 'values', 'size', 'default', 'aliases', 'logicalType', 'precision', 'scale'];
const FIELD_KEYS = ['name', 'doc', 'type', 'default', 'order', 'aliases'];

function fullName(name: string, ns: string): string {
  return name.includes('.') || !ns ? name : `${ns}.${name}`;
}

function canonicalize(node: unknown, ns: string, normalize: boolean): unknown {
  if (typeof node === 'string') return normalize && !PRIMITIVES.has(node) ? fullName(node, ns) : node;
  if (Array.isArray(node)) return node.map((n) => canonicalize(n, ns, normalize));
  if (!node || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'type' && typeof o.type === 'string' && PRIMITIVES.has(o.type)) return o.type;
  let innerNs = ns;
  const named = o.type === 'record' || o.type === 'error' || o.type === 'enum' || o.type === 'fixed';
  const out: Record<string, unknown> = {};
  if (named && typeof o.name === 'string') {
    const fn = fullName(o.name, typeof o.namespace === 'string' ? o.namespace : ns);
    innerNs = fn.includes('.') ? fn.slice(0, fn.lastIndexOf('.')) : '';
    if (normalize) {
      out.type = o.type;
      out.name = fn;
    }
  }
  const ordered = [...TYPE_KEYS.filter((k) => k in o), ...keys.filter((k) => !TYPE_KEYS.includes(k)).sort()];
  for (const k of ordered) {
    if (normalize && named && (k === 'name' || k === 'namespace')) continue;
    const v = o[k];
    if (k === 'fields' && Array.isArray(v)) out.fields = v.map((f) => canonicalField(f, innerNs, normalize));
    else if (k === 'type' && typeof v === 'string' && COMPLEX.has(v)) out[k] = v;
    else if (k === 'type' || k === 'items' || k === 'values') out[k] = canonicalize(v, innerNs, normalize);
    else if (normalize && k === 'aliases' && Array.isArray(v)) out[k] = v.map((a) => (typeof a === 'string' ? fullName(a, innerNs) : a));
    else out[k] = v;
  }
  return out;
}

function canonicalField(f: unknown, ns: string, normalize: boolean): unknown {
  if (!f || typeof f !== 'object') return f;
  const o = f as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(o);
  for (const k of [...FIELD_KEYS.filter((k) => k in o), ...keys.filter((k) => !FIELD_KEYS.includes(k)).sort()]) {
    out[k] = k === 'type' ? canonicalize(o[k], ns, normalize) : o[k];
  }
  return out;
}

// ---- compatibility: Avro schema resolution ---------------------------------

const PROMOTIONS: Record<string, string[]> = {
  int: ['int', 'long', 'float', 'double'],
  long: ['long', 'float', 'double'],
  float: ['float', 'double'],
  double: ['double'],
  string: ['string', 'bytes'],
  bytes: ['bytes', 'string'],
};

function kind(t: AvroType): string {
  const n = t.typeName;
  if (n.startsWith('union')) return 'union';
  if (n.startsWith('logical')) return kind((t as unknown as { underlyingType: AvroType }).underlyingType);
  return n === 'error' ? 'record' : n;
}

function shortName(n: string | undefined): string {
  return n ? n.slice(n.lastIndexOf('.') + 1) : '';
}

function namesMatch(reader: AvroType, writer: AvroType): boolean {
  const w = shortName(writer.name);
  if (shortName(reader.name) === w) return true;
  return ((reader as unknown as { aliases?: string[] }).aliases ?? []).some((a) => shortName(a) === w);
}

/** Issues preventing `reader` from reading data written with `writer`. */
export function avroReadable(reader: AvroType, writer: AvroType): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  const seen = new Set<string>();
  check(reader, writer, '', issues, seen);
  return issues;
}

function check(r: AvroType, w: AvroType, path: string, out: CompatibilityIssue[], seen: Set<string>): void {
  const rk = kind(r);
  const wk = kind(w);
  if (wk === 'union') {
    // every branch the writer may have written must be readable
    const branches = (w as unknown as { types: AvroType[] }).types;
    branches.forEach((b, i) => {
      const sub: CompatibilityIssue[] = [];
      check(r, b, path, sub, seen);
      if (sub.length) {
        if (rk === 'union') out.push({ errorType: 'MISSING_UNION_BRANCH', path, description: `The reader schema is missing a type inside a union field at path '${path || '/'}' in the writer schema: reader has no branch for '${typeLabel(b)}' (writer branch ${i})` });
        else out.push(...sub);
      }
    });
    return;
  }
  if (rk === 'union') {
    const branches = (r as unknown as { types: AvroType[] }).types;
    // first branch that matches the writer exactly by kind/name, then any readable one
    for (const b of branches) {
      const sub: CompatibilityIssue[] = [];
      check(b, w, path, sub, seen);
      if (!sub.length) return;
    }
    out.push({ errorType: 'MISSING_UNION_BRANCH', path, description: `The reader schema is missing a type inside a union field at path '${path || '/'}': no branch reads the writer's '${typeLabel(w)}'` });
    return;
  }
  if (PROMOTIONS[wk] || wk === 'null' || wk === 'boolean') {
    if (wk === rk || PROMOTIONS[wk]?.includes(rk)) return;
    out.push(typeMismatch(path, r, w));
    return;
  }
  if (wk !== rk) { out.push(typeMismatch(path, r, w)); return; }
  switch (wk) {
    case 'array':
      check((r as unknown as { itemsType: AvroType }).itemsType, (w as unknown as { itemsType: AvroType }).itemsType, `${path}/items`, out, seen);
      return;
    case 'map':
      check((r as unknown as { valuesType: AvroType }).valuesType, (w as unknown as { valuesType: AvroType }).valuesType, `${path}/values`, out, seen);
      return;
    case 'fixed':
      if (!namesMatch(r, w)) out.push(nameMismatch(path, r, w));
      if ((r as unknown as { size: number }).size !== (w as unknown as { size: number }).size) {
        out.push({ errorType: 'FIXED_SIZE_MISMATCH', path: `${path}/size`, description: `The size of FIXED type field at path '${path}/size' in the reader schema (${(r as unknown as { size: number }).size}) does not match with the writer schema (${(w as unknown as { size: number }).size})` });
      }
      return;
    case 'enum': {
      if (!namesMatch(r, w)) out.push(nameMismatch(path, r, w));
      const rs = new Set((r as unknown as { symbols: string[] }).symbols);
      const missing = (w as unknown as { symbols: string[] }).symbols.filter((s) => !rs.has(s));
      const hasDefault = (r as unknown as { default?: string }).default !== undefined;
      if (missing.length && !hasDefault) {
        out.push({ errorType: 'MISSING_ENUM_SYMBOLS', path: `${path}/symbols`, description: `The reader schema is missing enum symbols '${missing.join(',')}' at path '${path}/symbols' in the writer schema` });
      }
      return;
    }
    case 'record': {
      if (!namesMatch(r, w)) { out.push(nameMismatch(path, r, w)); return; }
      // recursive records: checking a pair once is enough
      const key = `${idOf(r)}#${idOf(w)}`;
      if (seen.has(key)) return;
      seen.add(key);
      const wf = (w as unknown as { fields: AvroField[] }).fields;
      const byName = new Map(wf.map((f) => [f.name, f]));
      (r as unknown as { fields: AvroField[] }).fields.forEach((f, i) => {
        const fpath = `${path}/fields/${i}`;
        const match = byName.get(f.name) ?? (f.aliases ?? []).map((a) => byName.get(a)).find(Boolean);
        if (match) check(f.type, match.type, `${fpath}/type`, out, seen);
        else if (f.defaultValue() === undefined) {
          out.push({ errorType: 'READER_FIELD_MISSING_DEFAULT_VALUE', path: fpath, description: `The field '${f.name}' at path '${fpath}' in the reader schema has no default value and is missing in the writer schema` });
        }
      });
      return;
    }
    default:
      out.push(typeMismatch(path, r, w));
  }
}

interface AvroField { name: string; type: AvroType; aliases?: string[]; defaultValue(): unknown }

const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let v = ids.get(o);
  if (v === undefined) { v = nextId++; ids.set(o, v); }
  return v;
}

function typeLabel(t: AvroType): string {
  return t.name ?? kind(t);
}

function typeMismatch(path: string, r: AvroType, w: AvroType): CompatibilityIssue {
  return { errorType: 'TYPE_MISMATCH', path, description: `The type (path '${path || '/'}') of a field in the reader schema ('${typeLabel(r)}') does not match with the writer schema ('${typeLabel(w)}')` };
}

function nameMismatch(path: string, r: AvroType, w: AvroType): CompatibilityIssue {
  return { errorType: 'NAME_MISMATCH', path: `${path}/name`, description: `The name of the schema has changed (path '${path}/name'): reader '${r.name}', writer '${w.name}'` };
}

export const avroFormat: SchemaFormat<AvroSchema> = {
  schemaType: 'AVRO',
  parse: parseAvro,
  checkReadable: (reader, writer) => avroReadable(reader.type, writer.type),
};
