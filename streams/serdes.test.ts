import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes, WindowedSerdes, Windowed, Window, SerializationException, TimeWindows, Duration } from './index.ts';

test('serdes write the bytes Kafka\'s built-in serdes write', () => {
  assert.deepEqual(Serdes.Long().serializer().serialize('t', 258), Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]));
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
