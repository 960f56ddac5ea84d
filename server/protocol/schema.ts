// Declarative Kafka message schemas, in the shape of Kafka's own
// clients/src/main/resources/common/message/*.json, and a compiler that turns a
// declaration into a synchronous encoder/decoder for one version.
import { Reader, Writer, ProtocolError } from './buffers.ts';

export interface FieldDecl {
  /** camelCase of Kafka's field name */
  name: string;
  /** int8 int16 uint16 int32 int64 float64 bool string bytes records uuid, `[]T` for arrays, or a struct name with `fields` */
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: unknown;
  fields?: readonly FieldDecl[];
}

export interface MessageDecl {
  fields: readonly FieldDecl[];
}

export interface ApiDecl {
  key: number;
  name: string;
  /** lowest and highest version we accept */
  minVersion: number;
  maxVersion: number;
  /** first flexible version (compact types, tagged fields); Infinity if none */
  flexibleFrom: number;
  request: readonly FieldDecl[];
  response: readonly FieldDecl[];
}

// ---- TypeScript types derived from a declaration ----
// `RequestOf<typeof Produce>` is what the decoder gives a handler (every field present,
// defaults for fields outside the version); `ResponseOf<typeof Produce>` is what a
// handler may return (any field may be left out: the encoder writes its default).

interface PrimIn { int8: number; int16: number; uint16: number; int32: number; int64: bigint; float64: number; bool: boolean; string: string; bytes: Buffer; records: Buffer; uuid: string }
/** Record sets may be answered as a list of stored batches, written back to back. */
interface PrimOut extends Omit<PrimIn, 'records'> { records: Buffer | Buffer[] }

type ValueOf<F, P> =
  F extends { fields: readonly (infer S)[] } ? (F extends { type: `[]${string}` } ? MessageOf<S, P>[] : MessageOf<S, P>)
  : F extends { type: `[]${infer E}` } ? (E extends keyof P ? P[E][] : unknown)
  : F extends { type: infer T } ? (T extends keyof P ? P[T] : unknown)
  : unknown;
type NullOf<F> = F extends { nullableVersions: string } ? null : never;
type MessageOf<F, P> = { [K in F as K extends { name: infer N extends string } ? N : never]: ValueOf<K, P> | NullOf<K> };
type Loose<T> = T extends Buffer | bigint | number | string | boolean | null ? T
  : T extends readonly (infer E)[] ? Loose<E>[]
  : T extends object ? { [K in keyof T]?: Loose<T[K]> } : T;

export type RequestOf<D extends ApiDecl> = MessageOf<D['request'][number], PrimIn>;
export type ResponseOf<D extends ApiDecl> = Loose<MessageOf<D['response'][number], PrimOut>>;

export class VersionRange {
  constructor(readonly min: number, readonly max: number) {}
  static parse(s: string | undefined): VersionRange {
    if (!s || s === 'none') return new VersionRange(1, 0);
    if (s.endsWith('+')) return new VersionRange(Number(s.slice(0, -1)), Infinity);
    const [a, b] = s.split('-');
    return new VersionRange(Number(a), b === undefined ? Number(a) : Number(b));
  }
  has(v: number): boolean { return v >= this.min && v <= this.max; }
}

type Enc = (w: Writer, value: any) => void;
type Dec = (r: Reader) => any;

interface Compiled { encode: Enc; decode: Dec }

const PRIMS = new Set(['int8', 'int16', 'uint16', 'int32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

function defaultFor(f: FieldDecl, nullable: boolean): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith('[]')) return nullable ? null : [];
  switch (f.type) {
    case 'int8': case 'int16': case 'uint16': case 'int32': case 'float64': return 0;
    case 'int64': return 0n;
    case 'bool': return false;
    case 'string': return nullable ? null : '';
    case 'bytes': case 'records': return nullable ? null : Buffer.alloc(0);
    case 'uuid': return '00000000000000000000000000000000';
    default: return undefined; // struct: encoded from its own fields' defaults
  }
}

