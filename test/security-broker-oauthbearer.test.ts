// SASL/OAUTHBEARER with JWTs checked against a JWKS (KIP-768's names): python
// confluent-kafka's oauth_cb hands over an RS256 token signed in this test, kafkajs'
// oauthBearerProvider an ES256 one; the principal ACLs see is the token's sub. An
// expired token, a wrong audience or issuer, a bad signature or an unknown key fail
// with SASL_AUTHENTICATION_FAILED and a closed connection. The JWKS may be a file or
// an http:// URL; a key added to it is picked up when a token names its kid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, tempDir } from './helpers/broker.ts';
import { python } from './helpers/clients.ts';
import { jwks, signJwt, signingKey } from './helpers/jwt.ts';
import { RawKafkaConnection, oauthToken } from './helpers/raw-kafka.ts';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../server/security/acl.ts';

const ISSUER = 'https://issuer.test';
const AUD = 'tributary';

const PRODUCE_WITH_OAUTH_CB = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, token_file, topic = sys.argv[1:4]
token = open(token_file).read().strip()
errors = []
def oauth_cb(config):
    exp = json.loads(__import__('base64').urlsafe_b64decode(token.split('.')[1] + '==')).get('exp', time.time() + 60)
    return token, float(exp)
p = Producer({'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'OAUTHBEARER',
              'oauth_cb': oauth_cb, 'error_cb': lambda e: errors.append(str(e)), 'message.timeout.ms': 8000})
delivered = []
p.produce(topic, b'from-python', on_delivery=lambda err, msg: delivered.append(str(err) if err else 'ok'))
p.flush(12)
print(json.dumps({'delivered': delivered, 'errors': errors}))
`;

async function pyProduce(bootstrap: string, dir: string, token: string, topic: string): Promise<{ delivered: string[]; errors: string[] }> {
  const file = path.join(dir, `token-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, token);
  const r = await python(['-c', PRODUCE_WITH_OAUTH_CB, bootstrap, file, topic], 60_000);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('OAUTHBEARER: python oauth_cb (RS256) and kafkajs oauthBearerProvider (ES256) authenticate with JWTs checked against a JWKS file; principal = sub', async (t) => {
  const dir = tempDir('tributary-oauth-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rsa = signingKey('rsa-1', 'RS256');
  const ec = signingKey('ec-1', 'ES256');
  const jwksFile = path.join(dir, 'jwks.json');
  fs.writeFileSync(jwksFile, jwks([rsa, ec]));
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER',
    'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
    'sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(jwksFile).href,
    'sasl.oauthbearer.expected.audience': AUD, 'sasl.oauthbearer.expected.issuer': ISSUER,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'connection.failed.authentication.max.per.ip': '0',
  } });
  t.after(() => b.stop());
  b.broker.topics.create('oauth', 1, 1, {});
  const grant = (principal: string, operation: number, resourceType: number = ResourceType.TOPIC, resourceName = 'oauth') => ({ resourceType, resourceName, patternType: PatternType.LITERAL, principal, host: '*', operation, permissionType: AclPermissionType.ALLOW });
  b.broker.securityStore.add([grant('User:alice', AclOperation.WRITE), grant('User:alice', AclOperation.READ), grant('User:carol', AclOperation.READ), grant('User:carol', AclOperation.READ, ResourceType.GROUP, 'oauth-group')]);
  const good = (key = rsa, claims: Record<string, unknown> = {}) => signJwt(key, { sub: 'alice', aud: AUD, iss: ISSUER, ...claims });

  // python with a valid RS256 token: produced as alice
  const ok = await pyProduce(b.bootstrap, dir, good(), 'oauth');
  assert.deepEqual(ok.delivered, ['ok'], JSON.stringify(ok));
  // a valid token for bob, who has no grant: authenticated, then refused by the ACLs (the principal is the sub)
  const bob = await pyProduce(b.bootstrap, dir, good(rsa, { sub: 'bob' }), 'oauth');
  assert.match(bob.delivered.join(), /TOPIC_AUTHORIZATION_FAILED|authorization failed/i, JSON.stringify(bob));
  // a token for another audience (librdkafka itself refuses to send an expired one): an authentication error
  const wrongAud = await pyProduce(b.bootstrap, dir, good(rsa, { aud: 'another-service' }), 'oauth');
  assert.notDeepEqual(wrongAud.delivered, ['ok']);
  assert.match(wrongAud.errors.join('\n'), /SASL authentication error|Authentication failed|invalid_token/i, JSON.stringify(wrongAud));

  // kafkajs with an ES256 token as carol (read grant): consumes what alice wrote
  const kafka = new Kafka({
    clientId: 'oauth-kafkajs', brokers: [b.bootstrap], logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: good(ec, { sub: 'carol' }) }) },
  });
  const consumer = kafka.consumer({ groupId: 'oauth-group' });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'oauth', fromBeginning: true });
  const got = await new Promise<string>((resolve) => { void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }); });
  assert.equal(got, 'from-python');

  // every refusal: SASL_AUTHENTICATION_FAILED with the reason, then the connection closes
  const attacker = signingKey('rsa-1', 'RS256'); // same kid, other key: a forged signature
  const now = Math.floor(Date.now() / 1000);
  const refusals: [string, string, RegExp][] = [
    ['expired', good(rsa, { exp: now - 600 }), /expired/],
    ['wrong audience', good(rsa, { aud: 'someone-else' }), /audience/],
    ['wrong issuer', good(rsa, { iss: 'https://evil.test' }), /issuer/],
    ['bad signature', good(attacker), /signature/],
    ['unknown kid', good(rsa, {}).replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'nope' })).toString('base64url')), /no key with kid nope/],
    ['no sub', signJwt(rsa, { aud: AUD, iss: ISSUER }), /no sub claim/],
    ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', aud: AUD, iss: ISSUER, exp: now + 60 })).toString('base64url')}.`, /algorithm none/],
    ['not a JWT', 'abc', /not a signed JWT/],
  ];
  for (const [name, jwt, why] of refusals) {
    const c = await RawKafkaConnection.connect(b.port);
    const r = await c.saslOnce('OAUTHBEARER', oauthToken(jwt));
    assert.equal(r?.errorCode, 58, `${name}: SASL_AUTHENTICATION_FAILED`);
    assert.match(r.errorMessage, why, name);
    await c.closedAt;
  }
  const c = await RawKafkaConnection.connect(b.port);
  t.after(() => c.close());
  const accepted = await c.saslOnce('OAUTHBEARER', oauthToken(good(ec)));
  assert.equal(accepted?.errorCode, 0);
});

