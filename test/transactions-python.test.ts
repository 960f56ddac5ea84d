// Exactly-once with python confluent-kafka: idempotence, commit/abort visibility,
// fencing, and an abandoned transaction aborted by its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startBroker } from './helpers/broker.ts';
import { python } from './helpers/clients.ts';

const SCRIPT = path.join(import.meta.dirname, 'py/txn_client.py');

async function py(bootstrap: string, scenario: string, ...args: string[]): Promise<any> {
  const r = await python([SCRIPT, bootstrap, scenario, ...args]);
  if (r.status !== 0) throw new Error(`python ${scenario} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
}

const small = { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' };

test('idempotent producer: 5000 records, no duplicates, in order', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'idempotent');
  assert.equal(out.count, 5000);
  assert.equal(out.in_order, true);
});

test('transactions: committed visible, aborted invisible to read_committed', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'commit-abort');
  const expected = [...Array.from({ length: 10 }, (_, i) => `c1-${i}`), ...Array.from({ length: 5 }, (_, i) => `c2-${i}`)];
  assert.deepEqual(out.committed, expected);
  assert.equal(out.uncommitted.length, 25);
  assert.ok(out.uncommitted.includes('a-3'));
});

test('transactions: a new producer with the same transactional.id fences the zombie', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'fence');
  assert.notEqual(out.zombie_commit, 'succeeded');
  assert.deepEqual(out.committed, ['fresh']);
});

test('transactions: a producer killed mid-transaction is aborted after its timeout', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  await py(b.bootstrap, 'hang', 'txn-hang');
  const part = b.broker.replicas.get('txn-hang', 0)!;
  assert.equal(part.lastStableOffset(), 0n, 'open transaction holds the LSO');
  const out = await py(b.bootstrap, 'after-hang', 'txn-hang');
  assert.deepEqual(out.committed, ['later'], 'orphaned records aborted, later ones visible');
});

test('transactions: a live producer whose transaction timed out is fenced on its next write', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'timeout-zombie', 'txn-zombie');
  assert.equal(out.uncommitted.includes('zombie'), false, `the zombie's write was appended: ${JSON.stringify(out)}`);
  assert.ok(out.zombie_errors.length > 0, 'the zombie was told');
  assert.deepEqual(out.committed, ['later'], 'the LSO is not held by a transaction nobody ends');
});

test('transactions: consume-transform-produce commits output and input offsets atomically', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'ctp');
  assert.deepEqual(out.output, Array.from({ length: 100 }, (_, i) => `x${i}`), 'each input once in the output, aborted round invisible');
  assert.equal(out.committed, 100);
});
