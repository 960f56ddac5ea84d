// Config definitions with the Confluent S3 sink's names (and the S3 source's).
import { ConfigDef, Validators } from '../../../plugins/sdk/index.ts';

export const FORMATS: Record<string, 'json' | 'avro' | 'bytes' | 'parquet'> = {
  'io.confluent.connect.s3.format.json.JsonFormat': 'json',
  'io.confluent.connect.s3.format.avro.AvroFormat': 'avro',
  'io.confluent.connect.s3.format.bytearray.ByteArrayFormat': 'bytes',
  'io.confluent.connect.s3.format.parquet.ParquetFormat': 'parquet',
  JsonFormat: 'json', AvroFormat: 'avro', ByteArrayFormat: 'bytes', ParquetFormat: 'parquet',
};

export const PARTITIONERS: Record<string, 'default' | 'field' | 'time' | 'daily' | 'hourly'> = {
  'io.confluent.connect.storage.partitioner.DefaultPartitioner': 'default',
  'io.confluent.connect.storage.partitioner.FieldPartitioner': 'field',
  'io.confluent.connect.storage.partitioner.TimeBasedPartitioner': 'time',
  'io.confluent.connect.storage.partitioner.DailyPartitioner': 'daily',
  'io.confluent.connect.storage.partitioner.HourlyPartitioner': 'hourly',
  DefaultPartitioner: 'default', FieldPartitioner: 'field', TimeBasedPartitioner: 'time', DailyPartitioner: 'daily', HourlyPartitioner: 'hourly',
};

const formatValidator = (name: string, v: unknown) => {
  const f = FORMATS[String(v)];
  if (!f) return `Invalid value ${String(v)} for configuration ${name}: Class ${String(v)} could not be found.`;
};

/** Keys shared by the sink and the source: where the objects live and how they are encoded. */
export function storageConfigDef(): ConfigDef {
  const d = new ConfigDef();
  let o = 0;
  const k = (x: Parameters<ConfigDef['define']>[0]) => d.define({ importance: 'MEDIUM', group: 'S3', orderInGroup: ++o, ...x });
  k({ name: 's3.bucket.name', type: 'STRING', documentation: 'The S3 bucket.', importance: 'HIGH', validator: Validators.nonEmptyString() });
  k({ name: 's3.region', type: 'STRING', documentation: 'The AWS region.', default: 'us-west-2' });
  k({ name: 'store.url', type: 'STRING', documentation: 'Endpoint of an S3-compatible store (MinIO, R2, s3rver); empty for AWS.', default: '' });
  k({ name: 's3.path.style.access.enabled', type: 'BOOLEAN', documentation: 'Path-style addressing (bucket in the path), needed by most S3-compatible stores.', default: true });
  k({ name: 'aws.access.key.id', type: 'STRING', documentation: 'Access key; default: the standard AWS credential chain (AWS_ACCESS_KEY_ID, profiles, instance roles).', default: '' });
  k({ name: 'aws.secret.access.key', type: 'PASSWORD', documentation: 'Secret key for aws.access.key.id.', default: '' });
  k({ name: 'topics.dir', type: 'STRING', documentation: 'Top-level folder of the objects.', default: 'topics' });
  k({ name: 'directory.delim', type: 'STRING', documentation: 'Folder delimiter.', default: '/' });
  k({ name: 'file.delim', type: 'STRING', documentation: 'Delimiter in object names between topic, partition and start offset.', default: '+' });
  k({ name: 'format.class', type: 'CLASS', documentation: 'io.confluent.connect.s3.format.json.JsonFormat (JSON lines), avro.AvroFormat (Avro object container files), parquet.ParquetFormat (Parquet files; records need a schema) or bytearray.ByteArrayFormat.', importance: 'HIGH', validator: Object.assign(formatValidator, { describe: 'JsonFormat, AvroFormat, ParquetFormat, ByteArrayFormat' }), recommendedValues: Object.keys(FORMATS).filter((x) => x.includes('.')) });
  k({ name: 'format.bytearray.extension', type: 'STRING', documentation: 'Extension of ByteArrayFormat objects.', default: '.bin' });
  k({ name: 'format.bytearray.separator', type: 'STRING', documentation: 'Separator between ByteArrayFormat records (JSON-style escapes allowed, e.g. \\n).', default: '\\n' });
  k({ name: 'store.kafka.keys', type: 'BOOLEAN', documentation: 'Also write each object\'s record keys to <name>.keys.<ext> (read back by the S3 source).', default: false });
  k({ name: 'avro.codec', type: 'STRING', documentation: 'Avro block codec: null or deflate.', default: 'null', validator: Validators.oneOf('null', 'deflate') });
  k({ name: 'parquet.codec', type: 'STRING', documentation: 'Parquet compression codec: none, snappy or gzip; also names the objects (.parquet, .snappy.parquet, .gz.parquet), so the source needs the sink\'s value.', default: 'snappy', validator: Validators.oneOf('none', 'snappy', 'gzip') });
  return d;
}

