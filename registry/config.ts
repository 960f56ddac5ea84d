// Schema registry configuration with Confluent Schema Registry's names and defaults.
// The CLI hands every --set/--config pair to every component, so names that are not
// the registry's are ignored; a registry-looking name we do not know is a warning
// (as Kafka does) and a bad value is an error naming the key.
import AjvModule from 'ajv';

const Ajv = AjvModule.default ?? AjvModule;

export const COMPATIBILITY_LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];
export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

export interface RegistryConfig {
  'schema.compatibility.level': CompatibilityLevel;
  'mode.mutability': boolean;
  'kafkastore.topic': string;
  'kafkastore.topic.replication.factor': number;
  'kafkastore.timeout.ms': number;
  'kafkastore.init.timeout.ms': number;
  'schema.registry.group.id': string;
  'leader.eligibility': boolean;
  'leader.election.enable': boolean;
  'forward.timeout.ms': number;
  'schema.cache.size': number;
  'authentication.method': 'NONE' | 'BASIC';
  'authentication.realm': string;
  'authentication.roles': string;
  'java.security.auth.login.config': string;
}

interface Def { type: 'string' | 'integer' | 'boolean'; default: string | number | boolean; doc: string; enum?: readonly string[]; minimum?: number }

/** name → definition; the README's config table is written from this. */
export const CONFIG_DEFS: Record<keyof RegistryConfig, Def> = {
  'schema.compatibility.level': { type: 'string', default: 'BACKWARD', enum: COMPATIBILITY_LEVELS, doc: 'Global compatibility level until PUT /config changes it.' },
  'mode.mutability': { type: 'boolean', default: true, doc: 'Whether PUT /mode may change the mode.' },
  'kafkastore.topic': { type: 'string', default: '_schemas', doc: 'Compacted topic holding the registry state.' },
  'kafkastore.topic.replication.factor': { type: 'integer', default: 3, minimum: 1, doc: 'Replication factor of the topic when created (capped at the number of brokers).' },
  'kafkastore.timeout.ms': { type: 'integer', default: 10000, minimum: 1, doc: 'How long a write may take to be acknowledged and read back.' },
  'kafkastore.init.timeout.ms': { type: 'integer', default: 60000, minimum: 1, doc: 'How long start-up may take to create and read the topic.' },
  'schema.registry.group.id': { type: 'string', default: 'schema-registry', doc: 'Consumer group the instances use to elect the writer.' },
  'leader.eligibility': { type: 'boolean', default: true, doc: 'Whether this instance may become the writer.' },
  'leader.election.enable': { type: 'boolean', default: true, doc: 'Elect one writer among instances through the group (kafka store only); off = this instance writes.' },
  'forward.timeout.ms': { type: 'integer', default: 10000, minimum: 1, doc: 'Timeout of a write forwarded to the leader.' },
  'schema.cache.size': { type: 'integer', default: 1000, minimum: 1, doc: 'Parsed schemas kept in memory.' },
  // HTTP basic auth (registry/auth.ts)
  'authentication.method': { type: 'string', default: 'NONE', enum: ['NONE', 'BASIC'], doc: 'BASIC: HTTP basic auth with users from the JAAS file\'s authentication.realm section.' },
  'authentication.realm': { type: 'string', default: 'SchemaRegistry-Props', doc: 'Section of the JAAS file naming the PropertyFileLoginModule and its users file.' },
  'authentication.roles': { type: 'string', default: '*', doc: 'Roles let in (comma-separated; * = any). Role readonly may only read.' },
  'java.security.auth.login.config': { type: 'string', default: '', doc: 'JAAS file (else -Djava.security.auth.login.config= in SCHEMA_REGISTRY_OPTS or KAFKA_OPTS).' },
};

/** Confluent's older names still accepted. */
const ALIASES: Record<string, keyof RegistryConfig> = {
  'avro.compatibility.level': 'schema.compatibility.level',
  'master.eligibility': 'leader.eligibility',
};

const PREFIXES = ['authentication.', 'kafkastore.', 'schema.registry.', 'schema.compatibility.', 'leader.', 'mode.', 'schema.cache.'];

/** A bad registry config value; the CLI exits 2 with its message. */
export class RegistryConfigError extends Error {
  readonly exitCode = 2;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(CONFIG_DEFS).map(([k, d]) => [k, { type: d.type, ...(d.enum ? { enum: d.enum } : {}), ...(d.minimum !== undefined ? { minimum: d.minimum } : {}) }])),
};
const validate = new Ajv({ allErrors: false }).compile(schema);

/** Picks the registry's keys from `pairs`, coerces and validates them onto the defaults. */
export function loadRegistryConfig(pairs: Record<string, string | number | boolean> = {}): { config: RegistryConfig; warnings: string[] } {
  const warnings: string[] = [];
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(CONFIG_DEFS).map(([k, d]) => [k, d.default]));
  for (const [rawKey, raw] of Object.entries(pairs)) {
    const key = ALIASES[rawKey] ?? rawKey;
    const def = CONFIG_DEFS[key as keyof RegistryConfig];
    if (!def) {
      // kafkastore.security.protocol / .sasl.* / .ssl.*: the store's client security (client/security.ts reads them)
      if (/^kafkastore\.(security\.protocol|sasl\.|ssl\.)/.test(rawKey)) continue;
      if (PREFIXES.some((p) => rawKey.startsWith(p))) warnings.push(`registry config ${rawKey} is not implemented; ignored`);
      continue;
    }
    out[key] = coerce(key, def, raw);
  }
  if (!validate(out)) {
    const e = validate.errors![0];
    const key = e.instancePath.replace(/^\//, '').replace(/~1/g, '/');
    throw new RegistryConfigError(`invalid value for ${key}: ${JSON.stringify(pairs[key] ?? out[key])} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}`);
  }
  return { config: out as unknown as RegistryConfig, warnings };
}

function coerce(key: string, def: Def, raw: string | number | boolean): unknown {
  if (typeof raw !== 'string') return raw;
  const v = raw.trim();
  if (def.type === 'integer') {
    if (!/^-?\d+$/.test(v)) throw new RegistryConfigError(`invalid value for ${key}: ${JSON.stringify(raw)} must be an integer`);
    return Number(v);
  }
  if (def.type === 'boolean') {
    if (v !== 'true' && v !== 'false') throw new RegistryConfigError(`invalid value for ${key}: ${JSON.stringify(raw)} must be true or false`);
    return v === 'true';
  }
  return def.enum ? v.toUpperCase() : v;
}
