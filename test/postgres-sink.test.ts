// Postgres sink end to end: JSON records with schemas in a topic → JdbcSinkConnector
// through the REST API; consumer offsets are committed only for rows written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKit } from './helpers/connect.ts';
import { createTestDb, PG } from './helpers/postgres.ts';

const keySchema = { type: 'struct', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }] };
const valueSchema = (extra: { field: string; type: string; optional: boolean }[] = []) => ({ type: 'struct', name: 'customer', optional: false, fields: [
  { field: 'id', type: 'int32', optional: false },
  { field: 'name', type: 'string', optional: false },
  { field: 'balance', type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } },
  { field: 'since', type: 'int32', optional: true, name: 'org.apache.kafka.connect.data.Date' },
  ...extra,
] });
const msg = (id: number, value: object | null, schema = valueSchema()) => ({
  key: JSON.stringify({ schema: keySchema, payload: { id } }),
  value: value === null ? null : JSON.stringify({ schema, payload: value }),
});
const b64 = (n: bigint) => { const h = n.toString(16); return Buffer.from(h.length % 2 ? '0' + h : h, 'hex').toString('base64'); };

test('Postgres sink through the REST API: upsert, delete on tombstones, auto.create/auto.evolve, offsets only after the write', async (t) => {
  const db = await createTestDb('trib_pgsink');
  t.after(() => db.drop());
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('customers');
  await kit.produce('customers', [
    msg(1, { id: 1, name: 'ann', balance: b64(1050n), since: 19000 }),
    msg(2, { id: 2, name: 'bob', balance: null, since: null }),
    msg(1, { id: 1, name: 'ann b', balance: b64(2000n), since: 19000 }),
  ]);
  const created = await kit.request('POST', '/connectors', { name: 'pg', config: {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', topics: 'customers', 'tasks.max': '1',
    'connection.url': `jdbc:postgresql://${PG.host}:${PG.port}/${db.name}`, 'connection.user': PG.user,
    'insert.mode': 'upsert', 'pk.mode': 'record_key', 'pk.fields': 'id', 'delete.enabled': 'true', 'auto.create': 'true', 'auto.evolve': 'true',
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await kit.waitForRunning('pg');
  const rows = async () => (await db.client.query('SELECT id, name, balance::text, since::text FROM customers ORDER BY id').catch(() => ({ rows: [] }))).rows;
  await kit.waitFor(async () => (await rows()).length === 2 && (await rows())[0].name === 'ann b', { what: 'the upserted rows' });
  assert.deepEqual(await rows(), [{ id: 1, name: 'ann b', balance: '20.00', since: '2022-01-08' }, { id: 2, name: 'bob', balance: null, since: null }]);
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/pg/offsets')).body.offsets[0]?.offset.kafka_offset === 3, { what: 'offset 3 committed' });

  // a tombstone deletes; a new optional field adds a column
  await kit.produce('customers', [msg(2, null), msg(3, { id: 3, name: 'cy', balance: null, since: null, tier: 'gold' }, valueSchema([{ field: 'tier', type: 'string', optional: true }]))]);
  const tiers = async () => (await db.client.query('SELECT id, tier FROM customers ORDER BY id').catch(() => ({ rows: [] }))).rows;
  await kit.waitFor(async () => JSON.stringify(await tiers()) === JSON.stringify([{ id: 1, tier: null }, { id: 3, tier: 'gold' }]), { what: 'delete and evolve' });
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/pg/offsets')).body.offsets[0]?.offset.kafka_offset === 5, { what: 'offset 5 committed' });

  // a record Postgres rejects (required name is null; the column is NOT NULL) fails the task; its offset is not committed
  const bad = { ...valueSchema(), fields: valueSchema().fields.map((f) => (f.field === 'name' ? { ...f, optional: true } : f)) };
  await kit.produce('customers', [msg(4, { id: 4, name: null, balance: null, since: null }, bad)]);
  await kit.waitFor(async () => (await kit.status('pg')).tasks[0]?.state === 'FAILED', { what: 'the task to fail' });
  assert.match((await kit.status('pg')).tasks[0].trace, /null value in column "name"/);
  assert.equal((await kit.request('GET', '/connectors/pg/offsets')).body.offsets[0].offset.kafka_offset, 5);
  assert.equal((await db.client.query('SELECT count(*)::int AS n FROM customers')).rows[0].n, 2);
});
