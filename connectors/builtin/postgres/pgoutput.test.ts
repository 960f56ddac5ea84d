// pgoutput decoding, LSNs and the text → Connect value conversions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePgOutput, parseFrame, standbyStatus, PG_EPOCH_US, UNCHANGED_TOAST } from './pgoutput.ts';
import { formatLsn, parseLsn } from './lsn.ts';
import { columnType, decimalString, parseArrayText, parseIntervalMicros, parseTimestampMicros, zonedTimestamp, parseDateDays, Oid } from './types.ts';

const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])]);
const i8 = (n: number) => Buffer.from([n]);
const i16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const i32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const i64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(n); return b; };
const text = (s: string) => Buffer.concat([Buffer.from('t'), i32(Buffer.byteLength(s)), Buffer.from(s)]);

test('LSN text form round-trips', () => {
  assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) | 0xB374D848n);
  assert.equal(formatLsn(parseLsn('0/1A2B')), '0/1A2B');
});

test('decodes Begin, Relation, Insert, Update (old key), Delete, Truncate, Commit', () => {
  assert.deepEqual(decodePgOutput(Buffer.concat([Buffer.from('B'), i64(100n), i64(5n), i32(42)])), { tag: 'begin', finalLsn: 100n, commitTimeUs: 5n + PG_EPOCH_US, xid: 42 });
  const rel = decodePgOutput(Buffer.concat([Buffer.from('R'), i32(16384), cstr('public'), cstr('t'), Buffer.from('d'), i16(2), i8(1), cstr('id'), i32(23), i32(-1), i8(0), cstr('v'), i32(25), i32(-1)]));
  assert.deepEqual(rel, { tag: 'relation', relationOid: 16384, schema: 'public', name: 't', replicaIdentity: 'd', columns: [{ flags: 1, name: 'id', typeOid: 23, typmod: -1 }, { flags: 0, name: 'v', typeOid: 25, typmod: -1 }] });
  const ins = decodePgOutput(Buffer.concat([Buffer.from('I'), i32(16384), Buffer.from('N'), i16(2), text('1'), Buffer.from('n')]));
  assert.deepEqual(ins, { tag: 'insert', relationOid: 16384, newTuple: ['1', null] });
  const upd = decodePgOutput(Buffer.concat([Buffer.from('U'), i32(16384), Buffer.from('K'), i16(2), text('1'), Buffer.from('n'), Buffer.from('N'), i16(2), text('2'), Buffer.from('u')]));
  assert.deepEqual(upd, { tag: 'update', relationOid: 16384, oldKind: 'K', oldTuple: ['1', null], newTuple: ['2', UNCHANGED_TOAST] });
  const del = decodePgOutput(Buffer.concat([Buffer.from('D'), i32(16384), Buffer.from('O'), i16(1), text('é')]));
  assert.deepEqual(del, { tag: 'delete', relationOid: 16384, oldKind: 'O', oldTuple: ['é'] });
  assert.deepEqual(decodePgOutput(Buffer.concat([Buffer.from('T'), i32(2), i8(1), i32(1), i32(2)])), { tag: 'truncate', options: 1, relationOids: [1, 2] });
  assert.deepEqual(decodePgOutput(Buffer.concat([Buffer.from('C'), i8(0), i64(100n), i64(150n), i64(7n)])), { tag: 'commit', flags: 0, commitLsn: 100n, endLsn: 150n, commitTimeUs: 7n + PG_EPOCH_US });
});

