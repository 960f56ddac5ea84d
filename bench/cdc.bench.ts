// Connector throughput against the machine's Postgres and an in-process s3rver:
//  - CDC task rows/s: snapshot (exported snapshot, PK chunks) and streaming (pgoutput decode + envelopes)
//  - CDC end to end through Connect (REST-created connector → records read from the topic by a
//    consumer process), rows/s against the rate Postgres took the inserts at, µs CPU per row of
//    each process and thread on the way (/proc), and end-to-end lag (insert → record consumed)
//    at a steady insert rate. The bulk is inserted by a process of its own (cdc-insert.ts), so
//    Postgres's rate is not held back by this process's event loop (broker, worker, task).
//    BENCH_CONSUMER=kafkajs: the consumer this bench had before
//    (kafkajs in the bench process, JSON.parse of every record).
//  - Postgres sink rows/s (upsert and insert, batches in one transaction)
//  - S3 sink MB/s (JSON lines and snappy Parquet, 1 KiB records)
// Sizes scale with BENCH_ROWS (default 100000); the end-to-end bulk is BENCH_E2E_ROWS (default 200000: a 50000-row bulk went in 0.17-0.3 s, where a
// few tens of ms of start or tail latency moved the ratio by 0.1-0.2),
// after a warm-up bulk of BENCH_E2E_WARMUP rows (default the bulk's size; 0 = measure the first rows, cold JIT).
// BENCH_ONLY=task|stream|e2e|sink|s3 runs one part. BENCH_THREADS=1: the end-to-end run also prints
// every thread of this process apart (µs CPU/row per thread id: the task thread, V8's GC helpers, …).
// BENCH_CDC_PROPS='{"max.batch.bytes":"900000"}': more properties of the end-to-end run's connector.
// BENCH_PROFILE=file: a CPU profile of this process's main thread over the measured bulk (with BENCH_ISOLATION=none
// the task runs there too); BENCH_HEAP=1 with it: an allocation-sampling profile (objects collected since included) instead.
// The measured bulk starts once the spare task thread that replaces the one the task took has loaded (task-thread-host.ts).
// BENCH_TIMELINE=1: the end-to-end run also prints, every 100 ms of the bulk, the records in the topic, those read, and the walsender's unsent WAL.
// BENCH_STREAM_TEXT=1: the stream part converts to text (fromConnectDataText) even where the
// converter writes bytes in place (fromConnectDataInto, which the runtime takes when there).
import { fork } from 'node:child_process';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionReader } from '../client/index.ts';
import { PostgresSourceTask } from '../connectors/builtin/postgres/source-task.ts';
import { JdbcSinkTask } from '../connectors/builtin/postgres/sink.ts';
import { S3SinkTask } from '../connectors/builtin/s3/sink.ts';
import { createTestDb, MemoryOffsets, SourceDriver, sourceContext, sinkContext, PG } from '../test/helpers/postgres.ts';
import { startLocalS3 } from '../test/helpers/s3.ts';
import { startTestKit, type TestKit } from '../test/helpers/connect.ts';
import { REPLENISH_DELAY_MS } from '../connectors/runtime/task-thread-host.ts';
import { JsonConverter } from '../connectors/builtin/converters/json.ts';
import { ByteWriter, S, type SinkRecord } from '../plugins/sdk/index.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
async function until(pred: () => boolean, what: () => string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function cdcTask(): Promise<void> {
  const db = await createTestDb('trib_bench');
  try {
    await db.client.query(`CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), at timestamptz DEFAULT now())`);
    await db.client.query(`INSERT INTO items(id, name, price) SELECT g, 'item ' || g, g / 100.0 FROM generate_series(1, ${ROWS}) g`);
    await db.client.query('ANALYZE items');
    const slot = `s_${db.name}`;
    const task = new PostgresSourceTask();
    const offsets = new MemoryOffsets();
    const d = new SourceDriver(task, offsets);
    let t0 = performance.now();
    await task.start({ 'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.dbname': db.name, 'topic.prefix': 'b', 'slot.name': slot, 'publication.name': `p_${slot}`, 'max.batch.size': '4096' }, sourceContext(offsets));
    await d.pollUntil((rs) => rs.length >= ROWS, 300_000);
    let dt = (performance.now() - t0) / 1000;
    console.log(`CDC snapshot (task, no broker): ${fmt(ROWS)} rows in ${dt.toFixed(2)} s = ${fmt(ROWS / dt)} rows/s`);
    await d.commit();
    const n = ROWS;
    t0 = performance.now();
    for (let i = 0; i < n; i += 1000) await db.client.query(`INSERT INTO items(id, name, price) SELECT g, 'item ' || g, g / 100.0 FROM generate_series(${ROWS + i + 1}, ${ROWS + i + 1000}) g`);
    const tIns = (performance.now() - t0) / 1000;
    await d.pollUntil((rs) => rs.length >= ROWS + n, 300_000);
    dt = (performance.now() - t0) / 1000;
    console.log(`CDC streaming (task, no broker): ${fmt(n)} rows in 1000-row transactions, inserted in ${tIns.toFixed(2)} s, all decoded in ${dt.toFixed(2)} s = ${fmt(n / dt)} rows/s`);
    await task.stop();
  } finally {
    await db.drop();
  }
}

/**
 * The CDC task's own cost per streamed row, apart from Postgres and the broker: the rows are
 * committed before the task starts (slot made first), so the timed part is only replication
 * receive, pgoutput decode, the Debezium envelope and the JsonConverter's text (schemas.enable=false,
 * key and value) the runtime applies next — the end-to-end bench's per-row path up to the producer.
 */
async function cdcTaskStream(): Promise<void> {
  const db = await createTestDb('trib_bench');
  try {
    await db.client.query(`CREATE TABLE ev (id bigint PRIMARY KEY, sent_ms bigint NOT NULL, payload text)`);
    const slot = `s_${db.name}`;
    await db.client.query(`CREATE PUBLICATION p_${slot} FOR TABLE ev`);
    await db.client.query(`SELECT pg_create_logical_replication_slot('${slot}', 'pgoutput')`);
    const n = ROWS;
    for (let i = 0; i < n; i += 1000) await db.client.query(`INSERT INTO ev SELECT g, 0, repeat('x', 100) FROM generate_series(${i + 1}, ${i + 1000}) g`);
    const task = new PostgresSourceTask();
    const offsets = new MemoryOffsets();
    const props = { 'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.dbname': db.name, 'topic.prefix': 'b', 'slot.name': slot, 'publication.name': `p_${slot}`, 'snapshot.mode': 'never', 'slot.drop.on.stop': 'true', 'max.batch.size': '2000', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' };
    const kc = new JsonConverter();
    kc.configure({ 'schemas.enable': 'false' }, true);
    const vc = new JsonConverter();
    vc.configure({ 'schemas.enable': 'false' }, false);
    await task.start(props, sourceContext(offsets));
    // from START_REPLICATION on: the config parse and connections are not per-row costs
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let got = 0;
    let bytes = 0;
    const w = new ByteWriter(16 * 1024);
    const inPlace = typeof (vc as { fromConnectDataInto?: unknown }).fromConnectDataInto === 'function' && !process.env.BENCH_STREAM_TEXT;
    while (got < n) {
      const rs = await task.poll();
      if (!rs) continue;
      for (const r of rs) {
        if (inPlace) {
          // the bytes, as the runtime takes them from a JsonConverter: written in place (then copied into the batch)
          w.pos = 0;
          kc.fromConnectDataInto(r.topic, r.keySchema ?? null, r.key, w);
          vc.fromConnectDataInto(r.topic, r.valueSchema ?? null, r.value, w);
          bytes += w.pos;
        } else {
          // the text form (the producer writes it into the batch)
          bytes += (kc.fromConnectDataText(r.topic, r.keySchema ?? null, r.key)?.length ?? 0) + (vc.fromConnectDataText(r.topic, r.valueSchema ?? null, r.value)?.length ?? 0);
        }
        got++;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const dt = (performance.now() - t0) / 1000;
    console.log(`CDC streaming, task + JsonConverter ${inPlace ? 'bytes' : 'text'} only (rows committed before start): ${fmt(n)} rows in ${dt.toFixed(2)} s = ${fmt(n / dt)} rows/s, ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU/row, ${(bytes / n).toFixed(0)} B/row`);
    await task.stop();
  } finally {
    await db.drop();
  }
}

/** utime + stime of a process (or one of its threads) in clock ticks, from /proc; 0 when it is gone. */
function cpuTicks(pid: number, tid?: number): number {
  try {
    const st = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch { return 0; }
}
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux
function threadTicks(): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of fs.readdirSync('/proc/self/task')) m.set(Number(t), cpuTicks(process.pid, Number(t)));
  return m;
}

/** The inspector's CPU profiler on this thread (BENCH_HEAP=1: its sampling heap profiler), from now until stop(). */
async function startProfile(): Promise<{ stop(): Promise<unknown> }> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
  if (process.env.BENCH_HEAP) { await post('HeapProfiler.enable'); await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); return { async stop() { const r = await post('HeapProfiler.stopSampling'); session.disconnect(); return r.profile; } }; }
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return { async stop() { const r = await post('Profiler.stop'); session.disconnect(); return r.profile; } };
}

/** Whoever reads the topic for the end-to-end run: counts the bulk's records, then reports lags of the later ones. */
interface BenchConsumer { count(): number; bulkDoneAt(): number; lastRows(): Record<string, unknown>[]; lags: number[]; pid: number | null; stop(): Promise<void>; warm(): boolean }

/**
 * The default: the platform's client in a process of its own (bench/cdc-count-consumer.ts),
 * reading from the topic's end offsets before the bulk; every record is decoded, the bulk's
 * counted, and each partition's last one parsed.
 */
async function childConsumer(kit: TestKit, topic: string, n: number, skip: number): Promise<BenchConsumer> {
  const reader = new PartitionReader({ bootstrap: kit.bootstrap, clientId: 'cdc-bench-ends' });
  const ends = await reader.endOffsets([{ topic }]);
  await reader.close();
  const child = fork(new URL('./cdc-count-consumer.ts', import.meta.url).pathname, [kit.bootstrap, topic, String(n), JSON.stringify(ends.map((e) => ({ partition: e.partition, offset: e.latest }))), String(skip)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let count = 0, doneAt = 0, last: Record<string, unknown>[] = [], warm = skip === 0;
  const lags: number[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; warm?: boolean; count?: number; lags?: number[]; bulkDone?: number; last?: Record<string, unknown>[] }) => {
      if (m.ready) resolve();
      if (m.warm) warm = true;
      if (m.bulkDone) { doneAt = m.bulkDone - performance.timeOrigin; last = m.last!; count = Math.max(count, n); }
      if (m.count !== undefined) count = m.count;
      if (m.lags) lags.push(...m.lags);
    });
    child.on('exit', (code) => reject(new Error(`the bench consumer exited with ${code}`)));
  });
  await ready;
  return {
    count: () => count, bulkDoneAt: () => doneAt, lastRows: () => last, lags, pid: child.pid!, warm: () => warm,
    async stop() { const exited = new Promise((r) => child.once('exit', r)); child.send({ stop: true }); await exited; },
  };
}

