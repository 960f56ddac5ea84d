import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMirrorConfig } from './mirror-config.ts';

test('mm2.properties: enabled flows only, global < flow settings, the aliases and bootstraps filled in, ByteArray converters', () => {
  const flows = parseMirrorConfig([
    ['clusters', 'us-west, us-east'], ['us-west.bootstrap.servers', 'w:9092'], ['us-east.bootstrap.servers', 'e:9092'],
    ['us-west->us-east.enabled', 'true'], ['us-west->us-east.topics', 'orders.*'], ['us-east->us-west.enabled', 'false'],
    ['topics', '.*'], ['emit.checkpoints.interval.seconds', '10'], ['us-east.offset.flush.interval.ms', '2000'],
  ]);
  assert.equal(flows.length, 1);
  const [f] = flows;
  assert.deepEqual([f.source, f.target], ['us-west', 'us-east']);
  const src = f.connectors.MirrorSourceConnector;
  assert.equal(src['connector.class'], 'org.apache.kafka.connect.mirror.MirrorSourceConnector');
  assert.equal(src.topics, 'orders.*');
  assert.equal(src['emit.checkpoints.interval.seconds'], '10');
  assert.equal(src['source.cluster.bootstrap.servers'], 'w:9092');
  assert.equal(src['target.cluster.bootstrap.servers'], 'e:9092');
  assert.equal(src['value.converter'], 'org.apache.kafka.connect.converters.ByteArrayConverter');
  assert.deepEqual(Object.keys(f.connectors), ['MirrorSourceConnector', 'MirrorCheckpointConnector', 'MirrorHeartbeatConnector']);
  assert.equal(f.worker['config.storage.topic'], 'mm2-configs.us-west.internal');
  assert.equal(f.worker['offset.flush.interval.ms'], '2000');
});

test('mm2.properties: bad files are one clear error each', () => {
  assert.throws(() => parseMirrorConfig([]), /"clusters" lists no cluster/);
  assert.throws(() => parseMirrorConfig([['clusters', 'a,b'], ['a.bootstrap.servers', 'x'], ['b.bootstrap.servers', 'y']]), /no replication flow is enabled/);
  assert.throws(() => parseMirrorConfig([['clusters', 'a,b'], ['a->c.enabled', 'true']]), /names a cluster not in "clusters"/);
  assert.throws(() => parseMirrorConfig([['clusters', 'a,b'], ['a.bootstrap.servers', 'x'], ['a->b.enabled', 'true']]), /b\.bootstrap\.servers is missing/);
});
