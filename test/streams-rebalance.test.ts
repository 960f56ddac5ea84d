// A rebalance while input keeps coming: the instance's reader has fetched ahead of what
// it processed (the next fetch is in flight while a poll is processed), and the records
// of that fetch must not be skipped on the partitions the instance keeps — the reader
// goes back to the processed positions. at_least_once, stateless: every input record
// reaches the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { KafkaAdmin, KafkaProducer, PartitionReader } from '../client/index.ts';
import { StreamsBuilder, KafkaStreams, Serdes, Consumed, Produced } from '../streams/index.ts';

const PARTITIONS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function app(bootstrap: string, stateDir: string): KafkaStreams {
  const b = new StreamsBuilder();
  b.stream<string, string>('rb-in', Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((v) => v.toUpperCase())
    .to('rb-out', Produced.with(Serdes.String(), Serdes.String()));
  return new KafkaStreams(b.build(), { 'application.id': 'rb', 'bootstrap.servers': bootstrap, 'state.dir': stateDir, 'commit.interval.ms': 200, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 300 });
}

test('an instance keeps partitions through a rebalance while input flows: no record its reader fetched ahead is skipped', async (t) => {
  const b = await startBroker({ config: { 'num.partitions': String(PARTITIONS) } });
  t.after(() => b.stop());
  const stateDir = tempDir('streams-rb-');
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const admin = new KafkaAdmin({ bootstrap: b.bootstrap, clientId: 'setup' });
  t.after(() => admin.close());
  await admin.createTopics([{ topic: 'rb-in', partitions: PARTITIONS, replicationFactor: 1 }, { topic: 'rb-out', partitions: PARTITIONS, replicationFactor: 1 }]);

  // input all the time: whenever the instance rebalances, the fetch it has in flight brings records
  const p = new KafkaProducer({ bootstrap: b.bootstrap, clientId: 'in' });
  t.after(() => p.close());
  let sent = 0, stop = false;
  const producing = (async () => {
    while (!stop) {
      await p.send(Array.from({ length: 100 }, (_, j) => ({ topic: 'rb-in', partition: (sent + j) % PARTITIONS, key: null, value: `v${sent + j}` })));
      sent += 100;
      await sleep(5);
    }
  })();

  const a = app(b.bootstrap, `${stateDir}/a`);
  t.after(() => a.close());
  await a.start();
  for (let i = 0; i < 400 && a.processed < 1000; i++) await sleep(25);
  const second = app(b.bootstrap, `${stateDir}/b`);
  t.after(() => second.close());
  await second.start();
  for (let i = 0; i < 600 && !(a.activeTasks().length > 0 && a.activeTasks().length < PARTITIONS && a.state() === 'RUNNING'); i++) await sleep(25);
  assert.ok(a.activeTasks().length > 0 && a.activeTasks().length < PARTITIONS, `the first instance kept some of its tasks and gave up others (${a.activeTasks()}, ${a.state()})`);
  await sleep(500);
  stop = true;
  await producing;

  const r = new PartitionReader({ bootstrap: b.bootstrap, clientId: 'out', maxWaitMs: 200 });
  t.after(() => r.close());
  await r.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'rb-out', partition, offset: 'earliest' as const })));
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  while (seen.size < sent && Date.now() < deadline) for (const x of await r.poll()) for (const rec of x.records) seen.add(rec.value!.toString());
  const missing = Array.from({ length: sent }, (_, i) => `V${i}`).filter((v) => !seen.has(v));
  assert.equal(missing.length, 0, `${missing.length} of ${sent} input records never reached the output, e.g. ${missing.slice(0, 5).join(', ')}`);
  assert.ok(a.state() === 'RUNNING' && second.state() === 'RUNNING', `${a.state()} ${a.lastError?.message ?? ''} / ${second.state()}`);
  await r.close();
  await second.close();
  await a.close();
});

