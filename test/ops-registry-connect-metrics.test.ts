// /metrics, /health and /ready of the schema registry and of Connect, scraped by a
// real Prometheus: a FAILED connector task shows in task status, registry requests
// by route and status, schemas per type and compatibility failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { oneTaskSource, startTestKit } from './helpers/connect.ts';
import { startPrometheus } from './helpers/prometheus.ts';
import { startRegistry } from '../registry/index.ts';
import { startUi } from '../ui/server/index.ts';
import { startBroker } from './helpers/broker.ts';
import { SourceTask, definePlugin, S, type Props, type SourceRecord } from '../plugins/sdk/index.ts';

class BrokenTask extends SourceTask {
  private marker = '';
  private n = 0;
  version() { return '1'; }
  start(p: Props) { this.marker = p.marker; }
  async poll(): Promise<SourceRecord[] | null> {
    if (fs.existsSync(this.marker)) throw new Error('upstream unavailable');
    await new Promise((r) => setTimeout(r, 20));
    return [{ sourcePartition: { p: 0 }, sourceOffset: { n: ++this.n }, topic: 'ops-out', valueSchema: S.string(), value: `v${this.n}` }];
  }
  stop() {}
}
const BrokenSource = oneTaskSource(BrokenTask, 'marker', 'fail while this file exists');
const broken = definePlugin({ name: 'broken', version: '1', connectors: { 'test.BrokenSource': BrokenSource } });

test('Connect: /ready, and a FAILED task shows in Prometheus as kafka_connect_connector_task_status{status="failed"}', async (t) => {
  const kit = await startTestKit({ plugins: [broken], workerConfig: { 'offset.flush.interval.ms': '300' } });
  t.after(() => kit.close());
  const ready = await fetch(`${kit.url}/ready`);
  assert.equal(ready.status, 200);
  const hostPort = new URL(kit.url).host;
  const prom = await startPrometheus({ connect: [hostPort] });
  t.after(() => prom.stop());
  const marker = path.join(kit.dir, 'broken');
  await kit.createConnector('healthy', { 'connector.class': 'BrokenSource', marker: path.join(kit.dir, 'never') });
  await kit.createConnector('failing', { 'connector.class': 'BrokenSource', marker });
  await prom.waitFor('kafka_connect_connector_task_status{connector="healthy",task="0",status="running"}', (v) => v === 1);
  fs.writeFileSync(marker, '');
  await prom.waitFor('kafka_connect_connector_task_status{connector="failing",task="0",status="failed"}', (v) => v === 1);
  await prom.waitFor('kafka_connect_worker_task_failed_count', (v) => v === 1);
  await prom.waitFor('kafka_connect_connector_status{connector="failing",status="running",type="source"}', (v) => v === 1);
  await prom.waitFor('count(kafka_connect_connector_task_status{connector="failing",status="running"})', (v) => v === null);
  await prom.waitFor('kafka_connect_worker_connector_count', (v) => v === 2);
  const text = await (await fetch(`${kit.url}/metrics`)).text();
  assert.match(text, /^kafka_connect_task_error_total_record_errors\{connector="healthy",task="0"\} 0$/m);
  // record rates: the healthy source writes to ops-out, a sink reads it back; offsets are committed
  await kit.createConnector('collect', { 'connector.class': 'CollectingSinkConnector', topics: 'ops-out', 'output.dir': path.join(kit.dir, 'collected') });
  await prom.waitFor('kafka_connect_source_task_source_record_poll_total{connector="healthy",task="0"}', (v) => v !== null && v > 0);
  await prom.waitFor('rate(kafka_connect_source_task_source_record_write_total{connector="healthy"}[5s])', (v) => v !== null && v > 0);
  await prom.waitFor('kafka_connect_sink_task_sink_record_send_total{connector="collect",task="0"}', (v) => v !== null && v > 0);
  await prom.waitFor('kafka_connect_sink_task_sink_record_read_total{connector="collect",task="0"}', (v) => v !== null && v > 0);
  await prom.waitFor('kafka_connect_connector_task_offset_commit_total{connector="healthy",task="0"}', (v) => v !== null && v > 0);
  await prom.waitFor('kafka_connect_connector_task_offset_commit_max_time_ms{connector="collect",task="0"}', (v) => v !== null && v > 0);
});

test('registry: /health, /ready, requests by route and status, schemas per type, compatibility failures in Prometheus', async (t) => {
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  assert.equal((await fetch(`${reg.url}/health`)).status, 200);
  assert.equal((await fetch(`${reg.url}/ready`)).status, 200);
  const prom = await startPrometheus({ registry: [new URL(reg.url).host] });
  t.after(() => prom.stop());
  const post = (p: string, body: unknown) => fetch(reg.url + p, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
  const v1 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] };
  const incompatible = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
  assert.equal((await post('/subjects/orders-value/versions', { schema: JSON.stringify(v1) })).status, 200);
  assert.equal((await post('/subjects/events-value/versions', { schemaType: 'JSON', schema: '{"type":"object"}' })).status, 200);
  assert.equal((await post('/subjects/orders-value/versions', { schema: JSON.stringify(incompatible) })).status, 409);
  const check = await (await post('/compatibility/subjects/orders-value/versions/latest', { schema: JSON.stringify(incompatible) })).json();
  assert.equal(check.is_compatible, false);
  assert.equal((await fetch(`${reg.url}/subjects/nope/versions`)).status, 404);
  await prom.waitFor('kafka_schema_registry_schemas{schema_type="avro"}', (v) => v === 1);
  await prom.waitFor('kafka_schema_registry_schemas{schema_type="json"}', (v) => v === 1);
  await prom.waitFor('kafka_schema_registry_compatibility_checks_total{result="incompatible"}', (v) => v === 2);
  await prom.waitFor('kafka_schema_registry_compatibility_checks_total{result="compatible"}', (v) => v === 2);
  await prom.waitFor('sum(kafka_schema_registry_http_requests_total{route="/subjects/:subject/versions",method="POST",status="409"})', (v) => v === 1);
  await prom.waitFor('sum(kafka_schema_registry_http_requests_total{route="/subjects/:subject/versions",method="GET",status="404"})', (v) => v === 1);
  await prom.waitFor('kafka_schema_registry_master_slave_role', (v) => v === 1);
});

test('UI server: /metrics counts its API requests by route and status', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const ui = await startUi({ bootstrap: b.bootstrap, host: '127.0.0.1', port: 0 });
  t.after(() => ui.close());
  assert.equal((await fetch(`${ui.url}/api/topics/nope-nope`)).status, 404);
  const text = await (await fetch(`${ui.url}/metrics`)).text();
  assert.match(text, /^tributary_ui_http_requests_total\{route="\/api\/topics\/:[a-z]+",method="GET",status="404"\} 1$/m);
  assert.match(text, /^tributary_ui_process_resident_memory_bytes \d+/m);
});
