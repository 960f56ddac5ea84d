// A broker connection's large responses are read into pooled frames: a leased request
// (a follower's fetch) hands its frame back for the next response, a plain request keeps
// its bytes. Run: node --import tsx --test server/replication/broker-connection.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Reader, Writer } from '../protocol/buffers.ts';
import { API_BY_KEY, Fetch } from '../protocol/apis/index.ts';
import { BrokerConnection, responseFrames } from './broker-connection.ts';

/** A peer answering every Fetch v12 with one partition whose records are 200 KB of the request's number. */
async function fetchPeer(t: { after(fn: () => unknown): void }): Promise<number> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const r = new Reader(buf.subarray(4, 4 + buf.readInt32BE(0)));
        buf = buf.subarray(4 + buf.readInt32BE(0));
        r.int16(); r.int16();
        const id = r.int32();
        const w = new Writer();
        w.int32(0); w.int32(id); w.uvarint(0);
        API_BY_KEY.get(Fetch.key)!.response(12).encode(w, {
          throttleTimeMs: 0, errorCode: 0, sessionId: 0,
          responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(200_000, ++n) }] }],
        });
        const out = w.toBuffer();
        out.writeInt32BE(out.length - 4, 0);
        s.write(out);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }));
  return (server.address() as net.AddressInfo).port;
}

const request = { replicaId: 1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [] };

test('a leased response frame is handed back once and read into again; a plain response keeps its bytes', async (t) => {
  const conn = await BrokerConnection.connect('127.0.0.1', await fetchPeer(t), 'test');
  t.after(() => conn.close());
  const records = (res: any): Buffer => res.responses[0].partitions[0].records;

  const first = await conn.sendLeased(Fetch, 12, request);
  const a = records(first.res);
  assert.equal(a.length, 200_000);
  assert.equal(a[0], 1);
  const idle = responseFrames.idleBytes;
  first.release();
  first.release(); // a second release changes nothing
  assert.ok(responseFrames.idleBytes > idle, 'the frame went back to the pool');

  const second = await conn.sendLeased(Fetch, 12, request);
  const b = records(second.res);
  assert.equal(b[0], 2);
  assert.equal(b.buffer, a.buffer, 'the next large response is read into the same memory');

  // Not leased: nobody says when its bytes are done with, so the next response goes elsewhere.
  second.release();
  const plain = records(await conn.send(Fetch, 12, request));
  assert.equal(plain[0], 3);
  const next = await conn.sendLeased(Fetch, 12, request);
  assert.equal(records(next.res)[0], 4);
  assert.equal(plain[0], 3, 'a plain response is never overwritten by a later one');
  assert.equal(plain[199_999], 3);
  next.release();
});
