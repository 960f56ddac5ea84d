// Built-in converters, under Kafka's and Confluent's class names.
import { definePlugin } from '../../../plugins/sdk/index.ts';
import { JsonConverter } from './json.ts';
import { AvroConverter, ProtobufConverter, JsonSchemaConverter } from './registry.ts';
import { StringConverter, ByteArrayConverter, IntegerConverter, LongConverter, ShortConverter, FloatConverter, DoubleConverter } from './simple.ts';

export { JsonConverter } from './json.ts';
export { StringConverter, ByteArrayConverter } from './simple.ts';

export default definePlugin({
  name: 'converters',
  version: '1.0.0',
  description: 'String, ByteArray, number, JSON converters (Kafka) and the registry converters (Confluent wire format).',
  converters: {
    'org.apache.kafka.connect.json.JsonConverter': JsonConverter,
    'org.apache.kafka.connect.storage.StringConverter': StringConverter,
    'org.apache.kafka.connect.converters.ByteArrayConverter': ByteArrayConverter,
    'org.apache.kafka.connect.converters.IntegerConverter': IntegerConverter,
    'org.apache.kafka.connect.converters.LongConverter': LongConverter,
    'org.apache.kafka.connect.converters.ShortConverter': ShortConverter,
    'org.apache.kafka.connect.converters.FloatConverter': FloatConverter,
    'org.apache.kafka.connect.converters.DoubleConverter': DoubleConverter,
    'io.confluent.connect.avro.AvroConverter': AvroConverter,
    'io.confluent.connect.protobuf.ProtobufConverter': ProtobufConverter,
    'io.confluent.connect.json.JsonSchemaConverter': JsonSchemaConverter,
  },
});
