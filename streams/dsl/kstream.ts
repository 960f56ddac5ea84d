// KStream: a record stream, with Kafka Streams' operators.
import { Record, type ProcessorSupplier, type TopicNameExtractor } from '../processor.ts';
import type { Serde } from '../serdes.ts';
import type { KeyValue } from '../key-value.ts';
import { JoinWindows } from '../windows.ts';
import { Stores, type KeyValueStore, type WindowStore } from '../state/stores.ts';
import { InternalBuilder, fnProcessor, store, change, type Ctx, type ValueGetterSupplier } from './internal.ts';
import { Branched, Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined } from './options.ts';
import { KGroupedStream } from './grouped.ts';
import { KTable } from './ktable.ts';
import type { GlobalKTable } from './streams-builder.ts';

export type Predicate<K, V> = (key: K, value: V) => boolean;
export type ValueJoiner<V1, V2, R> = (value1: V1, value2: V2) => R;

export class KStream<K, V> {
  /** @internal */
  constructor(readonly builder: InternalBuilder, readonly nodeName: string, readonly keySerde?: Serde<K>, readonly valueSerde?: Serde<V>, readonly repartitionRequired = false, readonly sourceTopics: string[] = []) {}

  private next<K2, V2>(prefix: string, named: Named | undefined, supplier: ProcessorSupplier<any, any, any, any>, keyChanged: boolean, keySerde?: Serde<K2>, valueSerde?: Serde<V2>): KStream<K2, V2> {
    const name = named?.name ?? this.builder.newName(prefix);
    this.builder.topology.addProcessor(name, supplier, this.nodeName);
    return new KStream<K2, V2>(this.builder, name, keySerde, valueSerde, this.repartitionRequired || keyChanged, this.sourceTopics);
  }

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.next('KSTREAM-FILTER', named, fnProcessor((ctx) => (r) => { if (predicate(r.key(), r.value())) ctx.forward(r); }), false, this.keySerde, this.valueSerde);
  }
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.next('KSTREAM-FILTER', named, fnProcessor((ctx) => (r) => { if (!predicate(r.key(), r.value())) ctx.forward(r); }), false, this.keySerde, this.valueSerde);
  }
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, named?: Named): KStream<K2, V2> {
    return this.next('KSTREAM-MAP', named, fnProcessor((ctx) => (r) => { const kv = mapper(r.key(), r.value()); ctx.forward(r.withKey(kv.key).withValue(kv.value)); }), true);
  }
  /** mapper gets the value first and the read-only key second (Kafka's ValueMapper / ValueMapperWithKey in one) */
  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named): KStream<K, V2> {
    return this.next('KSTREAM-MAPVALUES', named, fnProcessor((ctx) => (r) => ctx.forward(r.withValue(mapper(r.value(), r.key())))), false, this.keySerde);
  }
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, named?: Named): KStream<K2, V2> {
    return this.next('KSTREAM-FLATMAP', named, fnProcessor((ctx) => (r) => { for (const kv of mapper(r.key(), r.value())) ctx.forward(r.withKey(kv.key).withValue(kv.value)); }), true);
  }
  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: Named): KStream<K, V2> {
    return this.next('KSTREAM-FLATMAPVALUES', named, fnProcessor((ctx) => (r) => { for (const v of mapper(r.value(), r.key())) ctx.forward(r.withValue(v)); }), false, this.keySerde);
  }
  selectKey<K2>(mapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    return this.next('KSTREAM-KEY-SELECT', named, fnProcessor((ctx) => (r) => ctx.forward(r.withKey(mapper(r.key(), r.value())))), true, undefined, this.valueSerde);
  }
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.next('KSTREAM-PEEK', named, fnProcessor((ctx) => (r) => { action(r.key(), r.value()); ctx.forward(r); }), false, this.keySerde, this.valueSerde);
  }
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.next('KSTREAM-FOREACH', named, fnProcessor(() => (r) => action(r.key(), r.value())), false);
  }
  /** Processor API inside the DSL; the processor forwards with ctx.forward. */
  process<K2, V2>(supplier: ProcessorSupplier<K, V, K2, V2>, ...stateStoreNames: string[]): KStream<K2, V2> {
    const s = this.next<K2, V2>('KSTREAM-PROCESSOR', undefined, supplier as ProcessorSupplier<any, any, any, any>, true);
    if (stateStoreNames.length) this.builder.topology.connectProcessorAndStateStores(s.nodeName, ...stateStoreNames);
    return s;
  }
  processValues<V2>(supplier: ProcessorSupplier<K, V, K, V2>, ...stateStoreNames: string[]): KStream<K, V2> {
    const s = this.next<K, V2>('KSTREAM-PROCESSVALUES', undefined, supplier as ProcessorSupplier<any, any, any, any>, false, this.keySerde);
    if (stateStoreNames.length) this.builder.topology.connectProcessorAndStateStores(s.nodeName, ...stateStoreNames);
    return s;
  }

  split(named?: Named): BranchedKStream<K, V> { return new BranchedKStream(this, named?.name ?? this.builder.newName('KSTREAM-BRANCH') + '-'); }
  /** @deprecated Kafka's old branch(): one stream per predicate, a record goes to the first that matches */
  branch(...predicates: Array<Predicate<K, V>>): Array<KStream<K, V>> {
    const b = this.split();
    predicates.forEach((p, i) => b.branch(p, Branched.as(String(i))));
    return [...b.noDefaultBranch().values()];
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = named?.name ?? this.builder.newName('KSTREAM-MERGE');
    this.builder.topology.addProcessor(name, fnProcessor((ctx) => (r) => ctx.forward(r)), this.nodeName, other.nodeName);
    return new KStream(this.builder, name, this.keySerde, this.valueSerde, this.repartitionRequired || other.repartitionRequired, [...this.sourceTopics, ...other.sourceTopics]);
  }

  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = produced?.name ?? this.builder.newName('KSTREAM-SINK');
    if (typeof topic !== 'string' && typeof topic !== 'function') throw new TypeError('to() needs a topic name or a TopicNameExtractor');
    this.builder.topology.addSink({ name, topic, keySerializer: (produced?.keySerde ?? this.keySerde)?.serializer(), valueSerializer: (produced?.valueSerde ?? this.valueSerde)?.serializer(), partitioner: produced?.partitioner }, this.nodeName);
  }

  /** Writes to an internal `<application.id>-<name>-repartition` topic and reads it back. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const base = repartitioned?.name ?? this.builder.newName('KSTREAM-REPARTITION');
    return this.doRepartition(base, repartitioned?.keySerde ?? this.keySerde, repartitioned?.valueSerde ?? this.valueSerde, repartitioned?.numberOfPartitions, false);
  }

  /** @internal */
  doRepartition(base: string, keySerde?: Serde<any>, valueSerde?: Serde<any>, partitions?: number, dropNullKeys = true): KStream<K, V> {
    const t = this.builder.topology;
    const topic = `${base}-repartition`;
    let parent = this.nodeName;
    if (dropNullKeys) {
      t.addProcessor(`${base}-repartition-filter`, fnProcessor((ctx) => (r) => { if (r.key() !== null && r.key() !== undefined) ctx.forward(r); }), parent);
      parent = `${base}-repartition-filter`;
    }
    t.internalTopics.set(topic, { type: 'repartition', partitions });
    t.addSink({ name: `${base}-repartition-sink`, topic, keySerializer: keySerde?.serializer(), valueSerializer: valueSerde?.serializer() }, parent);
    t.addSource({ name: `${base}-repartition-source`, topics: [topic], keyDeserializer: keySerde?.deserializer(), valueDeserializer: valueSerde?.deserializer() });
    return new KStream(this.builder, `${base}-repartition-source`, keySerde, valueSerde, false, [topic]);
  }

  /** @internal repartition if an upstream operator changed the key */
  repartitionIfRequired(base: string, keySerde?: Serde<any>, valueSerde?: Serde<any>): KStream<K, V> {
    return this.repartitionRequired ? this.doRepartition(base, keySerde ?? this.keySerde, valueSerde ?? this.valueSerde) : this;
  }

  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    const name = named?.name ?? this.builder.newName('KSTREAM-TOTABLE');
    const src = this.repartitionIfRequired(materialized?.storeName ?? name);
    const sb = this.builder.kvStore(materialized, () => this.builder.newStoreName('KSTREAM-TOTABLE'), src.keySerde, src.valueSerde);
    const storeName = sb.name();
    this.builder.topology.addProcessor(name, fnProcessor((ctx) => {
      const s = store<KeyValueStore<K, V>>(ctx, storeName);
      return (r) => {
        if (r.key() === null || r.key() === undefined) return;
        const old = s.get(r.key());
        s.put(r.key(), r.value());
        ctx.forward(r.withValue(change(r.value(), old)));
      };
    }), src.nodeName);
    this.builder.topology.addStateStore(sb, name);
    return new KTable<K, V>(this.builder, name, src.keySerde, materialized?.valueSerde ?? src.valueSerde, storeName, KTable.storeGetter(storeName), src.sourceTopics);
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped?.keySerde ?? this.keySerde, grouped?.valueSerde ?? this.valueSerde, grouped?.name, this.repartitionRequired);
  }
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped?: Grouped<K2, V>): KGroupedStream<K2, V> {
    const s = this.selectKey(selector);
    return new KGroupedStream<K2, V>(s, grouped?.keySerde, grouped?.valueSerde ?? this.valueSerde, grouped?.name, true);
  }

  // ---- joins ----

  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: ValueJoiner<V, GV, VR>, named?: Named): KStream<K, VR>;
  join(other: any, a: any, b?: any, c?: any): any { return this.joinAny('inner', other, a, b, c); }
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>;
  leftJoin<GK, GV, VR>(globalTable: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: ValueJoiner<V, GV | null, VR>, named?: Named): KStream<K, VR>;
  leftJoin(other: any, a: any, b?: any, c?: any): any { return this.joinAny('left', other, a, b, c); }
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR> {
    return this.streamStreamJoin('outer', other, joiner, windows, streamJoined);
  }

  private joinAny(type: 'inner' | 'left', other: any, a: any, b: any, c: any): any {
    if (other instanceof KStream) {
      if (!(b instanceof JoinWindows)) throw new TypeError('a stream-stream join needs JoinWindows');
      return this.streamStreamJoin(type, other, a, b, c);
    }
    if (other instanceof KTable) return this.streamTableJoin(type, other, a, b);
    if (other && other.isGlobalKTable) return this.streamGlobalJoin(type, other, a, b, c);
    throw new TypeError('join() takes a KStream, a KTable or a GlobalKTable');
  }

  private streamTableJoin(type: 'inner' | 'left', table: KTable<K, any>, joiner: ValueJoiner<V, any, any>, joined?: Joined<K, V, any>): KStream<K, any> {
    const name = joined?.name ?? this.builder.newName(type === 'inner' ? 'KSTREAM-JOIN' : 'KSTREAM-LEFTJOIN');
    const src = this.repartitionIfRequired(name, joined?.keySerde, joined?.valueSerde);
    const getter = table.valueGetter();
    this.builder.topology.addProcessor(name, fnProcessor((ctx) => {
      const get = getter.get(ctx);
      return (r) => {
        if (r.key() === null || r.key() === undefined || r.value() === null) return;
        const tv = get(r.key());
        if (tv === null && type === 'inner') return;
        ctx.forward(r.withValue(joiner(r.value(), tv)));
      };
    }), src.nodeName);
    if (getter.stores.length) this.builder.topology.connectProcessorAndStateStores(name, ...getter.stores);
    this.builder.topology.copartitionGroups.push([...src.sourceTopics, ...table.sourceTopics]);
    return new KStream(this.builder, name, src.keySerde, undefined, false, src.sourceTopics);
  }

  private streamGlobalJoin(type: 'inner' | 'left', g: GlobalKTable<any, any>, keySelector: (k: K, v: V) => unknown, joiner: ValueJoiner<V, any, any>, named?: Named): KStream<K, any> {
    const name = named?.name ?? this.builder.newName(type === 'inner' ? 'KSTREAM-JOIN' : 'KSTREAM-LEFTJOIN');
    this.builder.topology.addProcessor(name, fnProcessor((ctx) => {
      const s = store<KeyValueStore<any, any>>(ctx, g.storeName);
      return (r) => {
        if (r.value() === null) return;
        const gk = keySelector(r.key(), r.value());
        const gv = gk === null || gk === undefined ? undefined : s.get(gk);
        if (gv === undefined && type === 'inner') return;
        ctx.forward(r.withValue(joiner(r.value(), gv ?? null)));
      };
    }), this.nodeName);
    return new KStream(this.builder, name, this.keySerde, undefined, this.repartitionRequired, this.sourceTopics);
  }

  private streamStreamJoin(type: 'inner' | 'left' | 'outer', other: KStream<K, any>, joiner: ValueJoiner<any, any, any>, windows: JoinWindows, sj?: StreamJoined<K, V, any>): KStream<K, any> {
    const b = this.builder, t = b.topology;
    const thisWindowed = b.newName('KSTREAM-WINDOWED'), otherWindowed = b.newName('KSTREAM-WINDOWED');
    const joinThis = b.newName(type === 'inner' ? 'KSTREAM-JOINTHIS' : type === 'left' ? 'KSTREAM-JOINTHIS' : 'KSTREAM-OUTERTHIS');
    const joinOther = b.newName(type === 'outer' ? 'KSTREAM-OUTEROTHER' : 'KSTREAM-JOINOTHER');
    const mergeName = sj?.name ? `${sj.name}-merge` : b.newName('KSTREAM-MERGE');
    const left = this.repartitionIfRequired(sj?.name ? `${sj.name}-left` : `${joinThis}-left`, sj?.keySerde, sj?.valueSerde);
    const right = other.repartitionIfRequired(sj?.name ? `${sj.name}-right` : `${joinOther}-right`, sj?.keySerde, sj?.otherValueSerde);
    const retention = windows.beforeMs + windows.afterMs + windows.graceMs + 1;
    const size = windows.beforeMs + windows.afterMs;
    const thisStore = sj?.storeName ? `${sj.storeName}-this-join-store` : `${joinThis}-store`;
    const otherStore = sj?.storeName ? `${sj.storeName}-other-join-store` : `${joinOther}-store`;
    const mk = (n: string, vs?: Serde<any>) => {
      const sb = Stores.windowStoreBuilder(sj?.inMemory ? Stores.inMemoryWindowStore(n, retention, size, true) : Stores.persistentWindowStore(n, retention, size, true), sj?.keySerde ?? left.keySerde, vs);
      if (sj && !sj.loggingEnabled) sb.withLoggingDisabled();
      return sb;
    };
    // Stream time is shared by both sides of one join within a task; so is the
    // emission of non-joined records, which any advance of stream time may trigger.
    const shared = new WeakMap<object, { time: number; flushers: Array<(t: number) => void> }>();
    const timeOf = (ctx: Ctx) => { const id = ctx.taskId(); let s = shared.get(id); if (!s) shared.set(id, (s = { time: -1, flushers: [] })); return s; };
    const windowedProc = (storeName: string, isLeft: boolean) => fnProcessor((ctx) => {
      const s = store<WindowStore<K, any>>(ctx, storeName);
      const after = isLeft ? windows.afterMs : windows.beforeMs;
      return (r) => {
        if (r.key() === null || r.key() === undefined || r.value() === null) return;
        const st = timeOf(ctx);
        st.time = Math.max(st.time, r.timestamp());
        if (r.timestamp() + after + windows.graceMs < st.time) { for (const f of st.flushers) f(st.time); return; } // late beyond grace: dropped
        s.put(r.key(), r.value(), r.timestamp());
        ctx.forward(r);
      };
    });
    const joinProc = (isLeft: boolean, ownStore: string, otherStoreName: string, emitUnmatched: boolean) => fnProcessor((ctx) => {
      const own = store<WindowStore<K, any>>(ctx, ownStore);
      const oth = store<WindowStore<K, any>>(ctx, otherStoreName);
      const before = isLeft ? windows.beforeMs : windows.afterMs, after = isLeft ? windows.afterMs : windows.beforeMs;
      let emittedUpTo: number | undefined;
      const flushUnmatched = (streamTime: number) => {
        if (!emitUnmatched) return;
        // a record closes when no record of the other side can still join it
        const boundary = streamTime - after - windows.graceMs - 1;
        if (emittedUpTo === undefined) { emittedUpTo = boundary; return; }
        if (boundary <= emittedUpTo) return;
        for (const kv of own.fetchAll(emittedUpTo + 1, boundary)) {
          const ts = kv.key.window().start();
          if (oth.fetch(kv.key.key(), ts - before, ts + after).length) continue;
          const v = kv.value;
          ctx.forward(new Record(kv.key.key(), isLeft ? joiner(v, null) : joiner(null, v), ts));
        }
        emittedUpTo = boundary;
      };
      const st = timeOf(ctx);
      st.flushers.push(flushUnmatched);
      return (r) => {
        const ts = r.timestamp();
        const matches = oth.fetch(r.key(), ts - before, ts + after);
        for (const m of matches) ctx.forward(r.withValue(isLeft ? joiner(r.value(), m.value) : joiner(m.value, r.value())).withTimestamp(Math.max(ts, m.key)));
        for (const f of st.flushers) f(st.time);
      };
    });
    t.addProcessor(thisWindowed, windowedProc(thisStore, true), left.nodeName);
    t.addProcessor(otherWindowed, windowedProc(otherStore, false), right.nodeName);
    t.addProcessor(joinThis, joinProc(true, thisStore, otherStore, type !== 'inner'), thisWindowed);
    t.addProcessor(joinOther, joinProc(false, otherStore, thisStore, type === 'outer'), otherWindowed);
    t.addProcessor(mergeName, fnProcessor((ctx) => (r) => ctx.forward(r)), joinThis, joinOther);
    t.addStateStore(mk(thisStore, sj?.valueSerde ?? left.valueSerde), thisWindowed, joinThis, joinOther);
    t.addStateStore(mk(otherStore, sj?.otherValueSerde ?? right.valueSerde), otherWindowed, joinThis, joinOther);
    t.copartitionGroups.push([...left.sourceTopics, ...right.sourceTopics]);
    return new KStream(b, mergeName, left.keySerde, undefined, false, [...left.sourceTopics, ...right.sourceTopics]);
  }
}