/** BENCH_CONSUMER=kafkajs: what this bench used before — kafkajs in this process, JSON.parse of every record. */
async function kafkajsConsumer(kit: TestKit, topic: string, n: number, skip: number): Promise<BenchConsumer> {
  const kafka = new Kafka({ brokers: [kit.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'bench', maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0, doneAt = 0, skipped = 0;
  let last: Record<string, unknown>[] = [];
  const lags: number[] = [];
  await consumer.run({ eachBatch: async ({ batch }) => {
    const now = Date.now();
    for (const m of batch.messages) {
      if (!m.value) continue;
      const after = JSON.parse(m.value.toString()).after;
      if (after.id === 0) continue;
      if (skipped < skip) { skipped++; continue; }
      count++;
      if (count === n) { doneAt = performance.now(); last = [after]; }
      if (after.sent_ms > 0) lags.push(now - Number(after.sent_ms));
    }
  } });
  return { count: () => count, bulkDoneAt: () => doneAt, lastRows: () => last, lags, pid: null, stop: () => consumer.disconnect(), warm: () => skipped >= skip };
}

/**
 * BENCH_TIMELINE=1: every 100 ms of the bulk, how many of its records are in the topic and
 * how many the consumer read, and how far the walsender is behind the WAL: shows which
 * stage the rows wait in (Postgres, the task, the consumer).
 */
async function bulkTimeline(kit: TestKit, url: string, topic: string, walsender: number, consumer: BenchConsumer): Promise<{ stop(t0: number): Promise<string> }> {
  const reader = new PartitionReader({ bootstrap: kit.bootstrap, clientId: 'cdc-bench-timeline' });
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  const base = (await reader.endOffsets([{ topic }])).reduce((a, e) => a + e.latest, 0);
  const samples: { at: number; text: string }[] = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const at = performance.now();
      const inTopic = (await reader.endOffsets([{ topic }])).reduce((a, e) => a + e.latest, 0) - base;
      const row = (await client.query('SELECT pg_current_wal_lsn() - sent_lsn AS unsent FROM pg_stat_replication WHERE pid = $1', [walsender])).rows[0];
      samples.push({ at, text: `${inTopic}/${consumer.count()} ${Math.round(Number(row?.unsent ?? 0) / 1024)} KiB` });
    } catch { /* a sample missed */ } finally { busy = false; }
  }, 100);
  return {
    async stop(t0: number) {
      clearInterval(timer);
      await reader.close().catch(() => undefined);
      await client.end().catch(() => undefined);
      return samples.map((x) => `${Math.round(x.at - t0)}: ${x.text}`).join(', ');
    },
  };
}

