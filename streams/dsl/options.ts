// The DSL's option objects, named as in Kafka Streams: Consumed, Produced, Grouped,
// Materialized, Joined, StreamJoined, Named, Repartitioned, Branched.
import type { Serde } from '../serdes.ts';
import type { StreamPartitioner } from '../processor.ts';
import type { TimestampExtractor } from '../topology.ts';
import type { StoreSupplier } from '../state/stores.ts';
import { toMillis, type DurationLike } from '../duration.ts';

export class Named {
  protected constructor(readonly name?: string) {}
  static as(name: string): Named { return new Named(name); }
}

export class Consumed<K, V> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly timestampExtractor?: TimestampExtractor, readonly resetPolicy?: 'earliest' | 'latest', readonly name?: string) {}
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>, timestampExtractor?: TimestampExtractor, resetPolicy?: 'earliest' | 'latest'): Consumed<K, V> { return new Consumed(keySerde, valueSerde, timestampExtractor, resetPolicy); }
  static as<K, V>(name: string): Consumed<K, V> { return new Consumed<K, V>(undefined, undefined, undefined, undefined, name); }
  withTimestampExtractor(e: TimestampExtractor): Consumed<K, V> { return new Consumed(this.keySerde, this.valueSerde, e, this.resetPolicy, this.name); }
  withOffsetResetPolicy(p: 'earliest' | 'latest'): Consumed<K, V> { return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, p, this.name); }
  withName(name: string): Consumed<K, V> { return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, this.resetPolicy, name); }
}

export class Produced<K, V> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly partitioner?: StreamPartitioner<K, V>, readonly name?: string) {}
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> { return new Produced(keySerde, valueSerde, partitioner); }
  static as<K, V>(name: string): Produced<K, V> { return new Produced<K, V>(undefined, undefined, undefined, name); }
  static streamPartitioner<K, V>(p: StreamPartitioner<K, V>): Produced<K, V> { return new Produced<K, V>(undefined, undefined, p); }
  withName(name: string): Produced<K, V> { return new Produced(this.keySerde, this.valueSerde, this.partitioner, name); }
}

export class Grouped<K, V> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly name?: string) {}
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Grouped<K, V> { return new Grouped(keySerde, valueSerde); }
  static as<K, V>(name: string): Grouped<K, V> { return new Grouped<K, V>(undefined, undefined, name); }
  withName(name: string): Grouped<K, V> { return new Grouped(this.keySerde, this.valueSerde, name); }
}

export class Repartitioned<K, V> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly name?: string, readonly numberOfPartitions?: number, readonly partitioner?: StreamPartitioner<K, V>) {}
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Repartitioned<K, V> { return new Repartitioned(keySerde, valueSerde); }
  static as<K, V>(name: string): Repartitioned<K, V> { return new Repartitioned<K, V>(undefined, undefined, name); }
  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> { return new Repartitioned<K, V>(undefined, undefined, undefined, n); }
  withNumberOfPartitions(n: number): Repartitioned<K, V> { return new Repartitioned(this.keySerde, this.valueSerde, this.name, n, this.partitioner); }
  withStreamPartitioner(p: StreamPartitioner<K, V>): Repartitioned<K, V> { return new Repartitioned(this.keySerde, this.valueSerde, this.name, this.numberOfPartitions, p); }
}

export class Materialized<K, V> {
  private constructor(readonly storeName?: string, readonly supplier?: StoreSupplier, readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly loggingEnabled = true, readonly storeType: 'ROCKS_DB' | 'IN_MEMORY' = 'ROCKS_DB', readonly retentionMs?: number, readonly cachingEnabled = true) {}
  static as<K, V>(nameOrSupplier: string | StoreSupplier): Materialized<K, V> {
    return typeof nameOrSupplier === 'string' ? new Materialized<K, V>(nameOrSupplier) : new Materialized<K, V>(nameOrSupplier.name, nameOrSupplier);
  }
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Materialized<K, V> { return new Materialized<K, V>(undefined, undefined, keySerde, valueSerde); }
  withKeySerde(s: Serde<K>): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, s, this.valueSerde, this.loggingEnabled, this.storeType, this.retentionMs, this.cachingEnabled); }
  withValueSerde(s: Serde<V>): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, s, this.loggingEnabled, this.storeType, this.retentionMs, this.cachingEnabled); }
  withLoggingDisabled(): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, false, this.storeType, this.retentionMs, this.cachingEnabled); }
  withLoggingEnabled(_config: Record<string, string> = {}): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, true, this.storeType, this.retentionMs, this.cachingEnabled); }
  /** the record cache (on by default, as in Kafka): one update per key per commit reaches the changelog and downstream */
  withCachingEnabled(): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, this.storeType, this.retentionMs, true); }
  withCachingDisabled(): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, this.storeType, this.retentionMs, false); }
  withStoreType(t: 'ROCKS_DB' | 'IN_MEMORY'): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, t, this.retentionMs, this.cachingEnabled); }
  withRetention(d: DurationLike): Materialized<K, V> { return new Materialized(this.storeName, this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, this.storeType, toMillis(d, 'retention'), this.cachingEnabled); }
}
/** Materialized.StoreType */
export const StoreType = { ROCKS_DB: 'ROCKS_DB', IN_MEMORY: 'IN_MEMORY' } as const;

export class Joined<K, V, VO> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly otherValueSerde?: Serde<VO>, readonly name?: string) {}
  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>): Joined<K, V, VO> { return new Joined(keySerde, valueSerde, otherValueSerde); }
  static as<K, V, VO>(name: string): Joined<K, V, VO> { return new Joined<K, V, VO>(undefined, undefined, undefined, name); }
}

export class StreamJoined<K, V, VO> {
  private constructor(readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly otherValueSerde?: Serde<VO>, readonly name?: string, readonly storeName?: string, readonly loggingEnabled = true, readonly inMemory = false) {}
  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>): StreamJoined<K, V, VO> { return new StreamJoined(keySerde, valueSerde, otherValueSerde); }
  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> { return new StreamJoined<K, V, VO>(undefined, undefined, undefined, undefined, storeName); }
  withName(name: string): StreamJoined<K, V, VO> { return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, name, this.storeName, this.loggingEnabled, this.inMemory); }
  withStoreName(s: string): StreamJoined<K, V, VO> { return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, s, this.loggingEnabled, this.inMemory); }
  withLoggingDisabled(): StreamJoined<K, V, VO> { return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, false, this.inMemory); }
  withInMemoryStores(): StreamJoined<K, V, VO> { return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, this.loggingEnabled, true); }
}

export class Branched<K, V> {
  private constructor(readonly name?: string, readonly fn?: (s: any) => any, readonly consumer?: (s: any) => void) {}
  static as<K, V>(name: string): Branched<K, V> { return new Branched<K, V>(name); }
  static withFunction<K, V>(fn: (s: any) => any, name?: string): Branched<K, V> { return new Branched<K, V>(name, fn); }
  static withConsumer<K, V>(c: (s: any) => void, name?: string): Branched<K, V> { return new Branched<K, V>(name, undefined, c); }
}
