// TimestampConverter and TimestampRouter (Kafka's class names and keys).
import { ConfigDef, ConfigException, Logical, Validators, type ConnectRecord, type Props, type Schema, type Transformation } from '../../../plugins/sdk/index.ts';
import { DataError, SchemaCache, part, requireMap, requireStruct, withPart, type Part } from './common.ts';
import { DateFormat } from './date-format.ts';

type Target = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
const TARGETS: Target[] = ['string', 'unix', 'Date', 'Time', 'Timestamp'];
const PRECISION: Record<string, number> = { seconds: 1000, milliseconds: 1, microseconds: 0.001, nanoseconds: 0.000001 };

export abstract class TimestampConverter implements Transformation {
  abstract readonly part: Part;
  private field = '';
  private target: Target = 'Timestamp';
  private fmt: DateFormat | null = null;
  private unitMs = 1;
  private cache = new SchemaCache();

  config() {
    return new ConfigDef()
      .define({ name: 'field', type: 'STRING', default: '', documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp' })
      .define({ name: 'target.type', type: 'STRING', validator: Validators.oneOf(...TARGETS), recommendedValues: TARGETS, documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp' })
      .define({ name: 'format', type: 'STRING', default: '', documentation: 'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.' })
      .define({ name: 'unix.precision', type: 'STRING', default: 'milliseconds', validator: Validators.oneOf('nanoseconds', 'microseconds', 'milliseconds', 'seconds'), documentation: 'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds.' })
      .define({ name: 'replace.null.with.default', type: 'BOOLEAN', default: true, documentation: 'Whether to replace fields that have a default value and that are null to the default value.' });
  }

  configure(p: Props) {
    const c = this.config().parse(p);
    this.field = c.field as string;
    this.target = c['target.type'] as Target;
    const f = c.format as string;
    if (f) { try { this.fmt = new DateFormat(f); } catch (e) { throw new ConfigException('format', `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${(e as Error).message}`); } }
    if (this.target === 'string' && !this.fmt) throw new ConfigException('format', 'TimestampConverter requires format option to be specified when using string timestamps');
    this.unitMs = PRECISION[c['unix.precision'] as string];
  }

  private toMs(v: unknown, schema: Schema | null): number {
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'string') {
      if (!this.fmt) throw new DataError('TimestampConverter requires format option to be specified when using string timestamps');
      return this.fmt.parse(v);
    }
    if (typeof v === 'number' || typeof v === 'bigint') {
      if (schema?.name === Logical.Date) return Number(v) * 86400000;
      if (schema?.name === Logical.Timestamp || schema?.name === Logical.Time) return Number(v);
      return Math.floor(Number(v) * this.unitMs);
    }
    throw new DataError(`Expected timestamp to be a Long, String or Date, but found ${typeof v}`);
  }

  private fromMs(ms: number): unknown {
    switch (this.target) {
      case 'string': return this.fmt!.format(ms);
      case 'unix': return Math.floor(ms / this.unitMs);
      case 'Date': return new Date(Math.floor(ms / 86400000) * 86400000);
      case 'Time': return new Date(((ms % 86400000) + 86400000) % 86400000);
      case 'Timestamp': return new Date(ms);
    }
  }

  private targetSchema(optional: boolean): Schema {
    switch (this.target) {
      case 'string': return { type: 'string', optional };
      case 'unix': return { type: 'int64', optional };
      case 'Date': return { type: 'int32', name: Logical.Date, version: 1, optional };
      case 'Time': return { type: 'int32', name: Logical.Time, version: 1, optional };
      case 'Timestamp': return { type: 'int64', name: Logical.Timestamp, version: 1, optional };
    }
  }

  private convert(v: unknown, s: Schema | null): unknown {
    return v === null || v === undefined ? null : this.fromMs(this.toMs(v, s));
  }

  apply(r: ConnectRecord) {
    const { schema, value } = part(r, this.part);
    if (!this.field) {
      return withPart(r, this.part, schema ? this.targetSchema(!!schema.optional) : null, this.convert(value, schema));
    }
    if (value === null || value === undefined) return r;
    if (!schema) {
      const v = { ...requireMap(value, 'converting timestamp formats') };
      const x = this.convert(v[this.field], null);
      v[this.field] = x instanceof Date && (this.target === 'Timestamp' || this.target === 'Date' || this.target === 'Time') ? x : x;
      return withPart(r, this.part, null, v);
    }
    const v = { ...requireStruct(schema, value, 'converting timestamp formats') };
    const fs = schema.fields?.find((f) => f.name === this.field);
    if (!fs) throw new DataError(`Unknown field: ${this.field}`);
    const ns = this.cache.get(schema, (s) => ({ ...s, fields: (s.fields ?? []).map((f) => (f.name === this.field ? { name: f.name, schema: this.targetSchema(!!f.schema.optional) } : f)) }));
    v[this.field] = this.convert(v[this.field], fs.schema);
    return withPart(r, this.part, ns, v);
  }
  close() {}
}
export class TimestampConverterKey extends TimestampConverter { readonly part = 'key' as const; }
export class TimestampConverterValue extends TimestampConverter { readonly part = 'value' as const; }

export class TimestampRouter implements Transformation {
  private topicFormat = '${topic}-${timestamp}';
  private fmt = new DateFormat('yyyyMMdd');
  config() {
    return new ConfigDef()
      .define({ name: 'topic.format', type: 'STRING', default: '${topic}-${timestamp}', documentation: 'Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.' })
      .define({ name: 'timestamp.format', type: 'STRING', default: 'yyyyMMdd', documentation: 'Format string for the timestamp that is compatible with java.text.SimpleDateFormat.' });
  }
  configure(p: Props) {
    const c = this.config().parse(p);
    this.topicFormat = c['topic.format'] as string;
    this.fmt = new DateFormat(c['timestamp.format'] as string);
  }
  apply(r: ConnectRecord) {
    if (r.timestamp === undefined || r.timestamp === null) throw new DataError(`Timestamp missing on record: ${r.topic}`);
    const ts = this.fmt.format(r.timestamp);
    return { ...r, topic: this.topicFormat.replaceAll('${topic}', r.topic).replaceAll('${timestamp}', ts) };
  }
  close() {}
}
void requireMap;
