// S3 sink and source tasks against s3rver, driven directly (no runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { S3SinkTask, objectKey } from './sink.ts';
import { S3SourceTask, parseObjectKey } from './source.ts';
import { formatPath, Partitioner } from './partitioner.ts';
import { decodeAvro, encodeAvro } from './formats.ts';
import { startLocalS3 } from '../../../test/helpers/s3.ts';
import { upload } from './client.ts';
import { S, Logical, type SinkRecord, type Schema, type SinkTaskContext, type SourceRecord } from '../../../plugins/sdk/index.ts';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const sinkCtx: SinkTaskContext = { logger: quiet, taskId: 0, connectorName: 's3', offset() {}, assignment: () => [], pause() {}, resume() {}, requestCommit() {} };

const rec = (topic: string, partition: number, offset: number, value: unknown, valueSchema: Schema | null = null, key: unknown = null, timestamp = 1_700_000_000_000): SinkRecord =>
  ({ topic, kafkaPartition: partition, kafkaOffset: offset, keySchema: key === null ? null : S.string(), key, valueSchema, value, timestamp, headers: [] });

async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (r.Contents ?? []).map((c) => c.Key!).sort();
}
async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return r.Body!.transformToString();
}

test('object names, path formats and the Avro schema mapping', async () => {
  const c = { topicsDir: 'topics', delim: '/', fileDelim: '+' };
  assert.equal(objectKey(c, 'orders', 'partition=0', 0, 0, '.json'), 'topics/orders/partition=0/orders+0+0000000000.json');
  assert.deepEqual(parseObjectKey('topics/my+topic/x=1/my+topic+3+0000000042.json', { ...c, ext: '.json' }), { key: 'topics/my+topic/x=1/my+topic+3+0000000042.json', topic: 'my+topic', partition: 3, startOffset: 42 });
  assert.equal(parseObjectKey('topics/t/partition=0/t+0+0000000000.keys.json', { ...c, ext: '.json' }), null);
  assert.equal(formatPath("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", Date.UTC(2024, 0, 2, 3, 4), 'UTC'), 'year=2024/month=01/day=02/hour=03');
  assert.equal(formatPath("'day'=dd/'hour'=HH", Date.UTC(2024, 0, 2, 23, 30), 'Europe/Paris'), 'day=03/hour=00');
  const p = new Partitioner({ kind: 'time', fields: [], pathFormat: "'dt'=YYYY-MM-dd/'h'=HH", durationMs: 3_600_000, timezone: 'UTC', locale: 'en', extractor: 'Record', timestampField: '' });
  assert.equal(p.encode(rec('t', 0, 0, {}, null, null, Date.UTC(2024, 4, 6, 7, 59))), 'dt=2024-05-06/h=07');
  const vs = S.struct('com.acme.Order', { id: S.int64(), amount: { ...S.bytes(), name: Logical.Decimal, parameters: { scale: '2' } }, note: S.string(true), tags: S.array(S.string()), at: { ...S.int64(), name: Logical.Timestamp }, small: S.int16() });
  const v = { id: 5, amount: '12.34', note: null, tags: ['a'], at: new Date(1_700_000_000_123), small: 3 };
  const back = await decodeAvro(await encodeAvro(vs, [v, { ...v, note: 'n', amount: '-0.05' }], 'deflate'));
  assert.equal(back.schema.name, 'com.acme.Order');
  assert.equal(back.schema.fields!.find((f) => f.name === 'small')!.schema.type, 'int16');
  assert.deepEqual(back.values, [v, { ...v, note: 'n', amount: '-0.05' }]);
});

