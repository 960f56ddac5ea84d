// Postgres sink with the Confluent JDBC sink's config (io.confluent.connect.jdbc.JdbcSinkConnector):
// each put() is written in one transaction (multi-row statements of batch.size rows); a
// failed write rolls back and throws, so the runtime neither commits the consumer offsets
// nor loses the batch — it redelivers it.
import pg from 'pg';
import { SinkConnector, SinkTask, RetriableException, ConfigException, Logical, type ConfigDef, type ConnectorContext, type Props, type Schema, type SinkRecord, type SinkTaskContext } from '../../../plugins/sdk/index.ts';
import { sinkConfigDef } from './config.ts';
import { CONNECTOR_VERSION } from './schema.ts';
import { bytesToBigint } from './types.ts';

// ---------- Connect schema -> Postgres column type ----------

/** The Postgres column type auto.create/auto.evolve use for a Connect schema (documented in README.md). */
export function sqlType(s: Schema): string {
  switch (s.name) {
    case Logical.Decimal: return 'numeric';
    case Logical.Date: case 'io.debezium.time.Date': return 'date';
    case Logical.Time: case 'io.debezium.time.Time': case 'io.debezium.time.MicroTime': case 'io.debezium.time.NanoTime': return 'time';
    case Logical.Timestamp: case 'io.debezium.time.Timestamp': case 'io.debezium.time.MicroTimestamp': case 'io.debezium.time.NanoTimestamp': return 'timestamp';
    case 'io.debezium.time.ZonedTimestamp': return 'timestamptz';
    case 'io.debezium.time.ZonedTime': return 'timetz';
    case 'io.debezium.time.MicroDuration': return 'interval';
    case 'io.debezium.data.Json': return 'jsonb';
    case 'io.debezium.data.Uuid': return 'uuid';
    case 'io.debezium.data.Xml': return 'xml';
    case 'io.debezium.data.VariableScaleDecimal': return 'numeric';
  }
  switch (s.type) {
    case 'int8': case 'int16': return 'smallint';
    case 'int32': return 'integer';
    case 'int64': return 'bigint';
    case 'float32': return 'real';
    case 'float64': return 'double precision';
    case 'boolean': return 'boolean';
    case 'string': return 'text';
    case 'bytes': return 'bytea';
    case 'array': return s.items && !['array', 'map', 'struct'].includes(s.items.type) ? `${sqlType(s.items)}[]` : 'jsonb';
    case 'map': case 'struct': return 'jsonb';
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoDate = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
function microsToTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const frac = pad(((us % 1_000_000) + 1_000_000) % 1_000_000, 6);
  return `${isoDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}`;
}
function microsToTime(us: number): string {
  const s = Math.floor(us / 1_000_000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us % 1_000_000, 6)}`;
}
const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('base64') : v);

/** A Connect value -> a parameter pg sends as text (or Buffer for bytea). */
export function sqlValue(s: Schema | null, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (s) {
    switch (s.name) {
      case 'io.debezium.time.Date': return isoDate(new Date(Number(v) * 86_400_000));
      case Logical.Date: return v instanceof Date ? isoDate(v) : isoDate(new Date(Number(v) * 86_400_000));
      case 'io.debezium.time.MicroTimestamp': return microsToTimestamp(Number(v));
      case 'io.debezium.time.NanoTimestamp': return microsToTimestamp(Math.floor(Number(v) / 1000));
      case 'io.debezium.time.Timestamp': return microsToTimestamp(Number(v) * 1000);
      case Logical.Timestamp: return microsToTimestamp((v instanceof Date ? v.getTime() : Number(v)) * 1000);
      case 'io.debezium.time.MicroTime': return microsToTime(Number(v));
      case 'io.debezium.time.Time': return microsToTime(Number(v) * 1000);
      case Logical.Time: return microsToTime((v instanceof Date ? v.getTime() % 86_400_000 : Number(v)) * 1000);
      case 'io.debezium.time.MicroDuration': return `${Number(v)} microseconds`;
      case 'io.debezium.data.VariableScaleDecimal': {
        const x = v as { scale: number; value: Buffer };
        const u = bytesToBigint(Buffer.from(x.value));
        const neg = u < 0n;
        let d = (neg ? -u : u).toString();
        if (x.scale > 0) { d = d.padStart(x.scale + 1, '0'); d = `${d.slice(0, -x.scale)}.${d.slice(-x.scale)}`; }
        return neg ? `-${d}` : d;
      }
    }
    if (s.type === 'map' || s.type === 'struct' || (s.type === 'array' && sqlType(s) === 'jsonb')) return JSON.stringify(v, jsonReplacer);
    if (s.type === 'array') return (v as unknown[]).map((x) => sqlValue(s.items ?? null, x));
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'object' && !Array.isArray(v)) return JSON.stringify(v, jsonReplacer);
  return v;
}

/** Schema for a schemaless value, so maps from JSON without schemas can be written too. */
function inferSchema(v: unknown): Schema {
  if (typeof v === 'number') return { type: Number.isInteger(v) ? 'int64' : 'float64', optional: true };
  if (typeof v === 'bigint') return { type: 'int64', optional: true };
  if (typeof v === 'boolean') return { type: 'boolean', optional: true };
  if (typeof v === 'string') return { type: 'string', optional: true };
  if (Buffer.isBuffer(v)) return { type: 'bytes', optional: true };
  if (v instanceof Date) return { type: 'int64', name: Logical.Timestamp, optional: true };
  return { type: 'struct', optional: true, fields: [] };
}

// ---------- connection ----------

export function parseConnectionUrl(url: string, user: string, password: string): pg.ClientConfig {
  const u = new URL(url.replace(/^jdbc:/, '').replace(/^postgresql:/, 'postgres:'));
  if (u.protocol !== 'postgres:') throw new ConfigException('connection.url', `Invalid value ${url} for configuration connection.url: expected jdbc:postgresql://host:port/db`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    user: user || u.searchParams.get('user') || decodeURIComponent(u.username) || undefined,
    password: password || u.searchParams.get('password') || decodeURIComponent(u.password) || undefined,
  };
}

