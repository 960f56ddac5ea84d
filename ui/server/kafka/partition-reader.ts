// Reads records at given offsets without a consumer group: the client module's
// PartitionReader (assign, fetch from each leader, read_committed: no aborted and
// no control records, every codec). The message browser, re-send and live tail
// use this through RecordReader.
import type { ConsumedRecord, PartitionReader } from '../../../client/index.ts';
import type { KafkaGateway } from './gateway.ts';

export type UiRecord = ConsumedRecord;

export interface PartitionChunk {
  partition: number;
  /** Committed records at or after the requested offset. */
  messages: UiRecord[];
  /** Where to fetch next: past every record returned, filtered ones included. */
  next: bigint;
  highWatermark: bigint;
}

export interface RecordReader {
  fetch(topic: string, positions: Map<number, bigint>, opts: { maxWaitMs: number }): Promise<PartitionChunk[]>;
  close(): Promise<void>;
}

/**
 * One fetch round per call. Readers are pooled by wait time and lent to one call
 * at a time, so concurrent browses never move each other's positions and a scan
 * does not open a connection per round.
 */
export class AssignedRecordReader implements RecordReader {
  private readonly idle = new Map<number, PartitionReader[]>();
  private readonly open = new Set<PartitionReader>();
  private closed = false;

  constructor(private readonly gw: KafkaGateway, private readonly maxIdle = 4) {}

  async fetch(topic: string, positions: Map<number, bigint>, opts: { maxWaitMs: number }): Promise<PartitionChunk[]> {
    if (this.closed) throw new Error('the UI server is closing');
    const r = this.idle.get(opts.maxWaitMs)?.pop() ?? this.create(opts.maxWaitMs);
    let healthy = false;
    try {
      r.unassign(r.assignment());
      await r.assign([...positions].map(([partition, offset]) => ({ topic, partition, offset: Number(offset) })));
      const batches = await r.poll();
      healthy = true;
      return batches.map((b) => ({ partition: b.partition, messages: b.records, next: BigInt(b.nextOffset), highWatermark: BigInt(b.highWatermark) }));
    } finally {
      r.unassign(r.assignment());
      const pool = this.idle.get(opts.maxWaitMs) ?? [];
      this.idle.set(opts.maxWaitMs, pool);
      if (healthy && !this.closed && pool.length < this.maxIdle) pool.push(r);
      else { this.open.delete(r); void r.close().catch(() => undefined); }
    }
  }

  private create(maxWaitMs: number): PartitionReader {
    const r = this.gw.createReader(maxWaitMs);
    this.open.add(r);
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.clear();
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((r) => r.close().catch(() => undefined)));
  }
}
