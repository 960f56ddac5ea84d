// Connect throughput: FileStreamSource → topic (records/s until every line is in the
// topic; then how long until its offset was committed too, which waits for the next
// offset.flush.interval.ms tick and so says more about that setting than about speed) and topic → FileStreamSink (records/s until the file
// holds every record), with the StringConverter (the runtime's own cost) and the
// JsonConverter with schemas (Kafka's default). One in-process broker and worker.
// Then the file source again on a worker with exactly.once.source.support=enabled (one
// transaction per poll batch of batch.size lines, offsets inside it) next to the same
// source with it disabled.
// BENCH_COUNT scales the runs (default 200000 lines of ~100 bytes); BENCH_ONLY=string,json,eos
// runs only those parts (e.g. for a profile).
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from '../test/helpers/connect.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200000);
// BENCH_ISOLATION=none runs the tasks on the worker's event loop (task.isolation), to compare with runs before task threads
const ISOLATION: Record<string, string> = process.env.BENCH_ISOLATION ? { 'task.isolation': process.env.BENCH_ISOLATION } : {};
const ONLY = new Set((process.env.BENCH_ONLY ?? 'string,json,eos').split(','));
const STRING = 'org.apache.kafka.connect.storage.StringConverter';
const JSONC = 'org.apache.kafka.connect.json.JsonConverter';

// CPU time of this whole process (broker, worker, task threads) from the first record to the
// last, per record: on a shared machine the wall-clock rate follows the load, this far less
const cpuNow = () => { const c = process.cpuUsage(); return c.user + c.system; };
const cpuPer = (us: number) => `${(us / COUNT).toFixed(1)} µs CPU/record (whole process)`;

/** Waits until every line is in the topic, then until the source offset of the whole file is committed; seconds since t0 for each. */
async function sourceTimes(k: Awaited<ReturnType<typeof startTestKit>>, connector: string, topic: string, bytes: number, t0: number): Promise<{ first: number; inTopic: number; committed: number; cpu: number }> {
  // no retries: kafkajs retries a topic it does not know yet (the source creates it) with a
  // backoff growing to seconds, so the first record was seen up to a backoff late; waitFor asks again every 20 ms
  const admin = k.kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  let first = 0, cpu0 = 0;
  try {
    await k.waitFor(async () => {
      const n = Number((await admin.fetchTopicOffsets(topic).catch(() => []))[0]?.high ?? 0);
      if (n > 0 && !first) { first = (performance.now() - t0) / 1000; cpu0 = cpuNow(); }
      return n >= COUNT;
    }, { timeoutMs: 600000, intervalMs: 20, what: 'every line in the topic' });
  } finally {
    await admin.disconnect();
  }
  const cpu = cpuNow() - cpu0;
  const inTopic = (performance.now() - t0) / 1000;
  await k.waitFor(async () => (await k.request('GET', `/connectors/${connector}/offsets`)).body.offsets[0]?.offset.position === bytes, { timeoutMs: 600000, intervalMs: 20, what: 'all source offsets committed' });
  return { first, inTopic, committed: (performance.now() - t0) / 1000, cpu };
}
const rate = (secs: number) => `${COUNT} records in ${secs.toFixed(2)} s = ${Math.round(COUNT / secs).toLocaleString('en-US')} records/s`;
// a task starts on a thread of its own (task.isolation=thread), which loads its modules first: the
// figure from the connector's creation includes that start, the one from the first record does not
const steady = (t: { first: number; inTopic: number }) => `first record after ${t.first.toFixed(2)} s, ${Math.round(COUNT / Math.max(0.001, t.inTopic - t.first)).toLocaleString('en-US')} records/s from it`;

