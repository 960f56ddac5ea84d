// TopologyTestDriver tests of every join: stream-stream (inner, left, outer;
// windows, grace, late and out-of-order records), stream-table, stream-globalTable,
// table-table and the foreign-key table join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder, Serdes, Consumed, Produced, JoinWindows, Duration, StreamJoined, TopologyTestDriver, Materialized } from '../index.ts';

const S = Serdes.String();

function streamStream(kind: 'join' | 'leftJoin' | 'outerJoin', windows: JoinWindows) {
  const b = new StreamsBuilder();
  const left = b.stream('left', Consumed.with(S, S));
  const right = b.stream('right', Consumed.with(S, S));
  (left[kind] as (o: typeof right, j: (a: string | null, b: string | null) => string, w: JoinWindows, s?: StreamJoined<string, string, string>) => typeof left)(right, (l, r) => `${l}+${r}`, windows, StreamJoined.with(S, S, S)).to('out', Produced.with(S, S));
  const d = new TopologyTestDriver(b.build());
  return { d, l: d.createInputTopic('left', S, S), r: d.createInputTopic('right', S, S), out: d.createOutputTopic('out', S, S) };
}

test('stream-stream inner join: within the window both ways, out-of-order inside grace joins, late beyond grace is dropped', () => {
  const { d, l, r, out } = streamStream('join', JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(5), Duration.ofSeconds(2)));
  l.pipeInput('k', 'L1', 10000);
  r.pipeInput('k', 'R1', 14000); // 4 s later: joins
  r.pipeInput('k', 'R2', 16000); // 6 s later: outside
  l.pipeInput('k', 'L2', 12000); // out of order, joins R1 and R2 (|Δ| ≤ 5 s)
  r.pipeInput('x', 'R', 30000); // stream time 30000
  l.pipeInput('k', 'late', 20000); // 20000 + 5000 + 2000 < 30000: dropped
  r.pipeInput('k', 'R3', 21000);
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'k', value: 'L1+R1' }, { key: 'k', value: 'L2+R1' }, { key: 'k', value: 'L2+R2' }]);
  d.close();
});

