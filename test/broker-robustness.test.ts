// Garbage on the socket, absurd length prefixes and unsupported versions must not
// take the broker down; kill -9 loses nothing acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { spawnCli } from './helpers/process.ts';
import { kcat } from './helpers/clients.ts';
import { Writer } from '../server/protocol/buffers.ts';
import { API_BY_NAME } from '../server/protocol/apis/index.ts';
import { buildBatch } from '../server/log/record-batch.ts';


function rawExchange(port: number, bytes: Buffer, waitMs = 500): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => { closed = true; });
    s.on('error', () => { closed = true; });
    s.on('connect', () => s.write(bytes));
    setTimeout(() => { resolve({ data: Buffer.concat(chunks), closed }); s.destroy(); }, waitMs);
  });
}

function frame(apiKey: number, version: number, correlation: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(10);
  h.writeInt16BE(apiKey, 0); h.writeInt16BE(version, 2); h.writeInt32BE(correlation, 4); h.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4); size.writeInt32BE(h.length + body.length);
  return Buffer.concat([size, h, body]);
}

test('garbage, absurd sizes and truncated frames close only that connection', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const absurd = await rawExchange(b.port, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
  assert.equal(absurd.closed, true);
  const negative = await rawExchange(b.port, Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  assert.equal(negative.closed, true);
  const garbage = await rawExchange(b.port, Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('GET / HTTP/1.1\r\n\r\nxx')]));
  assert.equal(garbage.closed, true);
  // Metadata v1 whose topics array claims a million entries in a 14-byte frame.
  const lying = frame(3, 1, 7, Buffer.from([0x00, 0x0f, 0x42, 0x40]));
  assert.equal((await rawExchange(b.port, lying)).closed, true);
  // Still serving everyone else.
  await kcat(['-b', b.bootstrap, '-t', 'alive', '-P'], 'ok\n');
  assert.equal((await kcat(['-b', b.bootstrap, '-t', 'alive', '-C', '-e', '-q'])).trim(), 'ok');
});

test('unsupported versions get UNSUPPORTED_VERSION, not a dropped socket', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  // ApiVersions v99: v0-shaped body with error 35 and our ranges.
  const r = await rawExchange(b.port, frame(18, 99, 42));
  assert.equal(r.closed, false);
  assert.equal(r.data.readInt32BE(4), 42);
  assert.equal(r.data.readInt16BE(8), 35);
  assert.ok(r.data.readInt32BE(10) > 10, 'api ranges listed');
  // Metadata v99 answered too.
  const m = await rawExchange(b.port, frame(3, 99, 43));
  assert.equal(m.closed, false);
  assert.equal(m.data.readInt32BE(4), 43);
});

test('kill -9 during produce loses no acknowledged record; restart recovers the log', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['broker', '--data-dir', dir, '--kafka-port', '0', '--set', 'log.segment.bytes=65536'];
  let cli = await spawnCli(args);
  const bootstrap = `127.0.0.1:${cli.ports.kafka}`;
  // librdkafka acks=all producer in python, printing each acknowledged offset
  const script = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': '${bootstrap}', 'acks': 'all', 'linger.ms': 1, 'message.timeout.ms': 5000})
def cb(err, msg):
    if err is None:
        print(msg.value().decode(), flush=True)
i = 0
while True:
    p.produce('durable', value=('m%d' % i).encode(), callback=cb)
    p.poll(0)
    i += 1
    if i % 500 == 0:
        p.flush(5)
`;
  const { spawn } = await import('node:child_process');
  const prod = spawn('/usr/bin/python3', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let acked = '';
  prod.stdout.on('data', (d) => { acked += d.toString(); });
  await new Promise((r) => setTimeout(r, 2500));
  cli.child.kill('SIGKILL');
  await cli.exited;
  await new Promise((r) => setTimeout(r, 300));
  prod.kill('SIGKILL');
  const ackedSet = new Set(acked.trim().split('\n').filter(Boolean));
  assert.ok(ackedSet.size > 500, `expected many acknowledged records, got ${ackedSet.size}`);
  cli = await spawnCli(args);
  t.after(() => cli.child.kill('SIGKILL'));
  const got = new Set((await kcat(['-b', `127.0.0.1:${cli.ports.kafka}`, '-t', 'durable', '-C', '-e', '-q'])).trim().split('\n'));
  const missing = [...ackedSet].filter((m) => !got.has(m));
  assert.deepEqual(missing, [], `${missing.length} acknowledged records lost`);
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0);
});

test('acks=0 produce: no response on success; an error closes the connection, as Kafka does', async (t) => {
  const b = await startBroker({ config: { 'auto.create.topics.enable': 'true' } });
  t.after(() => b.stop());
  const produce = API_BY_NAME.get('Produce')!;
  const request = (partition: number) => {
    const w = new Writer();
    produce.request(3).encode(w, {
      transactionalId: null, acks: 0, timeoutMs: 5000,
      topicData: [{ name: 'acks0', partitionData: [{ index: partition, records: buildBatch([{ key: null, value: Buffer.from(`p${partition}`) }]) }] }],
    });
    return frame(produce.decl.key, 3, 7, w.toBuffer());
  };
  const ok = await rawExchange(b.port, request(0));
  assert.equal(ok.closed, false, 'a successful acks=0 produce keeps the connection');
  assert.equal(ok.data.length, 0, 'and gets no response');
  const bad = await rawExchange(b.port, request(5)); // acks0 has one partition
  assert.equal(bad.closed, true, 'a failed acks=0 produce closes the connection');
  assert.equal(bad.data.length, 0);
  assert.equal(b.broker.replicas.get('acks0', 0)!.log.logEndOffset, 1n);
});
