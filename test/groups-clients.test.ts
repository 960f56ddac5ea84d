// Consumer groups with real clients: kcat -G, kafkajs, python confluent-kafka
// (cooperative-sticky, static membership), rebalances, commits across kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat, PYTHON } from './helpers/clients.ts';
import { spawnCli } from './helpers/process.ts';
import type { ApiDecl, RequestOf } from '../server/protocol/schema.ts';
import { DescribeGroups, Heartbeat, JoinGroup, OffsetCommit, OffsetFetch, SyncGroup } from '../server/protocol/apis/index.ts';

/** A request as the coordinator gets it, given only the fields this test sets (the decoder fills the rest). */
const decoded = <D extends ApiDecl>(_api: D, body: object) => body as RequestOf<D>;

const GROUP_CLIENT = path.join(import.meta.dirname, 'py/group_client.py');

interface Member { child: ChildProcess; events: any[]; msgs: Set<string>; assigned: () => number[] }

function pyMember(bootstrap: string, group: string, topic: string, strategy = 'range', instance = '-', sessionMs = 6000): Member {
  const child = spawn(PYTHON, [GROUP_CLIENT, bootstrap, group, topic, strategy, instance, String(sessionMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const m: Member = { child, events: [], msgs: new Set(), assigned: () => [] };
  let buf = '';
  let current: number[] = [];
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line);
        m.events.push(e);
        if (e.msg !== undefined) m.msgs.add(e.msg);
        if (e.assigned) current = e.incremental ? [...new Set([...current, ...e.assigned])].sort() : e.assigned;
        if (e.revoked) current = current.filter((p) => !e.revoked.includes(p));
      } catch { /* partial */ }
    }
  });
  m.assigned = () => current;
  return m;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function produceLines(bootstrap: string, topic: string, from: number, n: number) {
  return kcat(['-b', bootstrap, '-t', topic, '-P', '-K:'], Array.from({ length: n }, (_, i) => `k${from + i}:m${from + i}`).join('\n') + '\n');
}

test('python consumers in one group split partitions and each record is delivered once; a killed member is rebalanced away', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '6' } });
  t.after(() => b.stop());
  await produceLines(b.bootstrap, 'split', 0, 1);
  const a = pyMember(b.bootstrap, 'g-split', 'split');
  const c = pyMember(b.bootstrap, 'g-split', 'split');
  t.after(() => { a.child.kill('SIGKILL'); c.child.kill('SIGKILL'); });
  await until(() => a.assigned().length > 0 && c.assigned().length > 0 && a.assigned().length + c.assigned().length === 6, 20000, 'both members assigned');
  assert.deepEqual([...a.assigned(), ...c.assigned()].sort(), [0, 1, 2, 3, 4, 5]);
  await produceLines(b.bootstrap, 'split', 1, 599);
  await until(() => a.msgs.size + c.msgs.size >= 600, 20000, '600 records consumed');
  const overlap = [...a.msgs].filter((x) => c.msgs.has(x));
  assert.deepEqual(overlap, [], 'no record delivered to both members');
  // Kill one member; the other takes over every partition after the session timeout.
  c.child.kill('SIGKILL');
  await until(() => a.assigned().length === 6, 20000, 'survivor owns all partitions');
  await produceLines(b.bootstrap, 'split', 600, 100);
  await until(() => a.msgs.size + c.msgs.size >= 700, 20000, 'records after the rebalance');
  for (let i = 0; i < 700; i++) assert.ok(a.msgs.has(`m${i}`) || c.msgs.has(`m${i}`), `m${i} missing`);
  const desc = b.broker.groups!.describeGroups({} as any, decoded(DescribeGroups, { groups: ['g-split'] })).groups[0];
  assert.equal(desc.groupState, 'Stable');
  assert.equal(desc.members.length, 1);
});

