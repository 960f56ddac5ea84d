// What this machine allows a replicated log at best, with no Kafka in it: the same data
// flow as cluster.bench.ts's throughput part, in the fewest operations Node can do it.
//   RF=1: a producer process streams 1 MiB chunks over TCP to a "leader" process that
//         writes each received piece to a file and acks each chunk once written.
//   RF=3: the leader also forwards every piece to two "follower" processes, each writing
//         its own file and acking; the leader acks a chunk once it and both followers wrote it.
// No framing, parsing, CRC, index or copy beyond the kernel's: received pieces go to the
// file with one write each and to the followers as they are; up to 8 chunks in flight.
// The ratio RF=3/RF=1 here bounds what the broker can reach on the same machine (issue 16's
// goal is ≥ 0.5×): every byte crosses loopback TCP 3× instead of 1× and is written to the
// page cache 3× instead of 1×, all on the same cores.
// BENCH_MB (default 400) per run, BENCH_RUNS (3) alternated pairs.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CHUNK = 1 << 20;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
const role = process.argv[2];

/** A process that writes what it receives to a file and acks every CHUNK bytes (one byte per chunk) once written and (leader) replicated. */
function serve(forwardTo: number[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trib-ceiling-'));
  const fd = fs.openSync(path.join(dir, 'log'), 'w');
  const followers = forwardTo.map((port) => net.connect({ port, host: '127.0.0.1', noDelay: true }));
  const server = net.createServer({ noDelay: true }, (sock) => {
    let received = 0, written = 0, acked = 0;
    const replicated = followers.map(() => 0); // chunks each follower acked
    const ackDone = () => {
      const chunks = Math.min(Math.floor(written / CHUNK), ...replicated);
      if (chunks > acked) { sock.write(Buffer.alloc(chunks - acked)); acked = chunks; }
    };
    followers.forEach((f, i) => f.on('data', (d) => { replicated[i] += d.length; ackDone(); }));
    sock.on('data', (d) => {
      for (const f of followers) f.write(d);
      fs.writeSync(fd, d, 0, d.length, received);
      received += d.length; written = received;
      ackDone();
    });
    sock.on('close', () => { fs.closeSync(fd); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as net.AddressInfo).port }));
}

/** busy and total jiffies of the whole machine (all cores), from /proc/stat */
function machineTicks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function cpuTicks(pid: number): number {
  try { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); const p = f.slice(f.lastIndexOf(')') + 2).split(' '); return Number(p[11]) + Number(p[12]); } catch { return 0; }
}

async function start(args: string[]): Promise<{ port: number; pid: number }> {
  const child = fork(new URL(import.meta.url).pathname, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return { port, pid: child.pid! };
}

/** One run: MB through a chain of `rf` processes; MB/s and the servers' CPU seconds per 100 MB. */
async function run(rf: number, mb: number): Promise<{ mbs: number; cpu: number; busy: number }> {
  const followers = [];
  for (let i = 1; i < rf; i++) followers.push(await start(['follower']));
  const leader = await start(['leader', ...followers.map((f) => String(f.port))]);
  const pids = [leader.pid, ...followers.map((f) => f.pid)];
  const sock = net.connect({ port: leader.port, host: '127.0.0.1', noDelay: true });
  await new Promise((r) => sock.once('connect', r));
  const chunk = Buffer.alloc(CHUNK, 0x78);
  const c0 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  const m0 = machineTicks();
  const t0 = performance.now();
  let sent = 0, acked = 0;
  await new Promise<void>((resolve) => {
    const pump = () => { while (sent < mb && sent - acked < IN_FLIGHT) { sock.write(chunk); sent++; } };
    sock.on('data', (d) => { acked += d.length; if (acked >= mb) resolve(); else pump(); });
    pump();
  });
  const dt = (performance.now() - t0) / 1000;
  const c1 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  const m1 = machineTicks();
  sock.end();
  await new Promise((r) => setTimeout(r, 200));
  for (const p of pids) { try { process.kill(p); } catch { /* gone */ } }
  return { mbs: (mb * CHUNK) / 1e6 / dt, cpu: ((c1 - c0) / 100) / ((mb * CHUNK) / 1e8), busy: ((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length };
}

if (role === 'leader') serve(process.argv.slice(3).map(Number));
else if (role === 'follower') serve([]);
else {
  const MB = Number(process.env.BENCH_MB ?? 400);
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const r1: number[] = [], r3: number[] = [], cpu1: number[] = [], cpu3: number[] = [], busy1: number[] = [], busy3: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await run(1, MB); r1.push(a.mbs); cpu1.push(a.cpu); busy1.push(a.busy);
    const b = await run(3, MB); r3.push(b.mbs); cpu3.push(b.cpu); busy3.push(b.busy);
  }
  const f = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
  console.log(`replication ceiling (no Kafka: TCP + one file write per piece, ${MB} MiB per run): RF=1 ${f(r1)} MB/s, RF=3 ${f(r3)} MB/s → ratio ${(Math.max(...r3) / Math.max(...r1)).toFixed(2)}× best of ${RUNS} (pair by pair ${r3.map((x, i) => (x / r1[i]).toFixed(2)).join(' / ')})`);
  console.log(`  servers' CPU s per 100 MB: RF=1 ${f(cpu1)}, RF=3 ${f(cpu3)}; cores busy (whole machine, of ${os.cpus().length}): RF=1 ${f(busy1)}, RF=3 ${f(busy3)}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
