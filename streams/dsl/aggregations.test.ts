// TopologyTestDriver tests of groupings, aggregations, windows (tumbling, hopping,
// sliding, session) with grace, late and out-of-order records, and suppression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder, Serdes, Consumed, Produced, Grouped, Materialized, TopologyTestDriver, TimeWindows, SlidingWindows, SessionWindows, Suppressed, BufferConfig, Duration, type Windowed, type KTable } from '../index.ts';

const S = Serdes.String(), L = Serdes.Long();
const win = (k: Windowed<string>) => `${k.key()}@${k.window().start()}-${k.window().end()}`;

function windowed(build: (b: StreamsBuilder) => KTable<Windowed<string>, number>, inputs: Array<[string, string, number]>) {
  const b = new StreamsBuilder();
  const out: string[] = [];
  build(b).toStream().foreach((k, v) => out.push(`${win(k)}=${v}`));
  const d = new TopologyTestDriver(b.build());
  const i = d.createInputTopic('in', S, S);
  for (const [k, v, ts] of inputs) i.pipeInput(k, v, ts);
  return { out, d };
}

test('count, reduce, aggregate by key; groupBy repartitions; null keys and values are skipped', () => {
  const b = new StreamsBuilder();
  const s = b.stream('in', Consumed.with(S, S));
  s.groupByKey().count(Materialized.as('count')).toStream().to('count-out', Produced.with(S, L));
  s.groupByKey().reduce((a, v) => `${a}+${v}`, Materialized.as('reduce')).toStream().to('reduce-out');
  s.groupBy((_k, v) => v.length.toString(), Grouped.with(S, S)).aggregate(() => 0, (_k, v, agg) => agg + v.length, Materialized.with<string, number>(S, L).withStoreType('IN_MEMORY')).toStream().to('len-out', Produced.with(S, L));
  const d = new TopologyTestDriver(b.build());
  const i = d.createInputTopic('in', S, S);
  i.pipeInput('a', 'x'); i.pipeInput('b', 'yy'); i.pipeInput('a', 'zz'); i.pipeInput(null as unknown as string, 'nokey');
  assert.deepEqual(d.createOutputTopic('count-out', S, L).readKeyValuesToList(), [{ key: 'a', value: 1 }, { key: 'b', value: 1 }, { key: 'a', value: 2 }]);
  assert.deepEqual(d.createOutputTopic('reduce-out', S, S).readValuesToList(), ['x', 'yy', 'x+zz']);
  assert.deepEqual(d.createOutputTopic('len-out', S, L).readKeyValuesToList(), [{ key: '1', value: 1 }, { key: '2', value: 2 }, { key: '2', value: 4 }, { key: '5', value: 5 }]);
  assert.equal(d.getKeyValueStore<string, number>('count')!.get('a'), 2);
  d.close();
});

test('cogroup: two grouped streams feed one aggregate', () => {
  const b = new StreamsBuilder();
  const clicks = b.stream('clicks', Consumed.with(S, S)).groupByKey();
  const views = b.stream('views', Consumed.with(S, S)).groupByKey();
  clicks.cogroup<string>((_k, _v, agg) => agg + 'c').cogroup(views, (_k, _v, agg) => agg + 'v').aggregate(() => '', Materialized.as('both')).toStream().to('out');
  const d = new TopologyTestDriver(b.build());
  d.createInputTopic('clicks', S, S).pipeInput('u', '1');
  d.createInputTopic('views', S, S).pipeInput('u', '1');
  d.createInputTopic('clicks', S, S).pipeInput('u', '1');
  assert.deepEqual(d.createOutputTopic('out', S, S).readValuesToList(), ['c', 'cv', 'cvc']);
  d.close();
});

test('tumbling windows: per-window counts, out-of-order records inside grace count, late records beyond grace are dropped', () => {
  const { out, d } = windowed((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5))).count(Materialized.as('tumbling')), [
    ['k', 'a', 1000], ['k', 'b', 9000], ['k', 'c', 12000], // second window
    ['k', 'late-ok', 8000], // out of order, stream time 12000 < window end 10000 + grace 5000
    ['k', 'x', 16000], // stream time 16000: window [0,10000) closes at 15000
    ['k', 'too-late', 3000], // dropped
  ]);
  assert.deepEqual(out, ['k@0-10000=1', 'k@0-10000=2', 'k@10000-20000=1', 'k@0-10000=3', 'k@10000-20000=2']);
  assert.equal(d.getWindowStore<string, number>('tumbling')!.fetch('k', 0), 3);
  assert.deepEqual(d.getWindowStore<string, number>('tumbling')!.fetch('k', 0, 20000).map((kv) => [kv.key, kv.value]), [[0, 3], [10000, 2]]);
  d.close();
});

