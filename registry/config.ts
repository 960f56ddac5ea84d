// Schema registry configuration with Confluent Schema Registry's names and defaults,
// defined with the platform's one config-definition helper (common/config-def.ts,
// Kafka's ConfigDef: Confluent's registry defines its configs with it too).
// The CLI hands every --set/--config pair to every component, so names that are not
// the registry's are ignored; a registry-looking name we do not know is a warning
// (as Kafka does) and a bad value is an error naming the key.
import { ConfigDef, ConfigException, Validators, type ConfigKey, type ConfigWording, type Validator } from '../common/config-def.ts';

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

/** The registry's wording of a bad value, as its one-line start-up error has always said it. */
const REGISTRY_WORDING: ConfigWording = {
  invalid: (name, shown, reason) => `invalid value for ${name}: ${JSON.stringify(shown)} ${reason}`,
  showRaw: true,
  type: (type) => (type === 'BOOLEAN' ? 'must be true or false' : type === 'INT' || type === 'LONG' ? 'must be an integer' : `must be ${type.toLowerCase()}`),
  atLeast: (min) => `must be >= ${min}`,
  atMost: (max) => `must be <= ${max}`,
  oneOf: (allowed) => `must be equal to one of the allowed values (${allowed.join(', ')})`,
};

const atLeast = (min: number): Validator => Validators.range(min, null, REGISTRY_WORDING);

/** One of `allowed`, in any case (Confluent takes `full` for FULL); the value is upper-cased after parsing. */
function choice(allowed: readonly string[]): Validator {
  const f: Validator = (name, v, raw) => {
    if (!allowed.includes(String(v).toUpperCase())) return REGISTRY_WORDING.invalid(name, raw ?? v, REGISTRY_WORDING.oneOf(allowed));
  };
  f.describe = `[${allowed.join(', ')}]`;
  return f;
}

const DEF = new ConfigDef(REGISTRY_WORDING)
  .define({ name: 'schema.compatibility.level', type: 'STRING', default: 'BACKWARD', validator: choice(COMPATIBILITY_LEVELS), recommendedValues: COMPATIBILITY_LEVELS, documentation: 'Global compatibility level until PUT /config changes it.' })
  .define({ name: 'mode.mutability', type: 'BOOLEAN', default: true, documentation: 'Whether PUT /mode may change the mode.' })
  .define({ name: 'kafkastore.topic', type: 'STRING', default: '_schemas', documentation: 'Compacted topic holding the registry state.' })
  .define({ name: 'kafkastore.topic.replication.factor', type: 'INT', default: 3, validator: atLeast(1), documentation: 'Replication factor of the topic when created (capped at the number of brokers).' })
  .define({ name: 'kafkastore.timeout.ms', type: 'INT', default: 10000, validator: atLeast(1), documentation: 'How long a write may take to be acknowledged and read back.' })
  .define({ name: 'kafkastore.init.timeout.ms', type: 'INT', default: 60000, validator: atLeast(1), documentation: 'How long start-up may take to create and read the topic.' })
  .define({ name: 'schema.registry.group.id', type: 'STRING', default: 'schema-registry', documentation: 'Consumer group the instances use to elect the writer.' })
  .define({ name: 'leader.eligibility', type: 'BOOLEAN', default: true, documentation: 'Whether this instance may become the writer.' })
  .define({ name: 'leader.election.enable', type: 'BOOLEAN', default: true, documentation: 'Elect one writer among instances through the group (kafka store only); off = this instance writes.' })
  .define({ name: 'forward.timeout.ms', type: 'INT', default: 10000, validator: atLeast(1), documentation: 'Timeout of a write forwarded to the leader.' })
  .define({ name: 'schema.cache.size', type: 'INT', default: 1000, validator: atLeast(1), documentation: 'Parsed schemas kept in memory.' })
  // HTTP basic auth (registry/auth.ts)
  .define({ name: 'authentication.method', type: 'STRING', default: 'NONE', validator: choice(['NONE', 'BASIC']), recommendedValues: ['NONE', 'BASIC'], documentation: 'BASIC: HTTP basic auth with users from the JAAS file\'s authentication.realm section.' })
  .define({ name: 'authentication.realm', type: 'STRING', default: 'SchemaRegistry-Props', documentation: 'Section of the JAAS file naming the PropertyFileLoginModule and its users file.' })
  .define({ name: 'authentication.roles', type: 'STRING', default: '*', documentation: 'Roles let in (comma-separated; * = any). Role readonly may only read.' })
  .define({ name: 'java.security.auth.login.config', type: 'STRING', default: '', documentation: 'JAAS file (else -Djava.security.auth.login.config= in SCHEMA_REGISTRY_OPTS or KAFKA_OPTS).' });

/** name → definition; the README's config table is written from this. */
export const CONFIG_DEFS: Record<keyof RegistryConfig, ConfigKey> = Object.fromEntries(DEF.keys) as Record<keyof RegistryConfig, ConfigKey>;

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

/** Picks the registry's keys from `pairs`, then parses and validates them onto the defaults. */
export function loadRegistryConfig(pairs: Record<string, string | number | boolean> = {}): { config: RegistryConfig; warnings: string[] } {
  const warnings: string[] = [];
  const mine: Record<string, string | number | boolean> = {};
  for (const [rawKey, raw] of Object.entries(pairs)) {
    const key = ALIASES[rawKey] ?? rawKey;
    if (!DEF.keys.has(key)) {
      // kafkastore.security.protocol / .sasl.* / .ssl.*: the store's client security (client/security.ts reads them)
      if (/^kafkastore\.(security\.protocol|sasl\.|ssl\.)/.test(rawKey)) continue;
      if (PREFIXES.some((p) => rawKey.startsWith(p))) warnings.push(`registry config ${rawKey} is not implemented; ignored`);
      continue;
    }
    mine[key] = raw;
  }
  let config: Record<string, unknown>;
  try {
    config = DEF.parse(mine);
  } catch (e) {
    if (e instanceof ConfigException) throw new RegistryConfigError(e.message);
    throw e;
  }
  for (const [k, key] of DEF.keys) if (key.recommendedValues && typeof config[k] === 'string') config[k] = (config[k] as string).toUpperCase();
  return { config: config as unknown as RegistryConfig, warnings };
}
