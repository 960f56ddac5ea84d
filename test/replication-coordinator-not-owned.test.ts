// A broker of a cluster coordinates only the groups and transactional ids of the
// __consumer_offsets / __transaction_state partitions it leads. Before those topics
// exist (FindCoordinator creates them) no broker owns anything: group and
// transaction requests sent straight to a broker answer NOT_COORDINATOR, as Kafka's,
// so clients find the coordinator — not a broker that takes the group on itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './helpers/replication-cluster.ts';
import { cluster } from './helpers/replication-e2e.ts';
import { kcatMetadata } from './helpers/cluster.ts';
import { InitProducerId, JoinGroup, OffsetCommit } from '../server/protocol/apis/index.ts';
import { code } from '../server/errors.ts';

test('before the coordinator topics exist, JoinGroup, OffsetCommit and InitProducerId sent to a broker of a cluster answer NOT_COORDINATOR and create nothing', async (t) => {
  const c = await cluster(t);
  const cl = await TestClient.connect(c.brokers.get(1)!.port);
  t.after(() => cl.close());
  const join = await cl.conn.send(JoinGroup, 5, { groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
  assert.equal(join.errorCode, code('NOT_COORDINATOR'), 'JoinGroup');
  const commit = await cl.conn.send(OffsetCommit, 7, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '' }] }] });
  assert.equal(commit.topics[0].partitions[0].errorCode, code('NOT_COORDINATOR'), 'OffsetCommit');
  const init = await cl.conn.send(InitProducerId, 1, { transactionalId: 'tx', transactionTimeoutMs: 60000 });
  assert.equal(init.errorCode, code('NOT_COORDINATOR'), 'InitProducerId');
  const topics = (await kcatMetadata(c.bootstrap())).topics.map((x) => x.topic);
  assert.ok(!topics.includes('__consumer_offsets') && !topics.includes('__transaction_state'), `no coordinator topic was created by these requests: ${topics.join(', ')}`);
});
