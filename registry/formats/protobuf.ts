// Protobuf: .proto text or a base64 FileDescriptorProto (what @confluentinc/schemaregistry
// sends) parsed with protobufjs; imports resolved through references and the
// well-known types; printed back as .proto text (the canonical form) or as a
// FileDescriptorProto (?format=serialized); compatibility per Confluent's rules.
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import { flattenReferences, SchemaParseError, type CompatibilityIssue, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types.ts';

const require = createRequire(import.meta.url);
const descriptor = descriptorModule as unknown as Record<string, protobuf.Type>;

export interface ProtobufSchema extends ParsedSchema {
  readonly schemaType: 'PROTOBUF';
  readonly syntax: 'proto2' | 'proto3';
  readonly package: string;
  readonly imports: string[];
  /** All types this schema can see (its own, its references', well-known types), resolved. */
  readonly root: protobuf.Root;
  /** This file's top-level messages, in declaration order (message index 0, 1, …). */
  readonly messages: protobuf.Type[];
  /** This file's top-level enums and services. */
  readonly enums: protobuf.Enum[];
  /** base64 FileDescriptorProto of this file (for ?format=serialized). */
  serialized(): string;
  /** Message indexes (Confluent wire format) of a message type by full name. */
  messageIndexes(fullName: string): number[];
  /** Message type for message indexes ([] or [0] = first top-level message). */
  typeForIndexes(indexes: number[]): protobuf.Type;
}

const WKT: Record<string, string> = {
  'google/protobuf/descriptor.proto': 'protobufjs/google/protobuf/descriptor.json',
};

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

/** .proto text from a schema string that may be a base64 FileDescriptorProto. */
export function protoText(schema: string): string {
  const s = schema.trim();
  if (!s || !BASE64.test(s) || /\b(message|syntax|package|enum|service)\b/.test(s) && s.includes(' ')) return schema;
  let fdp: Record<string, unknown>;
  try {
    const bytes = Buffer.from(s, 'base64');
    fdp = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bytes), { enums: String, longs: Number, defaults: false }) as Record<string, unknown>;
  } catch {
    return schema; // not a descriptor: let the text parser give its message
  }
  return descriptorToText(fdp);
}

export function parseProtobuf(schema: string, references: ResolvedReference[] = []): ProtobufSchema {
  const text = protoText(schema);
  let own: protobuf.IParserResult;
  try { own = protobuf.parse(text, new protobuf.Root(), { keepCase: true, alternateCommentMode: true }); } catch (e) {
    throw new SchemaParseError((e as Error).message);
  }
  const syntax = /^\s*syntax\s*=\s*["']proto3["']/m.test(text) ? 'proto3' : 'proto2';
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  const addWkt = (imports: string[] | undefined) => {
    for (const imp of imports ?? []) {
      if (loaded.has(imp)) continue;
      const common = (protobuf.common as unknown as { get(n: string): { nested?: Record<string, protobuf.AnyNestedObject> } | null }).get(imp);
      if (common?.nested) { root.addJSON(common.nested); loaded.add(imp); continue; }
      if (WKT[imp]) { root.addJSON((require(WKT[imp]) as { nested: Record<string, protobuf.AnyNestedObject> }).nested); loaded.add(imp); }
    }
  };
  for (const r of flattenReferences(references)) {
    if (r.schemaType !== 'PROTOBUF') throw new SchemaParseError(`reference ${r.name} is ${r.schemaType}, not PROTOBUF`);
    if (loaded.has(r.name)) continue;
    try {
      const res = protobuf.parse(protoText(r.schema), root, { keepCase: true, alternateCommentMode: true });
      addWkt(res.imports);
    } catch (e) { throw new SchemaParseError(`in reference ${r.name}: ${(e as Error).message}`); }
    loaded.add(r.name);
  }
  addWkt(own.imports);
  const missing = (own.imports ?? []).filter((i) => !loaded.has(i));
  if (missing.length) throw new SchemaParseError(`import ${missing.map((m) => JSON.stringify(m)).join(', ')} not found: pass it as a reference named like the import`);
  try {
    protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
    root.resolveAll();
  } catch (e) { throw new SchemaParseError((e as Error).message); }

  // this file's own top-level definitions, found in the resolved root
  const ownDefs: protobuf.ReflectionObject[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const n of ns.nestedArray) {
      if (n instanceof protobuf.Type || n instanceof protobuf.Enum || n instanceof protobuf.Service || n instanceof protobuf.Field) ownDefs.push(root.lookup(n.fullName) ?? n);
      else if (n instanceof protobuf.Namespace) walk(n);
    }
  };
  walk(own.root);
  const pkg = own.package ?? '';
  const fileOptions = (pkg ? (own.root.lookup(pkg) as protobuf.Namespace | null)?.options : own.root.options) ?? {};
  const ctx: PrintCtx = { syntax, pkg, imports: own.imports ?? [], weakImports: own.weakImports ?? [], options: fileOptions, defs: ownDefs, resolve: true };
  const messages = ownDefs.filter((d): d is protobuf.Type => d instanceof protobuf.Type);
  const canonical = printFile(ctx, false);
  const normalized = printFile(ctx, true);
  let serializedCache: string | undefined;
  return {
    schemaType: 'PROTOBUF',
    canonical,
    normalized,
    references,
    syntax,
    package: pkg,
    imports: own.imports ?? [],
    root,
    messages,
    enums: ownDefs.filter((d): d is protobuf.Enum => d instanceof protobuf.Enum),
    serialized: () => (serializedCache ??= toDescriptor(ctx, messages)),
    messageIndexes(fullName: string) {
      const want = fullName.replace(/^\./, '');
      const find = (types: protobuf.Type[], prefix: number[]): number[] | null => {
        for (let i = 0; i < types.length; i++) {
          if (types[i].fullName.slice(1) === want) return [...prefix, i];
          const r = find(types[i].nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type), [...prefix, i]);
          if (r) return r;
        }
        return null;
      };
      const r = find(messages, []);
      if (!r) throw new Error(`message ${fullName} is not defined in this schema`);
      return r;
    },
    typeForIndexes(indexes: number[]) {
      let list = messages;
      let t: protobuf.Type | undefined;
      for (const i of indexes.length ? indexes : [0]) {
        t = list[i];
        if (!t) throw new Error(`no message at indexes ${JSON.stringify(indexes)}`);
        list = t.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
      }
      return t!;
    },
  };
}

