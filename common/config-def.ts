// The platform's one config-definition helper: Kafka's ConfigDef, typed keys with
// Kafka's type vocabulary (BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS,
// PASSWORD), defaults, validators, docs and groups. The broker's configs, the
// registry's, Connect's worker and connector configs and every plugin's are defined
// with it. In Connect it drives parsing in the connector,
// `PUT /connector-plugins/{p}/config/validate` (Kafka's response shape) and the form
// the admin UI generates. A leaf: it imports nothing, so every component and the
// SDK package (plugins/sdk re-exports it and ships it in its build) can use it.

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/**
 * A validator throws ConfigException (or returns a message) when the parsed value is bad;
 * `raw` is the value as given, for messages that quote it.
 */
export type Validator = ((name: string, value: unknown, raw?: unknown) => string | void) & { describe?: string };

export interface ConfigKey {
  name: string;
  type: ConfigType;
  documentation: string;
  /** undefined = required (no default) */
  default?: unknown;
  importance?: Importance;
  validator?: Validator;
  group?: string;
  orderInGroup?: number;
  width?: Width;
  displayName?: string;
  dependents?: readonly string[];
  /** Values offered in the UI and in validate's `recommended_values`. */
  recommendedValues?: readonly unknown[] | ((parsed: Record<string, unknown>) => readonly unknown[]);
  /** Whether the key applies given the other values (validate's `visible`). */
  visible?: (parsed: Record<string, unknown>) => boolean;
}

export class ConfigException extends Error {
  constructor(readonly key: string | null, message: string) {
    super(message);
    this.name = 'ConfigException';
  }
}

export interface ConfigValue {
  name: string;
  value: unknown;
  recommendedValues: unknown[];
  errors: string[];
  visible: boolean;
}

const NO_DEFAULT = Symbol('required');

/**
 * How a component words a bad value. Each component keeps the messages its users
 * already see: Connect's (the default) in config/validate, the broker's and the
 * registry's in their one-line start-up errors and AlterConfigs answers.
 */
export interface ConfigWording {
  /** The whole message: `shown` is the bad value (see `showRaw`), `reason` why it is bad. */
  invalid(name: string, shown: unknown, reason: string): string;
  /** Range and choice messages show the value as given (true) or as parsed (false). */
  showRaw: boolean;
  /** Why a value is not of its type; `outOfRange`: a whole number outside INT's/SHORT's range. */
  type(type: ConfigType, outOfRange: boolean): string;
  atLeast(min: number): string;
  atMost(max: number): string;
  oneOf(allowed: readonly string[]): string;
}

/** Kafka Connect's wording: `Invalid value 0 for configuration tasks.max: Value must be at least 1`. */
export const CONNECT_WORDING: ConfigWording = {
  invalid: (name, shown, reason) => `Invalid value ${String(shown)} for configuration ${name}: ${reason}`,
  showRaw: false,
  type: (type) => `expected ${type.toLowerCase()}`,
  atLeast: (min) => `Value must be at least ${min}`,
  atMost: (max) => `Value must be no more than ${max}`,
  oneOf: (allowed) => `String must be one of: ${allowed.join(', ')}`,
};

const INT64_MAX = 9223372036854775807n;

/** The parsed value of a key of type T. */
export type ConfigTypeValue<T extends ConfigType> =
  T extends 'BOOLEAN' ? boolean : T extends 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' ? number : T extends 'LIST' ? string[] : string;

/** What `parse()` of a ConfigDef returns: `ConfigValues<ReturnType<typeof myConfig>>`. */
export type ConfigValues<D> = D extends ConfigDef<infer V> ? V : never;

