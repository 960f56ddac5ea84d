// The DSL's stream and table types: KStream, KTable, the grouped and windowed
// streams. They construct one another (a table's toStream, a stream's toTable,
// a grouping's aggregate), so they live in one module; the option objects, the
// naming and the store helpers are in options.ts and internal.ts.
import { Headers, Record, type ProcessorSupplier, type TopicNameExtractor } from '../processor.ts';
import type { Serde } from '../serdes.ts';
import { Serdes } from '../serdes.ts';
import type { KeyValue } from '../key-value.ts';
import { JoinWindows, SessionWindows, SlidingWindows, Suppressed, TimeWindows, Window, Windowed } from '../windows.ts';
import { Stores, type KeyValueStore, type SessionStore, type WindowStore } from '../state/stores.ts';
import { murmur2 } from '../runtime/murmur2.ts';
import { InternalBuilder, fnProcessor, store, change, defaultSerdes, type Change, type Ctx, type ValueGetterSupplier, type GlobalKTable } from './internal.ts';
import { Branched, Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined } from './options.ts';

/**
 * The suppression buffer's bytes: key [0][key] or, windowed, [1][start:8][end:8][key];
 * value [due:8][timestamp:8] then the new and old values, each [length:4 or -1][bytes].
 */
function suppressionCodec(keySerde: Serde<any>, valueSerde: Serde<any>, topic: string) {
  const ks = keySerde.serializer(), kd = keySerde.deserializer(), vs = valueSerde.serializer(), vd = valueSerde.deserializer();
  const part = (v: unknown): Buffer => {
    const b = v === null || v === undefined ? null : vs.serialize(topic, v);
    const len = Buffer.alloc(4); len.writeInt32BE(b ? b.length : -1);
    return b ? Buffer.concat([len, b]) : len;
  };
  return {
    key(k: any): Buffer {
      if (k instanceof Windowed) {
        const head = Buffer.alloc(17); head[0] = 1; head.writeBigInt64BE(BigInt(k.window().start()), 1); head.writeBigInt64BE(BigInt(k.window().end()), 9);
        return Buffer.concat([head, ks.serialize(topic, k.key()) ?? Buffer.alloc(0)]);
      }
      return Buffer.concat([Buffer.from([0]), ks.serialize(topic, k) ?? Buffer.alloc(0)]);
    },
    value(e: { r: Record<any, Change<any>>; due: number }): Buffer {
      const head = Buffer.alloc(16); head.writeBigInt64BE(BigInt(e.due), 0); head.writeBigInt64BE(BigInt(e.r.timestamp()), 8);
      return Buffer.concat([head, part(e.r.value().newValue), part(e.r.value().oldValue)]);
    },
    decode(kb: Buffer, vb: Buffer): { r: Record<any, Change<any>>; due: number } {
      const key = kb[0] === 1 ? new Windowed(kd.deserialize(topic, kb.subarray(17)), new Window(Number(kb.readBigInt64BE(1)), Number(kb.readBigInt64BE(9)))) : kd.deserialize(topic, kb.subarray(1));
      let at = 16;
      const read = () => { const n = vb.readInt32BE(at); at += 4; if (n < 0) return null; const v = vd.deserialize(topic, vb.subarray(at, at + n)); at += n; return v; };
      const nv = read(), ov = read();
      return { r: new Record(key, change(nv, ov), Number(vb.readBigInt64BE(8))), due: Number(vb.readBigInt64BE(0)) };
    },
  };
}

// ---- KStream ----
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
        // emit what this advance of stream time closed before the new record can expire anything from a store
        for (const f of st.flushers) f(st.time);
        if (r.timestamp() + after + windows.graceMs < st.time) return; // late beyond grace: dropped
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


// ---- KTable ----
// KTable: a changelog stream read as a table. Processors pass Change<V>
export interface WindowInfo { kind: 'time' | 'session'; graceMs: number; sizeMs: number }

export class KTable<K, V> {
  /** @internal */
  constructor(readonly builder: InternalBuilder, readonly nodeName: string, readonly keySerde: Serde<K> | undefined, readonly valueSerde: Serde<V> | undefined,
    readonly storeName: string | undefined, private readonly getter: ValueGetterSupplier<K, V>, readonly sourceTopics: string[] = [], readonly windowInfo?: WindowInfo) {}

