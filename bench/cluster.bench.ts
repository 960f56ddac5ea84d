// Replication costs and recovery on three `tributary broker` processes sharing a
// PostgreSQL metadata store, librdkafka (python confluent-kafka) as the driver:
//   1. produce throughput of 1 KiB records, RF=3 acks=all vs RF=1 acks=1, same run
//   2. time from kill -9 of a partition's leader to the first acknowledged write on
//      it (10 kills, p50/max), and a controlled shutdown (SIGTERM) of a leader under
//      load: client-visible delivery errors and the longest gap between acks
//   3. catch-up rate of a follower restarted BENCH_MB behind
//   4. (BENCH_ONLY=sessions, not run by default) KIP-227 fetch sessions: the brokers' CPU per
//      second with BENCH_PARTITIONS (1000) partitions RF=3, idle and under a light produce load
//      (BENCH_RATE records/s, 200), sessions on and off (max.incremental.fetch.session.cache.slots=0),
//      alternated BENCH_RUNS times, BENCH_SECONDS (20) each
// BENCH_COUNT (records per throughput run), BENCH_RUNS (RF=1/RF=3 pairs), BENCH_MB and
// BENCH_KILLS scale it; BENCH_RF=rf3 runs one side only, BENCH_NODE_ARGS passes node flags
// to the brokers (--cpu-prof: they are stopped with SIGTERM at the end to write it).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from '../test/helpers/cluster.ts';
import { ROOT, spawnCli } from '../test/helpers/process.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200_000);
const CATCH_UP_MB = Number(process.env.BENCH_MB ?? 1024);
const KILLS = Number(process.env.BENCH_KILLS ?? 10);
/** alternated RF=1 / RF=3 pairs in the throughput part (best of them each) */
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
/** BENCH_RF=rf3 runs only the RF=3 acks=all side (profiling) */
const SIDES = (process.env.BENCH_RF ?? 'rf1,rf3').split(',');
const SESSION_MS = 3000;
const SESS_PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 1000);
const SESS_RATE = Number(process.env.BENCH_RATE ?? 200);
const SESS_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** BENCH_ONLY=throughput,failover,catchup picks parts (sessions: only when named) */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'throughput,failover,catchup').split(','));
/** extra broker settings, e.g. BENCH_SET=replica.fetch.max.bytes=10485760 */
const EXTRA = (process.env.BENCH_SET ?? '').split(',').filter(Boolean).flatMap((s) => ['--set', s]);
/** node flags for the brokers, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const LOAD = path.join(ROOT, 'bench/py_kafka_load.py');
const ACKED = path.join(ROOT, 'test/py/acked_producer.py');

function py(args: string[]): any {
  const r = spawnSync('/usr/bin/python3', [LOAD, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`driver ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function admin(bootstrap: string, ...args: string[]): void {
  const r = spawnSync('/usr/bin/python3', [path.join(ROOT, 'test/py/cluster_admin.py'), bootstrap, ...args], { encoding: 'utf8', timeout: 60_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
  if (!out.ok) throw new Error(`cluster_admin ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
}

async function leaderOf(c: TestCluster, topic: string): Promise<{ leader: number; isr: number }> {
  return waitFor(`${topic} leader`, async () => {
    const p = (await kcatMetadata(c.bootstrap(), topic)).topics[0]?.partitions[0];
    return p && p.leader > 0 && { leader: p.leader, isr: p.isrs.length };
  }, 30000, 50);
}

/** CPU seconds each broker process used so far (utime + stime from /proc) and its minor page faults, by node id. */
function brokerStat(c: TestCluster): Map<number, { cpu: number; faults: number }> {
  const out = new Map<number, { cpu: number; faults: number }>();
  for (const [id, b] of c.brokers) {
    try {
      const f = fs.readFileSync(`/proc/${b.cli.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(id, { cpu: (Number(f[11]) + Number(f[12])) / 100, faults: Number(f[7]) });
    } catch { /* gone */ }
  }
  return out;
}

/** CPU seconds each broker process used so far, by node id. */
function brokerCpu(c: TestCluster): Map<number, number> {
  return new Map([...brokerStat(c)].map(([id, s]) => [id, s.cpu]));
}

/**
 * Runs `fn` and returns the CPU seconds the brokers spent meanwhile (all of them, and the
 * busiest) and the busiest one's minor page faults: each is a fresh page first touched, which
 * costs ~2 ms per MB on the 2-core VM; unlike CPU seconds, hardly moved by other load.
 */
function cpuDuring<T>(c: TestCluster, fn: () => T): { result: T; total: number; busiest: number; busiestFaults: number } {
  const before = brokerStat(c);
  const result = fn();
  const used = [...brokerStat(c)].map(([id, s]) => ({ cpu: s.cpu - (before.get(id)?.cpu ?? s.cpu), faults: s.faults - (before.get(id)?.faults ?? s.faults) }));
  const busiest = used.reduce((a, b) => (b.cpu > a.cpu ? b : a), { cpu: 0, faults: 0 });
  return { result, total: used.reduce((a, b) => a + b.cpu, 0), busiest: busiest.cpu, busiestFaults: busiest.faults };
}

const pct = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

/** A steady acks=all producer (test/py/acked_producer.py) whose acknowledgements are read as they come. */
function steadyProducer(bootstrap: string, topic: string, intervalMs: number) {
  const child = spawn('/usr/bin/python3', [ACKED, bootstrap, topic, '0', '100000000', 'bench', String(intervalMs), '1024'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: { o: number; t: number; sent: number }[] = [];
  let buf = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      const j = JSON.parse(line);
      if ('o' in j) acks.push({ o: j.o, t: j.t * 1000, sent: j.sent * 1000 });
    }
  });
  child.stderr.on('data', (d) => { stderr += d; });
  return {
    acks,
    errors: () => (stderr.match(/Delivery failed|_MSG_TIMED_OUT|NOT_ENOUGH|error/gi) ?? []).length,
    /** the stderr lines counted by errors(), from the n-th on */
    errorLines: (n: number) => stderr.split('\n').filter((l) => /Delivery failed|_MSG_TIMED_OUT|NOT_ENOUGH|error/i.test(l)).slice(n),
    stop: () => new Promise<void>((r) => { child.on('exit', () => r()); child.kill('SIGINT'); setTimeout(() => child.kill('SIGKILL'), 2000); }),
  };
}

/** when each broker (node id) last started listening */
const startedAt = new Map<number, number>();

/** TestCluster.start with a longer wait: on a loaded machine a broker may take more than 20 s to come up. */
async function start(c: TestCluster, id: number): Promise<void> {
  const dataDir = path.join(c.root, `b${id}`);
  const cli = await spawnCli(['broker', '--node-id', String(id), '--metadata-store', c.db.url, '--kafka-port', '0', '--data-dir', dataDir, ...c.extra], ['kafka'], 120_000, {}, NODE_ARGS);
  c.brokers.set(id, { nodeId: id, dataDir, cli, port: cli.ports.kafka, bootstrap: `127.0.0.1:${cli.ports.kafka}` });
  startedAt.set(id, Date.now());
}

function logBytes(dir: string): number {
  try { return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0); } catch { return 0; }
}

async function main() {
  const flags = ['--set', `broker.session.timeout.ms=${SESSION_MS}`, '--set', 'replica.fetch.backoff.ms=100', '--set', 'message.max.bytes=2000000', '--set', 'log.segment.bytes=268435456', ...EXTRA];
  const c = new TestCluster(await createClusterDb(), flags);
  try {
    await Promise.all([1, 2, 3].map((n) => start(c, n)));
    await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
    const bs = () => c.bootstrap();

    // ---- 1. throughput ----
    if (ONLY.has('throughput')) {
    admin(bs(), 'create', 'rf1', '1', '1');
    admin(bs(), 'create', 'rf3', '1', '3');
    await leaderOf(c, 'rf1'); await leaderOf(c, 'rf3');
    py(['produce', bs(), 'rf1', '30000', '1024', '1']); // warm-up
    const runs: Record<string, number[]> = { rf1: [], rf3: [] };
    // Broker CPU per 100 MB produced: unlike MB/s, hardly moved by what else runs on the machine.
    const cpu: Record<string, string[]> = { rf1: [], rf3: [] };
    const mb = (COUNT * 1024) / 1e6;
    for (let i = 0; i < RUNS; i++) {
      for (const [topic, acks] of [['rf1', '1'], ['rf3', '-1']].filter(([t]) => SIDES.includes(t))) {
        const r = cpuDuring(c, () => py(['produce', bs(), topic, String(COUNT), '1024', acks]));
        runs[topic].push(r.result.mb_s);
        cpu[topic].push(`${((r.total * 100) / mb).toFixed(2)} s (leader ${((r.busiest * 100) / mb).toFixed(2)} s, ${Math.round((r.busiestFaults * 100) / mb)} page faults)`);
      }
    }
    const best = (xs: number[]) => Math.max(...xs);
    console.log(`produce 1 KiB × ${COUNT}: RF=1 acks=1 ${runs.rf1.map((x) => x.toFixed(1)).join(' / ')} MB/s, RF=3 acks=all ${runs.rf3.map((x) => x.toFixed(1)).join(' / ')} MB/s → ratio ${(best(runs.rf3) / best(runs.rf1)).toFixed(2)}× (best of ${RUNS} each; goal ≥ 0.5×)${runs.rf1.length > 1 && runs.rf3.length === runs.rf1.length ? `; pair by pair ${runs.rf3.map((x, i) => (x / runs.rf1[i]).toFixed(2)).join(' / ')}×` : ''}`);
    console.log(`  brokers' CPU per 100 MB produced: RF=1 ${cpu.rf1.join(' / ')}, RF=3 ${cpu.rf3.join(' / ')}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    }

    // ---- 2. failover ----
    if (ONLY.has('failover')) {
    admin(bs(), 'create', 'fo', '1', '3');
    await leaderOf(c, 'fo');
    const prod = steadyProducer(bs(), 'fo', 5);
    await waitFor('the steady producer acknowledged', async () => prod.acks.length > 50, 30000, 50);
    const gaps: number[] = [];
    // The broker's part (kill → a new leader in the metadata) apart from the client's (reaching it):
    // which broker leads next, and how long ago it was restarted, tells whether clients are still backing off from it.
    const elected: number[] = [];
    const detail: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const { leader } = await leaderOf(c, 'fo');
      await new Promise((r) => setTimeout(r, 300));
      const before = prod.acks.length ? prod.acks[prod.acks.length - 1].o : -1;
      const t0 = Date.now();
      await c.kill(leader);
      const next = waitFor(`a new leader after killing ${leader}`, async () => {
        const p = (await kcatMetadata(c.bootstrap(), 'fo')).topics[0]?.partitions[0];
        return p && p.leader > 0 && p.leader !== leader && { id: p.leader, t: Date.now() };
      }, 30000, 50);
      // The first write sent after the kill that is acknowledged (not a response the old leader had sent already).
      const first = await waitFor(`an acknowledged write after killing ${leader}`, async () => prod.acks.find((a) => a.o > before && a.sent >= t0), 30000, 5);
      const n = await next;
      gaps.push(first.t - t0);
      elected.push(n.t - t0);
      detail.push(`${(first.t - t0).toFixed(0)} (${leader}→${n.id} up ${((t0 - startedAt.get(n.id)!) / 1000).toFixed(1)} s, in metadata ${(n.t - t0).toFixed(0)})`);
      await start(c, leader);
      await waitFor('full ISR again', async () => (await leaderOf(c, 'fo')).isr === 3, 60000);
    }
    console.log(`kill -9 of the leader → first acknowledged write (${KILLS} kills): p50 ${pct(gaps, 0.5).toFixed(0)} ms, max ${Math.max(...gaps).toFixed(0)} ms (broker.session.timeout.ms=${SESSION_MS}; goal ≤ ${SESSION_MS + 1000} ms) [${gaps.map((g) => g.toFixed(0)).join(', ')}]`);
    console.log(`  → new leader in the metadata (kcat, 50 ms polls): p50 ${pct(elected, 0.5).toFixed(0)} ms, max ${Math.max(...elected).toFixed(0)} ms; per kill: ${detail.join(', ')}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    // Controlled shutdown of the leader under the same load.
    {
      const { leader } = await leaderOf(c, 'fo');
      const errorsBefore = prod.errors();
      const from = prod.acks.length;
      const t0 = Date.now();
      await c.stop(leader);
      await new Promise((r) => setTimeout(r, 3000));
      const window = prod.acks.slice(from).filter((a) => a.t >= t0);
      let maxGap = window.length ? window[0].t - t0 : Infinity;
      for (let i = 1; i < window.length; i++) maxGap = Math.max(maxGap, window[i].t - window[i - 1].t);
      console.log(`controlled shutdown (SIGTERM) of leader ${leader} under load: ${prod.errors() - errorsBefore} client-visible delivery errors, longest gap between acknowledgements ${maxGap.toFixed(0)} ms`);
      if (prod.errors() > errorsBefore) console.log(`  the producer's lines counted: ${prod.errorLines(0).slice(-(prod.errors() - errorsBefore)).join(' | ')}`);
      await start(c, leader);
    }
    await prod.stop();
    }

    // ---- 4. fetch sessions ----
    if (ONLY.has('sessions')) await sessionsPart(c);

    // ---- 3. catch-up ----
    if (ONLY.has('catchup')) {
    admin(bs(), 'create', 'catchup', '1', '3');
    const { leader } = await leaderOf(c, 'catchup');
    const follower = [1, 2, 3].find((n) => n !== leader)!;
    const fdir = path.join(c.brokers.get(follower)!.dataDir, 'catchup-0');
    const ldir = path.join(c.brokers.get(leader)!.dataDir, 'catchup-0');
    await c.stop(follower);
    py(['produce', bs(), 'catchup', String(Math.round((CATCH_UP_MB * 1e6) / 1024)), '1024', '1']);
    const target = logBytes(ldir);
    const behind = target - logBytes(fdir);
    const t0 = Date.now();
    await start(c, follower);
    const ready = Date.now();
    const cpu0 = brokerCpu(c);
    await waitFor('the follower caught up', async () => logBytes(fdir) >= target, 600_000, 20);
    const secs = (Date.now() - ready) / 1000;
    const cpu1 = brokerCpu(c);
    // CPU per 100 MB copied, which a shared machine's load moves far less than MB/s
    const per100 = (id: number) => (((cpu1.get(id) ?? 0) - (cpu0.get(id) ?? 0)) * 1e8) / behind;
    console.log(`follower restarted ${(behind / 1e6).toFixed(0)} MB behind: caught up in ${secs.toFixed(1)} s after it listened (${((Date.now() - t0) / 1000).toFixed(1)} s with start-up) → ${(behind / 1e6 / secs).toFixed(0)} MB/s (goal ≥ 200 MB/s); CPU s per 100 MB: leader ${per100(leader).toFixed(3)}, follower ${per100(follower).toFixed(3)}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    // The same bytes read by a librdkafka consumer from the leader, in the same run: what this machine gives a plain read now.
    // The leader's CPU per 100 MB sent to that consumer beside what it spent on the follower:
    // reading the segment and writing the socket, without replication.
    const c0 = brokerCpu(c).get(leader) ?? 0;
    const cons = py(['consume', bs(), 'catchup', String(Math.round((CATCH_UP_MB * 1e6) / 1024))]);
    const consumerCpu = (((brokerCpu(c).get(leader) ?? 0) - c0) * 1e8) / target;
    console.log(`  for scale, a librdkafka consumer reading that partition from the leader: ${cons.mb_s.toFixed(0)} MB/s, leader CPU s per 100 MB ${consumerCpu.toFixed(3)}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    }
  } finally {
    // a profiled broker writes its profile when it exits cleanly
    if (NODE_ARGS.length) for (const id of [...c.brokers.keys()]) await c.stop(id);
    await c.close();
  }
}

/** Prometheus counters of one broker (tributary_fetch_*), from its admin port. */
async function fetchCounters(port: number): Promise<{ requests: number; partitions: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const get = (name: string) => Number(new RegExp(`^${name}\\{fetcher="follower"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { requests: get('tributary_fetch_requests_total'), partitions: get('tributary_fetch_request_partitions_total') };
}

/**
 * KIP-227: many partitions, little traffic — what followers' fetch rounds cost both sides.
 * The cluster is restarted between modes (the cache size is a static setting); each mode's
 * window starts once every partition has its full ISR again.
 */
async function sessionsPart(c: TestCluster): Promise<void> {
  admin(c.bootstrap(), 'create', 'sess', String(SESS_PARTITIONS), '3');
  const restart = async (slots: number) => {
    for (const id of [...c.brokers.keys()]) await c.stop(id);
    await Promise.all([1, 2, 3].map(async (id) => {
      const dataDir = path.join(c.root, `b${id}`);
      const cli = await spawnCli(['broker', '--node-id', String(id), '--metadata-store', c.db.url, '--kafka-port', '0', '--admin-port', '0', '--data-dir', dataDir, ...c.extra, '--set', `max.incremental.fetch.session.cache.slots=${slots}`], ['kafka', 'admin'], 120_000, {}, NODE_ARGS);
      c.brokers.set(id, { nodeId: id, dataDir, cli, port: cli.ports.kafka, bootstrap: `127.0.0.1:${cli.ports.kafka}` });
    }));
    await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3, 60_000);
    await waitFor('every partition led with a full ISR', async () => {
      const ps = (await kcatMetadata(c.bootstrap(), 'sess')).topics[0]?.partitions ?? [];
      return ps.length === SESS_PARTITIONS && ps.every((p) => p.leader > 0 && p.isrs.length === 3);
    }, 120_000, 1000);
    await new Promise((r) => setTimeout(r, 5000));
  };
  const rows: string[] = [];
  const modes = Array.from({ length: RUNS }, () => [1000, 0]).flat();
  for (const slots of modes) {
    await restart(slots);
    for (const rate of [0, SESS_RATE]) {
      const load = rate > 0 ? spawn('/usr/bin/python3', [LOAD, 'latency', c.bootstrap(), 'sess', String(rate), String(SESS_SECONDS + 4), '1'], { stdio: 'ignore' }) : null;
      const loadDone = load ? new Promise((r) => load.on('exit', r)) : Promise.resolve();
      await new Promise((r) => setTimeout(r, 2000));
      const ports = [...c.brokers.values()].map((b) => b.cli.ports.admin);
      const m0 = await Promise.all(ports.map(fetchCounters));
      const cpu0 = brokerCpu(c);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, SESS_SECONDS * 1000));
      const cpu1 = brokerCpu(c);
      const secs = (Date.now() - t0) / 1000;
      const m1 = await Promise.all(ports.map(fetchCounters));
      await loadDone;
      const per = [1, 2, 3].map((id) => ((cpu1.get(id) ?? 0) - (cpu0.get(id) ?? 0)) / secs);
      const sum = per.reduce((x, y) => x + y, 0);
      const reqs = m1.reduce((x, m, i) => x + m.requests - m0[i].requests, 0);
      const parts = m1.reduce((x, m, i) => x + m.partitions - m0[i].partitions, 0);
      const row = `sessions ${slots ? 'on ' : 'off'}, ${rate ? `${rate} records/s` : 'idle'}: brokers' CPU ${per.map((x) => x.toFixed(3)).join(' / ')} s/s (sum ${sum.toFixed(3)}); follower fetches ${(reqs / secs).toFixed(1)}/s listing ${(parts / Math.max(1, reqs)).toFixed(1)} partitions each, ${((sum * 1000) / Math.max(1, reqs / secs)).toFixed(1)} ms CPU per fetch; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
      console.log(row);
      rows.push(row);
    }
  }
  console.log(`fetch sessions, ${SESS_PARTITIONS} partitions RF=3, idle and ${SESS_RATE} records/s acks=1, ${SESS_SECONDS} s windows:\n  ${rows.join('\n  ')}`);
}

await main();
