// Decodes Confluent wire-format values for the message browser through the
// registry's public client side: RegistrySerde (registry/serde.ts, the platform's
// one wire-format decoder) over HttpRegistryClient, so the writer schema comes
// from the registry's REST API (GET /schemas/ids/{id}) and Avro, Protobuf and
// JSON Schema values decode exactly as Connect's converters decode them.
import { HttpRegistryClient, RegistryHttpError } from '../../../registry/client.ts';
import { RegistrySerde } from '../../../registry/serde.ts';

export interface Decoded { kind: 'avro' | 'protobuf' | 'jsonschema'; value: unknown }

const KIND = { AVRO: 'avro', PROTOBUF: 'protobuf', JSON: 'jsonschema' } as const;

/** How long a failed schema fetch is remembered before the next record retries it. */
const RETRY_AFTER_MS = 5000;

export class SchemaDecoder {
  private readonly serde: RegistrySerde;
  private readonly failed = new Map<number, { error: Error; until: number }>();

  /** `userInfo` ("user:password", ui.registry.basic.auth.user.info) is sent as basic auth. */
  constructor(private readonly registryUrl: string, userInfo?: string) {
    this.serde = new RegistrySerde(new HttpRegistryClient(registryUrl, 3000, userInfo));
  }

  /**
   * The serde forgets a failed id at once; a scan over many records with that id
   * must not fetch (and wait up to 3 s) once per record, so a failure (registry
   * down, unknown id) is remembered here for a few seconds.
   */
  private async load(id: number): Promise<void> {
    const f = this.failed.get(id);
    if (f && f.until > Date.now()) throw f.error;
    try {
      await this.serde.schema(id);
      this.failed.delete(id);
    } catch (e) {
      const error = e instanceof RegistryHttpError
        ? new Error(`registry answered ${e.status} for schema id ${id}: ${e.message}`)
        : new Error(`schema id ${id} from ${this.registryUrl}: ${(e as Error).message}`);
      this.failed.set(id, { error, until: Date.now() + RETRY_AFTER_MS });
      throw error;
    }
  }

  async decode(id: number, buf: Buffer): Promise<Decoded> {
    await this.load(id);
    const d = await this.serde.decodeWithSchema(buf);
    if (d.value === undefined) throw new Error('payload does not match the schema');
    return { kind: KIND[d.schemaType], value: d.value };
  }
}
