// Compatibility levels over a format's "can reader read writer" check:
// BACKWARD = the new schema reads data written with the old, FORWARD = the old
// reads the new (the same check with the schemas swapped), FULL = both;
// *_TRANSITIVE checks every live version, the others only the latest.
import type { CompatibilityLevel } from '../config.ts';
import type { CompatibilityIssue, ParsedSchema, SchemaFormat } from './types.ts';

export interface CompatibilityResult {
  compatible: boolean;
  /** Confluent-style verbose messages, one group per failing version. */
  messages: string[];
  issues: (CompatibilityIssue & { version?: number; direction: 'BACKWARD' | 'FORWARD' })[];
}

export function checkCompatibility(
  format: SchemaFormat,
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: { version?: number; schema: ParsedSchema }[], // newest first
): CompatibilityResult {
  const result: CompatibilityResult = { compatible: true, messages: [], issues: [] };
  if (level === 'NONE' || !previous.length) return result;
  const transitive = level.endsWith('_TRANSITIVE');
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  for (const prev of transitive ? previous : previous.slice(0, 1)) {
    const found: CompatibilityResult['issues'] = [];
    // A format's check only understands its own schemas; another type is incompatible
    // (Confluent: "Incompatible because of different schema type").
    if (prev.schema.schemaType !== candidate.schemaType) {
      found.push({ errorType: 'TYPE_MISMATCH', path: '/', description: `Incompatible because of different schema type (${prev.schema.schemaType} to ${candidate.schemaType})`, version: prev.version, direction: backward ? 'BACKWARD' : 'FORWARD' });
    } else {
      if (backward) for (const i of format.checkReadable(candidate, prev.schema)) found.push({ ...i, description: roles(i.description, 'BACKWARD'), version: prev.version, direction: 'BACKWARD' });
      if (forward) for (const i of format.checkReadable(prev.schema, candidate)) found.push({ ...i, description: roles(i.description, 'FORWARD'), version: prev.version, direction: 'FORWARD' });
    }
    if (!found.length) continue;
    result.compatible = false;
    result.issues.push(...found);
    for (const i of found) {
      result.messages.push(`{errorType:'${i.errorType}', description:'${i.description}', additionalInfo:'${i.path}', checked:'${i.direction === 'BACKWARD' ? 'new schema reads data written with the old' : 'old schema reads data written with the new'}'}`);
    }
    if (prev.version !== undefined) result.messages.push(`{oldSchemaVersion: ${prev.version}}`);
    result.messages.push(`{oldSchema: '${prev.schema.canonical}'}`);
    result.messages.push(`{compatibility: '${level}'}`);
  }
  return result;
}

// Formats describe an issue from the reader's and the writer's side ({reader}, {writer});
// Confluent's messages name the new and the old schema instead.
function roles(description: string, direction: 'BACKWARD' | 'FORWARD'): string {
  const [reader, writer] = direction === 'BACKWARD' ? ['new', 'old'] : ['old', 'new'];
  return description.replaceAll('{reader}', reader).replaceAll('{writer}', writer);
}
