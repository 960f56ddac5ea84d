// Config definitions: typed keys with defaults, validators, docs and groups.
// They drive parsing in the connector, `PUT /connector-plugins/{p}/config/validate`
// (Kafka's response shape) and the form the admin UI generates.

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** A validator throws ConfigException (or returns a message) when the parsed value is bad. */
export type Validator = ((name: string, value: unknown) => string | void) & { describe?: string };

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
  dependents?: string[];
  /** Values offered in the UI and in validate's `recommended_values`. */
  recommendedValues?: unknown[] | ((parsed: Record<string, unknown>) => unknown[]);
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

function parseType(key: ConfigKey, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  const s = typeof raw === 'string' ? raw.trim() : raw;
  const bad = () => new ConfigException(key.name, `Invalid value ${String(raw)} for configuration ${key.name}: expected ${key.type.toLowerCase()}`);
  switch (key.type) {
    case 'BOOLEAN':
      if (typeof s === 'boolean') return s;
      if (typeof s === 'string' && /^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
      throw bad();
    case 'INT': case 'SHORT': case 'LONG': {
      const n = typeof s === 'number' ? s : typeof s === 'string' && /^[-+]?\d+$/.test(s) ? Number(s) : NaN;
      if (!Number.isSafeInteger(n)) throw bad();
      if (key.type === 'INT' && (n < -2147483648 || n > 2147483647)) throw bad();
      if (key.type === 'SHORT' && (n < -32768 || n > 32767)) throw bad();
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

export class ConfigDef {
  readonly keys = new Map<string, ConfigKey>();
  readonly groups: string[] = [];

  define(key: ConfigKey): this {
    if (this.keys.has(key.name)) throw new Error(`config ${key.name} defined twice`);
    this.keys.set(key.name, key);
    if (key.group && !this.groups.includes(key.group)) this.groups.push(key.group);
    return this;
  }

  /** Adds every key of another definition (e.g. the runtime's common connector keys). */
  merge(other: ConfigDef): this {
    for (const k of other.keys.values()) if (!this.keys.has(k.name)) this.define(k);
    return this;
  }

  /** Parses and validates; throws ConfigException naming the first bad key. */
  parse(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const v of this.validateAll(props)) {
      if (v.errors.length) throw new ConfigException(v.name, v.errors[0]);
      out[v.name] = v.value;
    }
    return out;
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
          else value = parseType(key, dflt);
        } else value = parseType(key, raw);
        if (!errors.length && key.validator && value !== null) {
          const m = key.validator(key.name, value);
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
      v.recommendedValues = typeof rec === 'function' ? rec(parsed) : rec ?? [];
      v.visible = key.visible ? key.visible(parsed) : true;
    }
    return values;
  }
}

/** Common validators (their `describe` text shows in docs and the UI). */
export const Validators = {
  range(min: number | null, max: number | null): Validator {
    const f: Validator = (name, v) => {
      const n = v as number;
      if (min !== null && n < min) return `Invalid value ${n} for configuration ${name}: Value must be at least ${min}`;
      if (max !== null && n > max) return `Invalid value ${n} for configuration ${name}: Value must be no more than ${max}`;
    };
    f.describe = min !== null && max !== null ? `[${min},...,${max}]` : min !== null ? `[${min},...]` : `[...,${max}]`;
    return f;
  },
  oneOf(...allowed: string[]): Validator {
    const f: Validator = (name, v) => {
      const vals = Array.isArray(v) ? v : [v];
      for (const x of vals) if (!allowed.includes(String(x))) return `Invalid value ${String(x)} for configuration ${name}: String must be one of: ${allowed.join(', ')}`;
    };
    f.describe = `[${allowed.join(', ')}]`;
    return f;
  },
  nonEmptyString(): Validator {
    const f: Validator = (name, v) => {
      if (typeof v !== 'string' || v.trim() === '') return `Invalid value for configuration ${name}: String must be non-empty`;
    };
    f.describe = 'non-empty string';
    return f;
  },
  pattern(re: RegExp, what: string): Validator {
    const f: Validator = (name, v) => {
      if (!re.test(String(v))) return `Invalid value ${String(v)} for configuration ${name}: must be ${what}`;
    };
    f.describe = what;
    return f;
  },
};
