// The Processor API through the TopologyTestDriver: sources, processors with
// stores, punctuation on stream time and wall-clock time, forwarding to a named
// child, headers, sinks; and describe().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, Stores, Serdes, PunctuationType, Record, TopologyTestDriver, TestRecord, Headers, TopologyException, type Processor, type ProcessorContext, type KeyValueStore } from './index.ts';

const S = Serdes.String(), L = Serdes.Long();

class CountProcessor implements Processor<string, string, string, number> {
  private ctx!: ProcessorContext<string, number>;
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, number>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore('counts');
    ctx.schedule(1000, PunctuationType.STREAM_TIME, (ts) => {
      for (const kv of this.store.all()) ctx.forward(new Record(kv.key, kv.value, ts), 'sink-stream');
    });
    ctx.schedule(60000, PunctuationType.WALL_CLOCK_TIME, (ts) => ctx.forward(new Record('wall', ts, ts), 'sink-wall'));
  }
  process(r: Record<string, string>): void {
    const n = (this.store.get(r.key()) ?? 0) + 1;
    this.store.put(r.key(), n);
    if (r.headers().lastHeader('echo')) this.ctx.forward(r.withValue(n).withHeaders(new Headers().add('seen', r.value())), 'sink-stream');
  }
}

function topology(): Topology {
  return new Topology()
    .addSource({ name: 'src', topics: ['in'], keyDeserializer: S.deserializer(), valueDeserializer: S.deserializer() })
    .addProcessor('count', () => new CountProcessor(), 'src')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L), 'count')
    .addSink({ name: 'sink-stream', topic: 'out', keySerializer: S.serializer(), valueSerializer: L.serializer() }, 'count')
    .addSink({ name: 'sink-wall', topic: 'wall', keySerializer: S.serializer(), valueSerializer: L.serializer() }, 'count');
}

test('processor with a store: stream-time punctuation fires as records advance time, wall-clock on advanceWallClockTime', () => {
  const d = new TopologyTestDriver(topology(), {}, 0);
  const i = d.createInputTopic('in', S, S);
  const out = d.createOutputTopic('out', S, L), wall = d.createOutputTopic('wall', S, L);
  i.pipeInput('a', 'x', 0); // first record: stream-time punctuation fires at once
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'a', value: 1 }]);
  i.pipeInput('a', 'x', 500); i.pipeInput('b', 'x', 900);
  assert.ok(out.isEmpty());
  i.pipeInput('b', 'x', 1000);
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'a', value: 2 }, { key: 'b', value: 2 }]);
  assert.ok(wall.isEmpty());
  d.advanceWallClockTime(60000);
  assert.deepEqual(wall.readKeyValue(), { key: 'wall', value: 60000 });
  assert.equal(d.getKeyValueStore<string, number>('counts')!.get('b'), 2);
  d.close();
});

test('headers travel with records; forward to a named child', () => {
  const d = new TopologyTestDriver(topology());
  const i = d.createInputTopic('in', S, S);
  i.pipeInput(new TestRecord('k', 'hello', 5000, new Headers().add('echo', '1')));
  const recs = d.createOutputTopic('out', S, L).readRecordsToList();
  const echoed = recs.find((r) => r.headers.lastHeader('seen'));
  assert.equal(echoed?.headers.lastHeader('seen')?.value?.toString(), 'hello');
  d.close();
});

test('topology errors: unknown parent, duplicate names, store not connected', () => {
  assert.throws(() => new Topology().addProcessor('p', () => ({ process() {} }), 'nope'), TopologyException);
  assert.throws(() => new Topology().addSource('s', 't').addSource('s', 'u'), /already added/);
  const t = new Topology().addSource('s', 'in').addProcessor('p', () => ({ init(ctx: ProcessorContext) { ctx.getStateStore('missing'); }, process() {} }), 's');
  assert.throws(() => new TopologyTestDriver(t), /has no access to StateStore missing/);
});

test('describe() of a Processor API topology', () => {
  assert.equal(topology().describe().toString(), `Topologies:
   Sub-topology: 0
    Source: src (topics: [in])
      --> count
    Processor: count (stores: [counts])
      --> sink-stream, sink-wall
      <-- src
    Sink: sink-stream (topic: out)
      <-- count
    Sink: sink-wall (topic: wall)
      <-- count
`);
});
