// JSON Schema: validation with ajv (drafts 4, 6, 7, 2019-09, 2020-12 by $schema),
// canonical/normalized forms, and compatibility after Confluent's rules: a reader
// must accept every document the writer accepts (open vs closed content models).
import AjvModule from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import draft6Meta from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { flattenReferences, SchemaParseError, type CompatibilityIssue, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types.ts';

type AjvClass = typeof AjvModule.default;
const Ajv = (AjvModule as unknown as { default: AjvClass }).default ?? AjvModule;
const Ajv2019 = (Ajv2019Module as unknown as { default: AjvClass }).default ?? Ajv2019Module;
const Ajv2020 = (Ajv2020Module as unknown as { default: AjvClass }).default ?? Ajv2020Module;
const addFormats = ((addFormatsModule as unknown as { default: unknown }).default ?? addFormatsModule) as (ajv: InstanceType<AjvClass>) => void;

type Json = boolean | Record<string, unknown>;
type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

export interface JsonSchema extends ParsedSchema {
  readonly schemaType: 'JSON';
  readonly json: Json;
  /** Referenced schemas by reference name (and $id), for $ref resolution in compatibility. */
  readonly refs: Map<string, Json>;
  /** Compiled validator (ajv), built on first use. */
  validator(): Validate;
}

function draftOf(json: Json): 'draft4' | 'draft6' | 'draft7' | '2019' | '2020' {
  const s = typeof json === 'object' && typeof json.$schema === 'string' ? json.$schema : '';
  if (s.includes('draft-04')) return 'draft4';
  if (s.includes('draft-06')) return 'draft6';
  if (s.includes('2019-09')) return '2019';
  if (s.includes('2020-12')) return '2020';
  return 'draft7';
}

// ajv 8 dropped draft 4; its differences that matter for validation are `id` and
// boolean exclusiveMinimum/Maximum, rewritten here to draft 7's spelling.
function fromDraft4(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromDraft4);
  if (!node || typeof node !== 'object') return node;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === '$schema') continue;
    if (k === 'id' && typeof v === 'string') o.$id = v;
    else o[k] = fromDraft4(v);
  }
  if (o.exclusiveMaximum === true && typeof o.maximum === 'number') { o.exclusiveMaximum = o.maximum; delete o.maximum; } else if (typeof o.exclusiveMaximum === 'boolean') delete o.exclusiveMaximum;
  if (o.exclusiveMinimum === true && typeof o.minimum === 'number') { o.exclusiveMinimum = o.minimum; delete o.minimum; } else if (typeof o.exclusiveMinimum === 'boolean') delete o.exclusiveMinimum;
  return o;
}

function newAjv(draft: ReturnType<typeof draftOf>): InstanceType<AjvClass> {
  const opts = { strict: false, allErrors: true, logger: false as const, validateFormats: true };
  const ajv = draft === '2019' ? new Ajv2019(opts) : draft === '2020' ? new Ajv2020(opts) : new Ajv(opts);
  if (draft === 'draft6') ajv.addMetaSchema(draft6Meta);
  addFormats(ajv);
  return ajv;
}

function parseJson(text: string, what: string): Json {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { throw new SchemaParseError(`Invalid JSON${what}: ${(e as Error).message}`); }
  if (typeof v !== 'boolean' && (!v || typeof v !== 'object' || Array.isArray(v))) throw new SchemaParseError(`a JSON Schema${what} must be an object or a boolean`);
  return v as Json;
}

