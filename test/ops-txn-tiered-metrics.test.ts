// Broker metrics added for operators: ongoing transactions (a hung producer keeps one
// open) and tiered-storage copy lag (what is waiting for the object store), read from
// the admin port while real clients and a real S3 server (s3rver) do the work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { startTestS3 } from './helpers/s3-server.ts';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

async function waitMetric(admin: string, name: string, labels: Record<string, string>, ok: (v: number | null) => boolean, timeoutMs = 20000): Promise<number | null> {
  const end = Date.now() + timeoutMs;
  let v: number | null = null;
  while (Date.now() < end) {
    v = sample(await (await fetch(`${admin}/metrics`)).text(), name, labels);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name}${JSON.stringify(labels)} stayed at ${v}`);
}

test('ongoing transactions: 1 while a kafkajs transaction is open, 0 after commit and after abort', async (t) => {
  const b = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0' } });
  t.after(() => b.stop());
  const admin = `http://127.0.0.1:${b.broker.adminPorts[0]}`;
  const name = 'kafka_server_transaction_coordinator_metrics_ongoing_transactions';
  assert.equal(await waitMetric(admin, name, {}, (v) => v === 0), 0);
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'ops-txn', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  for (const end of ['commit', 'abort'] as const) {
    const tx = await producer.transaction();
    await tx.send({ topic: 'txn-metrics', messages: [{ value: end }] });
    assert.equal(await waitMetric(admin, name, {}, (v) => v === 1), 1);
    await (end === 'commit' ? tx.commit() : tx.abort());
    assert.equal(await waitMetric(admin, name, {}, (v) => v === 0), 0);
  }
});

test('tiered copy lag grows while the object store is down and falls to 0 once it is back', async (t) => {
  const s3 = await startTestS3();
  t.after(() => s3.close());
  const b = await startBroker({ config: s3.config({
    'admin.listeners': 'http://127.0.0.1:0', 'log.segment.bytes': '16384',
    'remote.log.manager.task.interval.ms': '100', 'remote.log.manager.task.retry.backoff.ms': '100', 'remote.log.manager.task.retry.backoff.max.ms': '300',
  }) });
  t.after(() => b.stop());
  const admin = `http://127.0.0.1:${b.broker.adminPorts[0]}`;
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const a = kafka.admin();
  await a.connect();
  t.after(() => a.disconnect());
  await a.createTopics({ topics: [{ topic: 'tier', numPartitions: 1, configEntries: [{ name: 'remote.storage.enable', value: 'true' }] }] });
  const labels = { topic: 'tier', partition: '0' };
  await s3.stop();
  const lines = Array.from({ length: 600 }, (_, i) => `${i}-${'v'.repeat(200)}`).join('\n') + '\n';
  await kcat(['-b', b.bootstrap, '-t', 'tier', '-P', '-X', 'batch.num.messages=20'], lines);
  // ~120 KB in 16 KiB segments: several closed segments wait for the store
  const segs = await waitMetric(admin, 'kafka_server_brokertopicmetrics_remotecopylagsegments', labels, (v) => v !== null && v >= 3);
  const bytes = sample(await (await fetch(`${admin}/metrics`)).text(), 'kafka_server_brokertopicmetrics_remotecopylagbytes', labels)!;
  assert.ok(bytes >= segs! * 10_000, `copy lag ${bytes} bytes for ${segs} segments`);
  await s3.start();
  await waitMetric(admin, 'kafka_server_brokertopicmetrics_remotecopylagsegments', labels, (v) => v === 0, 30000);
  assert.equal(sample(await (await fetch(`${admin}/metrics`)).text(), 'kafka_server_brokertopicmetrics_remotecopylagbytes', labels), 0);
});
