// The registry's operations, over the state rebuilt from the store. Routes call these;
// nothing here knows HTTP. Writes are serialized (one at a time per instance) and
// each resolves only once its record has been read back from the log.
import type { Logger } from 'pino';
import { COMPATIBILITY_LEVELS, MODES, type CompatibilityLevel, type Mode, type RegistryConfig } from './config.ts';
import { err, RegistryError } from './errors.ts';
import { checkCompatibility, formatOf, SchemaParseError, type ParsedSchema, type ResolvedReference, type SchemaReference, type SchemaType } from './formats/index.ts';
import type { ProtobufSchema } from './formats/protobuf.ts';
import { RegistryState, schemaIdentity, type SchemaById, type SchemaVersion } from './state.ts';
import { encodeKey, encodeSchemaValue, type LogRecord } from './store/records.ts';
import type { SchemaStore } from './store/schema-store.ts';

export interface SchemaBody {
  schema?: string;
  schemaType?: string;
  references?: SchemaReference[];
  id?: number;
  version?: number;
}

const MAX_VERSION = 2 ** 31 - 1;

/** Parses a version path segment: 1..2^31-1, "latest" or -1 (→ 'latest'). */
export function parseVersion(v: string | number): number | 'latest' {
  const s = String(v).trim();
  if (s.toLowerCase() === 'latest' || s === '-1') return 'latest';
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_VERSION) throw err.invalidVersion(s);
  return Number(s);
}

export class SchemaRegistry {
  readonly state = new RegistryState();
  private writeChain: Promise<unknown> = Promise.resolve();
  private parsedCache = new Map<number, ParsedSchema>();

  constructor(
    readonly store: SchemaStore,
    readonly config: RegistryConfig,
    readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    await this.store.start((r, offset) => this.state.apply(r, offset));
  }

  async close(): Promise<void> {
    await this.writeChain.catch(() => undefined);
    await this.store.close();
  }

