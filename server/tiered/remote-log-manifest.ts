// Durable list of a partition's uploaded segments. A single node keeps it as
// `remote-log-manifest.json` in the partition directory, replaced by an fsynced write
// and an atomic rename after every change; a cluster keeps the same document in its
// metadata store (RemoteLogMetadataStore), so whichever replica leads next knows it. A restart reads it back, so nothing is uploaded twice and nothing
// uploaded is forgotten. A crash between an upload and the manifest write leaves
// objects the manifest does not name; object keys are deterministic (base offset
// and CRC of the bytes), so the retried upload overwrites them instead of leaking.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../log/partition-log.ts';
import type { AbortedEntry } from './remote-index.ts';

export const MANIFEST_FILE = 'remote-log-manifest.json';

export interface RemoteSegment {
  baseOffset: bigint;
  /** offset after the last offset the segment covers */
  nextOffset: bigint;
  size: number;
  maxTimestamp: bigint;
  /** object key without extension: `<key>.log`, `.index`, `.timeindex`, `.txnindex` */
  key: string;
  crc: number;
  /** identity of the local file uploaded (inode, size): a compaction swap changes it */
  localIno: number;
  /** aborted transactions whose abort marker lies in this segment */
  aborted: AbortedEntry[];
  uploadedAt: number;
}

export class RemoteLogManifest {
  segments: RemoteSegment[] = [];
  /** DeleteRecords below the remote data moves this; never below the first segment */
  logStartOffset = -1n;
  /** object stems dropped from the list but not yet deleted from the store */
  pendingDeletes: string[] = [];

  /** set in a cluster: called by save() instead of writing the file */
  shared: (() => void) | null = null;

  constructor(readonly dir: string) {}

  static load(dir: string): RemoteLogManifest {
    const m = new RemoteLogManifest(dir);
    let text: string;
    try { text = fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'); } catch { return m; }
    m.assign(JSON.parse(text));
    return m;
  }

  /** Takes the content of a manifest document (the file's JSON, or the cluster store's row). */
  assign(j: any): void {
    this.logStartOffset = BigInt(j.logStartOffset ?? -1);
    this.pendingDeletes = j.pendingDeletes ?? [];
    this.segments = (j.segments ?? []).map((s: any) => ({
      baseOffset: BigInt(s.baseOffset), nextOffset: BigInt(s.nextOffset), size: s.size, maxTimestamp: BigInt(s.maxTimestamp),
      key: s.key, crc: s.crc, localIno: s.localIno, uploadedAt: s.uploadedAt,
      aborted: (s.aborted ?? []).map((a: string[]) => ({ producerId: BigInt(a[0]), firstOffset: BigInt(a[1]), lastOffset: BigInt(a[2]) })),
    }));
  }

  /** The manifest as a JSON document (what the file and the cluster store keep). */
  toJSON(): object {
    return {
      version: 1,
      logStartOffset: this.logStartOffset.toString(),
      pendingDeletes: this.pendingDeletes,
      segments: this.segments.map((s) => ({
        baseOffset: s.baseOffset.toString(), nextOffset: s.nextOffset.toString(), size: s.size, maxTimestamp: s.maxTimestamp.toString(),
        key: s.key, crc: s.crc, localIno: s.localIno, uploadedAt: s.uploadedAt,
        aborted: s.aborted.map((a) => [a.producerId.toString(), a.firstOffset.toString(), a.lastOffset.toString()]),
      })),
    };
  }

  /**
   * Single node: rewrites the file. In a cluster the manager gives the manifest a
   * `shared` hook instead: the change is marked and written to the metadata store
   * (awaited) before anything depends on it.
   */
  save(): void {
    if (this.shared) { this.shared(); return; }
    writeFileAtomic(path.join(this.dir, MANIFEST_FILE), JSON.stringify(this.toJSON()));
  }

  /** First offset readable from remote storage, or -1 when there is none. */
  get startOffset(): bigint {
    if (!this.segments.length) return -1n;
    const first = this.segments[0].baseOffset;
    return this.logStartOffset > first ? this.logStartOffset : first;
  }

  get endOffset(): bigint { return this.segments.length ? this.segments[this.segments.length - 1].nextOffset : -1n; }

  get totalBytes(): number { let n = 0; for (const s of this.segments) n += s.size; return n; }

  /** The segment holding `offset`, or the first one after it (compaction can leave gaps). */
  find(offset: bigint): RemoteSegment | undefined {
    for (const s of this.segments) if (s.nextOffset > offset) return s;
    return undefined;
  }

  /** Adds or replaces (same base offset: a compacted re-upload) a segment, keeping order. */
  upsert(seg: RemoteSegment): RemoteSegment | undefined {
    const i = this.segments.findIndex((s) => s.baseOffset === seg.baseOffset);
    if (i >= 0) { const old = this.segments[i]; this.segments[i] = seg; return old; }
    this.segments.push(seg);
    this.segments.sort((a, b) => (a.baseOffset < b.baseOffset ? -1 : a.baseOffset > b.baseOffset ? 1 : 0));
    return undefined;
  }
}

/**
 * Where a cluster keeps its manifests (PostgresClusterView): one document per topic id
 * and partition, written only by the partition's leader, compare-and-set on the leader
 * epoch so a deposed leader cannot overwrite what its successor wrote.
 */
export interface RemoteLogMetadataStore {
  /** the stored document with the leader epoch that wrote it, or null */
  loadRemoteManifest(topicId: string, partition: number): Promise<{ leaderEpoch: number; manifest: any } | null>;
  /** false when a leader of a newer epoch has written it (this one is stale) */
  saveRemoteManifest(topicId: string, partition: number, leaderEpoch: number, manifest: object): Promise<boolean>;
}
