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
//
// Confluent's JSON Schema rules (strict policy), checked by meaning rather than by
// keyword diff: the reader (new schema for BACKWARD) must accept every document the
// writer (old schema) accepts. The writer's allOf is folded into one schema first, so
// reordered, duplicated or split allOf members compare as what they accept; content
// models decide what an added or removed property or tuple item means: open (any
// extra value allowed), closed (false) or partially open (patternProperties,
// additionalProperties, unevaluatedProperties/Items giving a schema).
// Descriptions say {reader} and {writer}; compatibility.ts turns them into "new"/"old".

type S = Record<string, unknown>;
type Node = boolean | S;

interface Ctx {
  readerRoot: JsonSchema;
  writerRoot: JsonSchema;
  out: CompatibilityIssue[];
  /** (reader node, writer node) pairs being compared: a recursive schema meeting itself again is assumed to agree. */
  active: Map<object, Set<object>>;
}

const issue = (ctx: Ctx, errorType: string, path: string, description: string) => ctx.out.push({ errorType, path: path || '#/', description });
const at = (path: string) => `'${path || '#/'}'`;
const sub = (ctx: Ctx, swap = false): Ctx => ({ readerRoot: swap ? ctx.writerRoot : ctx.readerRoot, writerRoot: swap ? ctx.readerRoot : ctx.writerRoot, out: [], active: swap ? new Map() : ctx.active });

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

/** A schema node with $ref followed; true for anything that constrains nothing. */
function resolve(node: unknown, root: JsonSchema): Node {
  const d = deref(node, root);
  if (d === false) return false;
  if (!d || typeof d !== 'object' || Array.isArray(d) || Object.keys(d).length === 0) return true;
  return d as S;
}

const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string', 'integer'];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typesOf(s: S): Set<string> | null {
  if (s.type === undefined) {
    if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType));
    if ('const' in s) return new Set([jsonType(s.const)]);
    return null; // any
  }
  return new Set(Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
}

const accepts = (types: Set<string>, t: string) => types.has(t) || (t === 'integer' && types.has('number'));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const UPPER = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains']);
const LOWER = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains']);
const SUBSCHEMA = new Set(['additionalProperties', 'unevaluatedProperties', 'additionalItems', 'unevaluatedItems', 'contains', 'propertyNames', 'not']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions']);

/** A schema accepting what both accept (for the writer's allOf and a branch with its siblings). */
function intersect(a: Node, b: Node): Node {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  const out: S = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in out)) { out[k] = v; continue; }
    const u = out[k];
    if (same(u, v)) continue;
    if (k === 'type') {
      const ta = typesOf({ type: u }) ?? new Set(ALL_TYPES);
      const tb = typesOf({ type: v }) ?? new Set(ALL_TYPES);
      let t = ALL_TYPES.filter((x) => accepts(ta, x) && accepts(tb, x));
      if (t.includes('number')) t = t.filter((x) => x !== 'integer');
      if (!t.length) return false;
      out.type = t.length === 1 ? t[0] : t;
    } else if (k === 'enum' && Array.isArray(u) && Array.isArray(v)) {
      const keep = u.filter((x) => v.some((y) => same(x, y)));
      if (!keep.length) return false;
      out.enum = keep;
    } else if (k === 'const') return false;
    else if (k === 'required' && Array.isArray(u) && Array.isArray(v)) out.required = [...new Set([...u, ...v])];
    else if (SCHEMA_MAPS.has(k) && u && v && typeof u === 'object' && typeof v === 'object') {
      const m: S = { ...(u as S) };
      for (const [name, s] of Object.entries(v as S)) m[name] = name in m && !same(m[name], s) ? { allOf: [m[name], s] } : s;
      out[k] = m;
    } else if (UPPER.has(k) && typeof u === 'number' && typeof v === 'number') out[k] = Math.min(u, v);
    else if (LOWER.has(k) && typeof u === 'number' && typeof v === 'number') out[k] = Math.max(u, v);
    else if ((SUBSCHEMA.has(k) || k === 'items') && !Array.isArray(u) && !Array.isArray(v)) out[k] = k === 'not' ? { anyOf: [u, v] } : { allOf: [u, v] };
    // anything else: the first constraint is kept; dropping the other only makes the
    // writer accept more, which can report an incompatibility, never hide one
  }
  return out;
}

