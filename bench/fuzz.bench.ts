// The long run of the structured protocol fuzzer (test/helpers/protocol-fuzz.ts):
// FUZZ_FRAMES (default 100,000) requests built from the codec's declarations and mutated,
// over FUZZ_CONNECTIONS (default 4) connections at a time, against a broker in its own
// process; then random bytes and TLS-record garbage on a TLS listener. Prints frames/s,
// how requests ended, malformed answers (must be 0) and the broker's RSS before, at
// peak and after. Exit code 1 if the broker died or answered a malformed response.
// Replay with FUZZ_SEED.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../test/helpers/process.ts';
import { tempDir } from '../test/helpers/broker.ts';
import { makeCa, makeCert } from '../test/helpers/certs.ts';
import { everyApiAndVersion, fuzzConnection, makeCase, newStats, prng, rssOf } from '../test/helpers/protocol-fuzz.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
const CONNS = Number(process.env.FUZZ_CONNECTIONS ?? 4);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

async function main() {
  const dir = tempDir('tributary-fuzz-bench-');
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  process.env.LOG_LEVEL = 'error';
  const cli = await spawnCli(['broker', '--data-dir', path.join(dir, 'data'), '--set', 'listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', '--set', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL', '--set', `ssl.keystore.location=${server.pem}`], ['kafka'], 60_000);
  const pid = cli.child.pid!;
  const listening = () => [...cli.output().matchAll(/kafka (?:listener \S+ \(\S+\) )?listening on [^\s:]+:(\d+)/g)].map((m) => Number(m[1]));
  for (let i = 0; i < 600 && listening().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const ports = listening();
  const [port, tlsPort] = ports;
  let died = false;
  cli.child.on('exit', (c, s) => { died = true; console.log(`BROKER EXITED code=${c} signal=${s}`); });
  let peak = 0;
  const sampler = setInterval(() => { void rssOf(pid).then((r) => { peak = Math.max(peak, r); }).catch(() => undefined); }, 250);
  try {
    console.log(`seed ${SEED}, ${FRAMES} frames over ${CONNS} connections, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    await fuzzConnection('127.0.0.1', port, everyApiAndVersion(prng(SEED)), newStats(), { window: 8 });
    const baseline = await rssOf(pid);
    const rnd = prng(SEED + 1);
    const stats = newStats();
    const t0 = performance.now();
    const chunk = 5000;
    // RSS after each quarter of the run: a leak keeps growing, a warm heap levels off
    const quarters: string[] = [];
    for (let done = 0; done < FRAMES && !died; done += chunk) {
      const cases = Array.from({ length: Math.min(chunk, FRAMES - done) }, () => makeCase(rnd));
      await Promise.all(Array.from({ length: CONNS }, (_, k) => fuzzConnection('127.0.0.1', port, cases.filter((_, i) => i % CONNS === k), stats)));
      if (Math.floor((done + chunk) * 4 / FRAMES) > Math.floor(done * 4 / FRAMES)) quarters.push(((await rssOf(pid).catch(() => 0)) / 2 ** 20).toFixed(0));
    }
    const secs = (performance.now() - t0) / 1000;
    // TLS garbage: random bytes, and TLS record headers with random bodies, on the TLS listener
    let tlsCases = 0;
    const g = prng(SEED + 2);
    for (let i = 0; i < 400 && !died; i += 20) {
      await Promise.all(Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
        const n = 1 + Math.floor(g() * 600);
        const body = crypto.randomBytes(n);
        const data = g() < 0.5 ? body : Buffer.concat([Buffer.from([0x16, 0x03, 0x01, (n >> 8) & 0xff, n & 0xff]), body]);
        const s = net.connect(tlsPort, '127.0.0.1', () => { s.write(data); setTimeout(() => s.destroy(), 200); });
        s.on('error', () => undefined); s.on('close', () => resolve());
        tlsCases++;
      })));
    }
    // after: the fuzz connections are closed; give GC a few seconds
    let after = await rssOf(pid).catch(() => 0);
    for (let i = 0; i < 20 && after > baseline + 64 * 2 ** 20 && !died; i++) { await new Promise((r) => setTimeout(r, 1000)); after = await rssOf(pid).catch(() => 0); }
    const probe = newStats();
    if (!died) await fuzzConnection('127.0.0.1', port, everyApiAndVersion(prng(SEED)).slice(0, 20), probe, { window: 4 });
    const mb = (b: number) => (b / 2 ** 20).toFixed(0);
    console.log(JSON.stringify({
      frames: stats.sent, seconds: Number(secs.toFixed(1)), frames_per_s: Math.round(stats.sent / secs),
      answered: stats.answered, closed_by_broker: stats.closed, unanswered: stats.unanswered, malformed: stats.malformed.length,
      apis: stats.apis.size, by_mutation: stats.byMutation, tls_garbage_connections: tlsCases,
      rss_mb: { baseline: mb(baseline), by_quarter: quarters, peak: mb(peak), after: mb(after) }, broker_alive: !died, probe_answered_after: probe.answered,
    }, null, 1));
    for (const m of stats.malformed.slice(0, 20)) console.log(`malformed: ${m}`);
    if (died) console.log(`last requests before the broker died:\n${stats.recent.join('\n')}`);
    if (died || stats.malformed.length || probe.answered !== 20) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    if (!died) { cli.child.kill('SIGTERM'); await cli.exited; }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
