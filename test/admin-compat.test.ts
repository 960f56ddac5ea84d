// Admin APIs answered as Apache Kafka answers them (gaps librdkafka's test 0081 found),
// with the real clients that expose each call: python confluent-kafka (librdkafka) and
// kafkajs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker } from './helpers/broker.ts';
import { kcat, python } from './helpers/clients.ts';

// kafkajs is CommonJS: its enums are not detectable as named ESM exports.
const { Kafka, logLevel, AclResourceTypes, ResourcePatternTypes, AclOperationTypes, AclPermissionTypes } = kafkajs;

const SCRIPT = path.join(import.meta.dirname, 'py/admin_compat.py');

async function py(args: string[]): Promise<any> {
  const r = await python([SCRIPT, ...args], 90000);
  if (r.status !== 0) throw new Error(`admin_compat.py ${args[1]} exited with ${r.status}:\n${r.stderr.slice(-2000)}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function kafkajsAdmin(bootstrap: string) {
  return new Kafka({ clientId: 'admin-compat', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

test('ListGroups/DescribeGroups: a consumer group keeps protocol type "consumer" after its last member leaves', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-P', '-t', 'eg'], 'one\n');
  const out = await py([b.bootstrap, 'empty-group', 'g-empty', 'eg']);
  assert.equal(out.got, 'one');
  assert.deepEqual(out.active.map((g: any) => [g.protocol_type, g.state]), [['consumer', 'Stable']]);
  assert.deepEqual(out.empty, [{ id: 'g-empty', protocol_type: 'consumer', state: 'Empty', members: 0 }]);
});

test('DeleteRecords: an offset below -1 is OFFSET_OUT_OF_RANGE, -1 means the high watermark (kafkajs)', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  await kcat(['-b', b.bootstrap, '-P', '-t', 'dr'], 'a\nb\nc\n');
  const admin = kafkajsAdmin(b.bootstrap);
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.fetchTopicMetadata({ topics: ['dr'] });
  await assert.rejects(admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '-1001' }] }),
    (e: any) => {
      const cause = e.originalError ?? e.cause ?? e; // kafkajs' retrier wraps the partition errors
      assert.equal(cause.partitions?.[0]?.error?.type, 'OFFSET_OUT_OF_RANGE', `${e.name}: ${e.message} / ${cause.name}: ${cause.message}`);
      return true;
    });
  assert.equal(b.broker.replicas.get('dr', 0)!.log.logStartOffset, 0n, 'nothing deleted');
  await assert.rejects(admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '4' }] }));
  await admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '-1' }] });
  const [o] = await admin.fetchTopicOffsets('dr');
  assert.equal(o.low, '3');
});

test('CreateAcls/DescribeAcls/DeleteAcls: SECURITY_DISABLED without an authorizer, as Kafka answers (kafkajs)', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const admin = kafkajsAdmin(b.bootstrap);
  await admin.connect();
  t.after(() => admin.disconnect());
  const acl = {
    resourceType: AclResourceTypes.TOPIC, resourceName: 'secret', resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:bob', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.DENY,
  };
  const securityDisabled = (e: any) => { assert.equal(e.type ?? e.originalError?.type, 'SECURITY_DISABLED', `${e.name}: ${e.message}`); return true; };
  await assert.rejects(admin.createAcls({ acl: [acl] }), securityDisabled);
  await assert.rejects(admin.describeAcls({ ...acl, resourceType: AclResourceTypes.ANY, resourceName: undefined as any, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY, principal: undefined as any, host: undefined as any }), securityDisabled);
  await assert.rejects(admin.deleteAcls({ filters: [acl] }), securityDisabled);
});
