// Broker produce latency while a CPU-bound connector runs beside it (issue 21): one
// in-process broker and Connect worker (as `tributary start` runs them); an external
// librdkafka producer (/usr/bin/python3 confluent_kafka, acks=all, one record in
// flight) measures produce round trips for BENCH_SECS seconds with no connector, then
// while a source task whose poll() burns the CPU for BENCH_BUSY_MS (default 500 ms) on
// every call runs. Without isolation the task stalls the broker's event loop; with
// task.isolation=thread (the default) it runs on its own worker thread.
// BENCH_ISOLATION=none|thread picks the worker setting (default: the worker's default).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { startTestKit } from '../test/helpers/connect.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECS = Number(process.env.BENCH_SECS ?? 5);
const BUSY_MS = Number(process.env.BENCH_BUSY_MS ?? 500);

/** A plugin folder with a source whose poll() busy-waits `busy.ms` and returns one record. */
function writeBusyPlugin(dir: string): string {
  const p = path.join(dir, 'busy-plugin');
  fs.mkdirSync(p, { recursive: true });
  fs.writeFileSync(path.join(p, 'index.mjs'), `
import { ConfigDef, SourceConnector, SourceTask, definePlugin } from ${JSON.stringify(path.join(ROOT, 'plugins/sdk/index.ts'))};
const def = () => new ConfigDef()
  .define({ name: 'topic', type: 'STRING', documentation: 'where to write' })
  .define({ name: 'busy.ms', type: 'LONG', default: 3000, documentation: 'CPU time burnt in every poll()' });
export class BusySourceConnector extends SourceConnector {
  version() { return '1.0.0'; } config() { return def(); }
  start(p) { this.p = p; } taskConfigs() { return [this.p]; } stop() {} taskClass() { return BusySourceTask; }
}
export class BusySourceTask extends SourceTask {
  version() { return '1.0.0'; }
  start(p) { this.c = def().parse(p); this.n = 0; }
  poll() {
    const end = Date.now() + this.c['busy.ms'];
    let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);
    const n = this.n++;
    return [{ sourcePartition: { busy: 1 }, sourceOffset: { n }, topic: this.c.topic, value: 'busy ' + n + ' ' + (x > 0) }];
  }
  stop() {}
}
export default definePlugin({ name: 'bench-busy', version: '1.0.0', connectors: { 'bench.BusySourceConnector': BusySourceConnector } });
`);
  return p;
}

const PY = `
import json, sys, time
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'acks': 'all', 'linger.ms': 0, 'enable.idempotence': False})
topic, secs = sys.argv[2], float(sys.argv[3])
errors = []
def report(err, msg):
    if err is not None: errors.append(str(err))
def one():
    t = time.perf_counter(); p.produce(topic, b'x' * 100, on_delivery=report); p.flush(30); return (time.perf_counter() - t) * 1000
for _ in range(20): one()
lat = []
end = time.time() + secs
while time.time() < end: lat.append(one())
if errors: sys.exit('delivery failed: ' + errors[0])
lat.sort()
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
print(json.dumps({'n': len(lat), 'p50': q(0.5), 'p99': q(0.99), 'max': lat[-1]}))
`;

