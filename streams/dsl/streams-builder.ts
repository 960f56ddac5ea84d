// StreamsBuilder: the DSL's entry point. build() returns the Topology the
// runtime and the TopologyTestDriver execute.
import type { Topology } from '../topology.ts';
import { Stores, type KeyValueStore, type StoreBuilder } from '../state/stores.ts';
import type { ProcessorSupplier } from '../processor.ts';
import { InternalBuilder, fnProcessor, store, change, type GlobalKTable } from './internal.ts';
export type { GlobalKTable } from './internal.ts';
import { Consumed, Materialized } from './options.ts';
import { KStream, KTable } from './kstream.ts';


export class StreamsBuilder {
  private readonly b = new InternalBuilder();

  stream<K = string, V = string>(topics: string | string[] | RegExp, consumed?: Consumed<K, V>): KStream<K, V> {
    const name = consumed?.name ?? this.b.newName('KSTREAM-SOURCE');
    const list = typeof topics === 'string' ? [topics] : Array.isArray(topics) ? topics : [];
    if (!(topics instanceof RegExp) && (!list.length || list.some((t) => typeof t !== 'string' || !t))) throw new TypeError('stream() needs a topic name, a list of topic names or a RegExp');
    this.b.topology.addSource({ name, topics: list, pattern: topics instanceof RegExp ? topics : undefined, keyDeserializer: consumed?.keySerde?.deserializer(), valueDeserializer: consumed?.valueSerde?.deserializer(), timestampExtractor: consumed?.timestampExtractor });
    return new KStream<K, V>(this.b, name, consumed?.keySerde, consumed?.valueSerde, false, list);
  }

  table<K = string, V = string>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const src = consumed?.name ?? this.b.newName('KSTREAM-SOURCE');
    const srcIndex = src.slice(-10);
    const name = this.b.newName('KTABLE-SOURCE');
    const keySerde = materialized?.keySerde ?? consumed?.keySerde, valueSerde = materialized?.valueSerde ?? consumed?.valueSerde;
    this.b.topology.addSource({ name: src, topics: [topic], keyDeserializer: consumed?.keySerde?.deserializer(), valueDeserializer: consumed?.valueSerde?.deserializer(), timestampExtractor: consumed?.timestampExtractor });
    const sb = this.b.kvStore(materialized, () => `${topic}-STATE-STORE-${srcIndex}`, keySerde, valueSerde);
    this.b.topology.addProcessor(name, tableSource(sb.name()), src);
    this.b.topology.addStateStore(sb, name);
    return new KTable<K, V>(this.b, name, keySerde, valueSerde, sb.name(), KTable.storeGetter(sb.name()), [topic]);
  }

  globalTable<K = string, V = string>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    const src = this.b.newName('KSTREAM-SOURCE');
    const name = this.b.newName('KTABLE-SOURCE');
    const storeName = materialized?.storeName ?? `${topic}-STATE-STORE-${src.slice(-10)}`;
    const supplier = materialized?.supplier ?? (materialized?.storeType === 'IN_MEMORY' ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentKeyValueStore(storeName));
    const sb = Stores.keyValueStoreBuilder(supplier, materialized?.keySerde ?? consumed?.keySerde, materialized?.valueSerde ?? consumed?.valueSerde);
    this.b.topology.addGlobalStore(sb, src, consumed?.keySerde?.deserializer(), consumed?.valueSerde?.deserializer(), topic, name, tableSource(storeName));
    return { isGlobalKTable: true, storeName, queryableStoreName: () => storeName };
  }

  addStateStore(builder: StoreBuilder<any>): this { this.b.topology.addStateStore(builder); return this; }
  addGlobalStore<K, V>(builder: StoreBuilder<any>, topic: string, consumed: Consumed<K, V> | undefined, stateUpdateSupplier: ProcessorSupplier<K, V, void, void>): this {
    this.b.topology.addGlobalStore(builder, this.b.newName('KSTREAM-SOURCE'), consumed?.keySerde?.deserializer(), consumed?.valueSerde?.deserializer(), topic, this.b.newName('KTABLE-SOURCE'), stateUpdateSupplier);
    return this;
  }

  build(): Topology { return this.b.topology; }
}

function tableSource(storeName: string) {
  return fnProcessor((ctx) => {
    const s = store<KeyValueStore<unknown, unknown>>(ctx, storeName);
    return (r) => {
      if (r.key() === null || r.key() === undefined) return;
      const old = s.get(r.key());
      s.put(r.key(), r.value());
      if (ctx.taskId().subtopology >= 0) ctx.forward(r.withValue(change(r.value(), old)));
    };
  });
}
