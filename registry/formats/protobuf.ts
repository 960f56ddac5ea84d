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
//
// Messages match by name (without the package), fields by number. Per field: the
// kind (scalar, map, message) must stay; scalars stay within a wire-compatible group
// (an enum counts as an int); a label change between singular and repeated is
// compatible for string, bytes and messages and not for numbers; a message type must
// keep its name, and a type that lives in another file (a reference) is compared
// field by field. Oneofs: a member may not disappear unless its whole oneof does, and
// fields that were independent may not become mutually exclusive (moved into an
// existing oneof, two moved into a new one, oneofs merged).
// Descriptions say {reader} and {writer}; compatibility.ts turns them into "new"/"old".

const SCALAR_KIND: Record<string, string> = {
  int32: 'GENERAL_NUMBER', uint32: 'GENERAL_NUMBER', int64: 'GENERAL_NUMBER', uint64: 'GENERAL_NUMBER', bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER', sint64: 'SIGNED_NUMBER',
  fixed32: 'FIXED32', sfixed32: 'FIXED32',
  fixed64: 'FIXED64', sfixed64: 'FIXED64',
  float: 'FLOAT', double: 'DOUBLE',
  string: 'STRING_OR_BYTES', bytes: 'STRING_OR_BYTES',
};

type Label = 'repeated' | 'required' | 'optional';
/** A field's type as compared: its scalar name or resolved enum/message. */
interface TypeRef { type: string; resolved: protobuf.Type | protobuf.Enum | null }

interface PbCtx {
  out: CompatibilityIssue[];
  readerOwn: Set<protobuf.Type>;
  writerOwn: Set<protobuf.Type>;
  /** Results of comparing a message type that lives in a reference; null while in progress. */
  memo: Map<string, CompatibilityIssue[] | null>;
}

const pbIssue = (ctx: PbCtx, errorType: string, path: string, description: string) => ctx.out.push({ errorType, path, description });

/** The name of a message inside its file: its enclosing messages and itself, no package. */
function localName(t: protobuf.ReflectionObject): string {
  const parts = [t.name];
  for (let p = t.parent; p instanceof protobuf.Type; p = p.parent) parts.unshift(p.name);
  return parts.join('.');
}

function ownTypes(types: protobuf.Type[], out = new Map<string, protobuf.Type>()): Map<string, protobuf.Type> {
  for (const t of types) {
    out.set(localName(t), t);
    ownTypes(t.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type), out);
  }
  return out;
}

const labelOfField = (f: protobuf.Field): Label => (f.rule === 'repeated' ? 'repeated' : f.rule === 'required' ? 'required' : 'optional');
const oneofOf = (f: protobuf.Field): string | null => (f.partOf && !(f.options as Record<string, unknown> | undefined)?.proto3_optional ? f.partOf.name : null);
const refOf = (type: string, resolved: protobuf.ReflectionObject | null): TypeRef => ({ type, resolved: resolved instanceof protobuf.Type || resolved instanceof protobuf.Enum ? resolved : null });
const kindOf = (t: TypeRef) => (t.resolved instanceof protobuf.Type ? 'message' : 'scalar');
const typeName = (t: TypeRef) => (t.resolved ? t.resolved.fullName.slice(1) : t.type);

export function protobufReadable(reader: ProtobufSchema, writer: ProtobufSchema): CompatibilityIssue[] {
  const rTypes = ownTypes(reader.messages);
  const wTypes = ownTypes(writer.messages);
  const ctx: PbCtx = { out: [], readerOwn: new Set(rTypes.values()), writerOwn: new Set(wTypes.values()), memo: new Map() };
  if (reader.package !== writer.package) {
    pbIssue(ctx, 'PACKAGE_CHANGED', '#/', `The package at '#/' in the {reader} schema ('${reader.package}') does not match the package in the {writer} schema ('${writer.package}')`);
  }
  for (const [name, wt] of wTypes) {
    const rt = rTypes.get(name);
    const path = `#/${name.replace(/\./g, '/')}`;
    if (!rt) pbIssue(ctx, 'MESSAGE_REMOVED', path, `The {reader} schema is missing a MESSAGE type at path '${path}' in the {writer} schema`);
    else compareMessage(wt, rt, path, ctx);
  }
  return ctx.out;
}

