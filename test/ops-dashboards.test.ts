// The Grafana dashboards and the alert rules query only metrics the platform
// exports: a renamed metric fails here, not silently in someone's Grafana.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker } from './helpers/broker.ts';
import { startTestKit } from './helpers/connect.ts';
import { run } from './helpers/clients.ts';
import { ROOT } from './helpers/process.ts';
import { createClusterDb } from './helpers/cluster.ts';
import { startRegistry } from '../registry/index.ts';
import { DASHBOARDS } from '../dashboards/generate.ts';

const DIR = path.join(ROOT, 'dashboards');
const NOT_METRICS = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'irate', 'delta', 'increase', 'by', 'without', 'on', 'ignoring',
  'and', 'or', 'unless', 'histogram_quantile', 'label_values', 'bool', 'offset', 'topk', 'bottomk', 'abs', 'group_left', 'group_right', 'inf', 'nan']);
/** metrics Prometheus makes itself */
const PROMETHEUS_OWN = new Set(['up']);

/** Metric names a PromQL expression reads. */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = s.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith('(') || NOT_METRICS.has(m[0]) || /^\$/.test(s[m.index! - 1] ?? '')) continue;
    out.push(m[0]);
  }
  return out;
}

function dashboardExprs(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of fs.readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));
    const exprs: string[] = [];
    for (const p of d.panels) for (const t of p.targets ?? []) exprs.push(t.expr);
    for (const v of d.templating?.list ?? []) if (typeof v.query === 'object' && v.query?.query) exprs.push(v.query.query.replace(/^label_values\(([^,]+),.*$/, '$1'));
    out.set(f, exprs);
  }
  const rules = fs.readFileSync(path.join(DIR, 'alerts.yml'), 'utf8');
  out.set('alerts.yml', [...rules.matchAll(/^\s+expr:\s*(.+)$/gm)].map((m) => m[1]));
  return out;
}

/** Sample names a /metrics body can contain (histograms: _bucket, _sum, _count). */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]);
    if (m[2] === 'histogram' || m[2] === 'summary') for (const x of ['_bucket', '_sum', '_count']) names.add(m[1] + x);
  }
  return names;
}

test('the dashboards are what dashboards/generate.ts makes, parse, and each has panels with queries', () => {
  for (const [file, d] of Object.entries(DASHBOARDS)) {
    const onDisk = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(d)), `${file} is stale: run node --import tsx dashboards/generate.ts`);
    assert.ok(onDisk.panels.length >= 5 && onDisk.uid && onDisk.title, file);
  }
  assert.deepEqual(Object.keys(DASHBOARDS).sort(), ['broker.json', 'cdc.json', 'connect.json', 'consumer-lag.json', 'topics.json']);
  assert.deepEqual(metricNames('sum by (topic) (rate(kafka_x_total{topic=~"$topic"}[1m])) > 0 and delta(b_y[5m])'), ['kafka_x_total', 'b_y']);
});

test('promtool accepts the alert rules', async () => {
  const r = await run('/usr/bin/promtool', ['check', 'rules', path.join(DIR, 'alerts.yml')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
});

test('every metric the dashboards and alert rules query is exported by the broker, registry or Connect', async (t) => {
  const b = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0' } });
  t.after(() => b.stop());
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const kit = await startTestKit();
  t.after(() => kit.close());
  // A broker in cluster mode (a metadata store): the cluster's own metrics exist only there.
  const db = await createClusterDb();
  const member = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0', 'node.id': '1', 'metadata.store.url': db.url, 'offsets.topic.replication.factor': '1', 'transaction.state.log.replication.factor': '1' } })
    .catch(async (e) => { await db.drop(); throw e; });
  t.after(async () => { await member.stop(); await db.drop(); });
  const scrape = async (url: string) => { const r = await fetch(url); assert.equal(r.status, 200, url); return r.text(); };
  const names = new Set<string>([
    ...exported(await scrape(`http://127.0.0.1:${b.broker.adminPorts[0]}/metrics`)),
    ...exported(await scrape(`http://127.0.0.1:${member.broker.adminPorts[0]}/metrics`)),
    ...exported(await scrape(`${reg.url}/metrics`)),
    ...exported(await scrape(`${kit.url}/metrics`)),
    ...PROMETHEUS_OWN,
  ]);
  const missing: string[] = [];
  let queried = 0;
  for (const [file, exprs] of dashboardExprs()) {
    for (const e of exprs) for (const n of metricNames(e)) { queried++; if (!names.has(n)) missing.push(`${file}: ${n} (in ${e})`); }
  }
  assert.ok(queried > 50, `only ${queried} metric references found: is the parser broken?`);
  assert.deepEqual(missing, []);
});
