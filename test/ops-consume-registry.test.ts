// `tributary consume` decodes Confluent wire-format Avro, Protobuf and JSON Schema
// values through the schema registry, as a user runs it (the real CLI process
// against a real broker and registry), and says clearly when a record does not decode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker.ts';
import { BIN } from './helpers/process.ts';
import { run } from './helpers/clients.ts';
import { startRegistry } from '../registry/index.ts';
import { HttpRegistryClient } from '../registry/client.ts';
import { RegistrySerde } from '../registry/serde.ts';

test('consume --registry prints Avro, Protobuf and JSON Schema values as JSON; explicit formats reject what does not match', async (t) => {
  const b = await startBroker();
  t.after(() => b.stop());
  const reg = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory' });
  t.after(() => reg.close());
  const client = new HttpRegistryClient(reg.url);
  const serde = new RegistrySerde(client);
  const avro = await client.register('pay-value', { schema: JSON.stringify({ type: 'record', name: 'Payment', fields: [{ name: 'id', type: 'long' }, { name: 'who', type: ['null', 'string'], default: null }] }) });
  const proto = await client.register('pay-proto', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; package shop; message Order { string sku = 1; int32 qty = 2; }' });
  const json = await client.register('pay-json', { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { ok: { type: 'boolean' } } }) });
  const keyId = await client.register('pay-key', { schema: '"string"' });
  const producer = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic: 'pay', messages: [
    { key: await serde.encode(keyId.id, 'k-1'), value: await serde.encode(avro.id, { id: 7, who: 'ann' }) },
    { key: 'plain', value: await serde.encode(proto.id, { sku: 'A-1', qty: 3 }) },
    { key: null, value: await serde.encode(json.id, { ok: true }) },
    { key: null, value: 'not framed' },
  ] });
  const cli = async (...args: string[]) => {
    const r = await run(process.execPath, [BIN, 'consume', 'pay', '--bootstrap', b.bootstrap, '--from-beginning', '--to-end', ...args], { timeoutMs: 60000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  const all = await cli('--registry', reg.url, '--output', 'json');
  assert.equal(all.code, 0, all.err);
  const rows = all.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.value), [{ id: 7, who: 'ann' }, { sku: 'A-1', qty: 3 }, { ok: true }, 'not framed']);
  assert.deepEqual(rows.map((r) => r.key), ['k-1', 'plain', null, null]);
  assert.deepEqual(rows.map((r) => r.valueSchemaId), [avro.id, proto.id, json.id, undefined]);

  // decoded values print as JSON (a string key in quotes, as kafka-avro-console-consumer prints it)
  const lines = await cli('--registry', reg.url, '--print-key', '--max-messages', '2');
  assert.equal(lines.code, 0, lines.err);
  assert.deepEqual(lines.out.trim().split('\n'), ['"k-1"\t{"id":7,"who":"ann"}', 'plain\t{"sku":"A-1","qty":3}']);

  // an explicit format: the Protobuf record is not Avro, and the command says where and why
  const strict = await cli('--registry', reg.url, '--value-format', 'avro');
  assert.equal(strict.code, 1);
  assert.match(strict.err, /the value at pay-0 offset 1 uses schema id \d+ of type PROTOBUF, not AVRO/);
  assert.equal(strict.out.trim(), '{"id":7,"who":"ann"}', 'what decoded before it is printed');
  const unframed = await cli('--registry', reg.url, '--value-format', 'registry', '--offset', '3', '--partition', '0');
  assert.equal(unframed.code, 1);
  assert.match(unframed.err, /offset 3 is not in Confluent wire format \(first byte 0x6e/);
  // without --registry the bytes print as they are; a registry that is down is exit 4
  const raw = await cli('--value-format', 'hex', '--max-messages', '1');
  assert.match(raw.out, /^00[0-9a-f]{8}/);
  const down = await cli('--registry', 'http://127.0.0.1:9', '--value-format', 'avro');
  assert.equal(down.code, 4, down.err);
  assert.match(down.err, /cannot reach the schema registry at http:\/\/127\.0\.0\.1:9/);
  const bad = await cli('--value-format', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--value-format expects one of string, auto, registry/);
});