  static storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
    return { stores: [storeName], get: (ctx) => { const s = store<KeyValueStore<K, V>>(ctx, storeName); return (k) => s.get(k) ?? null; } };
  }
  static windowStoreGetter<K, V>(storeName: string): ValueGetterSupplier<Windowed<K>, V> {
    return { stores: [storeName], get: (ctx) => { const s = store<WindowStore<K, V>>(ctx, storeName); return (k) => s.fetch(k.key(), k.window().start()) ?? null; } };
  }
  static sessionStoreGetter<K, V>(storeName: string): ValueGetterSupplier<Windowed<K>, V> {
    return { stores: [storeName], get: (ctx) => { const s = store<SessionStore<K, V>>(ctx, storeName); return (k) => s.fetchSession(k.key(), k.window().start(), k.window().end()) ?? null; } };
  }

  /** @internal */
  valueGetter(): ValueGetterSupplier<K, V> { return this.getter; }
  queryableStoreName(): string | null { return this.storeName ?? null; }

  private derive<V2>(prefix: string, named: Named | undefined, materialized: Materialized<K, V2> | undefined, fn: (k: K, v: V | null) => V2 | null, valueSerde?: Serde<V2>): KTable<K, V2> {
    const b = this.builder;
    const name = named?.name ?? b.newName(prefix);
    const sb = materialized ? b.kvStore(materialized, () => b.newStoreName(prefix), this.keySerde, valueSerde) : undefined;
    const storeName = sb?.name();
    b.topology.addProcessor(name, fnProcessor((ctx) => {
      const s = storeName ? store<KeyValueStore<K, V2>>(ctx, storeName) : undefined;
      return (r: Record<K, Change<V>>) => {
        const c = r.value();
        const nv = c.newValue === null ? null : fn(r.key(), c.newValue);
        const ov = c.oldValue === null ? null : fn(r.key(), c.oldValue);
        if (nv === null && ov === null && prefix === 'KTABLE-FILTER') return;
        if (s) s.put(r.key(), nv);
        ctx.forward(r.withValue(change(nv, ov)));
      };
    }), this.nodeName);
    if (sb) b.topology.addStateStore(sb, name);
    const parent = this.getter;
    const getter: ValueGetterSupplier<K, V2> = storeName ? KTable.storeGetter(storeName)
      : { stores: parent.stores, get: (ctx) => { const g = parent.get(ctx); return (k) => { const v = g(k); return v === null ? null : fn(k, v); }; } };
    return new KTable<K, V2>(b, name, this.keySerde, materialized?.valueSerde ?? valueSerde, storeName, getter, this.sourceTopics, this.windowInfo);
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.derive('KTABLE-FILTER', named, materialized, (k, v) => (v !== null && predicate(k, v) ? v : null), this.valueSerde);
  }
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.derive('KTABLE-FILTER', named, materialized, (k, v) => (v !== null && !predicate(k, v) ? v : null), this.valueSerde);
  }
  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named, materialized?: Materialized<K, V2>): KTable<K, V2> {
    return this.derive('KTABLE-MAPVALUES', named, materialized, (k, v) => (v === null ? null : mapper(v, k)));
  }

  /**
   * Re-groups a table (Kafka's KTable.groupBy): each update sends the old row's
   * mapping to be subtracted and the new row's to be added, through a repartition topic.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, grouped?: Grouped<K2, V2>): KGroupedTable<K2, V2> {
    const b = this.builder;
    const name = b.newName('KTABLE-SELECT');
    b.topology.addProcessor(name, fnProcessor((ctx) => (r: Record<K, Change<V>>) => {
      const { newValue, oldValue } = r.value();
      // Kafka sends the subtraction first, then the addition
      if (oldValue !== null) { const kv = selector(r.key(), oldValue); ctx.forward(r.withKey(kv.key).withValue({ v: kv.value, add: false })); }
      if (newValue !== null) { const kv = selector(r.key(), newValue); ctx.forward(r.withKey(kv.key).withValue({ v: kv.value, add: true })); }
    }), this.nodeName);
    return new KGroupedTable<K2, V2>(b, name, grouped?.keySerde, grouped?.valueSerde, grouped?.name);
  }

  toStream(named?: Named): KStream<K, V>;
  toStream<K2>(mapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V>;
  toStream(a?: any, b?: any): KStream<any, V> {
    const mapper = typeof a === 'function' ? a : undefined;
    const named: Named | undefined = mapper ? b : a;
    const name = named?.name ?? this.builder.newName('KTABLE-TOSTREAM');
    this.builder.topology.addProcessor(name, fnProcessor((ctx) => (r: Record<any, Change<V>>) => ctx.forward(r.withValue(r.value().newValue))), this.nodeName);
    const s = new KStream<any, V>(this.builder, name, this.keySerde, this.valueSerde, false, this.sourceTopics);
    return mapper ? s.selectKey(mapper) : s;
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    const b = this.builder;
    const name = suppressed.suppressName ?? b.newName('KTABLE-SUPPRESS');
    const info = this.windowInfo;
    if (suppressed.kind === 'untilWindowCloses' && !info) throw new TypeError('suppress(untilWindowCloses) needs a windowed KTable (windowedBy(...).aggregate/count/reduce)');
    const maxRecords = suppressed.buffer.maxRecords;
    // the buffer lives in a logged in-memory store (Kafka's suppression buffer changelog): a restarted
    // or moved task restores what it held and still emits it
    const storeName = suppressed.suppressName ? `${suppressed.suppressName}-store` : b.newStoreName('KTABLE-SUPPRESS');
    const keySerde = this.keySerde, valueSerde = this.valueSerde;
    b.topology.addProcessor(name, fnProcessor((ctx) => {
      // buffer time: the window end for untilWindowCloses, the record time for untilTimeLimit
      const buffer = new Map<string, { r: Record<any, Change<V>>; due: number }>();
      const st = store<KeyValueStore<Buffer, Buffer>>(ctx, storeName);
      const codec = suppressionCodec(keySerde ?? defaultSerdes(ctx).key, valueSerde ?? defaultSerdes(ctx).value, storeName);
      for (const kv of st.all()) { const e = codec.decode(kv.key, kv.value); buffer.set(kv.key.toString('latin1'), e); }
      let observed = -1;
      const emit = (key: string, e: { r: Record<any, Change<V>> }) => { buffer.delete(key); st.delete(Buffer.from(key, 'latin1')); ctx.forward(e.r); };
      const emitDue = () => {
        const due = [...buffer.entries()].filter(([, e]) => e.due <= observed).sort((a, c) => a[1].due - c[1].due);
        for (const [k, e] of due) emit(k, e);
      };
      return (r: Record<any, Change<V>>) => {
        observed = Math.max(observed, r.timestamp());
        const k = r.key();
        const due = suppressed.kind === 'untilWindowCloses' ? (k as Windowed<any>).window().end() + info!.graceMs : r.timestamp() + suppressed.timeLimitMs;
        const kb = codec.key(k);
        const key = kb.toString('latin1');
        const prev = buffer.get(key);
        buffer.delete(key);
        const e = { r: r.withValue(change(r.value().newValue, prev ? prev.r.value().oldValue : r.value().oldValue)), due };
        buffer.set(key, e);
        st.put(kb, codec.value(e));
        if (buffer.size > maxRecords) { const [first] = buffer.keys(); emit(first, buffer.get(first)!); }
        emitDue();
      };
    }), this.nodeName);
    b.topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.ByteArray(), Serdes.ByteArray()), name);
    return new KTable<K, V>(b, name, this.keySerde, this.valueSerde, undefined, this.getter, this.sourceTopics, this.windowInfo);
  }

  // ---- table-table joins ----
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join(other: KTable<any, any>, a: any, b?: any, c?: any, d?: any): any {
    return typeof b === 'function' ? this.fkJoin('inner', other, a, b, c, d) : this.tableJoin('inner', other, a, b, c);
  }
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO | null, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin(other: KTable<any, any>, a: any, b?: any, c?: any, d?: any): any {
    return typeof b === 'function' ? this.fkJoin('left', other, a, b, c, d) : this.tableJoin('left', other, a, b, c);
  }
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.tableJoin('outer', other, joiner, named, materialized);
  }

  private tableJoin(type: 'inner' | 'left' | 'outer', other: KTable<K, any>, joiner: ValueJoiner<any, any, any>, named?: Named, materialized?: Materialized<K, any>): KTable<K, any> {
    const b = this.builder, t = b.topology;
    const base = named?.name;
    const p = type === 'inner' ? 'KTABLE-JOIN' : type === 'left' ? 'KTABLE-LEFTJOIN' : 'KTABLE-OUTERJOIN';
    const thisName = base ? `${base}-join-this` : b.newName(`${p}THIS`);
    const otherName = base ? `${base}-join-other` : b.newName(`${p}OTHER`);
    const mergeName = base ?? b.newName('KTABLE-MERGE');
    const result = (l: any, r: any): any => {
      if (type === 'inner') return l !== null && r !== null ? joiner(l, r) : null;
      if (type === 'left') return l !== null ? joiner(l, r) : null;
      return l !== null || r !== null ? joiner(l, r) : null;
    };
    const lg = this.getter, rg = other.getter;
    t.addProcessor(thisName, fnProcessor((ctx) => {
      const get = rg.get(ctx);
      return (r: Record<K, Change<any>>) => {
        const ov = get(r.key());
        const nv = result(r.value().newValue, ov), old = r.value().oldValue === null ? null : result(r.value().oldValue, ov);
        if (nv === null && old === null) return;
        ctx.forward(r.withValue(change(nv, old)));
      };
    }), this.nodeName);
    t.addProcessor(otherName, fnProcessor((ctx) => {
      const get = lg.get(ctx);
      return (r: Record<K, Change<any>>) => {
        const lv = get(r.key());
        const nv = result(lv, r.value().newValue), old = r.value().oldValue === null ? null : result(lv, r.value().oldValue);
        if (nv === null && old === null) return;
        ctx.forward(r.withValue(change(nv, old)));
      };
    }), other.nodeName);
    if (rg.stores.length) t.connectProcessorAndStateStores(thisName, ...rg.stores);
    if (lg.stores.length) t.connectProcessorAndStateStores(otherName, ...lg.stores);
    const sb = materialized ? b.kvStore(materialized, () => b.newStoreName(p), this.keySerde) : undefined;
    t.addProcessor(mergeName, fnProcessor((ctx) => {
      const s = sb ? store<KeyValueStore<K, any>>(ctx, sb.name()) : undefined;
      return (r: Record<K, Change<any>>) => { if (s) s.put(r.key(), r.value().newValue); ctx.forward(r); };
    }), thisName, otherName);
    if (sb) t.addStateStore(sb, mergeName);
    t.copartitionGroups.push([...this.sourceTopics, ...other.sourceTopics]);
    const getter: ValueGetterSupplier<K, any> = sb ? KTable.storeGetter(sb.name())
      : { stores: [...lg.stores, ...rg.stores], get: (ctx) => { const l = lg.get(ctx), r = rg.get(ctx); return (k) => result(l(k), r(k)); } };
    return new KTable(b, mergeName, this.keySerde, materialized?.valueSerde, sb?.name(), getter, [...this.sourceTopics, ...other.sourceTopics]);
  }

  /**
   * Foreign-key join, as Kafka does it: the left side registers a subscription
   * (keyed by the foreign key) on an internal topic co-partitioned with the right
   * table; the right side answers on a response topic keyed by the left key. A
   * hash of the left value drops answers to subscriptions that changed since.
   */
  private fkJoin(type: 'inner' | 'left', right: KTable<any, any>, fkExtractor: (v: V) => any, joiner: ValueJoiner<any, any, any>, named?: Named, materialized?: Materialized<K, any>): KTable<K, any> {
    const b = this.builder, t = b.topology;
    const base = named?.name;
    const regName = base ? `${base}-subscription-registration-processor` : b.newName('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION');
    const regTopic = `${base ?? regName}-topic`.replace('-processor-topic', '-topic');
    const subStoreName = base ? `${base}-subscription-store` : b.newStoreName('KTABLE-FK-JOIN-SUBSCRIPTION');
    const subProcName = base ? `${base}-subscription-processor` : b.newName('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR');
    const foreignName = base ? `${base}-foreign-processor` : b.newName('KTABLE-FK-JOIN-FOREIGN-PROCESSOR');
    const respName = base ? `${base}-subscription-response` : b.newName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE');
    const respTopic = `${respName}-topic`;
    const resolverName = base ? `${base}-result` : b.newName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR');
    const bytes = Serdes.ByteArray();
    const leftKeySerde = () => this.keySerde, leftValSerde = () => this.valueSerde, fkSerde = () => right.keySerde, rightValSerde = () => right.valueSerde;
    const serdesOf = (ctx: any) => { const d = defaultSerdes(ctx); return { lk: leftKeySerde() ?? d.key, lv: leftValSerde() ?? d.value, fk: fkSerde() ?? d.key, rv: rightValSerde() ?? d.value }; };
    const hash = (buf: Buffer | null) => (buf ? murmur2(buf) : 0);
    // subscription value: [op:1][hash:4][leftKey...]   op 0 = subscribe, 3 = subscribe and answer even without a match
    // (the left row may have had a result to retract), 1 = unsubscribe, 2 = unsubscribe and propagate a delete
    const sub = (op: number, h: number, lk: Buffer) => { const v = Buffer.allocUnsafe(5 + lk.length); v.writeUInt8(op, 0); v.writeInt32BE(h, 1); lk.copy(v, 5); return v; };
    // response value: [hash:4][flags:1][rightValue...]  flags: 1 = has a right value, 2 = propagate a null result
    const resp = (h: number, rv: Buffer | null, propagateNull = true) => { const v = Buffer.allocUnsafe(5 + (rv?.length ?? 0)); v.writeInt32BE(h, 0); v.writeUInt8((rv ? 1 : 0) | (propagateNull ? 2 : 0), 4); rv?.copy(v, 5); return v; };

    const regSink = `${regName}-sink`, respSink = `${respName}-sink`;
    t.addProcessor(regName, fnProcessor((ctx) => {
      const s = serdesOf(ctx);
      return (r: Record<K, Change<V>>) => {
        const lk = s.lk.serializer().serialize(regTopic, r.key())!;
        const { newValue, oldValue } = r.value();
        const newFk = newValue === null ? null : fkExtractor(newValue);
        const oldFk = oldValue === null ? null : fkExtractor(oldValue);
        const nfb = newFk === null || newFk === undefined ? null : s.fk.serializer().serialize(regTopic, newFk);
        const ofb = oldFk === null || oldFk === undefined ? null : s.fk.serializer().serialize(regTopic, oldFk);
        if (ofb && (!nfb || !ofb.equals(nfb))) ctx.forward(r.withKey(ofb).withValue(sub(nfb ? 1 : 2, 0, lk)), regSink);
        if (nfb) ctx.forward(r.withKey(nfb).withValue(sub(oldValue === null ? 0 : 3, hash(s.lv.serializer().serialize(regTopic, newValue)), lk)), regSink);
        else if (!ofb && newValue !== null && type === 'left') {
          // no foreign key: a left join still emits, with no right value
          ctx.forward(r.withKey(lk).withValue(resp(hash(s.lv.serializer().serialize(regTopic, newValue)), null)), `${regName}-direct`);
        } else if (!ofb && newValue === null) ctx.forward(r.withKey(lk).withValue(resp(0, null)), `${regName}-direct`);
      };
    }), this.nodeName);
    t.internalTopics.set(regTopic, { type: 'repartition' });
    t.internalTopics.set(respTopic, { type: 'repartition' });
    t.addSink({ name: regSink, topic: regTopic, keySerializer: bytes.serializer(), valueSerializer: bytes.serializer() }, regName);
    t.addSink({ name: `${regName}-direct`, topic: respTopic, keySerializer: bytes.serializer(), valueSerializer: bytes.serializer() }, regName);
    t.addSource({ name: `${regName}-source`, topics: [regTopic], keyDeserializer: bytes.deserializer(), valueDeserializer: bytes.deserializer() });

    const rg = right.getter;
    const subKey = (fk: Buffer, lk: Buffer) => { const k = Buffer.allocUnsafe(4 + fk.length + lk.length); k.writeUInt32BE(fk.length, 0); fk.copy(k, 4); lk.copy(k, 4 + fk.length); return k; };
    t.addProcessor(subProcName, fnProcessor((ctx) => {
      const subs = store<KeyValueStore<Buffer, Buffer>>(ctx, subStoreName);
      const get = rg.get(ctx);
      const s = serdesOf(ctx);
      return (r: Record<Buffer, Buffer>) => {
        const fkb = r.key(), v = r.value();
        const op = v.readUInt8(0), h = v.readInt32BE(1), lk = v.subarray(5);
        if (op === 0 || op === 3) {
          subs.put(subKey(fkb, lk), v.subarray(1, 5));
          const rv = get(s.fk.deserializer().deserialize(regTopic, fkb));
          ctx.forward(r.withKey(lk).withValue(resp(h, rv === null ? null : s.rv.serializer().serialize(respTopic, rv), op === 3)), respSink);
        } else {
          subs.delete(subKey(fkb, lk));
          if (op === 2) ctx.forward(r.withKey(lk).withValue(resp(0, null)), respSink);
        }
      };
    }), `${regName}-source`);
    t.addProcessor(foreignName, fnProcessor((ctx) => {
      const subs = store<KeyValueStore<Buffer, Buffer>>(ctx, subStoreName);
      const s = serdesOf(ctx);
      return (r: Record<any, Change<any>>) => {
        const fkb = s.fk.serializer().serialize(regTopic, r.key())!;
        const prefix = Buffer.allocUnsafe(4 + fkb.length); prefix.writeUInt32BE(fkb.length, 0); fkb.copy(prefix, 4);
        const nv = r.value().newValue;
        const rvb = nv === null ? null : s.rv.serializer().serialize(respTopic, nv);
        for (const kv of subs.prefixScan(prefix)) ctx.forward(new Record(kv.key.subarray(prefix.length), resp(kv.value.readInt32BE(0), rvb), r.timestamp()), respSink);
      };
    }), right.nodeName);
    t.addSink({ name: respSink, topic: respTopic, keySerializer: bytes.serializer(), valueSerializer: bytes.serializer() }, subProcName, foreignName);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(subStoreName), bytes, bytes), subProcName, foreignName);
    if (rg.stores.length) t.connectProcessorAndStateStores(subProcName, ...rg.stores);

    const lg = this.getter;
    const sb = materialized ? b.kvStore(materialized, () => b.newStoreName('KTABLE-FK-JOIN-OUTPUT'), this.keySerde) : undefined;
    t.addSource({ name: `${respName}-source`, topics: [respTopic], keyDeserializer: bytes.deserializer(), valueDeserializer: bytes.deserializer() });
    t.addProcessor(resolverName, fnProcessor((ctx) => {
      const get = lg.get(ctx);
      const out = sb ? store<KeyValueStore<K, any>>(ctx, sb.name()) : undefined;
      const s = serdesOf(ctx);
      return (r: Record<Buffer, Buffer>) => {
        const key = s.lk.deserializer().deserialize(respTopic, r.key());
        const v = r.value();
        const h = v.readInt32BE(0), has = (v.readUInt8(4) & 1) === 1, propagateNull = (v.readUInt8(4) & 2) === 2;
        const lv = get(key);
        let result: any = null;
        if (lv !== null) {
          if (hash(s.lv.serializer().serialize(regTopic, lv)) !== h) return; // stale answer to an older subscription
          const rv = has ? s.rv.deserializer().deserialize(respTopic, v.subarray(5)) : null;
          if (rv === null && type === 'inner' && !propagateNull) return; // nothing joined before, nothing to retract
          result = rv === null && type === 'inner' ? null : joiner(lv, rv);
        }
        const old = out ? out.get(key) ?? null : null;
        if (out) out.put(key, result);
        ctx.forward(new Record(key, change(result, old), r.timestamp(), r.headers()));
      };
    }), `${respName}-source`);
    if (lg.stores.length) t.connectProcessorAndStateStores(resolverName, ...lg.stores);
    if (sb) t.addStateStore(sb, resolverName);
    t.copartitionGroups.push([regTopic, ...right.sourceTopics], [respTopic, ...this.sourceTopics]);
    const getter: ValueGetterSupplier<K, any> = sb ? KTable.storeGetter(sb.name()) : { stores: [], get: () => () => null };
    return new KTable(b, resolverName, this.keySerde, materialized?.valueSerde, sb?.name(), getter, this.sourceTopics);
  }
}