test('S3 sink: flush.size objects named by start offset, committed only once uploaded, retries overwrite; source reads them back', async (t) => {
  const s3srv = await startLocalS3();
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const sink = new S3SinkTask();
  sink.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '3', 'store.kafka.keys': 'true' }, sinkCtx);
  sink.open([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]);
  const values = Array.from({ length: 8 }, (_, i) => ({ id: i, name: `n${i}`, nested: { x: [i, i + 1] } }));
  await sink.put(values.slice(0, 5).map((v, i) => rec('orders', 0, i, v, null, `k${i}`)));
  await sink.put([rec('orders', 1, 0, { id: 100 }, null, 'p1')]);
  let committed = await sink.preCommit(new Map([['orders-0', 5], ['orders-1', 1]]));
  assert.deepEqual([...committed], [['orders-0', 3]], 'only the uploaded object is committable; partition 1 has nothing uploaded');
  assert.deepEqual(await listKeys(s3, s3srv.bucket), ['topics/orders/partition=0/orders+0+0000000000.json', 'topics/orders/partition=0/orders+0+0000000000.keys.json']);
  assert.equal(await getText(s3, s3srv.bucket, 'topics/orders/partition=0/orders+0+0000000000.json'), values.slice(0, 3).map((v) => JSON.stringify(v) + '\n').join(''));

  // crash: a new task restarts from the committed offset 3, re-reads 3..7 and writes the same names
  await sink.stop();
  const sink2 = new S3SinkTask();
  sink2.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '3', 'store.kafka.keys': 'true' }, sinkCtx);
  t.after(() => sink2.stop());
  await sink2.put(values.slice(3).map((v, i) => rec('orders', 0, i + 3, v, null, `k${i + 3}`)));
  await sink2.put(values.slice(3, 6).map((v, i) => rec('orders', 0, i + 3, v, null, `k${i + 3}`))); // redelivery of a batch is ignored
  committed = await sink2.preCommit(new Map([['orders-0', 8]]));
  assert.equal(committed.get('orders-0'), 6);
  const dataKeys = (await listKeys(s3, s3srv.bucket)).filter((k) => !k.includes('.keys.'));
  assert.deepEqual(dataKeys, ['topics/orders/partition=0/orders+0+0000000000.json', 'topics/orders/partition=0/orders+0+0000000003.json']);
  assert.equal(await getText(s3, s3srv.bucket, dataKeys[1]), values.slice(3, 6).map((v) => JSON.stringify(v) + '\n').join(''));

  // source: everything uploaded comes back in order with keys, and resumes mid-object from its offset
  const stored = new Map<string, Record<string, unknown>>();
  const srcCtx = { logger: quiet, taskId: 0, connectorName: 'src', offsetStorageReader: { offset: async (p: Record<string, unknown>) => stored.get(JSON.stringify(p)) ?? null, offsets: async () => new Map() } };
  const srcProps = { ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 's3.poll.interval.ms': '50', 'batch.max.records': '2', 'topic.regex.list': 'restored:orders' };
  const src = new S3SourceTask();
  await src.start(srcProps, srcCtx);
  const got: SourceRecord[] = [];
  for (let i = 0; i < 40 && got.length < 3; i++) got.push(...((await src.poll()) ?? []));
  assert.deepEqual(got.map((r) => r.value), values.slice(0, 3));
  assert.deepEqual(got.map((r) => r.key), ['k0', 'k1', 'k2']);
  assert.equal(got[0].topic, 'restored');
  assert.equal(got[0].kafkaPartition, 0);
  // commit after the 4th record (mid-object), then restart
  for (let i = 0; i < 40 && got.length < 4; i++) got.push(...((await src.poll()) ?? []));
  const fourth = got[3];
  stored.set(JSON.stringify(fourth.sourcePartition), fourth.sourceOffset);
  await src.stop();
  const src2 = new S3SourceTask();
  await src2.start(srcProps, srcCtx);
  t.after(() => src2.stop());
  const rest: SourceRecord[] = [];
  for (let i = 0; i < 40 && rest.length < 2; i++) rest.push(...((await src2.poll()) ?? []));
  assert.deepEqual(rest.map((r) => (r.value as { id: number }).id), [4, 5], 'resumes after the committed record');
});

