// Postgres CDC source task: a consistent snapshot (exported with the slot) read in
// primary-key chunks, then pgoutput streaming. The slot's confirmed LSN moves only in
// commit(), i.e. after the runtime committed the offsets of records the broker acked:
// a crash replays from the last confirmed transaction (duplicates, never gaps).
import pg from 'pg';
import { SourceTask, RetriableException, S, type Props, type SourceRecord, type SourceTaskContext, type Schema, type StructValue } from '../../../plugins/sdk/index.ts';
import { sourceConfigDef } from './config.ts';
import { ReplicationConnection, textClient, type PgConnectionOptions } from './replication.ts';
import { decodePgOutput, parseFrame, type PgOutputMessage, type TupleValue } from './pgoutput.ts';
import { formatLsn, lsnFrom, readLsn, writeDigits } from './lsn.ts';
import { buildTable, eventBytes, keyValue, rowValue, CONNECTOR_VERSION, type RawColumn, type TableInfo } from './schema.ts';
import type { DecimalMode } from './types.ts';

const MAX_SEQ = 2 ** 31;

interface ResumePosition { lsnCommit: bigint; txSeq: number }

/** Received frames are copied one after another into slabs of this size (a larger frame gets a slab of its own). */
const SLAB_BYTES = 1 << 20;
/** polled-out slabs kept for the next ones (at most this many MiB held while nothing is queued) */
const SPARE_SLABS = 4;

/** A transaction seen on the stream, in commit order, waiting for its records to be committed. */
interface PendingTx { commitLsn: bigint; lastSeq: number; endLsn: bigint; complete: boolean }

/** commitMs/commitUs: the commit time as numbers, converted once per transaction rather than per row */
interface OpenTx { xid: number; finalLsn: bigint; finalLsnNum: number; commitTimeUs: bigint; commitMs: number; commitUs: number; seq: number; pending: PendingTx }

interface SnapshotTable { table: TableInfo; pkCols: string[]; pkTypes: string[]; lastKey: string[] | null; done: boolean; rows: number; estimate: number }

export interface CdcStatus {
  phase: 'starting' | 'snapshot' | 'streaming' | 'snapshot-complete' | 'stopped';
  slot: string;
  confirmedLsn: string | null;
  lastReceivedLsn: string | null;
  slotLagBytes: number | null;
  /** how long ago the server's WAL was where the slot's confirmed position is now (0 when caught up) */
  slotLagSeconds: number | null;
  walRetainedBytes: number | null;
  snapshot?: { tablesDone: number; tablesTotal: number; rows: number };
}

export class PostgresSourceTask extends SourceTask {
  private cfg!: Record<string, unknown>;
  private ctx!: SourceTaskContext;
  private conn!: PgConnectionOptions;
  private prefix = '';
  private meta: pg.Client | null = null;
  private repl: ReplicationConnection | null = null;
  private snap: pg.Client | null = null;
  private snapTables: SnapshotTable[] = [];
  private snapIndex = 0;
  private snapRows = 0;
  private snapTxId: number | null = null;
  private snapLsn = 0n;
  private heldBack: SourceRecord | null = null;
  private snapBuffer: { rec: SourceRecord; bytes: number }[] = [];
  private firstSnapshotRecord = true;
  private streamAfterSnapshot = true;

  /**
   * Received, not yet polled: frame i is frameLen[i] bytes at frameAt[i] in frames[i] (a slab), for
   * i in framesHead..framesTail (the arrays are reused, not grown anew after each drain); shift() of
   * thousands of queued frames was ~4% of the task thread. Frames are
   * copied into slabs and decoded when polled: no object per queued frame (decoded on arrival,
   * a full queue's messages outlived young-generation collections).
   */
  private frames: Buffer[] = [];
  private frameAt: number[] = [];
  private frameLen: number[] = [];
  private framesHead = 0;
  private framesTail = 0;
  private slab: Buffer = Buffer.allocUnsafe(0);
  private slabPos = 0;
  /**
   * Slabs whose frames were all polled, filled again rather than a new 1 MiB slab allocated: a slab
   * lives while its frames wait (often past two young-generation collections: promoted), a promoted
   * one's bytes are freed only by a full collection, and V8 counts external memory grown since the
   * last full collection against the old generation's limit: with ~8 MB of headroom left there, the
   * task thread of a CDC bulk ran a full collection (marking its heap) every few hundred ms.
   */
  private spareSlabs: Buffer[] = [];
  private wake: (() => void) | null = null;
  private paused = false;
  /** max.queue.size (read per received frame: a field, not a lookup in the parsed config) */
  private maxQueue = 0;
  private relations = new Map<number, TableInfo | null>();
  /** a known table's integer columns: their values are decoded as numbers (no string per column to make and parse) */
  private integerColumns = (relationOid: number): Uint8Array | undefined => this.relations.get(relationOid)?.integers;
  private openTx: OpenTx | null = null;
  private pending: PendingTx[] = [];
  private lastCompleteCommitLsn = 0n;
  private lastCommitEndLsn = 0n;
  /** the start of source.sequence's JSON text, [lastCommitEndLsn, lsn], up to the LSN's digits, for the rows of the next transaction */
  private sequencePrefix = '[null,"';
  /**
   * sequencePrefix's bytes, then room for an LSN's: a streamed row's source.sequence is read from here as one flat
   * string (concatenated, it was a string of pieces that the converter's first read of it copied into one)
   */
  private sequenceBytes = Buffer.from('[null,"'.padEnd(64));
  private sequencePrefixLength = 7;
  private partitionValue: Record<string, unknown> = { server: '' };
  private resume: ResumePosition | null = null;
  /** position of the last record handed to the runtime: where a reconnect resumes */
  private lastEmitted: ResumePosition | null = null;
  /** the transaction of the last record handed over, and that record's sequence (lastEmitted is made from them when needed: no object per record) */
  private lastEmittedTx: OpenTx | null = null;
  private lastEmittedSeq = 0;
  private reconnectFailures = 0;
  /** estimated bytes of the records gathered by the current poll */
  private batchBytes = 0;
  /** whether the value converter writes the schema into every record (JsonConverter, schemas.enable=true) */
  private inlineSchemas = true;
  private confirmed = 0n;
  private lastReceived: number | bigint = 0;
  private timers: NodeJS.Timeout[] = [];
  private heartbeatDue = false;
  private stopped = false;
  private phase: CdcStatus['phase'] = 'starting';
  private lag: { slotLagBytes: number | null; slotLagSeconds: number | null; walRetainedBytes: number | null } = { slotLagBytes: null, slotLagSeconds: null, walRetainedBytes: null };
  /** (time, server WAL position) at each lag refresh: maps the confirmed LSN back to a time */
  private walTimes: { t: number; lsn: bigint }[] = [];

