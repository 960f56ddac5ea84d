// The structured protocol fuzzer (test/helpers/protocol-fuzz.ts) with a small budget:
// a valid request of every declared API and version is answered with a response that
// decodes by its declaration; then a few thousand mutated requests (fields, lengths,
// array counts, varints, truncation, versions) never crash the broker, never get a
// malformed answer, a kafkajs producer beside them keeps working, and the broker's
// memory comes back near where it started. `npm run bench -- fuzz` runs 10^5 frames.
// Replay a failure with FUZZ_SEED=<the seed in the message>.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { RawKafkaConnection } from './helpers/raw-kafka.ts';
import { buildBatch, rewriteCrc } from '../server/log/record-batch.ts';
import { everyApiAndVersion, fuzzConnection, makeCase, newStats, prng, rssOf } from './helpers/protocol-fuzz.ts';

// A fixed seed in `npm test` (the same frames every run, so CI is red only for a change of
// ours); FUZZ_SEED=random draws a new one, and `npm run bench -- fuzz` explores.
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 20261206);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 4000);

let shared: ReturnType<typeof startFuzzBroker> | undefined;
const cleanups: (() => unknown)[] = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });
/** One broker for the tests of this file, stopped after them. */
function fuzzBroker() {
  shared ??= startFuzzBroker({ after: (fn) => cleanups.push(fn) });
  return shared;
}

async function startFuzzBroker(t: { after(fn: () => unknown): void }) {
  const dir = tempDir('tributary-fuzz-');
  const prev = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'error'; // a warning per malformed frame would pile up in the captured output
  const cli = await spawnCli(['broker', '--data-dir', dir, '--kafka-port', '0'], ['kafka'], 60_000);
  process.env.LOG_LEVEL = prev;
  t.after(async () => {
    if (cli.child.exitCode === null) { cli.child.kill('SIGTERM'); await cli.exited; }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { cli, port: cli.ports.kafka, pid: cli.child.pid! };
}

test(`fuzz (seed ${SEED}): a valid request of every API and version is answered with a response its declaration decodes`, async (t) => {
  const { cli, port } = await fuzzBroker();
  const stats = newStats();
  const cases = everyApiAndVersion(prng(SEED));
  await fuzzConnection('127.0.0.1', port, cases, stats, { window: 4, windowMs: 15_000 });
  assert.equal(cli.child.exitCode, null, 'broker alive');
  assert.deepEqual(stats.malformed, [], `seed ${SEED}`);
  assert.deepEqual(stats.closedOn, [], `seed ${SEED}: a valid request closed its connection`);
  assert.deepEqual(stats.unansweredOn, [], `seed ${SEED}`);
  assert.equal(stats.answered, cases.length);
  assert.equal(stats.apis.size, new Set(cases.map((c) => c.api.decl.name)).size);
});

test(`fuzz (seed ${SEED}): ${FRAMES} mutated requests never crash the broker or get a malformed answer; a producer beside them keeps working; memory returns near baseline`, async (t) => {
  const { cli, port, pid } = await fuzzBroker();
  const kafka = new Kafka({ clientId: 'canary', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 8 } });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'canary', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // warm up, then the baseline
  const warm = newStats();
  await fuzzConnection('127.0.0.1', port, everyApiAndVersion(prng(SEED)), warm, { window: 8 });
  const baseline = await rssOf(pid);

  const rnd = prng(SEED + 1);
  const cases = Array.from({ length: FRAMES }, () => makeCase(rnd));
  const stats = newStats();
  let canarySent = 0;
  let fuzzing = true;
  const canary = (async () => {
    while (fuzzing) {
      await producer.send({ topic: 'canary', messages: [{ value: `c${canarySent}` }] });
      canarySent++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await Promise.all([0, 1].map((k) => fuzzConnection('127.0.0.1', port, cases.filter((_, i) => i % 2 === k), stats)));
  } finally {
    fuzzing = false;
  }
  await canary;
  assert.equal(cli.child.exitCode, null, `seed ${SEED}: broker died; last requests:\n${stats.recent.join('\n')}`);
  assert.deepEqual(stats.malformed, [], `seed ${SEED}`);
  assert.equal(stats.sent, FRAMES);
  assert.ok(stats.answered > FRAMES / 3, `most requests reach a handler (${stats.answered} answered, ${stats.closed} closed)`);
  assert.ok(canarySent > 0);
  // every canary record is there, in order, and a fresh librdkafka client still works
  const seen = (await kcat(['-b', `127.0.0.1:${port}`, '-t', 'canary', '-C', '-e', '-f', '%s\n'])).trim().split('\n');
  assert.deepEqual(seen, Array.from({ length: canarySent }, (_, i) => `c${i}`));
  // memory: back near the baseline once the fuzz connections are gone (generous: GC decides when)
  const deadline = Date.now() + 60_000;
  let rss = await rssOf(pid);
  while (rss > baseline + 96 * 2 ** 20 && Date.now() < deadline) { await new Promise((r) => setTimeout(r, 1000)); rss = await rssOf(pid); }
  assert.ok(rss <= baseline + 96 * 2 ** 20, `RSS ${rss >> 20} MiB vs baseline ${baseline >> 20} MiB`);
});

test('regression (found by the fuzzer): CreatePartitions asking for 2^31-1 partitions is refused with POLICY_VIOLATION, not an out-of-memory crash', async (t) => {
  const { cli, port } = await fuzzBroker();
  const kafka = new Kafka({ clientId: 'big', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'small', numPartitions: 1 }], waitForLeaders: true });
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'small', count: 2 ** 31 - 1 }] }), (e: any) => {
    const inner = e.errors?.[0] ?? e;
    assert.equal(inner.type, 'POLICY_VIOLATION', String(e));
    return true;
  });
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'huge', numPartitions: 1_000_000 }] }), (e: any) => {
    assert.equal(e.errors?.[0]?.type, 'POLICY_VIOLATION', String(e));
    return true;
  });
  await admin.createPartitions({ topicPartitions: [{ topic: 'small', count: 3 }] });
  assert.equal((await admin.fetchTopicMetadata({ topics: ['small'] })).topics[0].partitions.length, 3);
  assert.equal(cli.child.exitCode, null);
});

