// org.apache.kafka.connect.json.JsonConverter: JSON with Connect's schema envelope
// {"schema": …, "payload": …} when schemas.enable=true (the default), plain JSON otherwise.
import { ConfigDef, Validators, Logical, type ByteWriter, type Converter, type ConverterResult, type Props, type Schema, type Field } from '../../../plugins/sdk/index.ts';
import { DataException, bigintToBytes, bytesToBigint, decimalToUnscaled, unscaledToDecimal, scaleOf, toMillis } from './logical.ts';

/** Connect schema → the envelope's "schema" JSON. */
export function schemaToJson(s: Schema): Record<string, unknown> {
  const o: Record<string, unknown> = { type: s.type };
  if (s.type === 'struct') o.fields = (s.fields ?? []).map((f) => ({ ...schemaToJson(f.schema), field: f.name }));
  if (s.type === 'array') o.items = schemaToJson(s.items!);
  if (s.type === 'map') { o.keys = schemaToJson(s.keys!); o.values = schemaToJson(s.values!); }
  o.optional = !!s.optional;
  if (s.name !== undefined) o.name = s.name;
  if (s.version !== undefined) o.version = s.version;
  if (s.doc !== undefined) o.doc = s.doc;
  if (s.parameters !== undefined) o.parameters = s.parameters;
  if (s.default !== undefined) o.default = valueToJson(s, s.default);
  return o;
}

export function schemaFromJson(j: any): Schema {
  if (!j || typeof j !== 'object' || typeof j.type !== 'string') throw new DataException(`Schema must contain 'type' field`);
  const s: Schema = { type: j.type, optional: !!j.optional };
  if (j.name !== undefined) s.name = j.name;
  if (j.version !== undefined) s.version = j.version;
  if (j.doc !== undefined) s.doc = j.doc;
  if (j.parameters !== undefined) s.parameters = j.parameters;
  switch (j.type) {
    case 'struct': s.fields = (j.fields ?? []).map((f: any): Field => ({ name: f.field, schema: schemaFromJson(f) })); break;
    case 'array': s.items = schemaFromJson(j.items); break;
    case 'map': s.keys = schemaFromJson(j.keys); s.values = schemaFromJson(j.values); break;
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64': case 'boolean': case 'string': case 'bytes': break;
    default: throw new DataException(`Unknown schema type: ${j.type}`);
  }
  if (j.default !== undefined) s.default = valueFromJson(s, j.default);
  return s;
}

