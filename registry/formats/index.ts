// Schema formats: parse, canonical/normalized forms, compatibility, per schema type.
// Imported by the registry, Connect's converters and the UI's message browser.
import { avroFormat } from './avro.ts';
import { jsonSchemaFormat } from './json-schema.ts';
import { protobufFormat } from './protobuf.ts';
import { SchemaParseError, type ParsedSchema, type SchemaFormat, type SchemaType } from './types.ts';

export * from './types.ts';
export { avroFormat, parseAvro, avroReadable, type AvroSchema } from './avro.ts';
export { jsonSchemaFormat, parseJsonSchema, jsonReadable, type JsonSchema } from './json-schema.ts';
export { protobufFormat, parseProtobuf, protobufReadable, protoText, type ProtobufSchema } from './protobuf.ts';
export { checkCompatibility, type CompatibilityResult } from './compatibility.ts';

export const FORMATS: Record<SchemaType, SchemaFormat> = {
  AVRO: avroFormat as unknown as SchemaFormat,
  PROTOBUF: protobufFormat as unknown as SchemaFormat,
  JSON: jsonSchemaFormat as unknown as SchemaFormat,
};

export function formatOf(schemaType: string | undefined): SchemaFormat {
  const f = FORMATS[(schemaType ?? 'AVRO').toUpperCase() as SchemaType];
  if (!f) throw new SchemaParseError(`unknown schemaType ${JSON.stringify(schemaType)}; expected AVRO, PROTOBUF or JSON`);
  return f;
}

export function parseSchema(schemaType: string | undefined, schema: string, references: Parameters<SchemaFormat['parse']>[1] = []): ParsedSchema {
  return formatOf(schemaType).parse(schema, references);
}
