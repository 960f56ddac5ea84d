// Shared machinery of the DSL: node naming as Kafka Streams names nodes
// (KSTREAM-FILTER-0000000001), store materialization, repartition topics.
import { Topology } from '../topology.ts';
import type { Processor, ProcessorContext, Record } from '../processor.ts';
import type { Serde } from '../serdes.ts';
import { Stores, StoreBuilder, type StateStore } from '../state/stores.ts';
import type { Materialized } from './options.ts';

export type Ctx = ProcessorContext<any, any>;

export class InternalBuilder {
  readonly topology = new Topology();
  private index = 0;
  newName(prefix: string): string { return `${prefix}-${String(this.index++).padStart(10, '0')}`; }
  newStoreName(prefix: string): string { return `${prefix}-STATE-STORE-${String(this.index++).padStart(10, '0')}`; }

  kvStore(m: Materialized<any, any> | undefined, defaultName: () => string, keySerde?: Serde<any>, valueSerde?: Serde<any>): StoreBuilder<any> {
    const name = m?.storeName ?? defaultName();
    const supplier = m?.supplier ?? (m?.storeType === 'IN_MEMORY' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name));
    const b = Stores.keyValueStoreBuilder(supplier, m?.keySerde ?? keySerde, m?.valueSerde ?? valueSerde);
    if (m && !m.loggingEnabled) b.withLoggingDisabled();
    return b;
  }
}

/** A processor from a process function; `ctx` is the node's context. */
export function fnProcessor(init: ((ctx: Ctx) => ((r: Record<any, any>) => void))): () => Processor<any, any, any, any> {
  return () => {
    let fn: (r: Record<any, any>) => void;
    return { init(ctx) { fn = init(ctx); }, process(r) { fn(r); } };
  };
}

export function store<S extends StateStore>(ctx: Ctx, name: string): S { return ctx.getStateStore<S>(name); }

/** What a KTable forwards: Kafka's Change<V>. */
export interface Change<V> { newValue: V | null; oldValue: V | null }
export const change = <V>(newValue: V | null | undefined, oldValue: V | null | undefined): Change<V> => ({ newValue: newValue ?? null, oldValue: oldValue ?? null });

/** Reads a KTable's current value for a key inside a processor; built per task at init. */
export interface ValueGetterSupplier<K, V> { stores: string[]; get(ctx: Ctx): (key: K) => V | null }

export function defaultSerdes(ctx: Ctx): { key: Serde<any>; value: Serde<any> } {
  const c = ctx.appConfigs();
  return { key: c['default.key.serde'] as Serde<any>, value: c['default.value.serde'] as Serde<any> };
}

export interface GlobalKTable<K, V> { readonly isGlobalKTable: true; readonly storeName: string; queryableStoreName(): string; readonly _k?: K; readonly _v?: V }
