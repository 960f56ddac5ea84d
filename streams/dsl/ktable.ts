// KTable: a changelog stream read as a table. Processors pass Change<V>
// {newValue, oldValue} between them, as Kafka's KTable processors do.
import { Record } from '../processor.ts';
import type { Serde } from '../serdes.ts';
import { Serdes } from '../serdes.ts';
import { Windowed } from '../windows.ts';
import { Suppressed } from '../windows.ts';
import { Stores, type KeyValueStore, type SessionStore, type WindowStore } from '../state/stores.ts';
import { murmur2 } from '../runtime/murmur2.ts';
import { InternalBuilder, fnProcessor, store, change, defaultSerdes, type Change, type ValueGetterSupplier } from './internal.ts';
import { Materialized, Named } from './options.ts';
import { KStream, type ValueJoiner } from './kstream.ts';

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
    b.topology.addProcessor(name, fnProcessor((ctx) => {
      // buffer time: the window end for untilWindowCloses, the record time for untilTimeLimit
      const buffer = new Map<string, { r: Record<any, Change<V>>; due: number }>();
      let observed = -1;
      const id = (k: any) => (k instanceof Windowed ? `${JSON.stringify(k.key())}@${k.window().start()}/${k.window().end()}` : JSON.stringify(k));
      const emitDue = () => {
        const due = [...buffer.entries()].filter(([, e]) => e.due <= observed).sort((a, c) => a[1].due - c[1].due);
        for (const [k, e] of due) { buffer.delete(k); ctx.forward(e.r); }
      };
      return (r: Record<any, Change<V>>) => {
        observed = Math.max(observed, r.timestamp());
        const k = r.key();
        const due = suppressed.kind === 'untilWindowCloses' ? (k as Windowed<any>).window().end() + info!.graceMs : r.timestamp() + suppressed.timeLimitMs;
        const key = id(k);
        const prev = buffer.get(key);
        buffer.delete(key);
        buffer.set(key, { r: r.withValue(change(r.value().newValue, prev ? prev.r.value().oldValue : r.value().oldValue)), due });
        if (buffer.size > maxRecords) { const [first] = buffer.keys(); const e = buffer.get(first)!; buffer.delete(first); ctx.forward(e.r); }
        emitDue();
      };
    }), this.nodeName);
    return new KTable<K, V>(b, name, this.keySerde, this.valueSerde, undefined, this.getter, this.sourceTopics, this.windowInfo);
  }

  // ---- table-table joins ----
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  join(other: KTable<any, any>, a: any, b?: any, c?: any, d?: any): any {
    return typeof b === 'function' ? this.fkJoin('inner', other, a, b, c, d) : this.tableJoin('inner', other, a, b, c);
  }
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO | null, VR>, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR>;
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
    // subscription value: [op:1][hash:4][leftKey...]   op 0 = subscribe, 1 = unsubscribe, 2 = unsubscribe and propagate a delete
    const sub = (op: number, h: number, lk: Buffer) => { const v = Buffer.allocUnsafe(5 + lk.length); v.writeUInt8(op, 0); v.writeInt32BE(h, 1); lk.copy(v, 5); return v; };
    // response value: [hash:4][has:1][rightValue...]
    const resp = (h: number, rv: Buffer | null) => { const v = Buffer.allocUnsafe(5 + (rv?.length ?? 0)); v.writeInt32BE(h, 0); v.writeUInt8(rv ? 1 : 0, 4); rv?.copy(v, 5); return v; };

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
        if (nfb) ctx.forward(r.withKey(nfb).withValue(sub(0, hash(s.lv.serializer().serialize(regTopic, newValue)), lk)), regSink);
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
        if (op === 0) {
          subs.put(subKey(fkb, lk), v.subarray(1, 5));
          const rv = get(s.fk.deserializer().deserialize(regTopic, fkb));
          ctx.forward(r.withKey(lk).withValue(resp(h, rv === null ? null : s.rv.serializer().serialize(respTopic, rv))), respSink);
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
        const h = v.readInt32BE(0), has = v.readUInt8(4) === 1;
        const lv = get(key);
        let result: any = null;
        if (lv !== null) {
          if (hash(s.lv.serializer().serialize(regTopic, lv)) !== h) return; // stale answer to an older subscription
          const rv = has ? s.rv.deserializer().deserialize(respTopic, v.subarray(5)) : null;
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