// ---- printing .proto text --------------------------------------------------

interface PrintCtx {
  syntax: 'proto2' | 'proto3';
  pkg: string;
  imports: string[];
  weakImports: string[];
  options: Record<string, unknown>;
  defs: protobuf.ReflectionObject[];
  resolve: boolean;
}

const ENUM_OPTIONS = new Set(['optimize_for']);

function optValue(name: string, v: unknown): string {
  if (typeof v === 'string') return ENUM_OPTIONS.has(name) && /^[A-Z][A-Z0-9_]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${optValue(k, x)}`).join(' ')} }`;
  }
  return String(v);
}

function optEntries(options: Record<string, unknown> | undefined, normalize: boolean, skip: string[] = []): [string, unknown][] {
  const e = Object.entries(options ?? {}).filter(([k, v]) => v !== undefined && !skip.includes(k));
  return normalize ? e.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : e;
}

function typeRef(f: protobuf.Field, resolve: boolean): string {
  if (resolve && f.resolvedType) return f.resolvedType.fullName; // leading dot: unambiguous
  return f.type;
}

function printField(f: protobuf.Field, ctx: PrintCtx, normalize: boolean, ind: string, inOneof: boolean): string {
  const opts = optEntries(f.options as Record<string, unknown>, normalize, ['proto3_optional']);
  const optStr = opts.length ? ` [${opts.map(([k, v]) => `${k} = ${optValue(k, v)}`).join(', ')}]` : '';
  if (f instanceof protobuf.MapField) {
    return `${ind}map<${f.keyType}, ${typeRef(f, ctx.resolve)}> ${f.name} = ${f.id}${optStr};\n`;
  }
  let label = '';
  if (!inOneof) {
    if (f.rule === 'repeated') label = 'repeated ';
    else if (f.rule === 'required') label = 'required ';
    else if (ctx.syntax === 'proto2' || (f.options as Record<string, unknown> | undefined)?.proto3_optional) label = 'optional ';
  }
  return `${ind}${label}${typeRef(f, ctx.resolve)} ${f.name} = ${f.id}${optStr};\n`;
}