/** The writer schema with its allOf folded in (recursively), so members compare as one. */
function foldAllOf(s: Node, root: JsonSchema, depth = 0): Node {
  if (typeof s === 'boolean' || !Array.isArray(s.allOf) || depth > 16) return s;
  const { allOf, ...rest } = s;
  let acc: Node = Object.keys(rest).length ? rest : true;
  for (const m of allOf as unknown[]) acc = intersect(acc, foldAllOf(resolve(m, root), root, depth + 1));
  return foldAllOf(acc, root, depth + 1);
}

function enter(ctx: Ctx, r: unknown, w: unknown): boolean {
  if (!r || !w || typeof r !== 'object' || typeof w !== 'object') return true;
  let set = ctx.active.get(r);
  if (set?.has(w)) return false;
  if (!set) ctx.active.set(r, (set = new Set()));
  set.add(w);
  return true;
}
function leave(ctx: Ctx, r: unknown, w: unknown): void {
  if (r && w && typeof r === 'object' && typeof w === 'object') ctx.active.get(r)?.delete(w);
}

/** Every document valid under `writer` must be valid under `reader`. */
function readable(readerNode: unknown, writerNode: unknown, path: string, ctx: Ctx): void {
  if (path.length > 4000 || !enter(ctx, readerNode, writerNode)) return;
  try {
    const r = resolve(readerNode, ctx.readerRoot);
    const w = foldAllOf(resolve(writerNode, ctx.writerRoot), ctx.writerRoot);
    if (w === false || r === true) return;
    if (r === false) { issue(ctx, 'TYPE_CHANGED', path, `The schema at path ${at(path)} in the {reader} schema accepts nothing (false) but the {writer} schema accepts data there`); return; }
    compareSchemas(r, w === true ? {} : w, path, ctx);
  } finally { leave(ctx, readerNode, writerNode); }
}

