// Plugin loader: finds plugin manifests (the default export of a plugin's entry
// module, see plugins/sdk definePlugin) in the explicit list of built-ins
// (connectors/builtin/index.ts), in plugins/*, and in the directories named by
// `plugin.path`; the runtime's own folders are never scanned. A plugin that fails to
// load is logged with its path and reason and skipped; the others still load.
// Class names resolve in full, by simple name (`FileStreamSinkConnector`,
// `InsertField$Value`) or pruned alias (`FileStreamSink`), as in Kafka Connect;
// an alias two plugins claim resolves to neither.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { PluginManifest, ConnectorClass, TransformationClass, ConverterClass, PredicateClass } from '../../plugins/sdk/index.ts';
import { BUILTIN_PLUGINS, type BuiltinPlugin } from '../builtin/index.ts';
import { satisfies } from './semver.ts';
import { BUNDLE_FLAG } from './task-thread-bundle.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SDK_PACKAGE = '@tributary/connect-sdk';
/** The SDK version this runtime provides (plugins/sdk/package.json). */
export const SDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(repoRoot, 'plugins/sdk/package.json'), 'utf8')).version;

/**
 * The SDK range a plugin folder's package.json declares: `tributary.sdk`, else its
 * peer or regular dependency on @tributary/connect-sdk when that is a version range
 * (not a path, `file:` or git spec). null = none declared (accepted, as before).
 */
export function declaredSdkRange(pkg: { tributary?: { sdk?: unknown }; peerDependencies?: Record<string, string>; dependencies?: Record<string, string> }): string | null {
  if (typeof pkg.tributary?.sdk === 'string') return pkg.tributary.sdk;
  for (const deps of [pkg.peerDependencies, pkg.dependencies]) {
    const r = deps?.[SDK_PACKAGE];
    if (typeof r === 'string' && !/^(file:|link:|git|https?:|\.|\/|~\/|[\w-]+\/)/.test(r)) return r;
  }
  return null;
}

export type PluginType = 'source' | 'sink' | 'converter' | 'transformation' | 'predicate';

export interface PluginDesc {
  className: string;
  type: PluginType;
  version: string;
  /** manifest name and where it came from */
  plugin: string;
  location: string;
  cls: ConnectorClass | TransformationClass | ConverterClass | PredicateClass;
}

export interface PluginFailure { location: string; reason: string }

const SUFFIXES: Record<PluginType, string[]> = {
  source: ['Connector'], sink: ['Connector'], converter: ['Converter'], transformation: ['Transformation', 'Transform'], predicate: ['Predicate'],
};

function isManifest(m: unknown): m is PluginManifest {
  if (!m || typeof m !== 'object') return false;
  const o = m as PluginManifest;
  return typeof o.name === 'string' && !!(o.connectors || o.transforms || o.converters || o.predicates);
}

/** source or sink, by the SDK base class or (for plugins bundling their own SDK copy) by the task's methods. */
function connectorType(cls: ConnectorClass): { type: 'source' | 'sink'; version: string } {
  const c = new cls() as unknown as { version(): string; taskClass(): { prototype: Record<string, unknown> } };
  const proto = c.taskClass().prototype;
  const type = typeof proto.poll === 'function' ? 'source' : typeof proto.put === 'function' ? 'sink' : null;
  if (!type) throw new Error(`${cls.name}: its task class has neither poll() (source) nor put() (sink)`);
  return { type, version: String(c.version()) };
}

export class Plugins {
  private readonly byName = new Map<string, PluginDesc>();
  private readonly aliases = new Map<string, PluginDesc | null>();
  readonly failures: PluginFailure[] = [];
  readonly manifests: { manifest: PluginManifest; location: string }[] = [];

  constructor(private readonly logger: Logger) {}

  list(): PluginDesc[] { return [...this.byName.values()].sort((a, b) => a.className.localeCompare(b.className)); }

  resolve(name: string, types?: PluginType[]): PluginDesc | undefined {
    const d = this.byName.get(name) ?? this.aliases.get(name) ?? undefined;
    if (d && types && !types.includes(d.type)) return undefined;
    return d;
  }

