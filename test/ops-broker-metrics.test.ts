// The broker's admin port: Prometheus metrics named as Kafka's JMX exporter names
// them, scraped by a real Prometheus; /health and /ready, including a long
// recovery after kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { spawnCli } from './helpers/process.ts';
import { freePort, startPrometheus } from './helpers/prometheus.ts';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const want = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (want) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

test('admin port: /health, /ready and /metrics with per-topic, per-request and log metrics', async (t) => {
  const b = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0' } });
  t.after(() => b.stop());
  const admin = `http://127.0.0.1:${b.broker.adminPorts[0]}`;
  assert.equal((await fetch(`${admin}/health`)).status, 200);
  const ready = await fetch(`${admin}/ready`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'UP' });
  assert.equal((await fetch(`${admin}/nope`)).status, 404);

  await kcat(['-b', b.bootstrap, '-t', 'm1', '-P'], 'a\nbb\nccc\n');
  await kcat(['-b', b.bootstrap, '-t', 'm1', '-C', '-e', '-o', 'beginning']);
  // a fetch beyond the end is answered OFFSET_OUT_OF_RANGE, counted by error name
  await kcat(['-b', b.bootstrap, '-t', 'm1', '-C', '-e', '-o', '100', '-X', 'auto.offset.reset=error']).catch(() => '');
  const res = await fetch(`${admin}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.equal(sample(text, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'm1' }), 3);
  assert.ok(sample(text, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'm1' })! > 3 * 3);
  assert.ok(sample(text, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'm1' })! > 0);
  assert.ok(sample(text, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' })! >= 1);
  assert.ok(sample(text, 'kafka_network_requestmetrics_totaltimems_count', { request: 'FetchConsumer' })! >= 1);
  assert.ok(sample(text, 'kafka_network_requestmetrics_errors_total', { request: 'FetchConsumer', error: 'OFFSET_OUT_OF_RANGE' })! >= 1);
  assert.equal(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions'), 0);
  assert.ok(sample(text, 'kafka_server_replicamanager_partitioncount')! >= 1);
  assert.equal(sample(text, 'kafka_log_log_logendoffset', { topic: 'm1', partition: '0' }), 3);
  assert.ok(sample(text, 'kafka_log_log_size', { topic: 'm1', partition: '0' })! > 0);
  assert.ok(sample(text, 'kafka_server_socket_server_metrics_connection_creation_total')! >= 3);
});

test('a broker without admin.listeners opens no admin port and keeps no metrics', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  assert.equal(b.broker.metrics, undefined);
  assert.deepEqual(b.broker.adminPorts, []);
});

test('Prometheus scrapes messages-in equal to what kcat produced, and consumer lag = produced - committed, 0 after consumption', async (t) => {
  const b = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0' } });
  t.after(() => b.stop());
  const prom = await startPrometheus({ broker: [`127.0.0.1:${b.broker.adminPorts[0]}`] });
  t.after(() => prom.stop());
  await kcat(['-b', b.bootstrap, '-t', 'orders', '-P'], Array.from({ length: 30 }, (_, i) => `o${i}`).join('\n') + '\n');
  await prom.waitFor('sum(kafka_server_brokertopicmetrics_messagesin_total{topic="orders"})', (v) => v === 30);
  // the group consumes and commits 30; 20 more arrive
  const consumed = await kcat(['-b', b.bootstrap, '-G', 'billing', 'orders', '-e', '-X', 'auto.offset.reset=earliest']);
  assert.equal(consumed.trim().split('\n').length, 30);
  await kcat(['-b', b.bootstrap, '-t', 'orders', '-P'], Array.from({ length: 20 }, (_, i) => `p${i}`).join('\n') + '\n');
  await prom.waitFor('sum(kafka_server_brokertopicmetrics_messagesin_total{topic="orders"})', (v) => v === 50);
  await prom.waitFor('sum(kafka_consumergroup_current_offset{consumergroup="billing",topic="orders"})', (v) => v === 30);
  await prom.waitFor('sum(kafka_consumergroup_lag{consumergroup="billing",topic="orders"})', (v) => v === 50 - 30);
  await prom.waitFor('max(kafka_consumergroup_lag_seconds{consumergroup="billing",topic="orders"})', (v) => v !== null && v >= 0);
  const again = await kcat(['-b', b.bootstrap, '-G', 'billing', 'orders', '-e', '-X', 'auto.offset.reset=earliest']);
  assert.equal(again.trim().split('\n').length, 20);
  await prom.waitFor('sum(kafka_consumergroup_lag{consumergroup="billing",topic="orders"})', (v) => v === 0);
  await prom.waitFor('kafka_consumergroup_lag_seconds{consumergroup="billing",topic="orders"}', (v) => v === 0);
  await prom.waitFor('kafka_coordinator_group_groupmetadatamanager_numgroupsempty', (v) => v === 1);
  await prom.waitFor('kafka_server_group_coordinator_metrics_group_completed_rebalance_total', (v) => v !== null && v >= 2);
});

test('/ready answers 503 while a large log recovers after kill -9, then 200', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = path.join(dir, 'data');
  const adminPort = await freePort();
  const args = ['broker', '--data-dir', data, '--kafka-port', '0', '--set', `admin.listeners=http://127.0.0.1:${adminPort}`, '--set', 'num.partitions=8'];
  const first = await spawnCli(args);
  t.after(() => first.child.kill('SIGKILL'));
  // ~160 MB in the active segments of 8 partitions: recovery CRC-checks all of it
  const input = path.join(dir, 'in.txt');
  fs.writeFileSync(input, ('x'.repeat(1000) + '\n').repeat(160000));
  await kcat(['-b', `127.0.0.1:${first.ports.kafka}`, '-t', 'big', '-P', '-X', 'linger.ms=50', '-X', 'batch.size=1000000', '-l', input]);
  first.child.kill('SIGKILL');
  await first.exited;

  const statuses: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const r = await fetch(`http://127.0.0.1:${adminPort}/ready`, { signal: AbortSignal.timeout(5000) });
        statuses.push(r.status);
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const second = await spawnCli(args, ['kafka'], 60000);
  t.after(() => second.child.kill('SIGKILL'));
  await Promise.race([poller, new Promise((r) => setTimeout(r, 10000))]);
  polling = false;
  assert.ok(statuses.includes(503), `saw ${statuses.join(',')}`);
  assert.equal(statuses.at(-1), 200);
  assert.deepEqual([...new Set(statuses)], [503, 200], 'never ready before recovery, then ready');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