  private include: { schemaInc: RegExp[]; schemaExc: RegExp[]; tableInc: RegExp[]; tableExc: RegExp[]; colInc: RegExp[]; colExc: RegExp[] } = { schemaInc: [], schemaExc: [], tableInc: [], tableExc: [], colInc: [], colExc: [] };
  private skipped = new Set<string>();

  version(): string { return CONNECTOR_VERSION; }

  /** one object for every record (it was a new one per record); set by start() */
  get partition(): Record<string, unknown> { return this.partitionValue; }

  async start(props: Props, context: SourceTaskContext): Promise<void> {
    this.ctx = context;
    this.cfg = sourceConfigDef().parse(props);
    const c = this.cfg;
    this.prefix = c['topic.prefix'] as string;
    this.maxQueue = c['max.queue.size'] as number;
    this.partitionValue = { server: this.prefix };
    this.conn = { host: c['database.hostname'] as string, port: c['database.port'] as number, user: c['database.user'] as string, password: (c['database.password'] as string) || undefined, database: c['database.dbname'] as string };
    const re = (l: unknown) => (l as string[]).map((s) => new RegExp(`^(?:${s})$`, 'i'));
    this.include = { schemaInc: re(c['schema.include.list']), schemaExc: re(c['schema.exclude.list']), tableInc: re(c['table.include.list']), tableExc: re(c['table.exclude.list']), colInc: re(c['column.include.list']), colExc: re(c['column.exclude.list']) };
    this.skipped = new Set((c['skipped.operations'] as string[]).filter((x) => x !== 'none'));
    const conv = props['value.converter'];
    this.inlineSchemas = (!conv || /JsonConverter$/.test(conv)) && props['value.converter.schemas.enable'] !== 'false';

    this.meta = textClient(this.conn);
    this.meta.on('error', (e) => this.ctx.logger.warn({ err: e.message }, 'postgres metadata connection error'));
    await this.meta.connect();
    const wal = (await this.meta.query('SHOW wal_level')).rows[0].wal_level;
    if (wal !== 'logical') throw new Error(`Postgres wal_level is ${wal}; logical replication needs wal_level=logical`);
    await this.ensurePublication();

    const slot = c['slot.name'] as string;
    const offset = await this.ctx.offsetStorageReader.offset(this.partition);
    const snapshotIncomplete = !!offset && offset.snapshot === true && offset.last_snapshot_record !== true;
    let slotExists = (await this.meta.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount! > 0;
    const mode = c['snapshot.mode'] as string;
    const needSnapshot = mode === 'always' || ((mode === 'initial' || mode === 'initial_only') && (!offset || snapshotIncomplete)) || (mode === 'when_needed' && (!offset || snapshotIncomplete || !slotExists));
    this.streamAfterSnapshot = mode !== 'initial_only';
    if (mode === 'initial_only' && offset && !snapshotIncomplete) {
      this.phase = 'snapshot-complete';
      return;
    }
    if (needSnapshot && slotExists) {
      // The exported snapshot must line up with the slot's start: recreate the slot (it belongs to this connector).
      await this.waitSlotInactive(slot);
      await this.meta.query('SELECT pg_drop_replication_slot($1)', [slot]);
      slotExists = false;
    }
    if (slotExists) await this.waitSlotInactive(slot);
    this.repl = new ReplicationConnection(this.conn);
    await this.repl.connect();
    if (!slotExists) {
      const info = await this.repl.createSlot(slot, needSnapshot);
      this.ctx.logger.info({ slot, consistentPoint: formatLsn(info.consistentPoint) }, 'created replication slot');
      if (needSnapshot) {
        await this.beginSnapshot(info.snapshotName!, info.consistentPoint);
        return;
      }
      if (!offset) this.resume = { lsnCommit: info.consistentPoint, txSeq: -1 };
    }
    if (offset && !snapshotIncomplete) {
      const lc = lsnFrom(offset.lsn_commit) ?? lsnFrom(offset.lsn) ?? 0n;
      this.resume = { lsnCommit: lc, txSeq: typeof offset.tx_seq === 'number' ? offset.tx_seq : offset.last_snapshot_record ? -1 : MAX_SEQ };
    }
    this.startStreaming();
  }

  // ---------- filters and catalog ----------

  private tableIncluded(schema: string, table: string): boolean {
    const { schemaInc, schemaExc, tableInc, tableExc } = this.include;
    if (['pg_catalog', 'information_schema'].includes(schema) || schema.startsWith('pg_toast') || schema.startsWith('pg_temp')) return false;
    if (schemaInc.length && !schemaInc.some((r) => r.test(schema))) return false;
    if (schemaExc.some((r) => r.test(schema))) return false;
    const id = `${schema}.${table}`;
    if (tableInc.length && !tableInc.some((r) => r.test(id))) return false;
    if (tableExc.some((r) => r.test(id))) return false;
    return true;
  }

  private columnIncluded = (col: string): boolean => {
    const { colInc, colExc } = this.include;
    if (colInc.length && !colInc.some((r) => r.test(col))) return false;
    return !colExc.some((r) => r.test(col));
  };

  private async ensurePublication(): Promise<void> {
    const name = this.cfg['publication.name'] as string;
    const mode = this.cfg['publication.autocreate.mode'] as string;
    const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
    const exists = (await this.meta!.query('SELECT puballtables FROM pg_publication WHERE pubname = $1', [name])).rows[0];
    if (mode === 'disabled') {
      if (!exists) throw new Error(`publication ${name} does not exist and publication.autocreate.mode is disabled`);
      return;
    }
    if (mode === 'all_tables') {
      if (!exists) await this.meta!.query(`CREATE PUBLICATION ${q(name)} FOR ALL TABLES`);
      return;
    }
    const tables = (await this.listTables()).map((t) => `${q(t.schema)}.${q(t.name)}`);
    if (!tables.length) throw new Error('publication.autocreate.mode=filtered but no table matches the include lists');
    if (!exists) await this.meta!.query(`CREATE PUBLICATION ${q(name)} FOR TABLE ${tables.join(', ')}`);
    else await this.meta!.query(`ALTER PUBLICATION ${q(name)} SET TABLE ${tables.join(', ')}`);
  }

  private async listTables(client: pg.Client = this.meta!): Promise<{ oid: number; schema: string; name: string; replident: string; estimate: number }[]> {
    const r = await client.query(`SELECT c.oid, n.nspname, c.relname, c.relreplident, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r','p') AND NOT c.relispartition ORDER BY n.nspname, c.relname`);
    return r.rows
      .map((x) => ({ oid: Number(x.oid), schema: x.nspname as string, name: x.relname as string, replident: x.relreplident as string, estimate: Math.max(0, Number(x.reltuples)) }))
      .filter((t) => this.tableIncluded(t.schema, t.name));
  }

  /** Columns with nullability and primary-key position, as the catalog sees them now. */
  private async catalogColumns(client: pg.Client, relOid: number): Promise<Map<string, { typeOid: number; typmod: number; notNull: boolean; keyPos: number }>> {
    const r = await client.query(`SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
        coalesce(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1), -1) AS keypos
      FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [relOid]);
    const m = new Map<string, { typeOid: number; typmod: number; notNull: boolean; keyPos: number }>();
    for (const x of r.rows) m.set(x.attname, { typeOid: Number(x.atttypid), typmod: Number(x.atttypmod), notNull: x.attnotnull === 't' || x.attnotnull === true, keyPos: Number(x.keypos) });
    return m;
  }

  private makeTable(schema: string, name: string, replident: string, raw: RawColumn[]): TableInfo {
    return buildTable(this.prefix, schema, name, replident, raw, { decimalMode: this.cfg['decimal.handling.mode'] as DecimalMode, columnIncluded: this.columnIncluded });
  }

  // ---------- snapshot ----------

  private async beginSnapshot(snapshotName: string, consistentPoint: bigint): Promise<void> {
    this.phase = 'snapshot';
    this.snapLsn = consistentPoint;
    this.snap = textClient(this.conn);
    this.snap.on('error', () => {});
    await this.snap.connect();
    await this.snap.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await this.snap.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
    this.snapTxId = Number((await this.snap.query('SELECT txid_snapshot_xmin(txid_current_snapshot()) AS x')).rows[0].x);
    for (const t of await this.listTables(this.snap)) {
      const cols = await this.catalogColumns(this.snap, t.oid);
      const raw: RawColumn[] = [...cols].map(([n, v]) => ({ name: n, ...v }));
      const table = this.makeTable(t.schema, t.name, t.replident, raw);
      const pkCols = raw.filter((c) => c.keyPos >= 0).sort((a, b) => a.keyPos - b.keyPos).map((c) => c.name);
      const pkTypes: string[] = [];
      for (const c of pkCols) pkTypes.push((await this.snap.query('SELECT format_type(atttypid, NULL) AS t FROM pg_attribute WHERE attrelid = $1 AND attname = $2', [t.oid, c])).rows[0].t);
      this.snapTables.push({ table, pkCols, pkTypes, lastKey: null, done: false, rows: 0, estimate: t.estimate });
    }
    this.ctx.logger.info({ tables: this.snapTables.map((t) => t.table.id), lsn: formatLsn(consistentPoint) }, 'snapshot started');
    this.reportProgress();
  }

  private async pollSnapshot(): Promise<SourceRecord[]> {
    const fetch = this.cfg['snapshot.fetch.size'] as number;
    // read a whole chunk per query, hand it out in polls of at most max.batch.size / max.batch.bytes
    while (!this.snapBuffer.length && this.snapIndex < this.snapTables.length) {
      const st = this.snapTables[this.snapIndex];
      const qi = (s: string) => '"' + s.replace(/"/g, '""') + '"';
      const tname = `${qi(st.table.schema)}.${qi(st.table.name)}`;
      let rows: Record<string, string | null>[];
      if (st.pkCols.length) {
        // keyset chunk by primary key; the previous chunk's last key as text, cast by Postgres
        const cols = st.pkCols.map(qi).join(', ');
        const where = st.lastKey ? `WHERE (${cols}) > (${st.pkCols.map((c, i) => `$${i + 1}::${st.pkTypes[i]}`).join(', ')})` : '';
        rows = (await this.snap!.query({ text: `SELECT * FROM ${tname} ${where} ORDER BY ${cols} LIMIT ${fetch}`, values: st.lastKey ?? [] })).rows;
        if (rows.length) st.lastKey = st.pkCols.map((c) => rows[rows.length - 1][c] as string);
        if (rows.length < fetch) st.done = true;
      } else {
        if (st.rows === 0 && !st.lastKey) await this.snap!.query(`DECLARE snap_cur NO SCROLL CURSOR FOR SELECT * FROM ${tname}`);
        st.lastKey = [];
        rows = (await this.snap!.query(`FETCH ${fetch} FROM snap_cur`)).rows;
        if (rows.length < fetch) { st.done = true; await this.snap!.query('CLOSE snap_cur'); }
      }
      st.rows += rows.length;
      this.snapRows += rows.length;
      for (const row of rows) {
        const values = st.table.columns.map((c) => row[c.name] ?? null);
        this.snapBuffer.push({ rec: this.snapshotRecord(st.table, values), bytes: eventBytes(st.table, values, this.inlineSchemas) });
      }
      if (st.done) {
        this.ctx.logger.info({ table: st.table.id, rows: st.rows }, 'snapshot of table done');
        this.snapIndex++;
      }
      this.reportProgress();
    }
    const max = this.cfg['max.batch.size'] as number;
    const maxBytes = this.cfg['max.batch.bytes'] as number;
    const out: SourceRecord[] = [];
    let bytes = 0;
    let taken = 0;
    while (taken < this.snapBuffer.length && out.length < max && (out.length === 0 || bytes + this.snapBuffer[taken].bytes <= maxBytes)) {
      bytes += this.snapBuffer[taken].bytes;
      out.push(this.snapBuffer[taken++].rec);
    }
    this.snapBuffer = taken >= this.snapBuffer.length ? [] : this.snapBuffer.slice(taken);
    // hold back the newest record so the very last one can be marked snapshot=last
    if (this.heldBack) out.unshift(this.heldBack);
    this.heldBack = out.pop() ?? null;
    if (this.snapIndex >= this.snapTables.length && !this.snapBuffer.length) {
      if (this.heldBack) {
        const last = this.heldBack;
        (last.value as StructValue).source = { ...((last.value as StructValue).source as StructValue), snapshot: 'last' };
        last.sourceOffset = { ...last.sourceOffset, last_snapshot_record: true };
        out.push(last);
        this.heldBack = null;
      }
      await this.finishSnapshot();
    }
    return out;
  }

  private snapshotRecord(t: TableInfo, values: (string | null)[]): SourceRecord {
    const nowMs = Date.now();
    const snapshot = this.firstSnapshotRecord ? 'first' : 'true';
    this.firstSnapshotRecord = false;
    const source = this.sourceBlock(t, { tsMs: nowMs, tsUs: nowMs * 1000, snapshot, txId: this.snapTxId, lsn: this.snapLsn, sequence: JSON.stringify([null, String(this.snapLsn)]) });
    return {
      sourcePartition: this.partition,
      sourceOffset: { lsn: Number(this.snapLsn), lsn_commit: Number(this.snapLsn), txId: this.snapTxId, ts_usec: nowMs * 1000, tx_seq: -1, snapshot: true, last_snapshot_record: false },
      topic: t.topic,
      keySchema: t.keySchema,
      key: keyValue(t, values),
      valueSchema: t.envelopeSchema,
      value: { before: null, after: rowValue(t, values), source, op: 'r', ts_ms: nowMs, ts_us: nowMs * 1000, transaction: null },
    };
  }

  private async finishSnapshot(): Promise<void> {
    await this.snap!.query('COMMIT').catch(() => {});
    await this.snap!.end().catch(() => {});
    this.snap = null;
    this.ctx.logger.info({ rows: this.snapRows, tables: this.snapTables.length }, 'snapshot completed');
    this.resume = { lsnCommit: this.snapLsn, txSeq: -1 };
    this.reportProgress();
    if (this.streamAfterSnapshot) this.startStreaming();
    else {
      this.phase = 'snapshot-complete';
      await this.repl?.close();
      this.repl = null;
    }
  }

  // ---------- streaming ----------

  private startStreaming(): void {
    this.phase = 'streaming';
    const slot = this.cfg['slot.name'] as string;
    const start = this.resume?.lsnCommit ?? 0n;
    this.confirmed = 0n;
    this.repl!.startReplication(slot, start, this.cfg['publication.name'] as string, (chunk) => this.onFrame(chunk));
    this.ctx.logger.info({ slot, start: formatLsn(start) }, 'streaming started');
    const statusMs = this.cfg['status.update.interval.ms'] as number;
    this.timers.push(setInterval(() => {
      if (this.confirmed > 0n) this.repl?.sendStatus(this.confirmed);
      void this.refreshLag();
    }, statusMs));
    const hb = this.cfg['heartbeat.interval.ms'] as number;
    if (hb > 0) {
      this.timers.push(setInterval(() => {
        this.heartbeatDue = true;
        // ask the walsender for a keepalive carrying its current position
        this.repl?.sendStatus(this.confirmed, true);
      }, hb));
    }
    for (const t of this.timers) t.unref();
  }

  /** A frame as it arrives (a view of pg's read buffer): copied into the slab, queued. */
  private onFrame(chunk: Buffer): void {
    const t = chunk[0];
    // (parseFrame throws on a frame type it does not know: the replication connection's error, as before)
    if (t !== 0x77 /* w */ && t !== 0x6b /* k */) parseFrame(chunk);
    if (t === 0x6b && chunk[17] === 1) {
      // a keepalive asking for an answer: what is committed, never what was received
      this.repl?.sendStatus(this.confirmed);
    }
    const n = chunk.length;
    if (this.slabPos + n > this.slab.length) {
      this.slab = n <= SLAB_BYTES ? this.spareSlabs.pop() ?? Buffer.allocUnsafe(SLAB_BYTES) : Buffer.allocUnsafe(n);
      this.slabPos = 0;
    }
    this.slab.set(chunk, this.slabPos);
    const i = this.framesTail++;
    this.frames[i] = this.slab;
    this.frameAt[i] = this.slabPos;
    this.frameLen[i] = n;
    this.slabPos += n;
    if (!this.paused && this.framesTail - this.framesHead >= this.maxQueue) {
      this.paused = true;
      this.repl?.pause();
    }
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private clearFrames(): void {
    this.framesHead = 0;
    this.framesTail = 0;
    // nothing queued refers to the slab any more: it is filled again from its start
    this.slabPos = 0;
  }

  /** Frame h of `slab` was decoded: the slab is spare if it was its last queued frame (frames are queued in the order slabs are filled). */
  private polled(slab: Buffer, h: number): void {
    if (slab !== this.slab && (h + 1 === this.framesTail || this.frames[h + 1] !== slab) && slab.length === SLAB_BYTES && this.spareSlabs.length < SPARE_SLABS) this.spareSlabs.push(slab);
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (this.phase === 'snapshot') return this.pollSnapshot();
    if (this.phase !== 'streaming') {
      await sleep(200);
      return null;
    }
    if (this.repl?.error || this.repl?.closed) {
      await this.reconnect();
      return null;
    }
    if (this.framesHead >= this.framesTail) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 250).unref();
      });
      this.wake = null;
    }
    const max = this.cfg['max.batch.size'] as number;
    const maxBytes = this.cfg['max.batch.bytes'] as number;
    const out: SourceRecord[] = [];
    this.batchBytes = 0;
    while (this.framesHead < this.framesTail && out.length < max && this.batchBytes < maxBytes) {
      const h = this.framesHead++;
      const buf = this.frames[h], at = this.frameAt[h], end = at + this.frameLen[h];
      this.frames[h] = undefined as unknown as Buffer; // let the polled frame's slab go
      if (buf[at] === 0x6b /* k */) {
        const f = parseFrame(buf.subarray(at, end));
        this.polled(buf, h);
        if (f.walEnd > this.lastReceived) this.lastReceived = f.walEnd;
        if (this.heartbeatDue && !this.openTx) {
          this.heartbeatDue = false;
          out.push(this.heartbeatRecord(f.walEnd));
        }
        continue;
      }
      // XLogData: dataStart, walEnd, (send time), then the message; the LSNs as numbers (exact below 2^53: petabytes of WAL)
      if (end - at < 26) throw new RangeError(`replication: XLogData frame of ${end - at} bytes`);
      const dataStart = readLsn(buf, at + 1), walEnd = readLsn(buf, at + 9);
      if (walEnd > this.lastReceived) this.lastReceived = walEnd;
      // only a relation message waits (for the catalog): no promise per row
      const m = decodePgOutput(buf, at + 25, end, this.integerColumns);
      this.polled(buf, h);
      const wait = this.handle(m, dataStart, out);
      if (wait) await wait;
    }
    // the queue drained: filled again from the start; or the unpolled rest moved to the front once the polled head is most of it
    if (this.framesHead >= this.framesTail) this.clearFrames();
    else if (this.framesHead > 1024 && this.framesHead * 2 > this.framesTail) {
      const h = this.framesHead, n = this.framesTail - h;
      this.frames.copyWithin(0, h, this.framesTail); this.frameAt.copyWithin(0, h, this.framesTail); this.frameLen.copyWithin(0, h, this.framesTail);
      this.frames.fill(undefined as unknown as Buffer, n, this.framesTail);
      this.framesHead = 0;
      this.framesTail = n;
    }
    if (this.paused && this.framesTail - this.framesHead < this.maxQueue / 2) {
      this.paused = false;
      this.repl?.resume();
    }
    return out.length ? out : null;
  }

  /** A decoded message; only a relation message (a catalog query) is asynchronous. */
  private handle(m: PgOutputMessage, lsn: number | bigint, out: SourceRecord[]): Promise<void> | undefined {
    switch (m.tag) {
      case 'begin': {
        const pending: PendingTx = { commitLsn: m.finalLsn, lastSeq: -1, endLsn: 0n, complete: false };
        this.pending.push(pending);
        this.openTx = { xid: m.xid, finalLsn: m.finalLsn, finalLsnNum: Number(m.finalLsn), commitTimeUs: m.commitTimeUs, commitMs: Number(m.commitTimeUs / 1000n), commitUs: Number(m.commitTimeUs), seq: 0, pending };
        return;
      }
      case 'commit': {
        const tx = this.openTx;
        if (tx) {
          tx.pending.complete = true;
          tx.pending.endLsn = m.endLsn;
          tx.pending.lastSeq = tx.seq - 1;
        }
        this.lastCompleteCommitLsn = m.commitLsn;
        this.lastCommitEndLsn = m.endLsn;
        this.sequencePrefix = m.endLsn ? `["${m.endLsn}","` : '[null,"';
        this.sequencePrefixLength = this.sequenceBytes.write(this.sequencePrefix, 0, 'latin1');
        this.openTx = null;
        return;
      }
      case 'relation': return this.relation(m);
      case 'insert': case 'update': case 'delete': case 'truncate':
        break;
      default:
        return;
    }
    const tx = this.openTx;
    if (!tx) return;
    // per row: methods rather than closures made anew for every change (these were ~5% of a CDC run)
    if (m.tag === 'truncate') {
      for (const oid of m.relationOids) {
        const t = this.relations.get(oid);
        if (!t || this.skipped.has('t')) { if (t) tx.seq++; continue; }
        this.emit(tx, lsn, out, t, null, null, t.envelopeSchema, this.envelope(tx, lsn, t, 't', null, null));
      }
      return;
    }
    const t = this.relations.get(m.relationOid);
    if (!t) return;
    if (m.tag === 'insert') {
      this.change(tx, lsn, out, t, 'c', m.newTuple, null, rowValue(t, m.newTuple));
    } else if (m.tag === 'update') {
      const oldKey = m.oldTuple ? keyValue(t, m.oldTuple) : null;
      const oldKeyText = oldKey ? JSON.stringify(oldKey, jsonSafe) : null;
      const newKeyText = oldKeyText !== null ? JSON.stringify(keyValue(t, m.newTuple), jsonSafe) : null;
      if (m.oldTuple && oldKeyText !== null && oldKeyText !== newKeyText) {
        // primary key change: delete of the old key (+ tombstone) and create of the new one, as Debezium does
        this.change(tx, lsn, out, t, 'd', m.oldTuple, rowValue(t, m.oldTuple), null, [{ key: '__debezium.newkey', value: newKeyText }]);
        this.tombstone(tx, lsn, out, t, m.oldTuple);
        this.change(tx, lsn, out, t, 'c', m.newTuple, null, rowValue(t, m.newTuple), [{ key: '__debezium.oldkey', value: oldKeyText }]);
      } else {
        this.change(tx, lsn, out, t, 'u', m.newTuple, m.oldKind === 'O' && m.oldTuple ? rowValue(t, m.oldTuple) : null, rowValue(t, m.newTuple));
      }
    } else if (m.tag === 'delete') {
      this.change(tx, lsn, out, t, 'd', m.oldTuple, rowValue(t, m.oldTuple), null);
      this.tombstone(tx, lsn, out, t, m.oldTuple);
    }
  }

  private async relation(m: Extract<PgOutputMessage, { tag: 'relation' }>): Promise<void> {
    if (!this.tableIncluded(m.schema, m.name)) { this.relations.set(m.relationOid, null); return; }
    const cat = await this.catalogColumns(this.meta!, m.relationOid).catch(() => new Map<string, { typeOid: number; typmod: number; notNull: boolean; keyPos: number }>());
    const hasPk = [...cat.values()].some((c) => c.keyPos >= 0);
    let identPos = 0;
    const raw: RawColumn[] = m.columns.map((c) => {
      const k = cat.get(c.name);
      const keyPos = hasPk ? (k?.keyPos ?? -1) : m.replicaIdentity !== 'f' && (c.flags & 1) ? identPos++ : -1;
      return { name: c.name, typeOid: c.typeOid, typmod: c.typmod, notNull: (k?.notNull ?? false) || keyPos >= 0, keyPos };
    });
    const prev = this.relations.get(m.relationOid);
    const t = this.makeTable(m.schema, m.name, m.replicaIdentity, raw);
    if (prev && prev.columns.map((c) => c.name).join() !== t.columns.map((c) => c.name).join()) {
      this.ctx.logger.info({ table: t.id, columns: t.columns.map((c) => c.name) }, 'table schema changed');
    }
    this.relations.set(m.relationOid, t);
  }

  /** One change event of a row (op c/u/d), or only its sequence number when the op is skipped. */
  private change(tx: OpenTx, lsn: number | bigint, out: SourceRecord[], t: TableInfo, op: string, keyVals: TupleValue[], before: StructValue | null, after: StructValue | null, headers?: SourceRecord['headers']): void {
    this.batchBytes += eventBytes(t, keyVals, this.inlineSchemas);
    if (!this.skipped.has(op)) this.emit(tx, lsn, out, t, t.keySchema, keyValue(t, keyVals), t.envelopeSchema, this.envelope(tx, lsn, t, op, before, after), headers);
    else tx.seq++;
  }

  private tombstone(tx: OpenTx, lsn: number | bigint, out: SourceRecord[], t: TableInfo, keyVals: TupleValue[]): void {
    if (this.cfg['tombstones.on.delete'] as boolean && !this.skipped.has('d')) this.emit(tx, lsn, out, t, t.keySchema, keyValue(t, keyVals), null, null);
  }

  private emit(tx: OpenTx, lsn: number | bigint, out: SourceRecord[], t: TableInfo, keySchema: SourceRecord['keySchema'], key: unknown, valueSchema: SourceRecord['valueSchema'], value: unknown, headers?: SourceRecord['headers']): void {
    const seq = tx.seq++;
    if (this.resume && (tx.finalLsn < this.resume.lsnCommit || (tx.finalLsn === this.resume.lsnCommit && seq <= this.resume.txSeq))) return; // delivered before the restart
    const lsnNum = Number(lsn);
    const rec: SourceRecord = {
      keySchema, key, valueSchema, value,
      topic: t.topic,
      sourcePartition: this.partitionValue,
      sourceOffset: { lsn: lsnNum, lsn_proc: lsnNum, lsn_commit: tx.finalLsnNum, txId: tx.xid, ts_usec: tx.commitUs, tx_seq: seq },
    };
    if (headers !== undefined) rec.headers = headers;
    out.push(rec);
    this.lastEmittedTx = tx;
    this.lastEmittedSeq = seq;
  }

  private envelope(tx: OpenTx, lsn: number | bigint, t: TableInfo, op: string, before: StructValue | null, after: StructValue | null): StructValue {
    const nowMs = Date.now();
    return {
      before, after, op, transaction: null, ts_ms: nowMs, ts_us: nowMs * 1000,
      // sequence: the text JSON.stringify([lastCommitEndLsn ? String(lastCommitEndLsn) : null, String(lsn)]) gives (digits need no escaping)
      source: this.streamSource(t, tx, lsn),
    };
  }

  /** sourceBlock's object for a streamed change, made without an options object per row (the same fields in the same order). */
  private streamSource(t: TableInfo, tx: OpenTx, lsn: number | bigint): StructValue {
    // sequence: the text JSON.stringify([lastCommitEndLsn ? String(lastCommitEndLsn) : null, String(lsn)]) gives (digits need no escaping)
    return {
      version: CONNECTOR_VERSION, connector: 'postgresql', name: this.prefix, ts_ms: tx.commitMs, snapshot: 'false', db: this.conn.database,
      sequence: typeof lsn === 'number' ? this.sequence(lsn) : `${this.sequencePrefix}${lsn}"]`, ts_us: tx.commitUs, schema: t.schema, table: t.name, txId: tx.xid, lsn: Number(lsn), xmin: null,
    };
  }

  /** source.sequence of a streamed row at this LSN: sequencePrefix, its digits, '"]' */
  private sequence(lsn: number): string {
    const b = this.sequenceBytes;
    let p = writeDigits(b, this.sequencePrefixLength, lsn);
    b[p++] = 0x22;
    b[p++] = 0x5d;
    return b.toString('latin1', 0, p);
  }

  private sourceBlock(t: TableInfo, o: { tsMs: number; tsUs: number; snapshot: string; txId: number | null; lsn: bigint; sequence: string }): StructValue {
    return {
      version: CONNECTOR_VERSION, connector: 'postgresql', name: this.prefix, ts_ms: o.tsMs, snapshot: o.snapshot, db: this.conn.database,
      sequence: o.sequence, ts_us: o.tsUs, schema: t.schema, table: t.name, txId: o.txId, lsn: Number(o.lsn), xmin: null,
    };
  }

  private heartbeatRecord(walEnd: bigint): SourceRecord {
    // Only called between transactions: everything before walEnd was received and is ahead of this record.
    const endLsn = walEnd > this.lastCommitEndLsn ? walEnd : this.lastCommitEndLsn;
    this.pending.push({ commitLsn: this.lastCompleteCommitLsn, lastSeq: MAX_SEQ, endLsn, complete: true });
    const nowMs = Date.now();
    const prefix = this.cfg['heartbeat.topics.prefix'] as string;
    return {
      sourcePartition: this.partition,
      sourceOffset: { lsn: Number(endLsn), lsn_proc: Number(endLsn), lsn_commit: Number(this.lastCompleteCommitLsn), ts_usec: nowMs * 1000, tx_seq: MAX_SEQ, heartbeat: true },
      topic: `${prefix}.${this.prefix}`,
      keySchema: S.struct('io.debezium.connector.common.ServerNameKey', { serverName: S.string() }),
      key: { serverName: this.prefix },
      valueSchema: S.struct('io.debezium.connector.common.Heartbeat', { ts_ms: S.int64() }),
      value: { ts_ms: nowMs },
    };
  }

  /**
   * The runtime committed these offsets (the broker acked the records): confirm to Postgres the end
   * of every transaction whose records are all committed. Nothing else ever moves the slot.
   */
  async commit(committedOffsets?: Map<string, Record<string, unknown>>): Promise<void> {
    let off: Record<string, unknown> | undefined;
    if (committedOffsets) for (const v of committedOffsets.values()) if (v && (v as Record<string, unknown>).lsn_commit !== undefined) off = v;
    if (!off) return;
    this.confirmThrough(off);
  }

  /** Exposed for tests: confirm everything up to and including the record with this offset. */
  confirmThrough(off: Record<string, unknown>): void {
    if (off.snapshot === true) return;
    const lc = lsnFrom(off.lsn_commit);
    if (lc === null) return;
    const seq = typeof off.tx_seq === 'number' ? off.tx_seq : MAX_SEQ;
    let confirm = this.confirmed;
    while (this.pending.length) {
      const p = this.pending[0];
      if (!p.complete) break;
      if (p.commitLsn < lc || (p.commitLsn === lc && p.lastSeq <= seq)) {
        if (p.endLsn > confirm) confirm = p.endLsn;
        this.pending.shift();
      } else break;
    }
    if (confirm > this.confirmed) {
      this.confirmed = confirm;
      this.repl?.sendStatus(confirm);
    }
  }

  /**
   * The replication connection broke (Postgres restarted, network): reconnect and stream again from the
   * slot's confirmed LSN, skipping what was already handed to the runtime. Fails the task after ~1 minute.
   */
  private async reconnect(): Promise<void> {
    const why = this.repl?.error?.message ?? 'connection closed';
    this.ctx.logger.warn({ err: why }, 'replication connection lost; reconnecting');
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.repl?.close().catch(() => {});
    this.repl = null;
    this.clearFrames();
    this.openTx = null;
    this.pending = [];
    this.paused = false;
    if (this.lastEmittedTx) { this.lastEmitted = { lsnCommit: this.lastEmittedTx.finalLsn, txSeq: this.lastEmittedSeq }; this.lastEmittedTx = null; }
    this.resume = this.lastEmitted ?? this.resume;
    try {
      if (!this.meta || (this.meta as unknown as { _ending?: boolean })._ending) throw new Error('metadata connection lost');
      await this.waitSlotInactive(this.cfg['slot.name'] as string);
      this.repl = new ReplicationConnection(this.conn);
      await this.repl.connect();
      this.startStreaming();
      this.reconnectFailures = 0;
    } catch (e) {
      this.ctx.logger.warn({ err: (e as Error).message }, 'reconnect failed');
      await this.repl?.close().catch(() => {});
      this.repl = null;
      if (!this.meta || (e as Error).message.includes('metadata')) {
        await this.meta?.end().catch(() => {});
        this.meta = textClient(this.conn);
        this.meta.on('error', () => {});
        await this.meta.connect().catch(() => {});
      }
      if (++this.reconnectFailures > 60) throw new Error(`replication connection lost (${why}) and reconnecting failed: ${(e as Error).message}`);
      this.repl = { error: new Error(why), closed: true, close: async () => {} } as unknown as ReplicationConnection;
      await sleep(1000);
    }
  }

  /** After a crash the old walsender may hold the slot for a moment. */
  private async waitSlotInactive(slot: string, timeoutMs = 20000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.meta!.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      const active = r.rows[0] && (r.rows[0].active === 't' || r.rows[0].active === true);
      if (!active) return;
      if (Date.now() > end) throw new Error(`replication slot ${slot} is in use by another connection`);
      await sleep(200);
    }
  }

