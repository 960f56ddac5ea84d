// Serdes: Kafka Streams' Serde/Serializer/Deserializer shape, with the same wire
// bytes as Kafka's built-in serdes (Long = 8-byte big-endian, Integer = 4, Double = 8).
export interface Serializer<T> { serialize(topic: string, data: T): Buffer | null }
export interface Deserializer<T> { deserialize(topic: string, data: Buffer | null): T }
export interface Serde<T> { serializer(): Serializer<T>; deserializer(): Deserializer<T> }

export class SerializationException extends Error {
  constructor(message: string) { super(message); this.name = 'SerializationException'; }
}

/**
 * @internal marks a built-in serde whose deserializer gives back exactly the string or number
 * its serializer was given (String, Long, Integer, Double): a cached store may then keep that
 * value beside its bytes instead of deserializing them again on every read.
 */
export const EXACT_PRIMITIVES = Symbol('streams.serde.exactPrimitives');
/**
 * @internal marks the built-in String serializer: a string's bytes are its UTF-8 encoding
 * (Buffer.from(s, 'utf8')), so a sink may write the string straight into a record batch and
 * a cache may key a plain ASCII string by itself.
 */
export const UTF8_STRINGS = Symbol('streams.serde.utf8Strings');

function serde<T>(name: string, ser: (t: T) => Buffer, de: (b: Buffer) => T, exact = false, utf8 = false): Serde<T> & { toString(): string } {
  const s: Serializer<T> = { serialize: (_topic, data) => (data === null || data === undefined ? null : ser(data)), ...(utf8 ? { [UTF8_STRINGS]: true } : {}) };
  const d: Deserializer<T> = { deserialize: (_topic, data) => (data === null || data === undefined ? (null as T) : de(data)) };
  return { serializer: () => s, deserializer: () => d, toString: () => name, ...(exact ? { [EXACT_PRIMITIVES]: true } : {}) };
}

function expect(kind: string, ok: boolean, data: unknown): void {
  if (!ok) throw new SerializationException(`${kind} serde cannot serialize ${typeof data} ${JSON.stringify(data)?.slice(0, 80)}; give this topic/store the right serde (Produced.with, Grouped.with, Materialized.with)`);
}

export const Serdes = {
  String: (): Serde<string> => serde<string>('StringSerde', (s) => { expect('String', typeof s === 'string', s); return Buffer.from(s, 'utf8'); }, (b) => b.toString('utf8'), true, true),
  /** Kafka's LongSerde: 8-byte big-endian two's complement; a JS number (safe integer) or bigint in, a number out. */
  Long: (): Serde<number> => serde<number>('LongSerde', (n) => {
    expect('Long', typeof n === 'number' || typeof n === 'bigint', n);
    const b = Buffer.allocUnsafe(8);
    // a safe integer as two 32-bit halves: no BigInt per record (counts are the hot path); anything else as before
    if (typeof n === 'number' && Number.isSafeInteger(n)) { const hi = Math.floor(n / 4294967296); b.writeInt32BE(hi, 0); b.writeUInt32BE(n - hi * 4294967296, 4); } else b.writeBigInt64BE(BigInt(n));
    return b;
  }, (b) => {
    if (b.length !== 8) throw new SerializationException(`Size of data received by LongDeserializer is not 8 (${b.length})`);
    // hi * 2^32 is exact and the sum rounds once: the same number as Number(readBigInt64BE)
    return b.readInt32BE(0) * 4294967296 + b.readUInt32BE(4);
  }, true),
  Integer: (): Serde<number> => serde<number>('IntegerSerde', (n) => { expect('Integer', Number.isInteger(n), n); const b = Buffer.allocUnsafe(4); b.writeInt32BE(n); return b; }, (b) => {
    if (b.length !== 4) throw new SerializationException(`Size of data received by IntegerDeserializer is not 4 (${b.length})`);
    return b.readInt32BE(0);
  }, true),
  Double: (): Serde<number> => serde<number>('DoubleSerde', (n) => { expect('Double', typeof n === 'number', n); const b = Buffer.allocUnsafe(8); b.writeDoubleBE(n); return b; }, (b) => {
    if (b.length !== 8) throw new SerializationException(`Size of data received by DoubleDeserializer is not 8 (${b.length})`);
    return b.readDoubleBE(0);
  }, true),
  ByteArray: (): Serde<Buffer> => serde<Buffer>('ByteArraySerde', (b) => { expect('ByteArray', Buffer.isBuffer(b) || (b as unknown) instanceof Uint8Array, b); return Buffer.from(b); }, (b) => b),
  /** JSON text in UTF-8 (not a Kafka built-in; what Kafka users write by hand with Jackson). */
  JSON: <T = unknown>(): Serde<T> => serde<T>('JsonSerde', (v) => Buffer.from(JSON.stringify(v), 'utf8'), (b) => {
    try { return JSON.parse(b.toString('utf8')) as T; } catch (e) { throw new SerializationException(`JSON deserializer: ${(e as Error).message}`); }
  }),
  Void: (): Serde<null> => serde<null>('VoidSerde', () => Buffer.alloc(0), () => null),
  serdeFrom: <T>(serializer: Serializer<T>, deserializer: Deserializer<T>): Serde<T> => ({ serializer: () => serializer, deserializer: () => deserializer }),
};

/**
 * A deserializer that cannot answer yet (a registry serde meeting a schema id it has not
 * fetched): the runtime waits for `ready` and hands the same record in again. Only a
 * source's deserializer may throw it (nothing has happened to the record yet).
 */
export class SerdeNotReadyException extends Error {
  constructor(message: string, readonly ready: Promise<unknown>) { super(message); this.name = 'SerdeNotReadyException'; }
}
