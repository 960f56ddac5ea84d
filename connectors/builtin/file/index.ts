// FileStreamSource and FileStreamSink: Kafka's file connectors, with Kafka's class
// names and config keys, written with the public SDK like any third-party plugin.
// Source: each line of `file` becomes a string record in `topic`; the offset
// {"filename"} → {"position"} (bytes) lets a restart resume after the last committed
// line. Sink: the value of each record of `topics`, one per line, appended to `file`.
import fs from 'node:fs';
import {
  ConfigDef, SinkConnector, SinkTask, SourceConnector, SourceTask, Validators, definePlugin, S,
  type Props, type SinkRecord, type SourceRecord, type SourceTaskContext,
} from '../../../plugins/sdk/index.ts';

const VERSION = '1.0.0';
/** One schema object for every line: converters and transforms cache derived schemas by object. */
const LINE_SCHEMA = S.string();

export class FileStreamSourceConnector extends SourceConnector {
  private props: Props = {};
  version() { return VERSION; }
  config() {
    return new ConfigDef()
      .define({ name: 'file', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Source filename. If not specified, the standard input will be used', group: 'File', orderInGroup: 1, width: 'LONG', displayName: 'File' })
      .define({ name: 'topic', type: 'LIST', importance: 'HIGH', documentation: 'The topic to publish data to', group: 'File', orderInGroup: 2, width: 'LONG', displayName: 'Topic',
        validator: Object.assign((name: string, v: unknown) => { if ((v as string[]).length !== 1) return `Invalid value ${(v as string[]).join(',')} for configuration ${name}: 'topic' in FileStreamSourceConnector configuration requires definition of a single topic`; }, { describe: 'a single topic' }) })
      .define({ name: 'batch.size', type: 'INT', default: 2000, validator: Validators.range(1, null), importance: 'LOW', documentation: 'The maximum number of records the source task can read from the file each time it is polled', group: 'File', orderInGroup: 3, width: 'SHORT', displayName: 'Batch size' });
  }
  start(props: Props) { this.config().parse(props); this.props = props; }
  taskConfigs(): Props[] {
    const t: Props = { topic: this.props.topic, 'batch.size': this.props['batch.size'] ?? '2000' };
    if (this.props.file) t.file = this.props.file;
    return [t];
  }
  stop() {}
  taskClass() { return FileStreamSourceTask; }
  exactlyOnceSupport() { return 'SUPPORTED' as const; }
}

export class FileStreamSourceTask extends SourceTask {
  private file = '';
  private topic = '';
  private batchSize = 2000;
  private fd: number | null = null;
  private position = 0;
  private carry = Buffer.alloc(0);
  private buf = Buffer.alloc(1 << 16);
  private stopped = false;
  private ctx!: SourceTaskContext;
  /** one source partition object for every record: the runner keys offsets by it once per batch */
  private partition: { filename: string } = { filename: '' };

  version() { return VERSION; }

  async start(props: Props, ctx: SourceTaskContext) {
    this.ctx = ctx;
    this.file = props.file ?? '';
    this.partition = { filename: this.file };
    this.topic = props.topic;
    this.batchSize = Number(props['batch.size'] ?? 2000);
    if (!this.file) throw new Error('FileStreamSourceTask: reading standard input is not supported; set "file"');
    const off = await ctx.offsetStorageReader.offset({ filename: this.file });
    if (off && typeof off.position === 'number') {
      this.position = off.position;
      ctx.logger.debug({ file: this.file, position: this.position }, 'resuming from committed position');
    }
  }

  private open(): boolean {
    if (this.fd !== null) return true;
    try {
      this.fd = fs.openSync(this.file, 'r');
      const size = fs.fstatSync(this.fd).size;
      if (size < this.position) { this.ctx.logger.warn({ file: this.file }, 'file shrank below the committed position; reading from the start'); this.position = 0; }
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (!this.open()) { await new Promise((r) => setTimeout(r, 200)); return null; }
    // this.position = first byte of this.carry (everything before it was emitted as lines)
    const out: SourceRecord[] = [];
    while (out.length < this.batchSize) {
      // lines are cut from `carry` by index; the view is moved once per chunk, not per line
      const carry = this.carry;
      let start = 0;
      let nl: number;
      while (out.length < this.batchSize && (nl = carry.indexOf(10, start)) !== -1) {
        const end = nl > start && carry[nl - 1] === 13 ? nl - 1 : nl;
        const line = carry.toString('utf8', start, end);
        this.position += nl + 1 - start;
        start = nl + 1;
        out.push({ sourcePartition: this.partition, sourceOffset: { position: this.position }, topic: this.topic, valueSchema: LINE_SCHEMA, value: line });
      }
      if (start) this.carry = carry.subarray(start);
      if (out.length >= this.batchSize) break;
      const n = fs.readSync(this.fd!, this.buf, 0, this.buf.length, this.position + this.carry.length);
      if (n === 0) break;
      this.carry = this.carry.length ? Buffer.concat([this.carry, this.buf.subarray(0, n)]) : Buffer.from(this.buf.subarray(0, n));
    }
    if (!out.length) { await new Promise((r) => setTimeout(r, 100)); return null; }
    return out;
  }

  stop() {
    this.stopped = true;
    if (this.fd !== null) { try { fs.closeSync(this.fd); } catch { /* closed */ } this.fd = null; }
  }
}

export class FileStreamSinkConnector extends SinkConnector {
  private props: Props = {};
  version() { return VERSION; }
  config() {
    return new ConfigDef()
      .define({ name: 'file', type: 'STRING', default: null, importance: 'HIGH', documentation: 'Destination filename. If not specified, the standard output will be used', group: 'File', orderInGroup: 1, width: 'LONG', displayName: 'File' });
  }
  start(props: Props) { this.config().parse(props); this.props = props; }
  taskConfigs(maxTasks: number): Props[] {
    return Array.from({ length: maxTasks }, (): Props => (this.props.file ? { file: this.props.file } : {}));
  }
  stop() {}
  taskClass() { return FileStreamSinkTask; }
}

function render(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x && x.type === 'Buffer' && Array.isArray(x.data) ? Buffer.from(x.data).toString('base64') : x));
  return String(v);
}

export class FileStreamSinkTask extends SinkTask {
  private fd: number | null = null;
  private file = '';
  version() { return VERSION; }
  start(props: Props) {
    this.file = props.file ?? '';
    if (this.file) this.fd = fs.openSync(this.file, 'a');
  }
  async put(records: SinkRecord[]) {
    if (!records.length) return;
    const text = records.map((r) => render(r.value) + '\n').join('');
    if (this.fd === null) process.stdout.write(text);
    else fs.writeSync(this.fd, text);
  }
  async flush() {
    if (this.fd !== null) fs.fsyncSync(this.fd);
  }
  stop() {
    if (this.fd !== null) { fs.closeSync(this.fd); this.fd = null; }
  }
}

export default definePlugin({
  name: 'file',
  version: VERSION,
  description: "Kafka's FileStream source and sink connectors.",
  connectors: {
    'org.apache.kafka.connect.file.FileStreamSourceConnector': FileStreamSourceConnector,
    'org.apache.kafka.connect.file.FileStreamSinkConnector': FileStreamSinkConnector,
  },
});
