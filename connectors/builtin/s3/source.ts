// S3 source: reads back what the S3 sink wrote (same layout and formats), in offset
// order per topic partition, into the same (or a renamed) topic and partition. The
// source offset is the object and the number of its records already sent, so a
// restart continues mid-object.
import { ListObjectsV2Command, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SourceConnector, SourceTask, RetriableException, type ConfigDef, type ConnectorContext, type Props, type Schema, type SourceRecord, type SourceTaskContext } from '../../../plugins/sdk/index.ts';
import { sourceConfigDef, FORMATS } from './config.ts';
import { s3Client } from './client.ts';
import { EXTENSIONS, decodeAvro, decodeBytes, decodeJson, unescapeSeparator, type FormatName } from './formats.ts';
import { decodeParquet, parquetExtension, type ParquetCodec } from './parquet.ts';
import { VERSION } from './sink.ts';

export interface S3Object { key: string; topic: string; partition: number; startOffset: number }

/** Parses `<dir>/<topic>/<encoded…>/<topic>+<p>+<offset>.<ext>`; keys files and others give null. */
export function parseObjectKey(key: string, c: { topicsDir: string; delim: string; fileDelim: string; ext: string }): S3Object | null {
  if (!key.endsWith(c.ext) || key.endsWith('.keys' + c.ext)) return null;
  const prefix = c.topicsDir ? c.topicsDir + c.delim : '';
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(key.lastIndexOf(c.delim) + 1, -c.ext.length);
  const parts = name.split(c.fileDelim);
  if (parts.length < 3) return null;
  const startOffset = Number(parts.pop());
  const partition = Number(parts.pop());
  const topic = parts.join(c.fileDelim);
  if (!Number.isInteger(startOffset) || !Number.isInteger(partition) || !key.startsWith(prefix + topic + c.delim)) return null;
  return { key, topic, partition, startOffset };
}

interface Loaded { obj: S3Object; values: unknown[]; keys: unknown[] | null; valueSchema: Schema | null; keySchema: Schema | null; pos: number }

export class S3SourceTask extends SourceTask {
  private cfg!: Record<string, unknown>;
  private ctx!: SourceTaskContext;
  private s3!: S3Client;
  private format: FormatName = 'json';
  private ext = '.json';
  private sep: Buffer = Buffer.from('\n');
  private topics: string[] = [];
  private renames: { target: string; re: RegExp }[] = [];
  /** objects not finished yet, per `topic/partition`, sorted by start offset */
  private queue = new Map<string, S3Object[]>();
  private done = new Map<string, { startOffset: number; pos: number; complete: boolean }>();
  private current: Loaded | null = null;
  private lastList = 0;
  private stopped = false;

  version(): string { return VERSION; }

  async start(props: Props, context: SourceTaskContext): Promise<void> {
    this.ctx = context;
    this.cfg = sourceConfigDef().parse(props);
    this.format = FORMATS[this.cfg['format.class'] as string] as FormatName;
    this.ext = this.format === 'bytes' ? (this.cfg['format.bytearray.extension'] as string) : this.format === 'parquet' ? parquetExtension(this.cfg['parquet.codec'] as ParquetCodec) : EXTENSIONS[this.format];
    this.sep = unescapeSeparator(this.cfg['format.bytearray.separator'] as string);
    this.topics = this.cfg.topics as string[];
    this.renames = (this.cfg['topic.regex.list'] as string[]).map((x) => {
      const i = x.indexOf(':');
      return { target: x.slice(0, i), re: new RegExp(`^(?:${x.slice(i + 1)})$`) };
    });
    this.s3 = s3Client(this.cfg);
  }

  private partitionOf(o: { topic: string; partition: number }) {
    return { bucket: this.cfg['s3.bucket.name'] as string, topic: o.topic, kafka_partition: o.partition };
  }

