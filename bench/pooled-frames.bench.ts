// Stress check of the pooled, shared Produce frames (socket-server requestFrames, the tail
// cache's shares, fetch replies served from them) and of the follower's pooled fetch
// responses (broker-connection responseFrames): a use-after-release shows only under
// concurrency, as records that are corrupt, mismatched or out of place. Three brokers;
// librdkafka producers (python confluent-kafka, acks=all, idempotent, lz4 and none) write
// self-checking records of 0.1-200 KB (Produce requests well over the 64 KiB pooling
// threshold) round-robin over the partitions while librdkafka consumers read the same
// partitions at the tail: two checkers from the beginning, one from the end
// (bench/py_pooled_check.py: every byte recomputed from the record's header, offsets
// contiguous, per-partition sequences gap-free) and kcat with check.crcs. One follower is
// killed (-9) a third into the load and started again at half, so it catches up through
// the pooled fetch responses while the load goes on. At the end every replica's log bytes
// must be identical. Small segments and a small tail cache make rolls and evictions
// happen while fetch replies still hold shares.
// BENCH_SECONDS (load duration, default 60), BENCH_SET (extra broker settings, comma-separated).
// Exits non-zero on any mismatch. Not in npm test: it takes minutes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from '../test/helpers/cluster.ts';
import { ROOT } from '../test/helpers/process.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const EXTRA = (process.env.BENCH_SET ?? '').split(',').filter(Boolean).flatMap((s) => ['--set', s]);
const TOPIC = 'pooled';
const PARTITIONS = 6;
const PY = '/usr/bin/python3';
const py = (f: string) => path.join(ROOT, 'bench', f);

function exited(c: ChildProcess): Promise<number | null> {
  return c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code)));
}

/** CPU seconds of each broker process so far (utime + stime). */
function brokerCpu(c: TestCluster): number {
  let s = 0;
  for (const b of c.brokers.values()) {
    try { const f = fs.readFileSync(`/proc/${b.cli.child.pid}/stat`, 'utf8').split(') ')[1].split(' '); s += (Number(f[11]) + Number(f[12])) / 100; } catch { /* gone */ }
  }
  return s;
}

/** sha256 of a partition's segments concatenated in offset order, per broker. */
function replicaHashes(c: TestCluster, roots: Map<number, string>, p: number): string[] {
  return [...roots].map(([, dir]) => {
    const d = path.join(dir, `${TOPIC}-${p}`);
    const h = crypto.createHash('sha256');
    let n = 0;
    for (const f of fs.readdirSync(d).filter((x) => x.endsWith('.log')).sort()) { const b = fs.readFileSync(path.join(d, f)); h.update(b); n += b.length; }
    return `${h.digest('hex').slice(0, 12)}/${n}`;
  });
}

