// Decodes Confluent wire-format values: fetches the writer schema from the
// registry over HTTP (GET /schemas/ids/{id}) and decodes Avro (avsc), Protobuf
// (protobufjs) or JSON Schema (plain JSON payload).
import avro from 'avsc';
import protobuf from 'protobufjs';

export interface Decoded { kind: 'avro' | 'protobuf' | 'jsonschema'; value: unknown }

interface SchemaEntry {
  kind: Decoded['kind'];
  decode(payload: Buffer): unknown;
}

function zigzag(buf: Buffer, pos: number): [number, number] {
  let result = 0; let shift = 0; let b: number;
  do {
    if (pos >= buf.length) throw new Error('truncated Protobuf message indexes');
    b = buf[pos++];
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [(result >>> 1) ^ -(result & 1), pos];
}

function protobufEntry(text: string): SchemaEntry {
  const parsed = protobuf.parse(text, { keepCase: true });
  const root = parsed.root;
  const pkg = parsed.package ? root.lookup(parsed.package) as protobuf.Namespace : root;
  const typesOf = (ns: protobuf.NamespaceBase) => ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  return {
    kind: 'protobuf',
    decode(buf: Buffer) {
      // Message indexes: zigzag count, then that many indexes; count 0 means [0].
      let [n, pos] = zigzag(buf, 0);
      const path: number[] = [];
      for (let i = 0; i < n; i++) { let x: number; [x, pos] = zigzag(buf, pos); path.push(x); }
      if (path.length === 0) path.push(0);
      let type: protobuf.Type | undefined; let ns: protobuf.NamespaceBase = pkg;
      for (const idx of path) {
        type = typesOf(ns)[idx];
        if (!type) throw new Error(`message index ${path.join('.')} not found in schema`);
        ns = type;
      }
      const msg = type!.decode(buf.subarray(pos));
      return type!.toObject(msg, { longs: String, enums: String, bytes: String, defaults: true });
    },
  };
}

/** How long a failed schema fetch is remembered before the next record retries it. */
const RETRY_AFTER_MS = 5000;

export class SchemaDecoder {
  private cache = new Map<number, Promise<SchemaEntry>>();

  constructor(private readonly registryUrl: string) {}

  private load(id: number): Promise<SchemaEntry> {
    let p = this.cache.get(id);
    if (!p) {
      p = (async () => {
        const res = await fetch(`${this.registryUrl}/schemas/ids/${id}`, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`registry answered ${res.status} for schema id ${id}`);
        const body = await res.json() as { schema: string; schemaType?: string };
        const type = body.schemaType ?? 'AVRO';
        if (type === 'AVRO') {
          const t = avro.Type.forSchema(JSON.parse(body.schema));
          return { kind: 'avro' as const, decode: (b: Buffer) => t.decode(b, 0).value };
        }
        if (type === 'PROTOBUF') return protobufEntry(body.schema);
        return { kind: 'jsonschema' as const, decode: (b: Buffer) => JSON.parse(b.toString('utf8')) };
      })();
      this.cache.set(id, p);
      // A failure (registry down, unknown id) is remembered for a few seconds, then
      // retried: a scan over many records with that id must not fetch (and wait up
      // to 3 s) once per record.
      p.catch(() => { setTimeout(() => { if (this.cache.get(id) === p) this.cache.delete(id); }, RETRY_AFTER_MS).unref(); });
    }
    return p;
  }

  async decode(id: number, buf: Buffer): Promise<Decoded> {
    const entry = await this.load(id);
    const value = entry.decode(buf.subarray(5));
    if (value === undefined) throw new Error('payload does not match the schema');
    return { kind: entry.kind, value };
  }
}