test(`fuzz (seed ${SEED}): behind SASL/PLAIN with the authorizer and re-authentication on, mutated requests of every API never crash the broker or get a malformed answer`, async (t) => {
  const dir = tempDir('tributary-fuzz-sasl-');
  const prev = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'error';
  const cli = await spawnCli(['broker', '--data-dir', dir, '--set', 'listeners=SASL_PLAINTEXT://127.0.0.1:0', '--set', 'sasl.enabled.mechanisms=PLAIN',
    '--set', 'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
    '--set', 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer', '--set', 'allow.everyone.if.no.acl.found=true',
    '--set', 'connections.max.reauth.ms=60000', '--set', 'connection.failed.authentication.max.per.ip=0', '--set', 'connection.failed.authentication.delay.ms=0'], ['kafka'], 60_000);
  process.env.LOG_LEVEL = prev;
  t.after(async () => {
    if (cli.child.exitCode === null) { cli.child.kill('SIGTERM'); await cli.exited; }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const port = cli.ports.kafka;
  const login = { plainLogin: { user: 'alice', password: 'alice-pw' } };
  const valid = newStats();
  const seeds = everyApiAndVersion(prng(SEED + 7));
  await fuzzConnection('127.0.0.1', port, seeds, valid, { window: 8, windowMs: 15_000, ...login });
  assert.deepEqual(valid.malformed, [], `seed ${SEED}`);
  assert.ok(valid.answered >= seeds.length - 8, `valid requests answered behind SASL: ${valid.answered}/${seeds.length}; closed on ${valid.closedOn.join(', ')}`);
  const rnd = prng(SEED + 8);
  const cases = Array.from({ length: Math.ceil(FRAMES / 2) }, () => makeCase(rnd));
  const stats = newStats();
  await Promise.all([0, 1].map((k) => fuzzConnection('127.0.0.1', port, cases.filter((_, i) => i % 2 === k), stats, login)));
  assert.equal(cli.child.exitCode, null, `seed ${SEED}: broker died; last requests:\n${stats.recent.join('\n')}`);
  assert.deepEqual(stats.malformed, [], `seed ${SEED}`);
  assert.equal(stats.sent, cases.length);
  // still serves a real client
  const ok = await kcat(['-b', `127.0.0.1:${port}`, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-pw', '-L', '-J']);
  assert.match(ok, /"brokers"/);
});

test('regression (found by the fuzzer): a client\'s control batch (here with a broken snappy body), an unknown codec, or records that do not match their batch header are refused before the append; the log is unchanged', async () => {
  const { port } = await fuzzBroker();
  const c = await RawKafkaConnection.connect(port);
  try {
    const produce = async (records: Buffer) => {
      const r = await c.send('Produce', 8, { acks: 1, timeoutMs: 5000, topicData: [{ name: 'batches', partitionData: [{ index: 0, records }] }] });
      return r.responses[0].partitionResponses[0];
    };
    const ok = await produce(buildBatch([{ value: Buffer.from('v') }]));
    assert.equal(ok.errorCode, 0);
    const control = buildBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from('garbage') }], { control: true });
    control.writeInt16BE(0x20 | 0x02, 21); // control + snappy over a body that is not snappy
    rewriteCrc(control, 0, control.length);
    const refused = await produce(control);
    assert.equal(refused.errorCode, 87, 'INVALID_RECORD');
    assert.match(refused.errorMessage, /control records/);
    const codec = buildBatch([{ value: Buffer.from('v') }]);
    codec.writeInt16BE(0x06, 21);
    rewriteCrc(codec, 0, codec.length);
    assert.equal((await produce(codec)).errorCode, 2, 'CORRUPT_MESSAGE');
    // a batch whose header counts three records but holds two, and one whose record overruns its length
    const short = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    short.writeInt32BE(3, 57);
    rewriteCrc(short, 0, short.length);
    const counted = await produce(short);
    assert.equal(counted.errorCode, 2, 'CORRUPT_MESSAGE');
    assert.match(counted.errorMessage, /count of 3/);
    const overrun = buildBatch([{ key: Buffer.from('k'), value: Buffer.from('value') }]);
    overrun[61] = 0x7e; // record length 63 in a batch with fewer bytes left
    rewriteCrc(overrun, 0, overrun.length);
    assert.equal((await produce(overrun)).errorCode, 2, 'CORRUPT_MESSAGE');
    // a timestamp lookup still reads every stored batch (a broken one made it fail with UNKNOWN_SERVER_ERROR)
    const byTime = await c.send('ListOffsets', 1, { replicaId: -1, topics: [{ name: 'batches', partitions: [{ partitionIndex: 0, timestamp: 0n }] }] });
    assert.equal(byTime.topics[0].partitions[0].errorCode, 0);
    const end = await c.send('ListOffsets', 1, { replicaId: -1, topics: [{ name: 'batches', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
    assert.equal(end.topics[0].partitions[0].offset, 1n, 'only the valid batch was appended');
    assert.equal((await produce(buildBatch([{ value: Buffer.from('w') }]))).baseOffset, 1n);
  } finally {
    c.close();
  }
});
