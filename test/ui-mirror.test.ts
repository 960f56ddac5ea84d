// Admin UI, end to end: the Mirroring page on two real brokers. Cluster "a" (a second
// in-process broker) mirrors into the harness's broker "b" through the real MM2
// connectors on a real Connect worker; the page shows the flow a → b, its connectors,
// the topic with its replication lag (records and time, growing while the source
// connector is paused), a group's last checkpoint and the flow's heartbeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startConnect } from '../connectors/index.ts';
import { startUiHarness } from './helpers/ui.ts';
import { startUi } from '../ui/server/index.ts';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { waitFor, countTopic } from './mirror-helpers.ts';

const BYTES = 'org.apache.kafka.connect.converters.ByteArrayConverter';

test('ui: MirrorMaker 2 flows', async (t) => {
  const a = await startBroker();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ui-mirror-'));
  const h = await startUiHarness(t, {
    startConnect: (bootstrap) => startConnect({
      bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), dataDir: dir,
      config: { 'offset.flush.interval.ms': '300' }, scanPluginsDir: false,
    }),
  });
  // after the harness (Connect, then its broker) stopped: the source cluster goes last
  t.after(async () => { await a.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  const { page } = h;
  await kcat(['-b', a.bootstrap, '-t', 'orders', '-P', '-K:'], Array.from({ length: 20 }, (_, i) => `k${i}:order ${i}`).join('\n') + '\n');

  const common = {
    'source.cluster.alias': 'a', 'target.cluster.alias': 'b',
    'source.cluster.bootstrap.servers': a.bootstrap, 'target.cluster.bootstrap.servers': h.broker.bootstrap,
    'key.converter': BYTES, 'value.converter': BYTES, 'tasks.max': '1', 'replication.factor': '1',
    'offset-syncs.topic.replication.factor': '1', 'checkpoints.topic.replication.factor': '1', 'heartbeats.topic.replication.factor': '1',
    'refresh.topics.interval.seconds': '1', 'refresh.groups.interval.seconds': '1', 'emit.checkpoints.interval.seconds': '1',
    'emit.heartbeats.interval.seconds': '1', 'sync.topic.configs.enabled': 'false', topics: 'orders', groups: '.*',
  };
  const create = async (name: string) => {
    const r = await fetch(`${h.connectUrl}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, config: { ...common, 'connector.class': `org.apache.kafka.connect.mirror.${name}` } }) });
    assert.equal(r.status, 201, await r.text());
  };
  for (const n of ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector']) await create(n);
  await waitFor(async () => (await countTopic(h.broker.bootstrap, 'a.orders').catch(() => 0)) === 20, '20 records on b as a.orders');

  // a group on a reads and commits 12 of the 20: its checkpoint reaches b
  const kafkaA = new Kafka({ brokers: [a.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafkaA.admin();
  await admin.connect();
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '12' }] });
  await admin.disconnect();

  await t.test('the flow, its connectors, the topic caught up, a checkpoint and a heartbeat', async () => {
    await page.goto(`${h.ui.url}/mirror`);
    const flow = page.getByRole('region', { name: 'Flow a → b' });
    await flow.getByRole('heading', { name: 'a → b' }).waitFor({ timeout: 20_000 });
    const connectors = flow.getByRole('table', { name: 'Connectors of a → b' });
    for (const n of ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector']) await connectors.getByRole('row', { name: new RegExp(n) }).getByText('RUNNING').first().waitFor({ timeout: 20_000 });
    const topic = flow.getByRole('table', { name: 'Topics of a → b' }).getByRole('row', { name: /orders/ });
    await topic.getByRole('cell', { name: 'a.orders' }).waitFor({ timeout: 20_000 });
    await waitFor(async () => /\b0\s+0 s$/.test((await topic.innerText()).trim()), 'lag 0 records, 0 s', 20_000);
    const cp = flow.getByRole('table', { name: 'Checkpoints of a → b' }).getByRole('row', { name: /billing/ });
    await cp.waitFor({ timeout: 20_000 });
    // upstream 12 translates to the downstream offset of the last offset sync at or below it,
    // plus one (Kafka's OffsetSyncStore rule): never past a record not yet consumed
    const m = /a\.orders\s+0\s+12\s+(\d+)/.exec(await cp.innerText());
    assert.ok(m && Number(m[1]) <= 12, await cp.innerText());
    await flow.getByText(/last heartbeat \d{4}-\d\d-\d\d/).waitFor({ timeout: 20_000 });
  });

  await t.test('lag in records and time while the source connector is paused', async () => {
    assert.equal((await fetch(`${h.connectUrl}/connectors/MirrorSourceConnector/pause`, { method: 'PUT' })).status, 202);
    await waitFor(async () => (await (await fetch(`${h.connectUrl}/connectors/MirrorSourceConnector/status`)).json()).tasks?.[0]?.state === 'PAUSED', 'paused');
    // a poll in flight when the pause lands still returns what arrives during its long poll (up to 500 ms)
    await new Promise((r) => setTimeout(r, 1500));
    await kcat(['-b', a.bootstrap, '-t', 'orders', '-P'], 'late 1\nlate 2\nlate 3\nlate 4\nlate 5\n');
    await new Promise((r) => setTimeout(r, 1500));
    const flow = page.getByRole('region', { name: 'Flow a → b' });
    const lagCard = flow.getByRole('region', { name: 'Figures of a → b' }).locator('.card', { hasText: 'Replication lag (records)' });
    await waitFor(async () => {
      const r = await (await fetch(`${h.ui.url}/api/mirror`)).json();
      return r.flows[0].topics[0]?.lagRecords === 5 ? r : null;
    }, 'lag 5 from /api/mirror', 20_000).catch(async (e) => { throw new Error(`${e.message}: ${JSON.stringify(await (await fetch(`${h.ui.url}/api/mirror`)).json())} b has ${await countTopic(h.broker.bootstrap, 'a.orders')} a has ${await countTopic(a.bootstrap, 'orders')} offsets ${JSON.stringify(await (await fetch(`${h.connectUrl}/connectors/MirrorSourceConnector/offsets`)).json())}`); });
    await lagCard.getByText('5', { exact: true }).waitFor({ timeout: 20_000 });
    const seconds = await flow.getByRole('region', { name: 'Figures of a → b' }).locator('.card', { hasText: 'Replication lag (time)' }).locator('.value').innerText();
    assert.match(seconds, /^\d+(\.\d)? s$/);
    assert.ok(parseFloat(seconds) >= 1, `lag ${seconds} for records written over a second ago`);
    await h.shot('mirror');
    assert.equal((await fetch(`${h.connectUrl}/connectors/MirrorSourceConnector/resume`, { method: 'PUT' })).status, 202);
    await lagCard.getByText('0', { exact: true }).waitFor({ timeout: 20_000 });
  });

  await t.test('a UI without --connect lists the flows of the workers --mirror-connect names, and says which one is down', async () => {
    const ui2 = await startUi({ bootstrap: h.broker.bootstrap, host: '127.0.0.1', port: 0, mirrorConnectUrls: [h.connectUrl!, 'http://127.0.0.1:1'] });
    const none = await startUi({ bootstrap: h.broker.bootstrap, host: '127.0.0.1', port: 0 });
    try {
      const m = await (await fetch(`${ui2.url}/api/mirror`)).json();
      assert.deepEqual(m.flows.map((f: { source: string; target: string; connectUrl: string }) => [f.source, f.target, f.connectUrl]), [['a', 'b', h.connectUrl]]);
      assert.equal(m.errors.length, 1);
      assert.match(m.errors[0], /^http:\/\/127\.0\.0\.1:1: /);
      const r = await fetch(`${none.url}/api/mirror`);
      assert.equal(r.status, 503);
      assert.match((await r.json()).message, /--mirror-connect/);
    } finally {
      await ui2.close(); await none.close();
    }
  });
});