  /** Registers a manifest (already imported); a bad entry fails the whole manifest. */
  add(manifest: unknown, location: string): void {
    try {
      if (!isManifest(manifest)) throw new Error('its entry module has no default export made with definePlugin({ name, version, connectors | transforms | converters | predicates })');
      const descs: PluginDesc[] = [];
      const version = String(manifest.version ?? '0.0.0');
      for (const [n, cls] of Object.entries(manifest.connectors ?? {})) {
        if (typeof cls !== 'function') throw new Error(`connector ${n} is not a class`);
        descs.push({ className: n, ...connectorType(cls), plugin: manifest.name, location, cls });
      }
      const kinds: [Record<string, unknown> | undefined, PluginType][] = [[manifest.transforms, 'transformation'], [manifest.converters, 'converter'], [manifest.predicates, 'predicate']];
      for (const [group, type] of kinds) {
        for (const [n, cls] of Object.entries(group ?? {})) {
          if (typeof cls !== 'function') throw new Error(`${type} ${n} is not a class`);
          descs.push({ className: n, type, version, plugin: manifest.name, location, cls: cls as TransformationClass });
        }
      }
      for (const d of descs) {
        if (this.byName.has(d.className)) throw new Error(`class ${d.className} is already provided by ${this.byName.get(d.className)!.location}`);
      }
      for (const d of descs) {
        this.byName.set(d.className, d);
        const simple = d.className.slice(d.className.lastIndexOf('.') + 1);
        const names = new Set([simple]);
        for (const s of SUFFIXES[d.type]) if (simple.endsWith(s) && simple.length > s.length) names.add(simple.slice(0, -s.length));
        for (const a of names) this.addAlias(a, d);
      }
      for (const [alias, target] of Object.entries(manifest.aliases ?? {})) {
        const d = this.byName.get(target);
        if (!d) throw new Error(`alias ${alias} names ${target}, which the plugin does not define`);
        this.addAlias(alias, d);
      }
      this.manifests.push({ manifest, location });
      // one line per plugin, as Kafka Connect logs "Loading plugin from" / "Added plugin": what loaded, which version, from where
      this.logger.info({ plugin: manifest.name, version, location, classes: descs.map((d) => ({ class: d.className, type: d.type, version: d.version })) },
        `Loaded plugin ${manifest.name} ${version} from ${location}: ${descs.map((d) => `${d.className} (${d.type} ${d.version})`).join(', ')}`);
    } catch (e) {
      this.fail(location, e);
    }
  }

  private addAlias(alias: string, d: PluginDesc): void {
    if (this.byName.has(alias) && this.byName.get(alias) !== d) return;
    const cur = this.aliases.get(alias);
    if (cur === undefined) this.aliases.set(alias, d);
    else if (cur !== d) this.aliases.set(alias, null); // ambiguous
  }

  private fail(location: string, e: unknown): void {
    const reason = e instanceof Error ? e.message : String(e);
    this.failures.push({ location, reason });
    this.logger.error({ location, reason }, `plugin at ${location} failed to load: ${reason}`);
  }

  /** Registers a built-in from the explicit list (connectors/builtin/index.ts). */
  async loadBuiltin(b: BuiltinPlugin): Promise<void> {
    let mod: { default: unknown };
    try {
      mod = await b.load();
    } catch (e) {
      this.fail(b.location, e);
      return;
    }
    this.add(mod.default, b.location);
  }

  /** Imports one plugin folder (package.json entry or index.{ts,js,mjs}) or file. */
  private loaded = new Set<string>();

  async loadFrom(location: string): Promise<void> {
    let real = location;
    try { real = fs.realpathSync(location); } catch { /* reported below */ }
    if (this.loaded.has(real)) return; // the same plugin reached twice (plugins/ and plugin.path)
    this.loaded.add(real);
    let entry: string;
    try {
      entry = pluginEntry(location);
      checkSdkRange(location);
    } catch (e) {
      this.fail(location, e);
      return;
    }
    let mod: Record<string, unknown>;
    try {
      await loadableTypeScript(entry);
      mod = await import(pathToFileURL(entry).href);
    } catch (e) {
      this.fail(location, e);
      return;
    }
    const m = (mod.default ?? mod.plugin) as unknown;
    this.add(m && typeof m === 'object' && 'default' in (m as object) && !isManifest(m) ? (m as { default: unknown }).default : m, location);
  }

  /** Every plugin folder in a directory (npm-style: scoped `@x/y` folders too); or the directory itself if it is a plugin. */
  async loadDirectory(dir: string, opts: { skip?: string[] } = {}): Promise<void> {
    if (!fs.existsSync(dir)) { this.fail(dir, new Error('no such directory')); return; }
    if (isPluginFolder(dir) && !opts.skip) { await this.loadFrom(dir); return; }
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() && !e.isSymbolicLink()) continue;
      if (opts.skip?.includes(e.name) || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.name.startsWith('@')) { await this.loadDirectory(p, { skip: [] }); continue; }
      if (isPluginFolder(p)) await this.loadFrom(p);
    }
  }
}

