// Replication crossing every compression codec (issue 16 x codecs): kcat (librdkafka)
// produces gzip, snappy, lz4 and zstd batches with acks=all to an RF=3 partition;
// followers must hold byte-identical segments (the leader's batches as produced, never
// re-encoded), and after a kill -9 of the leader a consumer reads every record back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kcat } from './helpers/clients.ts';
import { waitFor } from './helpers/cluster.ts';
import { batchCodecs, cluster, CODEC_ID, CODECS, createTopic, partitionInfo, settled } from './helpers/replication-e2e.ts';

const PER_CODEC = 400;

test('gzip, snappy, lz4 and zstd batches replicate byte for byte to every follower and survive a leader kill', async (t) => {
  const c = await cluster(t);
  const topic = 'codecs';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const expected: string[] = [];
  for (const codec of CODECS) {
    // Compressible values, so each codec really compresses; linger packs many records per batch.
    const lines = Array.from({ length: PER_CODEC }, (_, i) => `${codec}-${String(i).padStart(4, '0')}-${'replicated '.repeat(20)}`);
    expected.push(...lines);
    await kcat(['-b', c.bootstrap(), '-t', topic, '-p', '0', '-P', '-z', codec, '-X', 'acks=all', '-X', 'linger.ms=20'], lines.join('\n') + '\n');
  }
  const before = await partitionInfo(c, topic);
  await settled(c, topic);
  // Every codec is in the log, on every replica (settled: all three byte-identical).
  for (const b of c.brokers.values()) {
    const codecs = new Set(batchCodecs(b.dataDir, topic));
    assert.deepEqual([...codecs].sort(), CODECS.map((x) => CODEC_ID[x]).sort(), `broker ${b.nodeId} holds batches of each codec`);
  }

  await c.kill(before.leader);
  await waitFor('a new leader', async () => { const p = await partitionInfo(c, topic); return p.leader > 0 && p.leader !== before.leader; }, 30000);
  const out = await kcat(['-b', c.bootstrap(), '-t', topic, '-p', '0', '-C', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
  const got = out.replace(/\n+$/, '').split('\n').map((l) => { const i = l.indexOf(' '); return { o: Number(l.slice(0, i)), v: l.slice(i + 1) }; });
  assert.equal(got.length, expected.length, 'every record read back from the new leader');
  got.forEach((r, i) => { assert.equal(r.o, i); assert.equal(r.v, expected[i]); });
});
