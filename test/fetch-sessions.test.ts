// KIP-227 incremental fetch sessions at the protocol level: raw Fetch requests against a
// real broker, checked against what Kafka's FetchSession does — a session created with
// epoch 0, incremental fetches that list only what changed and are answered with only
// the partitions that have data or a moved high-water mark, forgotten partitions, the
// session errors 70 / 71 / 106, closing with epoch -1, and max.incremental.fetch.session.cache.slots=0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { RawKafkaConnection } from './helpers/raw-kafka.ts';
import { code } from '../server/errors.ts';

const TOPIC = 'fsess';

interface Part { partition: number; fetchOffset: bigint }

function fetchBody(sessionId: number, sessionEpoch: number, parts: Part[], forgotten: number[] = [], o: { topicId?: string; replicaId?: number } = {}) {
  return {
    replicaId: o.replicaId ?? -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch,
    topics: parts.length ? [{ topic: TOPIC, topicId: o.topicId, partitions: parts.map((p) => ({ ...p, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }] : [],
    forgottenTopicsData: forgotten.length ? [{ topic: TOPIC, topicId: o.topicId, partitions: forgotten }] : [],
    rackId: '',
  };
}

/** partition → bytes of records, for the partitions the response lists */
function answered(res: any): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of res.responses) for (const p of t.partitions) m.set(p.partitionIndex, p.records?.length ?? 0);
  return m;
}

const produce = (bootstrap: string, partition: number) => kcat(['-b', bootstrap, '-P', '-t', TOPIC, '-p', String(partition)], 'x\n');

test('Fetch sessions: create, incremental answers only what changed, forgotten partitions, 71 / 70, close', async (t) => {
  const b = await startBroker();
  const conns: RawKafkaConnection[] = [];
  t.after(() => { for (const x of conns) x.close(); return b.stop(); });
  b.broker.topics.create(TOPIC, 4, 1, {});
  for (const p of [0, 1, 2, 3]) await produce(b.bootstrap, p);
  const conn = await RawKafkaConnection.connect(b.port);
  conns.push(conn);
  const all = [0, 1, 2, 3].map((partition) => ({ partition, fetchOffset: 1n }));

  // epoch 0: a full fetch that creates a session, answered with every partition
  let res = await conn.send('Fetch', 12, fetchBody(0, 0, all));
  assert.equal(res.errorCode, 0);
  const id = res.sessionId;
  assert.ok(id > 0, `a session id, got ${id}`);
  assert.deepEqual([...answered(res).keys()].sort(), [0, 1, 2, 3]);

  // epoch 1, nothing listed and nothing changed: nothing answered
  res = await conn.send('Fetch', 12, fetchBody(id, 1, []));
  assert.equal(res.errorCode, 0);
  assert.equal(res.sessionId, id);
  assert.deepEqual(res.responses, []);

  // a produce to partition 2: only partition 2 comes back, with its record (the session survives produces)
  await produce(b.bootstrap, 2);
  res = await conn.send('Fetch', 12, fetchBody(id, 2, []));
  assert.deepEqual([...answered(res)].map(([p]) => p), [2]);
  assert.ok(answered(res).get(2)! > 0, 'partition 2 has its record');
  const p2 = res.responses[0].partitions[0];
  assert.equal(p2.highWatermark, 2n);

  // the fetcher moves its position on partition 2 (listed) and forgets partition 1
  res = await conn.send('Fetch', 12, fetchBody(id, 3, [{ partition: 2, fetchOffset: 2n }], [1]));
  assert.equal(res.errorCode, 0);
  assert.deepEqual(res.responses, []);
  await produce(b.bootstrap, 1);
  await produce(b.bootstrap, 3);
  res = await conn.send('Fetch', 12, fetchBody(id, 4, []));
  assert.deepEqual([...answered(res).keys()], [3], 'the forgotten partition 1 is not answered; 3 is');

  // a wrong epoch: 71, and the session is still there at the right one
  res = await conn.send('Fetch', 12, fetchBody(id, 99, []));
  assert.equal(res.errorCode, code('INVALID_FETCH_SESSION_EPOCH'));
  assert.deepEqual(res.responses, []);
  // an unknown session id: 70
  res = await conn.send('Fetch', 12, fetchBody(id === 1 ? 2 : id - 1, 1, []));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));
  assert.equal(res.sessionId, 0);
  // the session belongs to whoever created it: another replica id is told it does not exist
  res = await conn.send('Fetch', 12, fetchBody(id, 5, [], [], { replicaId: 7 }));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));
  res = await conn.send('Fetch', 12, fetchBody(id, 5, [{ partition: 3, fetchOffset: 2n }]));
  assert.equal(res.errorCode, 0);
  assert.deepEqual(res.responses, []);

  // the session is used over another connection too (sessions are per broker, not per connection)
  const other = await RawKafkaConnection.connect(b.port);
  conns.push(other);
  await produce(b.bootstrap, 0);
  res = await other.send('Fetch', 12, fetchBody(id, 6, []));
  assert.deepEqual([...answered(res).keys()], [0]);

  // epoch -1 with the id: a full sessionless fetch that closes the session
  res = await conn.send('Fetch', 12, fetchBody(id, -1, [{ partition: 0, fetchOffset: 2n }]));
  assert.equal(res.errorCode, 0);
  assert.equal(res.sessionId, 0);
  assert.deepEqual([...answered(res).keys()], [0]);
  res = await conn.send('Fetch', 12, fetchBody(id, 7, []));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));

  // epoch -1 without an id is today's sessionless fetch
  res = await conn.send('Fetch', 12, fetchBody(0, -1, all));
  assert.equal(res.sessionId, 0);
  assert.equal(answered(res).size, 4);
});

