// Time and size retention (retention.ms, retention.bytes, broker log.retention.*):
// a background task deletes whole closed segments and advances the log start.
import type { Logger } from 'pino';
import type { PartitionLog } from './partition-log.ts';
import type { LogSegment } from './log-segment.ts';

export interface RetentionPolicy {
  /** -1: keep forever */
  retentionMs: number;
  /** -1: no size limit */
  retentionBytes: number;
  /** cleanup.policy contains delete */
  delete: boolean;
}

/** What retention.ms measures a segment's age from: its newest record timestamp, else its last append. */
export function segmentNewestMs(seg: LogSegment): number {
  return seg.maxTimestamp >= 0n ? Number(seg.maxTimestamp) : seg.lastAppendAt;
}

/** Deletes closed segments past retention; returns how many were removed. */
export function applyRetention(log: PartitionLog, p: RetentionPolicy, now = Date.now()): number {
  if (!p.delete) return 0;
  let removed = 0;
  // Never the active segment, never data above the high-water mark.
  const closedBelowHw = () => log.segments.length > 1 && log.segments[1].baseOffset <= log.highWatermark;
  if (p.retentionMs >= 0) {
    while (closedBelowHw()) {
      const seg = log.segments[0];
      if (now - segmentNewestMs(seg) <= p.retentionMs) break;
      log.deleteOldestSegment();
      removed++;
    }
  }
  if (p.retentionBytes >= 0) {
    let size = log.size;
    while (closedBelowHw() && size - log.segments[0].size >= p.retentionBytes) {
      size -= log.segments[0].size;
      log.deleteOldestSegment();
      removed++;
    }
  }
  return removed;
}

export class RetentionManager {
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly logs: () => { name: string; log: PartitionLog; policy: RetentionPolicy; onDeleted?: () => void }[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  runOnce(now = Date.now()): number {
    let total = 0;
    for (const { name, log, policy, onDeleted } of this.logs()) {
      if (log.closed) continue;
      try {
        const n = applyRetention(log, policy, now);
        if (n) {
          total += n;
          onDeleted?.();
          this.logger.info({ partition: name, segments: n, logStartOffset: String(log.logStartOffset) }, 'retention deleted segments');
        }
      } catch (e) {
        this.logger.error({ err: e, partition: name }, 'retention failed');
      }
    }
    return total;
  }

  stop(): void { clearInterval(this.timer); }
}
