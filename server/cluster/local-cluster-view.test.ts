import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MetadataStore } from './metadata-store.ts';
import { LocalClusterView } from './local-cluster-view.ts';
import type { PartitionState } from './cluster-view.ts';

function setup(t: { after: (fn: () => void) => void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cluster-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const md = new MetadataStore(dir, 3);
  md.load();
  return { dir, md, view: new LocalClusterView(md, () => ({ host: 'h', port: 1, rack: 'r1' })) };
}

test('a single node is the only broker, the controller and the leader of every partition', (t) => {
  const { md, view } = setup(t);
  md.createTopic('a', 2, {});
  assert.deepEqual(view.brokers(), [{ nodeId: 3, host: 'h', port: 1, rack: 'r1', alive: true }]);
  assert.equal(view.controllerId(), 3);
  const s = view.partitionState('a', 1)!;
  assert.deepEqual([s.leader, s.leaderEpoch, s.partitionEpoch, s.replicas, s.isr], [3, 0, 0, [3], [3]]);
  assert.equal(view.partitionState('a', 2), undefined);
  assert.equal(view.partitionState('nope', 0), undefined);
});

test('listeners hear every known partition at once, then new topics and partitions', (t) => {
  const { md, view } = setup(t);
  md.createTopic('a', 2, {});
  const seen: string[] = [];
  const off = view.onPartitionChange((s) => seen.push(`${s.topic}-${s.partition}`));
  assert.deepEqual(seen, ['a-0', 'a-1']);
  view.topicChanged(md.createTopic('b', 1, {}));
  md.addPartitions('a', 3);
  view.topicChanged(md.get('a')!, 2);
  assert.deepEqual(seen, ['a-0', 'a-1', 'b-0', 'a-2']);
  off();
  view.topicChanged(md.createTopic('c', 1, {}));
  assert.equal(seen.length, 4);
});

test('alterIsr is a compare-and-set on partition and leader epoch, kept across a restart', async (t) => {
  const { dir, md, view } = setup(t);
  md.createTopic('a', 1, {});
  const heard: PartitionState[] = [];
  view.onPartitionChange((s) => heard.push(s));
  const s0 = view.partitionState('a', 0)!;
  const s1 = await view.alterIsr(s0, [3]);
  assert.notEqual(s1, 'stale');
  assert.equal((s1 as PartitionState).partitionEpoch, 1);
  assert.equal(heard.at(-1)!.partitionEpoch, 1);
  // the same request again carries the old epoch: refused, nothing written
  assert.equal(await view.alterIsr(s0, []), 'stale');
  assert.equal(await view.alterIsr({ ...(s1 as PartitionState), leaderEpoch: 7 }, []), 'stale');
  assert.deepEqual(view.partitionState('a', 0)!.isr, [3]);
  const again = new MetadataStore(dir, 3);
  again.load();
  assert.equal(new LocalClusterView(again, () => ({ host: 'h', port: 1, rack: null })).partitionState('a', 0)!.partitionEpoch, 1);
});
