// Connect's /metrics (Prometheus text, Kafka Connect's metric names as the JMX
// exporter with Strimzi's rules gives them) and /ready. Everything is read from the
// herder when scraped: connector and task status, error and dead letter queue
// counters, and what tasks report through reportProgress (CDC slot lag, snapshot, S3 bytes written).
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Herder } from '../runtime/herder.ts';

export interface MetricsRouteOptions {
  herder: () => Herder;
}

const STATES = ['RUNNING', 'PAUSED', 'FAILED', 'UNASSIGNED', 'RESTARTING', 'STOPPED'];

/** The Connect worker's metrics registry, read from `herder()` at scrape time. */
export function connectMetrics(herder: () => Herder): Registry {
  const r = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({ name, help, labelNames, registers: [r], collect() { this.reset(); collect(this); } });
  const counter = (name: string, help: string, labelNames: string[], collect: (set: (labels: Record<string, string>, v: number) => void) => void) =>
    new Counter({ name, help, labelNames, registers: [r], collect() { this.reset(); collect((l, v) => this.inc(l, v)); } });

  type Local = ReturnType<Herder['errorCounters']>[number];
  type Snap = { name: string; type: string; state: string; tasks: { id: number; state: string; counters: Local['counters']; progress: Record<string, unknown> | null; records: Local['records'] }[] };
  let snap: Snap[] = [];
  let at = -1;
  const all = (): Snap[] => {
    const h = herder();
    if (!h.ready) return [];
    if (Date.now() - at < 100) return snap;
    snap = h.connectorNames().flatMap((name) => {
      try {
        const s = h.status(name);
        const local = new Map(h.errorCounters(name).map((e) => [e.id, e]));
        return [{ name, type: s.type, state: s.connector.state, tasks: s.tasks.map((t) => ({ id: t.id, state: t.state, counters: local.get(t.id)?.counters ?? null, progress: local.get(t.id)?.progress ?? null, records: local.get(t.id)?.records ?? null })) }];
      } catch { return []; } // deleted between the list and the status
    });
    at = Date.now();
    return snap;
  };

  gauge('kafka_connect_worker_connector_count', 'Connectors in this Connect cluster (connect-worker-metrics connector-count).', [], (g) => g.set(all().length));
  gauge('kafka_connect_worker_task_count', 'Tasks of those connectors (connect-worker-metrics task-count).', [], (g) => g.set(all().reduce((n, c) => n + c.tasks.length, 0)));
  for (const s of STATES) {
    gauge(`kafka_connect_worker_connector_${s.toLowerCase()}_count`, `Connectors in state ${s}.`, [], (g) => g.set(all().filter((c) => c.state === s).length));
    gauge(`kafka_connect_worker_task_${s.toLowerCase()}_count`, `Tasks in state ${s}.`, [], (g) => g.set(all().reduce((n, c) => n + c.tasks.filter((t) => t.state === s).length, 0)));
  }
  gauge('kafka_connect_connector_status', 'One series per connector with value 1, its state in `status` (connector-metrics status).', ['connector', 'type', 'status'],
    (g) => { for (const c of all()) g.set({ connector: c.name, type: c.type, status: c.state.toLowerCase() }, 1); });
  gauge('kafka_connect_connector_task_status', 'One series per task with value 1, its state in `status` (connector-task-metrics status).', ['connector', 'task', 'status'],
    (g) => { for (const c of all()) for (const t of c.tasks) g.set({ connector: c.name, task: String(t.id), status: t.state.toLowerCase() }, 1); });

  // task-error-metrics: counted by the tasks running on this worker
  const errorsOf = (name: string, help: string, pick: (c: NonNullable<Snap['tasks'][number]['counters']>) => number) =>
    counter(name, help, ['connector', 'task'], (set) => { for (const c of all()) for (const t of c.tasks) if (t.counters) set({ connector: c.name, task: String(t.id) }, pick(t.counters)); });
  errorsOf('kafka_connect_task_error_total_record_errors', 'Records that failed in conversion, transformation or the task (task-error-metrics total-record-errors).', (c) => c.total_errors);
  errorsOf('kafka_connect_task_error_total_records_skipped', 'Records skipped under errors.tolerance=all (total-records-skipped).', (c) => c.total_records_skipped);
  errorsOf('kafka_connect_task_error_total_retries', 'Retried operations (total-retries).', (c) => c.total_retries);
  errorsOf('kafka_connect_task_error_deadletterqueue_produce_requests', 'Records written to the dead letter queue (deadletterqueue-produce-requests).', (c) => c.total_dlq_records);

  // source-task-metrics, sink-task-metrics, connector-task-metrics (offset commits), as Strimzi's rules name them
  const recordsOf = (name: string, help: string, type: 'source' | 'sink' | null, pick: (r: NonNullable<Local['records']>) => number, kind: 'counter' | 'gauge' = 'counter') => {
    const each = (set: (labels: Record<string, string>, v: number) => void) => {
      for (const c of all()) if (type === null || c.type === type) for (const t of c.tasks) if (t.records) set({ connector: c.name, task: String(t.id) }, pick(t.records));
    };
    if (kind === 'counter') counter(name, help, ['connector', 'task'], each);
    else gauge(name, help, ['connector', 'task'], (g) => each((l, v) => g.set(l, v)));
  };
  recordsOf('kafka_connect_source_task_source_record_poll_total', 'Records the source task\'s poll() returned (source-record-poll-total; rate() gives source-record-poll-rate).', 'source', (r) => r.polled);
  recordsOf('kafka_connect_source_task_source_record_write_total', 'Records the broker acknowledged for the source task (source-record-write-total).', 'source', (r) => r.written);
  recordsOf('kafka_connect_sink_task_sink_record_read_total', 'Records read from Kafka and handed to put() (sink-record-read-total).', 'sink', (r) => r.read);
  recordsOf('kafka_connect_sink_task_sink_record_send_total', 'Records put() completed (sink-record-send-total).', 'sink', (r) => r.sent);
  recordsOf('kafka_connect_connector_task_offset_commit_total', 'Offset commits of the task (source: connect-offsets; sink: the consumer group).', null, (r) => r.commits);
  recordsOf('kafka_connect_connector_task_offset_commit_seconds_total', 'Time spent in offset commits, in seconds: divide its rate by offset_commit_total\'s for the average (offset-commit-avg-time-ms).', null, (r) => r.commitMsTotal / 1000);
  recordsOf('kafka_connect_connector_task_offset_commit_max_time_ms', 'Longest offset commit so far, in ms (offset-commit-max-time-ms).', null, (r) => r.commitMsMax, 'gauge');

  // Postgres CDC (what the task reports with reportProgress)
  const progress = (name: string, help: string, key: (p: Record<string, unknown>) => unknown) =>
    gauge(name, help, ['connector', 'task'], (g) => {
      for (const c of all()) for (const t of c.tasks) {
        const v = t.progress ? key(t.progress) : undefined;
        if (typeof v === 'number' && Number.isFinite(v)) g.set({ connector: c.name, task: String(t.id) }, v);
      }
    });
  progress('tributary_connect_cdc_slot_lag_bytes', 'Postgres CDC: WAL between the server\'s current LSN and the slot\'s confirmed_flush_lsn.', (p) => p.slotLagBytes);
  progress('tributary_connect_cdc_slot_lag_seconds', 'Postgres CDC: how long ago the server\'s WAL was at the slot\'s confirmed_flush_lsn, in seconds (0 when caught up); sampled every status.update.interval.ms.', (p) => p.slotLagSeconds);
  progress('tributary_connect_cdc_wal_retained_bytes', 'Postgres CDC: WAL the slot keeps on the server (current LSN - restart_lsn).', (p) => p.walRetainedBytes);
  progress('tributary_connect_cdc_snapshot_rows', 'Postgres CDC: rows read by the snapshot so far.', (p) => (p.snapshot as { rows?: number } | undefined)?.rows);
  progress('tributary_connect_cdc_snapshot_tables_done', 'Postgres CDC: tables the snapshot finished.', (p) => (p.snapshot as { tablesDone?: number } | undefined)?.tablesDone);
  progress('tributary_connect_cdc_snapshot_tables_total', 'Postgres CDC: tables the snapshot reads.', (p) => (p.snapshot as { tablesTotal?: number } | undefined)?.tablesTotal);
  progress('tributary_connect_cdc_streaming', 'Postgres CDC: 1 while streaming changes, 0 in snapshot or stopped.', (p) => (p.phase === 'streaming' ? 1 : p.phase ? 0 : undefined));

  // S3 sink: what the task reported after each upload (a task restart starts again from 0, as counters do)
  const progressTotal = (name: string, help: string, key: (p: Record<string, unknown>) => unknown) =>
    counter(name, help, ['connector', 'task'], (set) => {
      for (const c of all()) for (const t of c.tasks) {
        const v = t.progress ? key(t.progress) : undefined;
        if (typeof v === 'number' && Number.isFinite(v)) set({ connector: c.name, task: String(t.id) }, v);
      }
    });
  progressTotal('tributary_connect_s3_sink_objects_written_total', 'S3 sink: objects uploaded (data files and, with store.kafka.keys, key files).', (p) => p.objectsWritten);
  progressTotal('tributary_connect_s3_sink_bytes_written_total', 'S3 sink: bytes of the objects uploaded (after format encoding and compression).', (p) => p.bytesWritten);
  return r;
}

/** GET /metrics and GET /ready (503 until the worker has read its config, offset and status topics). */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, { herder }) => {
  const registry = connectMetrics(herder);
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/ready', async (_req, reply) => {
    if (!herder().ready) return reply.code(503).send({ status: 'starting', message: 'Worker is still starting up.' });
    return { status: 'ready' };
  });
};
