// Window definitions with Kafka Streams' names and semantics: windows are
// [start, end) for time windows, [start, end] for sessions; a record is late
// when stream time has passed its window end plus the grace period.
import { Duration, toMillis, type DurationLike } from './duration.ts';
import type { Serde } from './serdes.ts';
import { SerializationException } from './serdes.ts';

export class Window {
  constructor(private readonly startMs: number, private readonly endMs: number) {}
  start(): number { return this.startMs; }
  end(): number { return this.endMs; }
  startTime(): Date { return new Date(this.startMs); }
  endTime(): Date { return new Date(this.endMs); }
  overlap(other: Window): boolean { return this.startMs < other.endMs && other.startMs < this.endMs; }
  equals(other: Window): boolean { return other.startMs === this.startMs && other.endMs === this.endMs; }
  toString(): string { return `Window{startMs=${this.startMs}, endMs=${this.endMs}}`; }
}

export class Windowed<K> {
  constructor(private readonly k: K, private readonly w: Window) {}
  key(): K { return this.k; }
  window(): Window { return this.w; }
  toString(): string { return `[${String(this.k)}@${this.w.start()}/${this.w.end()}]`; }
  toJSON(): unknown { return { key: this.k, start: this.w.start(), end: this.w.end() }; }
}

const DEFAULT_GRACE_LEGACY = 24 * 3600 * 1000;

export class TimeWindows {
  private constructor(readonly sizeMs: number, readonly advanceMs: number, readonly graceMs: number) {}
  static ofSizeWithNoGrace(size: DurationLike): TimeWindows { const s = positive(size, 'window size'); return new TimeWindows(s, s, 0); }
  static ofSizeAndGrace(size: DurationLike, grace: DurationLike): TimeWindows { const s = positive(size, 'window size'); return new TimeWindows(s, s, toMillis(grace, 'grace')); }
  /** @deprecated Kafka's old factory: 24 h grace unless grace() is called */
  static of(size: DurationLike): TimeWindows { const s = positive(size, 'window size'); return new TimeWindows(s, s, DEFAULT_GRACE_LEGACY); }
  advanceBy(advance: DurationLike): TimeWindows {
    const a = positive(advance, 'advance');
    if (a > this.sizeMs) throw new RangeError(`window advance (${a} ms) must lie within window size (${this.sizeMs} ms)`);
    return new TimeWindows(this.sizeMs, a, this.graceMs);
  }
  grace(g: DurationLike): TimeWindows { return new TimeWindows(this.sizeMs, this.advanceMs, toMillis(g, 'grace')); }
  gracePeriodMs(): number { return this.graceMs; }
  size(): number { return this.sizeMs; }
  /** Every window containing timestamp ts, by start time. */
  windowsFor(ts: number): Map<number, Window> {
    const out = new Map<number, Window>();
    let start = Math.max(0, ts - this.sizeMs + this.advanceMs);
    start -= start % this.advanceMs;
    for (; start <= ts; start += this.advanceMs) if (ts < start + this.sizeMs) out.set(start, new Window(start, start + this.sizeMs));
    return out;
  }
}

export class SlidingWindows {
  private constructor(readonly timeDifferenceMs: number, readonly graceMs: number) {}
  static ofTimeDifferenceWithNoGrace(d: DurationLike): SlidingWindows { return new SlidingWindows(positive(d, 'time difference'), 0); }
  static ofTimeDifferenceAndGrace(d: DurationLike, grace: DurationLike): SlidingWindows { return new SlidingWindows(positive(d, 'time difference'), toMillis(grace, 'grace')); }
  gracePeriodMs(): number { return this.graceMs; }
}

export class SessionWindows {
  private constructor(readonly inactivityGapMs: number, readonly graceMs: number) {}
  static ofInactivityGapWithNoGrace(gap: DurationLike): SessionWindows { return new SessionWindows(positive(gap, 'inactivity gap'), 0); }
  static ofInactivityGapAndGrace(gap: DurationLike, grace: DurationLike): SessionWindows { return new SessionWindows(positive(gap, 'inactivity gap'), toMillis(grace, 'grace')); }
  /** @deprecated */
  static with(gap: DurationLike): SessionWindows { return new SessionWindows(positive(gap, 'inactivity gap'), DEFAULT_GRACE_LEGACY); }
  grace(g: DurationLike): SessionWindows { return new SessionWindows(this.inactivityGapMs, toMillis(g, 'grace')); }
  gracePeriodMs(): number { return this.graceMs; }
  inactivityGap(): number { return this.inactivityGapMs; }
}

