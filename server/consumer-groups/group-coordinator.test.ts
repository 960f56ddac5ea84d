// Group coordinator sessions: each member expires exactly session.timeout.ms after its
// last heartbeat, on its own deadline (as Kafka's heartbeat purgatory), not on a
// periodic sweep. Node's mock timers make the deadline exact without waiting.
// Run: node --import tsx --test server/consumer-groups/group-coordinator.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker } from '../broker.ts';
import { code } from '../errors.ts';
import type { RequestContext } from '../network/socket-server.ts';
import type { ApiDecl, RequestOf } from '../protocol/schema.ts';
import { Heartbeat, JoinGroup, SyncGroup } from '../protocol/apis/index.ts';

const ctx = (apiVersion: number) => ({ apiKey: 0, apiVersion, correlationId: 1, clientId: 'unit', clientHost: '127.0.0.1', connectionId: 1 }) as unknown as RequestContext;

/** A request as the coordinator gets it, given only the fields this test sets (the decoder fills the rest). */
const decoded = <D extends ApiDecl>(_api: D, body: object) => body as RequestOf<D>;
const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }];

async function setup(t: import('node:test').TestContext) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gc-unit-'));
  const b = await startBroker({ dataDir: dir, config: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '1' } });
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
  t.after(async () => { t.mock.timers.reset(); await b.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  return b.groups!;
}

test('a member expires exactly session.timeout.ms after its last heartbeat', async (t) => {
  const gc = await setup(t);
  const join = await gc.joinGroup(ctx(3), decoded(JoinGroup, { groupId: 'g', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols }));
  assert.equal(join.errorCode, 0);
  const sync = (await gc.syncGroup(ctx(3), decoded(SyncGroup, { groupId: 'g', generationId: join.generationId, memberId: join.memberId, assignments: [{ memberId: join.memberId, assignment: Buffer.from([0, 0]) }] }))) as { errorCode: number };
  assert.equal(sync.errorCode, 0);
  const g = gc.groups.get('g')!;
  assert.equal(g.state, 'Stable');

  t.mock.timers.tick(4000);
  assert.equal(gc.heartbeat(ctx(3), decoded(Heartbeat, { groupId: 'g', generationId: join.generationId, memberId: join.memberId, groupInstanceId: null })).errorCode, 0);
  t.mock.timers.tick(5999);
  assert.ok(g.members.has(join.memberId), 'alive until its deadline');
  t.mock.timers.tick(1);
  assert.equal(g.members.has(join.memberId), false, 'gone at its deadline, not a sweep later');
  assert.equal(g.state, 'Empty');
});

test('a member id handed out with MEMBER_ID_REQUIRED is forgotten after the session timeout', async (t) => {
  const gc = await setup(t);
  const req = { groupId: 'p', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols };
  const first = await gc.joinGroup(ctx(4), decoded(JoinGroup, req));
  assert.equal(first.errorCode, code('MEMBER_ID_REQUIRED'));
  t.mock.timers.tick(6000);
  const late = await gc.joinGroup(ctx(4), decoded(JoinGroup, { ...req, memberId: first.memberId }));
  assert.equal(late.errorCode, code('UNKNOWN_MEMBER_ID'));
});

test('a restarted static leader: JoinGroup < v9 names the old leader id, v9 says skip_assignment with the member list (KIP-814)', async (t) => {
  const gc = await setup(t);
  const join = (v: number, memberId: string) => gc.joinGroup(ctx(v), decoded(JoinGroup, { groupId: 's', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10000, memberId, groupInstanceId: 'inst-1', protocolType: 'consumer', protocols }));
  const first = await join(5, '');
  assert.equal(first.leader, first.memberId);
  await gc.syncGroup(ctx(3), decoded(SyncGroup, { groupId: 's', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'inst-1', assignments: [{ memberId: first.memberId, assignment: Buffer.from([1]) }] }));

  const v5 = await join(5, '');
  assert.equal(v5.errorCode, 0);
  assert.notEqual(v5.memberId, first.memberId);
  assert.equal(v5.leader, first.memberId, 'the old leader id, so the new member does not run the assignor');
  assert.deepEqual(v5.members, []);
  assert.equal(v5.generationId, first.generationId, 'no rebalance');

  const v9 = await join(9, '');
  assert.equal(v9.leader, v9.memberId);
  assert.equal(v9.skipAssignment, true);
  assert.deepEqual(v9.members.map((m) => m.memberId), [v9.memberId]);
  // the replaced ids are fenced
  assert.equal(gc.heartbeat(ctx(3), decoded(Heartbeat, { groupId: 's', generationId: first.generationId, memberId: v5.memberId, groupInstanceId: 'inst-1' })).errorCode, code('FENCED_INSTANCE_ID'));
});
