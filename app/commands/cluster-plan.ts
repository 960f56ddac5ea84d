// The decision of `tributary cluster balance`, apart from any I/O: a reassignment
// plan that spreads replicas and preferred leaders evenly over the live brokers,
// moving as few replicas as it can. Drained brokers end up with none. Racks are
// respected when every broker has one: a move never puts two replicas of a
// partition on one rack unless no other rack is free.

export interface PlanBroker { nodeId: number; rack: string | null }
export interface PlanPartition { topic: string; partition: number; replicas: number[] }
export interface PlannedMove { topic: string; partition: number; from: number[]; replicas: number[] }

export interface BalancePlan {
  moves: PlannedMove[];
  /** replicas / preferred leaders per broker, before and after */
  before: Map<number, { replicas: number; leaders: number }>;
  after: Map<number, { replicas: number; leaders: number }>;
}

function tally(parts: { replicas: number[] }[], brokers: number[]): Map<number, { replicas: number; leaders: number }> {
  const m = new Map(brokers.map((b) => [b, { replicas: 0, leaders: 0 }]));
  for (const p of parts) p.replicas.forEach((r, i) => {
    if (!m.has(r)) m.set(r, { replicas: 0, leaders: 0 });
    const e = m.get(r)!; e.replicas++; if (i === 0) e.leaders++;
  });
  return m;
}

export function planBalance(brokers: PlanBroker[], partitions: PlanPartition[], drain: number[] = []): BalancePlan {
  const targets = brokers.filter((b) => !drain.includes(b.nodeId)).map((b) => b.nodeId).sort((a, b) => a - b);
  if (!targets.length) throw new Error('no broker would be left to hold replicas');
  const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
  const rackAware = brokers.every((b) => b.rack != null);
  const maxRf = Math.max(0, ...partitions.map((p) => p.replicas.length));
  if (maxRf > targets.length) throw new Error(`a partition has ${maxRf} replicas but only ${targets.length} broker(s) would remain (${targets.join(', ')})`);
  const work = partitions.map((p) => ({ ...p, from: p.replicas, replicas: [...p.replicas] }));
  const before = tally(work.map((p) => ({ replicas: p.from })), targets);
  const count = new Map(targets.map((b) => [b, 0]));
  for (const p of work) for (const r of p.replicas) if (count.has(r)) count.set(r, count.get(r)! + 1);

  const racksIn = (p: { replicas: number[] }, except?: number) => new Set(p.replicas.filter((r) => r !== except).map((r) => rackOf.get(r)));
  /** the least-loaded target not in the partition, a new rack first */
  const pick = (p: { replicas: number[] }, leaving: number, limit = Infinity): number | undefined => {
    const used = racksIn(p, leaving);
    const free = targets.filter((b) => !p.replicas.includes(b) && count.get(b)! < limit);
    const order = (xs: number[]) => xs.sort((a, b) => count.get(a)! - count.get(b)! || a - b);
    const newRack = rackAware ? order(free.filter((b) => !used.has(rackOf.get(b)))) : [];
    return newRack[0] ?? (rackAware && rackOf.get(leaving) !== undefined && !used.has(rackOf.get(leaving)) ? undefined : order(free)[0]);
  };
  const replace = (p: { replicas: number[] }, out: number, into: number) => {
    p.replicas[p.replicas.indexOf(out)] = into;
    if (count.has(out)) count.set(out, count.get(out)! - 1);
    count.set(into, count.get(into)! + 1);
  };

  // 1. Every replica on a drained or unknown broker moves.
  for (const p of work) for (const r of [...p.replicas]) {
    if (count.has(r)) continue;
    const into = pick(p, r) ?? targets.filter((b) => !p.replicas.includes(b)).sort((a, b) => count.get(a)! - count.get(b)!)[0];
    if (into === undefined) throw new Error(`no broker can take ${p.topic}-${p.partition}'s replica from broker ${r}`);
    replace(p, r, into);
  }
  // 2. Even out replica counts: one replica at a time from a most loaded broker to a least
  //    loaded one that may take it (a rack the partition does not use yet, when racks are set).
  const rackCount = new Set(targets.map((b) => rackOf.get(b))).size;
  const fits = (x: { replicas: number[] }, out: number, into: number) => {
    if (!rackAware) return true;
    const others = racksIn(x, out);
    return !others.has(rackOf.get(into)) || others.size + 1 > rackCount;
  };
  for (let guard = 0; guard < 100000; guard++) {
    const desc = [...targets].sort((a, b) => count.get(b)! - count.get(a)! || a - b);
    let moved = false;
    for (const hi of desc) {
      for (const lo of [...desc].reverse()) {
        if (count.get(hi)! - count.get(lo)! <= 1) break;
        const p = work.find((x) => x.replicas.includes(hi) && !x.replicas.includes(lo) && fits(x, hi, lo));
        if (p) { replace(p, hi, lo); moved = true; break; }
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  // 3. Even out preferred leaders (the first replica) by reordering within each partition.
  const leaders = new Map(targets.map((b) => [b, 0]));
  for (const p of work) leaders.set(p.replicas[0], (leaders.get(p.replicas[0]) ?? 0) + 1);
  const cap = Math.ceil(work.length / targets.length);
  for (const p of work) {
    const first = p.replicas[0];
    if (leaders.get(first)! <= cap) continue;
    const better = p.replicas.slice(1).filter((r) => leaders.get(r)! < cap).sort((a, b) => leaders.get(a)! - leaders.get(b)!)[0];
    if (better === undefined) continue;
    p.replicas = [better, ...p.replicas.filter((r) => r !== better)];
    leaders.set(first, leaders.get(first)! - 1);
    leaders.set(better, leaders.get(better)! + 1);
  }
  const moves = work.filter((p) => p.replicas.join(',') !== p.from.join(',')).map((p) => ({ topic: p.topic, partition: p.partition, from: p.from, replicas: p.replicas }));
  return { moves, before, after: tally(work, targets) };
}

/** Kafka's reassignment JSON (kafka-reassign-partitions.sh --reassignment-json-file). */
export function toKafkaPlan(moves: { topic: string; partition: number; replicas: number[] }[]): { version: 1; partitions: { topic: string; partition: number; replicas: number[]; log_dirs: string[] }[] } {
  return { version: 1, partitions: moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.replicas, log_dirs: m.replicas.map(() => 'any') })) };
}

