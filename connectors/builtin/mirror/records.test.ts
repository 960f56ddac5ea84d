import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointFormat, HeartbeatFormat, OffsetSyncFormat, SYNC_SLOTS, retainSync, translateDownstream } from './records.ts';

// Kafka's protocol Struct layout: STRING = int16 length + UTF-8, integers big-endian, version header first.
test('offset sync, checkpoint and heartbeat bytes are Kafka\'s Struct layout, and decode back', () => {
  const s = { topic: 'orders', partition: 3, upstreamOffset: 7, downstreamOffset: 2 ** 40 };
  assert.equal(OffsetSyncFormat.key(s).toString('hex'), '0006' + Buffer.from('orders').toString('hex') + '00000003');
  assert.equal(OffsetSyncFormat.value(s).toString('hex'), '0000000000000007' + '0000010000000000');
  assert.deepEqual(OffsetSyncFormat.decode(OffsetSyncFormat.key(s), OffsetSyncFormat.value(s)), s);

  const c = { group: 'g1', topic: 'a.orders', partition: 1, upstreamOffset: 50, downstreamOffset: 48, metadata: '' };
  assert.equal(CheckpointFormat.key(c).toString('hex'), '0002' + Buffer.from('g1').toString('hex') + '0008' + Buffer.from('a.orders').toString('hex') + '00000001');
  assert.equal(CheckpointFormat.value(c).toString('hex'), '0000' + '0000000000000032' + '0000000000000030' + '0000');
  assert.deepEqual(CheckpointFormat.decode(CheckpointFormat.key(c), CheckpointFormat.value(c)), c);

  const h = { sourceClusterAlias: 'a', targetClusterAlias: 'b', timestamp: 1_700_000_000_000 };
  assert.equal(HeartbeatFormat.key(h).toString('hex'), '000161' + '000162');
  assert.equal(HeartbeatFormat.value(h).toString('hex'), '0000' + BigInt(h.timestamp).toString(16).padStart(16, '0'));
  assert.deepEqual(HeartbeatFormat.decode(HeartbeatFormat.key(h), HeartbeatFormat.value(h)), h);
});

test('bad bytes are a clear error, not garbage', () => {
  assert.throws(() => OffsetSyncFormat.decode(Buffer.from('0001', 'hex'), Buffer.alloc(16)), /truncated offset sync key/);
  assert.throws(() => CheckpointFormat.decode(CheckpointFormat.key({ group: 'g', topic: 't', partition: 0 }), Buffer.from('0001', 'hex')), /version 1 is not supported/);
});

test('translation: exact at a sync, one past it beyond, -1 before every sync, null without syncs', () => {
  const syncs = [{ topic: 't', partition: 0, upstreamOffset: 0, downstreamOffset: 10 }, { topic: 't', partition: 0, upstreamOffset: 100, downstreamOffset: 110 }];
  assert.equal(translateDownstream(syncs, 100), 110);
  assert.equal(translateDownstream(syncs, 150), 111);
  assert.equal(translateDownstream(syncs, 50), 11);
  assert.equal(translateDownstream(syncs.slice(1), 50), -1);
  assert.equal(translateDownstream([], 5), null);
});

test('offset syncs kept at exponential distances: 64 per partition, old group offsets still translate, never past the truth', () => {
  // upstream u was written downstream at 2u (any monotone map will do)
  let kept: ReturnType<typeof retainSync> = [];
  const N = 100_000;
  for (let u = 0; u < N; u += 3) kept = retainSync(kept, { topic: 't', partition: 0, upstreamOffset: u, downstreamOffset: 2 * u });
  assert.ok(kept.length <= SYNC_SLOTS, `${kept.length} kept`);
  for (let i = 1; i < kept.length; i++) assert.ok(kept[i].upstreamOffset > kept[i - 1].upstreamOffset, 'oldest first');
  for (const u of [0, 1, 5, 1000, 50_000, 99_000, N - 3, N - 2]) {
    const d = translateDownstream(kept, u);
    assert.ok(d !== null && d >= 0, `upstream ${u} translates (a FIFO of the last syncs loses it)`);
    assert.ok(d <= 2 * u + 1, `upstream ${u} -> ${d}: never past the truth`);
  }
  // recent offsets are precise: the newest sync itself, and one past it
  assert.equal(translateDownstream(kept, kept[kept.length - 1].upstreamOffset), 2 * kept[kept.length - 1].upstreamOffset);
  // a recreated downstream topic starts over
  assert.deepEqual(retainSync(kept, { topic: 't', partition: 0, upstreamOffset: 1, downstreamOffset: 0 }).length, 1);
});
