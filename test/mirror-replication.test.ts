// MirrorMaker 2 between two real Tributary brokers: records copied byte for byte
// (every codec, keys, headers, timestamps, partitions), topics created later and config
// changes reach the target, a consumer group fails over with translated offsets, and a
// group active on the target keeps its own offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODECS, KafkaAdmin } from '../client/index.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { startMirror } from '../app/commands/mirror.ts';
import { CheckpointFormat, HeartbeatFormat, OffsetSyncFormat } from '../connectors/builtin/mirror/records.ts';
import { FAST, readTopic, waitFor, countTopic, listTopics } from './mirror-helpers.ts';
import { tempDir } from './helpers/broker.ts';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import pino from 'pino';

test('A->B: every codec byte for byte, new topics and config changes follow, a group fails over at the translated offset', async (t) => {
  // closed last-opened first: the mirror before the brokers it talks to
  const cleanup: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const c of cleanup.reverse()) await c().catch(() => undefined); });
  const [a, b] = await Promise.all([startBroker(), startBroker()]);
  cleanup.push(() => Promise.all([a.stop(), b.stop()]));
  const adminA = new ClusterAdmin({ bootstrap: a.bootstrap, clientId: 'test-a' });
  const adminB = new ClusterAdmin({ bootstrap: b.bootstrap, clientId: 'test-b' });
  cleanup.push(() => Promise.all([adminA.close(), adminB.close()]));

  await adminA.createTopic({ topic: 'orders', partitions: 3, configs: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' } });
  await adminA.createTopic({ topic: 'payments', partitions: 1 });
  for (const [i, codec] of CODECS.entries()) {
    const lines = Array.from({ length: 30 }, (_, j) => `key-${codec}-${j}:value-${codec}-${j}-${'x'.repeat(j * 7)}`).join('\n') + '\n';
    await kcat(['-b', a.bootstrap, '-t', 'orders', '-P', '-K:', '-z', codec, '-p', String(i % 3), '-H', `codec=${codec}`, '-H', 'trace=abc', '-H', 'hop=1', '-H', 'hop=2', '-H', 'nil'], lines);
  }
  await kcat(['-b', a.bootstrap, '-t', 'payments', '-P', '-K:'], Array.from({ length: 100 }, (_, j) => `p${j}:payment-${j}`).join('\n') + '\n');
  // a consumer group reads half of payments on A, committing as it goes (librdkafka commits on close)
  await kcat(['-b', a.bootstrap, '-G', 'billing', '-o', 'beginning', '-c', '50', '-q', '-X', 'auto.offset.reset=earliest', 'payments']);
  await waitFor(async () => (await adminA.groupOffsets('billing')).find((o) => o.topic === 'payments')?.offset === 50, 'billing to commit 50 on A');

  // group ops: at 80 on A, and a live member on B (committing nothing) while the mirror syncs
  await kcat(['-b', a.bootstrap, '-G', 'ops', '-o', 'beginning', '-c', '80', '-q', '-X', 'auto.offset.reset=earliest', 'payments']);
  await waitFor(async () => (await adminA.groupOffsets('ops')).find((o) => o.topic === 'payments')?.offset === 80, 'ops to commit 80 on A');
  // (its member reads another topic, so whatever ops holds on B for a.payments came from the mirror)
  await adminB.createTopic({ topic: 'idle', partitions: 1 });
  const live = spawn('kcat', ['-b', b.bootstrap, '-G', 'ops', '-q', '-X', 'enable.auto.commit=false', 'idle'], { stdio: 'ignore' });
  cleanup.push(async () => { live.kill('SIGKILL'); });
  await waitFor(async () => (await adminB.listGroups()).find((g) => g.groupId === 'ops' && /stable/i.test(g.state)), 'ops to be active on B');

  const dir = tempDir('mirror-test-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const mirror = await startMirror({
    dataDir: dir, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    pairs: [['clusters', 'a, b'], ['a.bootstrap.servers', a.bootstrap], ['b.bootstrap.servers', b.bootstrap], ['a->b.enabled', 'true'],
      ['offset.lag.max', '5'], ['sync.group.offsets.enabled', 'true'], ...FAST],
  });
  cleanup.push(() => mirror.close());

  // records: same partitions, offsets, keys, values, headers, timestamps
  await waitFor(async () => (await countTopic(b.bootstrap, 'a.orders').catch(() => 0)) === 30 * CODECS.length, 'a.orders to fill on B');
  const [src, dst] = await Promise.all([readTopic(a.bootstrap, 'orders'), readTopic(b.bootstrap, 'a.orders')]);
  assert.equal(dst.size, 3);
  for (const [p, records] of src) {
    const strip = (l: typeof records) => l.map((r) => ({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }));
    assert.deepEqual(strip(dst.get(p)!), strip(records), `partition ${p}`);
  }
  // byte for byte: a repeated key stays repeated, a null value stays null (not empty)
  assert.deepEqual(dst.get(0)![0].headers.map((h) => [h.key, h.value === null ? null : h.value.toString()]), [['codec', 'none'], ['trace', 'abc'], ['hop', '1'], ['hop', '2'], ['nil', null]]);
  assert.equal((await adminB.describeTopicConfigs('a.orders'))['retention.ms'], '86400000');
  // the source task reports its replication lag (0 records once caught up)
  const progress = await waitFor(async () => {
    const r = await (await fetch(`${mirror.flows[0].url}/connectors/MirrorSourceConnector/errors`)).json() as { tasks: { progress: { replicationLagRecords: number; partitions: number } | null }[] };
    const p = r.tasks[0]?.progress;
    return p && p.replicationLagRecords === 0 && p.partitions >= 4 && p;
  }, 'a lag report of 0 records');
  assert.equal(progress.replicationLagRecords, 0);

  // a topic created on A later appears on B, with its records
  await adminA.createTopic({ topic: 'late', partitions: 2 });
  await kcat(['-b', a.bootstrap, '-t', 'late', '-P', '-p', '1'], 'one\ntwo\n');
  await waitFor(async () => (await countTopic(b.bootstrap, 'a.late').catch(() => 0)) === 2, 'a.late on B');
  assert.equal((await adminB.describeTopics(['a.late']))[0].partitions.length, 2);
  // a config change on A reaches B
  await adminA.replaceTopicConfigs('orders', { 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
  await waitFor(async () => (await adminB.describeTopicConfigs('a.orders'))['retention.ms'] === '3600000', 'retention.ms to reach B');
  // added partitions follow
  await adminA.createPartitions('late', 4);
  await waitFor(async () => (await adminB.describeTopics(['a.late']))[0]?.partitions.length === 4, 'a.late to grow to 4 partitions');

  // never mirrored: MM2's internal topics, nor anything back to A
  const onB = await listTopics(b.bootstrap);
  assert.ok(!onB.some((x) => x.startsWith('a.mm2') || x.startsWith('a.a.')), onB.join(' '));
  assert.ok(onB.includes('heartbeats') && onB.includes('a.checkpoints.internal'), onB.join(' '));

  // the offset syncs on A and the checkpoints on B are Kafka's records
  const syncs = [...(await readTopic(a.bootstrap, 'mm2-offset-syncs.b.internal')).values()].flat().map((r) => OffsetSyncFormat.decode(r.key!, r.value!));
  assert.ok(syncs.some((s) => s.topic === 'payments' && s.partition === 0));
  const cp = await waitFor(async () => {
    const all = [...(await readTopic(b.bootstrap, 'a.checkpoints.internal')).values()].flat().map((r) => CheckpointFormat.decode(r.key!, r.value!));
    return all.reverse().find((c) => c.group === 'billing' && c.topic === 'a.payments');
  }, 'a checkpoint of billing');
  assert.equal(cp.upstreamOffset, 50);
  // never past the record the group has not read (no skip), at most offset.lag.max behind
  assert.ok(cp.downstreamOffset <= 50 && cp.downstreamOffset >= 50 - 6, `translated to ${cp.downstreamOffset}`);
  const hb = [...(await readTopic(b.bootstrap, 'heartbeats')).values()].flat().map((r) => HeartbeatFormat.decode(r.key!, r.value!));
  assert.deepEqual({ ...hb[0], timestamp: 0 }, { sourceClusterAlias: 'a', targetClusterAlias: 'b', timestamp: 0 });

  // sync.group.offsets: billing has no offsets of its own on B, gets the translated one
  await waitFor(async () => (await adminB.groupOffsets('billing')).find((o) => o.topic === 'a.payments')?.offset === cp.downstreamOffset, 'billing\'s offset on B');
  // ops is active on B: its checkpoint is written, its offsets on B are left alone (the
  // task skips active groups; the broker would also refuse a commit from outside the group)
  await waitFor(async () => [...(await readTopic(b.bootstrap, 'a.checkpoints.internal')).values()].flat().map((r) => CheckpointFormat.decode(r.key!, r.value!)).find((c) => c.group === 'ops' && c.upstreamOffset === 80), 'a checkpoint of ops');
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(await adminB.groupOffsets('ops'), []);
  // once its member left, the translated offset is committed
  live.kill('SIGTERM');
  const ops = await waitFor(async () => (await adminB.groupOffsets('ops')).find((o) => o.topic === 'a.payments'), 'ops\'s offset on B after its member left');
  assert.ok(ops.offset <= 80 && ops.offset >= 80 - 6, `ops translated to ${ops.offset}`);

  // a consumer of billing on B resumes there: payment-50 is read, nothing before the checkpoint
  const out = await kcat(['-b', b.bootstrap, '-G', 'billing', '-c', String(100 - cp.downstreamOffset), '-q', '-f', '%s\n', 'a.payments']);
  const values = out.trim().split('\n');
  assert.equal(values[0], `payment-${cp.downstreamOffset}`);
  assert.ok(values.includes('payment-50') && values.includes('payment-99'));
  assert.equal(values.length, 100 - cp.downstreamOffset);
});
