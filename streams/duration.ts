// java.time.Duration's factory names; every API also takes plain milliseconds.
export class Duration {
  private constructor(private readonly ms: number) {}
  static ofMillis(ms: number): Duration { return new Duration(ms); }
  static ofSeconds(s: number): Duration { return new Duration(s * 1000); }
  static ofMinutes(m: number): Duration { return new Duration(m * 60_000); }
  static ofHours(h: number): Duration { return new Duration(h * 3_600_000); }
  static ofDays(d: number): Duration { return new Duration(d * 86_400_000); }
  static readonly ZERO = new Duration(0);
  toMillis(): number { return this.ms; }
  toString(): string { return `PT${this.ms / 1000}S`; }
}
export type DurationLike = Duration | number;
export function toMillis(d: DurationLike, what = 'duration'): number {
  const ms = typeof d === 'number' ? d : d?.toMillis?.();
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`${what} must be a non-negative Duration or number of milliseconds, got ${String(d)}`);
  return ms;
}
