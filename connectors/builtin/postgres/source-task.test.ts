// The CDC source task against the machine's Postgres, driven directly (no runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PostgresSourceTask } from './source-task.ts';
import { createTestDb, MemoryOffsets, SourceDriver, sourceContext, ops, PG } from '../../../test/helpers/postgres.ts';
import { UNAVAILABLE_VALUE } from './types.ts';
import type { SourceRecord } from '../../../plugins/sdk/index.ts';

const after = (r: SourceRecord) => (r.value as { after: Record<string, unknown> }).after;
const before = (r: SourceRecord) => (r.value as { before: Record<string, unknown> }).before;
const source = (r: SourceRecord) => (r.value as { source: Record<string, unknown> }).source;

async function slotConfirmed(slot: string): Promise<string | null> {
  const c = new pg.Client({ ...PG, database: 'postgres' });
  await c.connect();
  const r = await c.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  await c.end();
  return r.rows[0]?.l ?? null;
}

/** A row of `t (id, v)` whose v is not what its insert wrote: repeat(md5(id::text), 40). */
const notItsText = (r: SourceRecord) => after(r).v !== createHash('md5').update(String((r.key as { id: number }).id)).digest('hex').repeat(40);
const lsnNum = (s: string) => { const [a, b] = s.split('/'); return BigInt('0x' + a) * 2n ** 32n + BigInt('0x' + b); };

function config(db: string, slot: string, extra: Record<string, string> = {}) {
  return {
    'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.dbname': db,
    'topic.prefix': 'srv', 'slot.name': slot, 'publication.name': `pub_${slot}`, 'snapshot.fetch.size': '2',
    'status.update.interval.ms': '200', ...extra,
  };
}