test('S3 sink: Avro container files and the field partitioner round-trip through the source', async (t) => {
  const s3srv = await startLocalS3();
  t.after(() => s3srv.close());
  const vs = S.struct('shop.Item', { id: S.int32(), color: S.string(), price: { ...S.bytes(true), name: Logical.Decimal, parameters: { scale: '2' } } });
  const props = { ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat', 'flush.size': '4', 'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner', 'partition.field.name': 'color', 'topics.dir': 'backup' };
  const sink = new S3SinkTask();
  sink.start(props, sinkCtx);
  t.after(() => sink.stop());
  const vals = [{ id: 1, color: 'red', price: '1.00' }, { id: 2, color: 'blue', price: null }, { id: 3, color: 'red', price: '3.50' }, { id: 4, color: 'blue', price: '4.25' }];
  await sink.put(vals.map((v, i) => rec('items', 0, 10 + i, v, vs)));
  assert.deepEqual(sink.uploaded.sort(), ['backup/items/color=blue/items+0+0000000011.avro', 'backup/items/color=red/items+0+0000000010.avro']);
  const src = new S3SourceTask();
  await src.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat', 'topics.dir': 'backup', 's3.poll.interval.ms': '50' }, { logger: quiet, taskId: 0, connectorName: 'src', offsetStorageReader: { offset: async () => null, offsets: async () => new Map() } });
  t.after(() => src.stop());
  const got: SourceRecord[] = [];
  for (let i = 0; i < 40 && got.length < 4; i++) got.push(...((await src.poll()) ?? []));
  assert.deepEqual(got.map((r) => r.value), [vals[0], vals[2], vals[1], vals[3]], 'objects in start-offset order, records in order within each');
  assert.equal(got[0].valueSchema!.name, 'shop.Item');
  assert.equal(got[0].valueSchema!.fields![2].schema.name, Logical.Decimal);
});

test('S3 sink: an upload failure keeps the records and the offsets uncommitted until the retry succeeds', async (t) => {
  const s3srv = await startLocalS3();
  t.after(() => s3srv.close());
  const sink = new S3SinkTask();
  sink.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat', 'flush.size': '2' }, sinkCtx);
  t.after(() => sink.stop());
  await s3srv.stop();
  const batch = [rec('raw', 0, 0, Buffer.from('a')), rec('raw', 0, 1, Buffer.from('b'))];
  await assert.rejects(sink.put(batch), (e: Error) => e.name === 'RetriableException');
  assert.deepEqual([...(await sink.preCommit(new Map([['raw-0', 2]])))], []);
  await s3srv.start();
  await sink.put(batch); // the runtime redelivers the same batch
  assert.deepEqual([...(await sink.preCommit(new Map([['raw-0', 2]])))], [['raw-0', 2]]);
  assert.deepEqual(sink.uploaded, ['topics/raw/partition=0/raw+0+0000000000.bin']);
});

test('S3 sink: time-based partitioner with record-time rotation, and multipart uploads for large objects', async (t) => {
  const s3srv = await startLocalS3();
  t.after(() => s3srv.close());
  const sink = new S3SinkTask();
  sink.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '1000', 'rotate.interval.ms': '60000',
    'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner', 'path.format': "'dt'=YYYY-MM-dd/'hour'=HH", 'partition.duration.ms': '3600000', timezone: 'UTC' }, sinkCtx);
  t.after(() => sink.stop());
  const base = Date.UTC(2024, 5, 1, 10, 0, 0);
  await sink.put([
    rec('ev', 0, 0, { n: 0 }, null, null, base),
    rec('ev', 0, 1, { n: 1 }, null, null, base + 30_000),
    rec('ev', 0, 2, { n: 2 }, null, null, base + 61_000), // a minute of record time passed: the open object is uploaded first
    rec('ev', 0, 3, { n: 3 }, null, null, base + 3_600_000), // next hour folder
  ]);
  assert.deepEqual(sink.uploaded, ['topics/ev/dt=2024-06-01/hour=10/ev+0+0000000000.json']);
  assert.equal((await sink.preCommit(new Map([['ev-0', 4]]))).get('ev-0'), 2);
  // the next rotation uploads both open folders (2 in hour 10, 3 in hour 11)
  await sink.put([rec('ev', 0, 4, { n: 4 }, null, null, base + 3_700_000)]);
  assert.deepEqual(sink.uploaded.slice(1).sort(), ['topics/ev/dt=2024-06-01/hour=10/ev+0+0000000002.json', 'topics/ev/dt=2024-06-01/hour=11/ev+0+0000000003.json']);

  const big = new S3SinkTask();
  big.start({ ...s3srv.props, 'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat', 'flush.size': '7', 's3.part.size': '5242880' }, sinkCtx);
  t.after(() => big.stop());
  const chunk = Buffer.alloc(1024 * 1024, 7);
  await big.put(Array.from({ length: 7 }, (_, i) => rec('blobs', 0, i, chunk)));
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const obj = await s3.send(new GetObjectCommand({ Bucket: s3srv.bucket, Key: 'topics/blobs/partition=0/blobs+0+0000000000.bin' }));
  const body = Buffer.from(await obj.Body!.transformToByteArray());
  assert.equal(body.length, 7 * (1024 * 1024 + 1));
  assert.ok(body.equals(Buffer.concat(Array.from({ length: 7 }, () => [chunk, Buffer.from('\n')]).flat())));

  // above s3.part.size the upload is multipart
  const commands: string[] = [];
  s3.middlewareStack.add((next, context) => async (args) => { commands.push(String(context.commandName)); return next(args); }, { step: 'initialize' });
  const payload = Buffer.alloc(11 * 1024 * 1024, 3);
  await upload(s3, s3srv.bucket, 'x/big.bin', payload, 5 * 1024 * 1024);
  assert.deepEqual(commands, ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
  const back = await s3.send(new GetObjectCommand({ Bucket: s3srv.bucket, Key: 'x/big.bin' }));
  assert.ok(Buffer.from(await back.Body!.transformToByteArray()).equals(payload));
});

