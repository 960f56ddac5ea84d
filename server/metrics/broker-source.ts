// Reads the broker's state for a scrape: partitions from the replica manager and
// metadata, groups and committed offsets from the group coordinator. Runs only
// when /metrics is asked, never on the request path.
import type { ReplicaManager } from '../replica-manager.ts';
import type { MetadataStore } from '../cluster/metadata-store.ts';
import { readBatchInfo, ATTR_TIMESTAMP_TYPE } from '../log/record-batch.ts';
import type { BrokerMetricsSource, GroupOffsetView, PartitionView } from './broker-metrics.ts';

/** What the metrics read of the group coordinator (structural: no import of it). */
export interface GroupsView {
  groups: Map<string, { groupId: string; state: string }>;
  lag(groupId: string): { topic: string; partition: number; committed: bigint | null; logEndOffset: bigint }[];
}

/** Tiered storage's running totals. */
export interface TieredView {
  stats: { uploads: number; uploadedBytes: number; uploadFailures: number; remoteReads: number; remoteReadBytes: number };
  copyLag(): Iterable<{ topic: string; partition: number; bytes: number; segments: number }>;
}

export interface BrokerParts {
  nodeId: number;
  replicas: ReplicaManager;
  metadata: MetadataStore;
  groups: () => GroupsView | undefined;
  tiered: () => TieredView | undefined;
  /** the transaction coordinator's count of open transactions */
  ongoingTransactions?: () => number;
  connections: () => { open: number; created: number };
  /** KIP-227 fetch sessions (structural: the cache's counts) */
  fetchSessions?: { readonly size: number; readonly totalPartitions: number; readonly evictions: number; readonly requests: { follower: number; consumer: number }; readonly requestPartitions: { follower: number; consumer: number } };
  /** cluster mode only: the store's state as this broker found it, and whether it is the controller */
  cluster?: { storeStatus(): { reachable: boolean; unreachableSince: number | null }; isController(): boolean };
}

export function brokerMetricsSource(b: BrokerParts): BrokerMetricsSource {
  return {
    *partitions(): Iterable<PartitionView> {
      for (const p of b.replicas.all()) {
        const t = b.metadata.get(p.topic);
        const pm = t?.partitions.find((x) => x.partition === p.partition);
        yield {
          topic: p.topic, partition: p.partition, internal: !!t?.internal,
          sizeBytes: p.log.size, segments: p.log.segments.length,
          logStartOffset: p.log.logStartOffset, logEndOffset: p.log.logEndOffset,
          replicas: pm?.replicas.length ?? 1, inSyncReplicas: pm?.isr.length ?? 1,
          leader: (pm?.leader ?? b.nodeId) === b.nodeId, offline: (pm?.leader ?? 0) < 0,
        };
      }
    },
    connections: b.connections,
    *groupStates() {
      const gc = b.groups();
      if (!gc) return;
      for (const g of gc.groups.values()) yield { groupId: g.groupId, state: g.state };
    },
    groupOffsets(groupId: string): GroupOffsetView[] {
      const gc = b.groups();
      if (!gc) return [];
      let rows;
      try { rows = gc.lag(groupId); } catch { return []; }
      const out: GroupOffsetView[] = [];
      for (const r of rows) {
        if (r.committed === null) continue;
        let oldest: number | null = null;
        if (r.committed < r.logEndOffset) oldest = recordTimestampAt(b.replicas, r.topic, r.partition, r.committed);
        out.push({ topic: r.topic, partition: r.partition, committed: r.committed, highWatermark: r.logEndOffset, oldestUnconsumedTimestamp: oldest });
      }
      return out;
    },
    ongoingTransactions: () => b.ongoingTransactions?.() ?? 0,
    fetchSessions: () => { const f = b.fetchSessions; return f && { sessions: f.size, partitions: f.totalPartitions, evictions: f.evictions, requests: f.requests, requestPartitions: f.requestPartitions }; },
    tieredCopyLag: () => b.tiered()?.copyLag() ?? [],
    tiered() {
      const s = b.tiered()?.stats;
      return s && { uploadedBytes: s.uploadedBytes, uploads: s.uploads, uploadFailures: s.uploadFailures, remoteReadBytes: s.remoteReadBytes, remoteReads: s.remoteReads };
    },
    ...(b.cluster ? {
      activeController: () => b.cluster!.isController(),
      metadataStore: () => ({ nodeId: b.nodeId, ...b.cluster!.storeStatus() }),
    } : {}),
  };
}

/** Timestamp of the batch holding `offset` (its first record's; the append time under LogAppendTime). */
function recordTimestampAt(replicas: ReplicaManager, topic: string, partition: number, offset: bigint): number | null {
  const p = replicas.get(topic, partition);
  if (!p) return null;
  try {
    const data = p.log.read(offset, 1);
    const buf = data[0];
    if (!buf || buf.length < 61) return null;
    const info = readBatchInfo(buf, 0);
    return Number(info.attributes & ATTR_TIMESTAMP_TYPE ? info.maxTimestamp : info.baseTimestamp);
  } catch {
    // below the local log start (tiered) or racing retention: no age for this one
    return null;
  }
}