function compareMessage(wt: protobuf.Type, rt: protobuf.Type, path: string, ctx: PbCtx): void {
  const index = (t: protobuf.Type) => {
    const byTag = new Map<number, protobuf.Field>();
    const oneofByTag = new Map<number, string>();
    const oneofs = new Map<string, number[]>();
    for (const f of t.fieldsArray) {
      byTag.set(f.id, f);
      const o = oneofOf(f);
      if (o) { oneofByTag.set(f.id, o); oneofs.set(o, [...(oneofs.get(o) ?? []), f.id]); }
    }
    return { byTag, oneofByTag, oneofs };
  };
  const w = index(wt);
  const r = index(rt);
  // a writer oneof gone with every member is a whole deletion (compatible); if some
  // members survive elsewhere, the others count as removed from a oneof
  const deletedOneofs = new Set([...w.oneofs].filter(([name, tags]) => !r.oneofs.has(name) && !tags.some((t) => r.byTag.has(t))).map(([name]) => name));
  // fields that were independent in the writer must not become mutually exclusive
  for (const [name, tags] of r.oneofs) {
    const origins = new Set<string>();
    let fromTopLevel = 0;
    for (const tag of tags) {
      const was = w.oneofByTag.get(tag);
      if (was) origins.add(`oneof:${was}`);
      else if (w.byTag.has(tag)) { origins.add(`field:${tag}`); fromTopLevel++; }
    }
    if (origins.size < 2) continue;
    const opath = `${path}/${name}`;
    if (fromTopLevel > 1) pbIssue(ctx, 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', opath, `Multiple fields in the oneof at path '${opath}' in the {reader} schema are outside a oneof in the {writer} schema`);
    else pbIssue(ctx, 'FIELD_MOVED_TO_EXISTING_ONEOF', opath, `The oneof at path '${opath}' in the {reader} schema joins fields that are not in one oneof in the {writer} schema, so they become mutually exclusive`);
  }
  for (const tag of [...new Set([...w.byTag.keys(), ...r.byTag.keys()])].sort((a, b) => a - b)) {
    const wf = w.byTag.get(tag);
    const rf = r.byTag.get(tag);
    const wOneof = w.oneofByTag.get(tag);
    const rOneof = r.oneofByTag.get(tag);
    if (!rf) {
      const fpath = wOneof ? `${path}/${wOneof}/${tag}` : `${path}/${tag}`;
      if (wOneof && !deletedOneofs.has(wOneof)) pbIssue(ctx, 'ONEOF_FIELD_REMOVED', fpath, `The {reader} schema is missing a field of a oneof at path '${fpath}' in the {writer} schema`);
      else if (!wOneof && labelOfField(wf!) === 'required') pbIssue(ctx, 'REQUIRED_FIELD_REMOVED', fpath, `The {reader} schema is missing a required field at path '${fpath}' in the {writer} schema`);
      continue;
    }
    const fpath = rOneof ? `${path}/${rOneof}/${tag}` : `${path}/${tag}`;
    if (!wf) {
      if (!rOneof && labelOfField(rf) === 'required') pbIssue(ctx, 'REQUIRED_FIELD_ADDED', fpath, `The {reader} schema has a required field at path '${fpath}' that is missing in the {writer} schema`);
      continue;
    }
    compareField(wf, rf, fpath, ctx);
  }
}

function compareField(wf: protobuf.Field, rf: protobuf.Field, path: string, ctx: PbCtx): void {
  const wMap = wf instanceof protobuf.MapField;
  const rMap = rf instanceof protobuf.MapField;
  if (wMap || rMap) {
    if (wMap !== rMap) { pbIssue(ctx, 'FIELD_KIND_CHANGED', path, `The type of a field at path '${path}' in the {reader} schema (${rMap ? 'map' : 'not a map'}) does not match the {writer} schema (${wMap ? 'map' : 'not a map'})`); return; }
    const wm = wf as unknown as protobuf.MapField;
    const rm = rf as unknown as protobuf.MapField;
    compareTypes(refOf(wm.keyType, null), refOf(rm.keyType, null), null, null, path, ctx);
    compareTypes(refOf(wm.type, wm.resolvedType), refOf(rm.type, rm.resolvedType), null, null, path, ctx);
    return;
  }
  const wLabel = labelOfField(wf);
  const rLabel = labelOfField(rf);
  if (rLabel === 'required' && wLabel !== 'required') {
    // stricter than Confluent: data written without the field would not parse
    pbIssue(ctx, 'REQUIRED_FIELD_ADDED', path, `The field at path '${path}' is required in the {reader} schema but not in the {writer} schema`);
    compareTypes(refOf(wf.type, wf.resolvedType), refOf(rf.type, rf.resolvedType), null, null, path, ctx);
    return;
  }
  compareTypes(refOf(wf.type, wf.resolvedType), refOf(rf.type, rf.resolvedType), wLabel, rLabel, path, ctx);
}

function compareTypes(w: TypeRef, r: TypeRef, wLabel: Label | null, rLabel: Label | null, path: string, ctx: PbCtx): void {
  const wk = kindOf(w);
  const rk = kindOf(r);
  if (wk !== rk) { pbIssue(ctx, 'FIELD_KIND_CHANGED', path, `The type of a field at path '${path}' in the {reader} schema (${rk} ${typeName(r)}) does not match the {writer} schema (${wk} ${typeName(w)})`); return; }
  if (wk === 'scalar') {
    const ws = w.resolved instanceof protobuf.Enum ? 'GENERAL_NUMBER' : SCALAR_KIND[w.type];
    const rs = r.resolved instanceof protobuf.Enum ? 'GENERAL_NUMBER' : SCALAR_KIND[r.type];
    if (ws !== rs) pbIssue(ctx, 'FIELD_SCALAR_KIND_CHANGED', path, `The kind of a SCALAR field at path '${path}' in the {reader} schema (${typeName(r)}) does not match its kind in the {writer} schema (${typeName(w)})`);
    else if (wLabel && rLabel && wLabel !== rLabel && ws !== 'STRING_OR_BYTES') {
      pbIssue(ctx, 'FIELD_NUMERIC_LABEL_CHANGED', path, `The label for a NUMERIC field at path '${path}' in the {reader} schema (${rLabel}) does not match the label in the {writer} schema (${wLabel})`);
    }
    return;
  }
  // messages: same name (without package); a type from another file is compared field by field
  const wt = w.resolved as protobuf.Type;
  const rt = r.resolved as protobuf.Type;
  if (localName(wt) !== localName(rt)) { pbIssue(ctx, 'FIELD_NAMED_TYPE_CHANGED', path, `The type of a MESSAGE field at path '${path}' in the {reader} schema (${typeName(r)}) does not match its type in the {writer} schema (${typeName(w)})`); return; }
  if (ctx.writerOwn.has(wt) && ctx.readerOwn.has(rt)) return; // compared on their own, message by message
  const key = `${wt.fullName}|${rt.fullName}`;
  let nested = ctx.memo.get(key);
  if (nested === undefined) {
    ctx.memo.set(key, null);
    const sub: PbCtx = { ...ctx, out: [] };
    compareMessage(wt, rt, `#/${localName(rt).replace(/\./g, '/')}`, sub);
    nested = sub.out;
    ctx.memo.set(key, nested);
    ctx.out.push(...nested);
  }
  if (nested?.length) pbIssue(ctx, 'FIELD_NAMED_TYPE_CHANGED', path, `The type of a MESSAGE field at path '${path}' in the {reader} schema (${typeName(r)}) is not compatible with its type in the {writer} schema (${typeName(w)})`);
}

export const protobufFormat: SchemaFormat<ProtobufSchema> = {
  schemaType: 'PROTOBUF',
  parse: parseProtobuf,
  checkReadable: protobufReadable,
};
