import assert from 'node:assert/strict';
import test from 'node:test';
import { CONFIG_DEFS, loadRegistryConfig, RegistryConfigError } from './config.ts';

test('defaults, Confluent names and aliases; other components\' keys are ignored', () => {
  const { config, warnings } = loadRegistryConfig({ 'num.partitions': '3', 'avro.compatibility.level': 'full', 'kafkastore.timeout.ms': '500', 'kafkastore.bogus': 'x' });
  assert.equal(config['schema.compatibility.level'], 'FULL');
  assert.equal(config['kafkastore.timeout.ms'], 500);
  assert.equal(config['kafkastore.topic'], '_schemas');
  assert.deepEqual(warnings, ['registry config kafkastore.bogus is not implemented; ignored']);
  for (const [k, d] of Object.entries(CONFIG_DEFS)) assert.ok(d.documentation, `${k} is documented`);
});

test('a bad value fails naming the key', () => {
  assert.throws(() => loadRegistryConfig({ 'schema.compatibility.level': 'SIDEWAYS' }), (e: Error) => e instanceof RegistryConfigError && /schema\.compatibility\.level/.test(e.message));
  assert.throws(() => loadRegistryConfig({ 'kafkastore.timeout.ms': 'soon' }), /kafkastore\.timeout\.ms/);
  assert.throws(() => loadRegistryConfig({ 'kafkastore.timeout.ms': '0' }), /kafkastore\.timeout\.ms/);
  assert.throws(() => loadRegistryConfig({ 'leader.eligibility': 'maybe' }), /leader\.eligibility/);
});
