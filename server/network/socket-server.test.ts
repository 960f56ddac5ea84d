// Socket server: a slow reader must not make the connection pile up listeners;
// Produce requests pipeline, replies stay in request order.
// Run: node --import tsx --test server/network/socket-server.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import { SocketServer, NO_RESPONSE, type Handler } from './socket-server.ts';
import { requestFrames, type SharedBuffer } from '../log/read-buffers.ts';
import { Writer } from '../protocol/buffers.ts';
import { API_BY_KEY } from '../protocol/apis/index.ts';

type After = { after: (fn: () => unknown) => void };

/** A server with these handlers and one client connection to it; `replies` collects the correlation ids answered. */
async function connected(t: After, handlers: Map<number, Handler>, maxRequestBytes: number): Promise<{ sock: net.Socket; replies: number[] }> {
  const server = new SocketServer({ host: '127.0.0.1', port: 0, maxRequestBytes, idleMs: 60000, logger: pino({ level: 'silent' }), handlers });
  const port = await server.listen();
  t.after(() => server.close());
  const sock = net.connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const replies: number[] = [];
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) { replies.push(buf.readInt32BE(4)); buf = buf.subarray(4 + buf.readInt32BE(0)); }
  });
  return { sock, replies };
}

/** One request as a client sends it: size, header v1, body. */
function frame(key: number, version: number, id: number, clientId: string, body: any): Buffer {
  const w = new Writer();
  w.int32(0).int16(key).int16(version).int32(id).string(clientId);
  API_BY_KEY.get(key)!.request(version).encode(w, body);
  const b = w.toBuffer(); b.writeInt32BE(b.length - 4, 0); return b;
}

