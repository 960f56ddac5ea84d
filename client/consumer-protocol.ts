// The consumer protocol's bytes inside JoinGroup/SyncGroup (protocol type "consumer"),
// and the two classic assignors a group leader runs over them.
//   ConsumerProtocolSubscription => version [topics] user_data   (v0; later versions add fields we do not send)
//     version => INT16, topics => STRING, user_data => BYTES
//   ConsumerProtocolAssignment => version [assigned_partitions] user_data
//     assigned_partitions => topic [partitions]
// Decoding an assignment is admin-assignment.ts's decodeConsumerAssignment.
import type { TopicAssignment } from './admin-assignment.ts';

export interface Subscription { memberId: string; topics: string[]; userData: Buffer | null }

function str(s: string): Buffer { const b = Buffer.from(s); const h = Buffer.alloc(2); h.writeInt16BE(b.length); return Buffer.concat([h, b]); }
function int16(v: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; }
function int32(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }
function bytes(b: Buffer | null): Buffer { return b ? Buffer.concat([int32(b.length), b]) : int32(-1); }

export function encodeSubscription(topics: string[], userData: Buffer | null = null): Buffer {
  return Buffer.concat([int16(0), int32(topics.length), ...topics.map(str), bytes(userData)]);
}

/** null when the bytes are not a consumer subscription (truncated, or another protocol's) */
export function decodeSubscription(memberId: string, buf: Buffer | null): Subscription | null {
  if (!buf || buf.length < 6) return null;
  try {
    let pos = 2;
    const n = buf.readInt32BE(pos); pos += 4;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = buf.readInt16BE(pos); pos += 2;
      if (len < 0 || pos + len > buf.length) return null;
      topics.push(buf.toString('utf8', pos, pos + len)); pos += len;
    }
    let userData: Buffer | null = null;
    if (pos + 4 <= buf.length) {
      const len = buf.readInt32BE(pos); pos += 4;
      if (len >= 0) { if (pos + len > buf.length) return null; userData = buf.subarray(pos, pos + len); }
    }
    return { memberId, topics, userData };
  } catch {
    return null;
  }
}

export function encodeAssignment(assignment: TopicAssignment[]): Buffer {
  const parts: Buffer[] = [int16(0), int32(assignment.length)];
  for (const a of assignment) { parts.push(str(a.topic), int32(a.partitions.length)); for (const p of a.partitions) parts.push(int32(p)); }
  // empty user data, not null (-1): the library's DescribeGroups reader (our admin's) misreads a null there
  parts.push(int32(0));
  return Buffer.concat(parts);
}

export type AssignorName = 'range' | 'roundrobin';
/** memberId → its partitions, from every member's subscription and each topic's partition count */
export type Assignment = Map<string, TopicAssignment[]>;

function collect(out: Assignment, memberId: string, topic: string, partition: number): void {
  let l = out.get(memberId);
  if (!l) out.set(memberId, (l = []));
  let t = l.find((x) => x.topic === topic);
  if (!t) l.push((t = { topic, partitions: [] }));
  t.partitions.push(partition);
}

/** Kafka's RangeAssignor: per topic, consecutive ranges to the subscribers in member id order (the first ones get one more). */
export function rangeAssign(members: Subscription[], partitionCounts: Map<string, number>): Assignment {
  const out: Assignment = new Map(members.map((m) => [m.memberId, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0;
    const subs = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
    if (!subs.length || !count) continue;
    const per = Math.floor(count / subs.length), extra = count % subs.length;
    subs.forEach((id, i) => {
      const start = per * i + Math.min(i, extra), len = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + len; p++) collect(out, id, topic, p);
    });
  }
  return out;
}

/** Kafka's RoundRobinAssignor: every topic-partition in order, dealt to the next member subscribed to its topic. */
export function roundRobinAssign(members: Subscription[], partitionCounts: Map<string, number>): Assignment {
  const out: Assignment = new Map(members.map((m) => [m.memberId, []]));
  const ids = members.map((m) => m.memberId).sort();
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  let next = 0;
  for (const topic of topics) {
    for (let p = 0; p < (partitionCounts.get(topic) ?? 0); p++) {
      for (let tries = 0; tries < ids.length; tries++) {
        const id = ids[next++ % ids.length];
        if (byId.get(id)!.topics.includes(topic)) { collect(out, id, topic, p); break; }
      }
    }
  }
  return out;
}
