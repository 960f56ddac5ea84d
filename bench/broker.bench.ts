// Broker throughput and latency with librdkafka (python confluent-kafka) as the
// load driver, against the machine's Redis Streams and NATS JetStream in the same run.
//   1 KiB records, loopback, batching on; acks=1 and acks=all; p50/p99 at a fixed rate.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker } from '../test/helpers/broker.ts';
import { ROOT, spawnCli } from '../test/helpers/process.ts';
import { tempDir } from '../test/helpers/broker.ts';
import { BrokerMetrics } from '../server/metrics/broker-metrics.ts';
import { API_BY_KEY } from '../server/protocol/apis/index.ts';
import { makeCa, makeCert } from '../test/helpers/certs.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 400_000);
const SIZE = 1024;
const DRIVER = path.join(ROOT, 'bench/py_kafka_load.py');

function py(args: string[], client: Record<string, string> = {}): any {
  const r = spawnSync('/usr/bin/python3', [DRIVER, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, KAFKA_CLIENT_CONFIG: JSON.stringify(client) } });
  if (r.status !== 0) throw new Error(`driver ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function cpuOf(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(s[11]) + Number(s[12])) / 100; // utime + stime, clock ticks at 100 Hz
}

function fmt(n: number, d = 1): string { return n.toFixed(d); }

async function kafkaBench() {
  const dir = tempDir('tributary-bench-');
  const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'num.partitions=1', '--set', 'message.max.bytes=2000000']);
  const bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  const pid = cli.child.pid!;
  try {
    // warm-up: fresh memory is slow on this machine (PERF-NOTES)
    py(['produce', bootstrap, 'warmup', '50000', String(SIZE), '1']);
    const results: Record<string, any> = {};
    for (const acks of ['1', 'all']) {
      const topic = `bench-acks-${acks}`;
      const c0 = cpuOf(pid);
      const r = py(['produce', bootstrap, topic, String(COUNT), String(SIZE), acks === 'all' ? '-1' : acks]);
      r.broker_cpu = (cpuOf(pid) - c0) / r.seconds;
      results[`produce acks=${acks}`] = r;
    }
    const c0 = cpuOf(pid);
    const cons = py(['consume', bootstrap, 'bench-acks-1', String(COUNT)]);
    cons.broker_cpu = (cpuOf(pid) - c0) / cons.seconds;
    results.consume = cons;
    results.latency = py(['latency', bootstrap, 'bench-latency', '2000', '5', '-1']);
    return results;
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function redisBench(): any {
  // redis-benchmark pipelines XADD with a 1 KiB field (as PERF-NOTES measured).
  const value = 'x'.repeat(SIZE);
  const key = `tributary-bench-${process.pid}`;
  const t0 = Date.now();
  const r = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', '6379', '-n', String(COUNT), '-P', '64', '-q', 'XADD', key, '*', 'v', value], { encoding: 'utf8', timeout: 300_000 });
  const seconds = (Date.now() - t0) / 1000;
  const m = /([\d.]+) requests per second/.exec(r.stdout);
  if (!m) return { error: (r.stderr || r.stdout || 'redis-benchmark not available').trim() };
  const msgs = Number(m[1]);
  // consume: XREAD in batches of 1000 through redis-cli --pipe would not measure reads; use XRANGE via redis-benchmark
  const rr = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', '6379', '-n', String(Math.ceil(COUNT / 1000)), '-P', '4', '-q', 'XRANGE', key, '-', '+', 'COUNT', '1000'], { encoding: 'utf8', timeout: 300_000 });
  const mr = /([\d.]+) requests per second/.exec(rr.stdout);
  spawnSync('redis-cli', ['-h', '127.0.0.1', 'DEL', key]);
  return { produce_msgs_s: msgs, produce_mb_s: (msgs * SIZE) / 1e6, consume_msgs_s: mr ? Number(mr[1]) * 1000 : null, consume_mb_s: mr ? (Number(mr[1]) * 1000 * SIZE) / 1e6 : null, seconds };
}

async function natsBench(): Promise<any> {
  let nats: any;
  try { nats = await import('nats'); } catch { return { error: 'npm package nats not installed' }; }
  const nc = await nats.connect({ servers: '127.0.0.1:4222' }).catch((e: Error) => ({ error: e.message }));
  if ((nc as any).error) return nc;
  const jsm = await nc.jetstreamManager();
  const stream = `TRIBBENCH${process.pid}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.x`], storage: nats.StorageType.File });
  const js = nc.jetstream();
  const payload = new Uint8Array(SIZE);
  const n = Math.min(COUNT, 100_000);
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    inflight.push(js.publish(`${stream}.x`, payload));
    if (inflight.length >= 256) { await Promise.all(inflight); inflight.length = 0; }
  }
  await Promise.all(inflight);
  const pt = (performance.now() - t0) / 1000;
  const c = await js.consumers.get(stream);
  const t1 = performance.now();
  let got = 0;
  while (got < n) {
    const batch = await c.fetch({ max_messages: 1000, expires: 2000 });
    for await (const m of batch) { got++; void m; }
  }
  const ct = (performance.now() - t1) / 1000;
  await jsm.streams.delete(stream);
  await nc.close();
  return { produce_msgs_s: n / pt, produce_mb_s: (n * SIZE) / pt / 1e6, consume_msgs_s: n / ct, consume_mb_s: (n * SIZE) / ct / 1e6 };
}

/**
 * Metrics cost: the same produce and consume with the admin port (metrics) off and
 * on while scraped every second, alternating off/on twice in one run.
 */
async function metricsBench() {
  const n = Math.min(COUNT, 200_000);
  const one = async (metrics: boolean, round: number) => {
    const dir = tempDir('tributary-bench-');
    const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'num.partitions=1', '--set', 'message.max.bytes=2000000',
      ...(metrics ? ['--admin-port', '0'] : ['--set', 'admin.listeners='])], metrics ? ['admin', 'kafka'] : ['kafka']);
    const bootstrap = `127.0.0.1:${cli.ports.kafka}`;
    let scrapes = 0;
    const timer = metrics ? setInterval(() => { void fetch(`http://127.0.0.1:${cli.ports.admin}/metrics`).then((r) => r.text()).then(() => { scrapes++; }, () => undefined); }, 1000) : undefined;
    try {
      py(['produce', bootstrap, 'warmup', '20000', String(SIZE), '1']);
      const prod = await pyAsync(['produce', bootstrap, `m-${round}`, String(n), String(SIZE), '1']);
      const cons = await pyAsync(['consume', bootstrap, `m-${round}`, String(n)]);
      return { produce: prod.msgs_s as number, consume: cons.msgs_s as number, scrapes };
    } finally {
      clearInterval(timer);
      cli.child.kill('SIGTERM');
      await cli.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const off: { produce: number; consume: number }[] = []; const on: { produce: number; consume: number; scrapes: number }[] = [];
  for (let round = 0; round < 3; round++) { off.push(await one(false, round)); on.push(await one(true, round)); }
  // the median of the rounds: this machine's load swings single runs by 2x
  const avg = (l: { produce: number; consume: number }[], k: 'produce' | 'consume') => l.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(l.length / 2)];
  return { n, off, on, produceOff: avg(off, 'produce'), produceOn: avg(on, 'produce'), consumeOff: avg(off, 'consume'), consumeOn: avg(on, 'consume'), scrapes: on.reduce((a, x) => a + x.scrapes, 0) };
}

