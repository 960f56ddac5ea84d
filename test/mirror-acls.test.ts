// sync.topic.acls.enabled on two brokers with authorizers: the source topics' LITERAL
// ACLs reach their remote topics as Kafka copies them (no ALLOW WRITE, ALLOW ALL as
// ALLOW READ, DENY unchanged; PREFIXED patterns and topics not mirrored are left out),
// and an ACL added on the source later follows within the sync interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pino from 'pino';
import { startBroker, tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';
import { startMirror } from '../app/commands/mirror.ts';
import { AclAdmin, type AclEntry } from '../client/index.ts';
import { FAST, countTopic, waitFor } from './mirror-helpers.ts';

// the test and the mirror connect over PLAINTEXT as ANONYMOUS, a super user; the ACLs are for the named principals
const SECURED = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS' };
const acl = (resourceName: string, principal: string, operation: string, permission = 'ALLOW', patternType = 'LITERAL'): AclEntry =>
  ({ resourceType: 'TOPIC', resourceName, patternType, principal, host: '*', operation, permission });
const show = (l: AclEntry[]) => l.map((a) => `${a.resourceName} ${a.patternType} ${a.principal} ${a.permission} ${a.operation}`).sort();

test('sync.topic.acls.enabled: the source topics\' ACLs reach the remote topics as Kafka copies them', async (t) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  t.after(async () => { for (const c of cleanup.reverse()) await c().catch(() => undefined); });
  const [a, b] = await Promise.all([startBroker({ config: SECURED }), startBroker({ config: SECURED })]);
  cleanup.push(() => Promise.all([a.stop(), b.stop()]));
  const onA = new AclAdmin({ bootstrap: a.bootstrap, clientId: 'acl-test' });
  const onB = new AclAdmin({ bootstrap: b.bootstrap, clientId: 'acl-test' });
  cleanup.push(() => Promise.all([onA.close(), onB.close()]));
  await kcat(['-b', a.bootstrap, '-t', 'orders', '-P'], 'o1\no2\n');
  await kcat(['-b', a.bootstrap, '-t', 'secret', '-P'], 's1\n');
  await onA.createAcls([
    acl('orders', 'User:alice', 'READ'), acl('orders', 'User:alice', 'WRITE'), acl('orders', 'User:bob', 'ALL'),
    acl('orders', 'User:mallory', 'READ', 'DENY'), acl('ord', 'User:carol', 'READ', 'ALLOW', 'PREFIXED'), acl('secret', 'User:alice', 'READ'),
  ]);

  const dir = tempDir('mirror-acls-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const mirror = await startMirror({
    dataDir: dir, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    pairs: [['clusters', 'a, b'], ['a.bootstrap.servers', a.bootstrap], ['b.bootstrap.servers', b.bootstrap], ['a->b.enabled', 'true'], ['a->b.topics', 'orders'],
      ['sync.topic.acls.interval.seconds', '1'], ...FAST],
  });
  cleanup.push(() => mirror.close());
  await waitFor(async () => (await countTopic(b.bootstrap, 'a.orders').catch(() => 0)) === 2, 'a.orders on B');

  const remote = () => onB.describeAcls({ resourceType: 'TOPIC', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: 'ANY', permission: 'ANY' });
  const want = ['a.orders LITERAL User:alice ALLOW READ', 'a.orders LITERAL User:bob ALLOW READ', 'a.orders LITERAL User:mallory DENY READ'];
  const got = await waitFor(async () => { const l = show(await remote()); return l.length >= want.length && l; }, 'the ACLs on B');
  assert.deepEqual(got, want);

  await onA.createAcls([acl('orders', 'User:dave', 'DESCRIBE')]);
  await waitFor(async () => show(await remote()).includes('a.orders LITERAL User:dave ALLOW DESCRIBE'), 'an ACL added later on A reaching B');
  // several sync rounds: nothing created twice, nothing else
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(show(await remote()), [...want, 'a.orders LITERAL User:dave ALLOW DESCRIBE'].sort());
});