const kit = await startTestKit({ workerConfig: { 'offset.flush.interval.ms': '1000', ...ISOLATION } });
try {
  const input = path.join(kit.dir, 'in.txt');
  const line = (i: number) => `${String(i).padStart(10, '0')} ${'x'.repeat(89)}`;
  const fd = fs.openSync(input, 'w');
  for (let i = 0; i < COUNT; i += 10000) fs.writeSync(fd, Array.from({ length: Math.min(10000, COUNT - i) }, (_, j) => line(i + j)).join('\n') + '\n');
  fs.closeSync(fd);
  const bytes = fs.statSync(input).size;

  for (const [label, conv] of [['String', STRING], ['JSON+schema', JSONC]] as const) {
    if (!ONLY.has(label === 'String' ? 'string' : 'json')) continue;
    const topic = `bench-${label.replace(/\W/g, '').toLowerCase()}`;
    const t0 = performance.now();
    await kit.createConnector(`src-${topic}`, { 'connector.class': 'FileStreamSource', file: input, topic, 'batch.size': process.env.BENCH_BATCH ?? '2000', 'value.converter': conv });
    const src = await sourceTimes(kit, `src-${topic}`, topic, bytes, t0);
    console.log(`file source → topic (${label} converter): ${rate(src.inTopic)}, ${(bytes / src.inTopic / 1048576).toFixed(1)} MB/s (${steady(src)}, ${cpuPer(src.cpu)}); offsets committed after ${src.committed.toFixed(2)} s (${Math.round(COUNT / src.committed).toLocaleString('en-US')} records/s, offset.flush.interval.ms=1000)`);

    const out = path.join(kit.dir, `out-${topic}.txt`);
    const t1 = performance.now();
    await kit.createConnector(`sink-${topic}`, { 'connector.class': 'FileStreamSink', file: out, topics: topic, 'value.converter': conv, 'key.converter': STRING });
    let first = 0, cpu0 = 0;
    await kit.waitFor(() => {
      const size = fs.existsSync(out) ? fs.statSync(out).size : 0;
      if (size > 0 && !first) { first = (performance.now() - t1) / 1000; cpu0 = cpuNow(); }
      return size >= bytes;
    }, { timeoutMs: 600000, intervalMs: 20, what: 'the sink file' });
    const cpu = cpuNow() - cpu0;
    const sinkSecs = (performance.now() - t1) / 1000;
    console.log(`topic → file sink (${label} converter): ${rate(sinkSecs)} (${steady({ first, inTopic: sinkSecs })}, ${cpuPer(cpu)})`);
    if (fs.readFileSync(out, 'utf8') !== fs.readFileSync(input, 'utf8')) throw new Error('sink output differs from the source file');
    await kit.request('DELETE', `/connectors/src-${topic}`);
    await kit.request('DELETE', `/connectors/sink-${topic}`);
  }
} finally {
  await kit.close();
}

// exactly-once sources: the same file source, String converter, enabled vs disabled
for (const eos of ONLY.has('eos') ? ['disabled', 'enabled'] : []) {
  const k = await startTestKit({ workerConfig: { 'offset.flush.interval.ms': '1000', 'exactly.once.source.support': eos, ...ISOLATION } });
  try {
    const input = path.join(k.dir, 'in.txt');
    const fd = fs.openSync(input, 'w');
    for (let i = 0; i < COUNT; i += 10000) fs.writeSync(fd, Array.from({ length: Math.min(10000, COUNT - i) }, (_, j) => `${String(i + j).padStart(10, '0')} ${'x'.repeat(89)}`).join('\n') + '\n');
    fs.closeSync(fd);
    const bytes = fs.statSync(input).size;
    const t0 = performance.now();
    await k.createConnector('src-eos', { 'connector.class': 'FileStreamSource', file: input, topic: 'bench-eos', 'batch.size': process.env.BENCH_BATCH ?? '2000', 'value.converter': STRING });
    const src = await sourceTimes(k, 'src-eos', 'bench-eos', bytes, t0);
    console.log(`file source → topic (String converter, exactly.once.source.support=${eos}): ${rate(src.inTopic)} (${steady(src)}, ${cpuPer(src.cpu)}); offsets committed after ${src.committed.toFixed(2)} s (${Math.round(COUNT / src.committed).toLocaleString('en-US')} records/s)`);
  } finally {
    await k.close();
  }
}
