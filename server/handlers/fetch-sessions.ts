// KIP-227 incremental fetch sessions, the broker's side. A fetcher (a follower or a
// consumer) that creates a session (epoch 0) lists all its partitions once; its later
// requests (epoch 1, 2, …) list only partitions whose fetch position changed, were
// added, or are forgotten, and the answer carries only partitions with data, an
// error, or a changed high-water mark / last stable offset / log start offset.
//
// The cache holds at most max.incremental.fetch.session.cache.slots sessions (0: no
// sessions; every fetch is answered session id 0, as Kafka). A new session takes a
// free slot, else evicts as Kafka's FetchSessionCache does: the least recently used
// session if it has been idle longer than EVICTION_MS; otherwise the least valuable
// evictable one (privileged — a follower's — ranks above a consumer's, then more
// partitions above fewer), if the new one is worth at least as much. A consumer can
// evict only sessions older than EVICTION_MS; a follower any consumer's too.
//
// Kafka checks a session's partitions against the ACLs on every request; here the
// authorizer sees only the partitions a request lists, so a session is bound to the
// principal and replica id that created it: anyone else asking for it is told
// FETCH_SESSION_ID_NOT_FOUND, as for an id that never existed.

export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
/** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS */
export const EVICTION_MS = 120_000;

/** The epoch after `epoch` (wraps to 1, never back to the initial epoch). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/**
 * One partition of a session: what the fetcher last asked (position, limits, epoch)
 * and what it was last told (high-water mark, LSO, log start), to leave unchanged
 * partitions out of the answer. The first five fields are the handler's FetchPart.
 */
export interface CachedPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
  currentLeaderEpoch: number;
  /** as last answered; -1 after an error, so the partition is answered again once it clears */
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** `${topic}-${partition}`: what a long poll waits on */
  waitKey: string;
}

export class FetchSession {
  /** partitions in fetch order: one answered with data moves to the end (fairness under max_bytes) */
  readonly parts = new Map<string, CachedPartition>();
  lastUsedMs: number;
  /** the epoch the next incremental request must carry */
  epoch = nextEpoch(INITIAL_EPOCH);

  constructor(
    readonly id: number,
    /** created by a follower */
    readonly privileged: boolean,
    /** principal and replica id of its creator */
    readonly owner: string,
    /** created with Fetch v13+ (topic ids); the session is then only usable with v13+, and the reverse */
    readonly usesTopicIds: boolean,
    readonly creationMs: number,
  ) {
    this.lastUsedMs = creationMs;
  }

  static key(usesTopicIds: boolean, topic: string, topicId: string, partition: number): string {
    return `${usesTopicIds ? topicId : topic}\u0000${partition}`;
  }
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  /** sessions evicted to make room for another (Kafka's IncrementalFetchSessionEvictionsPerSec) */
  evictions = 0;
  /** Fetch requests, and partitions they listed, by followers and consumers (what sessions save) */
  readonly requests = { follower: 0, consumer: 0 };
  readonly requestPartitions = { follower: 0, consumer: 0 };

  constructor(readonly maxEntries: number, private readonly evictionMs = EVICTION_MS, private readonly random: () => number = Math.random) {}

  get size(): number { return this.sessions.size; }

  /** partitions held by all sessions (Kafka's NumIncrementalFetchPartitionsCached) */
  get totalPartitions(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.parts.size;
    return n;
  }

  /** The session `id` if `owner` created it. */
  get(id: number, owner: string): FetchSession | undefined {
    const s = this.sessions.get(id);
    return s && s.owner === owner ? s : undefined;
  }

  /** Closes session `id` if `owner` created it; true if it was there. */
  close(id: number, owner: string): boolean {
    return this.get(id, owner) !== undefined && this.sessions.delete(id);
  }

  remove(s: FetchSession): void {
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
  }

  has(s: FetchSession): boolean { return this.sessions.get(s.id) === s; }

  touch(s: FetchSession, now: number): void { s.lastUsedMs = now; }

  /**
   * A new session of `size` partitions if there is a slot or one may be evicted for
   * it; undefined otherwise (the fetch is then answered without a session).
   */
  create(now: number, privileged: boolean, size: number, owner: string, usesTopicIds: boolean): FetchSession | undefined {
    if (this.maxEntries <= 0) return undefined;
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, size, now)) return undefined;
    let id: number;
    do id = 1 + Math.floor(this.random() * 0x7ffffffe); while (this.sessions.has(id));
    const s = new FetchSession(id, privileged, owner, usesTopicIds, now);
    this.sessions.set(id, s);
    return s;
  }

  /** Kafka's tryEvict: a stale session first, else the least valuable evictable one if worth less than the new one. */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!lru || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) lru = s;
    }
    if (!lru) return false;
    if (now - lru.lastUsedMs > this.evictionMs) { this.evict(lru); return true; }
    // (privileged, size, id) ordering; a consumer's session may be evicted by a follower at any
    // time, any session by anyone once it is older than the eviction time.
    let least: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      const old = now - s.creationMs > this.evictionMs;
      if (!(old || (privileged && !s.privileged))) continue;
      if (!least || compareKey(s.privileged, s.parts.size, s.id, least.privileged, least.parts.size, least.id) < 0) least = s;
    }
    // the new session's key has id 0: it must be worth strictly more, or the same with a smaller id (never)
    if (!least || compareKey(privileged, size, 0, least.privileged, least.parts.size, least.id) < 0) return false;
    this.evict(least);
    return true;
  }

  private evict(s: FetchSession): void {
    this.sessions.delete(s.id);
    this.evictions++;
  }
}

function compareKey(p1: boolean, size1: number, id1: number, p2: boolean, size2: number, id2: number): number {
  if (p1 !== p2) return p1 ? 1 : -1;
  if (size1 !== size2) return size1 - size2;
  return id1 - id2;
}
