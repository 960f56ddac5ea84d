// The task thread's code as one pre-bundled module (issue 21), and the same cache for
// the CLI (bin/tributary.mjs through app/bundle.ts). A thread started on
// task-thread-entry.mjs loads ~90 TypeScript files through tsx's loader hooks, which
// cost about as much CPU as the Kafka client library itself; esbuild (tsx's own
// transformer, so always installed) bundles them once into plain JavaScript the thread
// imports without tsx. npm packages stay outside the bundle (some read files beside
// their own code) except those a spec lists in `inline`, each built-in connector is its
// own chunk (loaded only by the tasks that use it), and `import.meta.url` keeps meaning
// each source file's own URL.
// The task thread inlines the Kafka client library with its dependencies: loading its
// ~330 files one by one from node_modules took a thread ~40% of its start. (The library
// also compiles ~40 option validators (ajv) at import, another ~45%: that stays, the
// library's own business; a spare thread, loaded ahead, hides it from a task's start.)
// The bundle is cached in the OS temp directory, keyed by the sizes and mtimes of the
// files it was built from, so a worker start usually finds it built. Anything failing
// here falls back to the tsx entry: slower to start, same behaviour.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(HERE, 'task-thread.ts');
/** What a cache holds: one entry module and the chunks it loads lazily. */
export interface BundleSpec {
  /** names the cache folder and the entry's output file (`<name>.mjs`) */
  name: string;
  /** the TypeScript entry point */
  source: string;
  /** more for the bundle's first line (which always sets BUNDLE_FLAG) */
  banner?: string;
  /** npm packages bundled in (each with its own files), instead of imported from node_modules at run time */
  inline?: string[];
}
/** Set by a bundle's first line: the process or thread then registers tsx only for a plugin written in TypeScript (plugins.ts). */
export const BUNDLE_FLAG = '__tributaryTaskThreadBundle';

interface Index { key: string; inputs: string[] }

/** The node_modules folder the sources resolve packages from (the bundle's bare imports must find the same). */
function nodeModulesOf(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    const m = path.join(d, 'node_modules');
    if (fs.existsSync(m)) return fs.realpathSync(m);
    if (path.dirname(d) === d) return null;
  }
}

function keyOf(inputs: string[]): string | null {
  const h = crypto.createHash('sha256');
  for (const f of inputs) {
    let st: fs.Stats;
    try { st = fs.statSync(f); } catch { return null; }
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

async function build(base: string, spec: BundleSpec): Promise<string> {
  const { build: esbuild } = await import('esbuild');
  const tmp = fs.mkdtempSync(path.join(base, 'build-'));
  const keepUrl = {
    name: 'keep-import-meta-url',
    setup(b: import('esbuild').PluginBuild) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, async (a) => {
        const src = await fs.promises.readFile(a.path, 'utf8');
        // a regular expression, not the text itself: this file is bundled too (into the CLI), and
        // the text would be replaced here, leaving a bundled builder that replaces nothing
        return { contents: src.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(a.path).href)), loader: 'ts' };
      });
      if (!inline.length) return;
      // inlined packages' files: their own URL too (createRequire(import.meta.url) resolves from where they are installed)
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (a) => {
        let src = await fs.promises.readFile(a.path, 'utf8');
        if (!/\.cjs$/.test(a.path)) src = src.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(a.path).href));
        return { contents: src, loader: 'js' };
      });
    },
  };
  // every other bare import stays an import of node_modules (a package's subpath included)
  const inline = spec.inline ?? [];
  const inlined = (p: string) => inline.some((n) => p === n || p.startsWith(`${n}/`));
  const external = {
    name: 'external-packages',
    setup(b: import('esbuild').PluginBuild) {
      b.onResolve({ filter: /^[^./]/ }, (a) => (/^node:/.test(a.path) || !inlined(a.path) ? { path: a.path, external: true } : undefined));
    },
  };
  // an inlined CommonJS package's require() of a builtin or of a package left outside
  const banner = inline.length ? `import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta.url);` : '';
  const r = await esbuild({
    entryPoints: { [spec.name]: spec.source }, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    supported: { 'import-attributes': true }, ...(inline.length ? {} : { packages: 'external' as const }), outdir: tmp, outExtension: { '.js': '.mjs' },
    ...(spec.banner || banner ? { banner: { js: `${spec.banner ?? ''}${banner}` } } : {}), plugins: inline.length ? [external, keepUrl] : [keepUrl], metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile.inputs).map((f) => path.resolve(f)).sort();
  const key = keyOf(inputs);
  if (!key) throw new Error(`a source file changed while the ${spec.name} bundle was built`);
  const dir = path.join(base, key);
  try { fs.renameSync(tmp, dir); } catch { fs.rmSync(tmp, { recursive: true, force: true }); } // built meanwhile by another process
  const index = path.join(base, `index-${process.pid}.json`);
  fs.writeFileSync(index, JSON.stringify({ key, inputs } satisfies Index));
  fs.renameSync(index, path.join(base, 'index.json'));
  // bundles of older sources (~1 MB each): a process started before the change may still
  // start threads from its own, so only week-old ones go (the pool falls back to tsx if its bundle is gone)
  for (const e of fs.readdirSync(base)) {
    const p = path.join(base, e);
    if (e === key || !/^[0-9a-f]{16}$/.test(e)) continue;
    try { if (Date.now() - fs.statSync(path.join(p, `${spec.name}.mjs`)).mtimeMs > 7 * 86400_000) fs.rmSync(p, { recursive: true, force: true }); } catch { /* another process cleaned it */ }
  }
  return dir;
}

