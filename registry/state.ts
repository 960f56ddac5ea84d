// The registry's state, rebuilt by applying `_schemas` records in log order.
// Applying is deterministic, so every instance reading the log holds the same state.
import type { SchemaReference, SchemaType } from './formats/types.ts';
import { decodeKey, type ConfigValue, type DeleteSubjectValue, type LogRecord, type ModeValue, type SchemaValue } from './store/records.ts';

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  deleted: boolean;
}

export interface SchemaById { id: number; schemaType: SchemaType; schema: string; references: SchemaReference[] }

/** Identity of a schema: type, stored text, references. The same identity gets the same id. */
export function schemaIdentity(schemaType: SchemaType, schema: string, references: SchemaReference[]): string {
  return `${schemaType}\n${JSON.stringify(references.map((r) => [r.name, r.subject, r.version]))}\n${schema}`;
}

export class RegistryState {
  /** subject → version → schema */
  readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  /** id → schema, while any version (live or soft-deleted) uses it */
  readonly byId = new Map<number, SchemaById>();
  readonly idByIdentity = new Map<string, number>();
  /** how many versions use an id */
  private readonly idUses = new Map<number, number>();
  /** null = global */
  readonly configs = new Map<string | null, string>();
  readonly modes = new Map<string | null, string>();
  maxId = 0;
  lastOffset = -1;
  /** Bumped on every change; caches of derived data compare it. */
  generation = 0;

  apply(record: LogRecord, offset: number): void {
    this.lastOffset = offset;
    const key = decodeKey(record.key);
    if (!key) return;
    let value: Record<string, unknown> | null = null;
    if (record.value !== null) {
      try { value = JSON.parse(record.value); } catch { return; }
    }
    this.generation++;
    switch (key.keytype) {
      case 'SCHEMA': {
        const versions = this.subjects.get(key.subject);
        const old = versions?.get(key.version);
        if (old) this.release(old);
        if (!value) {
          versions?.delete(key.version);
          if (versions && !versions.size) this.subjects.delete(key.subject);
          return;
        }
        const v = value as unknown as SchemaValue;
        const sv: SchemaVersion = {
          subject: key.subject,
          version: key.version,
          id: v.id,
          schemaType: (v.schemaType ?? 'AVRO') as SchemaType,
          schema: v.schema,
          references: v.references ?? [],
          deleted: !!v.deleted,
        };
        let m = versions;
        if (!m) { m = new Map(); this.subjects.set(key.subject, m); }
        m.set(key.version, sv);
        this.idUses.set(sv.id, (this.idUses.get(sv.id) ?? 0) + 1);
        if (!this.byId.has(sv.id)) {
          this.byId.set(sv.id, { id: sv.id, schemaType: sv.schemaType, schema: sv.schema, references: sv.references });
          this.idByIdentity.set(schemaIdentity(sv.schemaType, sv.schema, sv.references), sv.id);
        }
        if (sv.id > this.maxId) this.maxId = sv.id;
        return;
      }
      case 'CONFIG':
        if (value && typeof value.compatibilityLevel === 'string') this.configs.set(key.subject, value.compatibilityLevel as ConfigValue['compatibilityLevel']);
        else this.configs.delete(key.subject);
        return;
      case 'MODE':
        if (value && typeof value.mode === 'string') this.modes.set(key.subject, value.mode as ModeValue['mode']);
        else this.modes.delete(key.subject);
        return;
      case 'DELETE_SUBJECT': {
        // soft-deletes every version up to the one named (Confluent writes this too)
        const upTo = (value as unknown as DeleteSubjectValue | null)?.version ?? Infinity;
        for (const sv of this.subjects.get(key.subject)?.values() ?? []) if (sv.version <= upTo) sv.deleted = true;
        return;
      }
      case 'CLEAR_SUBJECT':
      case 'NOOP':
        return;
    }
  }

  private release(sv: SchemaVersion): void {
    const n = (this.idUses.get(sv.id) ?? 1) - 1;
    if (n > 0) { this.idUses.set(sv.id, n); return; }
    this.idUses.delete(sv.id);
    const s = this.byId.get(sv.id);
    if (s) this.idByIdentity.delete(schemaIdentity(s.schemaType, s.schema, s.references));
    this.byId.delete(sv.id);
  }

  versions(subject: string, includeDeleted: boolean): SchemaVersion[] {
    const m = this.subjects.get(subject);
    if (!m) return [];
    return [...m.values()].filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  /** Subjects that use an id, with their versions. */
  versionsOfId(id: number, includeDeleted: boolean): SchemaVersion[] {
    const out: SchemaVersion[] = [];
    for (const m of this.subjects.values()) for (const v of m.values()) if (v.id === id && (includeDeleted || !v.deleted)) out.push(v);
    return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  }

  /** Ids of live schemas whose references name subject/version. */
  referencedBy(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const m of this.subjects.values()) {
      for (const v of m.values()) {
        if (!v.deleted && v.references.some((r) => r.subject === subject && r.version === version)) ids.add(v.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }
}
