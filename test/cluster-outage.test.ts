// The metadata store goes away (the test's own PostgreSQL, stopped with pg_ctl):
// brokers keep serving produce and fetch for the leaders they have, log that no
// leadership change is possible, and resume without restarts when it returns —
// with no false failover from the leases nobody could renew meanwhile. The outage shows
// where people look: each broker's /metrics and /ready, the UI server's API (its samplers
// read those /metrics) and a banner on the UI's Brokers page and Overview in Chromium,
// gone again once the store is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Locator } from 'playwright-core';
import { kcatMetadata, OwnPostgres, TestCluster, waitFor } from './helpers/cluster.ts';
import { kcat, python } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { ARTIFACTS, CHROMIUM_ARGS } from './helpers/ui.ts';
import { BrokerConnection } from '../server/replication/broker-connection.ts';
import { CreateTopics } from '../server/protocol/apis/index.ts';
import { startUi } from '../ui/server/index.ts';
import type { ClusterInfo, Overview } from '../ui/shared/api-types.ts';

const SESSION_MS = 4000;

/** A broker's store gauges from its /metrics: up (1/0) and the outage's start in ms (0 while up). */
async function storeGauges(adminUrl: string, nodeId: number): Promise<{ up: number; since: number }> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const value = (name: string) => {
    const m = new RegExp(`^${name}\\{node_id="${nodeId}"\\} (\\S+)$`, 'm').exec(text);
    assert.ok(m, `${name}{node_id="${nodeId}"} in ${adminUrl}/metrics`);
    return Number(m[1]);
  };
  return { up: value('tributary_cluster_metadata_store_up'), since: Math.round(value('tributary_cluster_metadata_store_unreachable_since_timestamp_seconds') * 1000) };
}