const built = new Map<string, Promise<URL>>();

/**
 * The URL of a bundle's entry module (built or found in the cache, one per source
 * folder and name in the OS temp directory). Rejects when it cannot be built; callers
 * then load the TypeScript sources through tsx.
 */
export function cachedBundle(spec: BundleSpec): Promise<URL> {
  spec = { ...spec, banner: `globalThis.${BUNDLE_FLAG} = true;${spec.banner ?? ''}` };
  let p = built.get(spec.name);
  if (p) return p;
  p = (async () => {
    const modules = nodeModulesOf(path.dirname(spec.source));
    if (!modules) throw new Error(`no node_modules above ${spec.source}`);
    const base = path.join(os.tmpdir(), `tributary-${spec.name}-${crypto.createHash('sha256').update(path.dirname(spec.source)).digest('hex').slice(0, 12)}`);
    fs.mkdirSync(base, { recursive: true });
    // the bundle's package imports resolve through this link to the packages the sources use
    const link = path.join(base, 'node_modules');
    if (!fs.existsSync(link) || fs.realpathSync(link) !== modules) {
      fs.rmSync(link, { force: true });
      try { fs.symlinkSync(modules, link, 'dir'); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
    }
    let dir: string | null = null;
    try {
      const index = JSON.parse(fs.readFileSync(path.join(base, 'index.json'), 'utf8')) as Index;
      const key = keyOf(index.inputs);
      if (key === index.key && fs.existsSync(path.join(base, key, `${spec.name}.mjs`))) dir = path.join(base, key);
    } catch { /* not built yet */ }
    dir ??= await build(base, spec);
    return pathToFileURL(path.join(dir, `${spec.name}.mjs`));
  })();
  p.catch(() => built.delete(spec.name));
  built.set(spec.name, p);
  return p;
}

/** The URL of the bundled task thread entry, for `new Worker(url)`; rejects when it cannot be built (the caller uses the tsx entry). */
export function taskThreadBundle(): Promise<URL> {
  return cachedBundle({ name: 'task-thread', source: SOURCE, inline: [...KAFKA_LIBRARY, ...CONVERTER_FORMATS] });
}

/** What the built-in converters import (registry/'s formats), loaded by every task: the converters are one plugin. */
const CONVERTER_FORMATS = ['avsc', 'protobufjs', '@protobufjs', 'long', 'ajv-formats'];

/** The Kafka client library (client/'s) and the packages it imports, all plain JavaScript read from nowhere else. */
const KAFKA_LIBRARY = ['@platformatic/kafka', '@platformatic/dynamic-buffer', 'ajv', 'fast-deep-equal', 'fast-uri', 'json-schema-traverse', 'require-from-string', 'debug', 'ms', 'fastq', 'reusify', 'mnemonist', 'obliterator', 'scule'];

