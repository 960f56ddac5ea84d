// Compression codecs x transactions x a leader change: four librdkafka transactional
// producers, one per codec (gzip, snappy, lz4, zstd), commit, abort and leave a transaction
// open on one RF=3 partition; the leader is killed (-9); the open transactions are committed
// through the new leader; a read_committed consumer reads exactly the committed records,
// decoded, from the new leader and again from the killed one once it is back and leads (its
// transaction state rebuilt from its log after the crash). replication-codecs covers the
// codecs without transactions, replication-transactions the coordinator's kill without compression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kcat, txnSteps } from './helpers/clients.ts';
import { waitFor } from './helpers/cluster.ts';
import { ClusterAdmin } from '../client/admin-cluster.ts';
import { batchCodecs, cluster, CODEC_ID, CODECS, createTopic, partitionInfo, settled } from './helpers/replication-e2e.ts';

const N = 50;
/** compressible padding, so every codec really compresses (librdkafka sends a batch uncompressed when it would not shrink) */
const PAD = 100;

test('transactions compressed with each codec survive kill -9 of the leader: read_committed reads exactly the committed records, decoded, and the open ones once committed on the new leader, then on the restarted old leader', async (t) => {
  const c = await cluster(t);
  const topic = 'codec-txns';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const value = (name: string, i: number) => `${name}-${i}${'~'.repeat(PAD)}`;
  const values = (name: string) => Array.from({ length: N }, (_, i) => value(name, i));

  // The four producers at once: their transactions (and aborts) interleave in the partition.
  const producers = new Map(CODECS.map((codec) => [codec, txnSteps(c.bootstrap(), topic, `txn-${codec}`, { 'compression.type': codec, 'linger.ms': 5 }, (fn) => t.after(fn))]));
  await Promise.all([...producers.values()].map((p) => p.ready()));
  await Promise.all([...producers].map(async ([codec, p]) => {
    assert.deepEqual(await p.send(`commit ${codec}-c0 ${N} ${PAD}`), { committed: `${codec}-c0` });
    assert.deepEqual(await p.send(`abort ${codec}-a0 ${N} ${PAD}`), { aborted: `${codec}-a0` });
    assert.deepEqual(await p.send(`commit ${codec}-c1 ${N} ${PAD}`), { committed: `${codec}-c1` });
  }));
  // Opened once every other transaction is complete: the first open one holds the last stable offset.
  await Promise.all([...producers].map(async ([codec, p]) => { assert.deepEqual(await p.send(`open ${codec}-o ${N} ${PAD}`), { open: `${codec}-o` }); }));
  await settled(c, topic);
  for (const b of c.brokers.values()) {
    const codecs = new Set(batchCodecs(b.dataDir, topic));
    for (const codec of CODECS) assert.ok(codecs.has(CODEC_ID[codec]), `broker ${b.nodeId} holds ${codec} batches`);
  }

  const before = await partitionInfo(c, topic);
  await c.kill(before.leader);
  const after = await waitFor('a new leader', async () => { const p = await partitionInfo(c, topic); return p.leader > 0 && p.leader !== before.leader && p; }, 30000);
  t.diagnostic(`killed leader ${before.leader}; broker ${after.leader} leads`);
  const readCommitted = async () => (await kcat(['-b', c.bootstrap(), '-t', topic, '-p', '0', '-C', '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed'])).replace(/\n$/, '').split('\n').filter(Boolean);
  // What a consumer reads of one producer: its records, in its own order.
  const of = (got: string[], codec: string) => got.filter((v) => v.startsWith(`${codec}-`));

  // The new leader holds the open transactions back (last stable offset) and leaves out the aborted ones.
  const held = await readCommitted();
  t.diagnostic(`read_committed from broker ${after.leader} while 4 transactions are open: ${held.length} records`);
  for (const codec of CODECS) assert.deepEqual(of(held, codec), [...values(`${codec}-c0`), ...values(`${codec}-c1`)], `${codec}: the committed records before the open transaction ends`);
  assert.equal(held.length, CODECS.length * 2 * N);

  await Promise.all([...producers].map(async ([codec, p]) => { assert.deepEqual(await p.send('end'), { committed: `${codec}-o` }); }));
  const got = await waitFor('the open transactions readable after their commit', async () => { const g = await readCommitted(); return g.length === CODECS.length * 3 * N && g; }, 30000);
  for (const codec of CODECS) assert.deepEqual(of(got, codec), [...values(`${codec}-c0`), ...values(`${codec}-c1`), ...values(`${codec}-o`)], `${codec}: exactly the committed records`);
  await Promise.all([...producers.values()].map((p) => p.send('quit')));

  // The killed broker comes back (its state rebuilt from its log after the crash, then what it
  // missed replicated, markers included) and leads again as the preferred replica.
  await c.start(before.leader);
  await settled(c, topic);
  const admin = new ClusterAdmin({ bootstrap: c.bootstrap(), clientId: 'codec-txn-test' });
  t.after(() => admin.close());
  await waitFor(`broker ${before.leader} leads again`, async () => { await admin.electLeaders([{ topic, partition: 0 }]); return (await partitionInfo(c, topic)).leader === before.leader; }, 30000, 500);
  const back = await kcat(['-b', c.brokers.get(before.leader)!.bootstrap, '-t', topic, '-p', '0', '-C', '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed']);
  const again = back.replace(/\n$/, '').split('\n');
  t.diagnostic(`broker ${before.leader} leads again: read_committed ${again.length} records`);
  for (const codec of CODECS) assert.deepEqual(of(again, codec), [...values(`${codec}-c0`), ...values(`${codec}-c1`), ...values(`${codec}-o`)], `${codec}: exactly the committed records from the restarted broker`);
});
