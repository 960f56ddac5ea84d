// Confluent wire format and (de)serializers for the platform's own use: Connect's
// converters and the UI's message browser. Framing: 0x00 | schema id (int32 BE) |
// [Protobuf only: message indexes as zigzag varints, count first; [0] is the single
// byte 0] | payload. Schemas come from any RegistryClient (HTTP or in-process).
import { formatOf, type ParsedSchema, type ResolvedReference, type SchemaReference, type SchemaType } from './formats/index.ts';
import type { AvroSchema } from './formats/avro.ts';
import type { JsonSchema } from './formats/json-schema.ts';
import type { ProtobufSchema } from './formats/protobuf.ts';

export const MAGIC_BYTE = 0;

export interface RegisteredSchema { schema: string; schemaType?: string; references?: SchemaReference[] }

/** What the serde needs from a registry: schemas by id, and referenced versions. */
export interface RegistryClient {
  getSchemaById(id: number): Promise<RegisteredSchema>;
  getSchemaByVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema & { version: number }>;
}

export class WireFormatError extends Error {}

function writeVarint(out: number[], n: number): void {
  let z = ((n << 1) ^ (n >> 31)) >>> 0; // zigzag
  while (z > 0x7f) { out.push((z & 0x7f) | 0x80); z >>>= 7; }
  out.push(z);
}

function readVarint(buf: Uint8Array, pos: { i: number }): number {
  let shift = 0;
  let z = 0;
  for (;;) {
    if (pos.i >= buf.length) throw new WireFormatError('truncated message indexes');
    const b = buf[pos.i++];
    z |= (b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
    if (shift > 28) throw new WireFormatError('message index varint too long');
  }
  return (z >>> 1) ^ -(z & 1);
}

export function encodeMessageIndexes(indexes: number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(out, indexes.length);
  for (const i of indexes) writeVarint(out, i);
  return Buffer.from(out);
}

export function encodeWire(id: number, payload: Uint8Array, messageIndexes?: number[]): Buffer {
  const head = Buffer.alloc(5);
  head[0] = MAGIC_BYTE;
  head.writeInt32BE(id, 1);
  return Buffer.concat(messageIndexes ? [head, encodeMessageIndexes(messageIndexes), payload] : [head, payload]);
}

export function decodeWire(buf: Uint8Array, opts: { protobuf?: boolean } = {}): { id: number; messageIndexes?: number[]; payload: Buffer } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 5) throw new WireFormatError(`too short for the Confluent wire format (${b.length} bytes)`);
  if (b[0] !== MAGIC_BYTE) throw new WireFormatError(`unknown magic byte ${b[0]}`);
  const id = b.readInt32BE(1);
  if (!opts.protobuf) return { id, payload: b.subarray(5) };
  const pos = { i: 5 };
  const count = readVarint(b, pos);
  const messageIndexes = count === 0 ? [0] : Array.from({ length: count }, () => readVarint(b, pos));
  return { id, messageIndexes, payload: b.subarray(pos.i) };
}

/**
 * The schema id of a value in the Confluent wire format, or null when it is not framed
 * (shorter than 5 bytes, or no magic byte): how a reader that also takes plain values
 * (the UI's message browser, `tributary consume --value-format auto`) tells them apart.
 */
export function wireSchemaId(buf: Uint8Array | null | undefined): number | null {
  if (!buf || buf.length < 5 || buf[0] !== MAGIC_BYTE) return null;
  return decodeWire(buf).id;
}

/** Encodes and decodes values framed with a schema id, fetching (and caching) schemas by id. */
export class RegistrySerde {
  private readonly byId = new Map<number, Promise<ParsedSchema>>();

  constructor(private readonly client: RegistryClient) {}

  private async resolve(refs: SchemaReference[] | undefined, depth = 0): Promise<ResolvedReference[]> {
    if (depth > 32) throw new Error('references nested too deeply');
    return Promise.all((refs ?? []).map(async (r) => {
      const s = await this.client.getSchemaByVersion(r.subject, r.version === -1 ? 'latest' : r.version);
      return { ...r, version: s.version, schemaType: (s.schemaType ?? 'AVRO') as SchemaType, schema: s.schema, references: await this.resolve(s.references, depth + 1) };
    }));
  }

