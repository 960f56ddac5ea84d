// How long a transaction's commit takes on three `tributary broker` processes (librdkafka,
// python confluent-kafka, bench/py_txn_commit.py): commit_transaction timed alone after the
// transaction's one record is delivered, as librdkafka's test 0055 times it, and the whole
// begin..commit cycle (the next AddPartitionsToTxn meets the previous transaction's markers).
// Topics of RF=1 (0055's) and RF=3; __transaction_state has RF=3. BENCH_COUNT commits each.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from '../test/helpers/cluster.ts';
import { ROOT } from '../test/helpers/process.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 300);

function py(args: string[]): any {
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main() {
  const c = new TestCluster(await createClusterDb(), ['--set', 'transaction.state.log.num.partitions=3']);
  try {
    await Promise.all([1, 2, 3].map((n) => c.start(n)));
    await waitFor('three brokers', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
    const created = py(['-c', `
import json
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '${c.bootstrap()}'})
for f in a.create_topics([NewTopic('commit-rf1', 1, 1), NewTopic('commit-rf3', 1, 3)]).values():
    f.result()
print(json.dumps({'ok': True}))`]);
    if (!created.ok) throw new Error('topics not created');
    for (const topic of ['commit-rf1', 'commit-rf3']) {
      const before = os.loadavg().map((x) => x.toFixed(1)).join(' ');
      const r = py([path.join(ROOT, 'bench/py_txn_commit.py'), c.bootstrap(), topic, String(COUNT)]);
      const f = (x: { p50: number; p90: number; p99: number; max: number }) => `p50 ${x.p50} ms, p90 ${x.p90}, p99 ${x.p99}, max ${x.max}`;
      console.log(`${topic}: ${COUNT} transactions of one record; commit_transaction ${f(r.commit_ms)}; begin..commit ${f(r.cycle_ms)} (load average ${before})`);
    }
  } finally {
    await c.close();
  }
}

await main();