export function parseJsonSchema(schema: string, references: ResolvedReference[] = []): JsonSchema {
  const json = parseJson(schema, '');
  const draft = draftOf(json);
  const refs = new Map<string, Json>();
  const flat = flattenReferences(references);
  for (const r of flat) {
    if (r.schemaType !== 'JSON') throw new SchemaParseError(`reference ${r.name} is ${r.schemaType}, not JSON`);
    const rj = parseJson(r.schema, ` in reference ${r.name}`);
    refs.set(r.name, rj);
    if (typeof rj === 'object' && typeof rj.$id === 'string') refs.set(rj.$id, rj);
  }
  const build = (): Validate => {
    const ajv = newAjv(draft);
    for (const r of flat) {
      const rj = refs.get(r.name)!;
      const conv = draftOf(rj) === 'draft4' ? fromDraft4(rj) : rj;
      try {
        if (conv && typeof conv === 'object' && typeof (conv as S).$id === 'string') {
          ajv.addSchema(conv as object); // under its own $id
          if ((conv as S).$id !== r.name) {
            const { $id: _id, ...copy } = conv as S;
            ajv.addSchema(copy, r.name);
          }
        } else ajv.addSchema((conv === true ? {} : conv === false ? { not: {} } : conv) as object, r.name);
      } catch (e) { throw new SchemaParseError(`in reference ${r.name}: ${(e as Error).message}`); }
    }
    try {
      return ajv.compile((draft === 'draft4' ? fromDraft4(json) : json) as object) as Validate;
    } catch (e) { throw new SchemaParseError((e as Error).message); }
  };
  let compiled: Validate | undefined = build();
  return {
    schemaType: 'JSON',
    canonical: JSON.stringify(json),
    normalized: JSON.stringify(sortKeys(json)),
    references,
    json,
    refs,
    validator: () => (compiled ??= build()),
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

// ---- compatibility ---------------------------------------------------------

type S = Record<string, unknown>;

interface Ctx { readerRoot: JsonSchema; writerRoot: JsonSchema; out: CompatibilityIssue[]; seen: Set<string> }

const issue = (ctx: Ctx, errorType: string, path: string, description: string) => ctx.out.push({ errorType, path: path || '#/', description });

/** Follows $ref within the schema's own document (#/…) or to a referenced schema. */
function deref(node: unknown, root: JsonSchema, depth = 0): unknown {
  if (!node || typeof node !== 'object' || typeof (node as S).$ref !== 'string' || depth > 32) return node;
  const ref = (node as S).$ref as string;
  const hash = ref.indexOf('#');
  const doc = hash === 0 ? root.json : root.refs.get(hash < 0 ? ref : ref.slice(0, hash));
  if (doc === undefined) return node;
  let target: unknown = doc;
  if (hash >= 0) {
    for (const part of ref.slice(hash + 1).split('/').filter(Boolean)) {
      target = target && typeof target === 'object' ? (target as S)[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))] : undefined;
    }
  }
  if (target === undefined) return node;
  const rest = Object.fromEntries(Object.entries(node as S).filter(([k]) => k !== '$ref'));
  const resolved = deref(target, root, depth + 1);
  return Object.keys(rest).length && resolved && typeof resolved === 'object' ? { ...(resolved as S), ...rest } : resolved;
}

const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string', 'integer'];

function typesOf(s: S): Set<string> | null {
  if (s.type === undefined) {
    if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType));
    if ('const' in s) return new Set([jsonType(s.const)]);
    return null; // any
  }
  const t = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  return new Set(t);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function isOpen(s: S): boolean | S {
  // true = any extra property allowed; false = closed; object = partially open
  const ap = s.additionalProperties ?? s.unevaluatedProperties;
  if (ap === false) return false;
  if (ap && typeof ap === 'object' && Object.keys(ap).length) return ap as S;
  if (s.patternProperties && typeof s.patternProperties === 'object' && Object.keys(s.patternProperties).length && ap !== undefined) return ap as S;
  return true;
}

function isTrivial(s: unknown): boolean {
  return s === true || (!!s && typeof s === 'object' && Object.keys(s).length === 0);
}

