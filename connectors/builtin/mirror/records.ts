// MM2's internal records, byte for byte as Kafka writes them, so Kafka's own
// RemoteClusterUtils / MirrorClient (and our checkpoint task) read them. Kafka
// serializes them with its protocol `Struct`s (org.apache.kafka.common.protocol.types):
// STRING = int16 length + UTF-8, INT16/INT32/INT64 big-endian, fields in order.
//
//   OffsetSync  key   {topic: STRING, partition: INT32}
//               value {upstreamOffset: INT64, offset: INT64}
//   Checkpoint  key   {group: STRING, topic: STRING, partition: INT32}   (topic as named downstream)
//               value {version: INT16 = 0} {upstreamOffset: INT64, offset: INT64, metadata: STRING}
//   Heartbeat   key   {sourceClusterAlias: STRING, targetClusterAlias: STRING}
//               value {version: INT16 = 0} {timestamp: INT64}

export interface OffsetSync { topic: string; partition: number; upstreamOffset: number; downstreamOffset: number }
export interface Checkpoint { group: string; topic: string; partition: number; upstreamOffset: number; downstreamOffset: number; metadata: string }
export interface Heartbeat { sourceClusterAlias: string; targetClusterAlias: string; timestamp: number }

class StructWriter {
  private parts: Buffer[] = [];
  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 0x7fff) throw new RangeError(`string of ${b.length} bytes is longer than a Kafka STRING allows`);
    const len = Buffer.alloc(2);
    len.writeInt16BE(b.length);
    this.parts.push(len, b);
    return this;
  }
  int16(n: number): this { const b = Buffer.alloc(2); b.writeInt16BE(n); this.parts.push(b); return this; }
  int32(n: number): this { const b = Buffer.alloc(4); b.writeInt32BE(n); this.parts.push(b); return this; }
  int64(n: number): this { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); this.parts.push(b); return this; }
  done(): Buffer { return Buffer.concat(this.parts); }
}

class StructReader {
  private pos = 0;
  constructor(private readonly b: Buffer, private readonly what: string) {}
  private need(n: number) { if (this.pos + n > this.b.length) throw new RangeError(`truncated ${this.what}: ${this.b.length} bytes`); }
  string(): string {
    this.need(2);
    const len = this.b.readInt16BE(this.pos);
    this.pos += 2;
    if (len < 0) throw new RangeError(`${this.what}: null STRING`);
    this.need(len);
    const s = this.b.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  int16(): number { this.need(2); const v = this.b.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { this.need(4); const v = this.b.readInt32BE(this.pos); this.pos += 4; return v; }
  int64(): number { this.need(8); const v = this.b.readBigInt64BE(this.pos); this.pos += 8; return Number(v); }
}

export const OffsetSyncFormat = {
  key: (s: Pick<OffsetSync, 'topic' | 'partition'>): Buffer => new StructWriter().string(s.topic).int32(s.partition).done(),
  value: (s: Pick<OffsetSync, 'upstreamOffset' | 'downstreamOffset'>): Buffer => new StructWriter().int64(s.upstreamOffset).int64(s.downstreamOffset).done(),
  decode(key: Buffer, value: Buffer): OffsetSync {
    const k = new StructReader(key, 'offset sync key');
    const v = new StructReader(value, 'offset sync value');
    return { topic: k.string(), partition: k.int32(), upstreamOffset: v.int64(), downstreamOffset: v.int64() };
  },
};

const VERSION = 0;

export const CheckpointFormat = {
  key: (c: Pick<Checkpoint, 'group' | 'topic' | 'partition'>): Buffer => new StructWriter().string(c.group).string(c.topic).int32(c.partition).done(),
  value: (c: Pick<Checkpoint, 'upstreamOffset' | 'downstreamOffset' | 'metadata'>): Buffer =>
    new StructWriter().int16(VERSION).int64(c.upstreamOffset).int64(c.downstreamOffset).string(c.metadata).done(),
  decode(key: Buffer, value: Buffer): Checkpoint {
    const k = new StructReader(key, 'checkpoint key');
    const v = new StructReader(value, 'checkpoint value');
    const group = k.string(), topic = k.string(), partition = k.int32();
    const version = v.int16();
    if (version !== VERSION) throw new RangeError(`checkpoint value version ${version} is not supported`);
    return { group, topic, partition, upstreamOffset: v.int64(), downstreamOffset: v.int64(), metadata: v.string() };
  },
};

export const HeartbeatFormat = {
  key: (h: Pick<Heartbeat, 'sourceClusterAlias' | 'targetClusterAlias'>): Buffer => new StructWriter().string(h.sourceClusterAlias).string(h.targetClusterAlias).done(),
  value: (h: Pick<Heartbeat, 'timestamp'>): Buffer => new StructWriter().int16(VERSION).int64(h.timestamp).done(),
  decode(key: Buffer, value: Buffer): Heartbeat {
    const k = new StructReader(key, 'heartbeat key');
    const v = new StructReader(value, 'heartbeat value');
    const sourceClusterAlias = k.string(), targetClusterAlias = k.string();
    const version = v.int16();
    if (version !== VERSION) throw new RangeError(`heartbeat value version ${version} is not supported`);
    return { sourceClusterAlias, targetClusterAlias, timestamp: v.int64() };
  },
};

/**
 * Kafka's OffsetSyncStore.translateDownstream: the latest sync at or below the group's
 * upstream offset gives the downstream position; a group past that sync moves at most
 * one record past it downstream (more could skip records that were not replicated yet),
 * so translation never skips, and re-reads at most what lies between two syncs.
 * Returns -1 when the group is before every known sync (too old to translate).
 */
export function translateDownstream(syncs: readonly OffsetSync[], upstreamOffset: number): number | null {
  let best: OffsetSync | null = null;
  for (const s of syncs) if (s.upstreamOffset <= upstreamOffset && (!best || s.upstreamOffset >= best.upstreamOffset)) best = s;
  if (!best) return syncs.length ? -1 : null;
  return best.downstreamOffset + (upstreamOffset === best.upstreamOffset ? 0 : 1);
}

/** syncs kept per partition (as Kafka's OffsetSyncStore since 3.5: 64 slots) */
export const SYNC_SLOTS = 64;

/**
 * Adds `s` (the newest sync of its partition) to `kept` (oldest first) and thins the list
 * as Kafka's OffsetSyncStore does: slot 0 is the newest sync, slot i the newest one at
 * least 2^(i-1) upstream offsets older. Recent offsets translate precisely, and a group
 * far behind still translates (to an earlier downstream position: re-read, never skipped)
 * instead of falling off the end of a window of the last N syncs.
 */
export function retainSync(kept: readonly OffsetSync[], s: OffsetSync): OffsetSync[] {
  // A sync below the newest means the downstream topic was recreated: start over.
  if (kept.length && s.upstreamOffset < kept[kept.length - 1].upstreamOffset) return [s];
  const all = [...kept, s];
  if (all.length <= SYNC_SLOTS) return all;
  const out: OffsetSync[] = [s];
  let j = all.length - 2;
  for (let i = 1; i < SYNC_SLOTS && j >= 0; i++) {
    const bound = s.upstreamOffset - 2 ** (i - 1);
    while (j >= 0 && all[j].upstreamOffset > bound) j--;
    if (j < 0) break;
    out.push(all[j]);
    j--;
  }
  // the oldest sync stays while there is room, so the earliest group offsets still translate
  if (out.length < SYNC_SLOTS && out[out.length - 1] !== all[0]) out.push(all[0]);
  return out.reverse();
}