// ---- grouped and windowed streams ----
export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (value1: V, value2: V) => V;
export type Merger<K, VA> = (key: K, aggOne: VA, aggTwo: VA) => VA;

const DAY = 86_400_000;
const warnLate = (ctx: Ctx, what: string, ts: number) => {
  const m = ctx.recordMetadata();
  if (process.env.STREAMS_DEBUG) console.warn(`Skipping record for expired window (${what}). topic=[${m?.topic()}] partition=[${m?.partition()}] offset=[${m?.offset()}] timestamp=[${ts}]`);
};

type AggSource = { stream: KStream<any, any>; aggregator: Aggregator<any, any, any> };

export class KGroupedStream<K, V> {
  /** @internal */
  constructor(readonly stream: KStream<any, V>, readonly keySerde: Serde<K> | undefined, readonly valueSerde: Serde<V> | undefined, readonly groupName: string | undefined, readonly repartitionRequired: boolean) {}

  /** @internal the stream this grouping aggregates, behind a repartition topic when the key changed */
  source(storeName: string): KStream<K, V> {
    return this.repartitionRequired ? this.stream.doRepartition(this.groupName ?? storeName, this.keySerde, this.valueSerde) : this.stream;
  }

  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<K, number> {
    const m = named instanceof Materialized ? named : materialized;
    return aggregateKV(this, 'KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, () => 0, (_k, _v, a: number) => a + 1, Serdes.Long());
  }
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const m = named instanceof Materialized ? named : materialized;
    return aggregateKV(this, 'KSTREAM-REDUCE', named instanceof Named ? named : undefined, m, () => undefined as any, (_k, v, a) => (a === undefined ? v : reducer(a, v)), this.valueSerde);
  }
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, named?: Named | Materialized<K, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    const m = named instanceof Materialized ? named : materialized;
    return aggregateKV(this, 'KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, initializer, aggregator, undefined);
  }
  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): any {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, windows);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedKStream(this, windows);
    throw new TypeError('windowedBy takes TimeWindows, SlidingWindows or SessionWindows');
  }
  cogroup<VA>(aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> { return new CogroupedKStream<K, VA>([{ grouped: this, aggregator }]); }
}

