// Idempotent and transactional (100 records per transaction) producers against
// plain acks=all, and synchronous offset-commit throughput, with librdkafka.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, spawnCli } from '../test/helpers/process.ts';
import { tempDir } from '../test/helpers/broker.ts';
import { python } from '../test/helpers/clients.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200_000);
const dir = tempDir('tributary-bench-');
const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'offsets.topic.num.partitions=3', '--set', 'transaction.state.log.num.partitions=3']);
try {
  const r = await python([path.join(ROOT, 'bench/py_txn_load.py'), `127.0.0.1:${cli.ports.kafka}`, String(COUNT)], 600_000);
  if (r.status !== 0) throw new Error(r.stderr);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const f = (x: { msgs_s: number; mb_s: number }) => `${x.mb_s.toFixed(1)} MB/s (${x.msgs_s.toFixed(0)} msgs/s)`;
  console.log(`producer, ${COUNT} x 1 KiB, acks=all, 1 partition (librdkafka):`);
  console.log(`  plain acks=all        ${f(res.plain)}`);
  console.log(`  idempotent            ${f(res.idempotent)}  ratio ${(res.idempotent.msgs_s / res.plain.msgs_s).toFixed(2)}`);
  console.log(`  transactions of 100   ${f(res.txn100)}  ratio ${(res.txn100.msgs_s / res.plain.msgs_s).toFixed(2)}`);
  console.log(`offset commits (synchronous, one consumer): ${res.commits_s.toFixed(0)} commits/s`);
} finally {
  cli.child.kill('SIGTERM');
  await cli.exited;
  fs.rmSync(dir, { recursive: true, force: true });
}