function compareSchemas(rs: S, ws: S, path: string, ctx: Ctx): void {
  // sum types in the writer: each alternative (with its siblings) must be readable
  for (const comb of ['oneOf', 'anyOf'] as const) {
    if (!Array.isArray(ws[comb])) continue;
    const { [comb]: branches, ...rest } = ws;
    (branches as unknown[]).forEach((b, i) => {
      const s = sub(ctx);
      readable(rs, intersect(rest, resolve(b, ctx.writerRoot)), `${path}/${comb}/${i}`, s);
      if (s.out.length) issue(ctx, 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', `${path}/${comb}/${i}`, `The ${comb} alternative ${i} at path ${at(path)} in the {writer} schema is not accepted by the {reader} schema: ${s.out.map((x) => x.description).join('; ')}`);
    });
    return;
  }
  // sum types in the reader: one alternative must accept everything the writer does
  // (a writer with several types is split by type first)
  for (const comb of ['oneOf', 'anyOf'] as const) {
    if (!Array.isArray(rs[comb])) continue;
    const { [comb]: branches, ...rest } = rs;
    const wt = typesOf(ws);
    const parts: S[] = wt && wt.size > 1 ? [...wt].map((t) => ({ ...ws, type: t })) : [ws];
    for (const part of parts) {
      const ok = (branches as unknown[]).some((b) => {
        const s = sub(ctx);
        readable(intersect(rest, resolve(b, ctx.readerRoot)), part, path, s);
        return s.out.length === 0;
      });
      if (!ok) { issue(ctx, 'COMBINED_TYPE_CHANGED', `${path}/${comb}`, `No ${comb} alternative at path ${at(path)} in the {reader} schema accepts what the {writer} schema accepts${parts.length > 1 ? ` for type ${part.type}` : ''}`); return; }
    }
    return;
  }
  // product type in the reader: every member must accept
  if (Array.isArray(rs.allOf)) (rs.allOf as unknown[]).forEach((b, i) => readable(b, ws, `${path}/allOf/${i}`, ctx));

  const rt = typesOf(rs);
  const wt = typesOf(ws) ?? new Set(ALL_TYPES);
  if (rt) {
    for (const t of wt) {
      if (accepts(rt, t)) continue;
      if (t === 'number' && rt.has('integer')) issue(ctx, 'TYPE_NARROWED', `${path}/type`, `The type at path ${at(path)} in the {reader} schema is integer, narrower than number in the {writer} schema`);
      else issue(ctx, 'TYPE_CHANGED', `${path}/type`, `A type at path ${at(path)} is different between the {reader} schema (${[...rt].join(', ')}) and the {writer} schema, which allows ${t}`);
    }
  }
  const has = (t: string) => accepts(wt, t) && (!rt || accepts(rt, t));

  // enum / const: the reader must keep every value the writer allows
  const wValues = Array.isArray(ws.enum) ? (ws.enum as unknown[]) : 'const' in ws ? [ws.const] : null;
  if (Array.isArray(rs.enum)) {
    const rv = rs.enum as unknown[];
    if (!wValues) issue(ctx, 'ENUM_ARRAY_NARROWED', `${path}/enum`, `The keyword at path ${at(`${path}/enum`)} in the {reader} schema is not present in the {writer} schema: the {reader} schema accepts only ${JSON.stringify(rv)}`);
    else {
      const missing = wValues.filter((x) => !rv.some((y) => same(x, y)));
      if (missing.length) {
        const narrowed = rv.every((y) => wValues.some((x) => same(x, y)));
        issue(ctx, narrowed ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED', `${path}/enum`, `The enum at path ${at(`${path}/enum`)} in the {reader} schema ${narrowed ? 'has fewer values than' : 'is different from'} the {writer} schema: ${JSON.stringify(missing)} missing`);
      }
    }
  }
  if ('const' in rs && !(wValues && wValues.every((x) => same(x, rs.const)))) {
    issue(ctx, 'ENUM_ARRAY_CHANGED', `${path}/const`, `The value at path ${at(`${path}/const`)} is different between the {reader} and {writer} schema`);
  }

  // bounds: the reader may relax a bound, never tighten or add one
  const bound = (k: string, upper: boolean, errAdd: string, errTight: string) => {
    if (typeof rs[k] !== 'number') return;
    if (typeof ws[k] !== 'number') issue(ctx, errAdd, `${path}/${k}`, `The keyword at path ${at(`${path}/${k}`)} in the {reader} schema is not present in the {writer} schema`);
    else if (upper ? (rs[k] as number) < (ws[k] as number) : (rs[k] as number) > (ws[k] as number)) {
      issue(ctx, errTight, `${path}/${k}`, `The value at path ${at(`${path}/${k}`)} in the {reader} schema is ${upper ? 'less' : 'more'} than its value in the {writer} schema`);
    }
  };
  if (has('string')) {
    bound('maxLength', true, 'MAX_LENGTH_ADDED', 'MAX_LENGTH_DECREASED');
    bound('minLength', false, 'MIN_LENGTH_ADDED', 'MIN_LENGTH_INCREASED');
    if (typeof rs.pattern === 'string' && rs.pattern !== ws.pattern) issue(ctx, ws.pattern === undefined ? 'PATTERN_ADDED' : 'PATTERN_CHANGED', `${path}/pattern`, `The value at path ${at(`${path}/pattern`)} is different between the {reader} and {writer} schema`);
  }
  if (has('number') || has('integer')) {
    bound('maximum', true, 'MAXIMUM_ADDED', 'MAXIMUM_DECREASED');
    bound('minimum', false, 'MINIMUM_ADDED', 'MINIMUM_INCREASED');
    bound('exclusiveMaximum', true, 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_DECREASED');
    bound('exclusiveMinimum', false, 'EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_INCREASED');
    if (typeof rs.multipleOf === 'number' && (typeof ws.multipleOf !== 'number' || !isMultiple(ws.multipleOf as number, rs.multipleOf as number))) {
      issue(ctx, ws.multipleOf === undefined ? 'MULTIPLE_OF_ADDED' : 'MULTIPLE_OF_EXPANDED', `${path}/multipleOf`, `The value at path ${at(`${path}/multipleOf`)} in the {reader} schema is not a divisor of its value in the {writer} schema`);
    }
  }
  if (has('object')) objectReadable(rs, ws, path, ctx, bound);
  if (has('array')) arrayReadable(rs, ws, path, ctx, bound);
  if (rs.not !== undefined) {
    // the reader rejects what its `not` accepts: that must be rejected by the writer too
    const s = sub(ctx, true);
    readable(ws.not ?? false, rs.not, `${path}/not`, s);
    if (s.out.length) issue(ctx, 'NOT_TYPE_EXTENDED', `${path}/not`, `The 'not' schema at path ${at(`${path}/not`)} in the {reader} schema rejects documents the {writer} schema accepts`);
  }
}

function isMultiple(a: number, b: number): boolean {
  const q = a / b;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

type Bound = (k: string, upper: boolean, errAdd: string, errTight: string) => void;

/** What a property name not listed in `properties` may hold: true (open), false (closed) or a schema. */
function extraProperty(s: S, name?: string): unknown {
  const patterns = s.patternProperties && typeof s.patternProperties === 'object' ? Object.entries(s.patternProperties as S) : [];
  if (name !== undefined) {
    const matching = patterns.filter(([p]) => { try { return new RegExp(p, 'u').test(name); } catch { return false; } }).map(([, v]) => v);
    if (matching.length) return matching.length === 1 ? matching[0] : { allOf: matching };
  }
  const ap = s.additionalProperties !== undefined ? s.additionalProperties : s.unevaluatedProperties;
  return ap === undefined ? true : ap;
}

function objectReadable(rs: S, ws: S, path: string, ctx: Ctx, bound: Bound): void {
  const rp = (rs.properties ?? {}) as S;
  const wp = (ws.properties ?? {}) as S;
  const names = new Set([...Object.keys(wp), ...Object.keys(rp)]);
  for (const name of names) {
    const ppath = `${path}/properties/${name}`;
    const inR = Object.hasOwn(rp, name);
    const inW = Object.hasOwn(wp, name);
    if (inR && inW) { readable(rp[name], wp[name], ppath, ctx); continue; }
    if (inR) {
      // a property the writer did not list: what did the writer allow under that name?
      const wExtra = resolve(extraProperty(ws, name), ctx.writerRoot);
      if (wExtra === false) continue; // closed: the writer never wrote it
      if (wExtra === true) {
        if (resolve(rp[name], ctx.readerRoot) !== true) issue(ctx, 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', ppath, `The {writer} schema has an open content model and the {reader} schema adds a property at path ${at(ppath)} that old documents may already hold with any value`);
        continue;
      }
      const s = sub(ctx);
      readable(rp[name], wExtra, ppath, s);
      if (s.out.length) {
        ctx.out.push(...s.out);
        issue(ctx, 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', ppath, `The {writer} schema has a partially open content model and the property added at path ${at(ppath)} in the {reader} schema does not accept what it allows`);
      }
      continue;
    }
    // a property the reader no longer lists
    const wSchema = resolve(wp[name], ctx.writerRoot);
    if (wSchema === false) continue; // the writer never held it
    const rExtra = resolve(extraProperty(rs, name), ctx.readerRoot);
    if (rExtra === true) continue; // open reader takes any value
    if (rExtra === false) { issue(ctx, 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', ppath, `The {reader} schema has a closed content model and is missing the property at path ${at(ppath)} that the {writer} schema has`); continue; }
    const s = sub(ctx);
    readable(rExtra, wp[name], ppath, s);
    if (s.out.length) {
      ctx.out.push(...s.out);
      issue(ctx, 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', ppath, `The {reader} schema has a partially open content model that does not accept the values of the property at path ${at(ppath)} removed from it`);
    }
  }
  // properties neither lists: the reader must take what the writer's content model allows
  const apath = `${path}/additionalProperties`;
  const wRest = resolve(extraProperty(ws), ctx.writerRoot);
  const rRest = resolve(extraProperty(rs), ctx.readerRoot);
  if (wRest !== false && rRest !== true) {
    if (rRest === false) issue(ctx, 'ADDITIONAL_PROPERTIES_REMOVED', apath, `The {reader} schema closes the content model at path ${at(path)} (additionalProperties: false) that the {writer} schema leaves open`);
    else if (wRest === true) issue(ctx, 'ADDITIONAL_PROPERTIES_NARROWED', apath, `The {reader} schema restricts additional properties at path ${at(path)} that the {writer} schema leaves open`);
    else readable(rRest, wRest, apath, ctx);
  }
  // required: only properties both list count (Confluent's rule); a property the reader
  // adds as required is judged with its content model below
  const wReq = new Set(Array.isArray(ws.required) ? (ws.required as string[]) : []);
  for (const name of Array.isArray(rs.required) ? (rs.required as string[]) : []) {
    if (wReq.has(name) || !Object.hasOwn(rp, name)) continue;
    const rsub = resolve(rp[name], ctx.readerRoot);
    if (typeof rsub === 'object' && 'default' in rsub) continue;
    const rpath = `${path}/required/${name}`;
    if (Object.hasOwn(wp, name)) issue(ctx, 'REQUIRED_ATTRIBUTE_ADDED', rpath, `The property at path ${at(`${path}/properties/${name}`)} is required in the {reader} schema but optional in the {writer} schema`);
    else if (resolve(extraProperty(ws, name), ctx.writerRoot) === true) issue(ctx, 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', rpath, `The {reader} schema adds the required property at path ${at(`${path}/properties/${name}`)}, which documents of the {writer} schema may lack`);
    else issue(ctx, 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', rpath, `The {reader} schema adds the required property at path ${at(`${path}/properties/${name}`)} without a default, which documents of the {writer} schema lack`);
  }
  bound('maxProperties', true, 'MAX_PROPERTIES_ADDED', 'MAX_PROPERTIES_DECREASED');
  bound('minProperties', false, 'MIN_PROPERTIES_ADDED', 'MIN_PROPERTIES_INCREASED');
  if (rs.propertyNames !== undefined) readable(rs.propertyNames, ws.propertyNames ?? true, `${path}/propertyNames`, ctx);
  dependenciesReadable(rs, ws, path, ctx);
}

function dependenciesOf(s: S): { arrays: Map<string, string[]>; schemas: Map<string, unknown> } {
  const arrays = new Map<string, string[]>();
  const schemas = new Map<string, unknown>();
  for (const k of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
    const d = s[k];
    if (!d || typeof d !== 'object') continue;
    for (const [name, v] of Object.entries(d as S)) {
      if (Array.isArray(v)) arrays.set(name, [...(arrays.get(name) ?? []), ...(v as string[])]);
      else schemas.set(name, v);
    }
  }
  return { arrays, schemas };
}

function dependenciesReadable(rs: S, ws: S, path: string, ctx: Ctx): void {
  const r = dependenciesOf(rs);
  if (!r.arrays.size && !r.schemas.size) return;
  const w = dependenciesOf(ws);
  for (const [name, need] of r.arrays) {
    const dpath = `${path}/dependencies/${name}`;
    const have = w.arrays.get(name);
    if (!have) issue(ctx, 'DEPENDENCY_ARRAY_ADDED', dpath, `The keyword at path ${at(dpath)} in the {reader} schema is not present in the {writer} schema`);
    else if (!need.every((x) => have.includes(x))) issue(ctx, have.every((x) => need.includes(x)) ? 'DEPENDENCY_ARRAY_EXTENDED' : 'DEPENDENCY_ARRAY_CHANGED', dpath, `The dependency array at path ${at(dpath)} in the {reader} schema requires properties the {writer} schema does not`);
  }
  for (const [name, need] of r.schemas) {
    const dpath = `${path}/dependencies/${name}`;
    if (!w.schemas.has(name)) { if (resolve(need, ctx.readerRoot) !== true) issue(ctx, 'DEPENDENCY_SCHEMA_ADDED', dpath, `The keyword at path ${at(dpath)} in the {reader} schema is not present in the {writer} schema`); continue; }
    readable(need, w.schemas.get(name), dpath, ctx);
  }
}

/** Tuple view of an array schema: per-position item schemas and the schema of the rest. */
function tupleOf(s: S): { prefix: unknown[]; rest: unknown } {
  if (Array.isArray(s.prefixItems)) return { prefix: s.prefixItems, rest: s.items !== undefined ? s.items : s.unevaluatedItems ?? true };
  if (Array.isArray(s.items)) return { prefix: s.items, rest: s.additionalItems !== undefined ? s.additionalItems : s.unevaluatedItems ?? true };
  // one schema for every item; additionalItems without a tuple is compared as Confluent does
  if (s.items !== undefined) return { prefix: [], rest: s.items };
  return { prefix: [], rest: s.additionalItems !== undefined ? s.additionalItems : s.unevaluatedItems ?? true };
}

function arrayReadable(rs: S, ws: S, path: string, ctx: Ctx, bound: Bound): void {
  bound('maxItems', true, 'MAX_ITEMS_ADDED', 'MAX_ITEMS_DECREASED');
  bound('minItems', false, 'MIN_ITEMS_ADDED', 'MIN_ITEMS_INCREASED');
  if (rs.uniqueItems === true && ws.uniqueItems !== true) issue(ctx, 'UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`, `The keyword at path ${at(`${path}/uniqueItems`)} in the {reader} schema is not present in the {writer} schema`);
  const r = tupleOf(rs);
  const w = tupleOf(ws);
  for (let i = 0; i < Math.max(r.prefix.length, w.prefix.length); i++) {
    const ipath = `${path}/items/${i}`;
    if (i < r.prefix.length && i < w.prefix.length) { readable(r.prefix[i], w.prefix[i], ipath, ctx); continue; }
    const rItem = i < r.prefix.length ? r.prefix[i] : r.rest;
    const wItem = i < w.prefix.length ? w.prefix[i] : w.rest;
    const s = sub(ctx);
    readable(rItem, wItem, ipath, s);
    if (!s.out.length) continue;
    if (i < r.prefix.length) {
      // an item the reader adds: the writer's rest (open, closed or partial) decides
      const wr = resolve(w.rest, ctx.writerRoot);
      if (wr === true) issue(ctx, 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', ipath, `The {writer} schema has an open content model and the {reader} schema adds an item at path ${at(ipath)} that old documents may already hold with any value`);
      else { ctx.out.push(...s.out); issue(ctx, 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', ipath, `The {writer} schema has a partially open content model and the item added at path ${at(ipath)} in the {reader} schema does not accept what it allows`); }
    } else {
      const rr = resolve(r.rest, ctx.readerRoot);
      if (rr === false) issue(ctx, 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', ipath, `The {reader} schema has a closed content model and is missing the item at path ${at(ipath)} that the {writer} schema has`);
      else { ctx.out.push(...s.out); issue(ctx, 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', ipath, `The {reader} schema has a partially open content model that does not accept the item at path ${at(ipath)} removed from it`); }
    }
  }
  // items past both tuples
  const rr = resolve(r.rest, ctx.readerRoot);
  const wr = resolve(w.rest, ctx.writerRoot);
  const key = Array.isArray(rs.prefixItems) ? 'items' : Array.isArray(rs.items) ? 'additionalItems' : rs.items !== undefined ? 'items' : 'additionalItems';
  if (wr !== false && rr !== true) {
    if (rr === false) issue(ctx, 'ADDITIONAL_ITEMS_REMOVED', `${path}/${key}`, `The {reader} schema closes the items at path ${at(path)} that the {writer} schema leaves open`);
    else readable(r.rest, w.rest, `${path}/${key}`, ctx);
  }
  // contains: the writer's guaranteed matching items must match the reader's contains
  if (rs.contains !== undefined) {
    const cpath = `${path}/contains`;
    if (ws.contains === undefined) { if (resolve(rs.contains, ctx.readerRoot) !== true || (typeof rs.minContains === 'number' && rs.minContains > 0)) issue(ctx, 'CONTAINS_ADDED', cpath, `The keyword at path ${at(cpath)} in the {reader} schema is not present in the {writer} schema`); }
    else readable(rs.contains, ws.contains, cpath, ctx);
  }
  const minC = (s: S) => (typeof s.minContains === 'number' ? s.minContains : s.contains !== undefined ? 1 : undefined);
  const rMin = minC(rs);
  const wMin = minC(ws);
  if (rMin !== undefined && wMin !== undefined && rMin > wMin) issue(ctx, 'MIN_CONTAINS_INCREASED', `${path}/minContains`, `The value at path ${at(`${path}/minContains`)} in the {reader} schema is more than its value in the {writer} schema`);
  if (typeof rs.maxContains === 'number') bound('maxContains', true, 'MAX_CONTAINS_ADDED', 'MAX_CONTAINS_DECREASED');
}

export function jsonReadable(reader: JsonSchema, writer: JsonSchema): CompatibilityIssue[] {
  const ctx: Ctx = { readerRoot: reader, writerRoot: writer, out: [], active: new Map() };
  readable(reader.json, writer.json, '#', ctx);
  return ctx.out;
}

export const jsonSchemaFormat: SchemaFormat<JsonSchema> = {
  schemaType: 'JSON',
  parse: parseJsonSchema,
  checkReadable: jsonReadable,
};
