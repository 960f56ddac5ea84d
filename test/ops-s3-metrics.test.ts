// S3 sink bytes and objects written per connector and task, on Connect's /metrics,
// equal to what the object store (s3rver) holds after the sink ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startTestKit } from './helpers/connect.ts';
import { startLocalS3 } from './helpers/s3.ts';

function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

test('S3 sink: objects and bytes written on /metrics match the bucket', async (t) => {
  const s3srv = await startLocalS3('metrics');
  t.after(() => s3srv.close());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: s3srv.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => s3.destroy());
  const kit = await startTestKit();
  t.after(() => kit.close());
  await kit.createTopic('clicks', 1);
  await kit.produce('clicks', Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i, page: `/p/${i}` }), partition: 0 })));
  const created = await kit.request('POST', '/connectors', { name: 's3m', config: {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector', topics: 'clicks', ...s3srv.props,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter', 'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat', 'flush.size': '4', 'store.kafka.keys': 'true',
  } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await kit.waitForRunning('s3m');
  // 10 records, flush.size 4: two data objects and two key objects
  const objects = async () => (await s3.send(new ListObjectsV2Command({ Bucket: 'metrics' }))).Contents ?? [];
  await kit.waitFor(async () => (await objects()).length === 4, { what: 'four objects' });
  const stored = await objects();
  const bytes = stored.reduce((n, o) => n + (o.Size ?? 0), 0);
  const labels = { connector: 's3m', task: '0' };
  let text = '';
  await kit.waitFor(async () => {
    text = await (await fetch(`${kit.url}/metrics`)).text();
    return sample(text, 'tributary_connect_s3_sink_objects_written_total', labels) === 4;
  }, { what: 'objects written = 4 on /metrics' });
  assert.equal(sample(text, 'tributary_connect_s3_sink_bytes_written_total', labels), bytes);
});