  private async refreshLag(): Promise<void> {
    if (!this.meta || this.stopped) return;
    try {
      const r = await this.meta.query(`SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag, (pg_current_wal_lsn() - restart_lsn)::text AS retained,
        (pg_current_wal_lsn() - '0/0')::text AS current, (confirmed_flush_lsn - '0/0')::text AS confirmed
        FROM pg_replication_slots WHERE slot_name = $1`, [this.cfg['slot.name']]);
      const row = r.rows[0];
      if (row) this.lag = { slotLagBytes: Number(row.lag), slotLagSeconds: row.confirmed === null ? null : this.lagSeconds(BigInt(row.current), BigInt(row.confirmed)), walRetainedBytes: Number(row.retained) };
      this.reportProgress();
    } catch { /* status only */ }
  }

  /**
   * Postgres keeps no LSN-to-time map, so each refresh notes where the WAL was; the
   * slot lags since the first refresh that saw the WAL past its confirmed position
   * (resolution status.update.interval.ms; samples older than an hour are dropped).
   */
  private lagSeconds(current: bigint, confirmed: bigint): number {
    const now = Date.now();
    const w = this.walTimes;
    w.push({ t: now, lsn: current });
    while (w.length > 2 && now - w[1].t > 3_600_000) w.shift();
    if (confirmed >= current) return 0;
    let i = w.length - 1;
    while (i > 0 && w[i - 1].lsn > confirmed) i--;
    return Math.max(0, (now - w[i].t) / 1000);
  }