/** A raw value (text from a properties file or REST, or already typed) as its key's type; throws ConfigException. */
export function parseType(key: ConfigKey, raw: unknown, wording: ConfigWording = CONNECT_WORDING): unknown {
  if (raw === null || raw === undefined) return null;
  const s = typeof raw === 'string' ? raw.trim() : raw;
  const bad = (outOfRange = false) => new ConfigException(key.name, wording.invalid(key.name, raw, wording.type(key.type, outOfRange)));
  switch (key.type) {
    case 'BOOLEAN':
      if (typeof s === 'boolean') return s;
      if (typeof s === 'string' && /^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
      throw bad();
    case 'INT': case 'SHORT': case 'LONG': {
      const n = typeof s === 'number' ? s : typeof s === 'string' && /^[-+]?\d+$/.test(s) ? Number(s) : NaN;
      // LONG text takes Kafka's whole int64 range (Long.MAX_VALUE is a common "forever");
      // as a number it is exact up to 2^53, which the broker never needs beyond (it keeps the text)
      const int64 = key.type === 'LONG' && typeof s === 'string' && Number.isInteger(n) && BigInt(s.replace(/^\+/, '')) <= INT64_MAX && BigInt(s.replace(/^\+/, '')) >= -INT64_MAX - 1n;
      if (key.type === 'INT' && (n < -2147483648 || n > 2147483647)) throw bad(true);
      if (key.type === 'SHORT' && (n < -32768 || n > 32767)) throw bad(true);
      if (!Number.isSafeInteger(n) && !int64) throw bad();
      return n;
    }
    case 'DOUBLE': {
      const n = typeof s === 'number' ? s : typeof s === 'string' && s !== '' ? Number(s) : NaN;
      if (!Number.isFinite(n)) throw bad();
      return n;
    }
    case 'LIST':
      if (Array.isArray(s)) return s.map(String);
      if (typeof s !== 'string') throw bad();
      return s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== '');
    case 'STRING': case 'CLASS': case 'PASSWORD':
      return typeof s === 'string' ? s : String(s);
  }
}

