import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTopicAcls } from './acls.ts';
import type { AclEntry } from '../../../client/index.ts';

const acl = (resourceName: string, operation: string, permission = 'ALLOW', patternType = 'LITERAL', resourceType = 'TOPIC'): AclEntry =>
  ({ resourceType, resourceName, patternType, principal: 'User:alice', host: '*', operation, permission });

test('topic ACLs as Kafka copies them: LITERAL topics replicated only, no ALLOW WRITE, ALLOW ALL read-only, DENY unchanged', () => {
  const remote = (t: string) => (t.startsWith('orders') ? `a.${t}` : null);
  const got = remoteTopicAcls([
    acl('orders', 'READ'), acl('orders', 'DESCRIBE'), acl('orders', 'WRITE'), acl('orders', 'ALL'), acl('orders', 'WRITE', 'DENY'), acl('orders', 'ALL', 'DENY'),
    acl('orders', 'READ', 'ALLOW', 'PREFIXED'), acl('payments', 'READ'), acl('orders', 'READ', 'ALLOW', 'LITERAL', 'GROUP'),
  ], remote);
  assert.deepEqual(got.map((a) => `${a.resourceName} ${a.permission} ${a.operation}`), ['a.orders ALLOW READ', 'a.orders ALLOW DESCRIBE', 'a.orders DENY WRITE', 'a.orders DENY ALL']);
  assert.ok(got.every((a) => a.patternType === 'LITERAL' && a.principal === 'User:alice' && a.host === '*'));
});
