// Socket server: a slow reader must not make the connection pile up listeners.
// Run: node --import tsx --test server/network/socket-server.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pino from 'pino';
import { SocketServer, type Handler } from './socket-server.ts';
import { Writer } from '../protocol/buffers.ts';

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
