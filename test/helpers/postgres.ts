// Helpers for tests that drive the Postgres tasks directly (no runtime): throw-away
// databases on the machine's Postgres, an in-memory offset store, minimal contexts.
import pg from 'pg';
import type { Logger, OffsetStorageReader, SourceRecord, SourceTask, SourceTaskContext, SinkTaskContext, TopicPartition } from '../../plugins/sdk/index.ts';

export const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };

export const quietLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface TestDb { name: string; client: pg.Client; url: string; drop(): Promise<void> }

/** Creates `<prefix>_<random>` and connects to it; drop() removes it and any slot on it. */
export async function createTestDb(prefix: string): Promise<TestDb> {
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new pg.Client({ ...PG, database: name });
  await client.connect();
  return {
    name,
    client,
    url: `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`,
    async drop() {
      await client.end().catch(() => {});
      const a = new pg.Client({ ...PG, database: 'postgres' });
      await a.connect();
      for (let i = 0; i < 50; i++) {
        const slots = (await a.query('SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1', [name])).rows;
        for (const s of slots) {
          if (s.active_pid) await a.query('SELECT pg_terminate_backend($1)', [s.active_pid]).catch(() => {});
          else await a.query('SELECT pg_drop_replication_slot($1)', [s.slot_name]).catch(() => {});
        }
        if (!slots.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}

export class MemoryOffsets implements OffsetStorageReader {
  readonly store = new Map<string, Record<string, unknown>>();
  async offset(partition: Record<string, unknown>) { return this.store.get(JSON.stringify(partition)) ?? null; }
  async offsets(partitions: Record<string, unknown>[]) {
    const m = new Map<string, Record<string, unknown>>();
    for (const p of partitions) { const o = this.store.get(JSON.stringify(p)); if (o) m.set(JSON.stringify(p), o); }
    return m;
  }
}

export function sourceContext(offsets: MemoryOffsets, progress?: (i: Record<string, unknown>) => void): SourceTaskContext {
  return { logger: quietLogger, taskId: 0, connectorName: 'test', offsetStorageReader: offsets, reportProgress: progress };
}

/** Plays the runtime's part for a source task: poll, "send", commit offsets, call commit(). */
export class SourceDriver {
  readonly received: SourceRecord[] = [];
  private uncommitted: SourceRecord[] = [];
  constructor(readonly task: SourceTask, readonly offsets: MemoryOffsets) {}

  async pollUntil(pred: (all: SourceRecord[]) => boolean, timeoutMs = 10000): Promise<SourceRecord[]> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > end) {
        const tail = this.received.slice(-20).map((r) => `${r.topic}:${(r.value as { op?: string } | null)?.op ?? 'tombstone'}`);
        throw new Error(`timed out; got ${this.received.length} records, the last: ${tail.join(', ')}`);
      }
      const rs = await this.task.poll();
      if (rs?.length) { this.received.push(...rs); this.uncommitted.push(...rs); }
    }
    return this.received;
  }

  /** Store the newest offset per partition and tell the task (what the runtime does after the broker acked). */
  async commit(): Promise<void> {
    const m = new Map<string, Record<string, unknown>>();
    for (const r of this.uncommitted) m.set(JSON.stringify(r.sourcePartition), r.sourceOffset);
    this.uncommitted = [];
    for (const [k, v] of m) this.offsets.store.set(k, v);
    await this.task.commit?.(m);
  }
}

export function sinkContext(assignment: TopicPartition[] = []): SinkTaskContext {
  return {
    logger: quietLogger, taskId: 0, connectorName: 'test',
    offset() {}, assignment: () => assignment, pause() {}, resume() {}, requestCommit() {},
  };
}

export const ops = (rs: SourceRecord[]) => rs.map((r) => (r.value === null ? 'tombstone' : (r.value as { op: string }).op));