test('Fetch sessions: topic ids (v13+), a session forgotten down to nothing ends, epoch 0 with an id replaces it', async (t) => {
  const b = await startBroker();
  b.broker.topics.create(TOPIC, 2, 1, {});
  const topicId = b.broker.metadata.get(TOPIC)!.id;
  const conn = await RawKafkaConnection.connect(b.port);
  t.after(() => { conn.close(); return b.stop(); });
  const ids = { topicId };
  let res = await conn.send('Fetch', 13, fetchBody(0, 0, [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }], [], ids));
  const id = res.sessionId;
  assert.ok(id > 0, `a session id, got ${id}`);
  assert.equal(res.responses[0].topicId, topicId);

  await produce(b.bootstrap, 1);
  res = await conn.send('Fetch', 13, fetchBody(id, 1, [], [], ids));
  assert.equal(res.errorCode, 0);
  assert.deepEqual([...answered(res).keys()], [1]);
  assert.equal(res.responses[0].topicId, topicId);

  // a session made with topic ids is not usable by name (Kafka's FETCH_SESSION_TOPIC_ID_ERROR)
  res = await conn.send('Fetch', 12, fetchBody(id, 2, []));
  assert.equal(res.errorCode, code('FETCH_SESSION_TOPIC_ID_ERROR'));

  // epoch 0 naming the session: it is closed and a new one made
  res = await conn.send('Fetch', 13, fetchBody(id, 0, [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 1n }], [], ids));
  const id2 = res.sessionId;
  assert.ok(id2 > 0 && id2 !== id, `a new session id, got ${id2} (old ${id})`);
  res = await conn.send('Fetch', 13, fetchBody(id, 2, [], [], ids));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));

  // everything forgotten: the session ends with this (sessionless) answer
  res = await conn.send('Fetch', 13, fetchBody(id2, 1, [], [0, 1], ids));
  assert.equal(res.errorCode, 0);
  assert.equal(res.sessionId, 0);
  res = await conn.send('Fetch', 13, fetchBody(id2, 2, [], [], ids));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));
});

test('the cache: a consumer cannot evict a young session, a follower can; max.incremental.fetch.session.cache.slots=0 turns sessions off', async (t) => {
  const b = await startBroker({ config: { 'max.incremental.fetch.session.cache.slots': '1' } });
  b.broker.topics.create(TOPIC, 2, 1, {});
  const conn = await RawKafkaConnection.connect(b.port);
  t.after(() => { conn.close(); return b.stop(); });
  const two = [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }];
  const first = (await conn.send('Fetch', 12, fetchBody(0, 0, two))).sessionId;
  assert.ok(first > 0, `a session, got id ${first}`);
  // the one slot is taken by a session used a moment ago: another consumer gets none (answered in full, id 0)
  let res = await conn.send('Fetch', 12, fetchBody(0, 0, two));
  assert.equal(res.errorCode, 0);
  assert.equal(res.sessionId, 0);
  assert.equal(answered(res).size, 2);
  // a follower's (privileged) session evicts the consumer's
  res = await conn.send('Fetch', 12, fetchBody(0, 0, [{ partition: 0, fetchOffset: 0n }], [], { replicaId: 1 }));
  assert.ok(res.sessionId > 0, `the follower gets a session, id ${res.sessionId}`);
  res = await conn.send('Fetch', 12, fetchBody(first, 1, []));
  assert.equal(res.errorCode, code('FETCH_SESSION_ID_NOT_FOUND'));

  const off = await startBroker({ config: { 'max.incremental.fetch.session.cache.slots': '0' } });
  off.broker.topics.create(TOPIC, 2, 1, {});
  const c2 = await RawKafkaConnection.connect(off.port);
  t.after(() => { c2.close(); return off.stop(); });
  res = await c2.send('Fetch', 12, fetchBody(0, 0, two));
  assert.equal(res.errorCode, 0);
  assert.equal(res.sessionId, 0);
  assert.equal(answered(res).size, 2);
});

test('ACLs: a consumer\'s session partitions are checked on every incremental fetch — READ denied after the session was made answers TOPIC_AUTHORIZATION_FAILED', async (t) => {
  const b = await startBroker({ config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'true' } });
  b.broker.topics.create(TOPIC, 2, 1, {});
  const conn = await RawKafkaConnection.connect(b.port);
  t.after(() => { conn.close(); return b.stop(); });
  let res = await conn.send('Fetch', 12, fetchBody(0, 0, [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }]));
  const id = res.sessionId;
  assert.ok(id > 0, `a session id, got ${id}`);
  assert.deepEqual(res.responses[0].partitions.map((p: any) => p.errorCode), [0, 0]);
  res = await conn.send('Fetch', 12, fetchBody(id, 1, []));
  assert.deepEqual(res.responses, []);
  // deny READ on the topic to this (anonymous) principal
  const acl = await conn.send('CreateAcls', 1, { creations: [{ resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 3, permissionType: 2 }] });
  assert.deepEqual(acl.results.map((r: any) => r.errorCode), [0]);
  // nothing listed, yet both partitions of the session are answered with the authorization error
  res = await conn.send('Fetch', 12, fetchBody(id, 2, []));
  assert.equal(res.errorCode, 0);
  assert.deepEqual(res.responses.flatMap((t: any) => t.partitions.map((p: any) => [p.partitionIndex, p.errorCode, p.records?.length ?? 0])).sort(),
    [[0, code('TOPIC_AUTHORIZATION_FAILED'), 0], [1, code('TOPIC_AUTHORIZATION_FAILED'), 0]]);
});