test('integer columns decode as the numbers their text spells (as Number() gives), longer ones stay text', () => {
  const cols = ['0', '-7', '42', '999999999999999', '-999999999999999', '1000000000000000', '9223372036854775807', '1e3', '-', ' 1'];
  const tuple = Buffer.concat([Buffer.from('I'), i32(7), Buffer.from('N'), i16(cols.length + 3), ...cols.map(text), Buffer.from('n'), text('5'), text('6')]);
  const ints = Uint8Array.from([...cols.map(() => 1), 0, 1, 0]);
  const m = decodePgOutput(tuple, 0, tuple.length, (oid) => (oid === 7 ? ints : undefined));
  assert.deepEqual(m, { tag: 'insert', relationOid: 7, newTuple: [0, -7, 42, 999999999999999, -999999999999999, '1000000000000000', '9223372036854775807', '1e3', '-', ' 1', null, 5, '6'] });
  for (const [i, v] of (m as { newTuple: unknown[] }).newTuple.entries()) if (typeof v === 'number') assert.equal(v, Number(cols[i] ?? (i === 11 ? '5' : '')));
  // another relation's tuple, or none known: all text
  assert.deepEqual((decodePgOutput(tuple, 0, tuple.length, () => undefined) as { newTuple: unknown[] }).newTuple.slice(0, 2), ['0', '-7']);
  const upd = Buffer.concat([Buffer.from('U'), i32(7), Buffer.from('K'), i16(2), text('1'), Buffer.from('n'), Buffer.from('N'), i16(2), text('2'), Buffer.from('u')]);
  assert.deepEqual(decodePgOutput(upd, 0, upd.length, () => ints), { tag: 'update', relationOid: 7, oldKind: 'K', oldTuple: [1, null], newTuple: [2, UNCHANGED_TOAST] });
  const del = Buffer.concat([Buffer.from('D'), i32(7), Buffer.from('K'), i16(1), text('-3')]);
  assert.deepEqual(decodePgOutput(del, 0, del.length, () => ints), { tag: 'delete', relationOid: 7, oldKind: 'K', oldTuple: [-3] });
});

test('replication frames and the standby status update', () => {
  const k = parseFrame(Buffer.concat([Buffer.from('k'), i64(999n), i64(1n), i8(1)]));
  assert.deepEqual(k, { kind: 'keepalive', walEnd: 999n, sendTimeUs: 1n, replyRequested: true });
  const s = standbyStatus(0x1234n, true, 946_684_800_000);
  assert.equal(s[0], 0x72);
  assert.equal(s.readBigUInt64BE(1), 0x1234n);
  assert.equal(s.readBigUInt64BE(9), 0x1234n, 'flush position = the confirmed LSN');
  assert.equal(s.readBigInt64BE(25), 0n, 'clock in µs since 2000-01-01');
  assert.equal(s[33], 1);
});

test('text values convert with Debezium semantics', () => {
  assert.deepEqual(parseArrayText('{a,"b c","d\\"e",NULL}'), ['a', 'b c', 'd"e', null]);
  assert.deepEqual(parseArrayText('{{1,2},{3,4}}'), [['1', '2'], ['3', '4']]);
  assert.equal(parseDateDays('1970-01-02'), 1);
  assert.equal(parseTimestampMicros('2024-01-02 03:04:05.5'), Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 500000);
  assert.equal(parseTimestampMicros('2024-01-02 03:04:05+02'), Date.UTC(2024, 0, 2, 1, 4, 5) * 1000);
  assert.equal(zonedTimestamp('2024-01-02 03:04:05.120000+00'), '2024-01-02T03:04:05.12Z');
  assert.equal(parseIntervalMicros('1 day 01:00:00'), (24 + 1) * 3600e6);
  assert.equal(parseIntervalMicros('-00:00:01.5'), -1.5e6);
  assert.equal(decimalString('-1.5', 3), '-1.500');
  assert.equal(decimalString('0.05', 2), '0.05');
  const numeric = columnType(Oid.numeric, ((10 << 16) | 2) + 4, true, { decimalMode: 'precise' });
  assert.equal(numeric.schema.parameters!.scale, '2');
  assert.equal(numeric.convert('12.5'), '12.50');
  assert.equal(columnType(Oid.numeric, -1, true, { decimalMode: 'string' }).convert('1.25'), '1.25');
  assert.equal(columnType(Oid.numeric, -1, true, { decimalMode: 'double' }).convert('1.25'), 1.25);
  assert.deepEqual(columnType(Oid.numeric, -1, true, { decimalMode: 'precise' }).convert('-1.25'), { scale: 2, value: Buffer.from([0x83]) });
  assert.equal(columnType(Oid.int8, -1, false, { decimalMode: 'precise' }).convert('9223372036854775807'), 9223372036854775807n);
  assert.deepEqual(columnType(Oid.bytea, -1, false, { decimalMode: 'precise' }).convert('\\x0aff'), Buffer.from([0x0a, 0xff]));
  assert.equal(columnType(Oid.time, 3, false, { decimalMode: 'precise' }).schema.name, 'io.debezium.time.Time');
  assert.equal(columnType(Oid.timestamp, -1, false, { decimalMode: 'precise' }).schema.name, 'io.debezium.time.MicroTimestamp');
  assert.deepEqual(columnType(1007, -1, true, { decimalMode: 'precise' }).convert('{1,NULL,3}'), [1, null, 3]);
});