// ---------- ParquetFormat ----------

const pqDecimal = { ...S.bytes(), name: Logical.Decimal, parameters: { scale: '2', 'connect.decimal.precision': '12' } };
const pqSchema = S.struct('com.acme.Order', {
  id: S.int64(), i8: S.int8(), i16: S.int16(), qty: S.int32(true), f32: S.float32(), f64: S.float64(), ok: S.boolean(), name: S.string(), raw: S.bytes(true), amount: pqDecimal,
  day: { ...S.int32(), name: Logical.Date }, tod: { ...S.int32(true), name: Logical.Time }, at: { ...S.int64(), name: Logical.Timestamp },
  tags: S.array(S.string()), scores: S.array(S.int32(true), true), attrs: S.map(S.string(), S.int64(true)),
  addr: S.struct('com.acme.Addr', { city: S.string(), zip: S.string(true) }, true), lines: S.array(S.struct('com.acme.Line', { sku: S.string(), n: S.int32() })),
});
const pqValue = (i: number) => ({
  id: 2 ** 40 + i, i8: -3, i16: 300 + i, qty: i % 2 ? null : i, f32: 1.5, f64: 0.1 + i, ok: i % 2 === 0, name: `n${i}é`, raw: i % 2 ? null : Buffer.from([0, 255, i]), amount: i % 2 ? '-0.05' : `${i + 1}2345678.90`,
  day: new Date(Date.UTC(2024, 0, 2 + i)), tod: i % 2 ? null : new Date(3_600_000 + i), at: new Date(1_700_000_000_123 + i),
  tags: i % 2 ? [] : ['a', `t${i}`], scores: i % 2 ? null : [1, null, i], attrs: i % 2 ? {} : { x: i, y: null },
  addr: i % 2 ? null : { city: 'Paris', zip: null }, lines: [{ sku: `s${i}`, n: i }],
});

