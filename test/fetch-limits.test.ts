// Fetch response limits (KIP-74): max_bytes and partition_max_bytes bound the response;
// only the first batch of the first partition with data may exceed them, so a
// consumer always makes progress. librdkafka rejects a response larger than
// receive.message.max.bytes ("Invalid response size"), as its test 0082 shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { startBroker } from './helpers/broker.ts';
import { kcat, python } from './helpers/clients.ts';
import { Reader, Writer } from '../server/protocol/buffers.ts';
import { API_BY_NAME } from '../server/protocol/apis/index.ts';

test('librdkafka 0082: 900 KB messages in three partitions consumed with fetch.max.bytes=1000000', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-L']); // broker up
  b.broker.topics.create('fmb', 3, 1, {});
  const r = await python([path.join(import.meta.dirname, 'py/fetch_max_bytes.py'), b.bootstrap, 'fmb', '3', '4'], 90000);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.consumed, 12, `consumed ${out.consumed} of 12; client errors: ${JSON.stringify(out.errors)}`);
});

/** One Fetch v11 (librdkafka's version) over a raw socket, decoded with the broker's own declaration. */
async function fetch(port: number, maxBytes: number, partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number }[]) {
  const api = API_BY_NAME.get('Fetch')!;
  const w = new Writer();
  w.int32(0).int16(api.decl.key).int16(11).int32(1).string('fetch-limits');
  api.request(11).encode(w, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'lim', partitions: partitions.map((p) => ({ ...p, currentLeaderEpoch: -1, logStartOffset: -1n })) }],
    forgottenTopicsData: [], rackId: '',
  });
  const req = w.toBuffer();
  req.writeInt32BE(req.length - 4, 0);
  const sock = net.connect(port, '127.0.0.1');
  try {
    const data = await new Promise<Buffer>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      sock.on('error', reject);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) resolve(buf);
      });
      sock.write(req);
    });
    const body = api.response(11).decode(new Reader(data.subarray(8, 4 + data.readInt32BE(0))));
    const sizes = new Map<number, number>(body.responses[0].partitions.map((p: any) => [p.partitionIndex, p.records?.length ?? 0]));
    return { size: data.length, sizes };
  } finally {
    sock.destroy();
  }
}

test('Fetch: only the first batch of the first partition with data may exceed max_bytes or partition_max_bytes', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  b.broker.topics.create('lim', 3, 1, {});
  const big = 'x'.repeat(50_000);
  for (const p of [0, 1, 2]) await kcat(['-b', b.bootstrap, '-P', '-t', 'lim', '-p', String(p), '-z', 'none'], `${big}\n`);
  const all = (partitionMaxBytes: number, from = [0n, 0n, 0n]) => [0, 1, 2].map((partition) => ({ partition, fetchOffset: from[partition], partitionMaxBytes }));

  // max_bytes: partition 0's batch fills the response; the others wait for the next fetch
  let r = await fetch(b.port, 60_000, all(1 << 20));
  assert.ok(r.sizes.get(0)! > 50_000);
  assert.deepEqual([r.sizes.get(1), r.sizes.get(2)], [0, 0]);
  assert.ok(r.size < 60_000 + 200, `response of ${r.size} bytes for max_bytes 60000`);

  // partition_max_bytes: the first partition's batch still comes (progress), no other oversized one
  r = await fetch(b.port, 10_000_000, all(10_000));
  assert.ok(r.sizes.get(0)! > 50_000);
  assert.deepEqual([r.sizes.get(1), r.sizes.get(2)], [0, 0]);

  // the first partition *with data* is the one allowed to exceed: here partition 1
  r = await fetch(b.port, 10_000, all(10_000, [1n, 0n, 0n]));
  assert.deepEqual([r.sizes.get(0), r.sizes.get(2)], [0, 0]);
  assert.ok(r.sizes.get(1)! > 50_000);

  // limits that fit everything return everything
  r = await fetch(b.port, 10_000_000, all(1 << 20));
  assert.ok([0, 1, 2].every((p) => r.sizes.get(p)! > 50_000));
});
