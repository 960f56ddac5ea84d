// The stream-aware assignment, a pure decision apart from I/O: tasks (one per
// sub-topology and partition) are spread evenly over the members; all tasks of
// one partition number go to the same member, so co-partitioned topics are read
// together, and a member keeps the tasks it announced it had when that stays balanced.
export interface TaskSpec { subtopology: number; partitions: number; topics: string[] }
export interface Member { memberId: string; previousTasks: string[] }

export function assignTasks(members: Member[], subs: TaskSpec[]): Map<string, string[]> {
  const ids = members.map((m) => m.memberId).sort();
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const maxP = Math.max(0, ...subs.map((s) => s.partitions));
  const cap = Math.ceil(maxP / ids.length);
  const owner = new Map<number, string>();
  const load = new Map<string, number>(ids.map((id) => [id, 0]));
  // sticky: a partition stays with a member that had one of its tasks, up to an even share
  for (const m of [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    for (const t of m.previousTasks) {
      const p = Number(t.split('_')[1]);
      if (!(p < maxP) || owner.has(p) || load.get(m.memberId)! >= cap) continue;
      owner.set(p, m.memberId); load.set(m.memberId, load.get(m.memberId)! + 1);
    }
  }
  for (let p = 0; p < maxP; p++) {
    if (owner.has(p)) continue;
    const least = ids.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
    owner.set(p, least); load.set(least, load.get(least)! + 1);
  }
  for (const s of subs) for (let p = 0; p < s.partitions; p++) out.get(owner.get(p)!)!.push(`${s.subtopology}_${p}`);
  return out;
}

/** The topic-partitions a member reads for its tasks. */
export function partitionsOf(tasks: string[], subs: TaskSpec[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const t of tasks) {
    const [s, p] = t.split('_').map(Number);
    const spec = subs.find((x) => x.subtopology === s);
    if (!spec) continue;
    for (const topic of spec.topics) { let l = byTopic.get(topic); if (!l) byTopic.set(topic, (l = [])); l.push(p); }
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}