test('a store outage: produce and fetch continue, nothing fails over, leadership moves again afterwards', async (t) => {
  const pg = new OwnPostgres();
  await pg.init();
  t.after(() => pg.close());
  const c = new TestCluster({ url: pg.url(), name: 'postgres', drop: async () => {} }, ['--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.lag.time.max.ms=30000', '--log-level', 'info']);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  const boot = c.bootstrap();
  await waitFor('three brokers', async () => (await kcatMetadata(c.brokers.get(1)!.bootstrap)).brokers.length === 3);
  const made = await python([path.join(ROOT, 'test/py/cluster_admin.py'), boot, 'create', 'outage', '1', '3']);
  assert.deepEqual(JSON.parse(made.stdout), { ok: true }, made.stderr);
  await waitFor('a full ISR', async () => (await kcatMetadata(boot, 'outage')).topics[0].partitions[0].isrs.length === 3);
  const before = (await kcatMetadata(boot, 'outage')).topics[0].partitions[0];
  await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], 'a1\na2\na3\n');

  // The admin UI against this cluster, reading each broker's admin port.
  const admins = new Map([...c.brokers.values()].map((b) => [b.nodeId, `http://127.0.0.1:${b.cli.ports.admin}`]));
  for (const [id, url] of admins) {
    assert.deepEqual(await storeGauges(url, id), { up: 1, since: 0 });
    assert.deepEqual(await (await fetch(`${url}/ready`)).json(), { status: 'UP', metadataStore: { status: 'UP' } });
  }
  const ui = await startUi({ bootstrap: boot, host: '127.0.0.1', port: 0, brokerAdminUrls: [...admins.values()], sampleIntervalMs: 500 });
  t.after(() => ui.close());
  const api = async <T>(p: string): Promise<T> => { const r = await fetch(`${ui.url}${p}`); assert.equal(r.status, 200, p); return r.json() as Promise<T>; };
  await waitFor('the UI to read the store\'s state', async () => (await api<ClusterInfo>('/api/brokers')).metadataStore?.brokers.length === 3);
  assert.equal((await api<ClusterInfo>('/api/brokers')).metadataStore!.state, 'reachable');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 1000 }, timezoneId: 'UTC' })).newPage();
  page.setDefaultTimeout(15_000);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // headless Chromium counts as a background tab, where TanStack Query does not poll: reload until it shows
  const shows = (l: Locator, present = true) => waitFor(`${l} ${present ? 'shown' : 'gone'}`, async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('region', { name: /Cluster/ }).first().waitFor();
    return present ? l.first().waitFor({ timeout: 3000 }).then(() => true, () => false) : (await l.count()) === 0;
  }, 40_000, 200).catch(async (e) => { await page.screenshot({ path: path.join(ARTIFACTS, 'debug-store-outage.png'), fullPage: true }); throw e; });
  const banner = page.getByRole('alert', { name: 'Metadata store unreachable' });
  await page.goto(`${ui.url}/brokers`);
  await page.getByRole('region', { name: 'Cluster health' }).getByRole('img', { name: 'Metadata store: reachable' }).waitFor();
  assert.equal(await banner.count(), 0);

  const stoppedAt = Date.now();
  await pg.stop();
  await waitFor('the brokers to notice', async () => [...c.brokers.values()].every((b) => /metadata store unreachable/.test(b.cli.output())), 10000);
  // Each broker's admin port says so: the gauge, since when, and /ready (still 200: it serves its leaders).
  const sinces: number[] = [];
  for (const [id, url] of admins) {
    const g = await waitFor(`broker ${id}'s /metrics to show the store down`, async () => { const x = await storeGauges(url, id); return x.up === 0 && x; });
    assert.ok(g.since >= stoppedAt - 1000 && g.since <= Date.now(), `outage start ${new Date(g.since).toISOString()} after pg_ctl stop at ${new Date(stoppedAt).toISOString()}`);
    sinces.push(g.since);
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 200);
    const body = await ready.json();
    assert.equal(body.metadataStore.status, 'DOWN');
    assert.equal(Date.parse(body.metadataStore.since), g.since);
    assert.equal((await fetch(`${url}/health`)).status, 200);
  }
  // The UI server's API: unreachable on brokers 1, 2, 3 since the earliest of them.
  const seen = await waitFor('the UI API to show the store unreachable', async () => { const m = (await api<ClusterInfo>('/api/brokers')).metadataStore; return m?.state === 'unreachable' && m.unreachableBrokers.length === 3 && m; });
  assert.deepEqual(seen.unreachableBrokers, [1, 2, 3]);
  assert.equal(seen.unreachableSince, Math.min(...sinces));
  assert.deepEqual((await api<Overview>('/api/overview')).metadataStore?.unreachableBrokers, [1, 2, 3]);
  // The Brokers page: a banner saying since when, on which brokers, and what still works; red state.
  await shows(banner);
  const text = await banner.innerText();
  assert.match(text, new RegExp(`Metadata store unreachable since ${new Date(seen.unreachableSince!).toISOString().slice(11, 19)} on brokers 1, 2, 3`));
  assert.match(text, /Produce and fetch continue for current leaders; no leader election, topic creation or reassignment is possible until it returns/);
  await banner.getByRole('img', { name: 'Metadata store: unreachable' }).waitFor();
  await page.getByRole('region', { name: 'Cluster health' }).getByRole('img', { name: 'Metadata store: unreachable' }).waitFor();
  for (const n of [1, 2, 3]) assert.match(await page.getByRole('table', { name: 'Brokers' }).getByRole('row').nth(n).innerText(), new RegExp(`^${n}\\s+alive.*\\bunreachable\\b`));
  await page.screenshot({ path: path.join(ARTIFACTS, 'brokers-store-outage.png'), fullPage: true });
  await page.goto(`${ui.url}/`);
  await shows(banner);
  assert.match(await banner.innerText(), /on brokers 1, 2, 3/);
  await page.getByRole('region', { name: 'Cluster', exact: true }).getByRole('img', { name: 'Metadata store: unreachable' }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'overview-store-outage.png'), fullPage: true });
  // Longer than a session: every lease lapses in the store's eyes, and nobody may act on it.
  for (let i = 0; i < 4; i++) {
    await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], `b${i}\n`);
    await new Promise((r) => setTimeout(r, SESSION_MS / 3));
  }
  // An admin change cannot be made: a retriable error that says why.
  const conn = await BrokerConnection.connect('127.0.0.1', c.brokers.get(1)!.port, 'outage-test');
  const created = await conn.send(CreateTopics, 5, { topics: [{ name: 'during', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false } as any) as any;
  conn.close();
  assert.equal(created.topics[0].errorCode, 41, 'NOT_CONTROLLER (retriable)');
  assert.match(created.topics[0].errorMessage, /metadata store .* cannot be reached .* Retry/);
  const during = await kcat(['-C', '-b', boot, '-t', 'outage', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(during.trim().split('\n'), ['a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3']);

  await pg.start();
  await waitFor('the brokers to resume', async () => [...c.brokers.values()].every((b) => /metadata store reachable again/.test(b.cli.output())), 20000);
  for (const [id, url] of admins) assert.deepEqual(await storeGauges(url, id), { up: 1, since: 0 });
  await waitFor('the UI API to show the store back', async () => (await api<ClusterInfo>('/api/brokers')).metadataStore?.state === 'reachable');
  await page.goto(`${ui.url}/brokers`);
  await shows(banner, false);
  await page.getByRole('region', { name: 'Cluster health' }).getByRole('img', { name: 'Metadata store: reachable' }).waitFor();
  await new Promise((r) => setTimeout(r, SESSION_MS + 1500));
  const after = (await kcatMetadata(boot, 'outage')).topics[0].partitions[0];
  assert.equal(after.leader, before.leader, 'no failover for leases nobody could renew');
  assert.equal(after.isrs.length, 3);
  assert.equal((await kcatMetadata(boot)).brokers.length, 3);
  await kcat(['-P', '-b', boot, '-t', 'outage', '-X', 'acks=all'], 'c1\n');

  // Leadership can move again: kill -9 the leader.
  await c.kill(before.leader);
  const rest = c.bootstrap();
  const moved = await waitFor('a new leader', async () => { const p = (await kcatMetadata(rest, 'outage')).topics[0].partitions[0]; return p.leader !== before.leader && p.leader >= 0 && p; }, SESSION_MS * 3);
  assert.ok(before.isrs.some((r) => r.id === moved.leader));
  const all = await kcat(['-C', '-b', rest, '-t', 'outage', '-o', 'beginning', '-e', '-q']);
  assert.deepEqual(all.trim().split('\n'), ['a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c1']);
});
