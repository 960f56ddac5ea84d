// TopologyTestDriver tests of the stateless KStream operators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder, Serdes, Consumed, Produced, Branched, Named, KeyValue, TopologyTestDriver, Repartitioned, type KStream } from '../index.ts';

const S = Serdes.String();
function run(build: (s: KStream<string, string>, b: StreamsBuilder) => void, inputs: Array<[string | null, string]>, outTopics = ['out']) {
  const b = new StreamsBuilder();
  build(b.stream('in', Consumed.with(S, S)), b);
  const d = new TopologyTestDriver(b.build());
  try {
    const i = d.createInputTopic('in', S, S);
    for (const [k, v] of inputs) i.pipeInput(k as string, v);
    return outTopics.map((t) => d.createOutputTopic(t, S, S).readKeyValuesToList());
  } finally { d.close(); }
}

test('filter, filterNot', () => {
  assert.deepEqual(run((s) => s.filter((_k, v) => v.startsWith('a')).to('out'), [['1', 'apple'], ['2', 'pear'], ['3', 'avocado']])[0].map((kv) => kv.value), ['apple', 'avocado']);
  assert.deepEqual(run((s) => s.filterNot((_k, v) => v.startsWith('a')).to('out'), [['1', 'apple'], ['2', 'pear']])[0].map((kv) => kv.value), ['pear']);
});

test('map, mapValues (with the key), flatMap, flatMapValues, selectKey', () => {
  assert.deepEqual(run((s) => s.map((k, v) => KeyValue.pair(v, k!)).to('out'), [['1', 'a']])[0], [{ key: 'a', value: '1' }]);
  assert.deepEqual(run((s) => s.mapValues((v, k) => `${k}:${v.toUpperCase()}`).to('out'), [['1', 'a']])[0], [{ key: '1', value: '1:A' }]);
  assert.deepEqual(run((s) => s.flatMap((k, v) => v.split(' ').map((w) => KeyValue.pair(w, k!))).to('out'), [['1', 'x y']])[0], [{ key: 'x', value: '1' }, { key: 'y', value: '1' }]);
  assert.deepEqual(run((s) => s.flatMapValues((v) => v.split(' ')).to('out'), [['1', 'x y']])[0], [{ key: '1', value: 'x' }, { key: '1', value: 'y' }]);
  assert.deepEqual(run((s) => s.selectKey((_k, v) => v[0]).to('out'), [['1', 'hello']])[0], [{ key: 'h', value: 'hello' }]);
});

test('peek and foreach see every record; merge joins two streams', () => {
  const seen: string[] = [];
  run((s) => { s.peek((_k, v) => seen.push(`peek ${v}`)).foreach((_k, v) => seen.push(`each ${v}`)); }, [['1', 'a'], ['2', 'b']], []);
  assert.deepEqual(seen, ['peek a', 'each a', 'peek b', 'each b']);
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S)).merge(b.stream('in2', Consumed.with(S, S))).to('out', Produced.with(S, S));
  const d = new TopologyTestDriver(b.build());
  d.createInputTopic('in', S, S).pipeInput('1', 'a');
  d.createInputTopic('in2', S, S).pipeInput('2', 'b');
  assert.deepEqual(d.createOutputTopic('out', S, S).readValuesToList(), ['a', 'b']);
  d.close();
});

test('split/branch: first matching predicate wins, named branches, default branch', () => {
  const [a, b2, rest] = run((s) => {
    const branches = s.split(Named.as('b-')).branch((_k, v) => v.startsWith('a'), Branched.as('a')).branch((_k, v) => v.startsWith('b'), Branched.as('b')).defaultBranch(Branched.as('other'));
    assert.deepEqual([...branches.keys()], ['b-a', 'b-b', 'b-other']);
    branches.get('b-a')!.to('A'); branches.get('b-b')!.to('B'); branches.get('b-other')!.to('R');
  }, [['1', 'apple'], ['2', 'banana'], ['3', 'cherry'], ['4', 'ab']], ['A', 'B', 'R']);
  assert.deepEqual(a.map((kv) => kv.value), ['apple', 'ab']);
  assert.deepEqual(b2.map((kv) => kv.value), ['banana']);
  assert.deepEqual(rest.map((kv) => kv.value), ['cherry']);
  const [x, y] = run((s) => { const [p, q] = s.branch((_k, v) => v.length < 3, () => true); p.to('A'); q.to('B'); }, [['1', 'ab'], ['2', 'abcd']], ['A', 'B']);
  assert.deepEqual([x.length, y.length], [1, 1]);
});

test('to(): a topic name extractor picks the topic per record', () => {
  const [a, b2] = run((s) => s.to((_k, v) => `t-${v}`), [['1', 'x'], ['2', 'y']], ['t-x', 't-y']);
  assert.deepEqual([a[0].key, b2[0].key], ['1', '2']);
});

test('repartition() goes through <application.id>-<name>-repartition and back', () => {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S)).selectKey((_k, v) => v).repartition(Repartitioned.as('by-value')).to('out');
  const t = b.build();
  assert.ok(t.describe().toString().includes('Sink: by-value-repartition-sink (topic: by-value-repartition)'));
  const d = new TopologyTestDriver(t, { 'application.id': 'app' });
  d.createInputTopic('in', S, S).pipeInput('1', 'v');
  assert.deepEqual(d.createOutputTopic('out', S, S).readKeyValue(), { key: 'v', value: 'v' });
  assert.ok(!d.producedTopicNames().has('app-by-value-repartition'), 'internal topics are not outputs');
  d.close();
});

test('toTable materializes the latest value per key', () => {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, S)).toTable(Named.as('t')).toStream().to('out');
  const d = new TopologyTestDriver(b.build());
  const i = d.createInputTopic('in', S, S);
  i.pipeInput('k', 'v1'); i.pipeInput('k', 'v2');
  assert.deepEqual(d.createOutputTopic('out', S, S).readValuesToList(), ['v1', 'v2']);
  const store = [...d.getAllStateStores().values()][0] as unknown as { get(k: string): string };
  assert.equal(store.get('k'), 'v2');
  d.close();
});

test('a record that fails to deserialize: LogAndFail throws, LogAndContinue skips it', () => {
  const b = new StreamsBuilder();
  b.stream('in', Consumed.with(S, Serdes.Long())).mapValues((v) => String(v)).to('out', Produced.with(S, S));
  const fail = new TopologyTestDriver(b.build());
  assert.throws(() => fail.createInputTopic('in', S, S).pipeInput('k', 'not eight bytes'), /Deserialization exception handler is set to fail/);
  fail.close();
  const cont = new TopologyTestDriver(b.build(), { 'default.deserialization.exception.handler': () => 'CONTINUE' });
  cont.createInputTopic('in', S, S).pipeInput('k', 'not eight bytes');
  cont.createInputTopic('in', S, Serdes.Long()).pipeInput('k', 7);
  assert.deepEqual(cont.createOutputTopic('out', S, S).readValuesToList(), ['7']);
  cont.close();
});
