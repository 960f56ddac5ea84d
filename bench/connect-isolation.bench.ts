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
import { pathToFileURL } from 'node:url';
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

// What a task thread costs to start (issue 21), alternated A/B: the thread loading the
// runtime's TypeScript sources through tsx (task-thread-entry.mjs, the fallback) vs the
// pre-bundled entry (task-thread-bundle.ts, the default), and apart from both the Kafka
// client library alone (what keeping the clients in the worker, records crossing in
// batches, would save a thread). Wall time, CPU of the process while the thread loads
// (nothing else runs in it meanwhile) and memory; a thread lives with the worker, a
// process per task was measured at twice the memory (issue 21's earlier note).
{
  const { Worker } = await import('node:worker_threads');
  const { taskThreadBundle } = await import('../connectors/runtime/task-thread-bundle.ts');
  const { withoutTsx } = await import('../connectors/runtime/task-thread-host.ts');
  const dir = fs.mkdtempSync('/tmp/tributary-bench-host-');
  const probe = path.join(dir, 'probe.mjs');
  // imports the target (registering tsx first when it is TypeScript), then reports
  fs.writeFileSync(probe, `
import { parentPort, workerData } from 'node:worker_threads';
if (workerData.tsx) { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); }
await import(workerData.target);
parentPort.postMessage('ready');
`);
  const targets: Record<string, { target: string; tsx: boolean }> = {
    'tsx entry (TypeScript sources)': { target: pathToFileURL(path.join(ROOT, 'connectors/runtime/task-thread.ts')).href, tsx: true },
    'bundled entry': { target: (await taskThreadBundle()).href, tsx: false },
    'the Kafka library alone': { target: import.meta.resolve('@platformatic/kafka'), tsx: false },
  };
  const res: Record<string, { ms: number; cpu: number; mb: number }[]> = {};
  for (let r = 0; r < 3; r++) {
    for (const [label, t] of Object.entries(targets)) {
      const rss0 = process.memoryUsage().rss;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      // as the worker starts task threads: tsx only where the target needs it
      const w = new Worker(probe, { workerData: t, execArgv: withoutTsx(process.execArgv) });
      await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
      const c = process.cpuUsage(c0);
      (res[label] ??= []).push({ ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, mb: (process.memoryUsage().rss - rss0) / 1048576 });
      await w.terminate();
    }
  }
  for (const [label, rs] of Object.entries(res)) {
    console.log(`task thread start, ${label}: ${rs.map((x) => x.ms.toFixed(0)).join(' / ')} ms, CPU ${rs.map((x) => x.cpu.toFixed(0)).join(' / ')} ms, memory +${rs.map((x) => x.mb.toFixed(0)).join(' / ')} MB`);
  }
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
  // thread:N = task.isolation=thread with task.thread.spares=N (0: a thread starts when the task does)
  const modes = (process.env.BENCH_MODES ?? 'none,thread:0,thread:1').split(',');
  const res: Record<string, { startMs: number; src: number; sink: number; srcCpu: number; sinkCpu: number }[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const [iso, spares] = mode.split(':');
      const k = await startTestKit({ workerConfig: { 'offset.flush.interval.ms': '1000', 'task.isolation': iso, ...(spares ? { 'task.thread.spares': spares } : {}) } });
      // spares load with the worker: let them finish before anything is measured
      if (spares && spares !== '0') await new Promise((w) => setTimeout(w, 8000));
      try {
        const input = path.join(k.dir, 'in.txt');
        const fd = fs.openSync(input, 'w');
        for (let i = 0; i < COUNT; i += 10000) fs.writeSync(fd, Array.from({ length: Math.min(10000, COUNT - i) }, (_, j) => `${String(i + j).padStart(10, '0')} ${'x'.repeat(89)}`).join('\n') + '\n');
        fs.closeSync(fd);
        const bytes = fs.statSync(input).size;
        // no retries: kafkajs retries the topic the source has not created yet with a growing backoff (seeing the first record late)
        const admin = k.kafka.admin({ retry: { retries: 0 } });
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
        (res[mode] ??= []).push({ startMs: first - t0, src: COUNT / ((srcDone - first) / 1000), sink: COUNT / ((sinkDone - sinkFirst) / 1000), srcCpu: us(srcCpu), sinkCpu: us(sinkCpu) });
      } finally {
        await k.close();
      }
    }
  }
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  for (const mode of modes) {
    const rs = res[mode];
    console.log(`${mode}: file source ${rs.map((x) => n(x.src)).join(' / ')} records/s, file sink ${rs.map((x) => n(x.sink)).join(' / ')} records/s (first record to last, ${COUNT} lines, String converter); CPU per record source ${rs.map((x) => x.srcCpu.toFixed(1)).join(' / ')} µs, sink ${rs.map((x) => x.sinkCpu.toFixed(1)).join(' / ')} µs; task start → first record ${rs.map((x) => n(x.startMs)).join(' / ')} ms`);
  }
}
