// S3 sink (Confluent's io.confluent.connect.s3.S3SinkConnector): per topic partition,
// records go into one open object per encoded partition; when flush.size records are
// open (or rotate.interval.ms of record time passed) the objects are uploaded and only
// then do their offsets become committable. Object names carry the first record's
// offset, so a retry after a crash rebuilds and overwrites the same objects: exactly
// once in S3.
import type { S3Client } from '@aws-sdk/client-s3';
import { SinkConnector, SinkTask, RetriableException, tpKey, type ConfigDef, type ConnectorContext, type Props, type Schema, type SinkRecord, type SinkTaskContext, type TopicPartition } from '../../../plugins/sdk/index.ts';
import { sinkConfigDef, FORMATS, PARTITIONERS } from './config.ts';
import { s3Client, upload } from './client.ts';
import { EXTENSIONS, encodeAvro, encodeBytes, encodeJson, unescapeSeparator, type FormatName } from './formats.ts';
import { encodeParquet, parquetExtension, parquetRejects, type ParquetCodec } from './parquet.ts';
import { Partitioner, recordTime } from './partitioner.ts';

export const VERSION = '10.5.0-tributary';

interface OpenFile { encoded: string; startOffset: number; values: unknown[]; keys: unknown[]; valueSchema: Schema | null; keySchema: Schema | null; firstTime: number; openedAt: number;
  /** the file's value and key schemas as JSON, serialized once on the first comparison */
  schemaJson?: string }

interface PartitionState {
  tp: TopicPartition;
  files: Map<string, OpenFile>;
  count: number;
  /** next offset expected: redelivered records below it are already buffered */
  next: number | null;
  /** offset after the last uploaded record: what may be committed */
  committed: number | null;
  uploadPending: boolean;
}

/** `<topics.dir>/<topic>/<encoded>/<topic>+<partition>+<startOffset:010>.<ext>` */
export function objectKey(c: { topicsDir: string; delim: string; fileDelim: string }, topic: string, encoded: string, partition: number, startOffset: number, ext: string): string {
  const dir = [c.topicsDir, topic, encoded].filter(Boolean).join(c.delim);
  return `${dir}${c.delim}${topic}${c.fileDelim}${partition}${c.fileDelim}${String(startOffset).padStart(10, '0')}${ext}`;
}

export class S3SinkTask extends SinkTask {
  private cfg!: Record<string, unknown>;
  private ctx!: SinkTaskContext;
  private s3!: S3Client;
  private format: FormatName = 'json';
  private ext = '.json';
  private sep: Buffer = Buffer.from('\n');
  private partitioner!: Partitioner;
  private parts = new Map<string, PartitionState>();
  /** uploaded object keys, for status and tests */
  readonly uploaded: string[] = [];
  /** objects and bytes uploaded since start (metrics) */
  private readonly written = { objects: 0, bytes: 0 };

  version(): string { return VERSION; }

  start(props: Props, context: SinkTaskContext): void {
    this.ctx = context;
    this.cfg = sinkConfigDef().parse(props);
    this.format = FORMATS[this.cfg['format.class'] as string] as FormatName;
    this.ext = this.format === 'bytes' ? (this.cfg['format.bytearray.extension'] as string) : this.format === 'parquet' ? parquetExtension(this.cfg['parquet.codec'] as ParquetCodec) : EXTENSIONS[this.format];
    this.sep = unescapeSeparator(this.cfg['format.bytearray.separator'] as string);
    this.partitioner = new Partitioner({
      kind: PARTITIONERS[this.cfg['partitioner.class'] as string], fields: this.cfg['partition.field.name'] as string[],
      pathFormat: this.cfg['path.format'] as string, durationMs: this.cfg['partition.duration.ms'] as number,
      timezone: this.cfg.timezone as string, locale: this.cfg.locale as string,
      extractor: this.cfg['timestamp.extractor'] as 'Record', timestampField: this.cfg['timestamp.field'] as string,
    });
    this.s3 = s3Client(this.cfg);
  }

  open(partitions: TopicPartition[]): void {
    for (const tp of partitions) if (!this.parts.has(tpKey(tp))) this.parts.set(tpKey(tp), { tp, files: new Map(), count: 0, next: null, committed: null, uploadPending: false });
  }

  /** Revoked partitions: their buffered records are dropped; the new owner re-reads them from the committed offset. */
  close(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.parts.delete(tpKey(tp));
  }