function printReserved(reserved: (number[] | string)[] | undefined, ind: string): string {
  if (!reserved?.length) return '';
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r)).map(([a, b]) => (a === b ? `${a}` : b >= 0x1fffffff ? `${a} to max` : `${a} to ${b}`));
  const names = reserved.filter((r): r is string => typeof r === 'string').map((n) => JSON.stringify(n));
  return (ranges.length ? `${ind}reserved ${ranges.join(', ')};\n` : '') + (names.length ? `${ind}reserved ${names.join(', ')};\n` : '');
}

function printType(t: protobuf.Type, ctx: PrintCtx, normalize: boolean, ind: string): string {
  let s = `${ind}message ${t.name} {\n`;
  const inner = ind + '  ';
  for (const [k, v] of optEntries(t.options as Record<string, unknown>, normalize)) s += `${inner}option ${k} = ${optValue(k, v)};\n`;
  const printedOneofs = new Set<string>();
  const fields = normalize ? [...t.fieldsArray].sort((a, b) => a.id - b.id) : t.fieldsArray;
  for (const f of fields) {
    const oneof = f.partOf;
    const synthetic = oneof && oneof.oneof.length === 1 && (f.options as Record<string, unknown> | undefined)?.proto3_optional;
    if (oneof && !synthetic) {
      if (printedOneofs.has(oneof.name)) continue;
      printedOneofs.add(oneof.name);
      s += `${inner}oneof ${oneof.name} {\n`;
      for (const [k, v] of optEntries(oneof.options as Record<string, unknown>, normalize)) s += `${inner}  option ${k} = ${optValue(k, v)};\n`;
      const members = oneof.fieldsArray.length ? oneof.fieldsArray : oneof.oneof.map((n) => t.fields[n]);
      for (const m of normalize ? [...members].sort((a, b) => a.id - b.id) : members) s += printField(m, ctx, normalize, inner + '  ', true);
      s += `${inner}}\n`;
    } else s += printField(f, ctx, normalize, inner, false);
  }
  if (t.extensions?.length) s += `${inner}extensions ${t.extensions.map(([a, b]) => (a === b ? `${a}` : b >= 0x1fffffff ? `${a} to max` : `${a} to ${b}`)).join(', ')};\n`;
  s += printReserved(t.reserved as (number[] | string)[], inner);
  for (const n of t.nestedArray) s += printDef(n, ctx, normalize, inner);
  return s + `${ind}}\n`;
}

function printEnum(e: protobuf.Enum, normalize: boolean, ind: string): string {
  let s = `${ind}enum ${e.name} {\n`;
  const inner = ind + '  ';
  for (const [k, v] of optEntries(e.options as Record<string, unknown>, normalize)) s += `${inner}option ${k} = ${optValue(k, v)};\n`;
  const vopts = (e as unknown as { valuesOptions?: Record<string, Record<string, unknown>> }).valuesOptions ?? {};
  for (const [name, id] of Object.entries(e.values)) {
    const o = optEntries(vopts[name], normalize);
    s += `${inner}${name} = ${id}${o.length ? ` [${o.map(([k, v]) => `${k} = ${optValue(k, v)}`).join(', ')}]` : ''};\n`;
  }
  s += printReserved(e.reserved as (number[] | string)[], inner);
  return s + `${ind}}\n`;
}

function printService(svc: protobuf.Service, ctx: PrintCtx, normalize: boolean, ind: string): string {
  let s = `${ind}service ${svc.name} {\n`;
  for (const [k, v] of optEntries(svc.options as Record<string, unknown>, normalize)) s += `${ind}  option ${k} = ${optValue(k, v)};\n`;
  for (const m of svc.methodsArray) {
    const req = ctx.resolve && m.resolvedRequestType ? m.resolvedRequestType.fullName : m.requestType;
    const res = ctx.resolve && m.resolvedResponseType ? m.resolvedResponseType.fullName : m.responseType;
    const o = optEntries(m.options as Record<string, unknown>, normalize);
    s += `${ind}  rpc ${m.name}(${m.requestStream ? 'stream ' : ''}${req}) returns (${m.responseStream ? 'stream ' : ''}${res})${o.length ? ` {\n${o.map(([k, v]) => `${ind}    option ${k} = ${optValue(k, v)};\n`).join('')}${ind}  }\n` : ';\n'}`;
  }
  return s + `${ind}}\n`;
}