export class BranchedKStream<K, V> {
  private readonly branches: Array<{ p: Predicate<K, V>; name: string; node: string; branched?: Branched<K, V> }> = [];
  private readonly result = new Map<string, KStream<K, V>>();
  private readonly splitNode: string;
  private readonly routes: Array<{ p: Predicate<K, V>; node: string }> = [];
  constructor(private readonly stream: KStream<K, V>, private readonly prefix: string) {
    this.splitNode = prefix.endsWith('-') ? prefix.slice(0, -1) : prefix;
    const routes = this.routes;
    stream.builder.topology.addProcessor(this.splitNode, fnProcessor((ctx) => (r) => {
      for (const route of routes) if (route.p(r.key(), r.value())) { ctx.forward(r, route.node); return; }
    }), stream.nodeName);
  }
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): this {
    const idx = this.branches.length + 1;
    const name = this.prefix + (branched?.name ?? String(idx));
    this.addBranch(predicate, name, branched);
    return this;
  }
  private addBranch(predicate: Predicate<K, V>, name: string, branched?: Branched<K, V>): void {
    const b = this.stream.builder;
    b.topology.addProcessor(name, fnProcessor((ctx) => (r) => ctx.forward(r)), this.splitNode);
    this.routes.push({ p: predicate, node: name });
    this.branches.push({ p: predicate, name, node: name, branched });
    let s = new KStream<K, V>(b, name, this.stream.keySerde, this.stream.valueSerde, this.stream.repartitionRequired, this.stream.sourceTopics);
    if (branched?.fn) { const out = branched.fn(s); if (out) s = out; else return; }
    if (branched?.consumer) { branched.consumer(s); return; }
    this.result.set(name, s);
  }
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.addBranch(() => true, this.prefix + (branched?.name ?? '0'), branched);
    return this.result;
  }
  noDefaultBranch(): Map<string, KStream<K, V>> { return this.result; }
}

export type { ValueGetterSupplier };