  private state(tp: TopicPartition): PartitionState {
    let s = this.parts.get(tpKey(tp));
    if (!s) { s = { tp, files: new Map(), count: 0, next: null, committed: null, uploadPending: false }; this.parts.set(tpKey(tp), s); }
    return s;
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const s of this.parts.values()) if (s.uploadPending) await this.rotate(s);
    const flushSize = this.cfg['flush.size'] as number;
    const rotateMs = this.cfg['rotate.interval.ms'] as number;
    for (const r of records) {
      const s = this.state({ topic: r.topic, partition: r.kafkaPartition });
      if (s.next !== null && r.kafkaOffset < s.next) continue; // redelivered after a retriable failure: already buffered
      if (this.format === 'parquet') {
        // not retriable: the same record would fail again at every upload
        const why = parquetRejects(r.valueSchema, r.value) ?? (this.cfg['store.kafka.keys'] ? parquetRejects(r.keySchema, r.key, 'key') : undefined);
        if (why) throw new Error(`${r.topic}-${r.kafkaPartition}@${r.kafkaOffset}: ${why}`);
      }
      const encoded = this.partitioner.encode(r);
      const time = rotateMs > 0 ? recordTime(r, { extractor: this.cfg['timestamp.extractor'] as 'Record', timestampField: this.cfg['timestamp.field'] as string }) : 0;
      let f = s.files.get(encoded);
      // a new schema cannot go into an open Avro or Parquet file; an old file past rotate.interval.ms closes first
      if (f && (((this.format === 'avro' || this.format === 'parquet') && !sameSchemas(f, r)) || (rotateMs > 0 && time - f.firstTime >= rotateMs))) {
        await this.rotate(s);
        f = undefined;
      }
      if (!f) {
        f = { encoded, startOffset: r.kafkaOffset, values: [], keys: [], valueSchema: r.valueSchema, keySchema: r.keySchema, firstTime: time, openedAt: Date.now() };
        s.files.set(encoded, f);
      }
      f.values.push(r.value);
      f.keys.push(r.key);
      s.count++;
      s.next = r.kafkaOffset + 1;
      if (s.count >= flushSize) await this.rotate(s);
    }
  }

  /** Uploads every open object of the partition; on failure keeps them for the retry. */
  private async rotate(s: PartitionState): Promise<void> {
    const bucket = this.cfg['s3.bucket.name'] as string;
    const partSize = this.cfg['s3.part.size'] as number;
    try {
      for (const f of s.files.values()) {
        const key = objectKey({ topicsDir: this.cfg['topics.dir'] as string, delim: this.cfg['directory.delim'] as string, fileDelim: this.cfg['file.delim'] as string }, s.tp.topic, f.encoded, s.tp.partition, f.startOffset, this.ext);
        const body = await this.encode(f.valueSchema, f.values);
        await upload(this.s3, bucket, key, body, partSize);
        this.written.objects++; this.written.bytes += body.length;
        if (this.cfg['store.kafka.keys']) {
          const keys = await this.encode(f.keySchema, f.keys);
          await upload(this.s3, bucket, key.slice(0, -this.ext.length) + '.keys' + this.ext, keys, partSize);
          this.written.objects++; this.written.bytes += keys.length;
        }
        this.uploaded.push(key);
        this.ctx.reportProgress?.({ objectsWritten: this.written.objects, bytesWritten: this.written.bytes });
      }
    } catch (e) {
      s.uploadPending = true;
      throw new RetriableException(`S3 upload failed: ${(e as Error).message}`, { cause: e });
    }
    s.files.clear();
    s.count = 0;
    s.uploadPending = false;
    s.committed = s.next;
  }

  private encode(schema: Schema | null, values: unknown[]): Promise<Buffer> | Buffer {
    if (this.format === 'json') return encodeJson(schema, values);
    if (this.format === 'bytes') return encodeBytes(values, this.sep);
    if (this.format === 'parquet') return encodeParquet(schema, values, this.cfg['parquet.codec'] as ParquetCodec);
    return encodeAvro(schema, values, this.cfg['avro.codec'] as 'null');
  }

  /** Only uploaded records are committable; rotate.schedule.interval.ms (wall clock) uploads here. */
  async preCommit(currentOffsets: Map<string, number>): Promise<Map<string, number>> {
    const sched = this.cfg['rotate.schedule.interval.ms'] as number;
    const out = new Map<string, number>();
    for (const [k, s] of this.parts) {
      if (sched > 0 && s.files.size && Date.now() - Math.min(...[...s.files.values()].map((f) => f.openedAt)) >= sched) await this.rotate(s);
      // nothing open: everything consumed is uploaded (or was filtered), so the consumer position is safe
      const safe = s.files.size === 0 && currentOffsets.has(k) ? Math.max(currentOffsets.get(k)!, s.committed ?? 0) : s.committed;
      if (safe !== null) out.set(k, safe);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.s3?.destroy();
  }
}

/** Whether the record's value and key schemas equal the open file's; the file's side is serialized once, not per record. */
function sameSchemas(f: OpenFile, r: SinkRecord): boolean {
  if (f.valueSchema === r.valueSchema && f.keySchema === r.keySchema) return true;
  f.schemaJson ??= JSON.stringify([f.valueSchema, f.keySchema]);
  return f.schemaJson === JSON.stringify([r.valueSchema, r.keySchema]);
}

export class S3SinkConnector extends SinkConnector {
  private props: Props = {};
  version(): string { return VERSION; }
  config(): ConfigDef { return sinkConfigDef(); }
  taskClass() { return S3SinkTask; }
  start(props: Props, _context: ConnectorContext): void {
    sinkConfigDef().parse(props);
    this.props = props;
  }
  taskConfigs(maxTasks: number): Props[] { return Array.from({ length: maxTasks }, () => ({ ...this.props })); }
  stop(): void {}
}
