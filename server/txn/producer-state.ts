// Per-partition producer state: idempotent sequence checks (last 5 batches per
// producer), ongoing transactions (for the last stable offset) and the aborted
// transaction index read_committed consumers need. Snapshotted on shutdown and
// rebuilt from batch headers after a crash.
import fs from 'node:fs';
import path from 'node:path';
import { KafkaError } from '../errors.ts';
import type { AppendResult, PartitionLog } from '../log/partition-log.ts';
import {
  ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_HEADER_SIZE, LOG_OVERHEAD, OFF_LENGTH, readBatchInfo, readRecords, type BatchInfo,
} from '../log/record-batch.ts';

const KEEP = 5;

interface BatchMeta { firstSeq: number; lastSeq: number; baseOffset: bigint; lastOffset: bigint }
interface ProducerEntry { epoch: number; batches: BatchMeta[]; lastTimestamp: number; coordinatorEpoch: number }
/** What the producer state needs of a partition: its log (state is kept per partition object). */
export interface Partition { readonly log: PartitionLog }

export interface AbortedTxn { producerId: bigint; firstOffset: bigint; lastOffset: bigint }

export class PartitionProducerState {
  producers = new Map<string, ProducerEntry>();
  /** producerId → first offset of its open transaction on this partition */
  ongoing = new Map<string, bigint>();
  aborted: AbortedTxn[] = [];
  /** offset up to which the state reflects the log */
  mappedTo = 0n;

  toJSON() {
    return {
      mappedTo: this.mappedTo.toString(),
      producers: [...this.producers].map(([id, e]) => ({ id, epoch: e.epoch, ts: e.lastTimestamp, batches: e.batches.map((b) => [b.firstSeq, b.lastSeq, b.baseOffset.toString(), b.lastOffset.toString()]) })),
      ongoing: [...this.ongoing].map(([id, o]) => [id, o.toString()]),
      aborted: this.aborted.map((a) => [a.producerId.toString(), a.firstOffset.toString(), a.lastOffset.toString()]),
    };
  }

  static fromJSON(j: any): PartitionProducerState {
    const s = new PartitionProducerState();
    s.mappedTo = BigInt(j.mappedTo);
    for (const p of j.producers) s.producers.set(p.id, { epoch: p.epoch, lastTimestamp: p.ts, coordinatorEpoch: 0, batches: p.batches.map((b: string[]) => ({ firstSeq: Number(b[0]), lastSeq: Number(b[1]), baseOffset: BigInt(b[2]), lastOffset: BigInt(b[3]) })) });
    for (const [id, o] of j.ongoing) s.ongoing.set(id, BigInt(o));
    for (const [pid, f, l] of j.aborted) s.aborted.push({ producerId: BigInt(pid), firstOffset: BigInt(f), lastOffset: BigInt(l) });
    return s;
  }

  /** Applies one stored batch (header plus, for control batches, its marker). */
  apply(info: BatchInfo, controlType: number | null): void {
    const pidKey = info.producerId.toString();
    const last = info.baseOffset + BigInt(info.lastOffsetDelta);
    if (info.producerId >= 0n) {
      let e = this.producers.get(pidKey);
      if (!e || info.producerEpoch > e.epoch) { e = { epoch: info.producerEpoch, batches: [], lastTimestamp: Date.now(), coordinatorEpoch: 0 }; this.producers.set(pidKey, e); }
      e.lastTimestamp = Date.now();
      if ((info.attributes & ATTR_CONTROL) === 0 && info.baseSequence >= 0) {
        e.batches.push({ firstSeq: info.baseSequence, lastSeq: info.baseSequence + info.lastOffsetDelta, baseOffset: info.baseOffset, lastOffset: last });
        if (e.batches.length > KEEP) e.batches.shift();
      }
      if ((info.attributes & ATTR_TRANSACTIONAL) !== 0) {
        if ((info.attributes & ATTR_CONTROL) !== 0) {
          const first = this.ongoing.get(pidKey);
          if (controlType === 0 && first !== undefined) this.aborted.push({ producerId: info.producerId, firstOffset: first, lastOffset: last });
          this.ongoing.delete(pidKey);
        } else if (!this.ongoing.has(pidKey)) {
          this.ongoing.set(pidKey, info.baseOffset);
        }
      }
    }
    if (last + 1n > this.mappedTo) this.mappedTo = last + 1n;
  }
}

/** Marker type of a control batch: 0 abort, 1 commit. */
export function controlTypeOf(batch: Buffer, pos = 0): number | null {
  const recs = readRecords(batch, pos);
  if (!recs.length || !recs[0].key || recs[0].key.length < 4) return null;
  return recs[0].key.readInt16BE(2);
}

export class ProducerStateManager {
  private states = new Map<Partition, PartitionProducerState>();
  constructor(private readonly snapshotName = 'producer-state.json') {}

