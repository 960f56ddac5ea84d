import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder, Serdes, Produced, Materialized, Grouped, TopologyTestDriver, Consumed } from '../index.ts';

function wordCount() {
  const builder = new StreamsBuilder();
  builder.stream<string, string>('streams-plaintext-input', Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as('counts-store'))
    .toStream()
    .to('streams-wordcount-output', Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}

test('word count through a repartition topic, counts in the store', (t) => {
  const driver = new TopologyTestDriver(wordCount(), { 'application.id': 'wc' });
  t.after(() => driver.close());
  const input = driver.createInputTopic('streams-plaintext-input', Serdes.String(), Serdes.String());
  const output = driver.createOutputTopic('streams-wordcount-output', Serdes.String(), Serdes.Long());
  input.pipeInput('all streams lead to kafka');
  input.pipeInput('hello kafka streams');
  assert.deepEqual(output.readKeyValuesToList(), [
    { key: 'all', value: 1 }, { key: 'streams', value: 1 }, { key: 'lead', value: 1 }, { key: 'to', value: 1 }, { key: 'kafka', value: 1 },
    { key: 'hello', value: 1 }, { key: 'kafka', value: 2 }, { key: 'streams', value: 2 },
  ]);
  assert.ok(output.isEmpty());
  assert.equal(driver.getKeyValueStore<string, number>('counts-store')!.get('kafka'), 2);
  assert.deepEqual(driver.getKeyValueStore<string, number>('counts-store')!.range('hello', 'lead').map((kv) => kv.key), ['hello', 'kafka', 'lead']);
});

test('describe() prints the word count topology in Kafka Streams format', () => {
  assert.equal(wordCount().describe().toString(), `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
      --> KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> counts-store-repartition-filter
      <-- KSTREAM-FLATMAPVALUES-0000000001
    Processor: counts-store-repartition-filter (stores: [])
      --> counts-store-repartition-sink
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: counts-store-repartition-sink (topic: counts-store-repartition)
      <-- counts-store-repartition-filter

  Sub-topology: 1
    Source: counts-store-repartition-source (topics: [counts-store-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])
      --> KTABLE-TOSTREAM-0000000004
      <-- counts-store-repartition-source
    Processor: KTABLE-TOSTREAM-0000000004 (stores: [])
      --> KSTREAM-SINK-0000000005
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000005 (topic: streams-wordcount-output)
      <-- KTABLE-TOSTREAM-0000000004
`);
});
