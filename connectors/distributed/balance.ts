// Incremental, count-based balancing. Every worker runs plan() on the same view
// of Redis (live members + leases) and decides only for itself: release what is
// above its quota, acquire free units up to it. Units that stay put are never
// touched, so a join, a leave or a tasks.max change moves only the units it must.

export interface LeaseView {
  instance: string;
  generation: number;
  /** Redis time (ms) the lease expires at. */
  expires: number;
}

export interface ClusterView {
  /** Redis TIME in ms when the view was read. */
  now: number;
  /** Live member instance ids (heartbeat not expired). */
  members: string[];
  /** Valid (unexpired) leases by unit. */
  leases: Map<string, LeaseView>;
}

/**
 * Quota per live member: floor(T/W), and the T mod W members that already hold
 * the most (ties by id) get one more, so the ones that keep their extra unit are
 * those that would otherwise have to give one away.
 */
export function quotas(members: string[], counts: Map<string, number>, total: number): Map<string, number> {
  const q = new Map<string, number>();
  if (!members.length) return q;
  const base = Math.floor(total / members.length);
  const extra = total % members.length;
  const order = [...members].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  order.forEach((m, i) => q.set(m, base + (i < extra ? 1 : 0)));
  return q;
}

export interface Plan {
  /** Units this worker should stop and hand back. */
  release: string[];
  /** How many free units to try to take, and which ones, in preference order. */
  acquire: number;
  candidates: string[];
  quota: number;
}

/**
 * me: this worker's instance; mine: units it holds and keeps (not being released);
 * desired: the units configs call for (this worker's reading of connect-configs);
 * order: this worker's acquisition order of `mine`, oldest first (the newest go first).
 */
export function plan(me: string, view: ClusterView, desired: ReadonlySet<string>, mine: readonly string[], busy: ReadonlySet<string> = new Set()): Plan {
  const members = view.members.includes(me) ? view.members : [...view.members, me];
  const live = new Set(members);
  const counts = new Map<string, number>();
  const all = new Set(desired);
  for (const [unit, l] of view.leases) {
    if (l.instance === me || !live.has(l.instance)) continue;
    counts.set(l.instance, (counts.get(l.instance) ?? 0) + 1);
    all.add(unit);
  }
  // units held by expired members still block acquisition until their lease expires
  for (const [unit, l] of view.leases) if (!live.has(l.instance)) all.add(unit);
  const kept = mine.filter((u) => desired.has(u));
  const removed = mine.filter((u) => !desired.has(u));
  counts.set(me, kept.length);
  const q = quotas(members, counts, all.size).get(me) ?? 0;

  const release = [...removed];
  let acquire = 0;
  const candidates: string[] = [];
  if (kept.length > q) {
    // hand units over only if someone can take them
    const under = members.some((m) => m !== me && (counts.get(m) ?? 0) < (quotas(members, counts, all.size).get(m) ?? 0));
    if (under) release.push(...kept.slice(q));
  } else if (kept.length < q) {
    acquire = q - kept.length;
    const held = new Set(mine);
    const free = [...desired].filter((u) => !view.leases.has(u) && !held.has(u) && !busy.has(u)).sort();
    // start at a per-worker offset so workers racing for the same free units collide less
    const off = free.length ? hash(me) % free.length : 0;
    candidates.push(...free.slice(off), ...free.slice(0, off));
  }
  return { release, acquire, candidates, quota: q };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