test('snapshot then streaming insert/update/delete with Debezium envelopes, TOAST placeholder, added column', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), big text, tags text[], meta jsonb, at timestamptz, d date)`);
  await db.client.query(`CREATE TABLE public.other (k text PRIMARY KEY)`);
  await db.client.query(`INSERT INTO items VALUES (1,'a',1.50,NULL,'{x,"y z"}','{"a":1}','2024-01-02 03:04:05.123456+00','2024-01-02'),(2,'b',2,NULL,NULL,NULL,NULL,NULL),(3,'c',3,NULL,NULL,NULL,NULL,NULL)`);
  await db.client.query(`INSERT INTO other VALUES ('z')`);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const progress: Record<string, unknown>[] = [];
  const task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'table.include.list': 'public\\.items' }), sourceContext(offsets, (p) => progress.push(p)));
  t.after(() => task.stop());
  const d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.length >= 3);
  const snap = d.received.slice(0, 3);
  assert.deepEqual(ops(snap), ['r', 'r', 'r']);
  assert.deepEqual(snap.map((r) => r.key), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  assert.equal(snap[0].topic, 'srv.public.items');
  assert.deepEqual(snap.map((r) => source(r).snapshot), ['first', 'true', 'last']);
  assert.equal(snap[2].sourceOffset.last_snapshot_record, true);
  const a1 = after(snap[0]);
  assert.equal(a1.name, 'a');
  assert.equal(a1.price, '1.50', 'numeric(10,2) as an exact Decimal');
  assert.deepEqual(a1.tags, ['x', 'y z']);
  assert.equal(a1.meta, '{"a": 1}');
  assert.equal(a1.at, '2024-01-02T03:04:05.123456Z');
  assert.equal(a1.d, 19724);
  const vs = snap[0].valueSchema!;
  assert.equal(vs.name, 'srv.public.items.Envelope');
  assert.deepEqual(vs.fields!.map((f) => f.name).slice(0, 5), ['before', 'after', 'source', 'transaction', 'op']);
  const row = vs.fields![1].schema;
  assert.equal(row.fields!.find((f) => f.name === 'price')!.schema.name, 'org.apache.kafka.connect.data.Decimal');
  assert.equal(row.fields!.find((f) => f.name === 'price')!.schema.parameters!.scale, '2');
  assert.equal(row.fields!.find((f) => f.name === 'name')!.schema.optional, false);
  assert.equal(row.fields!.find((f) => f.name === 'meta')!.schema.name, 'io.debezium.data.Json');
  assert.ok(progress.some((p) => (p as { phase: string }).phase === 'snapshot'), 'snapshot progress reported');
  assert.ok(!d.received.some((r) => r.topic.includes('other')), 'excluded table not captured');

  // streaming
  await db.client.query(`INSERT INTO items(id, name, big) VALUES (4, 'd', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)))`);
  await db.client.query(`UPDATE items SET name = 'd2' WHERE id = 4`); // big is TOASTed and unchanged
  await db.client.query(`DELETE FROM items WHERE id = 2`);
  await d.pollUntil((rs) => rs.length >= 7);
  const st = d.received.slice(3);
  assert.deepEqual(ops(st), ['c', 'u', 'd', 'tombstone']);
  assert.equal((after(st[0]).big as string).length, 12800);
  assert.equal(source(st[0]).snapshot, 'false');
  assert.equal(source(st[0]).connector, 'postgresql');
  assert.equal(source(st[0]).db, db.name);
  assert.equal(source(st[0]).table, 'items');
  assert.equal(typeof source(st[0]).lsn, 'number');
  assert.equal(typeof source(st[0]).txId, 'number');
  // the whole source block, Debezium's fields in its order; sequence is [previous commit's end LSN, this change's LSN] as JSON text
  for (const r of st.slice(0, 3)) {
    const s = source(r);
    assert.deepEqual(Object.keys(s), ['version', 'connector', 'name', 'ts_ms', 'snapshot', 'db', 'sequence', 'ts_us', 'schema', 'table', 'txId', 'lsn', 'xmin']);
    assert.equal(s.name, 'srv');
    assert.equal(s.schema, 'public');
    assert.equal(s.xmin, null);
    assert.equal(s.ts_us, (s.ts_ms as number) * 1000 + ((s.ts_us as number) % 1000), 'ts_us: the commit time in µs');
    assert.equal(s.lsn, r.sourceOffset.lsn);
    const seq = JSON.parse(s.sequence as string) as (string | null)[];
    assert.equal(seq.length, 2);
    assert.equal(seq[1], String(s.lsn));
    if (r === st[0]) assert.equal(seq[0], null, 'no transaction streamed before the first');
    else {
      assert.match(String(seq[0]), /^\d+$/, 'the previous transaction\'s end LSN');
      assert.ok(Number(seq[0]) <= (s.lsn as number));
    }
    assert.equal(s.sequence, JSON.stringify(seq), 'exactly the JSON of that pair');
  }
  assert.equal(after(st[1]).name, 'd2');
  assert.ok(after(st[1]).big === UNAVAILABLE_VALUE, 'unchanged TOAST value gets the placeholder');
  assert.equal(before(st[1]), null, 'REPLICA IDENTITY DEFAULT: no before on update');
  assert.deepEqual(before(st[2]), { id: 2, name: '', price: null, big: null, tags: null, meta: null, at: null, d: null }, 'DEFAULT identity delete carries only the key');
  assert.deepEqual(st[3].key, { id: 2 });
  assert.equal(st[3].value, null);

  // REPLICA IDENTITY FULL gives the whole before image
  await db.client.query(`ALTER TABLE items REPLICA IDENTITY FULL`);
  await db.client.query(`UPDATE items SET price = 9.99 WHERE id = 3`);
  await d.pollUntil((rs) => rs.length >= 8);
  assert.equal(before(d.received[7]).name, 'c');
  assert.equal(before(d.received[7]).price, '3.00');

  // added column: the new Relation message changes the schema
  await db.client.query(`ALTER TABLE items ADD COLUMN qty int NOT NULL DEFAULT 7`);
  await db.client.query(`INSERT INTO items(id, name) VALUES (5, 'e')`);
  await d.pollUntil((rs) => rs.length >= 9);
  assert.equal(after(d.received[8]).qty, 7);
  assert.ok(d.received[8].valueSchema!.fields![1].schema.fields!.some((f) => f.name === 'qty'));
  // dropped column
  await db.client.query(`ALTER TABLE items DROP COLUMN big`);
  await db.client.query(`INSERT INTO items(id, name) VALUES (6, 'f')`);
  await d.pollUntil((rs) => rs.length >= 10);
  assert.ok(!('big' in after(d.received[9])));
});

test('integer columns stream as the values the snapshot makes of their text (numbers, past 2^53 bigints), keys too', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE n (k bigint PRIMARY KEY, a smallint, b int, c bigint, d oid, e bigint)`);
  const rows = [
    [-32768, -2147483648, '-9223372036854775808', 0, '999999999999999'],
    [32767, 2147483647, '9223372036854775807', 4294967295, '-1000000000000000'],
    [0, -1, '9007199254740993', 1, null],
  ];
  const insert = (base: number) => db.client.query(`INSERT INTO n VALUES ${rows.map((_, i) => `(${base + i}, $${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`).join(', ')}`, rows.flat());
  await insert(-999999999999999);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const task = new PostgresSourceTask();
  await task.start(config(db.name, slot), sourceContext(offsets));
  t.after(() => task.stop());
  const d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.length >= 3);
  await insert(10_000_000_000_000);
  await d.pollUntil((rs) => rs.length >= 6);
  const [snap, streamed] = [d.received.slice(0, 3), d.received.slice(3)];
  assert.deepEqual([ops(snap), ops(streamed)], [['r', 'r', 'r'], ['c', 'c', 'c']]);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual({ ...after(streamed[i]), k: 0 }, { ...after(snap[i]), k: 0 });
    assert.deepEqual(streamed[i].key, { k: 10_000_000_000_000 + i });
  }
  assert.deepEqual(snap[0].key, { k: -999999999999999 });
  assert.deepEqual(after(streamed[2]), { k: 10_000_000_000_002, a: 0, b: -1, c: 9007199254740993n, d: 1, e: null });
});

