// The Postgres sink task against the machine's Postgres, driven directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JdbcSinkTask, parseConnectionUrl, sqlType } from './sink.ts';
import { createTestDb, sinkContext, PG } from '../../../test/helpers/postgres.ts';
import { S, Logical, type SinkRecord, type Schema } from '../../../plugins/sdk/index.ts';

let offset = 0;
const rec = (topic: string, keySchema: Schema | null, key: unknown, valueSchema: Schema | null, value: unknown): SinkRecord =>
  ({ topic, kafkaPartition: 0, kafkaOffset: offset++, keySchema, key, valueSchema, value, timestamp: Date.now(), headers: [] });

const keyS = S.struct('k', { id: S.int32() });
const v1 = S.struct('v', { id: S.int32(), name: S.string(), price: { ...S.bytes(true), name: Logical.Decimal, parameters: { scale: '2' } }, at: { ...S.int64(true), name: Logical.Timestamp } });

test('parseConnectionUrl takes jdbc and postgres URLs', () => {
  assert.deepEqual(parseConnectionUrl('jdbc:postgresql://h:5433/db?user=u&password=p', '', ''), { host: 'h', port: 5433, database: 'db', user: 'u', password: 'p' });
  assert.deepEqual(parseConnectionUrl('postgres://a:b@h/db', '', ''), { host: 'h', port: 5432, database: 'db', user: 'a', password: 'b' });
  assert.equal(parseConnectionUrl('postgres://a:b@h/db', 'x', 'y').user, 'x');
  assert.equal(sqlType({ type: 'int64', name: 'io.debezium.time.MicroTimestamp' }), 'timestamp');
  assert.equal(sqlType(S.array(S.string())), 'text[]');
});