async function main() {
  const flags = ['--set', 'broker.session.timeout.ms=6000', '--set', 'message.max.bytes=2000000',
    '--set', 'log.segment.bytes=8388608', '--set', 'log.tail.cache.bytes=16777216', ...EXTRA];
  const c = new TestCluster(await createClusterDb(), flags);
  const work = fs.mkdtempSync(path.join(c.root, 'work-'));
  const children: ChildProcess[] = [];
  const problems: string[] = [];
  try {
    await Promise.all([1, 2, 3].map((n) => c.start(n)));
    await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3, 60000);
    const roots = new Map([...c.brokers].map(([id, b]) => [id, b.dataDir]));
    const bs = c.bootstrap();
    const made = spawnSync(PY, [path.join(ROOT, 'test/py/cluster_admin.py'), bs, 'create', TOPIC, String(PARTITIONS), '3'], { encoding: 'utf8', timeout: 60000 });
    if (made.status !== 0) throw new Error(`create ${TOPIC}: ${made.stdout} ${made.stderr}`);
    await waitFor('leaders', async () => (await kcatMetadata(bs, TOPIC)).topics[0]?.partitions.every((p) => p.leader > 0 && p.isrs.length === 3), 30000);

    const stop = path.join(work, 'stop');
    const checkers = ['beginning', 'beginning', 'end'].map((start, i) => {
      const out = path.join(work, `check${i}.json`);
      const ch = spawn(PY, [py('py_pooled_check.py'), bs, TOPIC, String(PARTITIONS), start, stop, out, '20'], { stdio: ['ignore', 'ignore', 'ignore'] });
      children.push(ch);
      return { start, out, ch };
    });
    const kcat = spawn('kcat', ['-C', '-b', bs, '-t', TOPIC, '-o', 'beginning', '-X', 'check.crcs=true', '-u', '-f', '%p %o\n'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(kcat);
    let kcatErr = '';
    kcat.stderr!.on('data', (d) => { kcatErr += d; });
    await new Promise((r) => setTimeout(r, 3000));

    const cpu0 = brokerCpu(c);
    const t0 = Date.now();
    const producers = [['lz4', '200', '200000'], ['none', '100', '120000']].map(([z, lo, hi]) => {
      const out = path.join(work, `prod-${z}.json`);
      const tag = `${z.slice(0, 3)}${crypto.randomBytes(3).toString('hex')}`.slice(0, 8);
      const ch = spawn(PY, [py('py_pooled_produce.py'), bs, TOPIC, String(PARTITIONS), tag, z, String(SECONDS), lo, hi, out], { stdio: ['ignore', 'ignore', 'ignore'] });
      children.push(ch);
      return { z, out, ch };
    });
    // A follower of some partitions (and leader of others) goes away and comes back under load.
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    await c.kill(2);
    console.log(`broker 2 killed at ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 6));
    await c.start(2);
    console.log(`broker 2 up again at ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    for (const p of producers) await exited(p.ch);
    const wall = (Date.now() - t0) / 1000;
    const cpu = brokerCpu(c) - cpu0; // broker 2's first life is not counted
    fs.writeFileSync(stop, '');
    for (const ch of checkers) await exited(ch.ch);
    kcat.kill();

    const produced = new Map<string, number>();
    let records = 0;
    for (const p of producers) {
      const r = JSON.parse(fs.readFileSync(p.out, 'utf8'));
      if (r.failedCount || r.unflushed) problems.push(`producer ${p.z}: ${r.failedCount} failed, ${r.unflushed} unflushed: ${r.failed.join('; ')}`);
      r.produced.forEach((n: number, part: number) => { produced.set(`${r.tag}/${part}`, n); records += n; });
    }
    for (const ch of checkers) {
      const r = JSON.parse(fs.readFileSync(ch.out, 'utf8'));
      console.log(`checker from ${ch.start}: ${r.ok} records verified, ${r.bad} bad, ${r.gaps} gaps, ${r.errors} errors`);
      if (r.bad || r.gaps || r.errors) problems.push(`checker from ${ch.start}: ${r.problems.slice(0, 5).join('; ')}`);
      for (const [k, n] of produced) {
        if (r.lastSeq[k] !== n - 1) problems.push(`checker from ${ch.start}: ${k} ends at sequence ${r.lastSeq[k]}, ${n} produced`);
        if (ch.start === 'beginning' && r.firstSeq[k] !== 0) problems.push(`checker from beginning: ${k} starts at sequence ${r.firstSeq[k]}`);
      }
    }
    const crc = kcatErr.split('\n').filter((l) => /crc|corrupt|bad message/i.test(l));
    if (crc.length) problems.push(`kcat: ${crc.slice(0, 3).join('; ')}`);

    // Every replica's log: the same bytes, once the restarted follower caught up.
    let last: string[][] = [];
    try {
      await waitFor('identical replicas', async () => {
        last = Array.from({ length: PARTITIONS }, (_, p) => replicaHashes(c, roots, p));
        return last.every((h) => h.every((x) => x === h[0]));
      }, 120000, 2000);
    } catch {
      problems.push(`replicas differ: ${last.map((h, p) => `p${p} ${h.join(' ')}`).join('; ')}`);
    }
    const mb = last.reduce((n, h) => n + Number(h[0].split('/')[1]), 0) / 1e6;
    console.log(`${records} records, ${mb.toFixed(0)} MB per replica in ${wall.toFixed(0)} s; brokers' CPU ${(cpu / (mb / 100)).toFixed(2)} s per 100 MB (all three); replicas ${problems.some((p) => p.startsWith('replicas')) ? 'DIFFER' : 'identical'}`);
  } finally {
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await c.close();
  }
  if (problems.length) {
    console.log(`FAILED:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('every record verified');
}

await main();