export class JoinWindows {
  private constructor(readonly beforeMs: number, readonly afterMs: number, readonly graceMs: number) {}
  static ofTimeDifferenceWithNoGrace(d: DurationLike): JoinWindows { const t = toMillis(d, 'time difference'); return new JoinWindows(t, t, 0); }
  static ofTimeDifferenceAndGrace(d: DurationLike, grace: DurationLike): JoinWindows { const t = toMillis(d, 'time difference'); return new JoinWindows(t, t, toMillis(grace, 'grace')); }
  /** @deprecated 24 h grace */
  static of(d: DurationLike): JoinWindows { const t = toMillis(d, 'time difference'); return new JoinWindows(t, t, DEFAULT_GRACE_LEGACY); }
  before(d: DurationLike): JoinWindows { return new JoinWindows(toMillis(d, 'before'), this.afterMs, this.graceMs); }
  after(d: DurationLike): JoinWindows { return new JoinWindows(this.beforeMs, toMillis(d, 'after'), this.graceMs); }
  grace(g: DurationLike): JoinWindows { return new JoinWindows(this.beforeMs, this.afterMs, toMillis(g, 'grace')); }
  size(): number { return this.beforeMs + this.afterMs; }
  gracePeriodMs(): number { return this.graceMs; }
}

function positive(d: DurationLike, what: string): number {
  const ms = toMillis(d, what);
  if (ms <= 0) throw new RangeError(`${what} must be larger than zero`);
  return ms;
}

export class BufferConfig {
  private constructor(readonly maxRecords: number, readonly maxBytes: number) {}
  static unbounded(): BufferConfig { return new BufferConfig(Infinity, Infinity); }
  static maxRecords(n: number): BufferConfig { return new BufferConfig(n, Infinity); }
  static maxBytes(n: number): BufferConfig { return new BufferConfig(Infinity, n); }
  shutDownWhenFull(): BufferConfig { return this; }
}
export const StrictBufferConfig = BufferConfig;

export class Suppressed {
  private constructor(readonly kind: 'untilWindowCloses' | 'untilTimeLimit', readonly timeLimitMs: number, readonly buffer: BufferConfig, readonly suppressName?: string) {}
  static untilWindowCloses(buffer: BufferConfig = BufferConfig.unbounded()): Suppressed { return new Suppressed('untilWindowCloses', 0, buffer); }
  static untilTimeLimit(limit: DurationLike, buffer: BufferConfig = BufferConfig.unbounded()): Suppressed { return new Suppressed('untilTimeLimit', toMillis(limit, 'time limit'), buffer); }
  withName(name: string): Suppressed { return new Suppressed(this.kind, this.timeLimitMs, this.buffer, name); }
}
export { Duration };

/** Kafka's WindowedSerdes: inner key bytes then the 8-byte window start (time windows) or end+start (sessions). */
export const WindowedSerdes = {
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    const ser = inner.serializer(), de = inner.deserializer();
    return {
      serializer: () => ({ serialize: (topic, w) => {
        if (w === null || w === undefined) return null;
        const k = ser.serialize(topic, w.key()) ?? Buffer.alloc(0);
        const b = Buffer.allocUnsafe(k.length + 8); k.copy(b); b.writeBigInt64BE(BigInt(w.window().start()), k.length); return b;
      } }),
      deserializer: () => ({ deserialize: (topic, b) => {
        if (!b) return null as unknown as Windowed<K>;
        if (b.length < 8) throw new SerializationException('windowed key shorter than its 8-byte timestamp');
        const start = Number(b.readBigInt64BE(b.length - 8));
        return new Windowed(de.deserialize(topic, b.subarray(0, b.length - 8)), new Window(start, start + windowSizeMs));
      } }),
    };
  },
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    const ser = inner.serializer(), de = inner.deserializer();
    return {
      serializer: () => ({ serialize: (topic, w) => {
        if (w === null || w === undefined) return null;
        const k = ser.serialize(topic, w.key()) ?? Buffer.alloc(0);
        const b = Buffer.allocUnsafe(k.length + 16); k.copy(b);
        b.writeBigInt64BE(BigInt(w.window().end()), k.length); b.writeBigInt64BE(BigInt(w.window().start()), k.length + 8); return b;
      } }),
      deserializer: () => ({ deserialize: (topic, b) => {
        if (!b) return null as unknown as Windowed<K>;
        if (b.length < 16) throw new SerializationException('session-windowed key shorter than its 16-byte window');
        const end = Number(b.readBigInt64BE(b.length - 16)), start = Number(b.readBigInt64BE(b.length - 8));
        return new Windowed(de.deserialize(topic, b.subarray(0, b.length - 16)), new Window(start, end));
      } }),
    };
  },
};
