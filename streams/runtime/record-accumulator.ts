// The output of an instance's tasks — sink records, repartition records, changelog
// writes — written into one record batch per partition as the processors emit them,
// as Kafka's producer does in its RecordAccumulator: a record costs an append into a
// buffer, not an object that lives until the next send (a word count emits ~20
// records per input line; holding them as objects until a commit was a quarter of the
// CPU in garbage collection). The runtime drains the batches into Produce requests
// while it goes on processing.
import { RecordBatchBuilder, type PreparedBatch } from '../../client/index.ts';

/** Bytes a batch may reach before a new one is started (the broker's max.message.bytes is 1 MiB by default). */
export const BATCH_BYTES = 256 * 1024;

export class RecordAccumulator {
  /** per topic, the open batch of each partition */
  private readonly open = new Map<string, Array<PreparedBatch | undefined>>();
  /** batches that reached BATCH_BYTES, in the order they filled */
  private full: PreparedBatch[] = [];
  /** bytes appended since the last drain */
  bytes = 0;

  append(topic: string, partition: number, key: Buffer | string | null, value: Buffer | string | null, timestamp: number, headers: Array<{ key: string; value: Buffer | null }> | null): void {
    let parts = this.open.get(topic);
    if (!parts) this.open.set(topic, (parts = []));
    let b = parts[partition];
    if (!b) parts[partition] = b = { topic, partition, batch: new RecordBatchBuilder() };
    const before = b.batch.sizeInBytes;
    b.batch.append(key, value, timestamp, headers);
    this.bytes += b.batch.sizeInBytes - before;
    if (b.batch.sizeInBytes >= BATCH_BYTES) { this.full.push(b); parts[partition] = undefined; }
  }

  /**
   * Everything appended since the last drain, as rounds of at most one batch per
   * partition (a Produce request carries one batch per partition); a partition's
   * batches keep their order across rounds.
   */
  drain(): PreparedBatch[][] {
    const all = this.full;
    this.full = [];
    for (const parts of this.open.values()) {
      for (let p = 0; p < parts.length; p++) { const b = parts[p]; if (b) { all.push(b); parts[p] = undefined; } }
    }
    this.bytes = 0;
    if (!all.length) return [];
    const rounds: PreparedBatch[][] = [];
    const seen = new Map<string, number>();
    for (const b of all) {
      const k = `${b.topic}\u0000${b.partition}`;
      const r = seen.get(k) ?? 0;
      seen.set(k, r + 1);
      (rounds[r] ??= []).push(b);
    }
    return rounds;
  }

  /** drops what was appended (a task's work that will be done again) */
  clear(): void { this.drain(); }
}