function aggregateKV(g: KGroupedStream<any, any>, prefix: string, named: Named | undefined, m: Materialized<any, any> | undefined, init: Initializer<any>, agg: Aggregator<any, any, any>, defaultValueSerde: Serde<any> | undefined): KTable<any, any> {
  const b = g.stream.builder;
  const name = named?.name ?? b.newName(prefix);
  const sb = b.kvStore(m, () => b.newStoreName(prefix), g.keySerde, m?.valueSerde ?? defaultValueSerde);
  if (m?.cachingEnabled !== false) sb.withCachingEnabled();
  const src = g.source(sb.name());
  b.topology.addProcessor(name, kvAggProcessor(sb.name(), init, agg), src.nodeName);
  b.topology.addStateStore(sb, name);
  return new KTable(b, name, g.keySerde, m?.valueSerde ?? defaultValueSerde, sb.name(), KTable.storeGetter(sb.name()), src.sourceTopics);
}

/** a cached aggregation store forwards what it flushes (once per key per commit), with the record context of the key's latest update */
function forwardOnFlush(ctx: Ctx, s: KeyValueStore<any, any>): boolean {
  return s.setFlushListener((k, nv, old, rc) => ctx.forward(new Record(k, change(nv, old), rc?.timestamp ?? ctx.currentStreamTimeMs(), (rc?.headers as Headers | undefined) ?? new Headers())));
}

