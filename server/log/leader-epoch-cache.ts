// Leader epoch → first offset written in it, per partition (KIP-101), persisted as
// Kafka's `leader-epoch-checkpoint` file:
//   0            (version)
//   N            (entries)
//   epoch startOffset   (N lines, epochs and offsets increasing)
// The leader answers OffsetForLeaderEpoch from it; a follower truncates to what the
// leader answers, so logs never diverge after a leader change.
import fs from 'node:fs';
import path from 'node:path';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export interface EpochEntry { epoch: number; startOffset: bigint }

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];

  constructor(private readonly file: string | null) {}

  /** Loads `dir/leader-epoch-checkpoint`; null when the file is missing or unreadable (then rebuild from the log). */
  static load(dir: string): LeaderEpochCache | null {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { return null; }
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length);
    if (lines[0] !== '0' || Number(lines[1]) !== lines.length - 2) return null;
    const c = new LeaderEpochCache(file);
    for (const l of lines.slice(2)) {
      const [e, o] = l.split(/\s+/);
      if (!/^\d+$/.test(e ?? '') || !/^\d+$/.test(o ?? '')) return null;
      c.entries.push({ epoch: Number(e), startOffset: BigInt(o) });
    }
    return c;
  }

  static empty(dir: string): LeaderEpochCache { return new LeaderEpochCache(path.join(dir, LEADER_EPOCH_CHECKPOINT)); }

  get all(): readonly EpochEntry[] { return this.entries; }
  get latestEpoch(): number { return this.entries.length ? this.entries[this.entries.length - 1].epoch : -1; }
  /** first offset of the latest epoch, -1 if none */
  get latestStartOffset(): bigint { return this.entries.length ? this.entries[this.entries.length - 1].startOffset : -1n; }

  /**
   * Records that `epoch` starts at `startOffset` (a leader taking over, or the first
   * batch of a new epoch appended). Older or equal epochs are ignored; an entry that
   * started at or after `startOffset` under a lower epoch is dropped (Kafka does the same).
   */
  assign(epoch: number, startOffset: bigint, persist = true): boolean {
    if (epoch < 0) return false;
    const last = this.entries[this.entries.length - 1];
    if (last && (epoch <= last.epoch)) return false;
    while (this.entries.length && this.entries[this.entries.length - 1].startOffset >= startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    if (persist) this.flush();
    return true;
  }

  /**
   * OffsetForLeaderEpoch: the largest epoch <= `requested` this log knows, and the
   * offset where the next epoch starts (the log end for the latest epoch). Kafka's
   * answer for an unknown epoch: (-1, -1).
   */
  endOffsetFor(requested: number, logEndOffset: bigint): { epoch: number; endOffset: bigint } {
    if (requested < 0 || this.entries.length === 0) return { epoch: -1, endOffset: -1n };
    const last = this.entries[this.entries.length - 1];
    if (requested === last.epoch) return { epoch: requested, endOffset: logEndOffset };
    const hi = this.entries.findIndex((e) => e.epoch > requested);
    if (hi < 0) return { epoch: -1, endOffset: -1n };
    // Requested epoch below the first known: the log has nothing of it, and its end is where the first known epoch starts.
    if (hi === 0) return { epoch: requested, endOffset: this.entries[0].startOffset };
    return { epoch: this.entries[hi - 1].epoch, endOffset: this.entries[hi].startOffset };
  }

  /** Truncation of the log to `endOffset`: epochs starting at or after it go. */
  truncateFromEnd(endOffset: bigint): void {
    const n = this.entries.length;
    while (this.entries.length && this.entries[this.entries.length - 1].startOffset >= endOffset) this.entries.pop();
    if (this.entries.length !== n) this.flush();
  }

  /** The log start moved to `startOffset`: earlier epochs go; the one covering it now starts there. */
  truncateFromStart(startOffset: bigint): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1].startOffset <= startOffset) i++;
    const changed = i > 0 || (this.entries[0] !== undefined && this.entries[0].startOffset < startOffset);
    if (!changed) return;
    this.entries = this.entries.slice(i);
    if (this.entries[0].startOffset < startOffset) this.entries[0] = { epoch: this.entries[0].epoch, startOffset };
    this.flush();
  }

  clear(): void { this.entries = []; this.flush(); }

  flush(): void {
    if (!this.file) return;
    const body = `0\n${this.entries.length}\n${this.entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`;
    try { writeFileAtomic(this.file, body); } catch (e) {
      // The partition directory was deleted under us (topic deletion): nothing to keep.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

function writeFileAtomic(file: string, data: string): void {
  const tmp = file + '.tmp';
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, data); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
}
