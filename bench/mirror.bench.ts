// MirrorMaker 2 between two in-process brokers. Throughput: BENCH_COUNT records of
// 1 KiB (default 50000, 3 partitions) on A; a plain consume of the topic on A with the
// platform's reader, then the mirror copying it to B (MB/s from the first record seen on
// B to the last, so the worker's start-up is not counted; also from the mirror's start).
// tasks.max = BENCH_TASKS (default 3, one task per partition). Latency: while the mirror runs, BENCH_RATE records/s (default 200) for 10 s on another
// topic; p50/p99 of (time seen on B − the record's timestamp, which the mirror keeps).
import fs from 'node:fs';
import pino from 'pino';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { startBroker, tempDir } from '../test/helpers/broker.ts';
import { startMirror } from '../app/commands/mirror.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 50000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SIZE = 1024;
const MB = (COUNT * SIZE) / 1048576;

const [a, b] = await Promise.all([startBroker(), startBroker()]);
const dir = tempDir('mirror-bench-');
const closers: (() => Promise<unknown>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true }), () => Promise.all([a.stop(), b.stop()])];
try {
  const admin = new KafkaAdmin({ bootstrap: a.bootstrap, clientId: 'bench' });
  closers.unshift(() => admin.close());
  await admin.createTopics([{ topic: 'bench', partitions: 3, replicationFactor: 1 }, { topic: 'lat', partitions: 1, replicationFactor: 1 }]);
  const producer = new KafkaProducer({ bootstrap: a.bootstrap, clientId: 'bench', compression: 'lz4' });
  closers.unshift(() => producer.close());
  const value = Buffer.alloc(SIZE, 'x');
  for (let i = 0; i < COUNT; i += 1000) {
    await producer.send(Array.from({ length: Math.min(1000, COUNT - i) }, (_, j) => ({ topic: 'bench', partition: (i + j) % 3, key: `k${i + j}`, value })));
  }

  // plain consume of the source topic
  const read = async (bootstrap: string, topic: string, onFirst?: () => void) => {
    const r = new PartitionReader({ bootstrap, clientId: 'bench-reader', maxWaitMs: 100 });
    try {
      await r.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 'earliest' as const })));
      let n = 0;
      while (n < COUNT) {
        for (const batch of await r.poll().catch(() => [])) { if (batch.records.length && n === 0) onFirst?.(); n += batch.records.length; }
      }
    } finally { await r.close(); }
  };
  let t0 = performance.now();
  await read(a.bootstrap, 'bench');
  const plainSecs = (performance.now() - t0) / 1000;
  console.log(`plain consume of the source topic: ${COUNT} × 1 KiB in ${plainSecs.toFixed(2)} s = ${(MB / plainSecs).toFixed(1)} MB/s`);

  const started = performance.now();
  const mirror = await startMirror({
    dataDir: dir, logger: pino({ level: 'warn' }),
    pairs: [['clusters', 'a, b'], ['a.bootstrap.servers', a.bootstrap], ['b.bootstrap.servers', b.bootstrap], ['a->b.enabled', 'true'],
      ['a->b.topics', 'bench, lat'], ['replication.factor', '1'], ['offset.flush.interval.ms', '1000'], ['tasks.max', process.env.BENCH_TASKS ?? '3']],
  });
  closers.unshift(() => mirror.close());
  // the remote topic appears once the connector started
  const adminB = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'bench' });
  closers.unshift(() => adminB.close());
  for (;;) { if ((await adminB.listTopics().catch((): string[] => [])).includes('a.bench')) break; await new Promise((r) => setTimeout(r, 50)); }
  let first = 0;
  await read(b.bootstrap, 'a.bench', () => { first = performance.now(); });
  const end = performance.now();
  const mirrorSecs = (end - first) / 1000;
  console.log(`mirror A→B: ${COUNT} × 1 KiB in ${mirrorSecs.toFixed(2)} s from the first record on B = ${(MB / mirrorSecs).toFixed(1)} MB/s (${((MB / mirrorSecs) / (MB / plainSecs)).toFixed(2)}× the plain consume); ${((end - started) / 1000).toFixed(2)} s from the mirror's start`);

  // latency at a moderate rate
  const tail = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'bench-tail', maxWaitMs: 20 });
  closers.unshift(() => tail.close());
  for (;;) { try { await tail.assign([{ topic: 'a.lat', partition: 0, offset: 'earliest' }]); if ((await tail.endOffsets([{ topic: 'a.lat', partition: 0 }])).length) break; } catch { /* not created yet */ } await new Promise((r) => setTimeout(r, 100)); }
  const lat: number[] = [];
  const total = RATE * 10;
  let stop = false;
  const tailing = (async () => { while (!stop && lat.length < total) for (const batch of await tail.poll().catch(() => [])) for (const r of batch.records) lat.push(Date.now() - r.timestamp); })();
  // records are stamped when due and sent in batches of what is due (one send in flight)
  const began = Date.now();
  for (let i = 0; i < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - began) * RATE) / 1000) + 1);
    if (due > i) {
      await producer.send(Array.from({ length: due - i }, (_, j) => ({ topic: 'lat', key: `l${i + j}`, value: Buffer.alloc(SIZE, 'y'), timestamp: began + ((i + j) * 1000) / RATE })));
      i = due;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 30000;
  while (lat.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  stop = true;
  await tailing;
  lat.sort((x, y) => x - y);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
  console.log(`end-to-end latency at ${RATE} records/s (1 KiB, ${lat.length}/${total} seen): p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lat[lat.length - 1]} ms`);
} finally {
  for (const c of closers) await c().catch(() => undefined);
}
process.exit(0);