/** Connect value → JSON value, following the schema (bytes as base64, logical types as Kafka writes them). */
export function valueToJson(s: Schema | null, v: unknown, numeric = false): unknown {
  if (v === null || v === undefined) {
    if (s && !s.optional && s.default === undefined) throw new DataException(`Conversion error: null value for field that is required and has no default value`);
    return s?.default !== undefined && v === undefined ? valueToJson(s, s.default, numeric) : null;
  }
  if (!s) return schemalessToJson(v);
  if (s.name === Logical.Decimal) return numeric ? Number(v) : bigintToBytes(decimalToUnscaled(v, scaleOf(s))).toString('base64');
  if (s.name === Logical.Timestamp) return toMillis(v);
  if (s.name === Logical.Date) return v instanceof Date ? Math.floor(v.getTime() / 86400000) : Number(v);
  if (s.name === Logical.Time) return v instanceof Date ? v.getTime() % 86400000 : Number(v);
  switch (s.type) {
    case 'int8': case 'int16': case 'int32': case 'float32': case 'float64':
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new DataException(`Invalid Java object for schema type ${s.type.toUpperCase()}: ${typeof v}`);
      return Number(v);
    case 'int64':
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      if (typeof v !== 'number') throw new DataException(`Invalid Java object for schema type INT64: ${typeof v}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new DataException(`Invalid Java object for schema type BOOLEAN: ${typeof v}`);
      return v;
    case 'string':
      if (typeof v !== 'string') throw new DataException(`Invalid Java object for schema type STRING: ${typeof v}`);
      return v;
    case 'bytes':
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      throw new DataException(`Invalid Java object for schema type BYTES: ${typeof v}`);
    case 'array':
      if (!Array.isArray(v)) throw new DataException('Invalid Java object for schema type ARRAY');
      return v.map((x) => valueToJson(s.items!, x, numeric));
    case 'map': {
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
      if (s.keys!.type === 'string') return Object.fromEntries(entries.map(([k, x]) => [k, valueToJson(s.values!, x, numeric)]));
      return entries.map(([k, x]) => [valueToJson(s.keys!, k, numeric), valueToJson(s.values!, x, numeric)]);
    }
    case 'struct': {
      if (typeof v !== 'object') throw new DataException('Invalid Java object for schema type STRUCT');
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) {
        try { o[f.name] = valueToJson(f.schema, (v as Record<string, unknown>)[f.name], numeric); } catch (e) {
          throw new DataException(`${(e as Error).message} (field ${f.name})`);
        }
      }
      return o;
    }
  }
}

const LOGICAL_NAMES = new Set<string>(Object.values(Logical));

type ToText = (v: unknown) => string | undefined;
const compiledText = [new WeakMap<Schema, ToText>(), new WeakMap<Schema, ToText>()];

/**
 * stringify(valueToJson(s, v, numeric)) written straight to text, without the copy of
 * the value that JSON.stringify then walks: one function per schema object, the field
 * names' JSON (`"name":`) made when it is built. Same text and errors: anything not a
 * plain value of a primitive or struct type is converted by valueToJson and stringified.
 * undefined means "no JSON value" (a struct field whose conversion gave undefined is left
 * out, as JSON.stringify leaves out undefined properties).
 */
export function compiledToText(s: Schema, numeric = false): ToText {
  const cache = compiledText[numeric ? 1 : 0];
  let f = cache.get(s);
  if (!f) cache.set(s, (f = compileText(s, numeric)));
  return f;
}

function compileText(s: Schema, numeric: boolean): ToText {
  const slow: ToText = (v) => {
    const j = valueToJson(s, v, numeric);
    return j === undefined ? undefined : stringify(j);
  };
  if (s.name !== undefined && LOGICAL_NAMES.has(s.name)) return slow;
  switch (s.type) {
    case 'string': {
      // the last string and its JSON: a source repeats many (database, table, op, version) record after record
      let last = '';
      let lastText = '""';
      return (v) => {
        if (typeof v !== 'string') return slow(v);
        if (v !== last) { last = v; lastText = JSON.stringify(v); }
        return lastText;
      };
    }
    case 'boolean': return (v) => (v === true ? 'true' : v === false ? 'false' : slow(v));
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64':
      // JSON.stringify writes a non-finite number as null
      return (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : slow(v));
    case 'struct': {
      const fields = s.fields ?? [];
      const names = fields.map((f) => f.name);
      const keys = fields.map((f) => JSON.stringify(f.name) + ':');
      const nextKeys = keys.map((k) => ',' + k);
      const fns = fields.map((f) => compiledToText(f.schema, numeric));
      // One function per struct schema, generated with each field read by its own name: the
      // loop over the names made every field read a megamorphic keyed load (the field names
      // are the only text put into the code, as JSON string literals).
      let head = '';
      let body = "let out = '{', first = true, t;\n";
      fields.forEach((f, i) => {
        head += `const f${i} = fns[${i}], k${i} = keys[${i}], n${i} = nextKeys[${i}];\n`;
        body += `try { t = f${i}(v[${JSON.stringify(f.name)}]); } catch (e) { throw fieldError(e, names[${i}]); }\n`;
        body += `if (t !== undefined) { out += (first ? k${i} : n${i}) + t; first = false; }\n`;
      });
      body += "return out + '}';";
      const write = new Function('fns', 'keys', 'nextKeys', 'names', 'fieldError', `${head}return function writeStruct(v) {\n${body}\n};`)(fns, keys, nextKeys, names, fieldError) as (v: unknown) => string;
      return (v) => (v === null || v === undefined || typeof v !== 'object' ? slow(v) : write(v));
    }
    default: return slow;
  }
}

type ToBytes = (v: unknown, out: ByteWriter) => boolean;
const compiledBytes = [new WeakMap<Schema, ToBytes>(), new WeakMap<Schema, ToBytes>()];

/**
 * compiledToText's text as UTF-8 bytes appended to `out`, without the text: false where the
 * text is undefined (nothing appended). Field names and remembered values are copied as bytes
 * made once (TypedArray#set, no native call); numbers and short ASCII strings are written byte by
 * byte; a string with anything JSON escapes, or non-ASCII, is written as the UTF-8 of its JSON.stringify.
 * A throw may leave partial bytes: the caller drops what was appended.
 */
export function compiledToBytes(s: Schema, numeric = false): ToBytes {
  const cache = compiledBytes[numeric ? 1 : 0];
  let f = cache.get(s);
  if (!f) cache.set(s, (f = compileBytes(s, numeric)));
  return f;
}

const NULL_BYTES = Buffer.from('null');
const NO_BYTES = Buffer.alloc(0);
/** what a struct writer's field holds when it keeps no value: equal to none */
const NONE = Symbol('none');
const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');

/** A string known to be ASCII (a number's text) one char at a time. */
function writeAsciiText(out: ByteWriter, t: string): void {
  const n = t.length;
  out.ensure(n);
  const buf = out.buf;
  let pos = out.pos;
  for (let i = 0; i < n; i++) buf[pos++] = t.charCodeAt(i);
  out.pos = pos;
}

/** JSON's escape of each ASCII char that has one (JSON.stringify's: \" \\ \b \f \n \r \t, other controls \u00XX); null for the others */
const ESCAPES: (Uint8Array | null)[] = Array.from({ length: 128 }, (_, c) => {
  const j = JSON.stringify(String.fromCharCode(c));
  return j.length === 3 ? null : Buffer.from(j.slice(1, -1));
});

/** what JSON.stringify escapes (controls, quote, backslash, lone surrogates: all surrogates are checked here) */
const NEEDS_JSON_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * JSON.stringify(v) of a string, as UTF-8: ASCII byte by byte (escapes as JSON.stringify
 * writes them); from the first non-ASCII char on, the UTF-8 of JSON.stringify of the rest
 * (it keeps valid surrogate pairs and U+2028/2029 as they are, escapes lone surrogates).
 */
function writeJsonString(out: ByteWriter, v: string): void {
  const n = v.length;
  if (n > 40 && !NEEDS_JSON_ESCAPE.test(v)) {
    // longer text with nothing to escape: one native UTF-8 write
    out.byte(0x22);
    out.utf8(v);
    out.byte(0x22);
    return;
  }
  out.ensure(n + 2);
  let buf = out.buf;
  let pos = out.pos;
  buf[pos++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x80) { buf[pos++] = c; continue; }
    if (c >= 0x80) {
      // the rest: its JSON text without the opening quote (the closing one is written with it)
      out.pos = pos;
      out.utf8(JSON.stringify(v.slice(i)).slice(1));
      return;
    }
    const e = ESCAPES[c]!;
    out.pos = pos;
    out.ensure(e.length + (n - i) + 1);
    buf = out.buf;
    for (let j = 0; j < e.length; j++) buf[pos++] = e[j];
  }
  buf[pos++] = 0x22;
  out.pos = pos;
}

/** 10^i for i = 0..16 */
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);

/**
 * A safe integer's decimal digits as String(v) writes them, without a string: its length found
 * first, then the digits from the last back, in int32 arithmetic (above 2^31 the 8 low digits
 * apart: 2^53 / 10^8 < 2^31). Twice as fast as counting the digits by division then writing them.
 */
function writeInteger(out: ByteWriter, v: number): void {
  out.ensure(17);
  const buf = out.buf;
  let pos = out.pos;
  if (v < 0) { buf[pos++] = 0x2d; v = -v; }
  let n = 1;
  while (n < 16 && v >= POW10[n]) n++;
  let end = pos + n;
  out.pos = end;
  let x = v;
  if (v > 0x7fffffff) {
    x = Math.floor(v / 1e8);
    let lo = v - x * 1e8;
    for (let j = 0; j < 8; j++) { const q = (lo / 10) | 0; buf[--end] = 0x30 + lo - q * 10; lo = q; }
  }
  while (x >= 10) { const q = (x / 10) | 0; buf[--end] = 0x30 + x - q * 10; x = q; }
  buf[--end] = 0x30 + x;
}

/** A number as JSON.stringify writes it (non-finite: null). */
function writeNumber(out: ByteWriter, v: number): void {
  // -0 is a safe integer, written as 0 (as JSON writes it)
  if (Number.isSafeInteger(v)) writeInteger(out, v);
  else if (Number.isFinite(v)) writeAsciiText(out, String(v));
  else out.bytes(NULL_BYTES);
}

const NUMBER_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64']);

/** How a null (or missing) value of this schema is written when it is plainly JSON null: the code of the test, or null when valueToJson must see it. */
function nullTest(s: Schema, x: string): string | null {
  // valueToJson: null of a required schema without default throws; undefined takes the default
  if (s.default === undefined) return s.optional ? `${x} === null || ${x} === undefined` : null;
  return `${x} === null`;
}

function compileBytes(s: Schema, numeric: boolean): ToBytes {
  const slow: ToBytes = (v, out) => {
    const j = valueToJson(s, v, numeric);
    const t = j === undefined ? undefined : stringify(j);
    if (t === undefined) return false;
    out.utf8(t);
    return true;
  };
  const logical = s.name !== undefined && LOGICAL_NAMES.has(s.name);
  if (logical) return slow;
  switch (s.type) {
    case 'string':
      return (v, out) => {
        if (typeof v !== 'string') return slow(v, out);
        writeJsonString(out, v);
        return true;
      };
    case 'boolean': return (v, out) => (v === true ? (out.bytes(TRUE_BYTES), true) : v === false ? (out.bytes(FALSE_BYTES), true) : slow(v, out));
    case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64':
      return (v, out) => {
        if (typeof v !== 'number') return slow(v, out);
        writeNumber(out, v);
        return true;
      };
    case 'struct': {
      const fields = s.fields ?? [];
      const names = fields.map((f) => f.name);
      // each field's name as written first (`"name":`) and after another field (`,"name":`), and with the
      // constant values a field may have (null, true, false) appended: one copy each
      const named = (suffix: string) => fields.map((f) => [Buffer.from(JSON.stringify(f.name) + ':' + suffix), Buffer.from(',' + JSON.stringify(f.name) + ':' + suffix)]);
      const keys = named(''), nulls = named('null'), trues = named('true'), falses = named('false');
      const fns = fields.map((f) => compiledToBytes(f.schema, numeric));
      // As compileText: one function per struct schema, each field read by its own name. A
      // string, number or boolean of a plain (not logical) type, and a plain null, are written
      // right here; anything else by the field's own function, whose errors name the field.
      // A field without a JSON value has its name taken back (pos rewound). Bytes are copied with
      // out.bytes (TypedArray#set: as cheap for 8 bytes as a byte loop, and ~10× cheaper for 100).
      //
      // Values repeat record after record (a source's names, a transaction's commit time, nulls): the
      // writer keeps the bytes of the struct as it last wrote it in full (P; field i at S[i]..E[i], its
      // value L, `first` before and after it W and A), and a field whose value is the same primitive,
      // written in the same position, is copied from there; consecutive such fields are one copy
      // (a view of P per run, kept while the runs repeat). A field whose value changed while it mostly
      // repeats (at first, or while its hits outnumber its misses) has the next record written in full
      // and kept; after a throw part way the next record is written in full too (valid or dirty unchanged).
      const n = fields.length;
      let head = 'let P = NO_BYTES, valid = false, dirty = false;\nconst S = new Int32Array(N), E = new Int32Array(N), V = new Array(N).fill(NO_BYTES), VJ = new Int32Array(N).fill(-1);\n';
      let body = 'out.byte(0x7b);\nconst base = out.pos, rec = !valid || dirty;\nlet first = true, at, x, was, run = -1;\n';
      // a run of copied fields (run..j) written as one copy
      const flush = (j: number) => `if (run >= 0) { if (VJ[run] !== ${j}) { V[run] = P.subarray(S[run], E[${j}]); VJ[run] = ${j}; } out.bytes(V[run]); run = -1; } `;
      fields.forEach((f, i) => {
        const fs = f.schema;
        const plain = !(fs.name !== undefined && LOGICAL_NAMES.has(fs.name));
        const name = (b: string) => `out.bytes(first ? ${b}${i}[0] : ${b}${i}[1]); first = false; `;
        head += `const f${i} = fns[${i}], K${i} = keys[${i}], N${i} = nulls[${i}], T${i} = trues[${i}], F${i} = falses[${i}];\nlet L${i} = NONE, W${i} = false, A${i} = false, h${i} = 0, m${i} = 0;\n`;
        body += `x = v[${JSON.stringify(f.name)}];\n`;
        body += `if (x === L${i} && first === W${i} && !rec) { if (run < 0) run = ${i}; first = A${i}; h${i}++; } else {\n${i > 0 ? flush(i - 1) : ''}at = out.pos; was = first;\n`;
        if (plain && fs.type === 'string') body += `if (typeof x === 'string') { ${name('K')}str(out, x); } else `;
        else if (plain && NUMBER_TYPES.has(fs.type)) body += `if (typeof x === 'number') { ${name('K')}num(out, x); } else `;
        else if (plain && fs.type === 'boolean') body += `if (x === true) { ${name('T')}} else if (x === false) { ${name('F')}} else `;
        const nt = nullTest(fs, 'x');
        if (nt) body += `if (${nt}) { ${name('N')}} else `;
        body += `{ out.bytes(first ? K${i}[0] : K${i}[1]); try { if (f${i}(x, out)) first = false; else out.pos = at; } catch (e) { throw fieldError(e, names[${i}]); } }\n`;
        // kept: a primitive's bytes follow from it and `first` alone (an object's may change while it stays the same object)
        body += `if (rec) { S[${i}] = at - base; E[${i}] = out.pos - base; W${i} = was; A${i} = first; L${i} = x === null || (typeof x !== 'object' && typeof x !== 'function') ? x : NONE; }\n`;
        body += `else if (L${i} !== NONE && (++m${i} < 8 || h${i} > m${i})) dirty = true;\n}\n`;
      });
      if (n > 0) body += flush(n - 1) + '\n';
      // (a struct of more than 64 KiB is not kept: its copy would cost about what writing it does, and stay in memory)
      body += 'if (rec) {\nconst len = out.pos - base;\nvalid = len <= 65536;\nif (valid) {\nif (P.length < len) P = Buffer.allocUnsafe(Math.max(64, 2 * len));\nout.buf.copy(P, 0, base, out.pos);\nVJ.fill(-1);\n}\ndirty = false;\n}\n';
      body += 'out.byte(0x7d);\nreturn true;';
      const write = new Function('fns', 'keys', 'nulls', 'trues', 'falses', 'names', 'fieldError', 'str', 'num', 'N', 'NONE', 'NO_BYTES', `${head}return function writeStructBytes(v, out) {\n${body}\n};`)(fns, keys, nulls, trues, falses, names, fieldError, writeJsonString, writeNumber, n, NONE, NO_BYTES) as ToBytes;
      return (v, out) => (v === null || v === undefined || typeof v !== 'object' ? slow(v, out) : write(v, out));
    }
    default: return slow;
  }
}

function fieldError(e: unknown, name: string): DataException {
  return new DataException(`${(e as Error).message} (field ${name})`);
}

function schemalessToJson(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Date) return v.getTime();
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), schemalessToJson(x)]));
  if (Array.isArray(v)) return v.map(schemalessToJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, schemalessToJson(x)]));
  return v;
}

/** A module function, not a closure per value: valueFromJson runs for every field of every record. */
function need(ok: boolean, s: Schema, j: unknown): void {
  if (!ok) throw new DataException(`Invalid JSON for ${s.type.toUpperCase()} field: ${JSON.stringify(j)}`);
}

/** JSON value → Connect value for a schema. */
export function valueFromJson(s: Schema | null, j: unknown): unknown {
  if (j === null || j === undefined) {
    if (s && s.default !== undefined) return s.default;
    if (s && !s.optional) throw new DataException(`Invalid null value for required ${s.type.toUpperCase()} field`);
    return null;
  }
  if (!s) return j;
  if (s.name === Logical.Decimal) {
    if (typeof j === 'number') return j.toFixed(scaleOf(s));
    return unscaledToDecimal(bytesToBigint(Buffer.from(String(j), 'base64')), scaleOf(s));
  }
  if (s.name === Logical.Timestamp) return new Date(Number(j));
  if (s.name === Logical.Date) return new Date(Number(j) * 86400000);
  if (s.name === Logical.Time) return new Date(Number(j));
  switch (s.type) {
    case 'int8': case 'int16': case 'int32': case 'int64': need(typeof j === 'number' && Number.isInteger(j), s, j); return j;
    case 'float32': case 'float64': need(typeof j === 'number', s, j); return j;
    case 'boolean': need(typeof j === 'boolean', s, j); return j;
    case 'string': need(typeof j === 'string', s, j); return j;
    case 'bytes': need(typeof j === 'string', s, j); return Buffer.from(j as string, 'base64');
    case 'array': need(Array.isArray(j), s, j); return (j as unknown[]).map((x) => valueFromJson(s.items!, x));
    case 'map':
      if (Array.isArray(j)) return new Map((j as [unknown, unknown][]).map(([k, x]) => [valueFromJson(s.keys!, k), valueFromJson(s.values!, x)]));
      need(typeof j === 'object', s, j);
      return Object.fromEntries(Object.entries(j as object).map(([k, x]) => [k, valueFromJson(s.values!, x)]));
    case 'struct': {
      need(typeof j === 'object' && !Array.isArray(j), s, j);
      const o: Record<string, unknown> = {};
      for (const f of s.fields ?? []) o[f.name] = valueFromJson(f.schema, (j as Record<string, unknown>)[f.name]);
      return o;
    }
  }
}

const bigintAsNumber = (_k: string, x: unknown) => (typeof x === 'bigint' ? Number(x) : x);

/** JSON text; the bigint replacer (slow: a call per value) only when a bigint is there. */
function stringify(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (e instanceof TypeError) return JSON.stringify(v, bigintAsNumber);
    throw e;
  }
}

/**
 * The envelope's "schema" text per schema object: a source hands the same schema object
 * with every record of a table, and building and encoding it per record was most of
 * this converter's cost. Schemas are not changed once records carry them.
 */
const schemaTexts = new WeakMap<Schema, string>();
function schemaText(s: Schema): string {
  let t = schemaTexts.get(s);
  if (t === undefined) schemaTexts.set(s, (t = stringify(schemaToJson(s))));
  return t;
}

/** `{"schema":…,"payload":` of the envelope, per schema object (null: no schema) */
const envelopeHeads = new WeakMap<Schema, Buffer>();
const NULL_SCHEMA_HEAD = Buffer.from('{"schema":null,"payload":');
function envelopeHead(s: Schema | null): Buffer {
  if (!s) return NULL_SCHEMA_HEAD;
  let b = envelopeHeads.get(s);
  if (b === undefined) envelopeHeads.set(s, (b = Buffer.from(`{"schema":${schemaText(s)},"payload":`)));
  return b;
}

export class JsonConverter implements Converter {
  private schemasEnable = true;

  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'schemas.enable', type: 'BOOLEAN', default: true, documentation: 'Include schemas within each of the serialized values and keys.', group: 'Schemas', displayName: 'Enable Schemas' })
      .define({ name: 'schemas.cache.size', type: 'INT', default: 1000, validator: Validators.range(0, null), documentation: 'Maximum number of schemas cached in this converter.' })
      .define({ name: 'decimal.format', type: 'STRING', default: 'BASE64', validator: Validators.oneOf('BASE64', 'NUMERIC'), documentation: 'How Decimal values are serialized (BASE64 bytes or NUMERIC).' })
      .define({ name: 'converter.type', type: 'STRING', default: null, documentation: 'key, value or header (set by the runtime).' });
  }

  private numericDecimals = false;

  configure(props: Props, _isKey: boolean): void {
    const c = this.config().parse(props);
    this.schemasEnable = c['schemas.enable'] as boolean;
    this.numericDecimals = c['decimal.format'] === 'NUMERIC';
  }

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    const text = this.fromConnectDataText(topic, schema, value);
    return text === null ? null : Buffer.from(text);
  }

  /** The JSON text itself: a source's runtime writes it into the record batch without a Buffer per record. */
  fromConnectDataText(_topic: string, schema: Schema | null, value: unknown): string | null {
    if (schema === null && (value === null || value === undefined)) return null;
    // JSON.stringify(undefined) is undefined too; the template below then writes "undefined" as before
    const payload = schema ? (compiledToText(schema, this.numericDecimals)(value) as string) : stringify(schemalessToJson(value));
    if (!this.schemasEnable) {
      // (Buffer.from(undefined) threw here before there was a text path)
      if (payload === undefined) throw new DataException(`JsonConverter: the value has no JSON form under its schema (${schema?.type})`);
      return payload;
    }
    // the envelope written as text: the schema's JSON is built once per schema object
    return `{"schema":${schema ? schemaText(schema) : 'null'},"payload":${payload}}`;
  }

  /** fromConnectDataText's text as UTF-8 bytes appended to `out` (false: null), without the text. */
  fromConnectDataInto(_topic: string, schema: Schema | null, value: unknown, out: ByteWriter): boolean {
    if (schema === null && (value === null || value === undefined)) return false;
    if (!this.schemasEnable) {
      if (schema) {
        if (!compiledToBytes(schema, this.numericDecimals)(value, out)) throw new DataException(`JsonConverter: the value has no JSON form under its schema (${schema.type})`);
      } else {
        const t = stringify(schemalessToJson(value));
        if (t === undefined) throw new DataException(`JsonConverter: the value has no JSON form under its schema (undefined)`);
        out.utf8(t);
      }
      return true;
    }
    out.bytes(envelopeHead(schema));
    // the text path's template writes a payload without JSON form as "undefined"
    if (schema) { if (!compiledToBytes(schema, this.numericDecimals)(value, out)) out.utf8('undefined'); } else { const t = stringify(schemalessToJson(value)); out.utf8(t === undefined ? 'undefined' : t); }
    out.byte(0x7d);
    return true;
  }

  toConnectData(_topic: string, value: Buffer | null): ConverterResult {
    if (value === null || value.length === 0) return { schema: null, value: null };
    let j: any;
    try { j = JSON.parse(value.toString('utf8')); } catch (e) {
      throw new DataException(`Converting byte[] to Kafka Connect data failed due to serialization error: ${(e as Error).message}`, { cause: e });
    }
    if (!this.schemasEnable) return { schema: null, value: j };
    if (!j || typeof j !== 'object' || Array.isArray(j) || !('schema' in j) || !('payload' in j) || Object.keys(j).length !== 2) {
      throw new DataException('JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.');
    }
    if (j.schema === null) return { schema: null, value: j.payload };
    const schema = schemaFromJson(j.schema);
    return { schema, value: valueFromJson(schema, j.payload) };
  }
}