test('ParquetFormat: Connect schema -> Parquet columns as parquet-avro lays them out, and back to the same schema and values', async () => {
  const { encodeParquet, decodeParquet } = await import('./parquet.ts');
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const vals = [0, 1, 2].map(pqValue);
  for (const codec of ['none', 'snappy', 'gzip'] as const) {
    const body = encodeParquet(pqSchema, vals, codec);
    assert.equal(body.subarray(0, 4).toString(), 'PAR1');
    const back = await decodeParquet(body);
    assert.deepEqual(back.schema, pqSchema, `${codec}: same Connect schema`);
    assert.deepEqual(back.values, vals, `${codec}: same values`);
  }
  const file = new Uint8Array(encodeParquet(pqSchema, vals, 'snappy')).buffer;
  const md = parquetMetadata(file);
  assert.equal(md.row_groups[0].columns[0].meta_data!.codec, 'SNAPPY');
  const col = (n: string) => md.schema.find((e) => e.name === n)!;
  assert.deepEqual([col('id').type, col('i8').type, col('f32').type, col('f64').type, col('ok').type, col('raw').type], ['INT64', 'INT32', 'FLOAT', 'DOUBLE', 'BOOLEAN', 'BYTE_ARRAY']);
  assert.deepEqual([col('name').converted_type, col('amount').converted_type, col('amount').scale, col('amount').precision, col('day').converted_type, col('tod').converted_type, col('at').converted_type], ['UTF8', 'DECIMAL', 2, 12, 'DATE', 'TIME_MILLIS', 'TIMESTAMP_MILLIS']);
  assert.deepEqual([col('id').repetition_type, col('qty').repetition_type, col('tags').converted_type, col('attrs').converted_type, col('addr').num_children], ['REQUIRED', 'OPTIONAL', 'LIST', 'MAP', 2]);
  assert.ok(JSON.parse(md.key_value_metadata!.find((x) => x.key === 'parquet.avro.schema')!.value!).fields.some((f: { name: string }) => f.name === 'amount'), 'the Avro schema is in the footer, as parquet-avro writes it');
  // any Parquet reader sees plain columns: hyparquet's own decoding
  const rows = await parquetReadObjects({ file });
  assert.equal(rows.length, 3);
  assert.equal(rows[0].id, BigInt(2 ** 40));
  assert.equal(rows[0].name, 'n0é');
  assert.equal(rows[0].amount, 12345678.9);
  assert.deepEqual(rows[0].at, new Date(1_700_000_000_123));
  assert.deepEqual(rows[0].tags, ['a', 't0']);
  assert.deepEqual(rows[0].addr, { city: 'Paris', zip: null });
  assert.deepEqual(rows[2].lines, [{ sku: 's2', n: 2 }]);
  const optionalRoot = { ...pqSchema, optional: true };
  assert.deepEqual((await decodeParquet(encodeParquet(optionalRoot, vals.slice(0, 1), 'none'))).schema, optionalRoot);
  // non-struct schemas (string keys) go into one `value` column
  assert.deepEqual(await decodeParquet(encodeParquet(S.string(true), ['k', null], 'none')), { schema: S.string(true), values: ['k', null] });
  assert.throws(() => encodeParquet(null, [{ a: 1 }], 'snappy'), /needs records with a schema.*JsonConverter with value\.converter\.schemas\.enable=true/);
});

