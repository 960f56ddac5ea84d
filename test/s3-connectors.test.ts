// S3 sink → S3 → S3 source end to end through the Connect REST API, against s3rver:
// Confluent's object layout, offsets committed only for uploaded objects, identical
// records restored into another topic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { startTestKit } from './helpers/connect.ts';
import { startLocalS3 } from './helpers/s3.ts';

test('S3 sink writes Confluent-named objects with only uploaded offsets committed; the S3 source restores identical records', async (t) => {
  const s3srv = await startLocalS3('backups');
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('orders', 2);
  const produced = Array.from({ length: 14 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ id: i, item: `thing ${i}`, qty: i % 3, tags: ['a', String(i)] }), partition: i % 2 }));
  await kit.produce('orders', produced);
  const plain = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false' };
  const sink = await kit.request('POST', '/connectors', { name: 's3-sink', config: {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: 'orders', ...s3srv.props, ...plain,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '3', 'store.kafka.keys': 'true',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  } });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  await kit.waitForRunning('s3-sink');
  // 7 records per partition, flush.size 3: objects at 0 and 3, the 7th record stays open
  const expected = ['topics/orders/partition=0/orders+0+0000000000.json', 'topics/orders/partition=0/orders+0+0000000003.json', 'topics/orders/partition=1/orders+1+0000000000.json', 'topics/orders/partition=1/orders+1+0000000003.json'];
  const list = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: 'backups' }))).Contents ?? []).map((c) => c.Key!).filter((k) => !k.includes('.keys.')).sort();
  await kit.waitFor(async () => JSON.stringify(await list()) === JSON.stringify(expected), { what: 'four objects' });
  const body = await (await s3.send(new GetObjectCommand({ Bucket: 'backups', Key: expected[1] }))).Body!.transformToString();
  assert.deepEqual(body.trim().split('\n').map((l) => JSON.parse(l).id), [6, 8, 10]);
  await kit.waitFor(async () => {
    const offs = (await kit.request('GET', '/connectors/s3-sink/offsets')).body.offsets as { partition: { kafka_partition: number }; offset: { kafka_offset: number } }[];
    return offs.length === 2 && offs.every((o) => o.offset.kafka_offset === 6);
  }, { what: 'committed offsets at the uploaded records (6 of 7 per partition)' });

  await kit.createTopic('restored', 2);
  const src = await kit.request('POST', '/connectors', { name: 's3-source', config: {
    'connector.class': 'io.confluent.connect.s3.source.S3SourceConnector', ...s3srv.props, ...plain,
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'topic.regex.list': 'restored:orders', 's3.poll.interval.ms': '200',
  } });
  assert.equal(src.status, 201, JSON.stringify(src.body));
  await kit.waitForRunning('s3-source');
  const restored = await kit.consume('restored', { count: 12 });
  const original = (await kit.readAll('orders')).filter((m) => m.offset < 6);
  const view = (ms: { partition: number; key: Buffer | null; value: Buffer | null }[]) => ms.map((m) => `${m.partition}|${m.key?.toString()}|${m.value?.toString()}`).sort();
  assert.deepEqual(view(restored), view(original), 'same partition, key and value bytes');
  await kit.waitFor(async () => ((await kit.request('GET', '/connectors/s3-source/offsets')).body.offsets as unknown[]).length === 2, { what: 'source offsets per topic partition' });
});

test('S3 sink ParquetFormat through the runtime (JsonConverter with schemas): .snappy.parquet objects, restored records identical to the originals', async (t) => {
  const s3srv = await startLocalS3('lake');
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('payments', 1);
  const schema = { type: 'struct', name: 'shop.Payment', optional: false, fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'who', type: 'string', optional: true },
    { field: 'amount', type: 'bytes', optional: false, name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } },
    { field: 'at', type: 'int64', optional: false, name: 'org.apache.kafka.connect.data.Timestamp' },
    { field: 'tags', type: 'array', optional: false, items: { type: 'string', optional: false } },
    { field: 'card', type: 'struct', name: 'shop.Card', optional: true, fields: [{ field: 'last4', type: 'string', optional: false }, { field: 'exp', type: 'int32', optional: false, name: 'org.apache.kafka.connect.data.Date' }] },
  ] };
  // Decimal 12.34 = unscaled 1234 = 0x04d2, base64 "BNI="
  const payloads = Array.from({ length: 5 }, (_, i) => ({ id: i, who: i % 2 ? null : `p${i}`, amount: 'BNI=', at: 1_700_000_000_000 + i, tags: ['x', String(i)], card: i % 2 ? null : { last4: `000${i}`, exp: 20_000 + i } }));
  await kit.produce('payments', payloads.map((p, i) => ({ key: `k${i}`, value: JSON.stringify({ schema, payload: p }), partition: 0 })));
  const conv = { 'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'true' };
  const sink = await kit.request('POST', '/connectors', { name: 'pq-sink', config: {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: 'payments', ...s3srv.props, ...conv,
    'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat', 'flush.size': '2', 'store.kafka.keys': 'true',
  } });
  assert.equal(sink.status, 201, JSON.stringify(sink.body));
  await kit.waitForRunning('pq-sink');
  const expected = ['topics/payments/partition=0/payments+0+0000000000.snappy.parquet', 'topics/payments/partition=0/payments+0+0000000002.snappy.parquet'];
  const list = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: 'lake' }))).Contents ?? []).map((c) => c.Key!).filter((k) => !k.includes('.keys.')).sort();
  await kit.waitFor(async () => JSON.stringify(await list()) === JSON.stringify(expected), { what: 'two parquet objects' });
  const body = await (await s3.send(new GetObjectCommand({ Bucket: 'lake', Key: expected[1] }))).Body!.transformToByteArray();
  const { parquetReadObjects } = await import('hyparquet');
  const rows = await parquetReadObjects({ file: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer });
  assert.deepEqual(rows.map((r) => [r.id, r.who, r.amount, r.tags, r.card ?? null]), [[2n, 'p2', 12.34, ['x', '2'], { last4: '0002', exp: new Date(20_002 * 86_400_000) }], [3n, null, 12.34, ['x', '3'], null]]);

  await kit.createTopic('payments-restored', 1);
  const src = await kit.request('POST', '/connectors', { name: 'pq-source', config: {
    'connector.class': 'io.confluent.connect.s3.source.S3SourceConnector', ...s3srv.props, ...conv,
    'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat', 'topic.regex.list': 'payments-restored:payments', 's3.poll.interval.ms': '200',
  } });
  assert.equal(src.status, 201, JSON.stringify(src.body));
  await kit.waitForRunning('pq-source');
  const restored = await kit.consume('payments-restored', { count: 4 });
  assert.deepEqual(restored.map((m) => m.key?.toString()), ['k0', 'k1', 'k2', 'k3']);
  const values = restored.map((m) => JSON.parse(m.value!.toString()));
  assert.deepEqual(values.map((v) => v.payload), payloads.slice(0, 4), 'same payloads');
  for (const v of values) assert.deepEqual(v.schema, schema, 'same Connect schema');
});
