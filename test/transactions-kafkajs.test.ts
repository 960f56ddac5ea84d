// kafkajs transactions, and a broker kill -9 in the middle of a transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat, python } from './helpers/clients.ts';
import { spawnCli } from './helpers/process.ts';

const small = { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' };

async function readCommitted(bootstrap: string, topic: string): Promise<string[]> {
  const out = await kcat(['-b', bootstrap, '-t', topic, '-C', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%s\n']);
  return out.trim() ? out.trim().split('\n') : [];
}

test('kafkajs: transactional send, sendOffsets and abort', async (t) => {
  const b = await startBroker({ config: small });
  t.after(() => b.stop());
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'kjs-txn' }, { topic: 'kjs-src' }] });
  const producer = kafka.producer({ transactionalId: 'kjs-tx', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  t.after(() => producer.disconnect());
  const ok = await producer.transaction();
  await ok.send({ topic: 'kjs-txn', messages: [{ value: 'one' }, { value: 'two' }] });
  await ok.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'kjs-src', partitions: [{ partition: 0, offset: '42' }] }] });
  await ok.commit();
  const bad = await producer.transaction();
  await bad.send({ topic: 'kjs-txn', messages: [{ value: 'never' }] });
  await bad.abort();
  assert.deepEqual(await readCommitted(b.bootstrap, 'kjs-txn'), ['one', 'two']);
  const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['kjs-src'] });
  assert.equal(offsets[0].partitions[0].offset, '42');
  const txns = b.broker.transactions!.list();
  assert.equal(txns.find((x) => x.transactionalId === 'kjs-tx')!.state, 'CompleteAbort');
});

test('broker kill -9 mid-transaction: restart keeps the transaction open, then aborts it on timeout', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'transaction.state.log.num.partitions=3', '--set', 'offsets.topic.num.partitions=3'];
  let cli = await spawnCli(args);
  let bs = `127.0.0.1:${cli.ports.kafka}`;
  await kcat(['-b', bs, '-t', 'crash-txn', '-P'], 'before\n');
  const script = path.join(import.meta.dirname, 'py/txn_client.py');
  const r = await python([script, bs, 'hang', 'crash-txn']);
  assert.equal(r.status, 0, r.stderr);
  cli.child.kill('SIGKILL');
  await cli.exited;
  cli = await spawnCli(args);
  t.after(() => cli.child.kill('SIGKILL'));
  bs = `127.0.0.1:${cli.ports.kafka}`;
  // The orphan's transaction (timeout 2 s) is aborted by the restarted coordinator; later writes become visible.
  await kcat(['-b', bs, '-t', 'crash-txn', '-P'], 'after\n');
  const deadline = Date.now() + 15000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await readCommitted(bs, 'crash-txn');
    if (seen.includes('after')) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  assert.deepEqual(seen, ['before', 'after']);
  const all = (await kcat(['-b', bs, '-t', 'crash-txn', '-C', '-e', '-q', '-X', 'isolation.level=read_uncommitted', '-f', '%s\n'])).trim().split('\n');
  assert.ok(all.includes('orphan'), 'read_uncommitted still sees the aborted record');
});