/** The driver without blocking this process (the scraper runs here meanwhile). */
function pyAsync(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const c = spawn('/usr/bin/python3', [DRIVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = ''; let err = '';
    c.stdout.on('data', (d) => { out += d; }); c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`driver ${args[0]} failed: ${err}`))));
  });
}

/** The request path's share: what the socket server's observer and the append listener cost per call. */
function metricsHotPath() {
  const m = new BrokerMetrics({ partitions: () => [], connections: () => ({ open: 0, created: 0 }), groupStates: () => [], groupOffsets: () => [] });
  const api = API_BY_KEY.get(0)!;
  const ctx = { apiKey: 0, apiVersion: 9, correlationId: 1, clientId: 'b', clientHost: '127.0.0.1', connectionId: 1, api, receivedAt: performance.now() };
  const body = { responses: [{ name: 'bench', partitionResponses: [{ index: 0, errorCode: 0 }] }] };
  const N = 1_000_000;
  for (let i = 0; i < 10_000; i++) { m.onResponse(ctx, 9, body, undefined); m.onAppend('bench', 10, 10240); }
  let t0 = performance.now();
  for (let i = 0; i < N; i++) m.onResponse(ctx, 9, body, undefined);
  const resp = ((performance.now() - t0) * 1e6) / N;
  t0 = performance.now();
  for (let i = 0; i < N; i++) m.onAppend('bench', 10, 10240);
  const app = ((performance.now() - t0) * 1e6) / N;
  return { resp, app };
}