const INDEX = ['index.ts', 'index.mjs', 'index.js'];

export function isPluginFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'package.json')) || INDEX.some((f) => fs.existsSync(path.join(dir, f)));
}

/** Refuses (throws) a plugin whose package.json declares an SDK range this runtime's SDK is not in; checked before its code is imported. */
function checkSdkRange(location: string): void {
  const pj = path.join(location, 'package.json');
  if (!fs.statSync(location).isDirectory() || !fs.existsSync(pj)) return;
  const pkg = JSON.parse(fs.readFileSync(pj, 'utf8'));
  const range = declaredSdkRange(pkg);
  if (range === null) return;
  let ok: boolean;
  try { ok = satisfies(SDK_VERSION, range); } catch { throw new Error(`its package.json declares the SDK range "${range}", which is not a version range`); }
  if (!ok) throw new Error(`it supports ${SDK_PACKAGE} ${range}, but this worker provides ${SDK_PACKAGE} ${SDK_VERSION}; install a version of the plugin built for SDK ${SDK_VERSION.split('.')[0]}.x`);
}

export function pluginEntry(location: string): string {
  const st = fs.statSync(location);
  if (st.isFile()) return location;
  const pj = path.join(location, 'package.json');
  if (fs.existsSync(pj)) {
    const pkg = JSON.parse(fs.readFileSync(pj, 'utf8')) as { main?: string; exports?: unknown; tributary?: { plugin?: string } };
    let rel: string | undefined = pkg.tributary?.plugin;
    if (!rel && pkg.exports) {
      const x = pkg.exports as any;
      const dot = typeof x === 'string' ? x : x['.'] ?? x;
      rel = typeof dot === 'string' ? dot : dot?.import ?? dot?.default;
    }
    rel ??= pkg.main;
    if (rel) {
      const p = path.resolve(location, rel);
      if (!fs.existsSync(p)) throw new Error(`package.json names entry ${rel}, which does not exist`);
      return p;
    }
  }
  for (const f of INDEX) if (fs.existsSync(path.join(location, f))) return path.join(location, f);
  throw new Error('no entry module (package.json "main"/"exports"/"tributary.plugin", or index.ts/index.js)');
}

export interface LoadPluginsOptions {
  /** `plugin.path` entries: plugin folders or directories of plugin folders */
  pluginPath: string[];
  /** Manifests given in-process (tests, embedding), after everything else. */
  extra?: PluginManifest[];
  logger: Logger;
  /** Load the plugins under the repository's plugins/ (the example plugins; default true). */
  scanPluginsDir?: boolean;
  /** The built-ins to load (default: connectors/builtin/index.ts's list). */
  builtins?: readonly BuiltinPlugin[];
}

/** Loads the built-ins (explicit list), plugins/* (except the SDK), plugin.path, then in-process manifests. */
export async function loadPlugins(opts: LoadPluginsOptions): Promise<Plugins> {
  const plugins = new Plugins(opts.logger);
  for (const b of opts.builtins ?? BUILTIN_PLUGINS) await plugins.loadBuiltin(b);
  if (opts.scanPluginsDir !== false) await plugins.loadDirectory(path.join(repoRoot, 'plugins'), { skip: ['sdk'] });
  for (const p of opts.pluginPath) await plugins.loadDirectory(path.resolve(p));
  for (const m of opts.extra ?? []) plugins.add(m, `in-process:${m.name}`);
  return plugins;
}

/**
 * Code running from a bundle (the CLI's or a task thread's: plain JavaScript, no loader)
 * registers tsx only when a plugin written in TypeScript (or importing .ts files from its
 * entry) is loaded; from the sources tsx is registered already.
 */
let typeScript = false;
async function loadableTypeScript(entry: string): Promise<void> {
  if (typeScript || !(globalThis as Record<string, unknown>)[BUNDLE_FLAG]) return;
  if (!/\.[cm]?tsx?$/.test(entry) && !/\.[cm]?tsx?['"]/.test(fs.readFileSync(entry, 'utf8'))) return;
  const { register } = await import('tsx/esm/api');
  register();
  typeScript = true;
}