function primCodec(type: string, nullable: boolean, flexible: boolean): Compiled {
  switch (type) {
    case 'int8': return { encode: (w, v) => w.int8(v ?? 0), decode: (r) => r.int8() };
    case 'int16': return { encode: (w, v) => w.int16(v ?? 0), decode: (r) => r.int16() };
    case 'uint16': return { encode: (w, v) => w.uint16(v ?? 0), decode: (r) => r.uint16() };
    case 'int32': return { encode: (w, v) => w.int32(v ?? 0), decode: (r) => r.int32() };
    case 'int64': return { encode: (w, v) => w.int64(v ?? 0n), decode: (r) => r.int64() };
    case 'float64': return { encode: (w, v) => w.float64(v ?? 0), decode: (r) => r.float64() };
    case 'bool': return { encode: (w, v) => w.bool(!!v), decode: (r) => r.bool() };
    case 'uuid': return { encode: (w, v) => w.uuid(v ?? ''), decode: (r) => r.uuid() };
    case 'string':
      if (flexible) return nullable
        ? { encode: (w, v) => w.compactNullableString(v), decode: (r) => r.compactNullableString() }
        : { encode: (w, v) => w.compactString(v ?? ''), decode: (r) => r.compactString() };
      return nullable
        ? { encode: (w, v) => w.nullableString(v), decode: (r) => r.nullableString() }
        : { encode: (w, v) => w.string(v ?? ''), decode: (r) => r.string() };
    case 'bytes':
      if (flexible) return nullable
        ? { encode: (w, v) => w.compactNullableBytes(v), decode: (r) => r.compactNullableBytes() }
        : { encode: (w, v) => w.compactBytes(v ?? Buffer.alloc(0)), decode: (r) => r.compactBytes() };
      return nullable
        ? { encode: (w, v) => w.nullableBytes(v), decode: (r) => r.nullableBytes() }
        : { encode: (w, v) => w.bytes(v ?? Buffer.alloc(0)), decode: (r) => r.bytes() };
    case 'records':
      // Record sets may be a list of stored batches: written back to back, never copied.
      return {
        encode: (w, v) => {
          if (v == null) { if (flexible) w.uvarint(0); else w.int32(-1); return; }
          const parts: Buffer[] = Array.isArray(v) ? v : [v];
          let n = 0; for (const p of parts) n += p.length;
          if (flexible) w.uvarint(n + 1); else w.int32(n);
          for (const p of parts) w.raw(p);
        },
        decode: (r) => flexible ? r.compactNullableBytes() : r.nullableBytes(),
      };
  }
  throw new Error(`unknown primitive ${type}`);
}

function arrayOf(inner: Compiled, nullable: boolean, flexible: boolean): Compiled {
  return {
    encode: (w, v: any[] | null | undefined) => {
      if (v == null) {
        if (!nullable && v === null) throw new ProtocolError('null in non-nullable array');
        if (v === null) { if (flexible) w.uvarint(0); else w.int32(-1); return; }
        v = [];
      }
      if (flexible) w.uvarint(v.length + 1); else w.int32(v.length);
      for (let i = 0; i < v.length; i++) inner.encode(w, v[i]);
    },
    decode: (r) => {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) { if (nullable) return null; throw new ProtocolError('null in non-nullable array'); }
      if (n > r.remaining()) throw new ProtocolError(`array length ${n} exceeds frame`);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = inner.decode(r);
      return out;
    },
  };
}

function compileField(f: FieldDecl, version: number, flexible: boolean): Compiled {
  const nullable = VersionRange.parse(f.nullableVersions).has(version);
  // A declaration with `fields` is a struct whatever its type string says (so an
  // array of structs named e.g. `records` is not mistaken for a primitive); a type
  // that is neither a primitive nor a struct is a typo and must not encode as nothing.
  if (f.type.startsWith('[]')) {
    const elem = f.type.slice(2);
    let inner: Compiled;
    if (f.fields) inner = compileStruct(f.fields, version, flexible);
    else if (PRIMS.has(elem)) inner = primCodec(elem, false, flexible);
    else throw new Error(`field ${f.name}: unknown element type ${elem} and no fields`);
    return arrayOf(inner, nullable, flexible);
  }
  if (f.fields) return compileStruct(f.fields, version, flexible);
  if (PRIMS.has(f.type)) return primCodec(f.type, nullable, flexible);
  throw new Error(`field ${f.name}: unknown type ${f.type} and no fields`);
}

function isDefault(v: unknown, d: unknown): boolean {
  if (v === undefined || v === d) return true;
  if (Array.isArray(v) && Array.isArray(d)) return v.length === 0 && d.length === 0;
  if (Buffer.isBuffer(v) && Buffer.isBuffer(d)) return v.equals(d);
  return false;
}

