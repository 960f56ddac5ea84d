// Log compaction for cleanup.policy=compact (and compact,delete): keeps the
// latest record per key in the closed part of the log, removes tombstones after
// delete.retention.ms and records of aborted transactions, never renumbers offsets.
// A segment is rewritten as `<base>.log.cleaned`, renamed to `.log.swap`, and only
// then replaces the original, so a crash at any step leaves a valid log (see
// PartitionLog.open, which completes or discards leftovers).
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PartitionLog } from './partition-log.ts';
import { LogSegment, segmentFileName } from './log-segment.ts';
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TRANSACTIONAL, buildBatch, readBatchInfo, readRecords, LOG_OVERHEAD, OFF_LENGTH,
} from './record-batch.ts';
import { compress } from './compression.ts';

export interface CompactionPolicy {
  compact: boolean;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  deleteRetentionMs: number;
}

export interface CleanStats { segments: number; bytesBefore: number; bytesAfter: number; recordsRemoved: number }

const CHECKPOINT = 'cleaner-offset-checkpoint';

function* batchesOf(seg: LogSegment): Generator<Buffer> {
  let pos = 0;
  while (pos + LOG_OVERHEAD <= seg.size) {
    const head = seg.readRange(pos, pos + LOG_OVERHEAD);
    const size = head.readInt32BE(OFF_LENGTH) + LOG_OVERHEAD;
    yield seg.readRange(pos, pos + size);
    pos += size;
  }
}

export function readCheckpoint(log: PartitionLog): bigint {
  try { return BigInt(fs.readFileSync(path.join(log.dir, CHECKPOINT), 'utf8').trim()); } catch { return 0n; }
}

/**
 * Compacts the closed segments of `log` if they are dirty enough. `aborted` tells
 * whether a transactional record at an offset belongs to an aborted transaction.
 */
export function cleanLog(log: PartitionLog, p: CompactionPolicy, aborted: (producerId: bigint, offset: bigint) => boolean = () => false, now = Date.now(), force = false): CleanStats | null {
  if (!p.compact || log.segments.length < 2) return null;
  // Cleanable: closed segments below the high-water mark, older than min.compaction.lag.ms.
  const cleanable = log.segments.slice(0, -1).filter((s) => s.nextOffset <= log.highWatermark && (p.minCompactionLagMs <= 0 || now - Number(s.maxTimestamp) >= p.minCompactionLagMs));
  if (!cleanable.length) return null;
  const checkpoint = readCheckpoint(log);
  let total = 0; let dirty = 0;
  for (const s of cleanable) { total += s.size; if (s.nextOffset > checkpoint) dirty += s.size; }
  if (!force && (total === 0 || dirty / total < p.minCleanableDirtyRatio)) return null;
  const end = cleanable[cleanable.length - 1].nextOffset;

  // Pass 1: latest offset of every key, over the whole log below the active segment's end
  // (a key rewritten in the active segment makes older copies obsolete too).
  const latest = new Map<string, bigint>();
  for (const seg of log.segments) {
    for (const batch of batchesOf(seg)) {
      const info = readBatchInfo(batch, 0);
      if (info.attributes & ATTR_CONTROL) continue;
      for (const r of readRecords(batch, 0)) if (r.key) latest.set(r.key.toString('latin1'), r.offset);
    }
  }

  const stats: CleanStats = { segments: 0, bytesBefore: 0, bytesAfter: 0, recordsRemoved: 0 };
  for (const seg of cleanable) {
    const out: Buffer[] = [];
    for (const batch of batchesOf(seg)) {
      const info = readBatchInfo(batch, 0);
      if (info.attributes & ATTR_CONTROL) { out.push(batch); continue; } // markers kept: consumers need them
      const recs = readRecords(batch, 0);
      const isAborted = (info.attributes & ATTR_TRANSACTIONAL) !== 0 && aborted(info.producerId, info.baseOffset);
      const keep = isAborted ? [] : recs.filter((r) => {
        if (!r.key) return true;
        if (latest.get(r.key.toString('latin1')) !== r.offset) return false;
        if (r.value === null && now - Number(r.timestamp) > p.deleteRetentionMs) return false; // tombstone past its horizon
        return true;
      });
      stats.recordsRemoved += recs.length - keep.length;
      if (keep.length === recs.length) { out.push(batch); continue; }
      if (!keep.length) continue;
      const base = keep[0].offset;
      out.push(buildBatch(
        keep.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        {
          baseOffset: base, codec: info.attributes & ATTR_COMPRESSION_MASK, offsetDeltas: keep.map((r) => Number(r.offset - base)),
          producerId: info.producerId, producerEpoch: info.producerEpoch, baseSequence: -1,
          transactional: (info.attributes & ATTR_TRANSACTIONAL) !== 0, partitionLeaderEpoch: batch.readInt32BE(12),
        },
        compress,
      ));
    }
    const before = seg.size;
    const after = out.reduce((n, b) => n + b.length, 0);
    stats.bytesBefore += before; stats.bytesAfter += after;
    if (after === before) continue;
    swapSegment(log, seg, out);
    stats.segments++;
  }
  fs.writeFileSync(path.join(log.dir, CHECKPOINT), end.toString());
  return stats;
}

/** Replaces `seg` with the cleaned batches, crash-safely. */
function swapSegment(log: PartitionLog, seg: LogSegment, batches: Buffer[]): void {
  const dir = log.dir;
  const logFile = path.join(dir, segmentFileName(seg.baseOffset, '.log'));
  const cleaned = logFile + '.cleaned';
  const swap = logFile + '.swap';
  const fd = fs.openSync(cleaned, 'w');
  try { for (const b of batches) fs.writeSync(fd, b); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(cleaned, swap); // from here on, recovery completes the swap
  const idx = log.segments.indexOf(seg);
  seg.close();
  for (const e of ['.index', '.timeindex']) fs.rmSync(path.join(dir, segmentFileName(seg.baseOffset, e)), { force: true });
  fs.renameSync(swap, logFile);
  const { segment } = LogSegment.open(dir, seg.baseOffset, log.config.indexIntervalBytes, true);
  // Keep the segment's place in the offset space even if its last records were removed.
  if (segment.nextOffset < seg.nextOffset) segment.nextOffset = seg.nextOffset;
  log.segments[idx] = segment;
}

export class LogCleaner {
  private timer?: NodeJS.Timeout;
  private busy = false;
  constructor(
    private readonly logs: () => { name: string; log: PartitionLog; policy: CompactionPolicy; aborted: (pid: bigint, offset: bigint) => boolean }[],
    private readonly backoffMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.runOnce(), this.backoffMs);
    this.timer.unref();
  }

  runOnce(now = Date.now(), force = false): CleanStats[] {
    if (this.busy) return [];
    this.busy = true;
    const out: CleanStats[] = [];
    try {
      for (const { name, log, policy, aborted } of this.logs()) {
        if (log.closed || !policy.compact) continue;
        try {
          const s = cleanLog(log, policy, aborted, now, force);
          if (s && s.segments) { out.push(s); this.logger.info({ partition: name, ...s }, 'compacted'); }
        } catch (e) { this.logger.error({ err: e, partition: name }, 'compaction failed; the log is unchanged'); }
      }
    } finally { this.busy = false; }
    return out;
  }

  stop(): void { clearInterval(this.timer); }
}