  status(): CdcStatus {
    return {
      phase: this.phase,
      slot: this.cfg?.['slot.name'] as string,
      confirmedLsn: this.confirmed ? formatLsn(this.confirmed) : null,
      lastReceivedLsn: this.lastReceived ? formatLsn(BigInt(this.lastReceived)) : null,
      ...this.lag,
      ...(this.snapTables.length ? { snapshot: { tablesDone: this.snapIndex, tablesTotal: this.snapTables.length, rows: this.snapRows } } : {}),
    };
  }

  private lastProgressLog = 0;

  private reportProgress(): void {
    const s = this.status() as unknown as Record<string, unknown>;
    if (this.ctx.reportProgress) this.ctx.reportProgress(s);
    else if (Date.now() - this.lastProgressLog >= 30_000) {
      // a runtime without reportProgress: the log is where slot lag and snapshot progress show
      this.lastProgressLog = Date.now();
      this.ctx.logger.info(s, 'cdc progress');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.phase = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.wake?.();
    await this.repl?.close().catch(() => {});
    this.repl = null;
    await this.snap?.end().catch(() => {});
    this.snap = null;
    if (this.meta) {
      if (this.cfg['slot.drop.on.stop']) {
        for (let i = 0; i < 20; i++) {
          const r = await this.meta.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [this.cfg['slot.name']]).catch(() => null);
          if (!r || !r.rows[0]) break;
          if (r.rows[0].active === 'f' || r.rows[0].active === false) {
            await this.meta.query('SELECT pg_drop_replication_slot($1)', [this.cfg['slot.name']]).catch(() => {});
            break;
          }
          await sleep(100);
        }
      }
      await this.meta.end().catch(() => {});
      this.meta = null;
    }
  }
}

function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
