// io.debezium.transforms.ExtractNewRecordState: turns a Debezium change event
// {before, after, source, op, ts_ms} into the row itself, so sinks that expect plain
// rows (the Postgres/JDBC sink, S3) can consume CDC topics.
//
// delete.tombstone.handling.mode (Debezium ≥ 2.5):
//   tombstone (default)     delete events dropped, tombstones kept
//   drop                    delete events and tombstones dropped
//   rewrite                 delete -> before row + __deleted=true (others __deleted=false); tombstones dropped
//   rewrite-with-tombstone  as rewrite, tombstones kept
//   delete-to-tombstone     delete -> tombstone; original tombstones dropped
// The legacy pair drop.tombstones + delete.handling.mode (drop|rewrite|none) maps onto it.
import { ConfigDef, Validators, S, type ConnectRecord, type Field, type Header, type Props, type Schema, type Transformation } from '../../../plugins/sdk/index.ts';

type Mode = 'tombstone' | 'drop' | 'rewrite' | 'rewrite-with-tombstone' | 'delete-to-tombstone';

const MODES = ['tombstone', 'drop', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'];

type Envelope = { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; source?: Record<string, unknown>; op?: string; [k: string]: unknown };

export class ExtractNewRecordState<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private mode: Mode = 'tombstone';
  private addFields: string[] = [];
  private addHeaders: string[] = [];
  private fieldsPrefix = '__';
  private headersPrefix = '__';
  private schemaCache = new WeakMap<Schema, Schema>();

  config(): ConfigDef {
    return new ConfigDef()
      .define({ name: 'delete.tombstone.handling.mode', type: 'STRING', default: null, documentation: `What happens to delete events and tombstones: ${MODES.join(', ')} (default tombstone).`, validator: Validators.oneOf(...MODES) })
      .define({ name: 'drop.tombstones', type: 'BOOLEAN', default: null, documentation: 'Legacy: drop tombstone records (default true). Superseded by delete.tombstone.handling.mode.' })
      .define({ name: 'delete.handling.mode', type: 'STRING', default: null, documentation: 'Legacy: drop, rewrite (adds __deleted) or none (delete -> tombstone). Superseded by delete.tombstone.handling.mode.', validator: Validators.oneOf('drop', 'rewrite', 'none') })
      .define({ name: 'add.fields', type: 'LIST', default: '', documentation: 'Envelope or source fields added to the row as __<name> (e.g. op,table,lsn,source.ts_ms).' })
      .define({ name: 'add.fields.prefix', type: 'STRING', default: '__', documentation: 'Prefix of added fields.' })
      .define({ name: 'add.headers', type: 'LIST', default: '', documentation: 'Envelope or source fields added as headers __<name>.' })
      .define({ name: 'add.headers.prefix', type: 'STRING', default: '__', documentation: 'Prefix of added headers.' });
  }

  configure(props: Props): void {
    const c = this.config().parse(props);
    const legacyDrop = c['drop.tombstones'] as boolean | null;
    const legacyDelete = c['delete.handling.mode'] as string | null;
    if (c['delete.tombstone.handling.mode']) this.mode = c['delete.tombstone.handling.mode'] as Mode;
    else if (legacyDrop !== null || legacyDelete !== null) {
      const keepTombstones = legacyDrop === false;
      const del = legacyDelete ?? 'drop';
      this.mode = del === 'rewrite' ? (keepTombstones ? 'rewrite-with-tombstone' : 'rewrite') : del === 'none' ? 'delete-to-tombstone' : keepTombstones ? 'tombstone' : 'drop';
    } else this.mode = 'tombstone';
    this.addFields = c['add.fields'] as string[];
    this.addHeaders = c['add.headers'] as string[];
    this.fieldsPrefix = c['add.fields.prefix'] as string;
    this.headersPrefix = c['add.headers.prefix'] as string;
  }

  apply(record: R): R | null {
    if (record.value === null || record.value === undefined) {
      return this.mode === 'tombstone' || this.mode === 'rewrite-with-tombstone' ? record : null;
    }
    const env = record.value as Envelope;
    if (typeof env !== 'object' || !('op' in env) || !('after' in env)) return record; // heartbeats and other non-change records
    const op = env.op as string;
    if (op === 't') return null;
    const rewrite = this.mode === 'rewrite' || this.mode === 'rewrite-with-tombstone';
    let row: Record<string, unknown> | null;
    if (op === 'd') {
      if (this.mode === 'delete-to-tombstone') return { ...record, valueSchema: null, value: null };
      if (!rewrite) return null;
      row = env.before ?? null;
    } else row = env.after ?? null;
    const envSchema = record.valueSchema ?? null;
    const rowSchema = envSchema?.fields?.find((f) => f.name === (op === 'd' ? 'before' : 'after'))?.schema ?? null;
    const value: Record<string, unknown> = { ...(row ?? {}) };
    for (const f of this.addFields) value[this.fieldsPrefix + f.replace(/\./g, '_')] = lookup(env, f);
    if (rewrite) value[`${this.fieldsPrefix}deleted`] = op === 'd' ? 'true' : 'false';
    const headers: Header[] = [...(record.headers ?? [])];
    for (const h of this.addHeaders) {
      const v = lookup(env, h);
      headers.push({ key: this.headersPrefix + h.replace(/\./g, '_'), value: v === null || v === undefined ? null : String(v) });
    }
    return { ...record, valueSchema: rowSchema ? this.extend(rowSchema, envSchema!, rewrite) : null, value, headers } as R;
  }

  /** Row schema plus the added fields (all optional), cached per row schema. */
  private extend(rowSchema: Schema, envSchema: Schema, rewrite: boolean): Schema {
    if (!this.addFields.length && !rewrite) return { ...rowSchema, optional: false };
    const hit = this.schemaCache.get(rowSchema);
    if (hit) return hit;
    const fields: Field[] = [...(rowSchema.fields ?? [])];
    for (const f of this.addFields) fields.push({ name: this.fieldsPrefix + f.replace(/\./g, '_'), schema: { ...(lookupSchema(envSchema, f) ?? S.string()), optional: true } });
    if (rewrite) fields.push({ name: `${this.fieldsPrefix}deleted`, schema: S.string(true) });
    const s: Schema = { ...rowSchema, optional: false, fields };
    this.schemaCache.set(rowSchema, s);
    return s;
  }
}

/** `op`/`ts_ms` from the envelope, `source.x` or a bare source field name from the source block. */
function lookup(env: Envelope, name: string): unknown {
  if (name.includes('.')) {
    const [a, b] = name.split('.', 2);
    return (env[a] as Record<string, unknown> | null | undefined)?.[b] ?? null;
  }
  if (name in env && name !== 'source' && name !== 'before' && name !== 'after') return env[name] ?? null;
  return env.source?.[name] ?? null;
}

function lookupSchema(envSchema: Schema, name: string): Schema | null {
  const field = (s: Schema | undefined, n: string) => s?.fields?.find((f) => f.name === n)?.schema;
  if (name.includes('.')) {
    const [a, b] = name.split('.', 2);
    return field(field(envSchema, a), b) ?? null;
  }
  return field(envSchema, name) ?? field(field(envSchema, 'source'), name) ?? null;
}