export function compileStruct(fields: readonly FieldDecl[], version: number, flexible: boolean): Compiled {
  const plain: { name: string; c: Compiled; def: unknown }[] = [];
  const tagged: { name: string; tag: number; c: Compiled; def: unknown }[] = [];
  const defaults: { name: string; def: unknown }[] = [];
  for (const f of fields) {
    if (!VersionRange.parse(f.versions).has(version)) {
      const def = defaultFor(f, VersionRange.parse(f.nullableVersions).has(version));
      defaults.push({ name: f.name, def });
      continue;
    }
    const nullable = VersionRange.parse(f.nullableVersions).has(version);
    const def = defaultFor(f, nullable);
    if (flexible && f.taggedVersions && VersionRange.parse(f.taggedVersions).has(version)) {
      tagged.push({ name: f.name, tag: f.tag!, c: compileField(f, version, flexible), def });
    } else {
      plain.push({ name: f.name, c: compileField(f, version, flexible), def });
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return {
    encode: (w, obj) => {
      obj = obj ?? {};
      for (let i = 0; i < plain.length; i++) {
        const p = plain[i];
        const v = obj[p.name];
        p.c.encode(w, v === undefined ? p.def : v);
      }
      if (flexible) {
        const present = tagged.filter((t) => !isDefault(obj[t.name], t.def));
        w.uvarint(present.length);
        for (const t of present) {
          const tw = new Writer(64);
          t.c.encode(tw, obj[t.name]);
          const b = tw.toBuffer();
          w.uvarint(t.tag); w.uvarint(b.length); w.raw(b);
        }
      }
    },
    decode: (r) => {
      const obj: any = {};
      for (let i = 0; i < plain.length; i++) obj[plain[i].name] = plain[i].c.decode(r);
      for (const t of tagged) obj[t.name] = t.def;
      for (const d of defaults) obj[d.name] = d.def;
      if (flexible) {
        const n = r.uvarint();
        for (let i = 0; i < n; i++) {
          const tag = r.uvarint();
          const size = r.uvarint();
          const t = tagged.find((x) => x.tag === tag);
          if (t) {
            const sub = new Reader(r.buf, r.offset, r.offset + size);
            obj[t.name] = t.c.decode(sub);
          }
          r.raw(size); // unknown tags are skipped, as Kafka does
        }
      }
      return obj;
    },
  };
}

export interface ApiCodec {
  decl: ApiDecl;
  request(version: number): Compiled;
  response(version: number): Compiled;
  flexible(version: number): boolean;
}

export function compileApi(decl: ApiDecl): ApiCodec {
  const req = new Map<number, Compiled>();
  const res = new Map<number, Compiled>();
  const flexible = (v: number) => v >= decl.flexibleFrom;
  return {
    decl,
    flexible,
    request(v) {
      let c = req.get(v);
      if (!c) { c = compileStruct(decl.request, v, flexible(v)); req.set(v, c); }
      return c;
    },
    response(v) {
      let c = res.get(v);
      if (!c) { c = compileStruct(decl.response, v, flexible(v)); res.set(v, c); }
      return c;
    },
  };
}

/** Shorthand used by the API declarations: field(name, type, versions, extra). Keeps the literal name and type, so the declaration types its messages. */
export function f<N extends string, T extends string, X extends Partial<FieldDecl> = {}>(name: N, type: T, versions = '0+', extra?: X): { name: N; type: T; versions: string } & NoInfer<X> {
  return { name, type, versions, ...extra } as { name: N; type: T; versions: string } & X;
}
/** An array of structs. */
export function arr<N extends string, F extends FieldDecl, X extends Partial<FieldDecl> = {}>(name: N, versions: string, fields: F[], extra?: X): { name: N; type: `[]${N}`; versions: string; fields: F[] } & NoInfer<X> {
  return { name, type: `[]${name}`, versions, fields, ...extra } as { name: N; type: `[]${N}`; versions: string; fields: F[] } & X;
}
/** A tagged field (flexible versions only). */
export function tagged<N extends string, T extends string, X extends Partial<FieldDecl> = {}>(name: N, type: T, tag: number, versions: string, extra?: X): { name: N; type: T; versions: string; taggedVersions: string; tag: number } & NoInfer<X> {
  return { name, type, versions, taggedVersions: versions, tag, ...extra } as { name: N; type: T; versions: string; taggedVersions: string; tag: number } & X;
}
