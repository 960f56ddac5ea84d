// The platform's own clients against a SASL_SSL-only broker, with Kafka's and Confluent's
// names: the registry's store (kafkastore.security.protocol, kafkastore.sasl.*,
// kafkastore.ssl.*) and the CLI (--command-config client.properties).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { run } from './helpers/clients.ts';
import { BIN } from './helpers/process.ts';
import { startRegistry } from '../registry/index.ts';
import { credentialFromPassword } from '../server/security/scram.ts';

test('registry and CLI reach a SASL_SSL-only broker with SCRAM by Kafka\'s client settings; without them they are refused', async (t) => {
  const dir = tempDir('tributary-secure-clients-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  const b = await startBroker({ config: { listeners: 'SASL_SSL://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'sasl.enabled.mechanisms': 'SCRAM-SHA-512' } });
  t.after(() => b.stop());
  b.broker.securityStore.set('platform', 'SCRAM-SHA-512', credentialFromPassword('SCRAM-SHA-512', 'platform-pw'));
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="platform" password="platform-pw";';

  const registry = await startRegistry({
    bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka',
    config: { 'kafkastore.security.protocol': 'SASL_SSL', 'kafkastore.sasl.mechanism': 'SCRAM-SHA-512', 'kafkastore.sasl.jaas.config': jaas, 'kafkastore.ssl.truststore.location': ca.cert },
  });
  t.after(() => registry.close());
  const post = await fetch(`${registry.url}/subjects/secure-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: '{"type":"string"}' }) });
  assert.equal(post.status, 200, await post.clone().text());
  const got = await (await fetch(`${registry.url}/subjects/secure-value/versions/latest`)).json() as { schema: string };
  assert.equal(got.schema, '"string"');

  const props = path.join(dir, 'client.properties');
  fs.writeFileSync(props, `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${jaas}\nssl.truststore.location=${ca.cert}\n`);
  const list = await run(process.execPath, [BIN, 'topic', 'list', '--internal', '--bootstrap', b.bootstrap, '--command-config', props, '--output', 'json'], { timeoutMs: 60000 });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /_schemas/);
  const plain = await run(process.execPath, [BIN, 'topic', 'list', '--bootstrap', b.bootstrap], { timeoutMs: 60000 });
  assert.notEqual(plain.status, 0, 'a PLAINTEXT client is refused by the SASL_SSL listener');
});
