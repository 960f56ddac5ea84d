// ExtractNewRecordState on Debezium envelopes (the transform lives in connectors/transforms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtractNewRecordState } from './extract-new-record-state.ts';
import { buildTable, SOURCE_SCHEMA } from './schema.ts';
import type { SourceRecord } from '../../../plugins/sdk/index.ts';

const table = buildTable('srv', 'public', 't', 'd', [
  { name: 'id', typeOid: 23, typmod: -1, notNull: true, keyPos: 0 },
  { name: 'v', typeOid: 25, typmod: -1, notNull: false, keyPos: -1 },
], { decimalMode: 'precise', columnIncluded: () => true });

const source = { version: 'x', connector: 'postgresql', name: 'srv', ts_ms: 5, snapshot: 'false', db: 'd', schema: 'public', table: 't', txId: 9, lsn: 123 };
const ev = (op: string, before: unknown, after: unknown): SourceRecord => ({
  sourcePartition: {}, sourceOffset: {}, topic: 'srv.public.t', keySchema: table.keySchema, key: { id: 1 },
  valueSchema: table.envelopeSchema, value: { before, after, source, op, ts_ms: 7, transaction: null },
});
const tomb: SourceRecord = { sourcePartition: {}, sourceOffset: {}, topic: 'srv.public.t', keySchema: table.keySchema, key: { id: 1 }, valueSchema: null, value: null };

function smt(props: Record<string, string> = {}) {
  const t = new ExtractNewRecordState<SourceRecord>();
  t.configure(props);
  return t;
}

test('default: rows unwrapped, deletes dropped, tombstones kept', () => {
  const t = smt();
  const c = t.apply(ev('c', null, { id: 1, v: 'a' }))!;
  assert.deepEqual(c.value, { id: 1, v: 'a' });
  assert.equal(c.valueSchema!.name, 'srv.public.t.Value');
  assert.equal(c.valueSchema!.optional, false);
  assert.deepEqual(c.key, { id: 1 });
  assert.deepEqual(t.apply(ev('u', null, { id: 1, v: 'b' }))!.value, { id: 1, v: 'b' });
  assert.equal(t.apply(ev('d', { id: 1, v: null }, null)), null);
  assert.equal(t.apply(tomb), tomb);
});

test('rewrite adds __deleted; add.fields and add.headers from envelope and source', () => {
  const t = smt({ 'delete.tombstone.handling.mode': 'rewrite', 'add.fields': 'op,table,lsn,source.ts_ms', 'add.headers': 'db' });
  const d = t.apply(ev('d', { id: 1, v: 'x' }, null))!;
  assert.deepEqual(d.value, { id: 1, v: 'x', __op: 'd', __table: 't', __lsn: 123, __source_ts_ms: 5, __deleted: 'true' });
  assert.deepEqual(d.valueSchema!.fields!.map((f) => f.name), ['id', 'v', '__op', '__table', '__lsn', '__source_ts_ms', '__deleted']);
  assert.equal(d.valueSchema!.fields!.find((f) => f.name === '__lsn')!.schema.type, 'int64');
  assert.deepEqual(d.headers, [{ key: '__db', value: 'd' }]);
  assert.equal((t.apply(ev('c', null, { id: 2, v: 'y' }))!.value as Record<string, unknown>).__deleted, 'false');
  assert.equal(t.apply(tomb), null);
});

test('legacy options map onto delete.tombstone.handling.mode', () => {
  assert.equal(smt({ 'drop.tombstones': 'true' }).apply(tomb), null);
  const none = smt({ 'delete.handling.mode': 'none', 'drop.tombstones': 'true' }).apply(ev('d', { id: 1, v: null }, null))!;
  assert.equal(none.value, null);
  assert.deepEqual(none.key, { id: 1 });
  const rw = smt({ 'delete.handling.mode': 'rewrite', 'drop.tombstones': 'false' });
  assert.equal(rw.apply(tomb), tomb);
  assert.equal((rw.apply(ev('d', { id: 1, v: null }, null))!.value as Record<string, unknown>).__deleted, 'true');
  // non-envelope records (heartbeats) pass through
  const hb: SourceRecord = { sourcePartition: {}, sourceOffset: {}, topic: 'hb', value: { ts_ms: 1 }, valueSchema: SOURCE_SCHEMA };
  assert.equal(smt().apply(hb), hb);
});
