// Postgres CDC end to end through the Connect REST API (embedded broker + worker):
// Debezium-shaped JSON events in the topic, the slot confirmed only after the runtime
// committed offsets, and the CDC → ExtractNewRecordState → Postgres sink pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestKit } from './helpers/connect.ts';
import { createTestDb, PG } from './helpers/postgres.ts';

async function slotInfo(slot: string): Promise<{ confirmed: string; active: boolean } | null> {
  const c = new pg.Client({ ...PG, database: 'postgres' });
  await c.connect();
  const r = await c.query('SELECT confirmed_flush_lsn::text AS confirmed, active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  await c.end();
  return r.rows[0] ?? null;
}

const cdcConfig = (db: string, slot: string, extra: Record<string, string> = {}) => ({
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.password': '', 'database.dbname': db,
  'topic.prefix': 'shop', 'plugin.name': 'pgoutput', 'slot.name': slot, 'publication.name': `pub_${slot}`, 'publication.autocreate.mode': 'filtered',
  'table.include.list': 'public\\.orders', 'status.update.interval.ms': '200', ...extra,
});

test('CDC through the REST API: Debezium JSON envelopes, slot confirmed after the offsets are committed, pipeline to the Postgres sink', async (t) => {
  const src = await createTestDb('trib_cdc');
  t.after(() => src.drop());
  const dst = await createTestDb('trib_cdc_sink');
  t.after(() => dst.drop());
  await src.client.query(`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed date)`);
  await src.client.query(`INSERT INTO orders VALUES (1, 'ann', 10.50, '2024-03-01'), (2, 'bob', 20, NULL)`);
  const kit = await startTestKit();
  t.after(() => kit.close());
  const slot = `slot_${src.name}`;

  const validate = await kit.request('PUT', '/connector-plugins/PostgresConnector/config/validate', { 'connector.class': 'PostgresConnector', 'topic.prefix': 'shop', 'database.hostname': PG.host, 'database.user': PG.user, 'database.dbname': src.name, 'snapshot.mode': 'sometimes' });
  assert.equal(validate.status, 200);
  const modeErr = validate.body.configs.find((c: { value: { name: string } }) => c.value.name === 'snapshot.mode').value.errors;
  assert.match(modeErr[0], /snapshot.mode/);

  const created = await kit.request('POST', '/connectors', { name: 'cdc', config: cdcConfig(src.name, slot) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await kit.waitForRunning('cdc');
  const snap = await kit.consume('shop.public.orders', { count: 2 });
  const ev = snap.map((m) => JSON.parse(m.value!.toString()));
  assert.deepEqual(JSON.parse(snap[0].key!.toString()), { schema: { type: 'struct', name: 'shop.public.orders.Key', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }] }, payload: { id: 1 } });
  assert.equal(ev[0].schema.name, 'shop.public.orders.Envelope');
  assert.deepEqual(ev[0].schema.fields.map((f: { field: string }) => f.field), ['before', 'after', 'source', 'transaction', 'op', 'ts_ms', 'ts_us']);
  const afterFields = ev[0].schema.fields[1].fields;
  assert.deepEqual(afterFields.find((f: { field: string }) => f.field === 'amount'), { field: 'amount', type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
  assert.equal(afterFields.find((f: { field: string }) => f.field === 'placed').name, 'io.debezium.time.Date');
  assert.equal(ev[0].payload.op, 'r');
  assert.equal(ev[0].payload.after.customer, 'ann');
  assert.equal(ev[0].payload.after.amount, Buffer.from([0x04, 0x1a]).toString('base64'), '10.50 as Debezium encodes a Decimal');
  assert.equal(ev[0].payload.after.placed, 19783);
  assert.equal(ev[0].payload.source.connector, 'postgresql');
  assert.equal(ev[0].payload.source.name, 'shop');
  assert.equal(ev[0].payload.source.snapshot, 'first');
  assert.equal(ev[1].payload.source.snapshot, 'last');

  // streaming; the slot moves only once the runtime committed the offsets of these records
  const before = (await slotInfo(slot))!;
  await src.client.query(`INSERT INTO orders VALUES (3, 'cy', 5, NULL)`);
  await src.client.query(`UPDATE orders SET amount = 11 WHERE id = 1`);
  await src.client.query(`DELETE FROM orders WHERE id = 2`);
  const all = await kit.consume('shop.public.orders', { count: 6 });
  const streamed = all.slice(2).map((m) => (m.value ? JSON.parse(m.value.toString()).payload : null));
  assert.deepEqual(streamed.map((p) => p?.op ?? 'tombstone'), ['c', 'u', 'd', 'tombstone']);
  assert.equal(streamed[2].before.id, 2);
  assert.equal(typeof streamed[0].source.lsn, 'number');
  await kit.waitFor(async () => {
    const s = await slotInfo(slot);
    const off = (await kit.request('GET', '/connectors/cdc/offsets')).body.offsets[0];
    return s && s.confirmed !== before.confirmed && off?.offset.lsn_commit >= streamed[2].source.lsn ? s : null;
  }, { what: 'the slot to advance after the offsets were committed' });
  const offsets = (await kit.request('GET', '/connectors/cdc/offsets')).body.offsets;
  assert.deepEqual(offsets[0].partition, { server: 'shop' });
  // slot lag and WAL retained, as the task reports them (GET /connectors/{name}/metrics)
  const progress = await kit.waitFor(async () => {
    const p = (await kit.request('GET', '/connectors/cdc/metrics')).body.tasks?.[0]?.progress;
    return p && typeof p.slotLagBytes === 'number' ? p : null;
  }, { what: 'slot lag in the task metrics' });
  assert.equal(progress.phase, 'streaming');
  assert.equal(progress.slot, slot);
  assert.ok(progress.walRetainedBytes >= progress.slotLagBytes);
  assert.deepEqual(progress.snapshot, { tablesDone: 1, tablesTotal: 1, rows: 2 });

  // CDC topic → unwrap → Postgres sink (upsert by key, delete on tombstones)
  const sink = await kit.request('POST', '/connectors', { name: 'pg-sink', config: {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', topics: 'shop.public.orders',
    'connection.url': `jdbc:postgresql://${PG.host}:${PG.port}/${dst.name}`, 'connection.user': PG.user,
    'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true', 'auto.create': 'true', 'auto.evolve': 'true',
    'table.name.format': 'orders_copy',
    transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  } });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  await kit.waitForRunning('pg-sink');
  const rows = async () => (await dst.client.query('SELECT id, customer, amount::text, placed::text FROM orders_copy ORDER BY id').catch(() => ({ rows: [] }))).rows;
  await kit.waitFor(async () => JSON.stringify(await rows()) === JSON.stringify([{ id: 1, customer: 'ann', amount: '11.00', placed: '2024-03-01' }, { id: 3, customer: 'cy', amount: '5.00', placed: null }]), { what: 'the copy to match the source', timeoutMs: 20000 });
  // schema change upstream evolves the copy
  await src.client.query(`ALTER TABLE orders ADD COLUMN note text`);
  await src.client.query(`INSERT INTO orders VALUES (4, 'di', 1, NULL, 'gift')`);
  await src.client.query(`DELETE FROM orders WHERE id = 3`);
  await kit.waitFor(async () => JSON.stringify((await dst.client.query('SELECT id, note FROM orders_copy ORDER BY id').catch(() => ({ rows: [] }))).rows) === JSON.stringify([{ id: 1, note: null }, { id: 4, note: 'gift' }]), { what: 'the added column and the delete in the copy', timeoutMs: 20000 });

  assert.equal((await kit.request('DELETE', '/connectors/cdc')).status, 204);
  await kit.waitFor(async () => (await slotInfo(slot))?.active === false, { what: 'the slot to be released' });
});

test('kill -9 of the Connect process mid-stream loses no change (duplicates allowed, no gaps)', async (t) => {
  const { startBroker, tempDir } = await import('./helpers/broker.ts');
  const { spawnCli } = await import('./helpers/process.ts');
  const { Kafka, logLevel } = await import('kafkajs');
  const fs = await import('node:fs');
  const db = await createTestDb('trib_cdc_kill');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)`);
  const broker = await startBroker();
  t.after(() => broker.stop());
  const dir = tempDir('cdc-kill-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['connect', '--bootstrap', broker.bootstrap, '--connect-port', '0', '--data-dir', dir, '--set', 'offset.flush.interval.ms=100'];
  let cli = await spawnCli(args, ['connect'], 90000);
  t.after(() => { cli.child.kill('SIGKILL'); });
  const slot = `slot_${db.name}`;
  const post = await fetch(`http://127.0.0.1:${cli.ports.connect}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'cdc', config: cdcConfig(db.name, slot, { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' }) }) });
  assert.equal(post.status, 201, await post.text());

  // a steady insert load while the worker gets killed
  // inserts keep coming until 50 more rows were written after the kill
  let inserted = 0;
  let stopAt = Infinity;
  const writer = (async () => {
    for (let i = 1; i <= stopAt; i++) {
      await db.client.query('INSERT INTO orders VALUES ($1, $2)', [i, `c${i}`]);
      inserted = i;
      await new Promise((r) => setTimeout(r, 8));
    }
  })();

  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const seen: number[] = [];
  const consumer = kafka.consumer({ groupId: `check-${db.name}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  for (let i = 0; i < 200 && !(await admin.listTopics()).includes('shop.public.orders'); i++) await new Promise((r) => setTimeout(r, 100));
  await consumer.subscribe({ topic: 'shop.public.orders', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => {
    if (!message.value) return;
    const j = JSON.parse(message.value.toString());
    if (j.schema !== undefined) throw new Error('value.converter.schemas.enable=false should give the bare envelope');
    seen.push(j.after.id);
  } });

  const until = async (pred: () => boolean, what: string, ms = 30000) => {
    const end = Date.now() + ms;
    while (!pred()) { if (Date.now() > end) {
      const status = await fetch(`http://127.0.0.1:${cli.ports.connect}/connectors/cdc/status`).then((r) => r.text()).catch((e) => String(e));
      const offs = await admin.fetchTopicOffsets('shop.public.orders').catch((e) => String(e));
      throw new Error(`timed out waiting for ${what}; seen ${seen.length}; status ${status}; offsets ${JSON.stringify(offs)}; worker output:\n${cli.output().slice(-3000)}`);
    } await new Promise((r) => setTimeout(r, 50)); }
  };
  await until(() => seen.length >= 30, '30 change events');
  cli.child.kill('SIGKILL');
  await cli.exited;
  stopAt = inserted + 50;
  await writer;
  const total = inserted;
  cli = await spawnCli(args, ['connect'], 90000);
  await until(() => new Set(seen).size === total, `all ${total} ids after the restart`, 40000);
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((id) => !seen.includes(id));
  assert.deepEqual(missing, [], 'no gaps');
  // order per key is kept: each id's first event precedes the next id's (single partition, commit order)
  const firsts = [...new Set(seen)];
  assert.deepEqual(firsts, Array.from({ length: total }, (_, i) => i + 1));
  await fetch(`http://127.0.0.1:${cli.ports.connect}/connectors/cdc`, { method: 'DELETE' });
});

test('CDC with the registry AvroConverter: Debezium schemas registered, and the Postgres sink reads them back', async (t) => {
  const { startBroker } = await import('./helpers/broker.ts');
  const { startRegistry } = await import('../registry/index.ts');
  const src = await createTestDb('trib_cdc_avro');
  t.after(() => src.drop());
  const dst = await createTestDb('trib_cdc_avro_sink');
  t.after(() => dst.drop());
  await src.client.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(8,3), added date, meta jsonb, at timestamptz)`);
  await src.client.query(`INSERT INTO items VALUES (1, 'bolt', 0.125, '2024-02-29', '{"x": 1}', '2024-02-29 12:00:00+00')`);
  const broker = await startBroker();
  const registry = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka', config: { 'kafkastore.topic.replication.factor': '1' } });
  const kit = await startTestKit({ bootstrap: broker.bootstrap, registryUrl: registry.url });
  t.after(async () => { await kit.close(); await registry.close(); await broker.stop(); });
  const AVRO = 'io.confluent.connect.avro.AvroConverter';
  const conv = { 'key.converter': AVRO, 'value.converter': AVRO, 'key.converter.schema.registry.url': registry.url, 'value.converter.schema.registry.url': registry.url };
  const slot = `slot_${src.name}`;
  await kit.createConnector('cdc-avro', { ...cdcConfig(src.name, slot, { 'table.include.list': 'public\\.items' }), ...conv });
  await kit.waitForRunning('cdc-avro');
  const first = await kit.consume('shop.public.items', { count: 1 }).catch(async (e) => { throw new Error(`${(e as Error).message}; status ${JSON.stringify(await kit.status('cdc-avro'))}`); });
  assert.equal(first[0].value![0], 0, 'Confluent wire format');
  const latest = await (await fetch(`${registry.url}/subjects/shop.public.items-value/versions/latest`)).json() as { schema: string };
  const avro = JSON.parse(latest.schema);
  assert.equal(`${avro.namespace}.${avro.name}`, 'shop.public.items.Envelope');
  const before = avro.fields.find((f: { name: string }) => f.name === 'before').type;
  assert.equal(before[0], 'null');
  assert.equal(before[1].name, 'Value');
  assert.deepEqual(before[1].fields.map((f: { name: string }) => f.name), ['id', 'name', 'price', 'added', 'meta', 'at']);
  assert.deepEqual(avro.fields.find((f: { name: string }) => f.name === 'after').type, ['null', 'shop.public.items.Value'], 'after reuses the Value record');
  const added = before[1].fields.find((f: { name: string }) => f.name === 'added').type;
  assert.deepEqual(added, ['null', { type: 'int', 'connect.name': 'io.debezium.time.Date', 'connect.version': 1 }]);

  await kit.createConnector('sink-avro', {
    'connector.class': 'JdbcSinkConnector', topics: 'shop.public.items', ...conv,
    'connection.url': `jdbc:postgresql://${PG.host}:${PG.port}/${dst.name}`, 'connection.user': PG.user,
    'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true', 'auto.create': 'true', 'auto.evolve': 'true', 'table.name.format': 'items',
    transforms: 'unwrap', 'transforms.unwrap.type': 'ExtractNewRecordState',
  });
  await src.client.query(`INSERT INTO items VALUES (2, 'nut', 1.5, NULL, NULL, NULL)`);
  const rows = async () => (await dst.client.query(`SELECT id, name, price::text, added::text, meta::text, at FROM items ORDER BY id`).catch(() => ({ rows: [] }))).rows;
  await kit.waitFor(async () => (await rows()).length === 2, { what: 'two rows copied through Avro', timeoutMs: 20000 });
  const r = await rows();
  // io.debezium.* names on primitives survive Avro (connect.name), so the sink creates typed columns
  assert.deepEqual(r.map((x) => [x.id, x.name, x.price, x.added, x.meta]), [[1, 'bolt', '0.125', '2024-02-29', '{"x": 1}'], [2, 'nut', '1.500', null, null]]);
  assert.equal((r[0].at as Date).toISOString(), '2024-02-29T12:00:00.000Z');
  assert.equal(r[1].at, null);
  const types = (await dst.client.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position`)).rows;
  assert.deepEqual(types.map((x) => [x.column_name, x.data_type]), [['id', 'integer'], ['name', 'text'], ['price', 'numeric'], ['added', 'date'], ['meta', 'jsonb'], ['at', 'timestamp with time zone']]);
});