function printDef(n: protobuf.ReflectionObject, ctx: PrintCtx, normalize: boolean, ind: string): string {
  if (n instanceof protobuf.Type) return printType(n, ctx, normalize, ind);
  if (n instanceof protobuf.Enum) return printEnum(n, normalize, ind);
  if (n instanceof protobuf.Service) return printService(n, ctx, normalize, ind);
  if (n instanceof protobuf.Field && n.extend) {
    const target = ctx.resolve && n.extensionField?.parent ? (n.extensionField.parent as protobuf.Type).fullName : n.extend;
    return `${ind}extend ${target} {\n${printField(n, ctx, normalize, ind + '  ', false)}${ind}}\n`;
  }
  return '';
}

function printFile(ctx: PrintCtx, normalize: boolean): string {
  let s = `syntax = "${ctx.syntax}";\n`;
  if (ctx.pkg) s += `package ${ctx.pkg};\n`;
  const imports = normalize ? [...ctx.imports].sort() : ctx.imports;
  if (imports.length) s += '\n' + imports.map((i) => `import ${ctx.weakImports.includes(i) ? 'weak ' : ''}${JSON.stringify(i)};\n`).join('');
  const opts = optEntries(ctx.options, normalize);
  if (opts.length) s += '\n' + opts.map(([k, v]) => `option ${k} = ${optValue(k, v)};\n`).join('');
  for (const d of ctx.defs) s += '\n' + printDef(d, ctx, normalize, '');
  return s;
}

// ---- descriptors -----------------------------------------------------------

const SCALAR_TYPES: Record<string, number> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, bytes: 12, uint32: 13, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};
const TYPE_NAMES = Object.fromEntries(Object.entries(SCALAR_TYPES).map(([k, v]) => [v, k]));

function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function mapEntryName(field: string): string {
  const c = camel(field);
  return c.charAt(0).toUpperCase() + c.slice(1) + 'Entry';
}

function camelKeys(o: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const r = Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('(') && k !== 'proto3_optional' && k !== 'default').map(([k, v]) => [camel(k), v]));
  return Object.keys(r).length ? r : undefined;
}

function fieldDescriptor(f: protobuf.Field, oneofIndex: number | undefined, syntax: string, typeName?: string): Record<string, unknown> {
  const d: Record<string, unknown> = { name: f.name, number: f.id, jsonName: camel(f.name) };
  d.label = f.rule === 'repeated' || f instanceof protobuf.MapField ? 3 : f.rule === 'required' ? 2 : 1;
  if (typeName) { d.type = 11; d.typeName = typeName; } else if (SCALAR_TYPES[f.type] !== undefined) d.type = SCALAR_TYPES[f.type];
  else if (f.resolvedType instanceof protobuf.Enum) { d.type = 14; d.typeName = f.resolvedType.fullName; } else if (f.resolvedType) { d.type = (f as unknown as { group?: boolean }).group ? 10 : 11; d.typeName = f.resolvedType.fullName; }
  if (oneofIndex !== undefined) d.oneofIndex = oneofIndex;
  const o = f.options as Record<string, unknown> | undefined;
  if (o?.proto3_optional) d.proto3Optional = true;
  if (syntax === 'proto2' && o?.default !== undefined) d.defaultValue = String(o.default);
  const fo = camelKeys(o);
  if (fo) d.options = fo;
  return d;
}

