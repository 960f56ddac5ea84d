// Connector throughput against the machine's Postgres and an in-process s3rver:
//  - CDC task rows/s: snapshot (exported snapshot, PK chunks) and streaming (pgoutput decode + envelopes)
//  - CDC end to end through Connect (REST-created connector → records in the topic), rows/s,
//    and end-to-end lag (insert → record consumed) at a steady insert rate
//  - Postgres sink rows/s (upsert and insert, batches in one transaction)
//  - S3 sink MB/s (JSON lines and snappy Parquet, 1 KiB records)
// Sizes scale with BENCH_ROWS (default 100000).
import { Kafka, logLevel } from 'kafkajs';
import { PostgresSourceTask } from '../connectors/builtin/postgres/source-task.ts';
import { JdbcSinkTask } from '../connectors/builtin/postgres/sink.ts';
import { S3SinkTask } from '../connectors/builtin/s3/sink.ts';
import { createTestDb, MemoryOffsets, SourceDriver, sourceContext, sinkContext, PG } from '../test/helpers/postgres.ts';
import { startLocalS3 } from '../test/helpers/s3.ts';
import { startTestKit } from '../test/helpers/connect.ts';
import { JsonConverter } from '../connectors/builtin/converters/json.ts';
import { S, type SinkRecord } from '../plugins/sdk/index.ts';

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
    while (got < n) {
      const rs = await task.poll();
      if (!rs) continue;
      for (const r of rs) {
        // the text form, as the runtime takes it from a JsonConverter (the producer writes it into the batch)
        bytes += (kc.fromConnectDataText(r.topic, r.keySchema ?? null, r.key)?.length ?? 0) + (vc.fromConnectDataText(r.topic, r.valueSchema ?? null, r.value)?.length ?? 0);
        got++;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const dt = (performance.now() - t0) / 1000;
    console.log(`CDC streaming, task + JsonConverter only (rows committed before start): ${fmt(n)} rows in ${dt.toFixed(2)} s = ${fmt(n / dt)} rows/s, ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU/row, ${(bytes / n).toFixed(0)} B/row`);
    await task.stop();
  } finally {
    await db.drop();
  }
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
    });
    await kit.waitForRunning('cdc');
    const kafka = new Kafka({ brokers: [kit.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'bench', maxWaitTimeInMs: 50 });
    await consumer.connect();
    await db.client.query(`INSERT INTO ev VALUES (0, 0, 'warm-up')`);
    await kit.waitFor(async () => (await kit.request('GET', '/connectors/cdc/offsets')).body.offsets.length > 0, { timeoutMs: 30000 });
    await consumer.subscribe({ topic: 'b.public.ev', fromBeginning: true });
    let count = 0;
    const lags: number[] = [];
    let lastAt = 0;
    await consumer.run({ eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        if (!m.value) continue;
        const after = JSON.parse(m.value.toString()).after;
        if (after.id === 0) continue;
        count++;
        lastAt = performance.now();
        if (count === n) cpuAtLast = process.cpuUsage();
        if (after.sent_ms > 0) lags.push(now - Number(after.sent_ms));
      }
    } });
    // bulk: as fast as Postgres takes it
    const n = Math.min(ROWS, 50_000);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let cpuAtLast = cpu0;
    for (let i = 0; i < n; i += 1000) await db.client.query(`INSERT INTO ev SELECT g, 0, repeat('x', 100) FROM generate_series(${i + 1}, ${i + 1000}) g`);
    const tIns = (performance.now() - t0) / 1000;
    const diag = async () => JSON.stringify({ status: await kit.status('cdc'), end: await kit.readAll('b.public.ev').then((m) => m.length).catch((e) => String(e)) });
    await until(() => count >= n, () => `bulk: consumed ${count} of ${n}`).catch(async (e) => { throw new Error(`${(e as Error).message} ${await diag()}`); });
    const dt = (lastAt - t0) / 1000;
    console.log(`CDC end to end (insert → Connect → broker → consumer, JSON): ${fmt(n)} rows in ${dt.toFixed(2)} s = ${fmt(n / dt)} rows/s; Postgres took the inserts at ${fmt(n / tIns)} rows/s (${tIns.toFixed(2)} s), end to end ${(tIns / dt).toFixed(2)}× that; ${((cpuAtLast.user + cpuAtLast.system - cpu0.user - cpu0.system) / n).toFixed(1)} µs CPU/row (this process: broker, worker, task, consumer; not Postgres)`);
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
    await until(() => count >= id, () => `steady: consumed ${count} of ${id}`);
    console.log(`CDC end-to-end lag at ${rate} single-row transactions/s for ${secs} s: p50 ${pct(lags, 50)} ms, p99 ${pct(lags, 99)} ms, max ${Math.max(...lags)} ms`);
    await consumer.disconnect();
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
