// Grouped streams and their aggregations: count/reduce/aggregate, windowed by
// time (tumbling, hopping), sliding or session windows, and cogroup.
import { Record } from '../processor.ts';
import type { Serde } from '../serdes.ts';
import { Serdes } from '../serdes.ts';
import { SessionWindows, SlidingWindows, TimeWindows, Window, Windowed } from '../windows.ts';
import { Stores, type KeyValueStore, type SessionStore, type WindowStore } from '../state/stores.ts';
import { fnProcessor, store, change, type Ctx } from './internal.ts';
import { Materialized, Named } from './options.ts';
import { KTable } from './ktable.ts';
import type { KStream } from './kstream.ts';

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
  const src = g.source(sb.name());
  b.topology.addProcessor(name, kvAggProcessor(sb.name(), init, agg), src.nodeName);
  b.topology.addStateStore(sb, name);
  return new KTable(b, name, g.keySerde, m?.valueSerde ?? defaultValueSerde, sb.name(), KTable.storeGetter(sb.name()), src.sourceTopics);
}

function kvAggProcessor(storeName: string, init: Initializer<any>, agg: Aggregator<any, any, any>) {
  return fnProcessor((ctx) => {
    const s = store<KeyValueStore<any, any>>(ctx, storeName);
    return (r) => {
      if (r.key() === null || r.key() === undefined || r.value() === null || r.value() === undefined) return; // Kafka skips these
      const old = s.get(r.key());
      const nv = agg(r.key(), r.value(), old === undefined ? init() : old);
      s.put(r.key(), nv);
      ctx.forward(r.withValue(change(nv, old)));
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
