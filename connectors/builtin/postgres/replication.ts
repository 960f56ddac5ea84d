// A logical replication connection over the `pg` package's own protocol support:
// `replication: 'database'` startup, replication commands as simple queries, and the
// CopyBoth stream read from the connection's copyData events. We never acknowledge
// an LSN by ourselves: standby status updates carry only what the caller confirms.
import pg from 'pg';
import { standbyStatus } from './pgoutput.ts';
import { formatLsn, parseLsn } from './lsn.ts';

export interface PgConnectionOptions { host: string; port: number; user: string; password?: string; database: string }

/** Session settings both the snapshot and the walsender use, so text output parses one way. */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex';

/** A regular client whose results are all left as Postgres text (the same text pgoutput sends). */
export function textClient(o: PgConnectionOptions): pg.Client {
  return new pg.Client({ ...o, options: SESSION_OPTIONS, types: { getTypeParser: () => (v: string) => v } as never });
}

export interface SlotInfo { slotName: string; consistentPoint: bigint; snapshotName: string | null }

export class ReplicationConnection {
  readonly client: pg.Client;
  private streaming = false;
  private onFrame: ((chunk: Buffer) => void) | null = null;
  private ended: Promise<void> | null = null;
  closed = false;
  error: Error | null = null;

  constructor(o: PgConnectionOptions) {
    this.client = new pg.Client({ ...o, options: SESSION_OPTIONS, replication: 'database' } as pg.ClientConfig);
    this.client.on('error', (e) => { this.error = e; });
    this.client.on('end', () => { this.closed = true; });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async identifySystem(): Promise<{ systemid: string; timeline: number; xlogpos: bigint; dbname: string }> {
    const r = await this.client.query('IDENTIFY_SYSTEM');
    const row = r.rows[0];
    return { systemid: row.systemid, timeline: Number(row.timeline), xlogpos: parseLsn(row.xlogpos), dbname: row.dbname };
  }

  /** Creates a pgoutput slot; with exportSnapshot the snapshot stays importable until the next command on this connection. */
  async createSlot(name: string, exportSnapshot: boolean): Promise<SlotInfo> {
    const r = await this.client.query(`CREATE_REPLICATION_SLOT ${name} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`);
    const row = r.rows[0];
    return { slotName: row.slot_name, consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name ?? null };
  }

  /**
   * START_REPLICATION; each CopyData payload (a frame: parseFrame) is given synchronously to
   * onFrame in arrival order. It is a view of pg's reusable read buffer, good only until onFrame
   * returns: decode it there (nothing is copied per frame).
   */
  startReplication(slot: string, startLsn: bigint, publication: string, onFrame: (chunk: Buffer) => void): void {
    const con = (this.client as unknown as { connection: import('node:events').EventEmitter }).connection;
    this.onFrame = onFrame;
    con.on('copyData', (msg: { chunk: Buffer }) => {
      try {
        this.onFrame?.(msg.chunk);
      } catch (e) {
        this.error = e as Error;
      }
    });
    this.streaming = true;
    const pub = publication.replace(/'/g, "''");
    this.ended = this.client
      .query(`START_REPLICATION SLOT ${slot} LOGICAL ${formatLsn(startLsn)} (proto_version '1', publication_names '${pub}')`)
      .then(() => { this.streaming = false; }, (e: Error) => { this.streaming = false; this.error = e; });
  }

  /** Tells Postgres everything up to lsn is durably processed (advances confirmed_flush_lsn). */
  sendStatus(lsn: bigint, replyRequested = false): void {
    if (!this.streaming || this.closed) return;
    const con = (this.client as unknown as { connection: { sendCopyFromChunk(b: Buffer): void } }).connection;
    con.sendCopyFromChunk(standbyStatus(lsn, replyRequested));
  }

  pause(): void { (this.client as unknown as { connection: { stream: { pause(): void } } }).connection.stream.pause(); }
  resume(): void { (this.client as unknown as { connection: { stream: { resume(): void } } }).connection.stream.resume(); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.onFrame = null;
    this.resume();
    if (this.streaming) {
      try {
        (this.client as unknown as { connection: { endCopyFrom(): void } }).connection.endCopyFrom();
        await Promise.race([this.ended, new Promise((r) => setTimeout(r, 2000))]);
      } catch { /* closing anyway */ }
    }
    await this.client.end().catch(() => {});
  }
}
