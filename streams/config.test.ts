// StreamsConfig on the platform's ConfigDef: Kafka Streams' names and defaults, a bad
// value names its key (common/config-def's ConfigException), unknown names only warned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigException } from '../common/config-def.ts';
import { streamsConfig, STREAMS_CONFIG_DEF } from './config.ts';

const base = { 'application.id': 'app', 'bootstrap.servers': 'a:9092, b:9092' };

test('defaults and parsing: commit interval by guarantee, lists, numbers given as text, the new cache name wins', () => {
  const alos = streamsConfig(base, { needsBroker: true });
  assert.deepEqual(alos.bootstrapServers, ['a:9092', 'b:9092']);
  assert.equal(alos.commitIntervalMs, 30000);
  assert.equal(alos.cacheMaxBytes, 10 * 1024 * 1024);
  assert.equal(alos.eos, false);
  const eos = streamsConfig({ ...base, 'processing.guarantee': 'exactly_once_v2', 'num.standby.replicas': '2' as unknown as number, 'cache.max.bytes.buffering': 5, 'statestore.cache.max.bytes': 7 }, { needsBroker: true });
  assert.equal(eos.commitIntervalMs, 100);
  assert.equal(eos.standbyReplicas, 2);
  assert.equal(eos.cacheMaxBytes, 7);
  assert.equal(streamsConfig({ ...base, 'cache.max.bytes.buffering': 5 }, { needsBroker: true }).cacheMaxBytes, 5);
  assert.ok(STREAMS_CONFIG_DEF.keys.has('commit.interval.ms') && STREAMS_CONFIG_DEF.keys.get('commit.interval.ms')!.documentation);
});

test('a bad value throws ConfigException naming its key; an unknown name is only warned about', () => {
  const bad = (props: Record<string, unknown>, key: string, re: RegExp) =>
    assert.throws(() => streamsConfig({ ...base, ...props }, { needsBroker: true }), (e: unknown) => e instanceof ConfigException && e.key === key && re.test((e as Error).message));
  bad({ 'num.standby.replicas': -1 }, 'num.standby.replicas', /Invalid value -1 for configuration num.standby.replicas: Value must be at least 0/);
  bad({ 'processing.guarantee': 'twice' }, 'processing.guarantee', /"twice".*String must be one of: at_least_once, exactly_once_v2/);
  bad({ 'application.id': 'my app' }, 'application.id', /may only contain/);
  bad({ 'commit.interval.ms': 'soon' }, 'commit.interval.ms', /expected long/);
  bad({ 'auto.offset.reset': 'none' }, 'auto.offset.reset', /earliest, latest/);
  bad({ 'default.key.serde': 'Nope' }, 'default.key.serde', /unknown serde/);
  assert.throws(() => streamsConfig({ 'application.id': 'app' }, { needsBroker: true }), (e: unknown) => e instanceof ConfigException && e.key === 'bootstrap.servers');
  const warned: string[] = [];
  streamsConfig({ ...base, 'no.such.config': 1, 'consumer.max.poll.records': 5 }, { needsBroker: true, warn: (m) => warned.push(m) });
  assert.deepEqual(warned, ["The configuration 'no.such.config' was supplied but isn't a known config."]);
});
