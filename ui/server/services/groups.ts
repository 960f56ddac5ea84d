// Consumer groups: state, members, per-partition lag, offset resets (the client module's admin).
import type { GroupDetails, GroupMember, GroupPartitionLag, GroupSummary, ResetOffsetsRequest, ResetOffsetsResult } from '../../shared/api-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { UiError } from '../errors.ts';
import { offsetsAt, topicOffsets, type PartitionOffsets } from './cluster.ts';

export type HighCache = Map<string, Promise<PartitionOffsets[]>>;

function offsetsOf(gw: KafkaGateway, cache: HighCache, topic: string): Promise<PartitionOffsets[]> {
  let p = cache.get(topic);
  if (!p) { p = topicOffsets(gw, topic).catch(() => []); cache.set(topic, p); }
  return p;
}

export async function listGroupIds(gw: KafkaGateway): Promise<{ groupId: string; protocolType: string }[]> {
  const r = await gw.withAdmin('listing consumer groups', (a) => a.listGroups());
  return r.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })).sort((a, b) => a.groupId.localeCompare(b.groupId));
}

/** Committed offsets and lag of every partition the group has committed for. */
export async function groupLag(gw: KafkaGateway, groupId: string, cache: HighCache = new Map()): Promise<GroupPartitionLag[]> {
  const committed = await gw.withAdmin(`reading offsets of group "${groupId}"`, (a) => a.groupOffsets(groupId));
  const out: GroupPartitionLag[] = [];
  for (const p of committed) {
    const offs = await offsetsOf(gw, cache, p.topic);
    const o = offs.find((x) => x.partition === p.partition);
    const high = o?.high ?? '0'; const low = o?.low ?? '0';
    const c = p.offset >= 0 ? String(p.offset) : null;
    const lag = c === null ? Number(BigInt(high) - BigInt(low)) : Math.max(0, Number(BigInt(high) - BigInt(c)));
    out.push({ topic: p.topic, partition: p.partition, committed: c, high, low, lag, lagSeconds: null, memberId: null });
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

async function describe(gw: KafkaGateway, groupId: string) {
  const d = await gw.withAdmin(`describing group "${groupId}"`, (a) => a.inspectGroups([groupId]));
  return d[0];
}

export async function groupSummaries(gw: KafkaGateway): Promise<GroupSummary[]> {
  const ids = await listGroupIds(gw);
  if (!ids.length) return [];
  const d = await gw.withAdmin('describing consumer groups', (a) => a.inspectGroups(ids.map((g) => g.groupId)));
  const cache: HighCache = new Map();
  return Promise.all(ids.map(async ({ groupId, protocolType }) => {
    const g = d.find((x) => x.groupId === groupId);
    const lag = await groupLag(gw, groupId, cache).catch(() => []);
    return {
      groupId, protocolType: g?.protocolType || protocolType, state: g?.state ?? 'Unknown', members: g?.members.length ?? 0,
      topics: [...new Set(lag.map((l) => l.topic))].sort(), totalLag: lag.reduce((x, l) => x + l.lag, 0),
    };
  }));
}

export async function groupDetails(gw: KafkaGateway, groupId: string): Promise<Omit<GroupDetails, 'lagHistory' | 'lagSeconds' | 'sampleIntervalMs'>> {
  const ids = await listGroupIds(gw);
  if (!ids.some((g) => g.groupId === groupId)) throw new UiError('group_not_found', `Consumer group "${groupId}" does not exist`);
  const g = await describe(gw, groupId);
  const members: GroupMember[] = (g?.members ?? []).map((m) => ({
    memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost,
    // Not a consumer-protocol assignment (e.g. a Connect worker group): none to show.
    assignment: m.assignment ?? [],
  }));
  const partitions = await groupLag(gw, groupId);
  for (const p of partitions) {
    p.memberId = members.find((m) => m.assignment.some((a) => a.topic === p.topic && a.partitions.includes(p.partition)))?.memberId ?? null;
  }
  return {
    groupId, state: g?.state ?? 'Unknown', protocolType: g?.protocolType ?? '', protocol: g?.protocol ?? '', members, partitions,
    totalLag: partitions.reduce((x, p) => x + p.lag, 0),
  };
}

export async function resetOffsets(gw: KafkaGateway, groupId: string, r: ResetOffsetsRequest): Promise<ResetOffsetsResult> {
  const offs = await topicOffsets(gw, r.topic);
  if (!offs.length) throw new UiError('topic_not_found', `Topic "${r.topic}" does not exist`);
  const targets = r.partitions?.length ? offs.filter((o) => r.partitions!.includes(o.partition)) : offs;
  const committed = await gw.withAdmin(`reading offsets of group "${groupId}"`, (a) => a.groupOffsets(groupId));
  const cur = new Map(committed.filter((p) => p.topic === r.topic).map((p) => [p.partition, p.offset >= 0 ? String(p.offset) : null]));
  let byTs: Map<number, bigint> | null = null;
  if (r.target === 'timestamp') {
    if (r.timestamp === undefined || !Number.isFinite(r.timestamp)) throw new UiError('bad_request', 'A reset to a timestamp needs "timestamp" (ms since epoch)');
    const ts = r.timestamp;
    byTs = await offsetsAt(gw, r.topic, ts);
  }
  if (r.target === 'offset' && (r.offset === undefined || !/^\d+$/.test(r.offset))) throw new UiError('bad_request', 'A reset to an offset needs a whole number "offset"');
  const partitions = targets.map((o) => {
    let to: bigint;
    switch (r.target) {
      case 'earliest': to = BigInt(o.low); break;
      case 'latest': to = BigInt(o.high); break;
      // No record at or after the time: the end, where the next record goes.
      case 'timestamp': to = byTs!.get(o.partition) ?? BigInt(o.high); break;
      case 'offset': to = BigInt(r.offset!); break;
      default: throw new UiError('bad_request', `Unknown reset target "${String(r.target)}"`);
    }
    if (to < BigInt(o.low)) to = BigInt(o.low);
    if (to > BigInt(o.high)) to = BigInt(o.high);
    return { partition: o.partition, from: cur.get(o.partition) ?? null, to: to.toString() };
  });
  if (r.preview) return { applied: false, partitions };
  const g = await describe(gw, groupId);
  if (g && g.state !== 'Empty' && g.state !== 'Dead' && g.members.length > 0) {
    throw new UiError('group_not_empty', `Group "${groupId}" is ${g.state} with ${g.members.length} member(s); offsets can only be reset when it is empty`);
  }
  await gw.withAdmin(`committing new offsets for group "${groupId}"`, (a) => a.setGroupOffsets(groupId, partitions.map((p) => ({ topic: r.topic, partition: p.partition, offset: Number(p.to) }))));
  return { applied: true, partitions };
}