test('cooperative-sticky: a joining member takes partitions incrementally; static member restarts without a rebalance', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '4' } });
  t.after(() => b.stop());
  await produceLines(b.bootstrap, 'coop', 0, 1);
  const a = pyMember(b.bootstrap, 'g-coop', 'coop', 'cooperative-sticky', 'inst-a', 10000);
  t.after(() => a.child.kill('SIGKILL'));
  await until(() => a.assigned().length === 4, 20000, 'first member owns all');
  const c = pyMember(b.bootstrap, 'g-coop', 'coop', 'cooperative-sticky', 'inst-c', 10000);
  t.after(() => c.child.kill('SIGKILL'));
  await until(() => c.assigned().length === 2 && a.assigned().length === 2, 20000, 'incremental split');
  // cooperative: the first member only revoked what moved, never everything
  const revokes = a.events.filter((e) => e.revoked);
  assert.ok(revokes.every((r) => r.revoked.length < 4), `revoked ${JSON.stringify(revokes)}`);
  const gen = b.broker.groups!.groups.get('g-coop')!.generationId;
  // Static membership: restart inst-c within the session timeout: same partitions, no new generation.
  const before = c.assigned();
  c.child.kill('SIGKILL');
  const c2 = pyMember(b.bootstrap, 'g-coop', 'coop', 'cooperative-sticky', 'inst-c', 10000);
  t.after(() => c2.child.kill('SIGKILL'));
  await until(() => c2.assigned().length === 2, 20000, 'static member back');
  assert.deepEqual(c2.assigned(), before);
  assert.equal(b.broker.groups!.groups.get('g-coop')!.generationId, gen, 'no rebalance for a static rejoin');
});

test('kafkajs consumer group and kcat -G share a topic; commits are visible as lag', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '3' } });
  t.after(() => b.stop());
  await produceLines(b.bootstrap, 'js-grp', 0, 300);
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'g-js', sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'js-grp', fromBeginning: true });
  const seen = new Set<string>();
  await consumer.run({ eachMessage: async ({ message }) => { seen.add(message.value!.toString()); } });
  await until(() => seen.size === 300, 20000, 'kafkajs consumed 300');
  await consumer.disconnect();
  const lag = b.broker.groups!.lag('g-js');
  assert.equal(lag.length, 3);
  assert.ok(lag.every((l) => l.lag === 0n), JSON.stringify(lag, (_, v) => typeof v === 'bigint' ? String(v) : v));
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const groups = await admin.listGroups();
  assert.ok(groups.groups.some((g) => g.groupId === 'g-js'));
  const offsets = await admin.fetchOffsets({ groupId: 'g-js', topics: ['js-grp'] });
  assert.equal(offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0), 300);
  // Reset the empty group to earliest, then kcat -G in that group reads everything again.
  await admin.resetOffsets({ groupId: 'g-js', topic: 'js-grp', earliest: true });
  const out = await kcat(['-b', b.bootstrap, '-G', 'g-js', 'js-grp', '-e', '-q', '-f', '%s\n', '-X', 'session.timeout.ms=6000']);
  assert.equal(new Set(out.trim().split('\n')).size, 300);
  await admin.deleteGroups(['g-js']);
  assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === 'g-js'));
});

test('stale generations and unknown members get ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const gc = b.broker.groups!;
  const ctx = (v: number) => ({ apiVersion: v, clientId: 't', clientHost: 'h' }) as any;
  await kcat(['-b', b.bootstrap, '-t', 'stale', '-P'], 'x\n');
  const first = await gc.joinGroup(ctx(3), decoded(JoinGroup, { groupId: 'g-stale', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }));
  assert.equal(first.errorCode, 0);
  const commit = async (gen: number, memberId: string) => (await gc.offsetCommit(ctx(7), decoded(OffsetCommit, { groupId: 'g-stale', generationIdOrMemberEpoch: gen, memberId, topics: [{ name: 'stale', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: 'meta' }] }] }))).topics[0].partitions[0].errorCode;
  await gc.syncGroup(ctx(3), decoded(SyncGroup, { groupId: 'g-stale', generationId: first.generationId, memberId: first.memberId, assignments: [] }));
  assert.equal(await commit(first.generationId + 5, first.memberId), 22);
  assert.equal(await commit(first.generationId, 'nobody'), 25);
  assert.equal(await commit(first.generationId, first.memberId), 0);
  const fetched = await gc.offsetFetch(ctx(7), decoded(OffsetFetch, { groupId: 'g-stale', topics: [{ name: 'stale', partitionIndexes: [0] }] }));
  assert.equal(fetched.topics![0].partitions[0].metadata, 'meta', 'commit metadata round-trips');
  assert.equal(gc.heartbeat(ctx(3), decoded(Heartbeat, { groupId: 'g-stale', generationId: 99, memberId: first.memberId })).errorCode, 22);
  assert.equal(gc.heartbeat(ctx(3), decoded(Heartbeat, { groupId: 'g-stale', generationId: first.generationId, memberId: 'ghost' })).errorCode, 25);
});

