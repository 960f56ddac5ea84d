// Failed-authentication rate limiting per client address: kcat with a wrong password
// from 127.0.0.1 until the limit, then even the right password from 127.0.0.1 is
// refused (connection closed at once) while a kafkajs client from 127.0.0.2 logs in and
// produces; once the failures age out of the window, 127.0.0.1 may log in again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker.ts';
import { kcat, run } from './helpers/clients.ts';
import { RawKafkaConnection, plainToken } from './helpers/raw-kafka.ts';

test('failed authentications are limited per address: after the limit 127.0.0.1 is refused, 127.0.0.2 is not; the block ends with the window', async (t) => {
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
    'connection.failed.authentication.max.per.ip': '3',
    'connection.failed.authentication.window.ms': '8000',
    'connection.failed.authentication.delay.ms': '20',
  } });
  t.after(() => b.stop());
  const sasl = (pw: string) => ['-b', b.bootstrap, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', `sasl.password=${pw}`];

  // before any failure the right password works from 127.0.0.1
  await kcat([...sasl('alice-secret'), '-t', 'limited', '-P'], 'first\n');
  // wrong passwords: Kafka's failure, until the limit (librdkafka may try more than once per run)
  const bad = await run('kcat', [...sasl('wrong'), '-L', '-m', '2'], { timeoutMs: 20000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /Authentication failed|SASL authentication error/i);
  const blocked = async () => { const c = await RawKafkaConnection.connect(b.port); const r = await c.send('ApiVersions', 0, {}); c.close(); return r === null; };
  for (let i = 0; i < 5 && !(await blocked()); i++) await run('kcat', [...sasl('wrong'), '-L', '-m', '2'], { timeoutMs: 20000 });
  assert.ok(await blocked(), 'a connection from 127.0.0.1 is closed at once');
  // now even the right password from 127.0.0.1 is refused
  const refused = await run('kcat', [...sasl('alice-secret'), '-L', '-m', '3'], { timeoutMs: 20000 });
  assert.notEqual(refused.status, 0, 'blocked address');

  // another address is unaffected: kafkajs from 127.0.0.2 authenticates and produces
  const kafka = new Kafka({
    clientId: 'other-address', brokers: [b.bootstrap], logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    socketFactory: ({ host, port, onConnect }) => net.connect({ host, port, localAddress: '127.0.0.2' }, onConnect),
  });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic: 'limited', messages: [{ value: 'from-127.0.0.2' }] });
  const other = await RawKafkaConnection.connect(b.port, { localAddress: '127.0.0.2' });
  const ok = await other.saslOnce('PLAIN', plainToken('alice', 'alice-secret'));
  assert.equal(ok?.errorCode, 0);
  other.close();

  // the failures age out of the window (8 s): 127.0.0.1 logs in again
  const deadline = Date.now() + 60_000;
  let back = false;
  while (!back && Date.now() < deadline) {
    const c = await RawKafkaConnection.connect(b.port);
    const r = await c.saslOnce('PLAIN', plainToken('alice', 'alice-secret'));
    c.close();
    back = r?.errorCode === 0;
    if (!back) await new Promise((res) => setTimeout(res, 1000));
  }
  assert.ok(back, '127.0.0.1 may log in once its failures are older than the window');
  const seen = (await kcat([...sasl('alice-secret'), '-t', 'limited', '-C', '-e', '-f', '%s\n'])).trim().split('\n');
  assert.deepEqual(seen, ['first', 'from-127.0.0.2']);
});
