// Time and size retention delete whole closed segments and advance the log start;
// consumers from offset 0 then start at the new log start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `r${from + i}-${'z'.repeat(200)}`).join('\n') + '\n';

test('retention.bytes keeps the partition under its size by dropping the oldest segments', async (t) => {
  const b = await startBroker({ config: { 'log.retention.check.interval.ms': '100000' } });
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-t', 'bysize', '-P', '-X', 'batch.num.messages=10'], lines(0, 1000));
  const admin = b.broker.topics;
  admin.setConfigs('bysize', { 'segment.bytes': '20000', 'retention.bytes': '60000' });
  await kcat(['-b', b.bootstrap, '-t', 'bysize', '-P', '-X', 'batch.num.messages=10'], lines(1000, 1000));
  const log = b.broker.replicas.get('bysize', 0)!.log;
  const before = log.size;
  const n = b.broker.retention!.runOnce();
  assert.ok(n > 0, 'segments deleted');
  assert.ok(log.size < before);
  assert.ok(log.size - log.active.size <= 60000 + 20000, `closed data ${log.size} within retention.bytes + one segment`);
  assert.ok(log.logStartOffset > 0n);
  const first = (await kcat(['-b', b.bootstrap, '-t', 'bysize', '-C', '-e', '-q', '-o', 'beginning', '-f', '%o\n'])).trim().split('\n')[0];
  assert.equal(BigInt(first), log.logStartOffset);
});

test('retention.ms deletes segments whose newest record is older than the limit; compact topics are left alone', async (t) => {
  const b = await startBroker({ config: { 'log.segment.bytes': '4096', 'log.retention.check.interval.ms': '100000' } });
  t.after(() => b.stop());
  for (const topic of ['bytime', 'compacted']) await kcat(['-b', b.bootstrap, '-t', topic, '-P', '-X', 'batch.num.messages=5'], lines(0, 200));
  b.broker.topics.setConfigs('bytime', { 'retention.ms': '60000' });
  b.broker.topics.setConfigs('compacted', { 'retention.ms': '60000', 'cleanup.policy': 'compact' });
  const logT = b.broker.replicas.get('bytime', 0)!.log;
  const logC = b.broker.replicas.get('compacted', 0)!.log;
  const segsC = logC.segments.length;
  assert.equal(b.broker.retention!.runOnce(Date.now()), 0, 'nothing is old yet');
  const removed = b.broker.retention!.runOnce(Date.now() + 120_000);
  assert.ok(removed > 0);
  assert.equal(logT.segments.length, 1, 'only the active segment is left');
  assert.equal(logT.logStartOffset, logT.active.baseOffset);
  assert.equal(logC.segments.length, segsC, 'cleanup.policy=compact is not deleted by time');
});

test('compaction through the broker: a consumer from offset 0 sees the latest value per key', async (t) => {
  const b = await startBroker({ config: { 'log.cleaner.backoff.ms': '100000' } });
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-t', 'table', '-P'], 'seed:x\n');
  b.broker.topics.setConfigs('table', { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01' });
  const input = Array.from({ length: 600 }, (_, i) => `user${i % 20}:v${i}`).join('\n') + '\n';
  await kcat(['-b', b.bootstrap, '-t', 'table', '-P', '-K:', '-z', 'lz4', '-X', 'batch.num.messages=20'], input);
  const stats = b.broker.cleaner!.runOnce();
  assert.ok(stats.length === 1 && stats[0].recordsRemoved > 400, JSON.stringify(stats));
  const out = (await kcat(['-b', b.bootstrap, '-t', 'table', '-C', '-e', '-q', '-o', 'beginning', '-f', '%k=%s@%o\n'])).trim().split('\n');
  const latest = new Map<string, string>();
  for (const l of out) { const [kv] = l.split('@'); const [k, v] = kv.split('='); latest.set(k, v); }
  for (let u = 0; u < 20; u++) assert.equal(latest.get(`user${u}`), `v${580 + u}`);
  const offsets = out.map((l) => Number(l.split('@')[1]));
  assert.deepEqual(offsets, [...offsets].sort((a, c) => a - c), 'offsets increase, never renumbered');
  assert.ok(out.length < 200, `compacted to ${out.length} records`);
});
