// KafkaStreams' error paths against the broker: a record that fails to deserialize
// goes to the dead letter topic and processing goes on; an exception in a processor
// with SHUTDOWN_CLIENT ends in state ERROR; topics of a join with different partition
// counts and missing source topics stop start() with a clear error; a record the
// broker refuses goes to the production exception handler on its own; SHUTDOWN_APPLICATION
// from one instance stops them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced, TopologyException, StreamsException } from '../streams/index.ts';

async function readAll(bootstrap: string, topic: string, n: number) {
  const r = new PartitionReader({ bootstrap, clientId: 'read', maxWaitMs: 200 });
  await r.assign([{ topic, partition: 0, offset: 'earliest' }]);
  const out = [];
  const end = Date.now() + 30000;
  try { while (out.length < n && Date.now() < end) for (const b of await r.poll()) out.push(...b.records); } finally { await r.close(); }
  return out;
}

test('dead letter topic for records that fail to deserialize; an uncaught exception with SHUTDOWN_CLIENT ends in ERROR', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  t.after(() => admin.close());
  await admin.createTopics([{ topic: 'nums', partitions: 1, replicationFactor: 1 }, { topic: 'doubled', partitions: 1, replicationFactor: 1 }, { topic: 'nums-dlq', partitions: 1, replicationFactor: 1 }]);
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'p' });
  t.after(() => p.close());
  const long = (n: number) => { const v = Buffer.alloc(8); v.writeBigInt64BE(BigInt(n)); return v; };
  await p.send([{ topic: 'nums', key: 'a', value: long(1) }, { topic: 'nums', key: 'bad', value: 'not a long' }, { topic: 'nums', key: 'b', value: long(2) }]);
  const dir = tempDir('streams-err-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const build = () => {
    const sb = new StreamsBuilder();
    sb.stream('nums', Consumed.with(Serdes.String(), Serdes.Long())).mapValues((v, k) => { if (k === 'boom') throw new Error('processor failed on boom'); return v * 2; }).to('doubled', Produced.with(Serdes.String(), Serdes.Long()));
    return sb.build();
  };
  const app = new KafkaStreams(build(), { 'application.id': 'errs', 'bootstrap.servers': b.bootstrap, 'state.dir': dir, 'errors.deadletterqueue.topic.name': 'nums-dlq', 'commit.interval.ms': 100 });
  const states: string[] = [];
  app.setStateListener((s) => states.push(s));
  let seen: Error | undefined;
  app.setUncaughtExceptionHandler((e) => { seen = e; return 'SHUTDOWN_CLIENT'; });
  t.after(() => app.close());
  await app.start();
  const out = await readAll(b.bootstrap, 'doubled', 2);
  assert.deepEqual(out.map((r) => [r.key!.toString(), Number(r.value!.readBigInt64BE(0))]), [['a', 2], ['b', 4]]);
  const [dlq] = await readAll(b.bootstrap, 'nums-dlq', 1);
  assert.equal(dlq.value!.toString(), 'not a long');
  assert.equal(dlq.headers.find((h) => h.key === '__streams.errors.topic')?.value?.toString(), 'nums');
  assert.equal(dlq.headers.find((h) => h.key === '__streams.errors.offset')?.value?.toString(), '1');

  await p.send([{ topic: 'nums', key: 'boom', value: long(3) }]);
  for (let i = 0; i < 100 && app.state() !== 'ERROR'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(app.state(), 'ERROR');
  assert.match(seen!.message, /processor failed on boom/);
  assert.deepEqual(states.slice(-2), ['PENDING_ERROR', 'ERROR']);
});

test('start() refuses a join of topics that are not co-partitioned, and missing source topics', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  t.after(() => admin.close());
  await admin.createTopics([{ topic: 'clicks', partitions: 3, replicationFactor: 1 }, { topic: 'users', partitions: 2, replicationFactor: 1 }]);
  const dir = tempDir('streams-err-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sb = new StreamsBuilder();
  sb.stream('clicks', Consumed.with(Serdes.String(), Serdes.String())).join(sb.table('users', Consumed.with(Serdes.String(), Serdes.String())), (c, u) => `${c}${u}`).to('out');
  const app = new KafkaStreams(sb.build(), { 'application.id': 'copart', 'bootstrap.servers': b.bootstrap, 'state.dir': dir });
  await assert.rejects(app.start(), (e: Error) => e instanceof TopologyException && /not co-partitioned: \[clicks\(3\), users\(2\)\]/.test(e.message));
  assert.equal(app.state(), 'ERROR');
  const sb2 = new StreamsBuilder();
  sb2.stream('no-such-topic').to('out');
  const app2 = new KafkaStreams(sb2.build(), { 'application.id': 'missing', 'bootstrap.servers': b.bootstrap, 'state.dir': dir });
  await assert.rejects(app2.start(), (e: Error) => e instanceof StreamsException && /Source topics not found: \[no-such-topic\]/.test(e.message));
  assert.throws(() => new KafkaStreams(sb2.build(), { 'bootstrap.servers': b.bootstrap }), /Missing required configuration "application.id"/);
  assert.throws(() => new KafkaStreams(sb2.build(), { 'application.id': 'x', 'bootstrap.servers': b.bootstrap, 'processing.guarantee': 'exactly_twice' as never }), /processing.guarantee/);
});

