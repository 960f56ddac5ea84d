// A Connect worker against a broker with only a SASL_SSL (SCRAM) listener, configured by
// Kafka Connect's names: the worker's own clients (security.protocol, sasl.*, ssl.*), the
// tasks' clients on their task threads (producer.* / consumer.*, inherited from the plain
// names), and a connector's producer.override.* with a wrong password -> the task FAILS
// with a trace naming the authentication failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { startConnect } from '../connectors/index.ts';
import { credentialFromPassword } from '../server/security/scram.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('Connect worker and its task threads reach a SASL_SSL-only SCRAM broker; a wrong producer.override password fails the task with a clear trace', async (t) => {
  const dir = tempDir('tributary-connect-secure-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  const b = await startBroker({ config: { listeners: 'SASL_SSL://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'offsets.topic.replication.factor': '1',
    // the bad task retries its login from 127.0.0.1, as the good ones connect from there: no per-address lock-out here
    // (the broker's limiter would close every loopback connection after 10 failures), and a short failure delay
    'connection.failed.authentication.max.per.ip': '0', 'connection.failed.authentication.max.delay.ms': '200' } });
  t.after(() => b.stop());
  b.broker.securityStore.set('connect', 'SCRAM-SHA-512', credentialFromPassword('SCRAM-SHA-512', 'connect-pw'));
  const jaas = (user: string, pw: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${pw}";`;

  const connect = await startConnect({
    bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }), dataDir: path.join(dir, 'connect'), scanPluginsDir: false,
    config: {
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': jaas('connect', 'connect-pw'), 'ssl.truststore.location': ca.cert,
      'config.storage.replication.factor': '1', 'offset.storage.replication.factor': '1', 'status.storage.replication.factor': '1', 'offset.flush.interval.ms': '500',
    },
  });
  t.after(() => connect.close());
  const rest = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${connect.url}${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => null) as any };
  };
  const input = path.join(dir, 'in.txt');
  const output = path.join(dir, 'out.txt');
  fs.writeFileSync(input, 'one\ntwo\nthree\n');
  const str = 'org.apache.kafka.connect.storage.StringConverter';
  assert.equal((await rest('POST', '/connectors', { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic: 'secure-lines', 'value.converter': str } })).status, 201);
  assert.equal((await rest('POST', '/connectors', { name: 'sink', config: { 'connector.class': 'FileStreamSink', file: output, topics: 'secure-lines', 'value.converter': str } })).status, 201);
  await waitFor('the sink file to hold the three lines', async () => fs.existsSync(output) && fs.readFileSync(output, 'utf8') === 'one\ntwo\nthree\n');
  for (const name of ['src', 'sink']) {
    const s = await rest('GET', `/connectors/${name}/status`);
    assert.equal(s.body.tasks[0].state, 'RUNNING', JSON.stringify(s.body));
  }

  // a connector whose producer logs in with a wrong password: its task FAILS, naming the authentication failure
  fs.writeFileSync(path.join(dir, 'bad.txt'), 'x\n');
  assert.equal((await rest('POST', '/connectors', { name: 'bad', config: { 'connector.class': 'FileStreamSource', file: path.join(dir, 'bad.txt'), topic: 'secure-bad', 'value.converter': str, 'producer.override.sasl.jaas.config': jaas('connect', 'wrong-pw') } })).status, 201);
  const failed = await waitFor('the bad task to fail', async () => {
    const s = await rest('GET', '/connectors/bad/status');
    return s.body?.tasks?.[0]?.state === 'FAILED' ? s.body.tasks[0] : undefined;
  });
  assert.match(failed.trace, /SASL|authenticat/i, failed.trace);
  assert.doesNotMatch(JSON.stringify(await rest('GET', '/connectors/bad/status')), /wrong-pw/, 'the password is not in the status');
  // the good connectors keep running
  fs.appendFileSync(input, 'four\n');
  await waitFor('the sink to append the fourth line', async () => fs.readFileSync(output, 'utf8') === 'one\ntwo\nthree\nfour\n');
});
