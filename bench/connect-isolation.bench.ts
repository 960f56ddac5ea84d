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

const fmt = (m: { n: number; p50: number; p99: number; max: number }) => `${m.n} produces, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, max ${m.max.toFixed(1)} ms`;

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
