// A source task's records written by the converters in place (JsonConverter's
// fromConnectDataInto) into record batches: what a consumer reads is what the per-record
// path produced — partition by murmur2 of the key's bytes (or the record's own), headers,
// timestamps, tombstones, nulls — and a record the converter fails on goes through
// errors.tolerance as before; the offsets of skipped records are committed too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneTaskSource, startTestKit } from './helpers/connect.ts';
import { murmur2 } from '../client/murmur2.ts';
import { SourceTask, definePlugin, S, type Props, type SourceRecord } from '../plugins/sdk/index.ts';

const keySchema = S.struct('k', { id: S.int32() });
const valueSchema = S.struct('v', { id: S.int32(), name: S.string(true), n: S.int64(true) });
const N = 60;

/** One poll of N records: keyed structs, one with its own partition, one with headers, a tombstone, and a poison value. */
function batch(topic: string): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (let i = 0; i < N; i++) {
    const rec: SourceRecord = { sourcePartition: { p: 'x' }, sourceOffset: { i }, topic, keySchema, key: { id: i }, valueSchema, value: { id: i, name: `n"${i}\u2028é😀`, n: i === 5 ? null : 2 ** 40 + i } };
    if (i === 7) rec.kafkaPartition = 2;
    if (i === 8) rec.headers = [{ key: 'h', value: 'v8' }, { key: 'h', value: Buffer.from('again') }];
    if (i === 9) rec.timestamp = 1_700_000_000_009;
    if (i === 10) { rec.value = null; rec.valueSchema = null; }
    if (i === 11) rec.value = { id: 'not an int32' }; // the converter throws: skipped (errors.tolerance=all)
    out.push(rec);
  }
  return out;
}

class OnceTask extends SourceTask {
  private topic = '';
  private done = false;
  version() { return '1'; }
  start(p: Props) { this.topic = p.topic; }
  async poll(): Promise<SourceRecord[] | null> {
    if (this.done) { await new Promise((r) => setTimeout(r, 50)); return null; }
    this.done = true;
    return batch(this.topic);
  }
  stop() {}
}
const OnceSource = oneTaskSource(OnceTask, 'topic', 'topic');
const once = definePlugin({ name: 'once', version: '1', connectors: { 'test.OnceSource': OnceSource } });

test('records written in place into record batches: partitions, headers, timestamps, tombstones and a skipped poison record as the per-record path wrote them', async (t) => {
  const kit = await startTestKit({ plugins: [once] });
  t.after(() => kit.close());
  await kit.createTopic('batches', 3);
  const before = Date.now();
  await kit.createConnector('once', {
    'connector.class': 'OnceSource', topic: 'batches',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter', 'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'errors.tolerance': 'all',
  });
  const got = await kit.consume('batches', { count: N - 1 });
  assert.equal(got.length, N - 1, 'the poison record skipped, every other one written');
  const byId = new Map(got.map((m) => [JSON.parse(m.key!.toString()).id as number, m]));
  assert.equal(byId.has(11), false);
  for (const r of batch('batches')) {
    const id = (r.key as { id: number }).id;
    if (id === 11) continue;
    const m = byId.get(id)!;
    const key = Buffer.from(`{"id":${id}}`);
    assert.deepEqual(m.key, key);
    assert.equal(m.partition, id === 7 ? 2 : (murmur2(key) & 0x7fffffff) % 3, `record ${id}'s partition`);
    if (id === 10) { assert.equal(m.value, null, 'a tombstone'); continue; }
    const v = r.value as { id: number; name: string; n: number | null };
    assert.equal(m.value!.toString('utf8'), `{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"field":"n"}],"optional":false,"name":"v"},"payload":${JSON.stringify(v)}}`);
    if (id === 9) assert.equal(m.timestamp, 1_700_000_000_009);
    else assert.ok(m.timestamp >= before && m.timestamp <= Date.now(), `record ${id}'s timestamp: when it was converted`);
  }
  // headers: both values of the repeated key arrive (the reader joins them)
  assert.equal(byId.get(8)!.headers.h, 'v8,again');
  assert.deepEqual(byId.get(7)!.headers, {});
  // in order within each partition
  for (let p = 0; p < 3; p++) {
    const ids = got.filter((m) => m.partition === p).map((m) => JSON.parse(m.key!.toString()).id as number);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `partition ${p} in poll order`);
  }
  // the offset of the last record (sent or skipped) is committed
  await kit.waitFor(async () => {
    const offsets = (await kit.request('GET', '/connectors/once/offsets')).body.offsets as { offset: { i: number } }[];
    return offsets.some((o) => o.offset.i === N - 1);
  }, { what: 'the last offset committed' });
});