function kvAggProcessor(storeName: string, init: Initializer<any>, agg: Aggregator<any, any, any>) {
  return fnProcessor((ctx) => {
    const s = store<KeyValueStore<any, any>>(ctx, storeName);
    const cached = forwardOnFlush(ctx, s);
    return (r) => {
      if (r.key() === null || r.key() === undefined || r.value() === null || r.value() === undefined) return; // Kafka skips these
      const old = s.get(r.key());
      const nv = agg(r.key(), r.value(), old === undefined ? init() : old);
      s.put(r.key(), nv);
      if (!cached) ctx.forward(r.withValue(change(nv, old)));
    };
  });
}

function timeWindowProcessor(storeName: string, windows: TimeWindows, init: Initializer<any>, agg: Aggregator<any, any, any>) {
  return fnProcessor((ctx) => {
    const s = store<WindowStore<any, any>>(ctx, storeName);
    let observed = -1;
    return (r) => {
      if (r.key() === null || r.key() === undefined || r.value() === null || r.value() === undefined) return;
      const ts = r.timestamp();
      observed = Math.max(observed, ts);
      const closeTime = observed - windows.graceMs;
      for (const [start, w] of windows.windowsFor(ts)) {
        if (w.end() <= closeTime) { warnLate(ctx, 'time window', ts); continue; }
        const old = s.fetch(r.key(), start);
        const nv = agg(r.key(), r.value(), old === undefined ? init() : old);
        s.put(r.key(), nv, start);
        ctx.forward(new Record(new Windowed(r.key(), w), change(nv, old), ts, r.headers()));
      }
    };
  });
}