/** Reads Kafka's reassignment JSON; throws naming what is wrong. */
export function parseKafkaPlan(text: string, file: string): { topic: string; partition: number; replicas: number[] }[] {
  let j: any;
  try { j = JSON.parse(text); } catch (e) { throw new Error(`${file}: not JSON (${(e as Error).message})`); }
  if (!j || typeof j !== 'object' || !Array.isArray(j.partitions)) throw new Error(`${file}: expected {"version":1,"partitions":[{"topic":…,"partition":…,"replicas":[…]}]}`);
  if (j.version !== undefined && j.version !== 1) throw new Error(`${file}: unsupported version ${JSON.stringify(j.version)} (1 expected)`);
  const seen = new Set<string>();
  return j.partitions.map((p: any, i: number) => {
    const at = `${file}: partitions[${i}]`;
    if (typeof p?.topic !== 'string' || !p.topic) throw new Error(`${at}: "topic" must be a topic name`);
    if (!Number.isInteger(p.partition) || p.partition < 0) throw new Error(`${at}: "partition" must be a non-negative integer`);
    if (!Array.isArray(p.replicas) || !p.replicas.length || !p.replicas.every((r: unknown) => Number.isInteger(r) && (r as number) >= 0)) throw new Error(`${at}: "replicas" must be a non-empty list of broker ids`);
    if (new Set(p.replicas).size !== p.replicas.length) throw new Error(`${at}: "replicas" lists a broker twice`);
    if (p.log_dirs !== undefined && (!Array.isArray(p.log_dirs) || p.log_dirs.some((d: unknown) => d !== 'any'))) throw new Error(`${at}: only "any" log_dirs are supported (one log directory per broker)`);
    const k = `${p.topic}-${p.partition}`;
    if (seen.has(k)) throw new Error(`${at}: ${k} appears twice`);
    seen.add(k);
    return { topic: p.topic, partition: p.partition, replicas: p.replicas };
  });
}

/** The throttle of a reassignment (KIP-73), as kafka-reassign-partitions.sh --throttle computes it. */
export interface ThrottlePlan {
  /** topic -> leader.replication.throttled.replicas: `partition:broker` for every current replica of a partition that gains replicas */
  leader: Map<string, string>;
  /** topic -> follower.replication.throttled.replicas: `partition:broker` for every replica a partition gains */
  follower: Map<string, string>;
  /** brokers holding or gaining a replica of a moving partition: they get the rates */
  brokers: number[];
}

/**
 * Only data copied to new replicas is throttled: the leader side on every current
 * replica (any of them may lead during the move), the follower side on the replicas
 * being added. Partitions that only reorder their replicas copy nothing.
 */
export function planThrottles(moves: { topic: string; partition: number; replicas: number[] }[], current: Map<string, number[]>): ThrottlePlan {
  const leader = new Map<string, string[]>();
  const follower = new Map<string, string[]>();
  const brokers = new Set<number>();
  for (const m of moves) {
    const sources = current.get(`${m.topic}-${m.partition}`) ?? [];
    const adding = m.replicas.filter((r) => !sources.includes(r));
    if (!adding.length) continue;
    for (const s of sources) { brokers.add(s); leader.set(m.topic, [...(leader.get(m.topic) ?? []), `${m.partition}:${s}`]); }
    for (const d of adding) { brokers.add(d); follower.set(m.topic, [...(follower.get(m.topic) ?? []), `${m.partition}:${d}`]); }
  }
  const join = (m: Map<string, string[]>) => new Map([...m].map(([t, l]) => [t, l.join(',')]));
  return { leader: join(leader), follower: join(follower), brokers: [...brokers].sort((a, b) => a - b) };
}