// SASL_SSL (SCRAM-SHA-512 over TLS 1.3) against PLAINTEXT on the same broker, alternated
// twice (medians), and new SCRAM+TLS connections per second (client start, TLS handshake,
// SCRAM exchange, Metadata) from one librdkafka process.
async function securityBench() {
  const dir = tempDir('tributary-bench-sec-');
  const ca = makeCa(dir);
  const cert = makeCert(ca, 'broker', '/CN=localhost');
  const n = Number(process.env.BENCH_SEC_COUNT ?? 200_000);
  const cli = await spawnCli(['broker', '--data-dir', path.join(dir, 'data'), '--set', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    '--set', `ssl.keystore.location=${cert.pem}`, '--set', 'sasl.enabled.mechanisms=SCRAM-SHA-512', '--set', 'num.partitions=1', '--set', 'message.max.bytes=2000000'], ['kafka'], 60_000);
  const pid = cli.child.pid!;
  try {
    let ports: number[] = [];
    for (let i = 0; i < 600 && ports.length < 2; i++) {
      ports = [...cli.output().matchAll(/kafka (?:listener \S+ \(\S+\) )?listening on [^\s:]+:(\d+)/g)].map((m) => Number(m[1]));
      if (ports.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    const plain = `127.0.0.1:${ports[0]}`;
    const secure = `127.0.0.1:${ports[1]}`;
    fs.writeFileSync(path.join(dir, 'pw'), 'bench-secret');
    const u = spawnSync(process.execPath, [path.join(ROOT, 'bin/tributary.mjs'), 'users', 'set', 'bench', '--password-file', path.join(dir, 'pw'), '--mechanism', 'SCRAM-SHA-512', '--bootstrap', plain], { encoding: 'utf8' });
    if (u.status !== 0) throw new Error(`users set failed: ${u.stderr}`);
    const sasl = { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'bench', 'sasl.password': 'bench-secret', 'ssl.ca.location': ca.cert };
    py(['produce', plain, 'sec-warmup', '50000', String(SIZE), '1']);
    const runs: Record<string, number[]> = { 'produce PLAINTEXT': [], 'produce SASL_SSL': [], 'consume PLAINTEXT': [], 'consume SASL_SSL': [] };
    const cpu: Record<string, number[]> = { 'produce PLAINTEXT': [], 'produce SASL_SSL': [], 'consume PLAINTEXT': [], 'consume SASL_SSL': [] };
    for (let round = 0; round < 2; round++) {
      for (const [name, bootstrap, client] of [['PLAINTEXT', plain, {}], ['SASL_SSL', secure, sasl]] as const) {
        const topic = `sec-${name}-${round}`;
        let c0 = cpuOf(pid);
        const pr = py(['produce', bootstrap, topic, String(n), String(SIZE), '1'], client);
        cpu[`produce ${name}`].push((cpuOf(pid) - c0) / pr.seconds);
        runs[`produce ${name}`].push(pr.mb_s);
        c0 = cpuOf(pid);
        const cr = py(['consume', bootstrap, topic, String(n)], client);
        cpu[`consume ${name}`].push((cpuOf(pid) - c0) / cr.seconds);
        runs[`consume ${name}`].push(cr.mb_s);
      }
    }
    const connect = py(['connect', secure, 'x', String(Number(process.env.BENCH_SEC_CONNECTIONS ?? 100))], sasl);
    return { n, runs, cpu, connect };
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; }

function printSecurity(r: Awaited<ReturnType<typeof securityBench>>) {
  console.log(`security (librdkafka, ${r.n} x ${SIZE} B, acks=1, 1 partition, PLAINTEXT and SASL_SSL SCRAM-SHA-512 alternated twice, medians; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}):`);
  for (const [name, xs] of Object.entries(r.runs)) console.log(`  ${name.padEnd(18)} ${fmt(median(xs))} MB/s (${xs.map((x) => fmt(x)).join(', ')})  broker CPU ${fmt(median(r.cpu[name]) * 100, 0)}%`);
  console.log(`  SASL_SSL / PLAINTEXT: produce ${fmt(median(r.runs['produce SASL_SSL']) / median(r.runs['produce PLAINTEXT']), 2)}x, consume ${fmt(median(r.runs['consume SASL_SSL']) / median(r.runs['consume PLAINTEXT']), 2)}x (goal >= 0.6x)`);
  console.log(`  SCRAM-SHA-512 + TLS connections: ${fmt(r.connect.per_s)}/s (${r.connect.connections} in sequence from one process: client start, TLS handshake, SCRAM, Metadata)`);
}

if (process.env.BENCH_ONLY === 'security') {
  printSecurity(await securityBench());
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'metrics') {
  const h = metricsHotPath();
  console.log(`metrics hot path: ${fmt(h.resp, 0)} ns per response observed (Produce), ${fmt(h.app, 0)} ns per append`);
  const m = await metricsBench();
  printMetrics(m);
  process.exit(0);
}

function printMetrics(m: Awaited<ReturnType<typeof metricsBench>>) {
  console.log(`metrics cost (acks=1 produce then consume of ${m.n} x ${SIZE} B, off/on alternated 3 times, medians, on = admin port scraped every 1 s, ${m.scrapes} scrapes):`);
  console.log(`  produce: off ${fmt(m.produceOff, 0)} msgs/s (${m.off.map((x) => fmt(x.produce, 0)).join(', ')}), on ${fmt(m.produceOn, 0)} msgs/s (${m.on.map((x) => fmt(x.produce, 0)).join(', ')}) → ${fmt((m.produceOn / m.produceOff - 1) * 100)}%`);
  console.log(`  consume: off ${fmt(m.consumeOff, 0)} msgs/s (${m.off.map((x) => fmt(x.consume, 0)).join(', ')}), on ${fmt(m.consumeOn, 0)} msgs/s (${m.on.map((x) => fmt(x.consume, 0)).join(', ')}) → ${fmt((m.consumeOn / m.consumeOff - 1) * 100)}%`);
}

const k = await kafkaBench();
const redis = redisBench();
const natsR = await natsBench();
console.log(`broker (librdkafka driver, ${COUNT} x ${SIZE} B, 1 partition):`);
for (const [name, r] of Object.entries(k)) {
  if (name === 'latency') continue;
  console.log(`  ${name.padEnd(16)} ${fmt(r.mb_s)} MB/s  ${fmt(r.msgs_s, 0)} msgs/s  client CPU ${fmt(r.client_cpu * 100, 0)}%  broker CPU ${fmt(r.broker_cpu * 100, 0)}%`);
}
console.log(`  produce latency acks=all at 2000 msg/s: p50 ${fmt(k.latency.p50_ms, 2)} ms  p99 ${fmt(k.latency.p99_ms, 2)} ms`);
console.log(`redis streams: ${redis.error ?? `produce ${fmt(redis.produce_mb_s)} MB/s (${fmt(redis.produce_msgs_s, 0)} msgs/s), consume ${fmt(redis.consume_mb_s ?? 0)} MB/s`}`);
console.log(`nats jetstream: ${natsR.error ?? `produce ${fmt(natsR.produce_mb_s)} MB/s (${fmt(natsR.produce_msgs_s, 0)} msgs/s), consume ${fmt(natsR.consume_mb_s)} MB/s`}`);
if (!redis.error) console.log(`ratio produce vs redis: ${fmt(k['produce acks=1'].mb_s / redis.produce_mb_s, 2)}x, consume vs redis: ${redis.consume_mb_s ? fmt(k.consume.mb_s / redis.consume_mb_s, 2) : '?'}x`);
if (!natsR.error) console.log(`ratio produce vs nats: ${fmt(k['produce acks=1'].mb_s / natsR.produce_mb_s, 2)}x, consume vs nats: ${fmt(k.consume.mb_s / natsR.consume_mb_s, 2)}x`);
printMetrics(await metricsBench());
printSecurity(await securityBench());
{ const h = metricsHotPath(); console.log(`metrics hot path: ${fmt(h.resp, 0)} ns per response observed (Produce), ${fmt(h.app, 0)} ns per append`); }
void startBroker;