/**
 * Sliding windows: every distinct set of records no more than timeDifference
 * apart forms one window [start, start + timeDifference]. Records are kept raw
 * (second store) and each window that a record enters is re-aggregated.
 */
function slidingWindowProcessor(storeName: string, rawStore: string, windows: SlidingWindows, init: Initializer<any>, agg: Aggregator<any, any, any>) {
  return fnProcessor((ctx) => {
    const s = store<WindowStore<any, any>>(ctx, storeName);
    const raw = store<WindowStore<any, any>>(ctx, rawStore);
    const D = windows.timeDifferenceMs;
    let observed = -1;
    return (r) => {
      const k = r.key();
      if (k === null || k === undefined || r.value() === null || r.value() === undefined) return;
      const t = r.timestamp();
      observed = Math.max(observed, t);
      const closeTime = observed - windows.graceMs;
      if (t + 1 + D <= closeTime) { warnLate(ctx, 'sliding window', t); return; }
      raw.put(k, r.value(), t);
      const recs = raw.fetch(k, Math.max(0, t - 2 * D - 1), t + 2 * D + 1);
      const starts = new Set<number>();
      starts.add(Math.max(0, t - D)); // the new record's left window
      for (const rec of recs) {
        const rt = rec.key;
        if (rt > t && rt - D <= t) starts.add(rt - D); // later records' left windows now hold t
        if (rt < t && rt + 1 >= t - D) starts.add(rt + 1); // earlier records' right windows now hold t
      }
      for (const start of [...starts].sort((a, b) => a - b)) {
        const end = start + D;
        if (end < closeTime) continue;
        const inside = recs.filter((x) => x.key >= start && x.key <= end);
        if (!inside.length) continue;
        let a = init();
        for (const x of inside) a = agg(k, x.value, a);
        const old = s.fetch(k, start);
        s.put(k, a, start);
        const maxTs = Math.max(...inside.map((x) => x.key));
        ctx.forward(new Record(new Windowed(k, new Window(start, end)), change(a, old), maxTs, r.headers()));
      }
    };
  });
}

export class TimeWindowedKStream<K, V> {
  constructor(private readonly g: KGroupedStream<K, V>, private readonly windows: TimeWindows | SlidingWindows) {}
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const m = named instanceof Materialized ? named : materialized;
    return this.build('KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, () => 0, (_k, _v, a: number) => a + 1, Serdes.Long());
  }
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const m = named instanceof Materialized ? named : materialized;
    return this.build('KSTREAM-REDUCE', named instanceof Named ? named : undefined, m, () => undefined as any, (_k, v, a) => (a === undefined ? v : reducer(a, v)), this.g.valueSerde);
  }
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, named?: Named | Materialized<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const m = named instanceof Materialized ? named : materialized;
    return this.build('KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, initializer, aggregator, undefined);
  }
  private build(prefix: string, named: Named | undefined, m: Materialized<any, any> | undefined, init: Initializer<any>, agg: Aggregator<any, any, any>, defaultValueSerde?: Serde<any>): KTable<Windowed<K>, any> {
    const b = this.g.stream.builder, w = this.windows;
    const name = named?.name ?? b.newName(prefix);
    const storeName = m?.storeName ?? b.newStoreName(prefix);
    const sliding = w instanceof SlidingWindows;
    const size = sliding ? w.timeDifferenceMs : w.sizeMs;
    const retention = m?.retentionMs ?? Math.max(DAY, size + w.graceMs + (sliding ? size + 1 : 0));
    const mkStore = (n: string, vs?: Serde<any>, dup = false) => {
      const sup = m?.storeType === 'IN_MEMORY' ? Stores.inMemoryWindowStore(n, retention, size, dup) : Stores.persistentWindowStore(n, retention, size, dup);
      const sb = Stores.windowStoreBuilder(sup, this.g.keySerde, vs);
      if (m && !m.loggingEnabled) sb.withLoggingDisabled();
      return sb;
    };
    const sb = mkStore(storeName, m?.valueSerde ?? defaultValueSerde);
    const src = this.g.source(storeName);
    if (sliding) {
      const raw = mkStore(`${storeName}-raw`, this.g.valueSerde, true);
      b.topology.addProcessor(name, slidingWindowProcessor(storeName, raw.name(), w, init, agg), src.nodeName);
      b.topology.addStateStore(raw, name);
    } else {
      b.topology.addProcessor(name, timeWindowProcessor(storeName, w, init, agg), src.nodeName);
    }
    b.topology.addStateStore(sb, name);
    return new KTable<Windowed<K>, any>(b, name, undefined, m?.valueSerde ?? defaultValueSerde, storeName, KTable.windowStoreGetter(storeName), src.sourceTopics, { kind: 'time', graceMs: w.graceMs, sizeMs: size });
  }
}

