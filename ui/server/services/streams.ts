// Stream applications (the Stream applications page): consumer groups whose members
// run a stream-processing runtime. Recognised by the group protocol "stream" (the name
// tributary's streams runtime joins with); a member's subscription metadata, when it
// is tributary's JSON (`kind: "tributary-streams"`), also gives the topology's
// description and the stores with their changelog topics. Lag is the group's
// committed input offsets against the topics' ends; a store's size is its
// changelog's (records and bytes on the brokers), which the broker can tell.
import type { StreamApp, StreamAppStore } from '../../shared/streams-types.ts';
import type { KafkaGateway } from '../kafka/gateway.ts';
import { groupLag } from './groups.ts';
import { topicOffsets } from './cluster.ts';

interface TributaryMetadata { kind?: string; applicationServer?: string | null; topology?: string; stores?: Array<{ name: string; changelog: string | null }> }

function parse(b: Buffer | null): TributaryMetadata | null {
  if (!b?.length || b[0] !== 0x7b) return null; // '{': JSON; Kafka Streams' own userdata is binary
  try { const m = JSON.parse(b.toString('utf8')) as TributaryMetadata; return m && typeof m === 'object' ? m : null; } catch { return null; }
}

export async function streamApps(gw: KafkaGateway): Promise<StreamApp[]> {
  const ids = await gw.withAdmin('listing consumer groups', (a) => a.listGroups());
  const candidates = ids.filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
  if (!candidates.length) return [];
  const described = await gw.withAdmin('describing consumer groups', (a) => a.describeGroups(candidates));
  const groups = described.filter((g) => g.protocol === 'stream' || g.members.some((m) => parse(m.metadata)?.kind === 'tributary-streams'));
  if (!groups.length) return [];
  const sizes = new Map<string, number>();
  const dirs = await gw.withAdmin('describing log dirs', (a) => a.describeLogDirs()).catch(() => []);
  for (const b of dirs) for (const d of b.dirs ?? []) for (const t of d.topics) for (const p of t.partitions) sizes.set(t.name, (sizes.get(t.name) ?? 0) + p.size);
  return Promise.all(groups.map(async (g): Promise<StreamApp> => {
    const metas = g.members.map((m) => parse(m.metadata));
    const ours = metas.find((m) => m?.kind === 'tributary-streams') ?? null;
    const storeList = ours?.stores ?? [];
    const stores: StreamAppStore[] = await Promise.all(storeList.map(async (s) => {
      if (!s.changelog) return { name: s.name, changelog: null, records: null, bytes: null };
      const offs = await topicOffsets(gw, s.changelog).catch(() => null);
      return { name: s.name, changelog: s.changelog, records: offs ? offs.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0) : null, bytes: sizes.get(s.changelog) ?? null };
    }));
    const lag = (await groupLag(gw, g.groupId).catch(() => [])).map((l) => ({ topic: l.topic, partition: l.partition, committed: l.committed, high: l.high, lag: l.lag }));
    // a task per (sub-topology, partition): tributary's instances get every topic of a sub-topology for one partition
    const members = g.members.map((m, i) => ({
      memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, applicationServer: metas[i]?.applicationServer ?? null,
      tasks: taskNames(ours?.topology ?? null, m.assignment),
    }));
    return {
      applicationId: g.groupId, state: g.state, kind: ours ? 'tributary' : 'kafka-streams', members, topology: ours?.topology ?? null, stores,
      lag, totalLag: lag.reduce((n, l) => n + l.lag, 0),
    };
  }));
}

/** `<sub-topology>_<partition>` for each assigned partition, the sub-topology found by its source topics in the description. */
function taskNames(topology: string | null, assignment: Array<{ topic: string; partitions: number[] }>): string[] {
  const subOf = new Map<string, number>();
  if (topology) {
    let sub = -1;
    for (const line of topology.split('\n')) {
      const s = /Sub-topology: (\d+)/.exec(line);
      if (s) { sub = Number(s[1]); continue; }
      const src = /Source: .*\(topics: \[([^\]]*)\]\)/.exec(line);
      if (src && sub >= 0) for (const t of src[1].split(',').map((x) => x.trim()).filter(Boolean)) subOf.set(t, sub);
    }
  }
  const out = new Set<string>();
  for (const a of assignment) {
    // the description names internal topics without the application id prefix
    const sub = subOf.get(a.topic) ?? [...subOf].find(([t]) => a.topic.endsWith(`-${t}`))?.[1];
    for (const p of a.partitions) out.add(sub === undefined ? `${a.topic}-${p}` : `${sub}_${p}`);
  }
  return [...out].sort();
}