async function until(what: string, ok: () => boolean, detail: () => string = () => ''): Promise<void> {
  for (const end = Date.now() + 30000; !ok();) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}${detail()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('back-pressure: many blocked writes on one connection add no listener per write', async (t) => {
  // Big ApiVersions answers (~600 KB each) overrun the socket's buffer on every reply.
  const big = Array.from({ length: 100_000 }, (_, i) => ({ apiKey: i & 0x7fff, minVersion: 0, maxVersion: 1 }));
  const handlers = new Map<number, Handler>([[18, () => ({ errorCode: 0, apiKeys: big, throttleTimeMs: 0 })]]);
  const server = new SocketServer({ host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, idleMs: 60000, logger: pino({ level: 'silent' }), handlers });
  const port = await server.listen();
  t.after(() => server.close());

  const warnings: string[] = [];
  const onWarning = (w: Error) => { warnings.push(`${w.name}: ${w.message}`); };
  process.on('warning', onWarning);
  t.after(() => { process.off('warning', onWarning); });

  const N = 30;
  const sock = net.connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.pause();
  for (let i = 0; i < N; i++) {
    const w = new Writer();
    w.int32(0).int16(18).int16(1).int32(i).string('slow-reader');
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    sock.write(frame);
  }
  // Read slowly: a little at a time, so the server blocks on nearly every reply.
  let got = 0; let pending = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got} of ${N} replies`)), 60000);
    sock.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        assert.equal(pending.readInt32BE(4), got, 'replies in request order');
        pending = pending.subarray(4 + pending.readInt32BE(0)); got++;
      }
      if (got === N) { clearTimeout(timer); resolve(); return; }
      sock.pause(); setTimeout(() => sock.resume(), 2);
    });
    sock.resume();
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings.filter((w) => w.includes('MaxListenersExceeded')), []);
});

test('pipelining: Produce requests of one connection overlap, other requests wait their turn, replies keep request order', async (t) => {
  // Produce answers when the test opens its gate, like an acks=all request waiting for followers.
  const called: string[] = [];
  const gates = new Map<number, () => void>();
  const handlers = new Map<number, Handler>([
    [0, (ctx) => { called.push(`produce ${ctx.correlationId}`); return new Promise((r) => gates.set(ctx.correlationId, () => r({ responses: [], throttleTimeMs: 0 }))); }],
    [18, (ctx) => { called.push(`apiversions ${ctx.correlationId}`); return { errorCode: 0, apiKeys: [], throttleTimeMs: 0 }; }],
  ]);
  const { sock, replies } = await connected(t, handlers, 1 << 20);
  const produce = { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [] };
  sock.write(Buffer.concat([frame(0, 3, 1, 'pipeline-test', produce), frame(0, 3, 2, 'pipeline-test', produce), frame(18, 1, 3, 'pipeline-test', {}), frame(0, 3, 4, 'pipeline-test', produce)]));
  const state = () => `; handled: ${called.join(', ')}; replies: ${replies.join(',')}`;
  // The second Produce is handled while the first still waits; ApiVersions is not.
  await until('the second produce to be handled', () => called.length >= 2, state);
  assert.deepEqual(called, ['produce 1', 'produce 2']);
  // The second finishes first: its reply still waits for the first's.
  gates.get(2)!();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(replies, []);
  gates.get(1)!();
  await until('ApiVersions and the last produce to be handled', () => called.length === 4, state);
  assert.deepEqual(called, ['produce 1', 'produce 2', 'apiversions 3', 'produce 4']);
  gates.get(4)!();
  await until('four replies', () => replies.length === 4, state);
  assert.deepEqual(replies, [1, 2, 3, 4]);
});

test('a large Produce is read into a pooled frame, held until its reply is written (also with no reply, acks=0), then read into again', async (t) => {
  const seen: { frame: SharedBuffer | undefined; records: Buffer; holders: number }[] = [];
  const gates: (() => void)[] = [];
  const handlers = new Map<number, Handler>([
    [0, (ctx, req) => {
      const records = req.topicData[0].partitionData[0].records as Buffer;
      seen.push({ frame: ctx.frame, records, holders: ctx.frame?.holders ?? 0 });
      if (req.acks === 0) return NO_RESPONSE;
      return new Promise((r) => gates.push(() => r({ responses: [], throttleTimeMs: 0 })));
    }],
  ]);
  const { sock, replies } = await connected(t, handlers, 4 << 20);
  const produce = (id: number, acks: number, fill: number) =>
    frame(0, 3, id, 'pool-test', { transactionalId: null, acks, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(300_000, fill) }] }] });
  // Sent in small pieces, as a socket delivers a large request.
  const first = produce(1, -1, 1);
  for (let i = 0; i < first.length; i += 7000) sock.write(first.subarray(i, i + 7000));
  await until('the first produce', () => seen.length === 1);
  const a = seen[0];
  assert.ok(a.frame, 'a large Produce comes in a pooled frame');
  assert.equal(a.holders, 1);
  assert.equal(a.records.buffer, a.frame!.buf.buffer, 'its records lie in the frame');
  assert.ok(a.records.every((x) => x === 1));
  const idle = requestFrames.idleBytes;
  gates.shift()!();
  await until('its reply', () => replies.length === 1);
  await until('the frame back in the pool', () => requestFrames.idleBytes > idle);
  assert.equal(a.frame!.holders, 0);

  sock.write(produce(2, 0, 2)); // acks=0: no reply to write, the frame goes back at once
  await until('the acks=0 produce', () => seen.length === 2);
  assert.equal(seen[1].frame!.buf, a.frame!.buf, 'the next large request is read into the same memory');
  assert.ok(seen[1].records.every((x) => x === 2));
  await until('that frame back in the pool', () => seen[1].frame!.holders === 0);
  assert.equal(replies.length, 1);
});

test('a connection whose next request cannot be handled yet is not read further (TCP holds the producer back)', async (t) => {
  // Produce answers only when the test opens the gates, like acks=all requests waiting for followers.
  const gates: (() => void)[] = [];
  const handlers = new Map<number, Handler>([[0, () => new Promise((r) => gates.push(() => r({ responses: [], throttleTimeMs: 0 })))]]);
  const server = new SocketServer({ host: '127.0.0.1', port: 0, maxRequestBytes: 4 << 20, idleMs: 60000, logger: pino({ level: 'silent' }), handlers, maxInFlightPerConnection: 2 });
  const port = await server.listen();
  t.after(() => server.close());
  const sock = net.connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  await new Promise<void>((r) => sock.once('connect', () => r()));
  let replies = 0; let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) { replies++; buf = buf.subarray(4 + buf.readInt32BE(0)); }
  });
  const N = 80; // 80 × 300 KB = 24 MB: more than the kernel's socket buffers on both sides hold
  const produce = (id: number) => frame(0, 3, id, 'mute-test', { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(300_000, id) }] }] });
  for (let i = 1; i <= N; i++) sock.write(produce(i));
  await until('two produces in flight', () => gates.length === 2);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(gates.length, 2, 'no more than maxInFlightPerConnection handled');
  // Read on regardless, the server would have taken all 24 MB off the socket by now.
  assert.ok(sock.writableLength > 4 << 20, `the client still holds ${sock.writableLength} bytes it could not send`);
  // Answered, the rest is read and handled in order.
  for (let done = 0; done < N;) { const g = gates.splice(0); done += g.length; for (const f of g) f(); if (done < N) await until('the next produces', () => gates.length > 0 || replies >= N); }
  await until(`${N} replies`, () => replies === N);
  assert.equal(sock.writableLength, 0);
});