test('LSN is confirmed only after commit; restart resumes without gaps', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const cfg = config(db.name, slot, { 'snapshot.mode': 'never' });
  let task = new PostgresSourceTask();
  await task.start(cfg, sourceContext(offsets));
  let d = new SourceDriver(task, offsets);
  const initial = await slotConfirmed(slot);
  assert.ok(initial);
  for (let i = 1; i <= 3; i++) await db.client.query(`INSERT INTO t VALUES ($1, 'v')`, [i]);
  await d.pollUntil((rs) => rs.length >= 3);
  // received, not committed: the slot must not move, however long we wait
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(await slotConfirmed(slot), initial, 'confirmed_flush_lsn moved before commit');
  await d.commit();
  let confirmed = initial!;
  for (let i = 0; i < 50 && confirmed === initial; i++) { await new Promise((r) => setTimeout(r, 50)); confirmed = (await slotConfirmed(slot))!; }
  assert.ok(lsnNum(confirmed!) > lsnNum(initial!), 'commit() advanced the slot');

  // more changes, two polled but the task "crashes" before commit
  await db.client.query(`BEGIN; INSERT INTO t VALUES (4, 'v'); INSERT INTO t VALUES (5, 'v'); COMMIT`);
  await db.client.query(`INSERT INTO t VALUES (6, 'v')`);
  await d.pollUntil((rs) => rs.length >= 6);
  // commit only the first record of the two-row transaction, as a runtime could
  const firstOfTx = d.received[3];
  offsets.store.set(JSON.stringify(firstOfTx.sourcePartition), firstOfTx.sourceOffset);
  await task.commit!(new Map([[JSON.stringify(firstOfTx.sourcePartition), firstOfTx.sourceOffset]]));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await slotConfirmed(slot), confirmed, 'a partially committed transaction is not confirmed');
  await task.stop();

  await db.client.query(`INSERT INTO t VALUES (7, 'v')`);
  task = new PostgresSourceTask();
  await task.start(cfg, sourceContext(offsets));
  t.after(() => task.stop());
  d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.some((r) => (r.key as { id: number }).id === 7));
  const ids = d.received.map((r) => (r.key as { id: number }).id);
  assert.deepEqual(ids, [5, 6, 7], 'resumes after the last committed record: no gap, no re-delivery of 1-4');

  // the walsender dies (Postgres restart, network): the task reconnects by itself and loses nothing
  await db.client.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
  await db.client.query(`INSERT INTO t VALUES (8, 'v')`);
  await d.pollUntil((rs) => rs.some((r) => (r.key as { id: number }).id === 8), 15000);
  assert.deepEqual(d.received.map((r) => (r.key as { id: number }).id), [5, 6, 7, 8]);
});

