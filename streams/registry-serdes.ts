// Serdes for Confluent Schema Registry data (Avro, JSON Schema, Protobuf in the
// Confluent wire format: 0x00, schema id, [Protobuf message indexes], payload), on
// the registry's own wire-format code (registry/serde.ts) and HTTP client. Kafka's
// serdes are synchronous and so are ours: the factory registers (or looks up) the
// writer schema before the app starts; a record written with a schema id not fetched
// yet makes the deserializer throw SerdeNotReadyException, the runtime fetches the
// schema and processes the record again.
import { RegistrySerde, decodeWire } from '../registry/serde.ts';
import { HttpRegistryClient } from '../registry/client.ts';
import { SerdeNotReadyException, SerializationException, type Serde } from './serdes.ts';

export interface RegistrySerdeConfig {
  /** Confluent's name: the registry's URL */
  'schema.registry.url': string;
  /** Confluent's name: "user:password" for the registry's basic auth */
  'basic.auth.user.info'?: string;
  /** the subject the writer schema lives under (TopicNameStrategy: `<topic>-value` or `<topic>-key`) */
  subject?: string;
  /** the writer schema (text, or an object for Avro/JSON Schema); without it the serde only deserializes */
  schema?: string | object;
  /** Confluent's name: register the writer schema (default true); false looks it up under the subject */
  'auto.register.schemas'?: boolean;
  /** Protobuf: the message to write (default the schema's first) */
  messageName?: string;
}

type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

async function registrySerde<T>(schemaType: SchemaType, cfg: RegistrySerdeConfig): Promise<Serde<T>> {
  const url = cfg['schema.registry.url'];
  if (!url) throw new SerializationException('schema.registry.url is required for a registry serde');
  const client = new HttpRegistryClient(url, 30000, cfg['basic.auth.user.info']);
  const serde = new RegistrySerde(client);
  let writerId: number | undefined;
  if (cfg.schema !== undefined) {
    if (!cfg.subject) throw new SerializationException('a registry serde with a writer schema needs its subject (e.g. "<topic>-value")');
    const text = typeof cfg.schema === 'string' ? cfg.schema : JSON.stringify(cfg.schema);
    const body = { schema: text, ...(schemaType === 'AVRO' ? {} : { schemaType }) };
    writerId = cfg['auto.register.schemas'] === false
      ? (await client.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(cfg.subject)}`, body)).id
      : (await client.register(cfg.subject, body)).id;
    const s = await serde.load(writerId);
    if (s.schemaType !== schemaType) throw new SerializationException(`schema ${writerId} of ${cfg.subject} is ${s.schemaType}, not ${schemaType}`);
  }
  const messageName = cfg.messageName;
  return {
    serializer: () => ({
      serialize: (_topic, data) => {
        if (data === null || data === undefined) return null;
        if (writerId === undefined) throw new SerializationException(`this ${schemaType} registry serde has no writer schema (give it schema and subject)`);
        try { return serde.encodeLoaded(writerId, data, { messageName }); } catch (e) { throw new SerializationException(`${schemaType} serializer: ${(e as Error).message}`); }
      },
    }),
    deserializer: () => ({
      deserialize: (topic, data) => {
        if (data === null || data === undefined) return null as T;
        let id: number;
        try { id = decodeWire(data).id; } catch (e) { throw new SerializationException(`${schemaType} deserializer (${topic}): ${(e as Error).message}`); }
        if (!serde.loadedSchema(id)) throw new SerdeNotReadyException(`fetching schema ${id} from ${url}`, serde.load(id));
        try { return serde.decodeLoaded(data).value as T; } catch (e) { throw new SerializationException(`${schemaType} deserializer (${topic}, schema ${id}): ${(e as Error).message}`); }
      },
    }),
  };
}

/** Confluent's KafkaAvroSerde, KafkaJsonSchemaSerde and KafkaProtobufSerde, made once before the app starts: `await RegistrySerdes.avro({...})`. */
export const RegistrySerdes = {
  avro: <T = unknown>(cfg: RegistrySerdeConfig): Promise<Serde<T>> => registrySerde<T>('AVRO', cfg),
  jsonSchema: <T = unknown>(cfg: RegistrySerdeConfig): Promise<Serde<T>> => registrySerde<T>('JSON', cfg),
  protobuf: <T = unknown>(cfg: RegistrySerdeConfig): Promise<Serde<T>> => registrySerde<T>('PROTOBUF', cfg),
};