  // ---- helpers -------------------------------------------------------------

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.writeChain.then(fn, fn);
    this.writeChain = p.catch(() => undefined);
    return p;
  }

  private async write(records: LogRecord[]): Promise<void> {
    await this.store.append(records);
  }

  globalCompatibility(): CompatibilityLevel {
    return (this.state.configs.get(null) ?? this.config['schema.compatibility.level']) as CompatibilityLevel;
  }

  compatibilityOf(subject: string): CompatibilityLevel {
    return (this.state.configs.get(subject) ?? this.globalCompatibility()) as CompatibilityLevel;
  }

  modeOf(subject: string | null): Mode {
    return ((subject !== null ? this.state.modes.get(subject) : undefined) ?? this.state.modes.get(null) ?? 'READWRITE') as Mode;
  }

  private checkWritable(subject: string | null): void {
    const m = this.modeOf(subject);
    if (m === 'READONLY' || m === 'READONLY_OVERRIDE') throw err.readOnly(subject);
  }

  /** Resolves references to their schemas, recursively (cycles are an error). */
  resolveReferences(refs: SchemaReference[] | undefined, seen: string[] = []): ResolvedReference[] {
    return (refs ?? []).map((r) => {
      if (!r || typeof r.name !== 'string' || typeof r.subject !== 'string') throw err.invalidSchema('a reference needs name, subject and version');
      const key = `${r.subject}@${r.version}`;
      if (seen.includes(key)) throw err.invalidSchema(`circular reference ${[...seen, key].join(' -> ')}`);
      let sv: SchemaVersion | undefined;
      const live = this.state.versions(r.subject, true);
      if (r.version === -1 || (r.version as unknown) === 'latest') sv = live.filter((v) => !v.deleted).pop();
      else sv = live.find((v) => v.version === r.version);
      if (!sv) throw err.invalidSchema(`reference ${r.name} to subject ${r.subject} version ${r.version} not found`);
      return { name: r.name, subject: r.subject, version: sv.version, schemaType: sv.schemaType, schema: sv.schema, references: this.resolveReferences(sv.references, [...seen, key]) };
    });
  }

  parse(schemaType: string | undefined, schema: string | undefined, refs: SchemaReference[] | undefined): ParsedSchema {
    if (typeof schema !== 'string' || !schema.trim()) throw err.invalidSchema('Empty schema');
    let format;
    try { format = formatOf(schemaType); } catch (e) { throw err.invalidSchema((e as Error).message); }
    const resolved = this.resolveReferences(refs);
    try {
      return format.parse(schema, resolved);
    } catch (e) {
      if (e instanceof SchemaParseError) throw err.invalidSchema(e.message);
      throw err.invalidSchema(`${(e as Error).message}`);
    }
  }

  /** The parsed form of a stored schema, cached by id. */
  parsedById(id: number): ParsedSchema {
    const hit = this.parsedCache.get(id);
    if (hit) {
      // LRU: move to the end
      this.parsedCache.delete(id);
      this.parsedCache.set(id, hit);
      return hit;
    }
    const s = this.state.byId.get(id);
    if (!s) throw err.schemaNotFound(`Schema ${id} not found`);
    const parsed = formatOf(s.schemaType).parse(s.schema, this.resolveReferences(s.references));
    this.parsedCache.set(id, parsed);
    if (this.parsedCache.size > this.config['schema.cache.size']) this.parsedCache.delete(this.parsedCache.keys().next().value!);
    return parsed;
  }

  private subjectVersions(subject: string, includeDeleted: boolean): SchemaVersion[] {
    const all = this.state.versions(subject, true);
    if (!all.length || (!includeDeleted && all.every((v) => v.deleted))) throw err.subjectNotFound(subject);
    return includeDeleted ? all : all.filter((v) => !v.deleted);
  }

  // ---- reads ---------------------------------------------------------------

  listSubjects(opts: { deleted?: boolean; deletedOnly?: boolean; prefix?: string } = {}): string[] {
    const out: string[] = [];
    for (const [s, m] of this.state.subjects) {
      if (opts.prefix && !s.startsWith(opts.prefix)) continue;
      const live = [...m.values()].some((v) => !v.deleted);
      if (opts.deletedOnly ? !live && m.size > 0 : live || (opts.deleted && m.size > 0)) out.push(s);
    }
    return out.sort();
  }

  listVersions(subject: string, opts: { deleted?: boolean; deletedOnly?: boolean } = {}): number[] {
    const vs = this.subjectVersions(subject, !!(opts.deleted || opts.deletedOnly));
    return vs.filter((v) => !opts.deletedOnly || v.deleted).map((v) => v.version);
  }

  getVersion(subject: string, version: string | number, includeDeleted = false): SchemaVersion {
    const v = parseVersion(version);
    const all = this.state.versions(subject, true);
    if (!all.length || (!includeDeleted && all.every((x) => x.deleted))) throw err.subjectNotFound(subject);
    const candidates = includeDeleted ? all : all.filter((x) => !x.deleted);
    const found = v === 'latest' ? candidates[candidates.length - 1] : candidates.find((x) => x.version === v);
    if (!found) throw err.versionNotFound(subject, version);
    return found;
  }

  getById(id: number): SchemaById {
    const s = this.state.byId.get(id);
    if (!s) throw err.schemaNotFound(`Schema ${id} not found`);
    return s;
  }

  /** Schema text in the requested format (Protobuf: `serialized` = base64 FileDescriptorProto). */
  formatted(s: { id: number; schemaType: SchemaType; schema: string }, format: string | undefined): string {
    if (format === 'serialized' && s.schemaType === 'PROTOBUF') return (this.parsedById(s.id) as ProtobufSchema).serialized();
    return s.schema;
  }

  /** Finds `body` among the subject's versions (POST /subjects/{s}). */
  lookup(subject: string, body: SchemaBody, opts: { normalize?: boolean; deleted?: boolean } = {}): SchemaVersion {
    const versions = this.subjectVersions(subject, !!opts.deleted);
    const parsed = this.parse(body.schemaType, body.schema, body.references);
    const refs = (body.references ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    const found = this.findInSubject(versions, parsed, refs, !!opts.normalize);
    if (!found) throw err.schemaNotFound('Schema not found');
    return found;
  }

  private findInSubject(versions: SchemaVersion[], parsed: ParsedSchema, refs: SchemaReference[], normalize: boolean): SchemaVersion | undefined {
    const want = new Set([schemaIdentity(parsed.schemaType, parsed.canonical, refs)]);
    if (normalize) want.add(schemaIdentity(parsed.schemaType, parsed.normalized, refs));
    const hit = [...versions].reverse().find((v) => want.has(schemaIdentity(v.schemaType, v.schema, v.references)));
    if (hit || !normalize) return hit;
    // stored without normalization: compare normalized forms
    return [...versions].reverse().find((v) => v.schemaType === parsed.schemaType && JSON.stringify(v.references) === JSON.stringify(refs) && this.parsedById(v.id).normalized === parsed.normalized);
  }

  referencedBy(subject: string, version: string | number): number[] {
    const sv = this.getVersion(subject, version, true);
    return this.state.referencedBy(subject, sv.version);
  }

  // ---- compatibility -------------------------------------------------------

  private previousParsed(versions: SchemaVersion[]): { version: number; schema: ParsedSchema }[] {
    return versions.filter((v) => !v.deleted).reverse().map((v) => ({ version: v.version, schema: this.parsedById(v.id) }));
  }

  /** POST /compatibility/subjects/{s}/versions[/{v}] */
  testCompatibility(subject: string, version: string | number | null, body: SchemaBody, opts: { normalize?: boolean } = {}): { is_compatible: boolean; messages: string[] } {
    const parsed = this.parse(body.schemaType, body.schema, body.references);
    const level = this.compatibilityOf(subject);
    const live = this.state.versions(subject, false);
    let previous: SchemaVersion[];
    if (version === null) previous = live;
    else {
      const v = parseVersion(version);
      if (v === 'latest') previous = live.slice(-1);
      else {
        if (!live.length) throw err.subjectNotFound(subject);
        const found = live.find((x) => x.version === v);
        if (!found) throw err.versionNotFound(subject, v);
        previous = [found];
      }
    }
    // a single version is checked even under a transitive level (Confluent does the same)
    const prev = this.previousParsed(previous);
    const effective = version !== null ? (level.replace('_TRANSITIVE', '') as CompatibilityLevel) : level;
    const r = checkCompatibility(formatOf(parsed.schemaType), effective, parsed, prev);
    return { is_compatible: r.compatible, messages: r.messages };
  }

  // ---- writes --------------------------------------------------------------

  register(subject: string, body: SchemaBody, opts: { normalize?: boolean } = {}): Promise<{ id: number }> {
    validateSubject(subject);
    this.checkWritable(subject);
    const mode = this.modeOf(subject);
    if (body.id !== undefined && body.id !== null && mode !== 'IMPORT') throw err.notPermitted('Subject is not in import mode: a schema id may only be given in IMPORT mode');
    const parsed = this.parse(body.schemaType, body.schema, body.references);
    const refs = (body.references ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    const text = opts.normalize ? parsed.normalized : parsed.canonical;
    return this.serialize(async () => {
      this.checkWritable(subject);
      const all = this.state.versions(subject, true);
      const live = all.filter((v) => !v.deleted);
      const existing = this.findInSubject(live, parsed, refs, !!opts.normalize);
      if (existing) {
        if (body.id !== undefined && body.id !== null && body.id >= 0 && body.id !== existing.id) throw new RegistryError('ID_DOES_NOT_MATCH', `Schema already registered with id ${existing.id} instead of input id ${body.id}`);
        return { id: existing.id };
      }
      if (mode !== 'IMPORT') {
        const result = checkCompatibility(formatOf(parsed.schemaType), this.compatibilityOf(subject), parsed, this.previousParsed(live));
        if (!result.compatible) {
          throw err.incompatible(`Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${result.messages.join(', ')}]`);
        }
      }
      const identity = schemaIdentity(parsed.schemaType, text, refs);
      let id: number;
      if (body.id !== undefined && body.id !== null && body.id >= 0) {
        const other = this.state.byId.get(body.id);
        if (other && schemaIdentity(other.schemaType, other.schema, other.references) !== identity) {
          throw err.notPermitted(`Overwrite new schema with id ${body.id} is not permitted.`);
        }
        id = body.id;
      } else id = this.state.idByIdentity.get(identity) ?? this.state.maxId + 1;
      let version = (all[all.length - 1]?.version ?? 0) + 1;
      if (body.version !== undefined && body.version !== null && mode === 'IMPORT' && body.version > 0) {
        if (all.some((v) => v.version === body.version)) throw err.incompatible(`Version ${body.version} of subject ${subject} already exists`);
        version = body.version;
      }
      await this.write([{
        key: encodeKey({ keytype: 'SCHEMA', subject, version }),
        value: encodeSchemaValue({ subject, version, id, schemaType: parsed.schemaType, references: refs, schema: text, deleted: false }),
      }]);
      this.logger?.info({ subject, version, id }, 'schema registered');
      return { id };
    });
  }

  deleteVersion(subject: string, version: string, permanent: boolean): Promise<number> {
    const v = parseVersion(version);
    return this.serialize(async () => {
      this.checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (!all.length) throw err.subjectNotFound(subject);
      let sv: SchemaVersion | undefined;
      if (v === 'latest') sv = (permanent ? all : all.filter((x) => !x.deleted)).pop();
      else sv = all.find((x) => x.version === v);
      if (!sv) throw err.versionNotFound(subject, version);
      const refd = this.state.referencedBy(subject, sv.version);
      if (refd.length) throw err.referenceExists(subject, sv.version, refd);
      const key = encodeKey({ keytype: 'SCHEMA', subject, version: sv.version });
      if (permanent) {
        if (!sv.deleted) throw err.versionNotSoftDeleted(subject, sv.version);
        await this.write([{ key, value: null }]);
      } else {
        if (sv.deleted) throw err.versionSoftDeleted(subject, sv.version);
        await this.write([{ key, value: encodeSchemaValue({ ...sv, deleted: true }) }]);
      }
      return sv.version;
    });
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.serialize(async () => {
      this.checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (!all.length) throw err.subjectNotFound(subject);
      for (const sv of all) {
        const refd = this.state.referencedBy(subject, sv.version);
        if (refd.length && !sv.deleted) throw err.referenceExists(subject, sv.version, refd);
      }
      if (permanent) {
        if (all.some((x) => !x.deleted)) throw err.subjectNotSoftDeleted(subject);
        const records: LogRecord[] = all.map((sv) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: sv.version }), value: null }));
        if (this.state.configs.has(subject)) records.push({ key: encodeKey({ keytype: 'CONFIG', subject }), value: null });
        if (this.state.modes.has(subject)) records.push({ key: encodeKey({ keytype: 'MODE', subject }), value: null });
        records.push({ key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: null });
        await this.write(records);
        return all.map((x) => x.version);
      }
      const live = all.filter((x) => !x.deleted);
      if (!live.length) throw err.subjectSoftDeleted(subject);
      const records: LogRecord[] = live.map((sv) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: sv.version }), value: encodeSchemaValue({ ...sv, deleted: true }) }));
      records.push({ key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: JSON.stringify({ subject, version: all[all.length - 1].version }) });
      await this.write(records);
      return live.map((x) => x.version);
    });
  }

  setCompatibility(subject: string | null, level: unknown): Promise<CompatibilityLevel> {
    const l = typeof level === 'string' ? level.toUpperCase() : level;
    if (!COMPATIBILITY_LEVELS.includes(l as CompatibilityLevel)) throw err.invalidCompatibility(level);
    if (subject !== null) validateSubject(subject);
    return this.serialize(async () => {
      this.checkWritable(subject);
      await this.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: JSON.stringify({ compatibilityLevel: l }) }]);
      return l as CompatibilityLevel;
    });
  }

  /** Removes a subject's own level (or resets the global one); returns the level it had. */
  deleteCompatibility(subject: string | null): Promise<CompatibilityLevel> {
    return this.serialize(async () => {
      this.checkWritable(subject);
      if (subject !== null && !this.state.subjects.has(subject) && !this.state.configs.has(subject)) throw err.subjectNotFound(subject);
      const before = subject === null ? this.globalCompatibility() : this.compatibilityOf(subject);
      if (this.state.configs.has(subject)) await this.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]);
      return before;
    });
  }

  setMode(subject: string | null, mode: unknown, force = false): Promise<Mode> {
    const m = typeof mode === 'string' ? mode.toUpperCase() : mode;
    if (!MODES.includes(m as Mode)) throw err.invalidMode(mode);
    if (!this.config['mode.mutability']) throw err.notPermitted('Mode changes are not allowed (mode.mutability=false)');
    if (subject !== null) validateSubject(subject);
    return this.serialize(async () => {
      if (m === 'IMPORT' && !force) {
        const nonEmpty = subject === null ? this.listSubjects().length > 0 : this.state.versions(subject, false).length > 0;
        if (nonEmpty) throw err.notPermitted(`Cannot import since found existing subjects${subject ? ` (${subject})` : ''}; use force=true`);
      }
      await this.write([{ key: encodeKey({ keytype: 'MODE', subject }), value: JSON.stringify({ mode: m }) }]);
      return m as Mode;
    });
  }

  deleteMode(subject: string): Promise<Mode> {
    return this.serialize(async () => {
      if (!this.state.modes.has(subject) && !this.state.subjects.has(subject)) throw err.subjectNotFound(subject);
      const before = this.modeOf(subject);
      if (this.state.modes.has(subject)) await this.write([{ key: encodeKey({ keytype: 'MODE', subject }), value: null }]);
      return before;
    });
  }
}

function validateSubject(subject: string): void {
  // eslint-disable-next-line no-control-regex
  if (!subject || /[\u0000-\u001f]/.test(subject) || subject.length > 2048) throw new RegistryError('INVALID_SUBJECT', `Invalid subject ${JSON.stringify(subject)}`);
}
