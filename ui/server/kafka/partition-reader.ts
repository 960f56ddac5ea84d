// Reads records at given offsets without a consumer group: kafkajs' Fetch to each
// partition leader, grouped per leader, read-committed (no aborted records, no
// control records). The message browser, re-send and live tail use this.
import type { KafkaGateway, KjsMessage } from './gateway.ts';
import { committedMessages } from './gateway.ts';

export interface PartitionChunk {
  partition: number;
  /** Committed records at or after the requested offset. */
  messages: KjsMessage[];
  /** Where to fetch next: past every record returned, filtered ones included. */
  next: bigint;
  highWatermark: bigint;
}

export interface RecordReader {
  fetch(topic: string, positions: Map<number, bigint>, opts: { maxWaitMs: number; maxBytesPerPartition?: number }): Promise<PartitionChunk[]>;
}

export class DirectFetchReader implements RecordReader {
  constructor(private readonly gw: KafkaGateway) {}

  async fetch(topic: string, positions: Map<number, bigint>, opts: { maxWaitMs: number; maxBytesPerPartition?: number }): Promise<PartitionChunk[]> {
    const perPartition = opts.maxBytesPerPartition ?? 1024 * 1024;
    const byLeader = new Map<number, { broker: Awaited<ReturnType<KafkaGateway['leaderOf']>>; partitions: number[] }>();
    // Group partitions by leader so one Fetch per broker covers them all.
    for (const p of positions.keys()) {
      const broker = await this.gw.leaderOf(topic, p);
      const key = (broker as unknown as { nodeId: number }).nodeId ?? -1;
      const e = byLeader.get(key) ?? { broker, partitions: [] };
      e.partitions.push(p);
      byLeader.set(key, e);
    }
    const out: PartitionChunk[] = [];
    await Promise.all([...byLeader.values()].map(async ({ broker, partitions }) => {
      const res = await broker.fetch({
        replicaId: -1, isolationLevel: 1, maxWaitTime: opts.maxWaitMs, minBytes: 1, maxBytes: perPartition * partitions.length,
        topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, fetchOffset: positions.get(p)!.toString(), maxBytes: perPartition })) }],
      });
      for (const t of res.responses) for (const pd of t.partitions) {
        const from = positions.get(pd.partition)!;
        const raw = pd.messages ?? [];
        let next = from;
        for (const m of raw) { const o = BigInt(m.offset); if (o + 1n > next) next = o + 1n; }
        out.push({ partition: pd.partition, messages: committedMessages(topic, from.toString(), pd), next, highWatermark: BigInt(pd.highWatermark) });
      }
    }));
    return out;
  }
}
