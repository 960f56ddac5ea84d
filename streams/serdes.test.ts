import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes, WindowedSerdes, Windowed, Window, SerializationException, TimeWindows, Duration } from './index.ts';

test('serdes write the bytes Kafka\'s built-in serdes write', () => {
  assert.deepEqual(Serdes.Long().serializer().serialize('t', 258), Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]));
  // Long: every value, negative and beyond 32 bits, the bytes and number Java's LongSerde and a BigInt round trip give
  for (const n of [0, 1, -1, 258, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 5, 1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    const want = Buffer.alloc(8); want.writeBigInt64BE(BigInt(n));
    assert.deepEqual(Serdes.Long().serializer().serialize('t', n), want, `serialize ${n}`);
    assert.equal(Serdes.Long().deserializer().deserialize('t', want), n, `deserialize ${n}`);
  }
  const big = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // Long.MAX_VALUE: the nearest number, as Number(bigint)
  assert.equal(Serdes.Long().deserializer().deserialize('t', big), Number(big.readBigInt64BE(0)));
  assert.deepEqual(Serdes.Long().serializer().serialize('t', 2n ** 62n as unknown as number), Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0]));
  assert.throws(() => Serdes.Long().serializer().serialize('t', 1.5), RangeError);
  assert.deepEqual(Serdes.Integer().serializer().serialize('t', -1), Buffer.from([255, 255, 255, 255]));
  assert.equal(Serdes.Double().deserializer().deserialize('t', Serdes.Double().serializer().serialize('t', 1.5)), 1.5);
  assert.equal(Serdes.String().deserializer().deserialize('t', Buffer.from('héllo')), 'héllo');
  assert.deepEqual(Serdes.JSON().deserializer().deserialize('t', Buffer.from('{"a":[1]}')), { a: [1] });
  assert.equal(Serdes.String().serializer().serialize('t', null as unknown as string), null);
  assert.throws(() => Serdes.Long().deserializer().deserialize('t', Buffer.from([1])), SerializationException);
  assert.throws(() => Serdes.String().serializer().serialize('t', 5 as unknown as string), /String serde cannot serialize number/);
  assert.throws(() => Serdes.JSON().deserializer().deserialize('t', Buffer.from('{')), SerializationException);
});

test('windowed serdes: key bytes then the window start (time) or end and start (session)', () => {
  const tw = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60000);
  const b = tw.serializer().serialize('t', new Windowed('k', new Window(120000, 180000)))!;
  assert.equal(b.length, 9);
  const back = tw.deserializer().deserialize('t', b);
  assert.deepEqual([back.key(), back.window().start(), back.window().end()], ['k', 120000, 180000]);
  const sw = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String());
  const s = sw.deserializer().deserialize('t', sw.serializer().serialize('t', new Windowed('k', new Window(5, 9))));
  assert.deepEqual([s.key(), s.window().start(), s.window().end()], ['k', 5, 9]);
});

test('window definitions: bad sizes are clear errors; hopping windows cover a timestamp', () => {
  assert.throws(() => TimeWindows.ofSizeWithNoGrace(0), /window size must be larger than zero/);
  assert.throws(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(20), /must lie within window size/);
  assert.throws(() => TimeWindows.ofSizeAndGrace(Duration.ofSeconds(1), -5), /grace must be a non-negative/);
  assert.deepEqual([...TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12).keys()], [5, 10]);
});
