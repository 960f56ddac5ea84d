// python confluent-kafka (librdkafka, Debian's python3-confluent-kafka) against the broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startBroker } from './helpers/broker.ts';
import { python } from './helpers/clients.ts';

const SCRIPT = path.join(import.meta.dirname, 'py/broker_client.py');

async function py(bootstrap: string, scenario: string): Promise<any> {
  const r = await python([SCRIPT, bootstrap, scenario]);
  if (r.status !== 0) throw new Error(`python ${scenario} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('confluent-kafka: every codec with keys, headers, exact timestamps, offsets_for_times', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'produce-consume');
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const r = out.codecs[codec];
    assert.equal(r.count, 300, codec);
    for (const k of ['ordered', 'values_ok', 'keys_ok', 'headers_ok', 'timestamps_ok']) assert.equal(r[k], true, `${codec}: ${k}`);
    assert.equal(r.offset_for_time, 123, `${codec}: offsets_for_times`);
    assert.deepEqual(r.watermarks, [0, 300]);
  }
  assert.equal(out.acks0, 50);
});

test('confluent-kafka AdminClient: create, duplicate, invalid, partitions, describe/alter configs, delete', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const out = await py(b.bootstrap, 'admin');
  assert.equal(out.duplicate, 'TOPIC_ALREADY_EXISTS');
  assert.equal(out.badname, 'TOPIC_EXCEPTION');
  assert.equal(out.badconfig, 'INVALID_CONFIG');
  assert.equal(out.partitions, 3);
  assert.equal(out.controller, 0);
  assert.equal(out.partitions_after, 5);
  assert.equal(out.retention, '3600000');
  assert.equal(out.cleanup, 'compact');
  assert.equal(out.segment_default, true);
  assert.equal(out.retention_after, '7200000');
  assert.equal(out.cleanup_after_alter, 'delete');
  assert.equal(out.broker_num_partitions, '1');
  assert.equal(out.after_delete, false);
});
