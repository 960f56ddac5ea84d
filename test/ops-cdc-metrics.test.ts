// CDC slot lag through Prometheus: it grows while the connector is paused (the slot
// is not confirmed while nothing is consumed) and falls after resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKit } from './helpers/connect.ts';
import { createTestDb, PG } from './helpers/postgres.ts';
import { startPrometheus } from './helpers/prometheus.ts';

test('Prometheus sees CDC slot lag grow while the connector is paused and fall after resume', async (t) => {
  const src = await createTestDb('trib_opscdc');
  t.after(() => src.drop());
  await src.client.query('CREATE TABLE events (id serial PRIMARY KEY, body text NOT NULL)');
  await src.client.query(`INSERT INTO events (body) VALUES ('first')`);
  const kit = await startTestKit({ workerConfig: { 'offset.flush.interval.ms': '300' } });
  t.after(() => kit.close());
  const slot = `slot_${src.name}`;
  const created = await kit.request('POST', '/connectors', { name: 'cdc', config: {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.password': '', 'database.dbname': src.name,
    'topic.prefix': 'opscdc', 'plugin.name': 'pgoutput', 'slot.name': slot, 'publication.name': `pub_${slot}`, 'publication.autocreate.mode': 'filtered',
    'table.include.list': 'public\\.events', 'status.update.interval.ms': '200', 'heartbeat.interval.ms': '300',
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  t.after(async () => {
    await kit.request('DELETE', '/connectors/cdc').catch(() => undefined);
    await src.client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => undefined);
  });
  await kit.waitForRunning('cdc');
  const prom = await startPrometheus({ connect: [new URL(kit.url).host] });
  t.after(() => prom.stop());
  const lag = 'tributary_connect_cdc_slot_lag_bytes{connector="cdc",task="0"}';
  const lagSeconds = 'tributary_connect_cdc_slot_lag_seconds{connector="cdc",task="0"}';
  await prom.waitFor('tributary_connect_cdc_streaming{connector="cdc"}', (v) => v === 1, 60000);
  await prom.waitFor(lag, (v) => v !== null, 30000);

  assert.equal((await kit.request('PUT', '/connectors/cdc/pause')).status, 202);
  await kit.waitForState('cdc', 'PAUSED');
  // ~4 MB of WAL the paused connector does not consume
  const body = 'x'.repeat(1000);
  for (let i = 0; i < 4; i++) await src.client.query(`INSERT INTO events (body) SELECT $1 FROM generate_series(1, 1000)`, [body]);
  const peak = await prom.waitFor(lag, (v) => v !== null && v > 3_000_000, 30000);
  // in seconds: the slot's confirmed position stays where the WAL was before the inserts
  const peakSeconds = await prom.waitFor(lagSeconds, (v) => v !== null && v >= 2, 30000);

  assert.equal((await kit.request('PUT', '/connectors/cdc/resume')).status, 202);
  const after = await prom.waitFor(lag, (v) => v !== null && v < peak! / 2, 60000);
  assert.ok(after! < peak!, `lag ${after} after resume, ${peak} while paused`);
  const afterSeconds = await prom.waitFor(lagSeconds, (v) => v !== null && v < 1, 60000);
  assert.ok(afterSeconds! < peakSeconds!, `lag ${afterSeconds} s after resume, ${peakSeconds} s while paused`);
});
