// The UI server's own clients with configured credentials: its broker client against a
// SASL_SSL-only SCRAM broker (security.protocol, sasl.*, ssl.truststore.*), and its calls
// to a registry and a Connect worker that require basic auth
// (ui.registry.basic.auth.user.info, ui.connect.basic.auth.user.info). A UI without
// those settings is refused by all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { makeCa, makeCert } from './helpers/certs.ts';
import { startRegistry } from '../registry/index.ts';
import { startConnect } from '../connectors/index.ts';
import { startUi } from '../ui/server/index.ts';
import { Samplers } from '../ui/server/services/samplers.ts';
import { credentialFromPassword } from '../server/security/scram.ts';

test('UI server reaches a SASL_SSL broker, an authenticated registry and Connect with its configured credentials', async (t) => {
  const dir = tempDir('tributary-ui-clients-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir);
  const server = makeCert(ca, 'server', '/CN=localhost');
  const b = await startBroker({ config: { listeners: 'SASL_SSL://127.0.0.1:0', 'ssl.keystore.location': server.pem, 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' } });
  t.after(() => b.stop());
  b.broker.securityStore.set('platform', 'SCRAM-SHA-256', credentialFromPassword('SCRAM-SHA-256', 'platform-pw'));
  const security = {
    'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'ssl.truststore.location': ca.cert,
    'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="platform" password="platform-pw";',
  };
  // one JAAS file: the registry's SchemaRegistry-Props and Connect's KafkaConnect sections
  const regUsers = path.join(dir, 'registry-users.properties');
  fs.writeFileSync(regUsers, 'ui-user: ui-registry-pw,admin\n');
  const connectUsers = path.join(dir, 'connect-users.properties');
  fs.writeFileSync(connectUsers, 'ui-user: ui-connect-pw\n');
  const jaas = path.join(dir, 'jaas.conf');
  fs.writeFileSync(jaas, `SchemaRegistry-Props {\n  org.eclipse.jetty.jaas.spi.PropertyFileLoginModule required\n  file="${regUsers}";\n};\nKafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file="${connectUsers}";\n};\n`);
  const registry = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', config: { 'authentication.method': 'BASIC', 'authentication.realm': 'SchemaRegistry-Props', 'authentication.roles': 'admin', 'java.security.auth.login.config': jaas } });
  t.after(() => registry.close());
  const connect = await startConnect({
    bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), dataDir: path.join(dir, 'connect'), scanPluginsDir: false,
    config: { ...security, 'rest.extension.classes': 'org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension', 'java.security.auth.login.config': jaas, 'config.storage.replication.factor': '1', 'offset.storage.replication.factor': '1', 'status.storage.replication.factor': '1', 'offset.storage.partitions': '2', 'status.storage.partitions': '2' },
  });
  t.after(() => connect.close());

  const ui = await startUi({
    bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, registryUrl: registry.url, connectUrl: connect.url, brokerAdminUrls: [],
    config: { ...security, 'ui.registry.basic.auth.user.info': 'ui-user:ui-registry-pw', 'ui.connect.basic.auth.user.info': 'ui-user:ui-connect-pw' },
  });
  t.after(() => ui.close());
  const api = async (base: string, method: string, p: string, body?: unknown) => {
    const r = await fetch(base + p, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: await r.json().catch(() => null) as any };
  };
  const created = await api(ui.url, 'POST', '/api/topics', { name: 'through-sasl', partitions: 2, replicationFactor: 1 });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const topics = await api(ui.url, 'GET', '/api/topics');
  assert.equal(topics.status, 200, JSON.stringify(topics.body));
  assert.ok((topics.body as { name: string }[]).some((x) => x.name === 'through-sasl'));
  const reg = await api(ui.url, 'POST', '/api/registry/subjects/ui-value/versions', { schema: '{"type":"string"}' });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  assert.deepEqual((await api(ui.url, 'GET', '/api/registry/subjects')).body, ['ui-value']);
  const conns = await api(ui.url, 'GET', '/api/connect/connectors');
  assert.equal(conns.status, 200, JSON.stringify(conns.body));
  assert.deepEqual(conns.body, []);
  assert.equal((await api(ui.url, 'GET', '/api/registry-status')).body.reachable, true);
  // the charts' scrape of Connect's /metrics sends the same credentials
  const scraped = await Samplers.scrape([connect.url], 'ui-user:ui-connect-pw');
  assert.deepEqual(scraped.ok, [connect.url], scraped.errors.join('; '));
  assert.match((await Samplers.scrape([connect.url])).errors.join(), /HTTP 401/);

  // the same UI without the settings: the broker, registry and Connect refuse it
  const bare = await startUi({ bootstrap: b.bootstrap, host: '127.0.0.1', port: 0, registryUrl: registry.url, connectUrl: connect.url, brokerAdminUrls: [] });
  t.after(() => bare.close());
  assert.ok((await api(bare.url, 'GET', '/api/topics')).status >= 500, 'a PLAINTEXT client gets nothing from the SASL_SSL listener');
  assert.equal((await api(bare.url, 'GET', '/api/registry/subjects')).status, 401);
  assert.equal((await api(bare.url, 'GET', '/api/connect/connectors')).status, 401);
});
