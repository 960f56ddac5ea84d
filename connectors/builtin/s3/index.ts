// Plugin manifest: S3 sink (Confluent's class name) and the S3 source that reads its objects back.
import { definePlugin } from '../../../plugins/sdk/index.ts';
import { S3SinkConnector, VERSION } from './sink.ts';
import { S3SourceConnector } from './source.ts';

export default definePlugin({
  name: 's3',
  version: VERSION,
  description: 'S3 sink (JSON lines, Avro container files, bytes; default/field/time partitioners; exactly-once object names) and S3 source',
  connectors: {
    'io.confluent.connect.s3.S3SinkConnector': S3SinkConnector,
    'io.confluent.connect.s3.source.S3SourceConnector': S3SourceConnector,
  },
  aliases: {
    S3SinkConnector: 'io.confluent.connect.s3.S3SinkConnector',
    S3SourceConnector: 'io.confluent.connect.s3.source.S3SourceConnector',
    'io.tributary.connect.s3.S3SinkConnector': 'io.confluent.connect.s3.S3SinkConnector',
    'io.tributary.connect.s3.S3SourceConnector': 'io.confluent.connect.s3.source.S3SourceConnector',
  },
});
