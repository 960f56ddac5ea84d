// What every schema format (Avro, Protobuf, JSON Schema) provides to the registry,
// to Connect's converters and to the UI.

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';
export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

/** A reference as clients send it: the name the schema uses, and where it lives. */
export interface SchemaReference { name: string; subject: string; version: number }

/** A reference with its schema text fetched, its own references resolved the same way. */
export interface ResolvedReference extends SchemaReference {
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

/** One reason a schema cannot read data written with another. */
export interface CompatibilityIssue {
  errorType: string;
  /** JSON-pointer-like location in the reader schema (e.g. /fields/1/type). */
  path: string;
  description: string;
}

export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /** The form stored and returned: the same schema written differently gives the same string. */
  readonly canonical: string;
  /** A stronger form for ?normalize=true (names fully qualified, keys/options sorted). */
  readonly normalized: string;
  readonly references: ResolvedReference[];
}

export interface SchemaFormat<P extends ParsedSchema = ParsedSchema> {
  readonly schemaType: SchemaType;
  /** Parses and validates; throws SchemaParseError with the parser's message. */
  parse(schema: string, references?: ResolvedReference[]): P;
  /** What stops `reader` from reading data written with `writer` (empty = it can). */
  checkReadable(reader: P, writer: P): CompatibilityIssue[];
}

export class SchemaParseError extends Error {
  constructor(message: string) { super(message); this.name = 'SchemaParseError'; }
}

/** Depth-first list of references, dependencies before dependents, each name once. */
export function flattenReferences(refs: ResolvedReference[]): ResolvedReference[] {
  const out: ResolvedReference[] = [];
  const seen = new Set<string>();
  const visit = (r: ResolvedReference) => {
    if (seen.has(r.name)) return;
    seen.add(r.name);
    for (const d of r.references) visit(d);
    out.push(r);
  };
  for (const r of refs) visit(r);
  return out;
}
