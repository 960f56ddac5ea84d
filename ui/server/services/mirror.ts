// MirrorMaker 2 flows for the Mirror page: the Mirror* connectors on the configured
// Connect (its REST API), and what they left on the clusters they join — the source's
// high-water marks against the connector's committed offsets (replication lag), the
// checkpoints and heartbeats topics on the target (read through client/, decoded with
// Kafka's Struct layout: these records are Kafka's, not the platform's).
import type { MirrorCheckpoint, MirrorConnectorState, MirrorFlow, MirrorOverview, MirrorTopicLag } from '../../shared/api-types.ts';
import { KafkaAdmin, PartitionReader, type ConsumedRecord } from '../../../client/index.ts';
import type { Upstream } from './upstream.ts';
import { UiError } from '../errors.ts';

const KINDS: Record<string, MirrorConnectorState['kind']> = {
  MirrorSourceConnector: 'source', MirrorCheckpointConnector: 'checkpoint', MirrorHeartbeatConnector: 'heartbeat',
};
const kindOf = (cls: string | undefined) => KINDS[(cls ?? '').split('.').pop() ?? ''];

/** Reads Kafka's protocol Structs: STRING = int16 length + UTF-8, integers big-endian. */
class StructReader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  string(): string { const n = this.b.readInt16BE(this.pos); this.pos += 2; const s = this.b.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
  int16(): number { const v = this.b.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { const v = this.b.readInt32BE(this.pos); this.pos += 4; return v; }
  int64(): number { const v = this.b.readBigInt64BE(this.pos); this.pos += 8; return Number(v); }
}

/** Checkpoint: key {group, topic, partition}, value {version=0}{upstreamOffset, offset, metadata}. */
export function decodeCheckpoint(r: ConsumedRecord): MirrorCheckpoint | null {
  if (!r.key || !r.value) return null;
  try {
    const k = new StructReader(r.key); const v = new StructReader(r.value);
    const group = k.string(); const topic = k.string(); const partition = k.int32();
    if (v.int16() !== 0) return null;
    return { group, topic, partition, upstreamOffset: v.int64(), downstreamOffset: v.int64(), at: r.timestamp };
  } catch { return null; }
}

/** Heartbeat: key {sourceClusterAlias, targetClusterAlias}, value {version=0}{timestamp}. */
export function decodeHeartbeat(r: ConsumedRecord): { source: string; target: string; timestamp: number } | null {
  if (!r.key || !r.value) return null;
  try {
    const k = new StructReader(r.key); const v = new StructReader(r.value);
    const source = k.string(); const target = k.string();
    if (v.int16() !== 0) return null;
    return { source, target, timestamp: v.int64() };
  } catch { return null; }
}

/** The replication policy's names (Kafka's DefaultReplicationPolicy / IdentityReplicationPolicy). */
function policyOf(config: Record<string, string>) {
  const cls = config['replication.policy.class'] ?? 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
  const sep = config['replication.policy.separator'] ?? '.';
  const identity = /IdentityReplicationPolicy$/.test(cls);
  return {
    name: cls.split('.').pop()!,
    remote: (alias: string, topic: string) => (identity && topic !== 'heartbeats' && !topic.endsWith(`${sep}heartbeats`) ? topic : `${alias}${sep}${topic}`),
    checkpoints: (alias: string) => `${alias}${sep}checkpoints${sep}internal`,
  };
}

const CLIENT_ID = 'tributary-ui-mirror';

/** The last `perPartition` records of every partition of `topic` (the whole topic when shorter); [] when it does not exist. */
async function readTail(bootstrap: string, topic: string, perPartition: number): Promise<ConsumedRecord[]> {
  const admin = new KafkaAdmin({ bootstrap, clientId: CLIENT_ID, retries: 1, requestTimeoutMs: 5000 });
  let reader: PartitionReader | null = null;
  try {
    if (!(await admin.listTopics(true)).includes(topic)) return [];
    const ends = (await admin.topicOffsets([topic])).filter((e) => e.latest > e.earliest);
    if (!ends.length) return [];
    reader = new PartitionReader({ bootstrap, clientId: CLIENT_ID, retries: 1, requestTimeoutMs: 5000, maxWaitMs: 50 });
    await reader.assign(ends.map((e) => ({ topic, partition: e.partition, offset: Math.max(e.earliest, e.latest - perPartition) })));
    const out: ConsumedRecord[] = [];
    const deadline = Date.now() + 5000;
    while (ends.some((e) => (reader!.position(topic, e.partition) ?? 0) < e.latest) && Date.now() < deadline) {
      for (const b of await reader.poll()) out.push(...b.records);
    }
    return out;
  } finally {
    await Promise.all([admin.close(), reader?.close()]);
  }
}

/** Per source topic: records after the committed offsets and the age of the first of them. */
async function topicLag(bootstrap: string, committed: Map<string, number>, remote: (t: string) => string): Promise<MirrorTopicLag[]> {
  const topics = [...new Set([...committed.keys()].map((k) => k.split('\0')[0]))].sort();
  if (!topics.length) return [];
  const admin = new KafkaAdmin({ bootstrap, clientId: CLIENT_ID, retries: 1, requestTimeoutMs: 5000 });
  let reader: PartitionReader | null = null;
  try {
    const existing = new Set(await admin.listTopics(true));
    const ends = await admin.topicOffsets(topics.filter((t) => existing.has(t)));
    const behind: { topic: string; partition: number; offset: number }[] = [];
    const rows = new Map<string, MirrorTopicLag>(topics.map((t) => [t, { topic: t, remoteTopic: remote(t), partitions: 0, lagRecords: 0, lagSeconds: 0 }]));
    for (const e of ends) {
      const row = rows.get(e.topic)!;
      row.partitions++;
      // the committed offset is the last copied one (Kafka's MirrorSourceTask); none yet: from the start
      const c = committed.get(`${e.topic}\0${e.partition}`);
      const next = c === undefined ? e.earliest : Math.max(e.earliest, c + 1);
      const lag = Math.max(0, e.latest - next);
      row.lagRecords += lag;
      if (lag > 0) behind.push({ topic: e.topic, partition: e.partition, offset: next });
    }
    if (behind.length) {
      // how old the oldest record not copied yet is: one record per lagging partition
      reader = new PartitionReader({ bootstrap, clientId: CLIENT_ID, retries: 1, requestTimeoutMs: 5000, maxWaitMs: 50 });
      await reader.assign(behind.slice(0, 200));
      const first = new Map<string, number>();
      const deadline = Date.now() + 3000;
      while (first.size < Math.min(behind.length, 200) && Date.now() < deadline) {
        for (const b of await reader.poll()) if (b.records.length && !first.has(`${b.topic}\0${b.partition}`)) first.set(`${b.topic}\0${b.partition}`, b.records[0].timestamp);
      }
      const now = Date.now();
      for (const r of rows.values()) r.lagSeconds = r.lagRecords > 0 ? null : 0;
      for (const b of behind) {
        const ts = first.get(`${b.topic}\0${b.partition}`);
        if (ts === undefined) continue;
        const row = rows.get(b.topic)!;
        row.lagSeconds = Math.max(row.lagSeconds ?? 0, Math.max(0, (now - ts) / 1000));
      }
    }
    return [...rows.values()];
  } finally {
    await Promise.all([admin.close(), reader?.close()]);
  }
}

interface ExpandedConnector {
  info?: { name: string; config: Record<string, string>; type?: string };
  status?: { connector: { state: string }; tasks: { id: number; state: string }[] };
}

const why = (e: unknown) => (e as Error).message || String(e);

export async function mirrorOverview(connects: Upstream[]): Promise<MirrorOverview> {
  if (!connects.length) throw new UiError('connect_not_configured', 'No Kafka Connect URL is configured (start the UI with --connect URL, or --mirror-connect URL,... for `tributary mirror` workers)');
  const flows = new Map<string, { connect: Upstream; source: string; target: string; config: Record<string, string>; connectors: MirrorConnectorState[]; sourceConnector?: string }>();
  const errors: string[] = [];
  await Promise.all(connects.map(async (connect) => {
    let body: unknown;
    try {
      const r = await connect.request('GET', '/connectors?expand=info&expand=status');
      if (r.status !== 200 || !r.body || typeof r.body !== 'object') throw new Error(`answered ${r.status} listing connectors`);
      body = r.body;
    } catch (e) {
      errors.push(`${connect.url}: ${why(e)}`);
      return;
    }
    for (const [name, c] of Object.entries(body as Record<string, ExpandedConnector>)) {
      const config = c.info?.config ?? {};
      const kind = kindOf(config['connector.class']);
      if (!kind) continue;
      const source = config['source.cluster.alias'] ?? 'source';
      const target = config['target.cluster.alias'] ?? 'target';
      const key = `${connect.url}\0${source}\0${target}`;
      let f = flows.get(key);
      if (!f) { f = { connect, source, target, config: {}, connectors: [] }; flows.set(key, f); }
      // the source connector's view of the flow wins (topics, policy); any of them names the clusters
      if (kind === 'source' || !Object.keys(f.config).length) f.config = { ...f.config, ...config };
      if (kind === 'source') f.sourceConnector = name;
      f.connectors.push({ name, kind, state: c.status?.connector.state ?? 'UNKNOWN', tasks: (c.status?.tasks ?? []).map((t) => ({ id: t.id, state: t.state })) });
    }
  }));
  // every worker down: say so as the API's error, not as an empty page
  if (errors.length === connects.length) throw new UiError('connect_unreachable', `Kafka Connect not reachable: ${errors.join('; ')}`);
  const out = await Promise.all([...flows.values()].map(async (f): Promise<MirrorFlow> => {
    const policy = policyOf(f.config);
    const sourceBootstrap = f.config['source.cluster.bootstrap.servers'] ?? null;
    const targetBootstrap = f.config['target.cluster.bootstrap.servers'] ?? null;
    const connect = f.connect;
    const flow: MirrorFlow = {
      connectUrl: connect.url ?? '', source: f.source, target: f.target, sourceBootstrap, targetBootstrap, policy: policy.name,
      connectors: f.connectors.sort((a, b) => a.kind.localeCompare(b.kind)), topics: [], checkpoints: [], lastHeartbeat: null,
    };
    await Promise.all([
      (async () => {
        if (!f.sourceConnector || !sourceBootstrap) return;
        try {
          const o = await connect.request('GET', `/connectors/${encodeURIComponent(f.sourceConnector)}/offsets`);
          const committed = new Map<string, number>();
          for (const e of ((o.body as { offsets?: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] })?.offsets ?? [])) {
            if (typeof e.partition.topic === 'string' && typeof e.offset?.offset === 'number') committed.set(`${e.partition.topic}\0${Number(e.partition.partition)}`, e.offset.offset);
          }
          flow.topics = await topicLag(sourceBootstrap, committed, (t) => policy.remote(f.source, t));
        } catch (e) { flow.topicsError = `reading the source cluster at ${sourceBootstrap}: ${why(e)}`; }
      })(),
      (async () => {
        if (!targetBootstrap) return;
        try {
          const latest = new Map<string, MirrorCheckpoint>();
          for (const rec of await readTail(targetBootstrap, policy.checkpoints(f.source), 5000)) {
            const c = decodeCheckpoint(rec);
            if (c) latest.set(`${c.group}\0${c.topic}\0${c.partition}`, c);
          }
          flow.checkpoints = [...latest.values()].sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
        } catch (e) { flow.checkpointsError = `reading ${policy.checkpoints(f.source)} at ${targetBootstrap}: ${why(e)}`; }
      })(),
      (async () => {
        if (!targetBootstrap) return;
        try {
          for (const rec of await readTail(targetBootstrap, 'heartbeats', 50)) {
            const h = decodeHeartbeat(rec);
            if (h && h.source === f.source && h.target === f.target && h.timestamp > (flow.lastHeartbeat ?? 0)) flow.lastHeartbeat = h.timestamp;
          }
        } catch (e) { flow.heartbeatError = `reading heartbeats at ${targetBootstrap}: ${why(e)}`; }
      })(),
    ]);
    return flow;
  }));
  return { flows: out.sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target)), connects: connects.map((c) => c.url ?? ''), errors };
}