  /** The parsed schema of an id (cached for the serde's lifetime: ids are immutable). */
  schema(id: number): Promise<ParsedSchema> {
    let p = this.byId.get(id);
    if (!p) {
      p = (async () => {
        const s = await this.client.getSchemaById(id);
        return formatOf(s.schemaType).parse(s.schema, await this.resolve(s.references));
      })();
      p.catch(() => this.byId.delete(id));
      this.byId.set(id, p);
    }
    return p;
  }

  private readonly loaded = new Map<number, ParsedSchema>();

  /** The parsed schema of an id if it was loaded already (for synchronous callers: stream processing). */
  loadedSchema(id: number): ParsedSchema | undefined { return this.loaded.get(id); }

  /** Loads (and keeps) the schema of an id, so the synchronous encode/decode can use it. */
  async load(id: number): Promise<ParsedSchema> {
    const s = await this.schema(id);
    this.loaded.set(id, s);
    return s;
  }

  /** Frames `value` with schema `id`; Protobuf takes the message's full name (default: the first message). */
  async encode(id: number, value: unknown, opts: { messageName?: string } = {}): Promise<Buffer> {
    await this.load(id);
    return this.encodeLoaded(id, value, opts);
  }

  /** encode() for a schema already loaded (load(id) first) */
  encodeLoaded(id: number, value: unknown, opts: { messageName?: string } = {}): Buffer {
    const s = this.loaded.get(id);
    if (!s) throw new WireFormatError(`schema ${id} is not loaded`);
    switch (s.schemaType) {
      case 'AVRO': return encodeWire(id, (s as AvroSchema).type.toBuffer(value));
      case 'JSON': {
        const validate = (s as JsonSchema).validator();
        if (!validate(value)) throw new WireFormatError(`value does not match JSON Schema ${id}: ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
        return encodeWire(id, Buffer.from(JSON.stringify(value)));
      }
      case 'PROTOBUF': {
        const p = s as ProtobufSchema;
        const type = opts.messageName ? p.root.lookupType(opts.messageName) : p.messages[0];
        if (!type) throw new WireFormatError(`schema ${id} defines no message`);
        const problem = type.verify(value as Record<string, unknown>);
        if (problem) throw new WireFormatError(`value does not match ${type.fullName.slice(1)}: ${problem}`);
        return encodeWire(id, type.encode(type.fromObject(value as Record<string, unknown>)).finish(), p.messageIndexes(type.fullName));
      }
    }
  }

  /** Decodes a framed value; also says which schema (and Protobuf message) it used. */
  async decodeWithSchema(buf: Uint8Array): Promise<{ id: number; schemaType: SchemaType; value: unknown; messageName?: string }> {
    await this.load(decodeWire(buf).id);
    return this.decodeLoaded(buf);
  }

  /** decodeWithSchema() when the writer's schema is loaded already; throws WireFormatError naming the id otherwise */
  decodeLoaded(buf: Uint8Array): { id: number; schemaType: SchemaType; value: unknown; messageName?: string } {
    const { id } = decodeWire(buf);
    const s = this.loaded.get(id);
    if (!s) throw new WireFormatError(`schema ${id} is not loaded`);
    switch (s.schemaType) {
      case 'AVRO': return { id, schemaType: 'AVRO', value: (s as AvroSchema).type.fromBuffer(decodeWire(buf).payload) };
      case 'JSON': return { id, schemaType: 'JSON', value: JSON.parse(decodeWire(buf).payload.toString('utf8')) };
      case 'PROTOBUF': {
        const w = decodeWire(buf, { protobuf: true });
        const type = (s as ProtobufSchema).typeForIndexes(w.messageIndexes!);
        return { id, schemaType: 'PROTOBUF', messageName: type.fullName.slice(1), value: type.toObject(type.decode(w.payload), { longs: String, enums: String, bytes: String }) };
      }
    }
  }

  async decode(buf: Uint8Array): Promise<unknown> {
    return (await this.decodeWithSchema(buf)).value;
  }
}