async function cdcEndToEnd(): Promise<void> {
  const db = await createTestDb('trib_bench');
  // BENCH_ISOLATION=none: the task on the worker's event loop (task.isolation), as before task threads
  const kit = await startTestKit({ workerConfig: process.env.BENCH_ISOLATION ? { 'task.isolation': process.env.BENCH_ISOLATION } : {} });
  try {
    await db.client.query(`CREATE TABLE ev (id bigint PRIMARY KEY, sent_ms bigint NOT NULL, payload text)`);
    const slot = `s_${db.name}`;
    await kit.createConnector('cdc', {
      'connector.class': 'PostgresConnector', 'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.dbname': db.name,
      'topic.prefix': 'b', 'slot.name': slot, 'publication.name': `p_${slot}`, 'snapshot.mode': 'never',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
      ...JSON.parse(process.env.BENCH_CDC_PROPS ?? '{}') as Record<string, string>,
    });
    await kit.waitForRunning('cdc');
    const runningAt = Date.now();
    await db.client.query(`INSERT INTO ev VALUES (0, 0, 'warm-up')`);
    await kit.waitFor(async () => (await kit.request('GET', '/connectors/cdc/offsets')).body.offsets.length > 0, { timeoutMs: 30000 });
    const n = Number(process.env.BENCH_E2E_ROWS ?? 200_000);
    const topic = 'b.public.ev';
    const kafkajs = process.env.BENCH_CONSUMER === 'kafkajs';
    // a warm-up bulk first (ids from 10^9 on, BENCH_E2E_WARMUP rows, default as many as the bulk; 0 = none), read by the
    // same consumer and not counted: the measured bulk then runs on code V8 has already compiled (a cold run spends
    // most of its "other threads" CPU in TurboFan compiling the stream path), as a CDC stream does after its first moments
    const warmRows = Number(process.env.BENCH_E2E_WARMUP ?? n);
    const consumer = kafkajs ? await kafkajsConsumer(kit, topic, n, warmRows) : await childConsumer(kit, topic, n, warmRows);
    // the Postgres side: the walsender streaming the slot, and the backend running the inserts
    const walsender = Number((await db.client.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active_pid ?? 0);
    // bulk: as fast as Postgres takes it, from a process of its own (cdc-insert.ts)
    const inserter = fork(new URL('./cdc-insert.ts', import.meta.url).pathname, [db.url, 'ev', String(n)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const insertMsg = <T>(key: string) => new Promise<T>((resolve, reject) => {
      const on = (m: Record<string, unknown>) => { if (key in m) { inserter.off('message', on); resolve(m as T); } };
      inserter.on('message', on);
      inserter.once('exit', (code) => reject(new Error(`the bench's inserting process exited with ${code}`)));
    });
    const { pid: backend } = await insertMsg<{ pid: number }>('pid');
    if (warmRows > 0) {
      const warmed = insertMsg<{ start: number; end: number }>('start');
      inserter.send({ go: true, first: 1_000_000_000, n: warmRows });
      await warmed;
      await until(() => consumer.warm(), () => `warm-up: the consumer did not read ${warmRows} rows`);
    }
    // the spare task thread that replaces the one this task took loads REPLENISH_DELAY_MS after the task started
    // (~0.6 s of CPU, a one-off start cost the connect bench counts): the measured bulk starts after it, or it ran inside it
    const settled = runningAt + REPLENISH_DELAY_MS + 1500 - Date.now();
    if (settled > 0) await new Promise((r) => setTimeout(r, settled));
    const timeline = process.env.BENCH_TIMELINE ? await bulkTimeline(kit, db.url, topic, walsender, consumer) : null;
    const cpuAt = () => ({ threads: threadTicks(), walsender: cpuTicks(walsender), backend: cpuTicks(backend), consumer: consumer.pid ? cpuTicks(consumer.pid) : 0 });
    // BENCH_PROFILE: a profile of this process's main thread (broker, worker) over the measured bulk
    const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
    const c0 = cpuAt();
    const inserted = insertMsg<{ start: number; end: number }>('start');
    inserter.send({ go: true, first: 0, n });
    const { start: insStart, end: insEnd } = await inserted;
    const t0 = insStart - performance.timeOrigin;
    const tIns = (insEnd - insStart) / 1000;
    const diag = async () => JSON.stringify({ status: await kit.status('cdc'), end: await kit.readAll(topic).then((m) => m.length).catch((e) => String(e)) });
    await until(() => consumer.bulkDoneAt() > 0, () => `bulk: consumed ${consumer.count()} of ${n}`).catch(async (e) => { throw new Error(`${(e as Error).message} ${await diag()}`); });
    const c1 = cpuAt();
    if (profiler) { fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(await profiler.stop())); console.log(`  main thread's profile of the bulk: ${process.env.BENCH_PROFILE}`); }
    if (timeline) console.log(`  timeline of the bulk (ms since the first insert: records in the topic / read by the consumer, WAL the walsender has not sent yet): ${await timeline.stop(t0)}; the inserts ended at ${Math.round(insEnd - insStart)} ms`);
    inserter.send({ stop: true });
    // every row arrived: n records counted, and the last row inserted is the newest record of its partition
    const lastIds = consumer.lastRows().map((r) => Number(r.id));
    const lastRow = consumer.lastRows().find((r) => Number(r.id) === n);
    if (Math.max(...lastIds) !== n || lastRow?.payload !== 'x'.repeat(100)) throw new Error(`the bulk's last row did not arrive as inserted: ${JSON.stringify(consumer.lastRows()).slice(0, 300)}`);
    const dt = (consumer.bulkDoneAt() - t0) / 1000;
    const us = (ticks: number) => (ticks * TICK_US) / n;
    const main = us((c1.threads.get(process.pid) ?? 0) - (c0.threads.get(process.pid) ?? 0));
    const others = [...c1.threads].filter(([tid]) => tid !== process.pid).map(([tid, t]) => t - (c0.threads.get(tid) ?? 0)).sort((a, b) => b - a);
    const task = process.env.BENCH_ISOLATION === 'none' ? 0 : us(others.shift() ?? 0);
    const rest = us(others.reduce((a, b) => a + b, 0));
    if (process.env.BENCH_THREADS) {
      // BENCH_THREADS=1: each other thread apart (all are named "node": told apart by how busy they are)
      const each = [...c1.threads].filter(([tid]) => tid !== process.pid).map(([tid, t]) => [tid, t - (c0.threads.get(tid) ?? 0)] as const).filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]);
      console.log(`  each other thread (id: µs CPU/row; the busiest is the task thread): ${each.map(([tid, t]) => `${tid}: ${us(t).toFixed(1)}`).join(', ')}`);
    }
    const cons = us(c1.consumer - c0.consumer), wal = us(c1.walsender - c0.walsender), ins = us(c1.backend - c0.backend);
    console.log(`CDC end to end (insert → Connect → broker → ${kafkajs ? 'kafkajs consumer in this process, JSON.parse of every record' : 'a consumer process (client/, every record decoded)'}): ${fmt(n)} rows in ${dt.toFixed(2)} s = ${fmt(n / dt)} rows/s; Postgres took the inserts at ${fmt(n / tIns)} rows/s (${tIns.toFixed(2)} s), end to end ${(tIns / dt).toFixed(2)}× that`);
    console.log(`  µs CPU/row from the first insert to the last row consumed: Postgres insert backend ${ins.toFixed(1)}, walsender ${wal.toFixed(1)}; ${process.env.BENCH_ISOLATION === 'none' ? '' : `task thread ${task.toFixed(1)}, `}main thread (broker, worker${process.env.BENCH_ISOLATION === 'none' ? ', task' : ''}${kafkajs ? ', consumer' : ''}) ${main.toFixed(1)}, other threads (GC, libuv) ${rest.toFixed(1)}${kafkajs ? '' : `, consumer process ${cons.toFixed(1)}`}; all ${(ins + wal + task + main + rest + cons).toFixed(1)}; load ${os.loadavg()[0].toFixed(1)}`);
    // steady rate: one row per transaction
    const rate = 500;
    const secs = 5;
    const start = Date.now();
    let id = n;
    while (Date.now() - start < secs * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * rate);
      while (id - n < due) { id++; await db.client.query('INSERT INTO ev VALUES ($1, $2, NULL)', [id, Date.now()]); }
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => consumer.count() >= id, () => `steady: consumed ${consumer.count()} of ${id}`);
    const lags = consumer.lags;
    console.log(`CDC end-to-end lag at ${rate} single-row transactions/s for ${secs} s: p50 ${pct(lags, 50)} ms, p99 ${pct(lags, 99)} ms, max ${Math.max(...lags)} ms`);
    await consumer.stop();
    await kit.request('DELETE', '/connectors/cdc');
  } finally {
    await kit.close();
    await db.drop();
  }
}

