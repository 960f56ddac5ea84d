// Config providers (KIP-297, KIP-421): a connector config may hold `${file:/path:key}`,
// `${env:VAR}` or `${directory:/dir:file}` instead of a secret. The worker resolves the
// placeholders only where a connector or task is started; what is stored, returned by
// REST and logged keeps the placeholder. Worker config as Kafka's:
//   config.providers=file,env,directory
//   config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
//   config.providers.file.param.allowed.paths=/secrets        (KIP-993, optional)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath, sep } from 'node:path';
import type { ConfigDef, Props } from '../../plugins/sdk/index.ts';

/** Kafka's ConfigTransformer pattern: ${provider:[path:]key}. */
const VARIABLE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export const HIDDEN = '[hidden]';

export interface ConfigProvider {
  /** Values of `keys` under `path`; a key it does not know is left out (its placeholder stays). */
  get(path: string, keys: string[]): Record<string, string>;
}

/** Bad provider setup or an unreadable secret; the message names the placeholder, never a value. */
export class ConfigProviderError extends Error {}

function allowedPaths(params: Record<string, string>): ((p: string) => boolean) {
  const list = (params['allowed.paths'] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((p) => resolvePath(p));
  if (!list.length) return () => true;
  return (p) => { const r = resolvePath(p); return list.some((a) => r === a || r.startsWith(a.endsWith(sep) ? a : a + sep)); };
}

/** Parses the text of a Java .properties file (comments, `=`/`:`/blank separators, continuations, escapes). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (!line || line[0] === '#' || line[0] === '!') continue;
    // a line ending in an odd number of backslashes continues on the next one
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    let k = 0;
    while (k < line.length && !/[=: \t\f]/.test(line[k])) k += line[k] === '\\' ? 2 : 1;
    const key = line.slice(0, k);
    let rest = line.slice(k).replace(/^[ \t\f]+/, '');
    if (rest[0] === '=' || rest[0] === ':') rest = rest.slice(1).replace(/^[ \t\f]+/, '');
    out[unescape(key)] = unescape(rest);
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

/** Kafka's FileConfigProvider: path = a .properties file, key = a key in it. */
class FileConfigProvider implements ConfigProvider {
  private readonly allowed: (p: string) => boolean;
  constructor(params: Record<string, string>) { this.allowed = allowedPaths(params); }
  get(path: string, keys: string[]): Record<string, string> {
    if (!path) return {};
    if (!this.allowed(path)) throw new ConfigProviderError(`file ${path} is not in the config provider's allowed.paths`);
    let props: Record<string, string>;
    try { props = parseProperties(readFileSync(path, 'utf8')); } catch (e) {
      throw new ConfigProviderError(`could not read properties from file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return Object.fromEntries(keys.filter((k) => Object.hasOwn(props, k)).map((k) => [k, props[k]]));
  }
}

/** Kafka's EnvVarConfigProvider (KIP-887): ${env:VAR}; param allowlist.pattern limits the variables. */
class EnvVarConfigProvider implements ConfigProvider {
  private readonly allow: RegExp;
  constructor(params: Record<string, string>) { this.allow = new RegExp(`^(?:${params['allowlist.pattern'] ?? '.*'})$`); }
  get(path: string, keys: string[]): Record<string, string> {
    if (path) throw new ConfigProviderError('the env config provider takes no path: use ${env:VARIABLE}');
    return Object.fromEntries(keys.filter((k) => this.allow.test(k) && process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
  }
}

/** Kafka's DirectoryConfigProvider: path = a directory, key = a file in it whose content is the value (Kubernetes secrets). */
class DirectoryConfigProvider implements ConfigProvider {
  private readonly allowed: (p: string) => boolean;
  constructor(params: Record<string, string>) { this.allowed = allowedPaths(params); }
  get(path: string, keys: string[]): Record<string, string> {
    if (!path) return {};
    if (!this.allowed(path)) throw new ConfigProviderError(`directory ${path} is not in the config provider's allowed.paths`);
    let names: Set<string>;
    try { names = new Set(readdirSync(path)); } catch (e) {
      throw new ConfigProviderError(`could not read directory ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const out: Record<string, string> = {};
    for (const k of keys) {
      // only plain files directly in the directory (no ../ escapes)
      if (!names.has(k) || k.includes('/') || k.includes('\\')) continue;
      const f = join(path, k);
      try {
        if (!statSync(f).isFile()) continue;
        out[k] = readFileSync(f, 'utf8');
      } catch (e) {
        // a dangling symlink or an unreadable file: name it, as for the directory itself
        throw new ConfigProviderError(`could not read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    return out;
  }
}

const CLASSES: Record<string, new (params: Record<string, string>) => ConfigProvider> = {
  'org.apache.kafka.common.config.provider.FileConfigProvider': FileConfigProvider,
  'org.apache.kafka.common.config.provider.EnvVarConfigProvider': EnvVarConfigProvider,
  'org.apache.kafka.common.config.provider.DirectoryConfigProvider': DirectoryConfigProvider,
  FileConfigProvider, EnvVarConfigProvider, DirectoryConfigProvider,
};

/** Resolves placeholders with the providers the worker config names (Kafka's WorkerConfigTransformer). */
export class ConfigTransformer {
  readonly providers = new Map<string, ConfigProvider>();

  /** Reads config.providers and config.providers.<name>.class/.param.*; throws naming a bad key. */
  constructor(worker: Record<string, string>) {
    const names = (worker['config.providers'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const name of names) {
      const key = `config.providers.${name}.class`;
      const cls = worker[key];
      if (!cls) throw Object.assign(new Error(`invalid Connect worker config ${key}: missing (config.providers names ${name})`), { exitCode: 2 });
      const Impl = CLASSES[cls.trim()];
      if (!Impl) throw Object.assign(new Error(`invalid Connect worker config ${key}: unknown config provider class ${cls} (known: ${Object.keys(CLASSES).filter((c) => c.includes('.')).join(', ')})`), { exitCode: 2 });
      const prefix = `config.providers.${name}.param.`;
      const params = Object.fromEntries(Object.entries(worker).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
      this.providers.set(name, new Impl(params));
    }
  }

  /** The config with every resolvable placeholder replaced; unknown providers and keys stay as written (as Kafka). */
  transform(props: Props): Props {
    if (!this.providers.size) return { ...props };
    // group lookups per provider and path, as Kafka does, so a file is read once per transform
    const wanted = new Map<string, Set<string>>();
    for (const v of Object.values(props)) {
      for (const m of String(v).matchAll(VARIABLE)) {
        if (!this.providers.has(m[1])) continue;
        const id = `${m[1]}\u0000${m[2] ?? ''}`;
        if (!wanted.has(id)) wanted.set(id, new Set());
        wanted.get(id)!.add(m[3]);
      }
    }
    if (!wanted.size) return { ...props };
    const found = new Map<string, Record<string, string>>();
    for (const [id, keys] of wanted) {
      const [provider, path] = id.split('\u0000');
      found.set(id, this.providers.get(provider)!.get(path, [...keys]));
    }
    const out: Props = {};
    for (const [k, v] of Object.entries(props)) {
      out[k] = typeof v === 'string' ? v.replace(VARIABLE, (whole, p: string, path: string | undefined, key: string) => {
        const vals = found.get(`${p}\u0000${path ?? ''}`);
        return vals && Object.hasOwn(vals, key) ? vals[key] : whole;
      }) : v;
    }
    return out;
  }
}

/** True when a value holds a ${provider:...} placeholder. */
export function hasVariable(v: unknown): boolean {
  return typeof v === 'string' && new RegExp(VARIABLE.source).test(v);
}

/**
 * Kafka's reverseTransform: task configs the connector derived from the resolved config get
 * the connector's placeholder back for each key whose raw value held one, so the secret never
 * reaches connect-configs nor GET /connectors/x/tasks. Tasks resolve again when they start.
 */
export function reverseTransform(rawConnectorConfig: Props, taskConfigs: Props[]): Props[] {
  const withVars = Object.entries(rawConnectorConfig).filter(([, v]) => hasVariable(v));
  if (!withVars.length) return taskConfigs;
  return taskConfigs.map((t) => {
    const c = { ...t };
    for (const [k, v] of withVars) if (Object.hasOwn(c, k)) c[k] = v;
    return c;
  });
}

const transformers = new WeakMap<object, ConfigTransformer>();

/** The transformer of a worker config (built once per worker; `raw` is the worker's raw config object). */
export function transformerFor(worker: { raw: Record<string, string> }): ConfigTransformer {
  let t = transformers.get(worker.raw);
  if (!t) { t = new ConfigTransformer(worker.raw); transformers.set(worker.raw, t); }
  return t;
}

/** What the herder calls where a connector or task starts: the config with its secrets resolved. */
export function resolveConnectorConfig(worker: { raw: Record<string, string> }, props: Props): Props {
  return transformerFor(worker).transform(props);
}

/**
 * A config as REST shows it: PASSWORD-type fields hold `[hidden]` unless the value is a
 * placeholder (which is no secret, and which a GET→PUT round trip must keep).
 */
export function hidePasswords(props: Props, def: ConfigDef | undefined): Props {
  if (!def) return props;
  const out: Props = { ...props };
  for (const [k, v] of Object.entries(out)) {
    if (def.keys.get(k)?.type === 'PASSWORD' && v !== '' && !isPurePlaceholder(v)) out[k] = HIDDEN;
  }
  return out;
}

function isPurePlaceholder(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  return v.replace(new RegExp(VARIABLE.source, 'g'), '') === '' && hasVariable(v);
}

/** PUT of a config GET returned: a PASSWORD field sent back as `[hidden]` keeps its stored value. */
export function restoreHidden(next: Props, current: Props | undefined, def: ConfigDef | undefined): Props {
  if (!def || !current) return next;
  const out = { ...next };
  for (const [k, v] of Object.entries(out)) {
    if (v === HIDDEN && def.keys.get(k)?.type === 'PASSWORD' && current[k] !== undefined) out[k] = current[k];
  }
  return out;
}

interface ValidationResult { error_count: number; configs: { value: { name: string; value: string | null; errors: string[] } }[] }

/**
 * Validation as Kafka's herder does it: on the resolved config (a ${file:...} password must
 * be checked as the password), but the answer shows each placeholder as written and never
 * the value it resolved to, in values nor in error messages.
 */
export async function validateResolved<T extends ValidationResult>(worker: { raw: Record<string, string> }, props: Props, validate: (resolved: Props) => Promise<T>): Promise<T> {
  const withVars = Object.entries(props).filter(([, v]) => hasVariable(v));
  if (!withVars.length) return validate(props);
  let resolved: Props;
  try { resolved = resolveConnectorConfig(worker, props); } catch (e) {
    const r = await validate(props);
    const first = r.configs.find((c) => c.value.name === withVars[0][0]);
    if (first) { first.value.errors.push((e as Error).message); r.error_count++; }
    return r;
  }
  const r = await validate(resolved);
  const secrets = withVars.map(([k, raw]) => [resolved[k], raw] as const).filter(([s, raw]) => s && s !== raw).sort((a, b) => b[0].length - a[0].length);
  const scrub = (s: string) => secrets.reduce((acc, [secret, raw]) => acc.split(secret).join(raw), s);
  for (const c of r.configs) {
    if (Object.hasOwn(props, c.value.name) && hasVariable(props[c.value.name]) && c.value.value !== '[hidden]') c.value.value = props[c.value.name];
    c.value.errors = c.value.errors.map(scrub);
  }
  return r;
}
