// Shared pieces of the route plugins: request schemas and query flags.
import type { SchemaRegistry } from '../service.ts';

export interface RouteOptions { registry: SchemaRegistry }

/** true for ?flag=true (case-insensitive); Confluent parses these as Java booleans. */
export function flag(v: unknown): boolean {
  return typeof v === 'string' ? v.toLowerCase() === 'true' : v === true;
}

export const reference = {
  type: 'object',
  properties: { name: { type: 'string' }, subject: { type: 'string' }, version: { type: 'integer' } },
  required: ['name', 'subject', 'version'],
} as const;

/** Body of register, lookup and compatibility: extra keys (metadata, ruleSet…) are accepted and ignored. */
export const schemaBody = {
  type: 'object',
  properties: {
    schema: { type: 'string' },
    schemaType: { type: 'string' },
    references: { type: 'array', items: reference },
    id: { type: 'integer' },
    version: { type: 'integer' },
  },
} as const;

export const subjectParams = {
  type: 'object',
  properties: { subject: { type: 'string' } },
  required: ['subject'],
} as const;

export const versionParams = {
  type: 'object',
  properties: { subject: { type: 'string' }, version: { type: 'string' } },
  required: ['subject', 'version'],
} as const;

export const stringQuery = (...names: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
}) as const;

/** A schema version as Confluent returns it: schemaType and references only when set. */
export function versionBody(v: { subject: string; version: number; id: number; schemaType: string; references: unknown[] }, schema: string): Record<string, unknown> {
  const o: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
  if (v.schemaType !== 'AVRO') o.schemaType = v.schemaType;
  if (v.references.length) o.references = v.references;
  o.schema = schema;
  return o;
}