function sessionProcessor(storeName: string, windows: SessionWindows, init: Initializer<any>, agg: Aggregator<any, any, any>, merger: Merger<any, any>) {
  return fnProcessor((ctx) => {
    const s = store<SessionStore<any, any>>(ctx, storeName);
    let observed = -1;
    return (r) => {
      const k = r.key();
      if (k === null || k === undefined || r.value() === null || r.value() === undefined) return;
      const t = r.timestamp();
      observed = Math.max(observed, t);
      const closeTime = observed - windows.graceMs;
      const gap = windows.inactivityGapMs;
      const overlapping = s.findSessions(k, t - gap, t + gap);
      let start = t, end = t;
      let a = init();
      for (const sess of overlapping) {
        start = Math.min(start, sess.key.window().start());
        end = Math.max(end, sess.key.window().end());
        a = merger(k, a, sess.value);
      }
      if (end < closeTime) { warnLate(ctx, 'session window', t); return; }
      a = agg(k, r.value(), a);
      const merged = new Windowed(k, new Window(start, end));
      for (const sess of overlapping) {
        if (sess.key.window().equals(merged.window())) continue;
        s.remove(sess.key);
        ctx.forward(new Record(sess.key, change(null, sess.value), t, r.headers()));
      }
      const old = s.fetchSession(k, start, end);
      s.put(merged, a);
      ctx.forward(new Record(merged, change(a, old), t, r.headers()));
    };
  });
}

export class SessionWindowedKStream<K, V> {
  constructor(private readonly g: KGroupedStream<K, V>, private readonly windows: SessionWindows) {}
  count(named?: Named | Materialized<K, number>, materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const m = named instanceof Materialized ? named : materialized;
    return this.build('KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, () => 0, (_k, _v, a: number) => a + 1, (_k, a: number, b: number) => a + b, Serdes.Long());
  }
  reduce(reducer: Reducer<V>, named?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const m = named instanceof Materialized ? named : materialized;
    const f = (a: any, b: any) => (a === undefined ? b : b === undefined ? a : reducer(a, b));
    return this.build('KSTREAM-REDUCE', named instanceof Named ? named : undefined, m, () => undefined as any, (_k, v, a) => f(a, v), (_k, a, b) => f(a, b), this.g.valueSerde);
  }
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, sessionMerger: Merger<K, VA>, named?: Named | Materialized<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const m = named instanceof Materialized ? named : materialized;
    return this.build('KSTREAM-AGGREGATE', named instanceof Named ? named : undefined, m, initializer, aggregator, sessionMerger, undefined);
  }
  private build(prefix: string, named: Named | undefined, m: Materialized<any, any> | undefined, init: Initializer<any>, agg: Aggregator<any, any, any>, merger: Merger<any, any>, defaultValueSerde?: Serde<any>): KTable<Windowed<K>, any> {
    const b = this.g.stream.builder, w = this.windows;
    const name = named?.name ?? b.newName(prefix);
    const storeName = m?.storeName ?? b.newStoreName(prefix);
    const retention = m?.retentionMs ?? Math.max(DAY, w.inactivityGapMs + w.graceMs);
    const sup = m?.storeType === 'IN_MEMORY' ? Stores.inMemorySessionStore(storeName, retention) : Stores.persistentSessionStore(storeName, retention);
    const sb = Stores.sessionStoreBuilder(sup, this.g.keySerde, m?.valueSerde ?? defaultValueSerde);
    if (m && !m.loggingEnabled) sb.withLoggingDisabled();
    const src = this.g.source(storeName);
    b.topology.addProcessor(name, sessionProcessor(storeName, w, init, agg, merger), src.nodeName);
    b.topology.addStateStore(sb, name);
    return new KTable<Windowed<K>, any>(b, name, undefined, m?.valueSerde ?? defaultValueSerde, storeName, KTable.sessionStoreGetter(storeName), src.sourceTopics, { kind: 'session', graceMs: w.graceMs, sizeMs: 0 });
  }
}

/** Several grouped streams feeding one aggregate (Kafka's cogroup). */
export class CogroupedKStream<K, VA> {
  constructor(private readonly parts: Array<{ grouped: KGroupedStream<K, any>; aggregator: Aggregator<K, any, VA> }>) {}
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    return new CogroupedKStream([...this.parts, { grouped, aggregator }]);
  }
  windowedBy(windows: TimeWindows): TimeWindowedCogroupedKStream<K, VA> { return new TimeWindowedCogroupedKStream(this.parts, windows); }
  aggregate(initializer: Initializer<VA>, named?: Named | Materialized<K, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    const m = named instanceof Materialized ? named : materialized;
    const g0 = this.parts[0].grouped;
    const b = g0.stream.builder;
    const sb = b.kvStore(m, () => b.newStoreName('COGROUPKSTREAM-AGGREGATE'), g0.keySerde, m?.valueSerde);
    const procs: string[] = [];
    const topics: string[] = [];
    for (const p of this.parts) {
      const name = b.newName('COGROUPKSTREAM-AGGREGATE');
      const src = p.grouped.source(`${sb.name()}-${name}`);
      b.topology.addProcessor(name, kvAggProcessor(sb.name(), initializer, p.aggregator), src.nodeName);
      procs.push(name);
      topics.push(...src.sourceTopics);
    }
    b.topology.addStateStore(sb, ...procs);
    const merge = (named instanceof Named ? named.name : undefined) ?? b.newName('COGROUPKSTREAM-MERGE');
    b.topology.addProcessor(merge, fnProcessor((ctx) => (r) => ctx.forward(r)), ...procs);
    b.topology.copartitionGroups.push(topics);
    return new KTable(b, merge, g0.keySerde, m?.valueSerde, sb.name(), KTable.storeGetter(sb.name()), topics);
  }
}

