// Issue 15: every internal reader goes through client/, so a topic kcat wrote with any
// codec (the README's first example uses -z lz4) is drained by Connect's sinks, the
// registry reads an lz4-compressed `_schemas`, and no internal reader leaves a consumer
// group behind (they read by partition assignment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { S3Client, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { KafkaAdmin, CODECS } from '../client/index.ts';
import { startRegistry } from '../registry/index.ts';
import { startTestKit } from './helpers/connect.ts';
import { startLocalS3 } from './helpers/s3.ts';
import { kcat } from './helpers/clients.ts';

const lines = (codec: string) => Array.from({ length: 10 }, (_, i) => `${codec}-${i}`);

test('FileStreamSink and the S3 sink drain topics kcat wrote with each codec (none, gzip, snappy, lz4, zstd)', async (t) => {
  const s3srv = await startLocalS3('codecs');
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const kit = await startTestKit();
  t.after(() => kit.close());
  for (const codec of CODECS) {
    await kcat(['-b', kit.bootstrap, '-t', `codec-${codec}`, '-P', '-z', codec], lines(codec).join('\n') + '\n');
  }
  const topics = CODECS.map((c) => `codec-${c}`).join(',');
  const str = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };
  const out = path.join(kit.dir, 'codecs.txt');
  await kit.createConnector('file-codecs', { 'connector.class': 'FileStreamSink', file: out, topics, ...str });
  await kit.createConnector('s3-codecs', { 'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics, ...s3srv.props, ...str, 'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat', 'flush.size': '10' });
  await kit.waitForRunning('file-codecs');
  await kit.waitForRunning('s3-codecs');
  const want = CODECS.flatMap(lines).sort();
  await kit.waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').trim().split('\n').length >= want.length, { what: 'every record in the sink file', timeoutMs: 20000 });
  assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\n').sort(), want);
  const keys = await kit.waitFor(async () => {
    const k = ((await s3.send(new ListObjectsV2Command({ Bucket: 'codecs' }))).Contents ?? []).map((c) => c.Key!).sort();
    return k.length === CODECS.length ? k : null;
  }, { what: 'one object per topic', timeoutMs: 20000 });
  assert.deepEqual(keys, CODECS.map((c) => `topics/codec-${c}/partition=0/codec-${c}+0+0000000000.bin`).sort());
  for (const codec of CODECS) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'codecs', Key: `topics/codec-${codec}/partition=0/codec-${codec}+0+0000000000.bin` }))).Body!.transformToString();
    for (const l of lines(codec)) assert.ok(body.includes(l), `${codec}: ${l} in the object`);
  }
  for (const name of ['file-codecs', 's3-codecs']) {
    const st = await kit.status(name);
    assert.deepEqual(st.tasks.map((x: { state: string }) => x.state), ['RUNNING'], `${name} tasks stay RUNNING`);
  }
});

test('the registry reads a _schemas topic written lz4-compressed; registry and Connect leave no tributary-* consumer group', async (t) => {
  const kit = await startTestKit();
  t.after(() => kit.close());
  const key = (v: number) => JSON.stringify({ keytype: 'SCHEMA', subject: 'lz4-value', version: v, magic: 1 });
  const value = (v: number, id: number, schema: unknown) => JSON.stringify({ subject: 'lz4-value', version: v, id, schema: JSON.stringify(schema), deleted: false });
  const recs = [
    `${key(1)}|${value(1, 41, { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] })}`,
    `${key(2)}|${value(2, 42, { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }, { name: 'y', type: 'string', default: '' }] })}`,
  ];
  await kcat(['-b', kit.bootstrap, '-t', '_schemas', '-P', '-z', 'lz4', '-K', '|'], recs.join('\n') + '\n');
  const reg = await startRegistry({ bootstrap: kit.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  t.after(() => reg.close());
  const byId = await (await fetch(`${reg.url}/schemas/ids/42`)).json() as { schema: string };
  assert.match(byId.schema, /"y"/);
  const versions = await (await fetch(`${reg.url}/subjects/lz4-value/versions`)).json();
  assert.deepEqual(versions, [1, 2]);
  // a registration after the lz4 records gets the next id
  const r = await fetch(`${reg.url}/subjects/other/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: '"string"' }) });
  assert.deepEqual(await r.json(), { id: 43 });

  const admin = new KafkaAdmin({ bootstrap: kit.bootstrap, clientId: 'groups-check' });
  t.after(() => admin.close());
  const groups = (await admin.listGroups()).map((g) => g.groupId);
  assert.deepEqual(groups.filter((g) => g.startsWith('tributary-')), [], `internal readers joined no group (groups: ${groups.join(', ')})`);
});
