// Admin APIs answered as Apache Kafka answers them (gaps librdkafka's test 0081 found),
// with the real clients that expose each call: python confluent-kafka (librdkafka) and
// kafkajs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { inspect } from 'node:util';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { startBroker, tempDir } from './helpers/broker.ts';
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

test('dynamic broker configs: AlterConfigs on this broker, with sources and synonyms in DescribeConfigs (confluent-kafka)', async (t) => {
  const b = await startBroker({ config: { 'log.retention.hours': '100' } });
  t.after(() => b.stop());
  const out = await py([b.bootstrap, 'broker-configs', String(b.broker.nodeId)]);
  assert.equal(out.alter_unknown, 'ok', 'a Kafka config not implemented here is accepted, as Kafka accepts custom ones');
  assert.equal(out.alter_bad_value, 'INVALID_REQUEST');
  assert.equal(out.alter_read_only, 'INVALID_REQUEST', 'num.partitions is not dynamic');
  assert.equal(out.alter_broker, 'ok');
  const ret = out.broker['log.retention.ms'];
  assert.deepEqual([ret.value, ret.source, ret.read_only], ['3600000', 2, false]); // DYNAMIC_BROKER_CONFIG
  // (python's ConfigEntry keys synonyms by name, so it keeps one entry per name; the full list is checked below)
  assert.deepEqual(ret.synonyms[0], ['log.retention.ms', '3600000', 2]);
  assert.deepEqual(ret.synonyms.map((s: any) => s[0]), ['log.retention.ms', 'log.retention.hours']);
  assert.deepEqual([out.broker['num.partitions'].source, out.broker['num.partitions'].read_only], [5, true]);
  assert.equal(out.broker['log.retention.hours'].source, 4); // STATIC_BROKER_CONFIG
  // a topic without its own retention.ms takes the dynamic broker value
  assert.deepEqual(out.topic['retention.ms'], { value: '3600000', source: 2 });
  assert.deepEqual(out.topic['segment.bytes'], { value: '1073741824', source: 5 });
});

test('dynamic broker configs: cluster-wide default "" with IncrementalAlterConfigs, per-broker precedence, persisted across a restart (@platformatic/kafka)', async (t) => {
  const dataDir = tempDir();
  let b = await startBroker({ dataDir });
  t.after(async () => { await b.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); });
  const id = String(b.broker.nodeId);
  const connect = (bootstrap: string) => {
    const a = new Admin({ clientId: 'dyn-admin', bootstrapBrokers: [bootstrap] });
    t.after(() => a.close());
    return a;
  };
  let admin = connect(b.bootstrap);
  const SET = IncrementalAlterConfigOperationTypes.SET; const APPEND = IncrementalAlterConfigOperationTypes.APPEND;
  await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '', configs: [
    { name: 'message.max.bytes', configOperation: SET, value: '2000000' },
    { name: 'log.retention.ms', configOperation: SET, value: '7200000' },
    { name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' },
  ] }] });
  await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: id, configs: [{ name: 'log.retention.ms', configOperation: SET, value: '3600000' }] }] });
  await assert.rejects(admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '', configs: [{ name: 'node.id', configOperation: SET, value: '3' }] }] }),
    (e: any) => {
      const r = e.errors?.[0]?.response?.responses?.[0];
      assert.deepEqual([r?.errorCode, r?.errorMessage], [42, "Invalid config value for resource ConfigResource(type=BROKER, name=''): Cannot update these configs dynamically: Set(node.id)"], inspect(e, { depth: 3 }));
      return true;
    });
  await admin.createTopics({ topics: ['dyn'], partitions: 1, replicas: 1 });
  assert.equal(b.broker.replicas.get('dyn', 0)!.log.config.maxMessageBytes, 2000000, 'in effect for the log at once');

  const check = async (a: Admin) => {
    const [cluster, broker, topic] = await a.describeConfigs({ includeSynonyms: true, resources: [
      { resourceType: ConfigResourceTypes.BROKER, resourceName: '' },
      { resourceType: ConfigResourceTypes.BROKER, resourceName: id },
      { resourceType: ConfigResourceTypes.TOPIC, resourceName: 'dyn' },
    ] });
    const pick = (d: any, n: string) => { const c = d.configs.find((x: any) => x.name === n); return c && { value: c.value, source: c.configSource, synonyms: c.synonyms.map((s: any) => [s.name, s.value, s.source]) }; };
    // the default resource lists what is set at that level
    assert.deepEqual(cluster.configs.map((c: any) => c.name).sort(), ['log.cleanup.policy', 'log.retention.ms', 'message.max.bytes']);
    assert.deepEqual(pick(cluster, 'log.cleanup.policy')!.value, 'delete,compact');
    assert.deepEqual(pick(broker, 'log.retention.ms'), { value: '3600000', source: 2, synonyms: [['log.retention.ms', '3600000', 2], ['log.retention.ms', '7200000', 3], ['log.retention.hours', '168', 5]] });
    assert.deepEqual(pick(broker, 'message.max.bytes'), { value: '2000000', source: 3, synonyms: [['message.max.bytes', '2000000', 3], ['message.max.bytes', '1048588', 5]] });
    assert.deepEqual(pick(topic, 'max.message.bytes')?.value, '2000000');
    assert.deepEqual(pick(topic, 'max.message.bytes')?.source, 3); // DYNAMIC_DEFAULT_BROKER_CONFIG
    assert.deepEqual(pick(topic, 'retention.ms')?.source, 2);
  };
  await check(admin);
  await admin.close();
  await b.stop();
  b = await startBroker({ dataDir });
  admin = connect(b.bootstrap);
  await check(admin);
  assert.equal(b.broker.replicas.get('dyn', 0)!.log.config.maxMessageBytes, 2000000, 'persisted values apply on start');
});

test('librdkafka 0092: message.format.version is accepted on a topic and ignored, as Kafka 3.x does (confluent-kafka)', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const out = await py([b.bootstrap, 'msg-format', 'mf']);
  assert.equal(out.alter, 'ok');
  assert.deepEqual(out.got, Array.from({ length: 10 }, (_, i) => `m${i}`));
});
