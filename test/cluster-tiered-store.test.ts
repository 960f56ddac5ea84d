// The remote log manifest in the PostgreSQL metadata store, on a real database: written by
// a partition's leader with a compare-and-set on its leader epoch, so a deposed leader's
// write is refused and never replaces what a newer leader wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { MetadataStore } from '../server/cluster/metadata-store.ts';
import { PostgresClusterView } from '../server/cluster/postgres-cluster-view.ts';
import { loadBrokerConfig } from '../server/config.ts';
import { RemoteLogManifest } from '../server/tiered/remote-log-manifest.ts';
import { createClusterDb } from './helpers/cluster.ts';

function view(url: string, nodeId: number, dataDir: string): PostgresClusterView {
  const { config } = loadBrokerConfig([['node.id', String(nodeId)], ['metadata.store.url', url], ['broker.session.timeout.ms', '10000']]);
  return new PostgresClusterView({ url, nodeId, metadata: new MetadataStore(dataDir, nodeId, false), config, logger: pino({ level: 'silent' }), onChanges: () => {} });
}

const manifest = (dir: string, ...bases: number[]) => {
  const m = new RemoteLogManifest(dir);
  for (const b of bases) m.upsert({ baseOffset: BigInt(b), nextOffset: BigInt(b + 100), size: 1000, maxTimestamp: 1n, key: `t-id/0/${b}-00000000`, crc: 0, localIno: 1, aborted: [], uploadedAt: 0 });
  return m;
};

test('remote log manifests: compare-and-set on the leader epoch; a stale leader cannot overwrite a newer one', async (t) => {
  const db = await createClusterDb();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tiered-store-'));
  const [oldLeader, newLeader] = [view(db.url, 1, path.join(dir, 'b1')), view(db.url, 2, path.join(dir, 'b2'))];
  t.after(async () => { await oldLeader.close(); await newLeader.close(); await db.drop(); fs.rmSync(dir, { recursive: true, force: true }); });
  await oldLeader.load(null);
  await newLeader.load(null);

  assert.equal(await newLeader.loadRemoteManifest('t-id', 0), null, 'nothing stored yet');
  assert.equal(await oldLeader.saveRemoteManifest('t-id', 0, 4, manifest(dir, 0, 100).toJSON()), true);
  assert.equal(await oldLeader.saveRemoteManifest('t-id', 0, 4, manifest(dir, 0, 100, 200).toJSON()), true, 'the same leader writes again under its epoch');
  // A new leader (epoch 5) reads what its predecessor stored and adds to it.
  const read = await newLeader.loadRemoteManifest('t-id', 0);
  assert.equal(read!.leaderEpoch, 4);
  const m = new RemoteLogManifest(dir);
  m.assign(read!.manifest);
  assert.deepEqual(m.segments.map((s) => s.baseOffset), [0n, 100n, 200n]);
  assert.equal(m.endOffset, 300n);
  m.upsert({ ...m.segments[2], baseOffset: 300n, nextOffset: 400n, key: 't-id/0/300-00000000' });
  assert.equal(await newLeader.saveRemoteManifest('t-id', 0, 5, m.toJSON()), true);
  // The deposed leader (still at epoch 4) is refused, and the stored manifest is the new leader's.
  assert.equal(await oldLeader.saveRemoteManifest('t-id', 0, 4, manifest(dir, 0).toJSON()), false, 'a stale leader epoch is refused');
  const now = await oldLeader.loadRemoteManifest('t-id', 0);
  assert.equal(now!.leaderEpoch, 5);
  assert.deepEqual(now!.manifest.segments.map((s: any) => s.baseOffset), ['0', '100', '200', '300']);
  // Partitions are independent rows.
  assert.equal(await oldLeader.saveRemoteManifest('t-id', 1, 0, manifest(dir, 0).toJSON()), true);
});
