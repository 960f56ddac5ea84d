// Stream processing: word count over BENCH_COUNT lines of 100 B (10 words each
// from a 10 000-word vocabulary) with at_least_once and exactly_once_v2, against a
// bare consume→produce loop on the same client; the restore rate of a store of
// BENCH_KEYS keys from its changelog; LMDB against the in-memory store. With BENCH_ONLY=eos|alos,
// STREAMS_PROF=FILE writes a CPU profile (.cpuprofile) of the streams run alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../test/helpers/process.ts';
import { tempDir } from '../test/helpers/broker.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced, Grouped, Materialized, Stores } from '../streams/index.ts';
import type { KeyValueStore } from '../streams/state/stores.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 1_000_000);
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const PARTITIONS = 4;
const dir = tempDir('tributary-bench-');
const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'offsets.topic.num.partitions=3', '--set', 'transaction.state.log.num.partitions=3', '--set', 'log.segment.bytes=268435456']);
const bootstrap = `127.0.0.1:${cli.ports.kafka}`;
const admin = new KafkaAdmin({ bootstrap, clientId: 'bench' });
const word = (i: number) => `word${String(i).padStart(5, '0')}`; // 9 chars + a space: 10 words = 100 B
const line = (i: number) => Array.from({ length: 10 }, (_, j) => word((i * 7919 + j * 104729) % 10000)).join(' ').padEnd(100, ' ');
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// CPU seconds used so far by this process and by the broker (utime + stime from /proc, in clock ticks of 10 ms):
// on a shared machine the wall-clock rate says as much about the neighbours as about the code
const TICK_MS = 10;
const brokerCpuMs = () => { try { const f = fs.readFileSync(`/proc/${cli.child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * TICK_MS; } catch { return NaN; } };
const appCpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
/** runs fn and reports app and broker CPU microseconds per line alongside */
async function measured<T extends object>(lines: number, fn: () => Promise<T>): Promise<T & { appUs: number; brokerUs: number }> {
  const a0 = appCpuMs(), b0 = brokerCpuMs();
  const r = await fn();
  return { ...r, appUs: Math.round(((appCpuMs() - a0) * 1000) / lines), brokerUs: Math.round(((brokerCpuMs() - b0) * 1000) / lines) };
}
const cpuText = (x: { appUs: number; brokerUs: number }) => `CPU per line: app ${x.appUs} us, broker ${x.brokerUs} us`;

async function produceInput(topic: string): Promise<void> {
  await admin.createTopics([{ topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  const p = new KafkaProducer({ bootstrap, clientId: 'load' });
  for (let i = 0; i < COUNT; i += 5000) await p.send(Array.from({ length: Math.min(5000, COUNT - i) }, (_, j) => ({ topic, key: null, value: line(i + j), partition: (i + j) % PARTITIONS })));
  await p.close();
}

/** the same client (client/ reader + producer), no framework: read every line, write it to another topic */
async function bareLoop(input: string, output: string): Promise<{ rps: number }> {
  await admin.createTopics([{ topic: output, partitions: PARTITIONS, replicationFactor: 1 }]);
  const r = new PartitionReader({ bootstrap, clientId: 'bare', maxWaitMs: 100, partitionMaxBytes: 4 << 20 });
  const p = new KafkaProducer({ bootstrap, clientId: 'bare-out' });
  await r.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: input, partition, offset: 'earliest' as const })));
  const t0 = Date.now();
  let n = 0;
  while (n < COUNT) {
    const out = [];
    for (const b of await r.poll()) for (const rec of b.records) out.push({ topic: output, partition: rec.partition, key: rec.key, value: rec.value });
    n += out.length;
    for (let i = 0; i < out.length; i += 4000) await p.send(out.slice(i, i + 4000));
  }
  const ms = Date.now() - t0;
  await r.close(); await p.close();
  return { rps: rate(n, ms) };
}

/** word count by hand on the same client: split and re-key through a topic, count in a Map, write counts; no state durability */
async function bareWordCount(input: string): Promise<{ rps: number }> {
  await admin.createTopics([{ topic: 'bare-words', partitions: PARTITIONS, replicationFactor: 1 }, { topic: 'bare-counts', partitions: PARTITIONS, replicationFactor: 1 }]);
  const lines = new PartitionReader({ bootstrap, clientId: 'bare-lines', maxWaitMs: 20, partitionMaxBytes: 4 << 20 });
  const words = new PartitionReader({ bootstrap, clientId: 'bare-words', maxWaitMs: 20, partitionMaxBytes: 4 << 20 });
  const p = new KafkaProducer({ bootstrap, clientId: 'bare-wc' });
  await lines.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: input, partition, offset: 'earliest' as const })));
  await words.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'bare-words', partition, offset: 'earliest' as const })));
  const counts = new Map<string, number>();
  const t0 = Date.now();
  let seen = 0;
  const send = async (recs: Array<{ topic: string; key: Buffer; value: Buffer }>) => { for (let i = 0; i < recs.length; i += 4000) await p.send(recs.slice(i, i + 4000)); };
  while (seen < COUNT * 10) {
    const out: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
    for (const b of await lines.poll()) for (const rec of b.records) for (const w of rec.value!.toString().split(' ')) if (w) out.push({ topic: 'bare-words', key: Buffer.from(w), value: Buffer.from(w) });
    await send(out);
    const cnt: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
    for (const b of await words.poll()) for (const rec of b.records) {
      const w = rec.key!.toString(); const n = (counts.get(w) ?? 0) + 1; counts.set(w, n); seen++;
      const v = Buffer.alloc(8); v.writeBigInt64BE(BigInt(n)); cnt.push({ topic: 'bare-counts', key: rec.key!, value: v });
    }
    await send(cnt);
  }
  const ms = Date.now() - t0;
  await lines.close(); await words.close(); await p.close();
  return { rps: rate(COUNT, ms) };
}

async function wordCount(input: string, guarantee: 'at_least_once' | 'exactly_once_v2'): Promise<{ rps: number; ms: number; moved: string }> {
  const b = new StreamsBuilder();
  const out = `wc-out-${guarantee}`;
  await admin.createTopics([{ topic: out, partitions: PARTITIONS, replicationFactor: 1 }]);
  b.stream<string, string>(input, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((l) => l.split(' ').filter(Boolean))
    .groupBy((_k, w) => w, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as('counts'))
    .toStream().to(out, Produced.with(Serdes.String(), Serdes.Long()));
  const stateDir = tempDir('bench-state-');
  const app = new KafkaStreams(b.build(), { 'application.id': `bench-${guarantee}`, 'bootstrap.servers': bootstrap, 'processing.guarantee': guarantee, 'state.dir': stateDir, 'commit.interval.ms': guarantee === 'exactly_once_v2' ? 100 : 1000 });
  let sess: any;
  if (process.env.STREAMS_PROF) { const insp = await import('node:inspector'); sess = new insp.Session(); sess.connect(); await new Promise((r) => sess.post('Profiler.enable', () => sess.post('Profiler.start', r))); }
  const t0 = Date.now();
  await app.start();
  // done when the input subtopology processed every line and the counting subtopology every word
  while (app.processed < COUNT * 11) await sleep(50);
  const ms = Date.now() - t0;
  if (sess) await new Promise((r) => sess.post('Profiler.stop', (_e: unknown, res: any) => { fs.writeFileSync(process.env.STREAMS_PROF!, JSON.stringify(res.profile)); r(undefined); }));
  await app.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
  // what the record cache saves: offsets written per line to each topic (under EOS a commit marker per partition and transaction too)
  const offs = await admin.topicOffsets([`bench-${guarantee}-counts-repartition`, `bench-${guarantee}-counts-changelog`, out]);
  const per = (t: string) => (offs.filter((o) => o.topic === t).reduce((n, o) => n + o.latest - o.earliest, 0) / COUNT).toFixed(2);
  return { rps: rate(COUNT, ms), ms, moved: `offsets per line: repartition ${per(`bench-${guarantee}-counts-repartition`)}, changelog ${per(`bench-${guarantee}-counts-changelog`)}, output ${per(out)}` };
}

async function restoreRate(): Promise<{ keysPerSec: number; ms: number; keysPerCpuSec: number }> {
  const app = 'bench-restore';
  await admin.createTopics([{ topic: 'restore-in', partitions: PARTITIONS, replicationFactor: 1 }, { topic: `${app}-counts-changelog`, partitions: PARTITIONS, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
  const p = new KafkaProducer({ bootstrap, clientId: 'changelog-load' });
  const v = Buffer.alloc(8); v.writeBigInt64BE(1n);
  for (let i = 0; i < KEYS; i += 10000) await p.send(Array.from({ length: Math.min(10000, KEYS - i) }, (_, j) => ({ topic: `${app}-counts-changelog`, partition: (i + j) % PARTITIONS, key: `key-${i + j}`, value: v })));
  await p.close();
  const b = new StreamsBuilder();
  b.stream('restore-in', Consumed.with(Serdes.String(), Serdes.String())).groupByKey().count(Materialized.as('counts'));
  const stateDir = tempDir('bench-restore-');
  const s = new KafkaStreams(b.build(), { 'application.id': app, 'bootstrap.servers': bootstrap, 'state.dir': stateDir });
  let restored = 0, first = 0, last = 0;
  let cpu0 = process.cpuUsage(), cpu = 0;
  // CPU time too: on a machine shared with other work the wall-clock rate says more about the neighbours
  s.setGlobalStateRestoreListener({ onRestoreStart: () => { if (!first) { first = Date.now(); cpu0 = process.cpuUsage(); } }, onRestoreEnd: (_tp, _s, n) => { restored += n; last = Date.now(); const c = process.cpuUsage(cpu0); cpu = (c.user + c.system) / 1000; } });
  await s.start();
  while (restored < KEYS) await sleep(20);
  // the restore listener fires before the restored tasks start running
  let entries = 0;
  for (let i = 0; i < 500 && entries < KEYS; i++) { await sleep(20); if (s.state() === 'RUNNING') entries = s.store('counts').approximateNumEntries(); }
  await s.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
  if (entries < KEYS) throw new Error(`restored ${entries} of ${KEYS} keys`);
  return { keysPerSec: rate(KEYS, last - first), ms: last - first, keysPerCpuSec: rate(KEYS, cpu) };
}

function storeMicro(): string {
  const n = 200_000;
  const out: string[] = [];
  for (const persistent of [false, true]) {
    const d = tempDir('bench-store-');
    const sup = persistent ? Stores.persistentKeyValueStore('m') : Stores.inMemoryKeyValueStore('m');
    const s = Stores.keyValueStoreBuilder(sup, Serdes.String(), Serdes.Long()).build({ stateDir: d, timestamp: () => 0, defaultKeySerde: Serdes.String(), defaultValueSerde: Serdes.String() }) as KeyValueStore<string, number>;
    let t0 = Date.now();
    for (let i = 0; i < n; i++) s.put(`key-${i}`, i);
    s.flush();
    const put = rate(n, Date.now() - t0);
    t0 = Date.now();
    for (let i = 0; i < n; i++) s.get(`key-${(i * 7919) % n}`);
    const get = rate(n, Date.now() - t0);
    s.close();
    fs.rmSync(d, { recursive: true, force: true });
    out.push(`  ${persistent ? 'LMDB     ' : 'in-memory'}  put+flush ${put} ops/s, random get ${get} ops/s`);
  }
  return out.join('\n');
}

// a stopped benchmark must not leave its broker behind
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { cli.child.kill('SIGKILL'); process.exit(1); });
try {
  // BENCH_ONLY=restore|eos|alos|bare runs one measurement (for profiling with node --cpu-prof)
  const only = process.env.BENCH_ONLY;
  if (only === 'bare') {
    await produceInput('lines');
    const x = await measured(COUNT, () => bareLoop('lines', 'bare-out'));
    const y = await measured(COUNT, () => bareWordCount('lines'));
    console.log(`  bare loop: ${x.rps} lines/s (${cpuText(x)}); bare word count: ${y.rps} lines/s (${cpuText(y)})`);
  }
  if (only === 'eos' || only === 'alos') {
    await produceInput('lines');
    const x = await measured(COUNT, () => wordCount('lines', only === 'eos' ? 'exactly_once_v2' : 'at_least_once'));
    console.log(`  KafkaStreams ${only}: ${x.rps} lines/s (${x.ms} ms; ${cpuText(x)}; ${x.moved})`);
  } else if (!only) {
    console.log(storeMicro());
    await produceInput('lines');
    const bare = await measured(COUNT, () => bareLoop('lines', 'bare-out'));
    const bareWc = await measured(COUNT, () => bareWordCount('lines'));
    console.log(`word count, ${COUNT} lines x 100 B (10 words each), ${PARTITIONS} partitions, one instance (load average ${os.loadavg()[0].toFixed(1)}):`);
    console.log(`  bare consume->produce loop (client/, 1 record out per line)   ${bare.rps} lines/s  (${cpuText(bare)})`);
    console.log(`  bare word count by hand (client/, Map, no changelog)           ${bareWc.rps} lines/s  (${(bareWc.rps / bare.rps).toFixed(2)}x bare loop; ${cpuText(bareWc)})`);
    const alos = await measured(COUNT, () => wordCount('lines', 'at_least_once'));
    console.log(`  KafkaStreams at_least_once (10 words -> repartition, changelog, output)   ${alos.rps} lines/s  (${(alos.rps / bare.rps).toFixed(2)}x bare loop, ${(alos.rps / bareWc.rps).toFixed(2)}x bare word count; ${cpuText(alos)}; ${alos.moved})`);
    const eos = await measured(COUNT, () => wordCount('lines', 'exactly_once_v2'));
    console.log(`  KafkaStreams exactly_once_v2                                   ${eos.rps} lines/s  (${(eos.rps / bare.rps).toFixed(2)}x bare loop, ${(eos.rps / bareWc.rps).toFixed(2)}x bare word count; ${cpuText(eos)}; ${eos.moved})`);
    console.log(`  (load average ${os.loadavg()[0].toFixed(1)} at the end)`);
  }
  if (!only || only === 'restore') {
  const r = await restoreRate();
  console.log(`restore of a ${KEYS}-key LMDB store from its changelog: ${r.keysPerSec} keys/s (${r.ms} ms; ${r.keysPerCpuSec} keys per CPU-second of the restoring process)`);
  }
} finally {
  await admin.close();
  cli.child.kill('SIGTERM');
  await cli.exited;
  fs.rmSync(dir, { recursive: true, force: true });
}
