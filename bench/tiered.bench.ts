// Tiered storage: upload throughput to S3 and consume throughput from tiered
// segments (cold, through ranged GETs) vs the same data on local disk.
// S3 is s3rver in this process (a real S3-protocol server on loopback, storing on
// local disk), the broker a CLI child process, the consumer librdkafka (python
// confluent-kafka). 1 KiB records, 8 MiB segments, one partition.
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT, spawnCli, type RunningCli } from '../test/helpers/process.ts';
import { tempDir } from '../test/helpers/broker.ts';
import { run } from '../test/helpers/clients.ts';
import { startTestS3 } from '../test/helpers/s3-server.ts';
import { RemoteLogManifest } from '../server/tiered/remote-log-manifest.ts';

const MB = Number(process.env.BENCH_MB ?? 200);
const SIZE = 1024;
const COUNT = Math.floor((MB * 1e6) / SIZE);
const DRIVER = path.join(ROOT, 'bench/py_kafka_load.py');

async function py(args: string[]): Promise<any> {
  const r = await run('/usr/bin/python3', [DRIVER, ...args], { timeoutMs: 600_000 });
  if (r.status !== 0) throw new Error(`driver ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const s3 = await startTestS3('bench');
const dataDir = tempDir('tributary-bench-tiered-');
const sets = Object.entries(s3.config({ 'log.segment.bytes': String(8 << 20), 'remote.log.manager.task.interval.ms': '200', 'message.max.bytes': '2000000' }))
  .flatMap(([k, v]) => ['--set', `${k}=${v}`]);
const start = () => spawnCli(['broker', '--data-dir', dataDir, '--kafka-port', '0', ...sets]);
let cli: RunningCli = await start();
const stop = async () => { cli.child.kill('SIGTERM'); await cli.exited; };
try {
  let bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'local' }, { topic: 'cold', configEntries: [{ name: 'remote.storage.enable', value: 'false' }] }] });
  for (const topic of ['local', 'cold']) await py(['produce', bootstrap, topic, String(COUNT), String(SIZE), '1']);
  const dir = path.join(dataDir, 'cold-0');
  const closed = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length - 1;

  // Upload: switch tiering on for a topic that already holds the data, time until all closed segments are in S3.
  const t0 = performance.now();
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'cold', configEntries: [{ name: 'remote.storage.enable', value: 'true' }, { name: 'local.retention.bytes', value: '0' }] }] });
  await admin.disconnect();
  let m = RemoteLogManifest.load(dir);
  while (m.segments.length < closed) { await new Promise((r) => setTimeout(r, 20)); m = RemoteLogManifest.load(dir); }
  const upSeconds = (performance.now() - t0) / 1000;
  const upBytes = m.totalBytes;
  while (fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length > 1) await new Promise((r) => setTimeout(r, 20));

  // Reads: restart the broker so its remote-range cache is empty.
  await stop();
  cli = await start();
  bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  await py(['consume', bootstrap, 'local', String(COUNT)]); // warm-up: a fresh process is slow at first
  const local = await py(['consume', bootstrap, 'local', String(COUNT)]);
  const cold = await py(['consume', bootstrap, 'cold', String(COUNT)]);
  const again = await py(['consume', bootstrap, 'cold', String(COUNT)]);

  console.log(`tiered storage, ${(upBytes / 1e6).toFixed(0)} MB in ${closed} segments of 8 MiB, s3rver on loopback:`);
  console.log(`  upload to S3:                    ${(upBytes / 1e6 / upSeconds).toFixed(0)} MB/s (${upSeconds.toFixed(1)} s)`);
  console.log(`  consume from local segments:     ${local.mb_s.toFixed(0)} MB/s (${local.msgs} records)`);
  console.log(`  consume from S3, cold cache:     ${cold.mb_s.toFixed(0)} MB/s (${cold.msgs} records)`);
  console.log(`  consume from S3, second pass:    ${again.mb_s.toFixed(0)} MB/s (64 MiB cache, so mostly cold again)`);
  if (cold.msgs !== COUNT || local.msgs !== COUNT) throw new Error(`consumed ${cold.msgs}/${local.msgs} of ${COUNT}`);
} finally {
  await stop();
  await s3.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