test('the broker going away ends the application in ERROR through the exception handler, without crashing the process', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  await admin.createTopics([{ topic: 'gone-in', partitions: 1, replicationFactor: 1 }]);
  await admin.close();
  const dir = tempDir('streams-err-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sb = new StreamsBuilder();
  sb.stream('gone-in').to('gone-out');
  const app = new KafkaStreams(sb.build(), { 'application.id': 'gone', 'bootstrap.servers': b.bootstrap, 'state.dir': dir, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 });
  const errors: Error[] = [];
  app.setUncaughtExceptionHandler((e) => { errors.push(e); return 'SHUTDOWN_CLIENT'; });
  t.after(() => app.close());
  await app.start();
  await b.stop();
  for (let i = 0; i < 600 && app.state() !== 'ERROR'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(app.state(), 'ERROR');
  assert.ok(errors.length >= 1);
});

test('the production exception handler judges each record that fails to send, and the rest of its batch is delivered', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  t.after(() => admin.close());
  // the output takes batches of at most 2000 bytes: the 5000-byte record can never be written there
  await admin.createTopics([{ topic: 'texts', partitions: 1, replicationFactor: 1 }, { topic: 'small-out', partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }]);
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'p' });
  t.after(() => p.close());
  await p.send([{ topic: 'texts', key: 'a', value: 'small a' }, { topic: 'texts', key: 'big', value: 'x'.repeat(5000) }, { topic: 'texts', key: 'b', value: 'small b' }]);
  const dir = tempDir('streams-prod-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sb = new StreamsBuilder();
  sb.stream('texts', Consumed.with(Serdes.String(), Serdes.String())).mapValues((v) => v.toUpperCase()).to('small-out', Produced.with(Serdes.String(), Serdes.String()));
  const judged: Array<{ key: string; bytes: number; error: string }> = [];
  const app = new KafkaStreams(sb.build(), {
    'application.id': 'prod-handler', 'bootstrap.servers': b.bootstrap, 'state.dir': dir, 'commit.interval.ms': 100,
    'default.production.exception.handler': (r, e) => { judged.push({ key: r.key?.toString() ?? '', bytes: r.value?.length ?? 0, error: e.message }); return 'CONTINUE'; },
  });
  t.after(() => app.close());
  await app.start();
  const out = await readAll(b.bootstrap, 'small-out', 2);
  assert.deepEqual(out.map((r) => [r.key!.toString(), r.value!.toString()]), [['a', 'SMALL A'], ['b', 'SMALL B']]);
  assert.deepEqual(judged.map((j) => [j.key, j.bytes]), [['big', 5000]], JSON.stringify(judged));
  assert.equal(app.state(), 'RUNNING');
});

test('SHUTDOWN_APPLICATION from one instance stops every instance of the application', { timeout: 120000 }, async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  t.after(() => admin.close());
  await admin.createTopics([{ topic: 'orders', partitions: 2, replicationFactor: 1 }, { topic: 'orders-out', partitions: 2, replicationFactor: 1 }]);
  // the poison record fails once only: an instance that merely took over its partition (SHUTDOWN_CLIENT) would go on running
  let failed = 0;
  const build = () => {
    const sb = new StreamsBuilder();
    sb.stream('orders', Consumed.with(Serdes.String(), Serdes.String())).mapValues((v, k) => { if (k === 'poison' && !failed++) throw new Error('cannot process poison'); return v; }).to('orders-out', Produced.with(Serdes.String(), Serdes.String()));
    return sb.build();
  };
  const apps = [0, 1].map((i) => {
    const dir = tempDir(`streams-shutdown-${i}-`);
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const app = new KafkaStreams(build(), { 'application.id': 'shutdown-app', 'bootstrap.servers': b.bootstrap, 'state.dir': dir, 'commit.interval.ms': 100, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'client.id': `shutdown-${i}` });
    app.setUncaughtExceptionHandler(() => 'SHUTDOWN_APPLICATION');
    t.after(() => app.close());
    return app;
  });
  for (const a of apps) await a.start();
  const waitFor = async (what: () => string, cond: () => boolean) => { for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 100)); assert.ok(cond(), what()); };
  await waitFor(() => 'both instances hold a task', () => apps.every((a) => a.state() === 'RUNNING' && a.activeTasks().length === 1));
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'p' });
  t.after(() => p.close());
  await p.send([{ topic: 'orders', key: 'ok', value: '1', partition: 0 }, { topic: 'orders', key: 'ok', value: '1', partition: 1 }]);
  await readAll(b.bootstrap, 'orders-out', 0);
  await p.send([{ topic: 'orders', key: 'poison', value: 'x', partition: 0 }]);
  await waitFor(() => `every instance in ERROR: ${apps.map((a) => a.state())}`, () => apps.every((a) => a.state() === 'ERROR'));
  assert.equal(failed >= 1, true);
  assert.match(apps.map((a) => a.lastError?.message ?? '').join(' | '), /SHUTDOWN_APPLICATION/);
});