  private async list(): Promise<void> {
    const c = { topicsDir: this.cfg['topics.dir'] as string, delim: this.cfg['directory.delim'] as string, fileDelim: this.cfg['file.delim'] as string, ext: this.ext };
    const found: S3Object[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.cfg['s3.bucket.name'] as string, Prefix: c.topicsDir ? c.topicsDir + c.delim : undefined, ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        const p = parseObjectKey(o.Key!, c);
        if (p && (!this.topics.length || this.topics.includes(p.topic))) found.push(p);
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    const groups = new Map<string, S3Object[]>();
    for (const o of found) {
      const g = `${o.topic}/${o.partition}`;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(o);
    }
    for (const [g, objs] of groups) {
      objs.sort((a, b) => a.startOffset - b.startOffset || a.key.localeCompare(b.key));
      if (!this.done.has(g)) {
        const off = await this.ctx.offsetStorageReader.offset(this.partitionOf(objs[0]));
        this.done.set(g, off ? { startOffset: Number(off.start_offset), pos: Number(off.record), complete: off.last === true } : { startOffset: -1, pos: 0, complete: true });
      }
      const d = this.done.get(g)!;
      const cur = this.current && `${this.current.obj.topic}/${this.current.obj.partition}` === g ? this.current.obj.startOffset : -1;
      this.queue.set(g, objs.filter((o) => (o.startOffset > d.startOffset || (o.startOffset === d.startOffset && !d.complete)) && o.startOffset > cur));
    }
  }

  private async load(obj: S3Object, skip: number): Promise<Loaded> {
    const get = async (key: string) => {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.cfg['s3.bucket.name'] as string, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    };
    const decode = async (body: Buffer): Promise<{ schema: Schema | null; values: unknown[] }> => {
      if (this.format === 'json') return { schema: null, values: decodeJson(body) };
      if (this.format === 'bytes') return { schema: { type: 'bytes', optional: true }, values: decodeBytes(body, this.sep) };
      if (this.format === 'parquet') return decodeParquet(body);
      return decodeAvro(body);
    };
    const v = await decode(await get(obj.key));
    let k: { schema: Schema | null; values: unknown[] } | null = null;
    try { k = await decode(await get(obj.key.slice(0, -this.ext.length) + '.keys' + this.ext)); } catch { /* no keys file */ }
    return { obj, values: v.values, valueSchema: v.schema, keys: k?.values ?? null, keySchema: k?.schema ?? null, pos: skip };
  }

  private target(topic: string): string {
    for (const r of this.renames) if (r.re.test(topic)) return r.target;
    return topic;
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    try {
      if (!this.current) {
        if (Date.now() - this.lastList >= (this.cfg['s3.poll.interval.ms'] as number)) {
          this.lastList = Date.now();
          await this.list();
        }
        // the next object in offset order, one topic partition after another
        for (const [g, objs] of this.queue) {
          const next = objs.shift();
          if (!next) continue;
          const d = this.done.get(g)!;
          this.current = await this.load(next, d.startOffset === next.startOffset ? d.pos : 0);
          break;
        }
        if (!this.current) {
          await new Promise((r) => setTimeout(r, Math.min(200, this.cfg['s3.poll.interval.ms'] as number)));
          return null;
        }
      }
      const c = this.current;
      const max = this.cfg['batch.max.records'] as number;
      const out: SourceRecord[] = [];
      while (c.pos < c.values.length && out.length < max) {
        const i = c.pos++;
        const valueSchema = c.valueSchema && c.values[i] === null ? { ...c.valueSchema, optional: true } : c.valueSchema;
        out.push({
          sourcePartition: this.partitionOf(c.obj),
          sourceOffset: { object: c.obj.key, start_offset: c.obj.startOffset, record: c.pos, last: c.pos === c.values.length },
          topic: this.target(c.obj.topic),
          kafkaPartition: c.obj.partition,
          keySchema: c.keys ? c.keySchema : null,
          key: c.keys ? c.keys[i] ?? null : null,
          valueSchema,
          value: c.values[i],
        });
      }
      if (c.pos >= c.values.length) {
        this.done.set(`${c.obj.topic}/${c.obj.partition}`, { startOffset: c.obj.startOffset, pos: c.pos, complete: true });
        this.current = null;
      }
      return out;
    } catch (e) {
      throw new RetriableException(`S3 read failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.s3?.destroy();
  }
}

export class S3SourceConnector extends SourceConnector {
  private props: Props = {};
  version(): string { return VERSION; }
  config(): ConfigDef { return sourceConfigDef(); }
  taskClass() { return S3SourceTask; }
  start(props: Props, _context: ConnectorContext): void {
    sourceConfigDef().parse(props);
    this.props = props;
  }
  /** One task: order across objects of a partition matters and listing is cheap. */
  taskConfigs(_maxTasks: number): Props[] { return [{ ...this.props }]; }
  stop(): void {}
}