// a child process, asynchronously: the broker runs on this process's event loop
async function measure(bootstrap: string, topic: string): Promise<{ n: number; p50: number; p99: number; max: number }> {
  const r = await promisify(execFile)('/usr/bin/python3', ['-c', PY, bootstrap, topic, String(SECS)], { encoding: 'utf8', timeout: (SECS + 120) * 1000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const fmt = (m: { n: number; p50: number; p99: number; max: number }) => `${m.n} produces, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(1)} ms, max ${m.max.toFixed(1)} ms`;

{
  const dir = fs.mkdtempSync('/tmp/tributary-bench-iso-');
  const iso = process.env.BENCH_ISOLATION;
  const kit = await startTestKit({ workerConfig: { 'plugin.path': writeBusyPlugin(dir), 'offset.flush.interval.ms': '1000', ...(iso ? { 'task.isolation': iso } : {}) } });
  try {
    await kit.createTopic('probe', 1);
    const idle = await measure(kit.bootstrap, 'probe');
    console.log(`broker produce latency, no connector: ${fmt(idle)}`);
    await kit.createConnector('busy', { 'connector.class': 'bench.BusySourceConnector', topic: 'busy-out', 'busy.ms': String(BUSY_MS) });
    await new Promise((r) => setTimeout(r, 1000));
    const busy = await measure(kit.bootstrap, 'probe');
    console.log(`broker produce latency, a source task burning ${BUSY_MS} ms of CPU per poll() (task.isolation=${iso ?? 'default'}): ${fmt(busy)}`);
  } finally {
    await kit.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Threads vs processes as the host of a task: start-up (loading what a task thread loads:
// the runtime's task factory, the file connector, the converters), memory, and a small
// message's round trip (status / offsets are such messages). Kafka Connect's model is a
// thread per task; this is what a process per task would cost instead.
{
  const dir = fs.mkdtempSync('/tmp/tributary-bench-host-');
  const probe = path.join(dir, 'probe.mjs');
  fs.writeFileSync(probe, `
import { parentPort } from 'node:worker_threads';
try { await import(${JSON.stringify(path.join(ROOT, 'connectors/runtime/task-factory.ts'))}); }
catch (e) { if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e; (await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register(); await import(${JSON.stringify(path.join(ROOT, 'connectors/runtime/task-factory.ts'))} + '?tsx'); }
await import(${JSON.stringify(path.join(ROOT, 'connectors/builtin/file/index.ts'))});
await import(${JSON.stringify(path.join(ROOT, 'connectors/builtin/converters/index.ts'))});
const send = parentPort ? (m) => parentPort.postMessage(m) : (m) => process.send(m);
(parentPort ?? process).on('message', (m) => send(m));
send({ ready: true, rss: process.memoryUsage().rss });
`);
  const { Worker } = await import('node:worker_threads');
  const { fork } = await import('node:child_process');
  const N = 2000;
  const msg = { t: 'call', op: 'putOffsets', args: ['c', [{ partition: { filename: '/tmp/in.txt' }, offset: { position: 123456 } }]] };
  type Host = { on(ev: 'message', f: (m: any) => void): unknown; off(ev: 'message', f: (m: any) => void): unknown; send(m: unknown): void; end(): Promise<unknown> };
  const once = (h: Host) => new Promise<any>((r) => { const f = (m: any) => { h.off('message', f); r(m); }; h.on('message', f); });
  async function run(label: string, make: () => Host, rssOf: (ready: any, rss0: number) => number) {
    const results: { startMs: number; rssMb: number; rttUs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      const h = make();
      const ready = await once(h);
      const startMs = performance.now() - t0;
      const rssMb = rssOf(ready, rss0) / 1048576;
      const t1 = performance.now();
      for (let j = 0; j < N; j++) { const p = once(h); h.send(msg); await p; }
      const rttUs = ((performance.now() - t1) / N) * 1000;
      await h.end();
      results.push({ startMs, rssMb, rttUs });
    }
    const med = (k: 'startMs' | 'rssMb' | 'rttUs') => results.map((r) => r[k]).sort((a, b) => a - b)[1];
    console.log(`task host ${label}: start ${med('startMs').toFixed(0)} ms, memory ${med('rssMb').toFixed(0)} MB, message round trip ${med('rttUs').toFixed(0)} µs (median of 3)`);
  }
  await run('worker thread', () => {
    const w = new Worker(probe);
    return { on: (e, f) => w.on(e, f), off: (e, f) => w.off(e, f), send: (m) => w.postMessage(m), end: () => w.terminate() };
  }, (_ready, rss0) => process.memoryUsage().rss - rss0); // what the process grew by
  await run('child process', () => {
    const c = fork(probe, [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
    return { on: (e, f) => c.on(e, f), off: (e, f) => c.off(e, f), send: (m) => c.send(m as object), end: () => new Promise((r) => { c.once('exit', r); c.kill(); }) };
  }, (ready) => ready.rss);
  fs.rmSync(dir, { recursive: true, force: true });
}

// Throughput, task.isolation=none vs thread, alternated (the machine is shared and noisy):
// a FileStreamSource of BENCH_COUNT lines (String converter) and a FileStreamSink
// reading them back, records/s from the first record to the last (steady state), and
// apart from it how long a task takes to start (create → first record).
{
  const COUNT = Number(process.env.BENCH_COUNT ?? 200000);
  const STRING = 'org.apache.kafka.connect.storage.StringConverter';
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const res: Record<string, { startMs: number; src: number; sink: number; srcCpu: number; sinkCpu: number }[]> = { none: [], thread: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['none', 'thread'] as const) {
      const k = await startTestKit({ workerConfig: { 'offset.flush.interval.ms': '1000', 'task.isolation': mode } });
      try {
        const input = path.join(k.dir, 'in.txt');
        const fd = fs.openSync(input, 'w');
        for (let i = 0; i < COUNT; i += 10000) fs.writeSync(fd, Array.from({ length: Math.min(10000, COUNT - i) }, (_, j) => `${String(i + j).padStart(10, '0')} ${'x'.repeat(89)}`).join('\n') + '\n');
        fs.closeSync(fd);
        const bytes = fs.statSync(input).size;
        const admin = k.kafka.admin();
        await admin.connect();
        const high = async () => Number((await admin.fetchTopicOffsets('iso').catch(() => []))[0]?.high ?? 0);
        const t0 = performance.now();
        await k.createConnector('src', { 'connector.class': 'FileStreamSource', file: input, topic: 'iso', 'batch.size': '2000', 'value.converter': STRING });
        let first = 0;
        let cpu0 = process.cpuUsage();
        await k.waitFor(async () => { const h = await high(); if (h > 0 && !first) { first = performance.now(); cpu0 = process.cpuUsage(); } return h >= COUNT; }, { timeoutMs: 600000, intervalMs: 10, what: 'every line in the topic' });
        const srcDone = performance.now();
        const srcCpu = process.cpuUsage(cpu0);
        await admin.disconnect();
        const out = path.join(k.dir, 'out.txt');
        await k.createConnector('sink', { 'connector.class': 'FileStreamSink', file: out, topics: 'iso', 'value.converter': STRING, 'key.converter': STRING });
        let sinkFirst = 0;
        let cpu1 = process.cpuUsage();
        await k.waitFor(() => { const s = fs.existsSync(out) ? fs.statSync(out).size : 0; if (s > 0 && !sinkFirst) { sinkFirst = performance.now(); cpu1 = process.cpuUsage(); } return s >= bytes; }, { timeoutMs: 600000, intervalMs: 10, what: 'the sink file' });
        const sinkDone = performance.now();
        const sinkCpu = process.cpuUsage(cpu1);
        // CPU of the whole process (every thread) per record: less at the mercy of the machine's load than wall time
        const us = (c: NodeJS.CpuUsage) => (c.user + c.system) / COUNT;
        res[mode].push({ startMs: first - t0, src: COUNT / ((srcDone - first) / 1000), sink: COUNT / ((sinkDone - sinkFirst) / 1000), srcCpu: us(srcCpu), sinkCpu: us(sinkCpu) });
      } finally {
        await k.close();
      }
    }
  }
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  for (const mode of ['none', 'thread'] as const) {
    const rs = res[mode];
    console.log(`task.isolation=${mode}: file source ${rs.map((x) => n(x.src)).join(' / ')} records/s, file sink ${rs.map((x) => n(x.sink)).join(' / ')} records/s (first record to last, ${COUNT} lines, String converter); CPU per record source ${rs.map((x) => x.srcCpu.toFixed(1)).join(' / ')} µs, sink ${rs.map((x) => x.sinkCpu.toFixed(1)).join(' / ')} µs; task start → first record ${rs.map((x) => n(x.startMs)).join(' / ')} ms`);
  }
}