test('heartbeats advance an idle slot once committed', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE t (id int PRIMARY KEY)`);
  await db.client.query(`CREATE TABLE noise (id serial PRIMARY KEY, v text)`);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'snapshot.mode': 'never', 'heartbeat.interval.ms': '100', 'table.include.list': 'public\\.t' }), sourceContext(offsets));
  t.after(() => task.stop());
  const d = new SourceDriver(task, offsets);
  const initial = (await slotConfirmed(slot))!;
  // WAL written by tables we do not capture
  for (let i = 0; i < 5; i++) await db.client.query(`INSERT INTO noise(v) VALUES (repeat('n', 1000))`);
  await d.pollUntil((rs) => rs.filter((r) => r.topic === '__debezium-heartbeat.srv').length >= 2);
  const hb = d.received.find((r) => r.topic === '__debezium-heartbeat.srv')!;
  assert.deepEqual(hb.key, { serverName: 'srv' });
  assert.equal(await slotConfirmed(slot), initial, 'heartbeats alone do not confirm');
  await d.commit();
  let now = initial;
  for (let i = 0; i < 40 && now === initial; i++) { await new Promise((r) => setTimeout(r, 50)); now = (await slotConfirmed(slot))!; }
  assert.ok(lsnNum(now) > lsnNum(initial), 'committed heartbeat moved the idle slot past the noise');
  assert.ok(task.status().slotLagBytes !== undefined);
});

test('a backlog larger than the queue: reading pauses and resumes, every change arrives intact and in order', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)`);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'snapshot.mode': 'never', 'max.queue.size': '1000', 'max.batch.size': '100' }), sourceContext(offsets));
  t.after(() => task.stop());
  // written before anything is polled: the queue fills, the socket pauses, Postgres keeps the rest
  for (let i = 0; i < 20; i++) await db.client.query(`INSERT INTO t SELECT g, repeat(md5(g::text), 40) FROM generate_series(${i * 250 + 1}, ${(i + 1) * 250}) g`);
  await new Promise((r) => setTimeout(r, 300));
  const d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.length >= 5000, 30000);
  const ids = d.received.map((r) => (r.key as { id: number }).id);
  assert.deepEqual(ids, Array.from({ length: 5000 }, (_, i) => i + 1));
  // the text itself, not only its length: ~6.5 MB of frames go through slabs that are filled again once polled
  assert.equal(d.received.find(notItsText), undefined);
});

