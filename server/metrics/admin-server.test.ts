import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminServer } from './admin-server.ts';

test('/ready: 503 while starting; in a cluster it names the metadata store and stays 200 while the store is unreachable; /health stays 200', async (t) => {
  let why: string | null = 'recovering logs and loading coordinators';
  let store = { reachable: true, unreachableSince: null as number | null };
  const single = new AdminServer({ host: '127.0.0.1', port: 0, metrics: () => null, notReady: () => why });
  const cluster = new AdminServer({ host: '127.0.0.1', port: 0, metrics: () => null, notReady: () => why, metadataStore: () => store });
  await single.listen(); await cluster.listen();
  t.after(() => single.close()); t.after(() => cluster.close());
  const get = async (s: AdminServer, p: string) => { const r = await fetch(`http://127.0.0.1:${s.port}${p}`); return { status: r.status, body: await r.json() }; };

  assert.deepEqual(await get(single, '/ready'), { status: 503, body: { status: 'DOWN', reason: why } });
  why = null;
  assert.deepEqual(await get(single, '/ready'), { status: 200, body: { status: 'UP' } });
  assert.deepEqual(await get(cluster, '/ready'), { status: 200, body: { status: 'UP', metadataStore: { status: 'UP' } } });
  store = { reachable: false, unreachableSince: Date.UTC(2026, 0, 2, 3, 4, 5) };
  const down = await get(cluster, '/ready');
  assert.equal(down.status, 200);
  assert.equal(down.body.status, 'UP');
  assert.equal(down.body.metadataStore.status, 'DOWN');
  assert.equal(down.body.metadataStore.since, '2026-01-02T03:04:05.000Z');
  assert.match(down.body.metadataStore.detail, /no leader election/);
  assert.deepEqual(await get(cluster, '/health'), { status: 200, body: { status: 'UP' } });
});