async function pgSink(): Promise<void> {
  const db = await createTestDb('trib_bench');
  try {
    const vs = S.struct('v', { id: S.int64(), name: S.string(), qty: S.int32(true), note: S.string(true) });
    const ks = S.struct('k', { id: S.int64() });
    for (const mode of ['insert', 'upsert'] as const) {
      const task = new JdbcSinkTask();
      await task.start({ 'connection.url': db.url, 'insert.mode': mode, 'pk.mode': 'record_key', 'auto.create': 'true', 'table.name.format': `sink_${mode}` }, sinkContext());
      const batch = 3000;
      const t0 = performance.now();
      for (let i = 0; i < ROWS; i += batch) {
        const recs: SinkRecord[] = [];
        for (let j = i; j < Math.min(ROWS, i + batch); j++) recs.push({ topic: 't', kafkaPartition: 0, kafkaOffset: j, keySchema: ks, key: { id: j }, valueSchema: vs, value: { id: j, name: `name ${j}`, qty: j % 10, note: 'some text of moderate length' }, timestamp: 0, headers: [] });
        await task.put(recs);
      }
      const dt = (performance.now() - t0) / 1000;
      console.log(`Postgres sink (${mode}, batches of ${batch} in one transaction each): ${fmt(ROWS)} rows in ${dt.toFixed(2)} s = ${fmt(ROWS / dt)} rows/s`);
      await task.stop();
    }
  } finally {
    await db.drop();
  }
}

