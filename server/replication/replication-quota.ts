// Replication throttling (KIP-73), as Kafka's ReplicationQuotaManager: one quota
// for what this broker sends as a leader to throttled followers, one for what it
// fetches as a follower for its throttled replicas. Which replicas are throttled
// comes from the topic configs leader/follower.replication.throttled.replicas
// (`partition:broker,...` or `*`, the broker being this one), the rates from the
// dynamic broker configs leader/follower.replication.throttled.rate.
//
// Kafka's rule, kept here: a replica is held back only when it is throttled, the
// quota is exceeded AND it is not in sync (the leader asks the ISR, the follower
// whether its last fetch reached the leader's high-water mark), so throttling never
// pushes a replica out of the ISR. Bytes of every throttled partition count against
// the quota, in sync or not. A held-back partition gets an empty answer from the
// leader / is left out of the follower's fetch.
//
// The rate is measured with a bucket that holds one window (1 s) of bytes and
// may be overdrawn by one fetch; unlike Kafka's 11 one-second samples it does not
// let a fresh quota pass ~10 s worth of bytes at once (Kafka's Rate pads a young
// sample window), so a throttle takes effect from the first byte.

/** No throttle below this rate (Kafka's default is Long.MAX_VALUE). */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

export class ReplicationQuota {
  private tokens = 0;
  private last = 0;
  private lastRate = -1;

  /** `rate()` is read on each check: the dynamic config may change at any time. */
  constructor(private readonly rate: () => number, private readonly windowMs = 1000) {}

  /** bytes/s, or Infinity when unthrottled */
  get bytesPerSecond(): number {
    const r = this.rate();
    return Number.isFinite(r) && r >= 0 && r < UNLIMITED ? r : Infinity;
  }

  private refill(now: number): number {
    const r = this.bytesPerSecond;
    if (r === Infinity) { this.lastRate = -1; return r; }
    const cap = (r * this.windowMs) / 1000;
    if (this.lastRate !== r) {
      // A new (or changed) rate starts with a full window.
      this.tokens = cap; this.last = now; this.lastRate = r;
    } else if (now > this.last) {
      this.tokens = Math.min(cap, this.tokens + ((now - this.last) * r) / 1000);
      this.last = now;
    }
    return r;
  }

  /** The throttled traffic has used up its rate for now. */
  isExceeded(now = Date.now()): boolean {
    if (this.refill(now) === Infinity) return false;
    return this.tokens <= 0;
  }

  /** Throttled bytes sent (leader) or fetched (follower). */
  record(bytes: number, now = Date.now()): void {
    if (bytes <= 0 || this.refill(now) === Infinity) return;
    this.tokens -= bytes;
  }

  /** ms until the quota is no longer exceeded (0 when it is not). */
  delayMs(now = Date.now()): number {
    const r = this.refill(now);
    if (r === Infinity || this.tokens > 0) return 0;
    if (r === 0) return this.windowMs;
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / r));
  }
}

/**
 * The partitions of a topic throttled on broker `brokerId` by a
 * *.replication.throttled.replicas value: every partition for `*`, else those
 * listed as `partition:brokerId` (entries naming other brokers are theirs).
 */
export function throttledPartitions(value: string | null | undefined, brokerId: number): '*' | Set<number> {
  const v = (value ?? '').trim();
  if (v === '*') return '*';
  const out = new Set<number>();
  if (!v) return out;
  for (const e of v.split(',')) {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(e);
    if (m && Number(m[2]) === brokerId) out.add(Number(m[1]));
  }
  return out;
}

export function isThrottled(set: '*' | Set<number>, partition: number): boolean {
  return set === '*' || set.has(partition);
}

/** Leader side: a follower's fetch of a partition gets nothing now (throttled here, follower not in the ISR, quota used up). */
export function shouldLeaderThrottle(p: { leaderThrottled: boolean; isr: readonly number[] }, replicaId: number, quota: ReplicationQuota, now = Date.now()): boolean {
  return p.leaderThrottled && !p.isr.includes(replicaId) && quota.isExceeded(now);
}

/** Follower side: leave the partition out of the next fetch (throttled here, not caught up at the last fetch, quota used up). */
export function shouldFollowerThrottle(p: { followerThrottled: boolean }, inSync: boolean, quota: ReplicationQuota, now = Date.now()): boolean {
  return p.followerThrottled && !inSync && quota.isExceeded(now);
}
