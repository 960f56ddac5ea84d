// The examples run as users run them, against a real broker: page views per user per
// minute (streams/examples/page-views.ts) as a child process, with one final count
// per window. It is stopped while windows are still open and restarted on an empty
// state dir: the suppression buffer comes back from its changelog, so the windows
// that were open still emit their final counts once stream time passes end + grace.
// And CDC enrichment (streams/examples/cdc-enrichment.ts) on the tables the Postgres
// CDC connector captures, with changes made while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startBroker, tempDir } from './helpers/broker.ts';
import { ROOT } from './helpers/process.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { startTestKit } from './helpers/connect.ts';
import { createTestDb, PG } from './helpers/postgres.ts';

function runExample(file: string, bootstrap: string, cwd: string) {
  // the example's state dir is ./data/streams: each run gets its own working directory (tsx resolved from here)
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, file), bootstrap], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { child, out: () => out, exited };
}
async function waitFor(what: () => string, cond: () => boolean | Promise<boolean>, ms = 90000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) { if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`); await new Promise((r) => setTimeout(r, 250)); }
}

test('page-views example: final counts per window, and the suppression buffer survives a restart on an empty state dir', { timeout: 240000 }, async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'check' });
  t.after(() => admin.close());
  const dirs = [tempDir('page-views-a-'), tempDir('page-views-b-')];
  t.after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
  const running: Array<ReturnType<typeof runExample>> = [];
  t.after(async () => { for (const r of running) if (r.child.exitCode === null) { r.child.kill('SIGKILL'); await r.exited; } });

  const a = runExample('streams/examples/page-views.ts', b.bootstrap, dirs[0]); running.push(a);
  await waitFor(() => `the example to run: ${a.out()}`, () => a.out().includes('running'));
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'views' });
  t.after(() => p.close());
  const t0 = Math.floor(Date.now() / 60000) * 60000 - 10 * 60000; // a whole minute, in the past
  const view = (user: string, at: number, page: string) => ({ topic: 'page-views', key: user, value: page, timestamp: at });
  await p.send([view('alice', t0, '/home'), view('bob', t0 + 1000, '/cart'), view('alice', t0 + 30000, '/cart'), view('carol', t0 + 45000, '/home')]);
  // the open windows sit in the suppression buffer, and in its changelog
  const bufferTopic = async () => (await admin.listTopics()).find((x) => x.startsWith('page-views-per-minute-KTABLE-SUPPRESS-STATE-STORE-') && x.endsWith('-changelog'));
  await waitFor(() => 'the suppression buffer changelog', async () => !!(await bufferTopic()));
  const topic = (await bufferTopic())!;
  const r = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'buffer', maxWaitMs: 100 });
  t.after(() => r.close());
  await waitFor(() => 'three buffered windows in the changelog', async () => (await r.endOffsets([{ topic }])).reduce((n, e) => n + e.latest, 0) >= 3);
  a.child.kill('SIGINT');
  assert.equal(await a.exited, 0, a.out());

  // a fresh instance, empty state dir: it restores the buffer; later views close the first windows
  const bInst = runExample('streams/examples/page-views.ts', b.bootstrap, dirs[1]); running.push(bInst);
  await waitFor(() => `the second run: ${bInst.out()}`, () => bInst.out().includes('running'));
  await p.send([view('alice', t0 + 75000, '/home'), view('bob', t0 + 75000, '/home'), view('carol', t0 + 75000, '/home')]);
  const out = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'out', maxWaitMs: 200 });
  t.after(() => out.close());
  await out.assign([0, 1, 2].map((partition) => ({ topic: 'page-views-per-minute', partition, offset: 'earliest' as const })));
  const got = new Map<string, number>();
  const at = new Date(t0).toISOString();
  await waitFor(() => `final counts, got ${JSON.stringify([...got])}\n${bInst.out()}`, async () => {
    for (const batch of await out.poll()) for (const rec of batch.records) got.set(rec.key!.toString(), Number(rec.value!.readBigInt64BE(0)));
    return got.size >= 3;
  });
  assert.deepEqual(Object.fromEntries(got), { [`alice@${at}`]: 2, [`bob@${at}`]: 1, [`carol@${at}`]: 1 });
  bInst.child.kill('SIGINT');
  assert.equal(await bInst.exited, 0);
});

test('cdc-enrichment example: orders and customers captured from Postgres by the CDC connector, joined by foreign key', { timeout: 240000 }, async (t) => {
  const src = await createTestDb('trib_streams_cdc');
  t.after(() => src.drop());
  await src.client.query(`CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, country text NOT NULL)`);
  await src.client.query(`CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, amount int NOT NULL)`);
  await src.client.query(`INSERT INTO customers VALUES (1, 'ann', 'NO'), (2, 'bob', 'FR')`);
  await src.client.query(`INSERT INTO orders VALUES (10, 1, 100), (11, 2, 250)`);
  const kit = await startTestKit();
  const slot = `slot_${src.name}`;
  const dir = tempDir('cdc-enrichment-');
  let ex: ReturnType<typeof runExample> | undefined;
  // the example, then Connect and its broker
  t.after(async () => { if (ex && ex.child.exitCode === null) { ex.child.kill('SIGKILL'); await ex.exited; } await kit.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  const created = await kit.request('POST', '/connectors', { name: 'shop-cdc', config: {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.password': '',
    'database.dbname': src.name, 'topic.prefix': 'shop', 'plugin.name': 'pgoutput', 'slot.name': slot, 'publication.name': `pub_${slot}`, 'publication.autocreate.mode': 'filtered',
    'table.include.list': 'public\\.orders,public\\.customers',
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await kit.waitForRunning('shop-cdc');
  await kit.consume('shop.public.orders', { count: 2 });
  await kit.consume('shop.public.customers', { count: 2 });
  const admin = new KafkaAdmin({ bootstrap: kit.bootstrap, clientId: 'setup' });
  await admin.createTopics([{ topic: 'orders-enriched', partitions: 1, replicationFactor: 1 }]);
  await admin.close();

  ex = runExample('streams/examples/cdc-enrichment.ts', kit.bootstrap, dir);
  const e = ex;
  await waitFor(() => `the example to run: ${e.out()}`, () => e.out().includes('enriching'));
  // changes while it runs: a new order, a customer moving country
  await src.client.query(`INSERT INTO orders VALUES (12, 1, 40)`);
  await src.client.query(`UPDATE customers SET country = 'SE' WHERE id = 2`);
  const out = new PartitionReader({ bootstrap: kit.bootstrap, clientId: 'enriched', isolation: 'read_committed', maxWaitMs: 200 });
  t.after(() => out.close());
  await out.assign([{ topic: 'orders-enriched', partition: 0, offset: 'earliest' }]);
  const latest = new Map<string, unknown>();
  await waitFor(() => `enriched orders, got ${JSON.stringify([...latest])}\n${e.out()}`, async () => {
    for (const batch of await out.poll()) for (const rec of batch.records) latest.set(rec.key!.toString(), rec.value ? JSON.parse(rec.value.toString()) : null);
    return latest.size === 3 && (latest.get('11') as { country?: string } | null)?.country === 'SE';
  }, 120000);
  assert.deepEqual(Object.fromEntries(latest), {
    10: { order_id: 10, amount: 100, customer: 'ann', country: 'NO' },
    11: { order_id: 11, amount: 250, customer: 'bob', country: 'SE' },
    12: { order_id: 12, amount: 40, customer: 'ann', country: 'NO' },
  });
});