test('hopping windows: a record lands in every window that covers it', () => {
  const { out, d } = windowed((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10000).advanceBy(5000)).count(), [['k', 'a', 7000], ['k', 'b', 12000]]);
  assert.deepEqual(out, ['k@0-10000=1', 'k@5000-15000=1', 'k@5000-15000=2', 'k@10000-20000=1']);
  d.close();
});

test('sliding windows: one window per distinct set of records within the time difference', () => {
  const { out, d } = windowed((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100)).count(), [['k', 'a', 100], ['k', 'b', 105], ['k', 'c', 200]]);
  // [90,100]={a}; then b: [95,105]={a,b} and a's right window [101,111]={b}; c: [190,200]={c}
  assert.deepEqual(out, ['k@90-100=1', 'k@95-105=2', 'k@101-111=1', 'k@190-200=1']);
  d.close();
  const late = windowed((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(), [['k', 'a', 100], ['k', 'b', 200], ['k', 'late', 150]]);
  assert.deepEqual(late.out, ['k@90-100=1', 'k@190-200=1']);
  late.d.close();
});

test('session windows: records within the gap merge sessions (the merged-away ones are retracted), late sessions beyond grace are dropped', () => {
  const { out, d } = windowed((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(100), Duration.ofMillis(50))).count(Materialized.as('sessions')), [
    ['k', 'a', 1000], ['k', 'b', 1200], // two sessions (200 apart, gap 100)
    ['k', 'c', 1100], // within the gap of both: they merge into [1000,1200]
    ['k', 'alone', 1020], // also inside [1000,1200]
    ['k', 'd', 2000], // stream time 2000: sessions ending before 1950 are closed
    ['k', 'late', 1200],
  ]);
  assert.deepEqual(out, ['k@1000-1000=1', 'k@1200-1200=1', 'k@1000-1000=null', 'k@1200-1200=null', 'k@1000-1200=3', 'k@1000-1200=4', 'k@2000-2000=1']);
  assert.deepEqual(d.getSessionStore<string, number>('sessions')!.fetch('k').map((kv) => `${win(kv.key)}=${kv.value}`), ['k@1000-1200=4', 'k@2000-2000=1']);
  d.close();
});

test('suppress(untilWindowCloses): one final result per window once stream time passes end + grace', () => {
  const b = new StreamsBuilder();
  b.stream('views', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
    .count().suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream((k: Windowed<string>) => `${k.key()}@${k.window().start()}`).to('final', Produced.with(S, L));
  const d = new TopologyTestDriver(b.build());
  const i = d.createInputTopic('views', S, S);
  const o = d.createOutputTopic('final', S, L);
  i.pipeInput('alice', 'p1', 1000); i.pipeInput('alice', 'p2', 30000); i.pipeInput('bob', 'p1', 59000);
  i.pipeInput('alice', 'p3', 65000); // next window; first not closed until 70000
  assert.ok(o.isEmpty());
  i.pipeInput('bob', 'p9', 70000);
  assert.deepEqual(o.readKeyValuesToList(), [{ key: 'alice@0', value: 2 }, { key: 'bob@0', value: 1 }]);
  i.pipeInput('alice', 'late', 5000); // beyond grace: no update, no second result
  i.pipeInput('x', 'y', 200000);
  assert.deepEqual(o.readKeyValuesToList(), [{ key: 'alice@60000', value: 1 }, { key: 'bob@60000', value: 1 }]);
  d.close();
});

test('KTable.groupBy: a row that changes group is subtracted from the old group and added to the new one', () => {
  const b = new StreamsBuilder();
  b.table('user-regions', Consumed.with(S, S))
    .groupBy((user, region) => ({ key: region, value: user }), Grouped.with(S, S))
    .count(Materialized.as('users-per-region'))
    .toStream().to('region-counts', Produced.with(S, L));
  const d = new TopologyTestDriver(b.build());
  const i = d.createInputTopic('user-regions', S, S);
  i.pipeInput('alice', 'EU'); i.pipeInput('bob', 'EU'); i.pipeInput('alice', 'US'); i.pipeInput('bob', null as unknown as string);
  assert.deepEqual(d.createOutputTopic('region-counts', S, L).readKeyValuesToList(), [
    { key: 'EU', value: 1 }, { key: 'EU', value: 2 }, { key: 'EU', value: 1 }, { key: 'US', value: 1 }, { key: 'EU', value: 0 },
  ]);
  assert.equal(d.getKeyValueStore<string, number>('users-per-region')!.get('US'), 1);
  d.close();
});