export class TimeWindowedCogroupedKStream<K, VA> {
  constructor(private readonly parts: Array<{ grouped: KGroupedStream<K, any>; aggregator: Aggregator<K, any, VA> }>, private readonly windows: TimeWindows) {}
  aggregate(initializer: Initializer<VA>, named?: Named | Materialized<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const m = named instanceof Materialized ? named : materialized;
    const g0 = this.parts[0].grouped, w = this.windows;
    const b = g0.stream.builder;
    const storeName = m?.storeName ?? b.newStoreName('COGROUPKSTREAM-AGGREGATE');
    const retention = m?.retentionMs ?? Math.max(DAY, w.sizeMs + w.graceMs);
    const sb = Stores.windowStoreBuilder(m?.storeType === 'IN_MEMORY' ? Stores.inMemoryWindowStore(storeName, retention, w.sizeMs) : Stores.persistentWindowStore(storeName, retention, w.sizeMs), g0.keySerde, m?.valueSerde);
    const procs: string[] = [];
    const topics: string[] = [];
    for (const p of this.parts) {
      const name = b.newName('COGROUPKSTREAM-AGGREGATE');
      const src = p.grouped.source(`${storeName}-${name}`);
      b.topology.addProcessor(name, timeWindowProcessor(storeName, w, initializer, p.aggregator), src.nodeName);
      procs.push(name);
      topics.push(...src.sourceTopics);
    }
    b.topology.addStateStore(sb, ...procs);
    const merge = b.newName('COGROUPKSTREAM-MERGE');
    b.topology.addProcessor(merge, fnProcessor((ctx) => (r) => ctx.forward(r)), ...procs);
    return new KTable<Windowed<K>, VA>(b, merge, undefined, m?.valueSerde, storeName, KTable.windowStoreGetter(storeName), topics, { kind: 'time', graceMs: w.graceMs, sizeMs: w.sizeMs });
  }
}

/** A re-grouped table: aggregations take an adder and a subtractor (Kafka's KGroupedTable). */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(private readonly b: InternalBuilder, private readonly selectNode: string, readonly keySerde: Serde<K> | undefined, readonly valueSerde: Serde<V> | undefined, private readonly groupName?: string) {}

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.build('KTABLE-AGGREGATE', materialized, () => 0, (_k, _v, a: number) => a + 1, (_k, _v, a: number) => a - 1, Serdes.Long());
  }
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.build('KTABLE-REDUCE', materialized, () => undefined as any, (_k, v, a) => (a === undefined ? v : adder(a, v)), (_k, v, a) => subtractor(a, v), this.valueSerde);
  }
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.build('KTABLE-AGGREGATE', materialized, initializer, adder, subtractor, undefined);
  }

  private build(prefix: string, m: Materialized<any, any> | undefined, init: Initializer<any>, add: Aggregator<any, any, any>, sub: Aggregator<any, any, any>, defaultValueSerde?: Serde<any>): KTable<K, any> {
    const b = this.b, t = b.topology;
    const name = b.newName(prefix);
    const sb = b.kvStore(m, () => b.newStoreName(prefix), this.keySerde, m?.valueSerde ?? defaultValueSerde);
    if (m?.cachingEnabled !== false) sb.withCachingEnabled();
    // the repartition record's value: [1 = add, 0 = subtract][value bytes]
    const base = this.groupName ?? sb.name();
    const topic = `${base}-repartition`;
    const valueSerde = this.valueSerde;
    const flagged = (ctx: Ctx) => { const vs = valueSerde ?? defaultSerdes(ctx).value; return vs; };
    let serdeFor: Ctx | undefined;
    const flagSerde: Serde<{ v: unknown; add: boolean }> = {
      serializer: () => ({ serialize: (tp, x) => { const inner = flagged(serdeFor!).serializer().serialize(tp, x.v) ?? Buffer.alloc(0); return Buffer.concat([Buffer.from([x.add ? 1 : 0]), inner]); } }),
      deserializer: () => ({ deserialize: (tp, buf) => ({ add: buf![0] === 1, v: flagged(serdeFor!).deserializer().deserialize(tp, buf!.subarray(1)) }) }),
    };
    t.internalTopics.set(topic, { type: 'repartition' });
    t.addProcessor(`${base}-repartition-filter`, fnProcessor((ctx) => { serdeFor = ctx; return (r) => { if (r.key() !== null && r.key() !== undefined) ctx.forward(r); }; }), this.selectNode);
    t.addSink({ name: `${base}-repartition-sink`, topic, keySerializer: this.keySerde?.serializer(), valueSerializer: flagSerde.serializer() }, `${base}-repartition-filter`);
    t.addSource({ name: `${base}-repartition-source`, topics: [topic], keyDeserializer: this.keySerde?.deserializer(), valueDeserializer: flagSerde.deserializer() });
    t.addProcessor(name, fnProcessor((ctx) => {
      serdeFor = ctx;
      const s = store<KeyValueStore<any, any>>(ctx, sb.name());
      const cached = forwardOnFlush(ctx, s);
      return (r: Record<any, { v: unknown; add: boolean }>) => {
        const old = s.get(r.key());
        const cur = old === undefined ? init() : old;
        const nv = r.value().add ? add(r.key(), r.value().v, cur) : sub(r.key(), r.value().v, cur);
        s.put(r.key(), nv);
        if (!cached) ctx.forward(r.withValue(change(nv, old)));
      };
    }), `${base}-repartition-source`);
    t.addStateStore(sb, name);
    return new KTable(b, name, this.keySerde, m?.valueSerde ?? defaultValueSerde, sb.name(), KTable.storeGetter(sb.name()), [topic]);
  }
}