test('committed offsets survive a broker kill -9', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'offsets.topic.num.partitions=3', '--set', 'group.initial.rebalance.delay.ms=0'];
  let cli = await spawnCli(args);
  let bs = `127.0.0.1:${cli.ports.kafka}`;
  await produceLines(bs, 'durable-g', 0, 50);
  const first = (await kcat(['-b', bs, '-G', 'g-dur', 'durable-g', '-e', '-q', '-f', '%s\n', '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100', '-X', 'auto.offset.reset=earliest'])).trim().split('\n');
  assert.equal(first.length, 50);
  cli.child.kill('SIGKILL');
  await cli.exited;
  cli = await spawnCli(args);
  t.after(() => cli.child.kill('SIGKILL'));
  bs = `127.0.0.1:${cli.ports.kafka}`;
  await produceLines(bs, 'durable-g', 50, 5);
  const second = (await kcat(['-b', bs, '-G', 'g-dur', 'durable-g', '-e', '-q', '-f', '%s\n', '-X', 'auto.offset.reset=earliest'])).trim().split('\n');
  assert.deepEqual(second, ['m50', 'm51', 'm52', 'm53', 'm54']);
});

test('offset reset: committed offset below the log start resets per auto.offset.reset; none reports the error', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  await produceLines(b.bootstrap, 'resets', 0, 10);
  const gc = b.broker.groups!;
  await gc.resetOffsets('g-reset-e', 'resets', { offset: 2n });
  await gc.resetOffsets('g-reset-n', 'resets', { offset: 2n });
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.fetchTopicMetadata({ topics: ['resets'] });
  await admin.deleteTopicRecords({ topic: 'resets', partitions: [{ partition: 0, offset: '5' }] });
  const script = path.join(import.meta.dirname, 'py/reset_client.py');
  const { python } = await import('./helpers/clients.ts');
  const e = JSON.parse((await python([script, b.bootstrap, 'resets', 'g-reset-e', 'earliest'])).stdout);
  assert.deepEqual(e, { first: 5, error: null });
  const l = JSON.parse((await python([script, b.bootstrap, 'resets', 'g-reset-l', 'latest', '3'])).stdout);
  assert.equal(l.first, null, 'a new group with latest starts at the end');
  const n = JSON.parse((await python([script, b.bootstrap, 'resets', 'g-reset-n', 'error'])).stdout);
  assert.equal(n.first, null);
  assert.match(String(n.error), /OFFSET_OUT_OF_RANGE|AUTO_OFFSET_RESET/);
});

test('more members than partitions: the idle member gets an empty assignment and stays in the group', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': '2' } });
  t.after(() => b.stop());
  await produceLines(b.bootstrap, 'few', 0, 1);
  const ms = [0, 1, 2].map(() => pyMember(b.bootstrap, 'g-few', 'few'));
  t.after(() => ms.forEach((m) => m.child.kill('SIGKILL')));
  await until(() => ms.every((m) => m.events.some((e) => e.assigned)) && ms.reduce((s, m) => s + m.assigned().length, 0) === 2 && b.broker.groups!.groups.get('g-few')!.members.size === 3 && b.broker.groups!.groups.get('g-few')!.state === 'Stable', 20000, 'three members, two partitions');
  assert.equal(ms.filter((m) => m.assigned().length === 0).length, 1);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(b.broker.groups!.groups.get('g-few')!.members.size, 3, 'the idle member keeps heartbeating');
});

test('offsets of an empty group expire after offsets.retention.minutes and stay gone after a restart', async (t) => {
  const dir = tempDir();
  let b = await startBroker({ dataDir: dir, config: { 'offsets.retention.minutes': '1' } });
  await produceLines(b.bootstrap, 'expiring', 0, 3);
  const gc = b.broker.groups!;
  await gc.resetOffsets('g-exp', 'expiring', { latest: true });
  assert.equal(gc.expireOffsets(Date.now() + 30_000), 0, 'not yet');
  assert.equal(gc.expireOffsets(Date.now() + 120_000), 1);
  assert.equal(gc.groups.has('g-exp'), false);
  await b.stop();
  b = await startBroker({ dataDir: dir });
  t.after(async () => { await b.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  assert.equal(b.broker.groups!.groups.has('g-exp'), false, 'tombstones replayed on start');
});