const qi = (s: string) => '"' + s.replace(/"/g, '""') + '"';

interface TableState { schema: string; name: string; columns: Map<string, string> }

interface Row { table: string; kind: 'write' | 'delete'; pk: Record<string, unknown>; cols: Record<string, unknown>; schemas: Map<string, Schema> }

export class JdbcSinkTask extends SinkTask {
  private cfg!: Record<string, unknown>;
  private ctx!: SinkTaskContext;
  private client: pg.Client | null = null;
  private tables = new Map<string, TableState>();
  private clientConfig!: pg.ClientConfig;
  /** fields.whitelist + fields.include, computed once rather than per record */
  private include: string[] = [];
  /** rows written since start, for status and tests */
  written = 0;

  version(): string { return CONNECTOR_VERSION; }

  async start(props: Props, context: SinkTaskContext): Promise<void> {
    this.ctx = context;
    this.cfg = sinkConfigDef().parse(props);
    if (this.cfg['delete.enabled'] && this.cfg['pk.mode'] !== 'record_key') throw new ConfigException('delete.enabled', 'delete.enabled=true needs pk.mode=record_key');
    if (this.cfg['insert.mode'] !== 'insert' && this.cfg['pk.mode'] === 'none') throw new ConfigException('pk.mode', `insert.mode=${this.cfg['insert.mode']} needs a primary key (pk.mode other than none)`);
    this.include = [...(this.cfg['fields.whitelist'] as string[]), ...(this.cfg['fields.include'] as string[])];
    this.clientConfig = parseConnectionUrl(this.cfg['connection.url'] as string, this.cfg['connection.user'] as string, this.cfg['connection.password'] as string);
    await this.connect();
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = new pg.Client({ ...this.clientConfig, options: `-c TimeZone=${this.cfg['db.timezone']}` });
    c.on('error', () => { if (this.client === c) this.client = null; });
    await c.connect();
    this.client = c;
    return c;
  }

  private tableNames = new Map<string, { schema: string; name: string; id: string }>();

  /** The table a topic is written to (table.name.format), resolved once per topic. */
  private tableName(topic: string): { schema: string; name: string; id: string } {
    const known = this.tableNames.get(topic);
    if (known) return known;
    const full = (this.cfg['table.name.format'] as string).replace(/\$\{topic\}/g, topic);
    const parts = full.split('.');
    const name = parts[parts.length - 1];
    const schema = parts.length > 1 ? parts[parts.length - 2] : 'public';
    const t = { schema, name, id: `${schema}.${name}` };
    this.tableNames.set(topic, t);
    return t;
  }

  /** Turns a record into the row to write (or delete): primary key columns per pk.mode, value fields per fields.include. */
  private toRow(r: SinkRecord): Row | null {
    const mode = this.cfg['pk.mode'] as string;
    const pkFields = this.cfg['pk.fields'] as string[];
    const include = this.include;
    const pk: Record<string, unknown> = {};
    const schemas = new Map<string, Schema>();
    const t = this.tableName(r.topic);
    if (mode === 'kafka') {
      const [ct, cp, co] = pkFields.length === 3 ? pkFields : ['__connect_topic', '__connect_partition', '__connect_offset'];
      pk[ct] = r.topic; pk[cp] = r.kafkaPartition; pk[co] = r.kafkaOffset;
      schemas.set(ct, { type: 'string' }); schemas.set(cp, { type: 'int32' }); schemas.set(co, { type: 'int64' });
    } else if (mode === 'record_key') {
      if (r.key === null || r.key === undefined) throw new Error(`pk.mode=record_key but the record at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} has a null key`);
      if (typeof r.key === 'object' && !Buffer.isBuffer(r.key)) {
        const fields = r.keySchema?.fields?.map((f) => f.name) ?? Object.keys(r.key as object);
        for (const f of pkFields.length ? pkFields : fields) {
          pk[f] = (r.key as Record<string, unknown>)[f];
          schemas.set(f, r.keySchema?.fields?.find((x) => x.name === f)?.schema ?? inferSchema(pk[f]));
        }
      } else {
        const f = pkFields[0] ?? '__connect_key';
        pk[f] = r.key;
        schemas.set(f, r.keySchema ?? inferSchema(r.key));
      }
    }
    if (r.value === null || r.value === undefined) {
      if (!this.cfg['delete.enabled']) return null; // tombstones are skipped unless deletes are enabled
      return { table: t.id, kind: 'delete', pk, cols: {}, schemas };
    }
    if (typeof r.value !== 'object' || Array.isArray(r.value)) throw new Error(`the Postgres sink needs struct (or map) values; ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} has ${typeof r.value}`);
    const value = r.value as Record<string, unknown>;
    const valueFields = r.valueSchema?.fields ?? Object.keys(value).map((n) => ({ name: n, schema: inferSchema(value[n]) }));
    const cols: Record<string, unknown> = {};
    for (const f of valueFields) {
      if (include.length && !include.includes(f.name) && !(mode === 'record_value' && pkFields.includes(f.name))) continue;
      if (mode === 'record_value' && (pkFields.length ? pkFields.includes(f.name) : true)) pk[f.name] = value[f.name];
      else if (!(f.name in pk)) cols[f.name] = value[f.name];
      schemas.set(f.name, f.schema);
    }
    return { table: t.id, kind: 'write', pk, cols, schemas };
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (!records.length) return;
    const rows: Row[] = [];
    for (const r of records) {
      const row = this.toRow(r);
      if (row) rows.push(row);
    }
    if (!rows.length) return;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (e) {
      throw new RetriableException(`cannot connect to Postgres: ${(e as Error).message}`, { cause: e });
    }
    try {
      await client.query('BEGIN');
      // consecutive rows of the same table and kind form one statement group; order across groups is kept
      let i = 0;
      while (i < rows.length) {
        let j = i + 1;
        while (j < rows.length && rows[j].table === rows[i].table && rows[j].kind === rows[i].kind) j++;
        await this.writeGroup(client, rows.slice(i, j));
        i = j;
      }
      await client.query('COMMIT');
      this.written += rows.length;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      this.tables.clear(); // the table may have changed under us: read it again next time
      const err = e as Error & { code?: string };
      // connection problems and serialization failures are worth retrying; bad data is not
      if (!err.code || /^(08|40|57P)/.test(err.code)) {
        if (!err.code) { await this.client?.end().catch(() => {}); this.client = null; }
        throw new RetriableException(`Postgres write failed: ${err.message}`, { cause: e });
      }
      throw new Error(`Postgres write failed (${err.code}): ${err.message}`, { cause: e });
    }
  }

  private async ensureTable(client: pg.Client, id: string, rows: Row[]): Promise<TableState> {
    const [schema, name] = id.split('.');
    let t = this.tables.get(id) ?? (await this.readTable(client, schema, name));
    const needed = new Map<string, Schema>();
    for (const r of rows) for (const [k, s] of r.schemas) if (!needed.has(k)) needed.set(k, s);
    const pkCols = Object.keys(rows[0].pk);
    if (!t) {
      if (!this.cfg['auto.create']) throw new Error(`Table ${id} is missing and auto.create is disabled`);
      const cols = [...needed].map(([k, s]) => `${qi(k)} ${sqlType(s)}${pkCols.includes(k) || !s.optional ? ' NOT NULL' : ''}`);
      if (pkCols.length) cols.push(`PRIMARY KEY (${pkCols.map(qi).join(', ')})`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${qi(schema)}.${qi(name)} (${cols.join(', ')})`);
      this.ctx.logger.info({ table: id }, 'created table');
      t = (await this.readTable(client, schema, name))!;
    }
    const missing = [...needed].filter(([k]) => !t!.columns.has(k));
    if (missing.length) {
      if (!this.cfg['auto.evolve']) throw new Error(`Table ${id} lacks column(s) ${missing.map(([k]) => k).join(', ')} and auto.evolve is disabled`);
      for (const [k, s] of missing) {
        // added columns are nullable (rows already in the table have no value), unless the schema gives a default
        const dflt = s.default !== undefined && s.default !== null ? ` DEFAULT ${pgLiteral(sqlValue(s, s.default))}` : '';
        await client.query(`ALTER TABLE ${qi(schema)}.${qi(name)} ADD COLUMN IF NOT EXISTS ${qi(k)} ${sqlType(s)}${dflt}`);
        this.ctx.logger.info({ table: id, column: k }, 'added column');
      }
      t = (await this.readTable(client, schema, name))!;
    }
    this.tables.set(id, t);
    return t;
  }

  private async readTable(client: pg.Client, schema: string, name: string): Promise<TableState | null> {
    const r = await client.query('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, name]);
    if (!r.rowCount) return null;
    return { schema, name, columns: new Map(r.rows.map((x) => [x.column_name as string, x.data_type as string])) };
  }

  private async writeGroup(client: pg.Client, rows: Row[]): Promise<void> {
    const t = await this.ensureTable(client, rows[0].table, rows);
    const table = `${qi(t.schema)}.${qi(t.name)}`;
    const pkCols = Object.keys(rows[0].pk);
    const batch = this.cfg['batch.size'] as number;
    if (rows[0].kind === 'delete') {
      for (let i = 0; i < rows.length; i += batch) {
        const chunk = rows.slice(i, i + batch);
        const params: unknown[] = [];
        const tuples = chunk.map((r) => `(${pkCols.map((c) => { params.push(sqlValue(r.schemas.get(c) ?? null, r.pk[c])); return `$${params.length}`; }).join(', ')})`);
        await client.query(`DELETE FROM ${table} WHERE (${pkCols.map(qi).join(', ')}) IN (${tuples.join(', ')})`, params);
      }
      return;
    }
    const mode = this.cfg['insert.mode'] as string;
    const colSet = new Set<string>(pkCols);
    for (const r of rows) for (const c of Object.keys(r.cols)) colSet.add(c);
    const cols = [...colSet];
    if (mode === 'update') {
      for (const r of rows) {
        const params: unknown[] = [];
        const sets = Object.keys(r.cols).map((c) => { params.push(sqlValue(r.schemas.get(c) ?? null, r.cols[c])); return `${qi(c)} = $${params.length}`; });
        if (!sets.length) continue;
        const where = pkCols.map((c) => { params.push(sqlValue(r.schemas.get(c) ?? null, r.pk[c])); return `${qi(c)} = $${params.length}`; });
        await client.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`, params);
      }
      return;
    }
    let list = rows;
    if (mode === 'upsert') {
      // one statement cannot touch a row twice: keep the last write per key (they are in order)
      const byKey = new Map<string, Row>();
      for (const r of rows) { const k = JSON.stringify(pkCols.map((c) => sqlValue(r.schemas.get(c) ?? null, r.pk[c]))); byKey.delete(k); byKey.set(k, r); }
      list = [...byKey.values()];
    }
    const perStatement = Math.max(1, Math.min(batch, Math.floor(60000 / cols.length)));
    for (let i = 0; i < list.length; i += perStatement) {
      const chunk = list.slice(i, i + perStatement);
      const params: unknown[] = [];
      const tuples = chunk.map((r) => `(${cols.map((c) => {
        const v = c in r.pk ? r.pk[c] : r.cols[c];
        if (!(c in r.pk) && !(c in r.cols)) return 'DEFAULT';
        params.push(sqlValue(r.schemas.get(c) ?? null, v));
        return `$${params.length}`;
      }).join(', ')})`);
      let sql = `INSERT INTO ${table} (${cols.map(qi).join(', ')}) VALUES ${tuples.join(', ')}`;
      if (mode === 'upsert') {
        const nonPk = cols.filter((c) => !pkCols.includes(c));
        sql += ` ON CONFLICT (${pkCols.map(qi).join(', ')}) DO ${nonPk.length ? `UPDATE SET ${nonPk.map((c) => `${qi(c)} = EXCLUDED.${qi(c)}`).join(', ')}` : 'NOTHING'}`;
      }
      await client.query(sql, params);
    }
  }

  /** Writes happen in put(); nothing is buffered, so the offsets the runtime commits are all written. */
  async flush(_currentOffsets: Map<string, number>): Promise<void> {}

  async stop(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}

function pgLiteral(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

export class JdbcSinkConnector extends SinkConnector {
  private props: Props = {};
  version(): string { return CONNECTOR_VERSION; }
  config(): ConfigDef { return sinkConfigDef(); }
  taskClass() { return JdbcSinkTask; }
  start(props: Props, _context: ConnectorContext): void {
    sinkConfigDef().parse(props);
    this.props = props;
  }
  taskConfigs(maxTasks: number): Props[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }
  stop(): void {}
  async validate(props: Props): Promise<Record<string, string[]>> {
    if (!props['connection.url']) return {};
    try {
      const c = new pg.Client({ ...parseConnectionUrl(props['connection.url'], props['connection.user'] ?? '', props['connection.password'] ?? ''), connectionTimeoutMillis: 5000 });
      c.on('error', () => {});
      await c.connect();
      await c.end();
      return {};
    } catch (e) {
      return { 'connection.url': [`cannot connect: ${(e as Error).message}`] };
    }
  }
}
