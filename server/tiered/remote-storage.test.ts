import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3RemoteStorage } from './remote-storage.ts';
import { RemoteLogManifest, MANIFEST_FILE } from './remote-log-manifest.ts';
import { startTestS3 } from '../../test/helpers/s3-server.ts';

test('S3 storage against s3rver: put, ranged get, delete; a stopped server fails fast', async (t) => {
  const s3 = await startTestS3('unit');
  t.after(() => s3.close());
  const st = new S3RemoteStorage({ endpoint: s3.endpoint, region: 'us-east-1', bucket: 'unit', prefix: 'p/', forcePathStyle: true });
  t.after(() => st.close());
  const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
  await st.put('seg.log', body);
  assert.deepEqual(s3.keys(), ['p/seg.log']);
  assert.deepEqual(await st.getRange('seg.log', 1000, 1010), body.subarray(1000, 1010));
  assert.deepEqual(await st.get('seg.log'), body);
  const file = path.join(s3.dir, 'upload.bin');
  fs.writeFileSync(file, body);
  const fh = await fs.promises.open(file, 'r');
  try { await st.putFile('streamed.log', fh, 60_000); } finally { await fh.close(); }
  assert.deepEqual(await st.get('streamed.log'), body.subarray(0, 60_000), 'streamed from the file, first 60000 bytes');
  await st.put('empty.index', Buffer.alloc(0));
  assert.equal((await st.get('empty.index')).length, 0);
  await st.delete(['seg.log', 'streamed.log', 'empty.index', 'never-existed']);
  assert.deepEqual(s3.keys(), []);
  await s3.stop();
  const t0 = Date.now();
  await assert.rejects(st.put('x', Buffer.from('x')));
  assert.ok(Date.now() - t0 < 10000, 'fails fast when the endpoint is down');
  assert.ok(st.describe.includes(s3.endpoint), st.describe);
});

test('the manifest survives a reload and keeps segments ordered', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
  try {
    const m = new RemoteLogManifest(dir);
    const seg = (base: bigint, next: bigint, key: string) => ({ baseOffset: base, nextOffset: next, size: 10, maxTimestamp: 5n, key, crc: 1, localIno: 2, aborted: [{ producerId: 3n, firstOffset: base, lastOffset: base + 1n }], uploadedAt: 0 });
    m.upsert(seg(100n, 200n, 'b'));
    m.upsert(seg(0n, 100n, 'a'));
    assert.equal(m.upsert(seg(100n, 200n, 'b2'))?.key, 'b', 'same base replaces (compacted re-upload)');
    m.pendingDeletes.push('b');
    m.save();
    assert.ok(fs.existsSync(path.join(dir, MANIFEST_FILE)));
    const r = RemoteLogManifest.load(dir);
    assert.deepEqual(r.segments.map((s) => s.key), ['a', 'b2']);
    assert.deepEqual(r.pendingDeletes, ['b']);
    assert.equal(r.segments[1].aborted[0].producerId, 3n);
    assert.equal(r.startOffset, 0n);
    assert.equal(r.endOffset, 200n);
    assert.equal(r.find(150n)?.key, 'b2');
    assert.equal(r.find(200n), undefined);
    r.logStartOffset = 120n;
    assert.equal(r.startOffset, 120n);
    assert.equal(RemoteLogManifest.load(path.join(dir, 'missing')).segments.length, 0);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
