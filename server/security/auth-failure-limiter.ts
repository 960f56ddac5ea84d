// Failed SASL authentications counted per client address, for all listeners of a broker.
// Each failure from an address is answered later than the one before (the base delay,
// connection.failed.authentication.delay.ms, doubled per recent failure, capped); once
// an address has `limit` failures within `windowMs`, its new connections to a SASL
// listener are closed at once until the oldest of them ages out. Other addresses are
// unaffected. Kafka has only the fixed delay; the limit is ours (documented in README).

export interface AuthFailureLimits {
  /** failures per address within the window before its connections are refused; 0 = no limit */
  limit: number;
  windowMs: number;
  /** connection.failed.authentication.delay.ms */
  baseDelayMs: number;
  /** cap of the growing delay */
  maxDelayMs: number;
}

export class AuthFailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(readonly o: AuthFailureLimits, private readonly now: () => number = Date.now) {}

  private recent(host: string): number[] {
    const list = this.failures.get(host);
    if (!list) return [];
    const since = this.now() - this.o.windowMs;
    while (list.length && list[0] <= since) list.shift();
    if (!list.length) this.failures.delete(host);
    return list;
  }

  /** Records a failure; returns how long to wait before answering it. */
  failed(host: string): number {
    const list = this.recent(host);
    list.push(this.now());
    // Keep only what the limit needs, so a flood from one address costs a bounded list.
    if (list.length > Math.max(this.o.limit, 16)) list.shift();
    this.failures.set(host, list);
    if (this.failures.size > 10_000) this.prune();
    if (this.o.baseDelayMs <= 0) return 0;
    return Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(list.length - 1, 20));
  }

  /** true while `host` has `limit` failures within the window: its new SASL connections are closed. */
  blocked(host: string): boolean {
    return this.o.limit > 0 && this.recent(host).length >= this.o.limit;
  }

  /** failures of `host` within the window */
  count(host: string): number { return this.recent(host).length; }

  private prune(): void {
    for (const host of [...this.failures.keys()]) this.recent(host);
  }
}
