// ACL and SCRAM writes while the cluster's metadata store is down: each creation, filter
// and user gets the retriable NOT_CONTROLLER naming the store (never an empty answer that
// reads as success), checks keep working from the broker's copy, and writes work again
// once the store is back. The store is a PostgreSQL of the test's own (pg_ctl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { OwnPostgres, waitFor } from './helpers/cluster.ts';
import { startBroker } from './helpers/broker.ts';
import { AclAdmin } from '../client/admin-acls.ts';
import { ScramAdmin } from '../client/scram-admin.ts';

const ALL = { resourceType: 'ANY', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: null, permission: null } as const;
const grant = (principal: string) => ({ resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal, host: '*', operation: 'WRITE', permission: 'ALLOW' }) as const;

test('cluster security store outage: ACL and SCRAM writes answer NOT_CONTROLLER per entry, reads keep working, writes resume', async (t) => {
  const pg = new OwnPostgres();
  await pg.init();
  t.after(() => pg.close());
  const b = await startBroker({ config: {
    'node.id': '1', 'metadata.store.url': pg.url(), 'broker.session.timeout.ms': '6000',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS',
    'offsets.topic.replication.factor': '1', 'transaction.state.log.replication.factor': '1',
  } });
  t.after(() => b.stop());
  const acls = new AclAdmin({ bootstrap: b.bootstrap, clientId: 'outage' });
  const scram = new ScramAdmin({ bootstrap: b.bootstrap, clientId: 'outage' });
  t.after(async () => { await acls.close(); await scram.close(); });

  await acls.createAcls([grant('User:before')]);
  await scram.set('before', 'pw', 'SCRAM-SHA-256');

  await pg.stop();
  // the client retries a retriable error, then reports each attempt's error nested in its own
  const why = (e: unknown) => inspect(e, { depth: 8 });
  const created = await acls.createAcls([grant('User:during')]).then(() => null, (e) => e);
  assert.ok(created, 'CreateAcls while the store is down is not a success');
  assert.match(why(created), /41|NOT_CONTROLLER|metadata store/i, why(created));
  const user = await scram.set('during', 'pw', 'SCRAM-SHA-256').then(() => null, (e) => e);
  assert.ok(user, 'AlterUserScramCredentials while the store is down is not a success');
  assert.equal(user.errorCode, 41, why(user));
  assert.match(user.message, /metadata store .* cannot be reached/);
  const deleted = await acls.deleteAcls([grant('User:before')]).then(() => null, (e) => e);
  assert.ok(deleted, 'DeleteAcls while the store is down is not a success');
  // Reads come from the broker's copy.
  const listed = await acls.describeAcls(ALL as any);
  assert.deepEqual(listed.map((a) => a.principal), ['User:before']);
  assert.deepEqual((await scram.list()).map((u: any) => u.user), ['before']);

  await pg.start();
  await waitFor('ACL writes working again', async () => { try { await acls.createAcls([grant('User:after')]); return true; } catch { return false; } }, 60000, 500);
  assert.deepEqual((await acls.describeAcls(ALL as any)).map((a) => a.principal).sort(), ['User:after', 'User:before']);
  await scram.set('after', 'pw', 'SCRAM-SHA-256');
  assert.deepEqual((await scram.list()).map((u: any) => u.user).sort(), ['after', 'before']);
});