function typeDescriptor(t: protobuf.Type, syntax: string): Record<string, unknown> {
  const nested: Record<string, unknown>[] = [];
  const enums: Record<string, unknown>[] = [];
  const real = t.oneofsArray.filter((o) => !(o.oneof.length === 1 && (t.fields[o.oneof[0]]?.options as Record<string, unknown> | undefined)?.proto3_optional));
  const synthetic = t.oneofsArray.filter((o) => !real.includes(o));
  const oneofs = [...real, ...synthetic];
  const fields = t.fieldsArray.map((f) => {
    const oi = f.partOf ? oneofs.indexOf(f.partOf) : -1;
    if (f instanceof protobuf.MapField) {
      const entry = mapEntryName(f.name);
      const valueField: Record<string, unknown> = { name: 'value', number: 2, label: 1, jsonName: 'value' };
      if (SCALAR_TYPES[f.type] !== undefined) valueField.type = SCALAR_TYPES[f.type];
      else { valueField.type = f.resolvedType instanceof protobuf.Enum ? 14 : 11; valueField.typeName = f.resolvedType!.fullName; }
      nested.push({ name: entry, field: [{ name: 'key', number: 1, label: 1, type: SCALAR_TYPES[f.keyType], jsonName: 'key' }, valueField], options: { mapEntry: true } });
      return fieldDescriptor(f, undefined, syntax, `${t.fullName}.${entry}`);
    }
    return fieldDescriptor(f, oi >= 0 ? oi : undefined, syntax);
  });
  for (const n of t.nestedArray) {
    if (n instanceof protobuf.Type) nested.push(typeDescriptor(n, syntax));
    else if (n instanceof protobuf.Enum) enums.push(enumDescriptor(n));
  }
  const reserved = (t.reserved ?? []) as (number[] | string)[];
  const d: Record<string, unknown> = {
    name: t.name,
    field: fields,
    nestedType: nested,
    enumType: enums,
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
    reservedRange: reserved.filter((r): r is number[] => Array.isArray(r)).map(([a, b]) => ({ start: a, end: b + 1 })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
    extensionRange: (t.extensions ?? []).map(([a, b]) => ({ start: a, end: b + 1 })),
  };
  const mo = camelKeys(t.options as Record<string, unknown>);
  if (mo) d.options = mo;
  return d;
}

function enumDescriptor(e: protobuf.Enum): Record<string, unknown> {
  const reserved = (e.reserved ?? []) as (number[] | string)[];
  const d: Record<string, unknown> = {
    name: e.name,
    value: Object.entries(e.values).map(([name, number]) => ({ name, number })),
    reservedRange: reserved.filter((r): r is number[] => Array.isArray(r)).map(([a, b]) => ({ start: a, end: b })),
    reservedName: reserved.filter((r): r is string => typeof r === 'string'),
  };
  const eo = camelKeys(e.options as Record<string, unknown>);
  if (eo) d.options = eo;
  return d;
}

function toDescriptor(ctx: PrintCtx, messages: protobuf.Type[]): string {
  const fdp: Record<string, unknown> = {
    name: 'schema.proto',
    package: ctx.pkg || undefined,
    dependency: ctx.imports,
    messageType: messages.map((m) => typeDescriptor(m, ctx.syntax)),
    enumType: ctx.defs.filter((d): d is protobuf.Enum => d instanceof protobuf.Enum).map(enumDescriptor),
    service: ctx.defs.filter((d): d is protobuf.Service => d instanceof protobuf.Service).map((s) => ({
      name: s.name,
      method: s.methodsArray.map((m) => ({ name: m.name, inputType: m.resolvedRequestType?.fullName ?? m.requestType, outputType: m.resolvedResponseType?.fullName ?? m.responseType, clientStreaming: !!m.requestStream, serverStreaming: !!m.responseStream })),
    })),
    syntax: ctx.syntax === 'proto3' ? 'proto3' : undefined,
  };
  const fo = camelKeys(ctx.options);
  if (fo) fdp.options = fo;
  const T = descriptor.FileDescriptorProto;
  return Buffer.from(T.encode(T.fromObject(fdp)).finish()).toString('base64');
}

/** .proto text of a decoded FileDescriptorProto (type names kept fully qualified). */
function descriptorToText(fdp: Record<string, unknown>): string {
  const syntax = fdp.syntax === 'proto3' ? 'proto3' : 'proto2';
  let s = `syntax = "${syntax}";\n`;
  if (fdp.package) s += `package ${fdp.package};\n`;
  for (const d of (fdp.dependency as string[] | undefined) ?? []) s += `import ${JSON.stringify(d)};\n`;
  for (const [k, v] of Object.entries((fdp.options as Record<string, unknown>) ?? {})) s += `option ${snake(k)} = ${optValue(snake(k), v)};\n`;
  for (const m of (fdp.messageType as Record<string, unknown>[] | undefined) ?? []) s += msgText(m, syntax, '');
  for (const e of (fdp.enumType as Record<string, unknown>[] | undefined) ?? []) s += enumText(e, '');
  for (const svc of (fdp.service as Record<string, unknown>[] | undefined) ?? []) {
    s += `service ${svc.name} {\n`;
    for (const m of (svc.method as Record<string, unknown>[] | undefined) ?? []) {
      s += `  rpc ${m.name}(${m.clientStreaming ? 'stream ' : ''}${m.inputType}) returns (${m.serverStreaming ? 'stream ' : ''}${m.outputType});\n`;
    }
    s += '}\n';
  }
  return s;
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function labelOf(v: unknown): number {
  return typeof v === 'number' ? v : v === 'LABEL_REPEATED' ? 3 : v === 'LABEL_REQUIRED' ? 2 : 1;
}

function typeOf(v: unknown): number {
  if (typeof v === 'number') return v;
  const n = String(v ?? '').replace(/^TYPE_/, '').toLowerCase();
  if (n === 'message') return 11;
  if (n === 'enum') return 14;
  if (n === 'group') return 10;
  return SCALAR_TYPES[n] ?? 0;
}

function fieldOpts(f: Record<string, unknown>, syntax: string): string {
  const parts = Object.entries((f.options as Record<string, unknown>) ?? {}).map(([k, v]) => `${snake(k)} = ${optValue(snake(k), v)}`);
  if (syntax === 'proto2' && f.defaultValue !== undefined) {
    const t = typeOf(f.type);
    parts.unshift(`default = ${t === 9 || t === 12 ? JSON.stringify(f.defaultValue) : f.defaultValue}`);
  }
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

function msgText(m: Record<string, unknown>, syntax: string, ind: string): string {
  const inner = ind + '  ';
  let s = `${ind}message ${m.name} {\n`;
  const nested = (m.nestedType as Record<string, unknown>[] | undefined) ?? [];
  const entries = new Map(nested.filter((n) => (n.options as Record<string, unknown> | undefined)?.mapEntry).map((n) => [n.name as string, n]));
  const oneofs = ((m.oneofDecl as Record<string, unknown>[] | undefined) ?? []).map((o) => o.name as string);
  const fields = (m.field as Record<string, unknown>[] | undefined) ?? [];
  const fieldLine = (f: Record<string, unknown>, inOneof: boolean): string => {
    const t = typeOf(f.type);
    const typeName = t === 11 || t === 14 || t === 10 ? String(f.typeName) : TYPE_NAMES[t];
    const entry = t === 11 ? entries.get(String(f.typeName).split('.').pop()!) : undefined;
    if (entry && labelOf(f.label) === 3 && String(f.typeName).endsWith(`.${entry.name}`)) {
      const [k, v] = entry.field as Record<string, unknown>[];
      const vt = typeOf(v.type);
      return `${inner}${inOneof ? '  ' : ''}map<${TYPE_NAMES[typeOf(k.type)]}, ${vt === 11 || vt === 14 ? v.typeName : TYPE_NAMES[vt]}> ${f.name} = ${f.number}${fieldOpts(f, syntax)};\n`;
    }
    const label = inOneof ? '' : labelOf(f.label) === 3 ? 'repeated ' : labelOf(f.label) === 2 ? 'required ' : syntax === 'proto2' || f.proto3Optional ? 'optional ' : '';
    return `${inner}${inOneof ? '  ' : ''}${label}${typeName} ${f.name} = ${f.number}${fieldOpts(f, syntax)};\n`;
  };
  const done = new Set<number>();
  for (const f of fields) {
    const oi = f.oneofIndex as number | undefined;
    if (oi === undefined || f.proto3Optional) { s += fieldLine(f, false); continue; }
    if (done.has(oi)) continue;
    done.add(oi);
    s += `${inner}oneof ${oneofs[oi]} {\n`;
    for (const g of fields.filter((x) => x.oneofIndex === oi && !x.proto3Optional)) s += fieldLine(g, true);
    s += `${inner}}\n`;
  }
  for (const [k, v] of Object.entries((m.options as Record<string, unknown>) ?? {})) if (k !== 'mapEntry') s += `${inner}option ${snake(k)} = ${optValue(snake(k), v)};\n`;
  const rr = ((m.reservedRange as Record<string, number>[] | undefined) ?? []).map((r) => (r.end - 1 === r.start ? `${r.start}` : `${r.start} to ${r.end - 1}`));
  if (rr.length) s += `${inner}reserved ${rr.join(', ')};\n`;
  const rn = (m.reservedName as string[] | undefined) ?? [];
  if (rn.length) s += `${inner}reserved ${rn.map((n) => JSON.stringify(n)).join(', ')};\n`;
  for (const n of nested) if (!entries.has(n.name as string)) s += msgText(n, syntax, inner);
  for (const e of (m.enumType as Record<string, unknown>[] | undefined) ?? []) s += enumText(e, inner);
  return s + `${ind}}\n`;
}

function enumText(e: Record<string, unknown>, ind: string): string {
  let s = `${ind}enum ${e.name} {\n`;
  for (const [k, v] of Object.entries((e.options as Record<string, unknown>) ?? {})) s += `${ind}  option ${snake(k)} = ${optValue(snake(k), v)};\n`;
  for (const v of (e.value as Record<string, unknown>[] | undefined) ?? []) s += `${ind}  ${v.name} = ${v.number ?? 0};\n`;
  return s + `${ind}}\n`;
}

// ---- compatibility (Confluent's Protobuf rules) ----------------------------

const SCALAR_GROUP: Record<string, string> = {
  int32: 'varint', uint32: 'varint', int64: 'varint', uint64: 'varint', bool: 'varint',
  sint32: 'zigzag', sint64: 'zigzag',
  fixed32: 'fixed32', sfixed32: 'fixed32',
  fixed64: 'fixed64', sfixed64: 'fixed64',
  string: 'bytes', bytes: 'bytes',
  float: 'float', double: 'double',
};

function fieldKind(f: protobuf.Field): string {
  if (f instanceof protobuf.MapField) return 'map';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  if (f.resolvedType) return 'message';
  return 'scalar';
}

function allTypes(types: protobuf.Type[], out = new Map<string, protobuf.Type>()): Map<string, protobuf.Type> {
  for (const t of types) {
    out.set(t.fullName, t);
    allTypes(t.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type), out);
  }
  return out;
}

export function protobufReadable(reader: ProtobufSchema, writer: ProtobufSchema): CompatibilityIssue[] {
  const out: CompatibilityIssue[] = [];
  if (reader.package !== writer.package) {
    out.push({ errorType: 'PACKAGE_CHANGED', path: '#/', description: `The package changed from '${writer.package}' to '${reader.package}'` });
  }
  const rTypes = allTypes(reader.messages);
  const wTypes = allTypes(writer.messages);
  const strip = (n: string) => (writer.package && reader.package !== writer.package ? n.replace(`.${writer.package}.`, `.${reader.package}.`) : n);
  for (const [name, wt] of wTypes) {
    const rt = rTypes.get(strip(name));
    const path = `#/${name.slice(1)}`;
    if (!rt) { out.push({ errorType: 'MESSAGE_REMOVED', path, description: `The message '${name.slice(1)}' was removed` }); continue; }
    const rOneofOf = (t: protobuf.Type, id: number) => {
      const f = t.fieldsArray.find((x) => x.id === id);
      return f?.partOf && !((f.options as Record<string, unknown> | undefined)?.proto3_optional) ? f.partOf.name : null;
    };
    const movedToNew = new Map<string, number>();
    for (const wf of wt.fieldsArray) {
      const rf = rt.fieldsArray.find((x) => x.id === wf.id);
      const fpath = `${path}/${wf.id}`;
      if (!rf) {
        if (wf.rule === 'required') out.push({ errorType: 'REQUIRED_FIELD_REMOVED', path: fpath, description: `The required field '${wf.name}' (${wf.id}) was removed` });
        continue; // removing a field is allowed: its number becomes unknown data
      }
      const wk = fieldKind(wf);
      const rk = fieldKind(rf);
      const wOneof = rOneofOf(wt, wf.id);
      const rOneof = rOneofOf(rt, rf.id);
      if (!wOneof && rOneof) {
        const existedBefore = wt.oneofsArray.some((o) => o.name === rOneof);
        if (existedBefore) out.push({ errorType: 'FIELD_MOVED_TO_EXISTING_ONEOF', path: fpath, description: `The field '${rf.name}' (${rf.id}) was moved into the existing oneof '${rOneof}'` });
        else movedToNew.set(rOneof, (movedToNew.get(rOneof) ?? 0) + 1);
      }
      if ((wf.rule === 'repeated') !== (rf.rule === 'repeated') && wk !== 'map' && rk !== 'map') {
        out.push({ errorType: 'FIELD_KIND_CHANGED', path: fpath, description: `The field '${rf.name}' (${rf.id}) changed between repeated and singular` });
        continue;
      }
      if ((wf.rule === 'required') !== (rf.rule === 'required')) {
        out.push({ errorType: rf.rule === 'required' ? 'REQUIRED_FIELD_ADDED' : 'REQUIRED_FIELD_REMOVED', path: fpath, description: `The field '${rf.name}' (${rf.id}) changed whether it is required` });
      }
      if (wk === 'map' || rk === 'map') {
        if (wk !== rk) out.push({ errorType: 'FIELD_KIND_CHANGED', path: fpath, description: `The field '${rf.name}' (${rf.id}) changed between a map and a ${wk === 'map' ? rk : wk}` });
        else {
          const wm = wf as unknown as protobuf.MapField;
          const rm = rf as unknown as protobuf.MapField;
          if (SCALAR_GROUP[wm.keyType] !== SCALAR_GROUP[rm.keyType]) out.push({ errorType: 'FIELD_SCALAR_KIND_CHANGED', path: fpath, description: `The key type of map field '${rf.name}' (${rf.id}) changed from ${wm.keyType} to ${rm.keyType}` });
          compareTypes(wf, rf, fpath, out, strip);
        }
        continue;
      }
      compareTypes(wf, rf, fpath, out, strip);
    }
    for (const [oneof, n] of movedToNew) {
      if (n > 1) out.push({ errorType: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', path: `${path}/${oneof}`, description: `${n} existing fields were moved into the new oneof '${oneof}'` });
    }
    for (const rf of rt.fieldsArray) {
      if (rf.rule === 'required' && !wt.fieldsArray.some((x) => x.id === rf.id)) {
        out.push({ errorType: 'REQUIRED_FIELD_ADDED', path: `${path}/${rf.id}`, description: `The required field '${rf.name}' (${rf.id}) was added` });
      }
    }
  }
  return out;
}

function compareTypes(wf: protobuf.Field, rf: protobuf.Field, path: string, out: CompatibilityIssue[], strip: (n: string) => string): void {
  const wk = wf instanceof protobuf.MapField ? (wf.resolvedType ? (wf.resolvedType instanceof protobuf.Enum ? 'enum' : 'message') : 'scalar') : fieldKind(wf);
  const rk = rf instanceof protobuf.MapField ? (rf.resolvedType ? (rf.resolvedType instanceof protobuf.Enum ? 'enum' : 'message') : 'scalar') : fieldKind(rf);
  const wScalar = wk === 'enum' ? 'varint' : wk === 'scalar' ? SCALAR_GROUP[wf.type] : null;
  const rScalar = rk === 'enum' ? 'varint' : rk === 'scalar' ? SCALAR_GROUP[rf.type] : null;
  if (wk === 'message' || rk === 'message') {
    // bytes and an embedded message share the wire type
    if (wk === 'message' && rk === 'message') {
      if (strip(wf.resolvedType!.fullName) !== rf.resolvedType!.fullName) out.push({ errorType: 'FIELD_NAMED_TYPE_CHANGED', path, description: `The type of field '${rf.name}' (${rf.id}) changed from ${wf.resolvedType!.fullName.slice(1)} to ${rf.resolvedType!.fullName.slice(1)}` });
    } else if (!((wk === 'message' && rf.type === 'bytes') || (rk === 'message' && wf.type === 'bytes'))) {
      out.push({ errorType: 'FIELD_KIND_CHANGED', path, description: `The field '${rf.name}' (${rf.id}) changed kind from ${wk === 'message' ? 'message' : wf.type} to ${rk === 'message' ? 'message' : rf.type}` });
    }
    return;
  }
  if (wk === 'enum' && rk === 'enum') {
    if (strip(wf.resolvedType!.fullName) !== rf.resolvedType!.fullName) out.push({ errorType: 'FIELD_NAMED_TYPE_CHANGED', path, description: `The enum type of field '${rf.name}' (${rf.id}) changed from ${wf.resolvedType!.fullName.slice(1)} to ${rf.resolvedType!.fullName.slice(1)}` });
    return;
  }
  if (wScalar !== rScalar) {
    out.push({ errorType: 'FIELD_SCALAR_KIND_CHANGED', path, description: `The type of field '${rf.name}' (${rf.id}) changed from ${wk === 'enum' ? 'enum' : wf.type} to ${rk === 'enum' ? 'enum' : rf.type}, which are not wire-compatible` });
  }
}

export const protobufFormat: SchemaFormat<ProtobufSchema> = {
  schemaType: 'PROTOBUF',
  parse: parseProtobuf,
  checkReadable: protobufReadable,
};