test('rows streamed while they are polled arrive intact: received frames go through slabs that are filled again once polled', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)`);
  const slot = `s_${db.name}`;
  const offsets = new MemoryOffsets();
  const task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'snapshot.mode': 'never', 'max.batch.size': '50' }), sourceContext(offsets));
  t.after(() => task.stop());
  // ~13 MB of frames (~13 slabs) while polling, a few ms between polls (as a runtime sending them takes): frames
  // arrive while earlier ones wait, slabs are polled out and filled again
  const rows = 10_000;
  const inserting = (async () => { for (let i = 0; i < rows; i += 2000) await db.client.query(`INSERT INTO t SELECT g, repeat(md5(g::text), 40) FROM generate_series(${i + 1}, ${i + 2000}) g`); })();
  const received: SourceRecord[] = [];
  const end = Date.now() + 60000;
  while (received.length < rows && Date.now() < end) {
    received.push(...(await task.poll()) ?? []);
    await new Promise((r) => setTimeout(r, 2));
  }
  await inserting;
  assert.deepEqual(received.map((r) => (r.key as { id: number }).id), Array.from({ length: rows }, (_, i) => i + 1));
  assert.equal(received.find(notItsText), undefined);
});

test('snapshot modes, truncate events, tables without a key, column filters', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE logs (msg text, n int)`); // no primary key
  await db.client.query(`CREATE TABLE users (id int PRIMARY KEY, email text, secret text)`);
  await db.client.query(`INSERT INTO logs VALUES ('a', 1)`);
  await db.client.query(`INSERT INTO users VALUES (1, 'a@x', 's1')`);
  const slot = `s_${db.name}`;

  // initial_only: the snapshot, then nothing more
  let offsets = new MemoryOffsets();
  let task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'snapshot.mode': 'initial_only', 'column.exclude.list': 'public\\.users\\.secret' }), sourceContext(offsets));
  let d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.length >= 2);
  const users = d.received.find((r) => r.topic === 'srv.public.users')!;
  assert.deepEqual((users.value as { after: unknown }).after, { id: 1, email: 'a@x' }, 'column.exclude.list');
  const log = d.received.find((r) => r.topic === 'srv.public.logs')!;
  assert.equal(log.key, null, 'no primary key: null key');
  assert.equal(log.keySchema, null);
  await db.client.query(`INSERT INTO users VALUES (2, 'b@x', 's2')`);
  for (let i = 0; i < 5; i++) assert.equal(await task.poll(), null, 'initial_only does not stream');
  await d.commit();
  assert.equal(offsets.store.get(JSON.stringify({ server: 'srv' }))!.last_snapshot_record, true);
  await task.stop();

  // when_needed: the slot is gone, so the snapshot runs again even with offsets
  await db.client.query(`SELECT pg_drop_replication_slot($1)`, [slot]);
  task = new PostgresSourceTask();
  await task.start(config(db.name, slot, { 'snapshot.mode': 'when_needed', 'skipped.operations': 'none', 'table.include.list': 'public\\.users' }), sourceContext(offsets));
  t.after(() => task.stop());
  d = new SourceDriver(task, offsets);
  await d.pollUntil((rs) => rs.length >= 2);
  assert.deepEqual(ops(d.received), ['r', 'r']);
  await db.client.query(`TRUNCATE users`);
  await d.pollUntil((rs) => rs.length >= 3);
  assert.equal((d.received[2].value as { op: string }).op, 't', 'truncate emitted when skipped.operations=none');
  await task.stop();

  // never: no snapshot on a fresh slot, only what happens next
  offsets = new MemoryOffsets();
  const slot2 = `${slot}_2`;
  task = new PostgresSourceTask();
  await task.start(config(db.name, slot2, { 'snapshot.mode': 'never', 'publication.name': `pub_${slot2}` }), sourceContext(offsets));
  t.after(() => task.stop());
  d = new SourceDriver(task, offsets);
  await db.client.query(`INSERT INTO logs VALUES ('b', 2)`);
  await d.pollUntil((rs) => rs.length >= 1);
  assert.deepEqual(ops(d.received), ['c']);
  assert.equal((d.received[0].value as { after: { msg: string } }).after.msg, 'b');
});

test('publication.autocreate.mode=disabled needs an existing publication; a missing wal_level or bad config is a clear error', async (t) => {
  const db = await createTestDb('trib_cdc');
  t.after(() => db.drop());
  const task = new PostgresSourceTask();
  await assert.rejects(task.start(config(db.name, `s_${db.name}`, { 'publication.autocreate.mode': 'disabled', 'publication.name': 'nope' }), sourceContext(new MemoryOffsets())), /publication nope does not exist/);
  await task.stop();
  await assert.rejects(new PostgresSourceTask().start(config(db.name, 'x', { 'snapshot.mode': 'sometimes' }), sourceContext(new MemoryOffsets())), (e: Error & { key?: string }) => e.key === 'snapshot.mode');
  const slots = (await db.client.query('SELECT count(*)::int AS n FROM pg_replication_slots WHERE database = $1', [db.name])).rows[0].n;
  assert.equal(slots, 0, 'no slot is left behind by a failed start');
});