/** Every document valid under `writer` must be valid under `reader`. */
function readable(readerNode: unknown, writerNode: unknown, path: string, ctx: Ctx): void {
  const r = deref(readerNode, ctx.readerRoot);
  const w0 = deref(writerNode, ctx.writerRoot);
  const w = w0 === true ? {} : w0;
  if (isTrivial(r)) return;
  if (w === false) return;
  if (r === false) { issue(ctx, 'SCHEMA_REMOVED', path, `The reader schema at '${path || '#/'}' accepts nothing (false) but the writer schema accepts data`); return; }
  if (typeof r !== 'object' || typeof w !== 'object' || !r || !w) return;
  const rs = r as S;
  const ws = w as S;
  const key = `${path}`;
  if (ctx.seen.has(key) || path.length > 2000) return;
  ctx.seen.add(key);

  // sum types: each writer alternative must be readable
  for (const comb of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(ws[comb])) {
      const wBranches = ws[comb] as unknown[];
      const rest = Object.fromEntries(Object.entries(ws).filter(([k]) => k !== comb));
      wBranches.forEach((b, i) => {
        const merged = b && typeof b === 'object' && Object.keys(rest).length ? { ...rest, ...(b as S) } : b;
        const sub: Ctx = { ...ctx, out: [], seen: new Set() };
        readable(rs, merged, `${path}/${comb}/${i}`, sub);
        if (sub.out.length) issue(ctx, 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', `${path}/${comb}/${i}`, `The writer's ${comb} alternative ${i} at '${path || '#/'}' is not accepted by the reader schema: ${sub.out.map((x) => x.description).join('; ')}`);
      });
      return;
    }
  }
  for (const comb of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(rs[comb])) {
      const rBranches = rs[comb] as unknown[];
      const rest = Object.fromEntries(Object.entries(rs).filter(([k]) => k !== comb));
      const ok = rBranches.some((b) => {
        const merged = b && typeof b === 'object' && Object.keys(rest).length ? { ...rest, ...(b as S) } : b;
        const sub: Ctx = { ...ctx, out: [], seen: new Set() };
        readable(merged, ws, path, sub);
        return sub.out.length === 0;
      });
      if (!ok) issue(ctx, 'COMBINED_TYPE_CHANGED', `${path}/${comb}`, `No ${comb} alternative of the reader schema at '${path || '#/'}' accepts what the writer schema accepts`);
      return;
    }
  }
  if (Array.isArray(rs.allOf)) {
    (rs.allOf as unknown[]).forEach((b, i) => readable(b, ws, `${path}/allOf/${i}`, ctx));
  }

  // types
  const rt = typesOf(rs);
  const wt = typesOf(ws) ?? new Set(ALL_TYPES);
  if (rt) {
    for (const t of wt) {
      if (rt.has(t) || (t === 'integer' && rt.has('number'))) continue;
      if (t === 'number' && rt.has('integer')) issue(ctx, 'TYPE_NARROWED', `${path}/type`, `The type at '${path || '#/'}' was narrowed from number to integer`);
      else issue(ctx, 'TYPE_CHANGED', `${path}/type`, `The reader schema at '${path || '#/'}' does not accept type '${t}' that the writer schema allows (reader: ${[...rt].join(', ')})`);
    }
  }
  const has = (t: string) => wt.has(t) && (!rt || rt.has(t) || (t === 'integer' && rt.has('number')));

  // enum / const
  if (Array.isArray(rs.enum)) {
    const rv = new Set((rs.enum as unknown[]).map((x) => JSON.stringify(x)));
    const wv = Array.isArray(ws.enum) ? (ws.enum as unknown[]) : 'const' in ws ? [ws.const] : null;
    if (!wv) issue(ctx, 'ENUM_ARRAY_NARROWED', `${path}/enum`, `The reader schema at '${path || '#/'}' adds an enum the writer schema did not have`);
    else {
      const missing = wv.filter((x) => !rv.has(JSON.stringify(x)));
      if (missing.length) issue(ctx, 'ENUM_ARRAY_NARROWED', `${path}/enum`, `The reader schema at '${path || '#/'}' drops enum values ${JSON.stringify(missing)}`);
    }
  }
  if ('const' in rs && JSON.stringify(rs.const) !== JSON.stringify(ws.const)) {
    issue(ctx, 'CONST_CHANGED', `${path}/const`, `The const at '${path || '#/'}' changed or was added`);
  }

  // bounds: the reader may relax a bound, never tighten or add one
  const upper = (k: string, errAdd: string, errDec: string) => {
    if (typeof rs[k] !== 'number') return;
    if (typeof ws[k] !== 'number') issue(ctx, errAdd, `${path}/${k}`, `${k} ${rs[k]} added at '${path || '#/'}'`);
    else if ((rs[k] as number) < (ws[k] as number)) issue(ctx, errDec, `${path}/${k}`, `${k} at '${path || '#/'}' decreased from ${ws[k]} to ${rs[k]}`);
  };
  const lower = (k: string, errAdd: string, errInc: string) => {
    if (typeof rs[k] !== 'number') return;
    if (typeof ws[k] !== 'number') issue(ctx, errAdd, `${path}/${k}`, `${k} ${rs[k]} added at '${path || '#/'}'`);
    else if ((rs[k] as number) > (ws[k] as number)) issue(ctx, errInc, `${path}/${k}`, `${k} at '${path || '#/'}' increased from ${ws[k]} to ${rs[k]}`);
  };
  if (has('string')) {
    upper('maxLength', 'MAX_LENGTH_ADDED', 'MAX_LENGTH_DECREASED');
    lower('minLength', 'MIN_LENGTH_ADDED', 'MIN_LENGTH_INCREASED');
    if (typeof rs.pattern === 'string' && rs.pattern !== ws.pattern) issue(ctx, ws.pattern === undefined ? 'PATTERN_ADDED' : 'PATTERN_CHANGED', `${path}/pattern`, `pattern at '${path || '#/'}' ${ws.pattern === undefined ? 'added' : 'changed'}`);
  }
  if (has('number') || has('integer')) {
    upper('maximum', 'MAXIMUM_ADDED', 'MAXIMUM_DECREASED');
    lower('minimum', 'MINIMUM_ADDED', 'MINIMUM_INCREASED');
    upper('exclusiveMaximum', 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_DECREASED');
    lower('exclusiveMinimum', 'EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_INCREASED');
    if (typeof rs.multipleOf === 'number' && (typeof ws.multipleOf !== 'number' || (ws.multipleOf as number) % (rs.multipleOf as number) !== 0)) {
      issue(ctx, ws.multipleOf === undefined ? 'MULTIPLE_OF_ADDED' : 'MULTIPLE_OF_CHANGED', `${path}/multipleOf`, `multipleOf at '${path || '#/'}' added or changed`);
    }
  }
  if (has('object')) objectReadable(rs, ws, path, ctx);
  if (has('array')) {
    upper('maxItems', 'MAX_ITEMS_ADDED', 'MAX_ITEMS_DECREASED');
    lower('minItems', 'MIN_ITEMS_ADDED', 'MIN_ITEMS_INCREASED');
    if (rs.uniqueItems === true && ws.uniqueItems !== true) issue(ctx, 'UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`, `uniqueItems added at '${path || '#/'}'`);
    const ri = rs.items ?? rs.prefixItems;
    const wi = ws.items ?? ws.prefixItems;
    if (Array.isArray(ri) || Array.isArray(wi)) {
      const ra = Array.isArray(ri) ? ri : [];
      const wa = Array.isArray(wi) ? wi : [];
      for (let i = 0; i < Math.max(ra.length, wa.length); i++) {
        readable(ra[i] ?? (Array.isArray(ri) ? rs.additionalItems ?? rs.items : ri) ?? true, wa[i] ?? (Array.isArray(wi) ? ws.additionalItems ?? true : wi) ?? true, `${path}/items/${i}`, ctx);
      }
    } else if (ri !== undefined) readable(ri, wi ?? true, `${path}/items`, ctx);
  }
  if (rs.not !== undefined && JSON.stringify(rs.not) !== JSON.stringify(ws.not)) issue(ctx, 'NOT_TYPE_EXTENDED', `${path}/not`, `'not' at '${path || '#/'}' added or changed`);
}

function objectReadable(rs: S, ws: S, path: string, ctx: Ctx): void {
  const rp = (rs.properties ?? {}) as S;
  const wp = (ws.properties ?? {}) as S;
  const wOpen = isOpen(ws);
  const rOpen = isOpen(rs);
  for (const [name, rsub] of Object.entries(rp)) {
    const ppath = `${path}/properties/${name}`;
    if (name in wp) readable(rsub, wp[name], ppath, ctx);
    else if (wOpen === false) continue; // the writer never wrote it
    else if (wOpen === true) {
      if (!isTrivial(rsub)) issue(ctx, 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', ppath, `The property '${name}' is added at '${ppath}' but the writer schema's content model is open: documents may already hold '${name}' with any value`);
    } else readable(rsub, wOpen, ppath, ctx); // partially open writer: extra values match its additionalProperties
  }
  for (const [name, wsub] of Object.entries(wp)) {
    if (name in rp) continue;
    const ppath = `${path}/properties/${name}`;
    if (rOpen === false) issue(ctx, 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', ppath, `The property '${name}' is removed at '${ppath}' but the reader schema's content model is closed (additionalProperties: false)`);
    else if (rOpen !== true) {
      const sub: Ctx = { ...ctx, out: [], seen: new Set() };
      readable(rOpen, wsub, ppath, sub);
      if (sub.out.length) issue(ctx, 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', ppath, `The property '${name}' is removed at '${ppath}' and the reader's additionalProperties does not accept its values`);
    }
  }
  // extra properties the writer allows must be allowed by the reader
  if (wOpen !== false) {
    if (rOpen === false) issue(ctx, 'ADDITIONAL_PROPERTIES_REMOVED', `${path}/additionalProperties`, `The reader schema at '${path || '#/'}' closes the content model (additionalProperties: false) that the writer left open`);
    else if (rOpen !== true) {
      if (wOpen === true) issue(ctx, 'ADDITIONAL_PROPERTIES_NARROWED', `${path}/additionalProperties`, `The reader schema at '${path || '#/'}' restricts additionalProperties that the writer left open`);
      else readable(rOpen, wOpen, `${path}/additionalProperties`, ctx);
    }
  }
  const wReq = new Set(Array.isArray(ws.required) ? (ws.required as string[]) : []);
  for (const name of Array.isArray(rs.required) ? (rs.required as string[]) : []) {
    if (wReq.has(name)) continue;
    const hasDefault = !!rp[name] && typeof rp[name] === 'object' && 'default' in (rp[name] as S);
    if (!hasDefault) issue(ctx, name in wp ? 'REQUIRED_ATTRIBUTE_ADDED' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', `${path}/required`, `The property '${name}' is required by the reader schema at '${path || '#/'}' but optional or absent in the writer schema`);
  }
  const num = (k: string, up: boolean) => {
    if (typeof rs[k] !== 'number') return;
    const bad = typeof ws[k] !== 'number' || (up ? (rs[k] as number) < (ws[k] as number) : (rs[k] as number) > (ws[k] as number));
    if (bad) issue(ctx, `${k === 'maxProperties' ? 'MAX' : 'MIN'}_PROPERTIES_${typeof ws[k] !== 'number' ? 'ADDED' : up ? 'DECREASED' : 'INCREASED'}`, `${path}/${k}`, `${k} at '${path || '#/'}' added or tightened`);
  };
  num('maxProperties', true);
  num('minProperties', false);
  if (rs.dependencies || rs.dependentRequired || rs.dependentSchemas) {
    for (const k of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
      if (rs[k] !== undefined && JSON.stringify(rs[k]) !== JSON.stringify(ws[k])) issue(ctx, 'DEPENDENCY_ADDED', `${path}/${k}`, `${k} at '${path || '#/'}' added or changed`);
    }
  }
}

export function jsonReadable(reader: JsonSchema, writer: JsonSchema): CompatibilityIssue[] {
  const ctx: Ctx = { readerRoot: reader, writerRoot: writer, out: [], seen: new Set() };
  readable(reader.json, writer.json, '#', ctx);
  return ctx.out;
}

export const jsonSchemaFormat: SchemaFormat<JsonSchema> = {
  schemaType: 'JSON',
  parse: parseJsonSchema,
  checkReadable: jsonReadable,
};
