import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultReplicationPolicy, IdentityReplicationPolicy, isCycle, replicationPolicy } from './policy.ts';
import { nameFilter, TOPICS_EXCLUDE_DEFAULT } from './config.ts';

test('DefaultReplicationPolicy names remote topics <alias>.<topic> and reads the source back', () => {
  const p = new DefaultReplicationPolicy();
  assert.equal(p.formatRemoteTopic('us-west', 'orders'), 'us-west.orders');
  assert.equal(p.topicSource('us-west.orders'), 'us-west');
  assert.equal(p.upstreamTopic('b.a.orders'), 'a.orders');
  assert.equal(p.topicSource('orders'), null);
  assert.equal(p.offsetSyncsTopic('b'), 'mm2-offset-syncs.b.internal');
  assert.equal(p.checkpointsTopic('a'), 'a.checkpoints.internal');
  assert.ok(p.isInternalTopic('mm2-offset-syncs.b.internal') && p.isInternalTopic('__consumer_offsets') && !p.isInternalTopic('orders'));
  assert.equal(new DefaultReplicationPolicy('_').formatRemoteTopic('a', 'x'), 'a_x');
});

test('cycles: a topic that came from the target is never mirrored back, at any depth', () => {
  const p = new DefaultReplicationPolicy();
  assert.equal(isCycle(p, 'b', 'b.orders'), true);
  assert.equal(isCycle(p, 'b', 'a.b.orders'), true);
  assert.equal(isCycle(p, 'b', 'a.orders'), false);
  assert.equal(isCycle(p, 'b', 'orders'), false);
});

test('IdentityReplicationPolicy keeps names, except heartbeats', () => {
  const p = replicationPolicy('org.apache.kafka.connect.mirror.IdentityReplicationPolicy', '.');
  assert.ok(p instanceof IdentityReplicationPolicy);
  assert.equal(p.formatRemoteTopic('a', 'orders'), 'orders');
  assert.equal(p.formatRemoteTopic('a', 'heartbeats'), 'a.heartbeats');
  assert.equal(p.topicSource('orders.eu'), null);
  assert.throws(() => replicationPolicy('com.acme.Nope', '.'), /unknown replication.policy.class/);
});

test('topic filters are whole-name regex lists; Kafka\'s default excludes internal topics', () => {
  const f = nameFilter(['orders.*', 'pay'], TOPICS_EXCLUDE_DEFAULT.split(',').map((s) => s.trim()));
  assert.ok(f('orders') && f('orders-eu') && f('pay'));
  assert.ok(!f('payments') && !f('orders.internal') && !f('xorders'));
});