test('S3 sink ParquetFormat: Confluent names under flush.size, a valid Parquet file, a lossless round trip through the source that resumes mid-object', async (t) => {
  const s3srv = await startLocalS3();
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const { sinkConfigDef } = await import('./config.ts');
  const parquetFormat = 'io.confluent.connect.s3.format.parquet.ParquetFormat';
  assert.doesNotThrow(() => sinkConfigDef().parse({ ...s3srv.props, 'format.class': parquetFormat, 'flush.size': '3' }));
  const sink = new S3SinkTask();
  sink.start({ ...s3srv.props, 'format.class': parquetFormat, 'flush.size': '3', 'store.kafka.keys': 'true' }, sinkCtx);
  t.after(() => sink.stop());
  const vals = Array.from({ length: 7 }, (_, i) => pqValue(i));
  await sink.put(vals.map((v, i) => rec('orders', 0, i, v, pqSchema, `k${i}`)));
  assert.deepEqual(sink.uploaded, ['topics/orders/partition=0/orders+0+0000000000.snappy.parquet', 'topics/orders/partition=0/orders+0+0000000003.snappy.parquet']);
  assert.equal((await sink.preCommit(new Map([['orders-0', 7]]))).get('orders-0'), 6, 'the 7th record is still open');
  assert.deepEqual((await listKeys(s3, s3srv.bucket)).filter((k) => k.includes('.keys.')), ['topics/orders/partition=0/orders+0+0000000000.keys.snappy.parquet', 'topics/orders/partition=0/orders+0+0000000003.keys.snappy.parquet']);
  const obj = await s3.send(new GetObjectCommand({ Bucket: s3srv.bucket, Key: sink.uploaded[1] }));
  const { parquetReadObjects } = await import('hyparquet');
  const rows = await parquetReadObjects({ file: (await obj.Body!.transformToByteArray()).buffer as ArrayBuffer });
  assert.deepEqual(rows.map((r) => [r.id, r.name, r.qty]), [[BigInt(2 ** 40 + 3), 'n3é', null], [BigInt(2 ** 40 + 4), 'n4é', 4], [BigInt(2 ** 40 + 5), 'n5é', null]]);

  // schemaless records are refused with the fix named, not retried forever
  await assert.rejects(sink.put([rec('orders', 1, 0, { id: 1 }, null)]), (e: Error) => e.name !== 'RetriableException' && /ParquetFormat needs records with a schema/.test(e.message) && /converter/.test(e.message));

  const stored = new Map<string, Record<string, unknown>>();
  const srcCtx = { logger: quiet, taskId: 0, connectorName: 'src', offsetStorageReader: { offset: async (p: Record<string, unknown>) => stored.get(JSON.stringify(p)) ?? null, offsets: async () => new Map() } };
  const srcProps = { ...s3srv.props, 'format.class': parquetFormat, 's3.poll.interval.ms': '50', 'batch.max.records': '1' };
  const src = new S3SourceTask();
  await src.start(srcProps, srcCtx);
  const got: SourceRecord[] = [];
  for (let i = 0; i < 40 && got.length < 4; i++) got.push(...((await src.poll()) ?? []));
  assert.deepEqual(got.map((r) => r.value), vals.slice(0, 4), 'identical values');
  assert.deepEqual(got[0].valueSchema, pqSchema, 'identical Connect schema');
  assert.deepEqual(got.map((r) => r.key), ['k0', 'k1', 'k2', 'k3']);
  assert.deepEqual(got[0].keySchema, S.string());
  stored.set(JSON.stringify(got[3].sourcePartition), got[3].sourceOffset); // committed mid-object
  await src.stop();
  const src2 = new S3SourceTask();
  await src2.start(srcProps, srcCtx);
  t.after(() => src2.stop());
  const rest: SourceRecord[] = [];
  for (let i = 0; i < 40 && rest.length < 2; i++) rest.push(...((await src2.poll()) ?? []));
  assert.deepEqual(rest.map((r) => r.value), vals.slice(4, 6), 'resumes after the committed record');

  // parquet.codec names the objects as Confluent does
  const gz = new S3SinkTask();
  gz.start({ ...s3srv.props, 'format.class': 'ParquetFormat', 'parquet.codec': 'gzip', 'flush.size': '1', 'topics.dir': 'gz' }, sinkCtx);
  t.after(() => gz.stop());
  await gz.put([rec('orders', 0, 0, vals[0], pqSchema)]);
  assert.deepEqual(gz.uploaded, ['gz/orders/partition=0/orders+0+0000000000.gz.parquet']);
  const gsrc = new S3SourceTask();
  await gsrc.start({ ...srcProps, 'parquet.codec': 'gzip', 'topics.dir': 'gz' }, { ...srcCtx, offsetStorageReader: { offset: async () => null, offsets: async () => new Map() } });
  t.after(() => gsrc.stop());
  const g: SourceRecord[] = [];
  for (let i = 0; i < 40 && g.length < 1; i++) g.push(...((await gsrc.poll()) ?? []));
  assert.deepEqual(g.map((r) => r.value), [vals[0]]);
});