test('upsert with auto.create and auto.evolve, deletes on tombstones, one transaction per put', async (t) => {
  const db = await createTestDb('trib_sink');
  t.after(() => db.drop());
  const task = new JdbcSinkTask();
  await task.start({ 'connection.url': `jdbc:postgresql://${PG.host}:${PG.port}/${db.name}`, 'connection.user': PG.user, 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true', 'auto.evolve': 'true', 'delete.enabled': 'true', 'table.name.format': 'sink_${topic}', 'batch.size': '2' }, sinkContext());
  t.after(() => task.stop());
  await task.put([
    rec('orders', keyS, { id: 1 }, v1, { id: 1, name: 'a', price: '1.50', at: new Date('2024-01-02T03:04:05.678Z') }),
    rec('orders', keyS, { id: 2 }, v1, { id: 2, name: 'b', price: null, at: null }),
    rec('orders', keyS, { id: 1 }, v1, { id: 1, name: 'a2', price: '2.00', at: null }), // same key twice in one batch
    rec('orders', keyS, { id: 3 }, v1, { id: 3, name: 'c', price: '3.25', at: null }),
  ]);
  let rows = (await db.client.query('SELECT id, name, price::text, at FROM sink_orders ORDER BY id')).rows;
  assert.deepEqual(rows.map((r) => [r.id, r.name, r.price]), [[1, 'a2', '2.00'], [2, 'b', null], [3, 'c', '3.25']]);
  const cols = (await db.client.query(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'sink_orders' ORDER BY ordinal_position`)).rows;
  assert.deepEqual(cols.map((c) => `${c.column_name}:${c.data_type}:${c.is_nullable}`), ['id:integer:NO', 'name:text:NO', 'price:numeric:YES', 'at:timestamp without time zone:YES']);
  const pk = (await db.client.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'sink_orders'::regclass AND i.indisprimary`)).rows;
  assert.deepEqual(pk.map((r) => r.attname), ['id']);

  // tombstone deletes; an added optional field evolves the table
  const v2 = S.struct('v', { id: S.int32(), name: S.string(), qty: S.int32(true) });
  await task.put([rec('orders', keyS, { id: 2 }, null, null), rec('orders', keyS, { id: 4 }, v2, { id: 4, name: 'd', qty: 7 })]);
  rows = (await db.client.query('SELECT id, name, qty FROM sink_orders ORDER BY id')).rows;
  assert.deepEqual(rows.map((r) => [r.id, r.name, r.qty]), [[1, 'a2', null], [3, 'c', null], [4, 'd', 7]]);

  // a failing batch rolls back entirely and throws (so the runtime does not commit offsets)
  await assert.rejects(task.put([
    rec('orders', keyS, { id: 5 }, v2, { id: 5, name: 'e', qty: 1 }),
    rec('orders', keyS, { id: 6 }, v2, { id: 6, name: null, qty: 1 }), // NOT NULL violation
  ]));
  rows = (await db.client.query('SELECT id FROM sink_orders WHERE id >= 5')).rows;
  assert.deepEqual(rows, [], 'nothing of the failed batch is visible');
});

test('insert mode without auto.create fails clearly; pk.mode=kafka and record_value', async (t) => {
  const db = await createTestDb('trib_sink');
  t.after(() => db.drop());
  const url = `postgres://${PG.user}@${PG.host}:${PG.port}/${db.name}`;
  const strict = new JdbcSinkTask();
  await strict.start({ 'connection.url': url }, sinkContext());
  t.after(() => strict.stop());
  await assert.rejects(strict.put([rec('nope', null, null, v1, { id: 1, name: 'a', price: null, at: null })]), /missing and auto.create is disabled/);

  const kafka = new JdbcSinkTask();
  await kafka.start({ 'connection.url': url, 'pk.mode': 'kafka', 'auto.create': 'true', 'insert.mode': 'upsert' }, sinkContext());
  t.after(() => kafka.stop());
  const r = rec('events', null, null, S.struct('e', { msg: S.string() }), { msg: 'hi' });
  await kafka.put([r]);
  await kafka.put([r]); // redelivery after a crash: same coordinates, no duplicate
  const rows = (await db.client.query('SELECT * FROM events')).rows;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].__connect_topic, 'events');
  assert.equal(Number(rows[0].__connect_offset), r.kafkaOffset);

  const byValue = new JdbcSinkTask();
  await byValue.start({ 'connection.url': url, 'pk.mode': 'record_value', 'pk.fields': 'code', 'auto.create': 'true', 'insert.mode': 'upsert', 'fields.whitelist': 'code,label' }, sinkContext());
  t.after(() => byValue.stop());
  const vs = S.struct('c', { code: S.string(), label: S.string(), secret: S.string() });
  await byValue.put([rec('codes', null, null, vs, { code: 'x', label: 'one', secret: 's' }), rec('codes', null, null, vs, { code: 'x', label: 'two', secret: 's' })]);
  const codes = (await db.client.query('SELECT * FROM codes')).rows;
  assert.deepEqual(codes, [{ code: 'x', label: 'two' }], 'fields.whitelist leaves secret out');
});

test('insert.mode=update changes existing rows only; config errors name the key', async (t) => {
  const db = await createTestDb('trib_sink');
  t.after(() => db.drop());
  await db.client.query(`CREATE TABLE accounts (id int PRIMARY KEY, name text, balance int)`);
  await db.client.query(`INSERT INTO accounts VALUES (1, 'a', 10)`);
  const task = new JdbcSinkTask();
  await task.start({ 'connection.url': db.url, 'insert.mode': 'update', 'pk.mode': 'record_key', 'table.name.format': 'accounts' }, sinkContext());
  t.after(() => task.stop());
  const vs = S.struct('v', { name: S.string(), balance: S.int32() });
  await task.put([rec('acc', keyS, { id: 1 }, vs, { name: 'a', balance: 99 }), rec('acc', keyS, { id: 2 }, vs, { name: 'b', balance: 5 })]);
  assert.deepEqual((await db.client.query('SELECT * FROM accounts ORDER BY id')).rows, [{ id: 1, name: 'a', balance: 99 }]);
  await assert.rejects(new JdbcSinkTask().start({ 'connection.url': db.url, 'delete.enabled': 'true' }, sinkContext()), (e: Error & { key?: string }) => e.key === 'delete.enabled');
  await assert.rejects(new JdbcSinkTask().start({ 'connection.url': db.url, 'insert.mode': 'upsert' }, sinkContext()), (e: Error & { key?: string }) => e.key === 'pk.mode');
});