  state(p: Partition): PartitionProducerState {
    let s = this.states.get(p);
    if (!s) { s = this.load(p); this.states.set(p, s); }
    return s;
  }

  forget(p: Partition): void { this.states.delete(p); }

  private load(p: Partition): PartitionProducerState {
    let s = new PartitionProducerState();
    try { s = PartitionProducerState.fromJSON(JSON.parse(fs.readFileSync(path.join(p.log.dir, this.snapshotName), 'utf8'))); } catch { /* none or unreadable: rebuild */ }
    if (s.mappedTo > p.log.logEndOffset || s.mappedTo < p.log.logStartOffset) s = new PartitionProducerState();
    // Replay batch headers the snapshot does not cover (after a crash: the tail).
    const from = s.mappedTo > p.log.logStartOffset ? s.mappedTo : p.log.logStartOffset;
    for (const seg of p.log.segments) {
      if (seg.nextOffset <= from || seg.size === 0) continue;
      let pos = seg.positionOf(from);
      while (pos + BATCH_HEADER_SIZE <= seg.size) {
        const head = seg.readRange(pos, pos + BATCH_HEADER_SIZE);
        const size = head.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
        const info = readBatchInfo(head, 0);
        let ctl: number | null = null;
        if ((info.attributes & ATTR_CONTROL) !== 0) ctl = controlTypeOf(seg.readRange(pos, pos + size));
        if (info.baseOffset + BigInt(info.lastOffsetDelta) >= from) s.apply(info, ctl);
        pos += size;
      }
    }
    s.mappedTo = p.log.logEndOffset;
    return s;
  }

  /**
   * Sequence and epoch checks before an append. Returns the original offsets of a
   * duplicate (retried) batch so it is acknowledged without being written again.
   */
  checkAppend(p: Partition, batches: BatchInfo[]): { duplicate?: { baseOffset: bigint } } | null {
    const s = this.state(p);
    for (const b of batches) {
      if (b.producerId < 0n) continue;
      const e = s.producers.get(b.producerId.toString());
      const transactional = (b.attributes & ATTR_TRANSACTIONAL) !== 0;
      if (e && b.producerEpoch < e.epoch) throw new KafkaError(transactional ? 'INVALID_PRODUCER_EPOCH' : 'INVALID_PRODUCER_EPOCH', `Producer ${b.producerId} epoch ${b.producerEpoch} is older than the current epoch ${e.epoch}`);
      if (b.baseSequence < 0) continue;
      if (!e || b.producerEpoch > e.epoch || e.batches.length === 0) {
        if (b.baseSequence !== 0 && (!e || b.producerEpoch > e.epoch)) {
          if (e && b.producerEpoch > e.epoch) throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `New epoch ${b.producerEpoch} of producer ${b.producerId} must start at sequence 0, got ${b.baseSequence}`);
          throw new KafkaError('UNKNOWN_PRODUCER_ID', `No state for producer ${b.producerId} on this partition; sequence ${b.baseSequence} cannot be checked`);
        }
        continue;
      }
      const lastSeq = b.baseSequence + b.lastOffsetDelta;
      const dup = e.batches.find((x) => x.firstSeq === b.baseSequence && x.lastSeq === lastSeq);
      if (dup) return { duplicate: { baseOffset: dup.baseOffset } };
      const expected = (e.batches[e.batches.length - 1].lastSeq + 1) % 2147483648;
      if (b.baseSequence !== expected) throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `Producer ${b.producerId}: expected sequence ${expected}, got ${b.baseSequence}`);
    }
    return null;
  }

  onAppended(p: Partition, r: AppendResult, records?: Buffer): void {
    const s = this.state(p);
    for (const b of r.batches) {
      let ctl: number | null = null;
      if ((b.attributes & ATTR_CONTROL) !== 0 && records) ctl = controlTypeOf(records, b.position);
      s.apply(b, ctl);
    }
  }

  lastStableOffset(p: Partition): bigint {
    const s = this.states.get(p);
    let lso = p.log.highWatermark;
    if (s) for (const first of s.ongoing.values()) if (first < lso) lso = first;
    return lso;
  }

  abortedTransactions(p: Partition, from: bigint, upTo: bigint): { producerId: bigint; firstOffset: bigint }[] {
    const s = this.states.get(p);
    if (!s) return [];
    return s.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < upTo).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
  }

  /** Drops aborted-transaction entries below the log start (retention). */
  trim(p: Partition): void {
    const s = this.states.get(p);
    if (s) s.aborted = s.aborted.filter((a) => a.lastOffset >= p.log.logStartOffset);
  }

  snapshotAll(): void {
    for (const [p, s] of this.states) {
      if (p.log.closed) continue;
      s.mappedTo = p.log.logEndOffset;
      try { fs.writeFileSync(path.join(p.log.dir, this.snapshotName), JSON.stringify(s)); } catch { /* partition deleted */ }
    }
  }
}