async function s3Sink(): Promise<void> {
  for (const format of ['json', 'parquet'] as const) await s3SinkFormat(format);
}

async function s3SinkFormat(format: 'json' | 'parquet'): Promise<void> {
  const s3 = await startLocalS3('bench');
  try {
    const task = new S3SinkTask();
    const formatClass = format === 'json' ? 'io.confluent.connect.s3.format.json.JsonFormat' : 'io.confluent.connect.s3.format.parquet.ParquetFormat';
    task.start({ ...s3.props, 'format.class': formatClass, 'flush.size': '10000' }, sinkContext());
    // Parquet needs a schema; JSON is written schemaless
    const valueSchema = format === 'json' ? null : S.struct('bench.Row', { id: S.int64(), pad: S.string() });
    const pad = 'x'.repeat(960);
    const n = ROWS;
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1000) {
      const recs: SinkRecord[] = [];
      for (let j = i; j < i + 1000; j++) {
        const value = { id: j, pad };
        bytes += JSON.stringify(value).length + 1;
        recs.push({ topic: 't', kafkaPartition: 0, kafkaOffset: j, keySchema: null, key: null, valueSchema, value, timestamp: 0, headers: [] });
      }
      await task.put(recs);
    }
    const dt = (performance.now() - t0) / 1000;
    console.log(`S3 sink (${format === 'json' ? 'JSON lines' : 'Parquet, snappy'}, ~1 KiB records, flush.size 10000, s3rver on loopback): ${(bytes / 1e6).toFixed(0)} MB of JSON in ${dt.toFixed(2)} s = ${(bytes / 1e6 / dt).toFixed(1)} MB/s, ${task.uploaded.length} objects`);
    await task.stop();
  } finally {
    await s3.close();
  }
}

const only = process.env.BENCH_ONLY;
if (!only || only === 'task') await cdcTask();
if (!only || only === 'stream') await cdcTaskStream();
if (!only || only === 'e2e') await cdcEndToEnd();
if (!only || only === 'sink') await pgSink();
if (!only || only === 's3') await s3Sink();
process.exit(0);
