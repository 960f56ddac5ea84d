// KIP-368 re-authentication (connections.max.reauth.ms): SaslAuthenticate v1+ answers the
// session lifetime; a connection that does not re-authenticate in time is closed; one
// that re-authenticates as the same principal keeps working past its first expiry; a
// re-authentication as another principal or with another mechanism is refused and
// closes the connection. kafkajs (which re-authenticates, KIP-368) keeps producing on
// the same connections. librdkafka 2.0.2 (kcat, python) does not re-authenticate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker.ts';
import { RawKafkaConnection, plainToken } from './helpers/raw-kafka.ts';

const USERS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw" user_bob="bob-pw";';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reauthBroker(t: { after(fn: () => unknown): void }, reauthMs: number) {
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': USERS,
    'connections.max.reauth.ms': String(reauthMs),
    'connection.failed.authentication.max.per.ip': '0',
  } });
  t.after(() => b.stop());
  return b;
}

test('KIP-368: session_lifetime_ms is answered; without re-authentication the connection is closed after it; v0 gets no lifetime but is closed too', async (t) => {
  const b = await reauthBroker(t, 2000);
  const c = await RawKafkaConnection.connect(b.port);
  t.after(() => c.close());
  const auth = await c.saslOnce('PLAIN', plainToken('alice', 'alice-pw'));
  assert.equal(auth.errorCode, 0);
  assert.equal(auth.sessionLifetimeMs, 2000n);
  assert.ok(await c.send('Metadata', 4, { topics: [] }), 'answered while the session lasts');
  await Promise.race([c.closedAt, sleep(30_000)]);
  assert.ok(c.closed, 'closed once the session expired');

  const v0 = await RawKafkaConnection.connect(b.port);
  t.after(() => v0.close());
  const a0 = await v0.saslOnce('PLAIN', plainToken('alice', 'alice-pw'), 0);
  assert.equal(a0.errorCode, 0);
  await Promise.race([v0.closedAt, sleep(30_000)]);
  assert.ok(v0.closed, 'a v0 client is closed at expiry as well');
});

test('KIP-368: re-authenticating as the same principal keeps the connection past its first expiry; another principal or mechanism is refused and closed', async (t) => {
  const b = await reauthBroker(t, 8000);
  const c = await RawKafkaConnection.connect(b.port);
  t.after(() => c.close());
  const t0 = Date.now();
  assert.equal((await c.saslOnce('PLAIN', plainToken('alice', 'alice-pw'))).errorCode, 0);
  await sleep(4000);
  const again = await c.saslOnce('PLAIN', plainToken('alice', 'alice-pw'));
  assert.equal(again?.errorCode, 0, 're-authenticated');
  assert.equal(again.sessionLifetimeMs, 8000n);
  await sleep(Math.max(0, t0 + 9000 - Date.now())); // past the first session's end, inside the second's
  assert.ok(await c.send('Metadata', 4, { topics: [] }), 'still answered after the first session ended');
  assert.equal(b.broker.connectionStats().reauthentications, 1);

  const other = await RawKafkaConnection.connect(b.port);
  t.after(() => other.close());
  assert.equal((await other.saslOnce('PLAIN', plainToken('alice', 'alice-pw'))).errorCode, 0);
  const change = await other.saslOnce('PLAIN', plainToken('bob', 'bob-pw'));
  assert.equal(change?.errorCode, 58, 'SASL_AUTHENTICATION_FAILED');
  assert.match(change.errorMessage, /Cannot change principals during re-authentication from User:alice: User:bob/);
  await other.closedAt;

  const mech = await RawKafkaConnection.connect(b.port);
  t.after(() => mech.close());
  assert.equal((await mech.saslOnce('PLAIN', plainToken('alice', 'alice-pw'))).errorCode, 0);
  const hs = await mech.send('SaslHandshake', 1, { mechanism: 'SCRAM-SHA-256' });
  assert.notEqual(hs?.errorCode ?? -1, 0);
  await mech.closedAt;

  const wrong = await RawKafkaConnection.connect(b.port);
  t.after(() => wrong.close());
  assert.equal((await wrong.saslOnce('PLAIN', plainToken('alice', 'alice-pw'))).errorCode, 0);
  assert.equal((await wrong.saslOnce('PLAIN', plainToken('alice', 'nope')))?.errorCode, 58, 'a failed re-authentication fails the connection');
  await wrong.closedAt;
});

test('KIP-368 with kafkajs: a producer re-authenticates on its connections and keeps producing across several session lifetimes', async (t) => {
  const b = await reauthBroker(t, 3000);
  const kafka = new Kafka({
    clientId: 'reauth', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, reauthenticationThreshold: 1500,
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-pw' },
  });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic: 'reauth', messages: [{ value: 'warm' }] });
  const before = b.broker.connectionStats();
  const until = Date.now() + 10_000;
  let sent = 0;
  while (Date.now() < until) {
    await producer.send({ topic: 'reauth', messages: [{ value: `m${sent++}` }] });
    await sleep(200);
  }
  const after = b.broker.connectionStats();
  assert.ok(after.reauthentications >= 2, `re-authenticated ${after.reauthentications} times`);
  assert.equal(after.created, before.created, 'no new connection was needed');
  const consumer = kafka.consumer({ groupId: 'reauth-check' });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'reauth', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => { void consumer.run({ eachMessage: async ({ message }) => { got.push(String(message.value)); if (got.length === sent + 1) resolve(); } }); });
  assert.equal(got.length, sent + 1);
});