/** Checks one value of one key (e.g. a broker config set at runtime): its type, then its validator; the first error, or null. */
export function checkValue(key: ConfigKey, raw: unknown, wording: ConfigWording = CONNECT_WORDING): string | null {
  try {
    const value = parseType(key, raw, wording);
    const m = key.validator && value !== null ? key.validator(key.name, value, raw) : undefined;
    return typeof m === 'string' ? m : null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * A connector's (or transform's, converter's) configuration. Each `define()` adds
 * its key to the type `parse()` returns: `define({ name: 'count.to', type: 'LONG',
 * default: 100 })` makes `parse(props)['count.to']` a `number` — `null` only for a key
 * whose default is `null`; keys never defined stay `unknown`.
 */
export class ConfigDef<V extends Record<string, unknown> = Record<string, unknown>> {
  readonly keys = new Map<string, ConfigKey>();
  readonly groups: string[] = [];

  /** `wording`: how type errors are worded (Kafka Connect's unless a component keeps its own). */
  constructor(readonly wording: ConfigWording = CONNECT_WORDING) {}

  define<N extends string, T extends ConfigType, D = undefined>(key: ConfigKey & { name: N; type: T; default?: D }): ConfigDef<V & { [K in N]: ConfigTypeValue<T> | ([D] extends [null] ? null : never) }> {
    if (this.keys.has(key.name)) throw new Error(`config ${key.name} defined twice`);
    this.keys.set(key.name, key);
    if (key.group && !this.groups.includes(key.group)) this.groups.push(key.group);
    return this as unknown as ConfigDef<V & { [K in N]: ConfigTypeValue<T> | ([D] extends [null] ? null : never) }>;
  }

  /** Adds every key of another definition (e.g. the runtime's common connector keys). */
  merge<W extends Record<string, unknown>>(other: ConfigDef<W>): ConfigDef<V & W> {
    for (const k of other.keys.values()) if (!this.keys.has(k.name)) this.define(k);
    return this as unknown as ConfigDef<V & W>;
  }

  /** Parses and validates; throws ConfigException naming the first bad key. */
  parse(props: Record<string, unknown>): V {
    const out: Record<string, unknown> = {};
    for (const v of this.validateAll(props)) {
      if (v.errors.length) throw new ConfigException(v.name, v.errors[0]);
      out[v.name] = v.value;
    }
    return out as V;
  }

  /** One ConfigValue per defined key, with every error found (never throws). */
  validateAll(props: Record<string, unknown>): ConfigValue[] {
    const parsed: Record<string, unknown> = {};
    const values: ConfigValue[] = [];
    for (const key of this.keys.values()) {
      const errors: string[] = [];
      let value: unknown = null;
      const raw = props[key.name];
      const dflt = key.default === undefined ? NO_DEFAULT : key.default;
      try {
        if (raw === undefined || raw === null) {
          if (dflt === NO_DEFAULT) errors.push(`Missing required configuration "${key.name}" which has no default value.`);
          else value = parseType(key, dflt, this.wording);
        } else value = parseType(key, raw, this.wording);
        if (!errors.length && key.validator && value !== null) {
          const m = key.validator(key.name, value, raw ?? dflt);
          if (typeof m === 'string') errors.push(m);
        }
      } catch (e) {
        errors.push((e as Error).message);
      }
      parsed[key.name] = value;
      values.push({ name: key.name, value, recommendedValues: [], errors, visible: true });
    }
    for (const v of values) {
      const key = this.keys.get(v.name)!;
      const rec = key.recommendedValues;
      v.recommendedValues = [...(typeof rec === 'function' ? rec(parsed) : rec ?? [])];
      v.visible = key.visible ? key.visible(parsed) : true;
    }
    return values;
  }
}

/** Runs a check on a value, or on each element of a LIST value (the first error wins). */
function perElement(v: unknown, check: (x: unknown) => string | void): string | void {
  if (!Array.isArray(v)) return check(v);
  for (const x of v) { const m = check(x); if (m) return m; }
}

/** Common validators; on a LIST key each applies to every element. Their `describe` text shows in config/validate's documentation and the UI form. */
export const Validators = {
  /** Kafka's Range: `min`/`max` inclusive, null for none. `wording`: the component's (Connect's by default). */
  range(min: number | null, max: number | null, wording: ConfigWording = CONNECT_WORDING): Validator {
    const f: Validator = (name, v, raw) => perElement(v, (x) => {
      const n = Number(x);
      const shown = wording.showRaw && !Array.isArray(v) && raw !== undefined ? raw : x;
      if (min !== null && !(n >= min)) return wording.invalid(name, shown, wording.atLeast(min));
      if (max !== null && !(n <= max)) return wording.invalid(name, shown, wording.atMost(max));
    });
    f.describe = min !== null && max !== null ? `[${min},...,${max}]` : min !== null ? `[${min},...]` : `[...,${max}]`;
    return f;
  },
  oneOf(...allowed: string[]): Validator {
    return Validators.in(allowed);
  },
  /** Kafka's ValidString.in / ValidList.in: the value (each element of a LIST) is one of `allowed`. */
  in(allowed: readonly string[], wording: ConfigWording = CONNECT_WORDING): Validator {
    const f: Validator = (name, v, raw) => perElement(v, (x) => {
      const shown = wording.showRaw && !Array.isArray(v) && raw !== undefined ? raw : x;
      if (!allowed.includes(String(x))) return wording.invalid(name, shown, wording.oneOf(allowed));
    });
    f.describe = `[${allowed.join(', ')}]`;
    return f;
  },
  /** A non-blank string; on a LIST key, a non-empty list. */
  nonEmptyString(): Validator {
    const f: Validator = (name, v) => {
      if (Array.isArray(v)) return v.length ? undefined : `Invalid value for configuration ${name}: List must be non-empty`;
      if (typeof v !== 'string' || v.trim() === '') return `Invalid value for configuration ${name}: String must be non-empty`;
    };
    f.describe = 'non-empty string';
    return f;
  },
  pattern(re: RegExp, what: string): Validator {
    const f: Validator = (name, v) => perElement(v, (x) => {
      if (!re.test(String(x))) return `Invalid value ${String(x)} for configuration ${name}: must be ${what}`;
    });
    f.describe = what;
    return f;
  },
};
