// Replication over inter.broker.listener.name (issue 17): three CLI brokers whose
// clients come in on a PLAINTEXT listener while the brokers replicate over a SASL_SSL
// listener (certificates made here with openssl; PLAIN, and SCRAM with the user in the
// cluster store). Followers must connect
// to the leader's SASL_SSL endpoint, log in, and keep every acknowledged record
// through a kill -9 of the leader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCa, makeCert } from './helpers/certs.ts';
import { kcat, run } from './helpers/clients.ts';
import { BIN } from './helpers/process.ts';
import { createClusterDb, kcatMetadata, TestCluster, waitFor } from './helpers/cluster.ts';
import { BROKER_FLAGS, INTERNAL_PLAIN_JAAS as JAAS, saslSslInterBrokerFlags, checkAcked, fetcherConnections, internalPort, createTopic, partitionInfo, pythonProducer, readAll, settled } from './helpers/replication-e2e.ts';

// The brokers' "replica fetcher connected" lines are info level.
process.env.LOG_LEVEL = 'info';


test('followers replicate over the SASL_SSL inter-broker listener (TLS + PLAIN login) while clients use PLAINTEXT; a leader kill loses no acknowledged record', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-interbroker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The first listener takes --kafka-port (the clients'); brokers reach each other on INTERNAL only.
  const c = new TestCluster(await createClusterDb(), [...BROKER_FLAGS, ...saslSslInterBrokerFlags(dir)]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  const topic = 'over-internal';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const before = await partitionInfo(c, topic);

  const py = pythonProducer(c.bootstrap(), topic, 300, 'sec', 10);
  await waitFor('a third of the records acknowledged', async () => py.ackedSoFar() >= 100, 60000);

  // Each follower fetches from the leader's INTERNAL (SASL_SSL) endpoint, never its CLIENT one.
  const leader = c.brokers.get(before.leader)!;
  const leaderInternal = `127.0.0.1:${internalPort(leader.cli.output())}`;
  for (const b of c.brokers.values()) {
    if (b.nodeId === before.leader) continue;
    const conns = fetcherConnections(b.cli.output()).filter((x) => x.leader === before.leader);
    assert.ok(conns.length > 0, `broker ${b.nodeId} never connected to leader ${before.leader}`);
    for (const x of conns) {
      assert.equal(x.listener, 'INTERNAL');
      assert.equal(x.protocol, 'SASL_SSL');
      assert.equal(x.address, leaderInternal, `broker ${b.nodeId} fetches from the leader's INTERNAL endpoint, not its client port ${leader.port}`);
    }
  }

  await c.kill(before.leader);
  const { acked, errors } = await py.done;
  assert.equal(acked.length, 300, `every record acknowledged (errors: ${errors.join('; ')})`);
  const after = await waitFor('a new leader', async () => { const p = await partitionInfo(c, topic); return p.leader > 0 && p.leader !== before.leader && p; }, 30000);
  checkAcked(await readAll(c, topic), acked, `new leader ${after.leader}`);

  await c.start(before.leader);
  await settled(c, topic);
  checkAcked(await readAll(c, topic), acked, 'after the old leader rejoined');
});

test('a SASL inter-broker listener without this broker\'s own login, or with a mechanism it cannot use, stops the broker naming the setting', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-interbroker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const cert = makeCert(ca, 'broker', '/O=Tributary/CN=broker');
  const common = [
    '--set', 'listeners=CLIENT://127.0.0.1:0,INTERNAL://127.0.0.1:0', '--set', 'listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:SASL_SSL',
    '--set', 'inter.broker.listener.name=INTERNAL', '--set', 'listener.name.internal.sasl.enabled.mechanisms=PLAIN',
    '--set', `listener.name.internal.ssl.keystore.location=${cert.pem}`, '--set', `listener.name.internal.ssl.truststore.location=${ca.cert}`,
  ];
  const c = new TestCluster(await createClusterDb(), []);
  t.after(() => c.close());
  await assert.rejects(c.start(1, [...common, '--set', 'sasl.mechanism.inter.broker.protocol=PLAIN', '--set', 'listener.name.internal.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_broker="x";']),
    /username="\.\.\." password="\.\.\.".*listener\.name\.internal\.plain\.sasl\.jaas\.config/);
  await assert.rejects(c.start(1, [...common, '--set', `listener.name.internal.plain.sasl.jaas.config=${JAAS}`]),
    /sasl\.mechanism\.inter\.broker\.protocol=GSSAPI is not supported/);
});

test('followers log in to each other with SCRAM-SHA-512 over SASL_SSL once the broker user exists in the cluster store', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-interbroker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const cert = makeCert(ca, 'broker', '/O=Tributary/CN=broker');
  const c = new TestCluster(await createClusterDb(), [
    ...BROKER_FLAGS,
    '--set', 'listeners=CLIENT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
    '--set', 'listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:SASL_SSL',
    '--set', 'inter.broker.listener.name=INTERNAL',
    '--set', 'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    '--set', 'listener.name.internal.sasl.enabled.mechanisms=SCRAM-SHA-512',
    '--set', 'listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-scram-secret";',
    '--set', `listener.name.internal.ssl.keystore.location=${cert.pem}`,
    '--set', `listener.name.internal.ssl.truststore.location=${ca.cert}`,
  ]);
  t.after(() => c.close());
  await Promise.all([1, 2, 3].map((n) => c.start(n)));
  await waitFor('three brokers registered', async () => (await kcatMetadata(c.bootstrap())).brokers.length === 3);
  // The brokers' own SCRAM user, made over the client listener as an operator would (Kafka: kafka-storage --add-scram).
  const pw = path.join(dir, 'broker.pw');
  fs.writeFileSync(pw, 'broker-scram-secret');
  const r = await run(process.execPath, [BIN, 'users', 'set', 'broker', '--password-file', pw, '--mechanism', 'SCRAM-SHA-512', '--bootstrap', c.bootstrap()], { timeoutMs: 90000 });
  assert.equal(r.status, 0, r.stderr);
  // A full ISR on an RF=3 topic: both followers logged in and fetched.
  const topic = 'over-scram';
  await createTopic(c, topic, { 'min.insync.replicas': '2' });
  const lines = Array.from({ length: 50 }, (_, i) => `scram-${i}`);
  await kcat(['-b', c.bootstrap(), '-t', topic, '-p', '0', '-P', '-X', 'acks=all'], lines.join('\n') + '\n');
  await settled(c, topic);
  const leader = (await partitionInfo(c, topic)).leader;
  for (const b of c.brokers.values()) {
    if (b.nodeId === leader) continue;
    const conns = fetcherConnections(b.cli.output()).filter((x) => x.leader === leader);
    assert.ok(conns.length > 0 && conns.every((x) => x.listener === 'INTERNAL' && x.protocol === 'SASL_SSL'), `broker ${b.nodeId} fetched from ${leader} over INTERNAL: ${JSON.stringify(conns)}`);
  }
  checkAcked(await readAll(c, topic), lines.map((v, o) => ({ v, o })), `leader ${leader}`);
});