test('stream-stream left join: unmatched left records are emitted with null once their window closes', () => {
  const { d, l, r, out } = streamStream('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(1000));
  l.pipeInput('a', 'A', 1000);
  l.pipeInput('b', 'B', 1000);
  r.pipeInput('a', 'RA', 1500);
  assert.deepEqual(out.readValuesToList(), ['A+RA']);
  r.pipeInput('z', 'RZ', 2001); // stream time passes 1000 + 1000: B's window closed
  assert.deepEqual(out.readValuesToList(), ['B+null']);
  d.close();
});

test('stream-stream outer join: unmatched records of both sides come out with null', () => {
  const { d, l, r, out } = streamStream('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
  l.pipeInput('a', 'A', 0);
  r.pipeInput('b', 'RB', 50);
  r.pipeInput('a', 'RA', 60);
  l.pipeInput('z', 'tick', 500);
  assert.deepEqual(out.readValuesToList().sort(), ['A+RA', 'null+RB']);
  d.close();
});

test('stream-table join and left join: the table value at the time of the stream record', () => {
  const b = new StreamsBuilder();
  const users = b.table('users', Consumed.with(S, S), Materialized.as('users-store'));
  const clicks = b.stream('clicks', Consumed.with(S, S));
  clicks.join(users, (c, u) => `${c}@${u}`).to('inner', Produced.with(S, S));
  clicks.leftJoin(users, (c, u) => `${c}@${u}`).to('left', Produced.with(S, S));
  const d = new TopologyTestDriver(b.build());
  const u = d.createInputTopic('users', S, S), c = d.createInputTopic('clicks', S, S);
  c.pipeInput('alice', 'c0');
  u.pipeInput('alice', 'Paris');
  c.pipeInput('alice', 'c1');
  u.pipeInput('alice', 'Rome');
  c.pipeInput('alice', 'c2');
  assert.deepEqual(d.createOutputTopic('inner', S, S).readValuesToList(), ['c1@Paris', 'c2@Rome']);
  assert.deepEqual(d.createOutputTopic('left', S, S).readValuesToList(), ['c0@null', 'c1@Paris', 'c2@Rome']);
  assert.equal(d.getKeyValueStore<string, string>('users-store')!.get('alice'), 'Rome');
  d.close();
});

test('stream-globalTable join: the key selector picks the table key, every partition sees the whole table', () => {
  const b = new StreamsBuilder();
  const products = b.globalTable('products', Consumed.with(S, S), Materialized.as('products-store'));
  b.stream('orders', Consumed.with(S, S)).join(products, (_orderId, order) => order.split(':')[0], (order, product) => `${order}=${product}`).to('out', Produced.with(S, S));
  const t = b.build();
  assert.match(t.describe().toString(), /Sub-topology: 1 for global store \(will not generate tasks\)/);
  const d = new TopologyTestDriver(t);
  d.createInputTopic('products', S, S).pipeInput('p1', 'Pen');
  const o = d.createInputTopic('orders', S, S);
  o.pipeInput('o1', 'p1:2'); o.pipeInput('o2', 'p9:1');
  assert.deepEqual(d.createOutputTopic('out', S, S).readKeyValuesToList(), [{ key: 'o1', value: 'p1:2=Pen' }]);
  d.close();
});

test('table-table inner, left and outer joins follow both sides, deletes retract', () => {
  const b = new StreamsBuilder();
  const l = b.table('l', Consumed.with(S, S)), r = b.table('r', Consumed.with(S, S));
  l.join(r, (a, c) => `${a}|${c}`).toStream().to('inner', Produced.with(S, S));
  l.leftJoin(r, (a, c) => `${a}|${c}`).toStream().to('left', Produced.with(S, S));
  l.outerJoin(r, (a, c) => `${a}|${c}`).toStream().to('outer', Produced.with(S, S));
  const d = new TopologyTestDriver(b.build());
  const li = d.createInputTopic('l', S, S), ri = d.createInputTopic('r', S, S);
  li.pipeInput('k', 'A');
  ri.pipeInput('k', 'X');
  li.pipeInput('k', 'B');
  ri.pipeInput('k', null as unknown as string);
  assert.deepEqual(d.createOutputTopic('inner', S, S).readValuesToList(), ['A|X', 'B|X', null]);
  assert.deepEqual(d.createOutputTopic('left', S, S).readValuesToList(), ['A|null', 'A|X', 'B|X', 'B|null']);
  assert.deepEqual(d.createOutputTopic('outer', S, S).readValuesToList(), ['A|null', 'A|X', 'B|X', 'B|null']);
  d.close();
});

test('foreign-key join: orders joined to their customer through subscription and response topics; updates on either side', () => {
  const b = new StreamsBuilder();
  const J = Serdes.JSON<{ customer: string; item: string }>();
  const orders = b.table('orders', Consumed.with(S, J));
  const customers = b.table('customers', Consumed.with(S, S));
  orders.join(customers, (o) => o.customer, (o, c) => `${o.item} for ${c}`).toStream().to('enriched', Produced.with(S, S));
  orders.leftJoin(customers, (o) => o.customer, (o, c) => `${o.item} for ${c}`).toStream().to('enriched-left', Produced.with(S, S));
  const t = b.build();
  assert.match(t.describe().toString(), /KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-\d+-topic/);
  const d = new TopologyTestDriver(t);
  const o = d.createInputTopic('orders', S, J), c = d.createInputTopic('customers', S, S);
  const out = d.createOutputTopic('enriched', S, S), left = d.createOutputTopic('enriched-left', S, S);
  o.pipeInput('o1', { customer: 'c1', item: 'pen' }); // no customer yet
  assert.ok(out.isEmpty());
  assert.deepEqual(left.readKeyValuesToList(), [{ key: 'o1', value: 'pen for null' }]);
  c.pipeInput('c1', 'Ada');
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'o1', value: 'pen for Ada' }]);
  c.pipeInput('c1', 'Ada L.');
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'o1', value: 'pen for Ada L.' }]);
  c.pipeInput('c2', 'Bob');
  o.pipeInput('o1', { customer: 'c2', item: 'pen' }); // foreign key changes
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'o1', value: 'pen for Bob' }]);
  c.pipeInput('c1', 'nobody cares'); // o1 no longer subscribes to c1
  assert.ok(out.isEmpty());
  o.pipeInput('o1', null as unknown as { customer: string; item: string }); // order deleted
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 'o1', value: null }]);
  d.close();
});
