import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConsumerAssignment } from './admin-assignment.ts';

function assignment(topics: [string, number[]][], userData: Buffer | null = null): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 1])];
  const n = Buffer.alloc(4); n.writeInt32BE(topics.length); parts.push(n);
  for (const [t, ps] of topics) {
    const name = Buffer.from(t);
    const len = Buffer.alloc(2); len.writeInt16BE(name.length);
    const count = Buffer.alloc(4); count.writeInt32BE(ps.length);
    parts.push(len, name, count, ...ps.map((p) => { const b = Buffer.alloc(4); b.writeInt32BE(p); return b; }));
  }
  const ud = Buffer.alloc(4); ud.writeInt32BE(userData ? userData.length : -1);
  parts.push(ud, ...(userData ? [userData] : []));
  return Buffer.concat(parts);
}

test('a consumer-protocol assignment decodes to topics and sorted partitions', () => {
  assert.deepEqual(decodeConsumerAssignment(assignment([['orders', [2, 0, 1]], ['clicks', [5]]], Buffer.from('x'))), [
    { topic: 'orders', partitions: [0, 1, 2] }, { topic: 'clicks', partitions: [5] },
  ]);
  assert.deepEqual(decodeConsumerAssignment(Buffer.alloc(0)), []);
  assert.deepEqual(decodeConsumerAssignment(null), []);
});

test('bytes of another protocol, or truncated ones, answer null instead of throwing', () => {
  assert.equal(decodeConsumerAssignment(Buffer.from('{"leader":"http://a:8081"}')), null);
  assert.equal(decodeConsumerAssignment(assignment([['orders', [0, 1]]]).subarray(0, 14)), null);
});