test('OAUTHBEARER: the JWKS from an http:// URL; a key added later is used once a token names its kid; sessions end with the token (connections.max.reauth.ms)', async (t) => {
  const k1 = signingKey('k1', 'RS256');
  const k2 = signingKey('k2', 'ES256');
  let served = [k1];
  const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(jwks(served)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  const b = await startBroker({ config: {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER',
    'sasl.oauthbearer.jwks.endpoint.url': url, 'sasl.oauthbearer.sub.claim.name': 'client_id',
    'connections.max.reauth.ms': '600000', 'connection.failed.authentication.max.per.ip': '0',
  } });
  t.after(() => b.stop());
  const c1 = await RawKafkaConnection.connect(b.port);
  t.after(() => c1.close());
  const exp = Math.floor(Date.now() / 1000) + 120;
  const r1 = await c1.saslOnce('OAUTHBEARER', oauthToken(signJwt(k1, { client_id: 'svc-a', exp })));
  assert.equal(r1?.errorCode, 0);
  // the session lasts until the token expires (sooner than connections.max.reauth.ms)
  assert.ok(r1.sessionLifetimeMs > 100_000n && r1.sessionLifetimeMs <= 120_000n, String(r1.sessionLifetimeMs));
  // k2 appears in the JWKS: the first token naming it makes the broker reload; a retry succeeds
  served = [k1, k2];
  const deadline = Date.now() + 30_000;
  let ok = false;
  while (!ok && Date.now() < deadline) {
    const c = await RawKafkaConnection.connect(b.port);
    const r = await c.saslOnce('OAUTHBEARER', oauthToken(signJwt(k2, { client_id: 'svc-b' })));
    c.close();
    ok = r?.errorCode === 0;
    if (!ok) await new Promise((res) => setTimeout(res, 300));
  }
  assert.ok(ok, 'a token signed by the new key is accepted after the reload');
});

test('OAUTHBEARER without a JWKS stops the broker with a message naming sasl.oauthbearer.jwks.endpoint.url', async () => {
  await assert.rejects(startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER' } }), /sasl\.oauthbearer\.jwks\.endpoint\.url/);
  await assert.rejects(startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER', 'sasl.oauthbearer.jwks.endpoint.url': 'file:///nonexistent/jwks.json' } }), /sasl\.oauthbearer\.jwks\.endpoint\.url.*ENOENT|ENOENT/);
});
