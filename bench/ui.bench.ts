// The admin UI server's read paths over HTTP, against an in-process broker: a full
// message-browser scan (records/s through /api/topics/:t/browse with a filter that
// matches nothing, so every record is fetched, rendered and tested), the newest 100,
// and the overview / topic list / group list latency. BENCH_COUNT scales the topic.
import { buildApp } from '../ui/server/index.ts';
import { KafkaProducer } from '../client/producer.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { startBroker } from '../test/helpers/broker.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200_000);
const PARTITIONS = 4;

async function browse(base: string, topic: string, query: string): Promise<{ scanned: number; ms: number; reason: string }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/topics/${topic}/browse?${query}`);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string; progress?: { scanned: number }; error?: unknown });
  const done = lines.find((l) => l.type === 'done');
  if (!done) throw new Error(`no done event: ${JSON.stringify(lines.find((l) => l.type === 'error'))}`);
  return { scanned: done.progress!.scanned, ms: performance.now() - t0, reason: done.reason! };
}

async function median(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); await fn(); times.push(performance.now() - t0); }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

const broker = await startBroker();
const admin = new ClusterAdmin({ bootstrap: broker.bootstrap, clientId: 'bench-ui' });
const producer = new KafkaProducer({ bootstrap: broker.bootstrap, clientId: 'bench-ui' });
const { app } = await buildApp({ bootstrap: broker.bootstrap, sampleIntervalMs: 60_000 });
try {
  await admin.createTopic({ topic: 'browse', partitions: PARTITIONS });
  const value = (i: number) => JSON.stringify({ id: i, customer: `c-${i % 977}`, amount: (i % 10_000) / 100, note: 'x'.repeat(40) });
  for (let i = 0; i < COUNT; i += 5000) {
    await producer.send(Array.from({ length: Math.min(5000, COUNT - i) }, (_, j) => ({ topic: 'browse', key: `k${i + j}`, value: value(i + j) })));
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  await browse(base, 'browse', 'mode=oldest&limit=10'); // warm connections
  const full = await browse(base, 'browse', `mode=oldest&value=no-such-text&maxScan=${COUNT + 1}&maxTimeMs=120000`);
  const newest = await median(5, () => browse(base, 'browse', 'mode=newest&limit=100'));
  const overview = await median(10, () => fetch(`${base}/api/overview`).then((r) => r.json()));
  const topics = await median(10, () => fetch(`${base}/api/topics`).then((r) => r.json()));
  const groups = await median(10, () => fetch(`${base}/api/groups`).then((r) => r.json()));
  console.log(`records: ${COUNT} JSON values of ~100 B in ${PARTITIONS} partitions (uncompressed)`);
  console.log(`full scan (filter matches nothing): ${full.scanned} records in ${full.ms.toFixed(0)} ms = ${Math.round(full.scanned / (full.ms / 1000))} records/s (${full.reason})`);
  console.log(`newest 100: median ${newest.toFixed(0)} ms`);
  console.log(`GET /api/overview: median ${overview.toFixed(1)} ms; /api/topics: ${topics.toFixed(1)} ms; /api/groups: ${groups.toFixed(1)} ms`);
} finally {
  await app.close();
  await producer.close();
  await admin.close();
  await broker.stop();
}
