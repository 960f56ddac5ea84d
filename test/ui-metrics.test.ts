// The UI's figures and charts read the same /metrics Prometheus scrapes: the
// Overview's messages-in equals the broker's kafka_server_brokertopicmetrics_messagesin_total,
// a group's lag history ends at kafka_consumergroup_lag, and a connector's chart
// adds up to what Connect's source-record-write counter says it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startConnect } from '../connectors/index.ts';
import { seedTopic, startUiHarness } from './helpers/ui.ts';
import { kcat } from './helpers/clients.ts';
import { freePort } from './helpers/prometheus.ts';
import { KafkaGateway } from '../ui/server/kafka/gateway.ts';
import { Samplers } from '../ui/server/services/samplers.ts';
import { MetricSet, parsePrometheusText } from '../ui/server/services/prom-text.ts';

async function metrics(url: string): Promise<MetricSet> {
  return new MetricSet(parsePrometheusText(await (await fetch(`${url}/metrics`)).text()));
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('ui: figures and charts agree with /metrics', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ui-metrics-'));
  const input = path.join(dir, 'input.txt');
  fs.writeFileSync(input, '');
  const h = await startUiHarness(t, {
    sampleIntervalMs: 300,
    startConnect: (bootstrap) => startConnect({
      bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), dataDir: dir,
      config: { 'offset.flush.interval.ms': '200' }, scanPluginsDir: false,
    }),
  });
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { page } = h;
  await seedTopic(h, 'orders', 25, 2);
  await kcat(['-b', h.broker.bootstrap, '-t', 'orders', '-P'], 'a\nb\nc\nd\ne\n');

  await t.test('Overview: messages in is the broker counter Prometheus scrapes', async () => {
    await page.goto(`${h.ui.url}/`);
    const card = page.getByRole('region', { name: 'Cluster figures' }).locator('.card', { hasText: 'Messages in' });
    await card.getByText('30', { exact: true }).waitFor({ timeout: 15_000 });
    const m = await metrics(h.adminUrl);
    const fromMetrics = m.sum('kafka_server_brokertopicmetrics_messagesin_total', (s) => !s.labels.topic.startsWith('_'));
    assert.equal(fromMetrics, 30);
    assert.equal(await card.locator('.value').innerText(), String(fromMetrics));
    await page.getByLabel('Metrics source').getByText(h.adminUrl, { exact: false }).waitFor();
    await page.getByRole('img', { name: /^Throughput\. Latest/ }).waitFor({ timeout: 15_000 });
    await h.shot('overview');
  });

  await t.test('a group\'s lag history ends at kafka_consumergroup_lag', async () => {
    const producer = h.kafka.producer();
    await producer.connect();
    const admin = h.kafka.admin();
    await admin.connect();
    // the group committed 10 of partition 0's records and 3 of partition 1's
    await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '10' }, { partition: 1, offset: '3' }] });
    await admin.disconnect(); await producer.disconnect();
    const lag = await until('lag in /metrics', async () => {
      const v = (await metrics(h.adminUrl)).sumBy('kafka_consumergroup_lag', 'consumergroup').get('billing');
      return v !== undefined ? v : null;
    });
    assert.equal(lag, 30 - 13);
    await page.goto(`${h.ui.url}/groups/billing`);
    await page.getByRole('img', { name: new RegExp(`Total lag over time\\. Latest: Total lag \\(messages\\) ${lag}$`) }).waitFor({ timeout: 15_000 });
    // lag in time: the coordinator's kafka_consumergroup_lag_seconds (worst partition), as /metrics had it when sampled
    const secs = async () => Math.max(...(await metrics(h.adminUrl)).get('kafka_consumergroup_lag_seconds').filter((x) => x.labels.consumergroup === 'billing').map((x) => x.value));
    const before = await secs();
    await page.reload();
    const shown = await page.getByRole('region', { name: 'Group figures' }).locator('.card', { hasText: 'Lag (time)' }).locator('.value').innerText();
    const after = await secs();
    assert.match(shown, /^\d+(\.\d)? s$/);
    assert.ok(before > 0, `records produced before the group's committed offsets are ${before} s old`);
    assert.ok(parseFloat(shown) >= before - 1.5 && parseFloat(shown) <= after + 1.5, `UI shows ${shown}, /metrics said ${before} then ${after}`);
  });

  await t.test('a topic\'s messages-in chart adds up to the broker counter\'s increase', async () => {
    const rates = async () => (await (await fetch(`${h.ui.url}/api/topic-rates/orders`)).json()) as { points: { t: number; rate: number }[] };
    const counter = async () => (await metrics(h.adminUrl)).sum('kafka_server_brokertopicmetrics_messagesin_total', (x) => x.labels.topic === 'orders');
    const before = await until('a first topic rate point', async () => { const r = await rates(); return r.points.length ? r : null; });
    const base = await counter();
    await kcat(['-b', h.broker.bootstrap, '-t', 'orders', '-P'], 'p\nq\nr\ns\nt\nu\n');
    assert.equal(await counter(), base + 6);
    const last = before.points[before.points.length - 1].t;
    await until('the chart to add up to 6', async () => {
      const pts = (await rates()).points.filter((p) => p.t > last);
      let total = 0; let prev = last;
      for (const p of pts) { total += p.rate * (p.t - prev) / 1000; prev = p.t; }
      return Math.abs(total - 6) < 1e-6;
    });
    await page.goto(`${h.ui.url}/topics/orders`);
    await page.getByRole('img', { name: /^Messages in\. Latest: Messages in/ }).waitFor({ timeout: 15_000 });
  });

  await t.test('a connector\'s chart adds up to its source-record-write counter', async () => {
    const created = await fetch(`${h.connectUrl}/connectors`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lines', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'lines', 'tasks.max': '1' } }),
    });
    assert.equal(created.status, 201);
    const written = async () => (await metrics(h.connectUrl!)).sum('kafka_connect_source_task_source_record_write_total', (s) => s.labels.connector === 'lines');
    const rates = async () => (await (await fetch(`${h.ui.url}/api/connector-rates/lines`)).json()) as { points: { t: number; rate: number }[] };
    // a baseline point first, so everything appended after it is counted
    const before = await until('a first rate point', async () => { const r = await rates(); return r.points.length ? r : null; });
    const base = await written();
    fs.appendFileSync(input, Array.from({ length: 7 }, (_, i) => `line ${i}`).join('\n') + '\n');
    await until('7 records written', async () => (await written()) === base + 7);
    // the chart's points after the baseline integrate to the counter's increase
    const after = await until('the chart to catch up', async () => {
      const r = await rates();
      const pts = r.points.filter((p) => p.t > before.points[before.points.length - 1].t);
      let total = 0; let prev = before.points[before.points.length - 1].t;
      for (const p of pts) { total += p.rate * (p.t - prev) / 1000; prev = p.t; }
      return Math.abs(total - 7) < 1e-6 ? pts : null;
    });
    assert.ok(after.some((p) => p.rate > 0));
    await page.goto(`${h.ui.url}/connectors/lines`);
    await page.getByRole('img', { name: /Connector throughput\. Latest: Records/ }).waitFor({ timeout: 15_000 });
    await h.shot('connector-rates');
  });

  await t.test('without a broker /metrics the charts fall back to offsets and say why', async () => {
    const gw = new KafkaGateway(h.broker.bootstrap, pino({ level: 'silent' }));
    t.after(() => gw.close());
    const dead = `http://127.0.0.1:${await freePort()}`;
    const s = new Samplers(gw, pino({ level: 'silent' }), { intervalMs: 1000, keep: 10, brokerAdminUrls: [dead] });
    await s.sample();
    await kcat(['-b', h.broker.bootstrap, '-t', 'orders', '-P'], 'w\nx\ny\nz\n');
    await s.sample();
    assert.equal(s.source.kind, 'offsets');
    assert.equal(s.source.error, `${dead}/metrics: ECONNREFUSED`);
    assert.equal(s.messagesIn, null);
    assert.ok(s.throughput.at(-1)!.produced > 0, 'the 4 new records show as a produce rate');
  });
});
