import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PartitionLog, DEFAULT_LOG_CONFIG } from './log/partition-log.ts';
import { buildBatch } from './log/record-batch.ts';
import { ProducerStateManager } from './txn/producer-state.ts';
import { Partition } from './partition.ts';
import { ConfigError, loadBrokerConfig } from './config.ts';
import { LEADER_SELECTOR, RACK_AWARE_SELECTOR, selectReadReplica, type SelectorBroker } from './replica-selector.ts';

function leaderOf(t: { after: (f: () => void) => void }, replicas: number[], isr: number[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selector-'));
  const log = PartitionLog.open(dir, DEFAULT_LOG_CONFIG, true);
  t.after(() => { log.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  const p = new Partition('t', 0, log, 0, { brokerId: 1, producerState: new ProducerStateManager(), remote: null });
  p.makeLeader({ topic: 't', partition: 0, leader: 1, leaderEpoch: 1, partitionEpoch: 1, replicas, isr, addingReplicas: [], removingReplicas: [] });
  p.appendToLocalLog(buildBatch(Array.from({ length: 5 }, () => ({ key: null, value: Buffer.from('v') }))), {});
  return p;
}

const racks = (m: Record<number, string | null>, dead: number[] = []): (() => SelectorBroker[]) =>
  () => Object.entries(m).map(([id, rack]) => ({ nodeId: Number(id), rack, alive: !dead.includes(Number(id)) }));

test('RackAwareReplicaSelector: an in-sync live replica in the client\'s rack holding the offset, else the leader', (t) => {
  const p = leaderOf(t, [1, 2, 3], [1, 2, 3]);
  const brokers = racks({ 1: 'r1', 2: 'r2', 3: 'r3' });
  p.updateFollowerFetchState(2, 5n);
  p.updateFollowerFetchState(3, 5n);
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r2', 3n, brokers), 2);
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r3', 3n, brokers), 3);
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r1', 3n, brokers), 1, 'the leader in the rack');
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r9', 3n, brokers), 1, 'no replica in the rack');
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, '', 3n, brokers), 1, 'no client.rack');
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r2', 6n, brokers), 1, 'the follower does not hold the offset yet');
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r2', 3n, racks({ 1: 'r1', 2: 'r2', 3: 'r3' }, [2])), 1, 'the follower is not alive');
  assert.equal(selectReadReplica(LEADER_SELECTOR, p, 'r2', 3n, brokers), 1);
  assert.equal(selectReadReplica('', p, 'r2', 3n, brokers), 1);
  // both r2 replicas: the one further ahead
  p.updateFollowerFetchState(2, 4n);
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r2', 3n, racks({ 1: 'r1', 2: 'r2', 3: 'r2' })), 3);
});

test('RackAwareReplicaSelector: a replica outside the ISR is never preferred', (t) => {
  const p = leaderOf(t, [1, 2, 3], [1, 3]);
  p.updateFollowerFetchState(2, 5n);
  assert.equal(selectReadReplica(RACK_AWARE_SELECTOR, p, 'r2', 0n, racks({ 1: 'r1', 2: 'r2', 3: 'r3' })), 1);
});

test('replica.selector.class accepts Kafka\'s selector class names only, naming them when refused', () => {
  assert.equal(loadBrokerConfig([]).config.get('replica.selector.class'), '');
  assert.equal(loadBrokerConfig([['replica.selector.class', RACK_AWARE_SELECTOR]]).config.get('replica.selector.class'), RACK_AWARE_SELECTOR);
  assert.equal(loadBrokerConfig([['replica.selector.class', LEADER_SELECTOR]]).config.get('replica.selector.class'), LEADER_SELECTOR);
  assert.throws(() => loadBrokerConfig([['replica.selector.class', 'com.example.MySelector']]),
    (e: unknown) => e instanceof ConfigError && /replica\.selector\.class/.test(e.message) && e.message.includes(RACK_AWARE_SELECTOR) && e.message.includes(LEADER_SELECTOR));
});
