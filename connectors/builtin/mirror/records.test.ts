import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointFormat, HeartbeatFormat, OffsetSyncFormat, translateDownstream } from './records.ts';

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