export function sinkConfigDef(): ConfigDef {
  const d = storageConfigDef();
  let o = 0;
  const k = (x: Parameters<ConfigDef['define']>[0]) => d.define({ importance: 'MEDIUM', group: 'Storage', orderInGroup: ++o, ...x });
  k({ name: 'flush.size', type: 'INT', documentation: 'Records per object: a topic partition\'s open objects are uploaded when this many records were written to them.', importance: 'HIGH', validator: Validators.range(1, null) });
  k({ name: 'rotate.interval.ms', type: 'LONG', documentation: 'Upload an object once its records span this long by record time (timestamp.extractor); keeps exactly-once. -1 = off.', default: -1 });
  k({ name: 'rotate.schedule.interval.ms', type: 'LONG', documentation: 'Upload open objects this often by wall clock (not exactly-once: a retry may cut objects differently). -1 = off.', default: -1 });
  k({ name: 's3.part.size', type: 'INT', documentation: 'Multipart upload part size; objects larger than this are uploaded in parts. Memory ≈ open objects × their size.', default: 26214400, validator: Validators.range(5242880, null) });
  k({ name: 'partitioner.class', type: 'CLASS', documentation: 'DefaultPartitioner (partition=N), FieldPartitioner (<field>=<value>), TimeBasedPartitioner (path.format), DailyPartitioner, HourlyPartitioner.', default: 'io.confluent.connect.storage.partitioner.DefaultPartitioner', validator: Object.assign((n: string, v: unknown) => (PARTITIONERS[String(v)] ? undefined : `Invalid value ${String(v)} for configuration ${n}: Class ${String(v)} could not be found.`), { describe: 'a partitioner class' }) });
  k({ name: 'partition.field.name', type: 'LIST', documentation: 'FieldPartitioner: value fields that name the folder.', default: '' });
  k({ name: 'path.format', type: 'STRING', documentation: "TimeBasedPartitioner: Joda-style folder pattern, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.", default: '' });
  k({ name: 'partition.duration.ms', type: 'LONG', documentation: 'TimeBasedPartitioner: width of one time folder.', default: -1 });
  k({ name: 'locale', type: 'STRING', documentation: 'TimeBasedPartitioner: locale of the pattern (en-US style).', default: 'en-US' });
  k({ name: 'timezone', type: 'STRING', documentation: 'TimeBasedPartitioner: time zone of folder names (UTC, Europe/Paris, …).', default: 'UTC' });
  k({ name: 'timestamp.extractor', type: 'STRING', documentation: 'Record (record timestamp), RecordField (timestamp.field) or Wallclock.', default: 'Record', validator: Validators.oneOf('Record', 'RecordField', 'Wallclock') });
  k({ name: 'timestamp.field', type: 'STRING', documentation: 'RecordField: the value field holding the time (epoch ms, ISO string or Timestamp).', default: 'timestamp' });
  return d;
}

export function sourceConfigDef(): ConfigDef {
  const d = storageConfigDef();
  d.define({ name: 'topics', type: 'LIST', documentation: 'Topics to restore (folders under topics.dir); default all.', default: '', group: 'Source' });
  d.define({ name: 'topic.regex.list', type: 'LIST', documentation: 'target:regex pairs renaming restored topics, e.g. restored-orders:orders (default: same name).', default: '', group: 'Source' });
  d.define({ name: 's3.poll.interval.ms', type: 'INT', documentation: 'How often the bucket is listed for new objects.', default: 5000, validator: Validators.range(10, null), group: 'Source' });
  d.define({ name: 'batch.max.records', type: 'INT', documentation: 'Most records returned by one poll.', default: 1000, validator: Validators.range(1, null), group: 'Source' });
  return d;
}
