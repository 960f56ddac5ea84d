// The repository's import graph, read from the source text: every relative import,
// export-from and literal import() of the .ts/.tsx/.mts/.mjs files, resolved to files.
// test/architecture.test.ts checks it for cycles and for the boundaries in RULES;
// `node --import tsx scripts/import-graph.ts` prints what it finds.
import fs from 'node:fs';
import path from 'node:path';

export interface Edge { from: string; to: string; typeOnly: boolean }

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'data', 'coverage']);

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

// `import … from '…'` / `export … from '…'` at the start of a line (so commented-out lines
// and most code in strings do not count); the clause may span lines but holds only names.
const FROM = /^[ \t]*(import|export)[ \t]+(type[ \t]+)?([\w$*{},\s]*?)[ \t\n]*from[ \t]*['"]([^'"\n]+)['"]/gm;
const BARE = /^[ \t]*import[ \t]*['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The specifiers a file imports, each with whether only types are taken. */
export function specifiers(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(FROM)) {
    const clause = m[3].replace(/^\{|\}$/g, '').trim();
    const names = clause.replace(/[{}]/g, ' ').split(',').map((s) => s.trim()).filter(Boolean);
    const typeOnly = !!m[2] || (clause.startsWith('{') || m[3].trim().startsWith('{')) && names.length > 0 && names.every((n) => n.startsWith('type '));
    out.push({ spec: m[4], typeOnly });
  }
  for (const m of text.matchAll(BARE)) out.push({ spec: m[1], typeOnly: false });
  for (const m of text.matchAll(DYNAMIC)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

function resolve(root: string, from: string, spec: string, files: Set<string>): string | null {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return null; // a package
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`, base.replace(/\.js$/, '.ts')]) {
    if (files.has(c)) return c;
  }
  return null;
}

export function importGraph(root: string): { files: string[]; edges: Edge[] } {
  const files = sourceFiles(root);
  const set = new Set(files);
  const edges: Edge[] = [];
  for (const f of files) {
    const seen = new Map<string, boolean>();
    for (const { spec, typeOnly } of specifiers(fs.readFileSync(path.join(root, f), 'utf8'))) {
      const to = resolve(root, f, spec, set);
      if (!to || to === f) continue;
      seen.set(to, (seen.get(to) ?? true) && typeOnly);
    }
    for (const [to, typeOnly] of seen) edges.push({ from: f, to, typeOnly });
  }
  return { files, edges };
}

/** Every import cycle, one per strongly connected component (Tarjan), as the files in it. */
export function cycles(edges: Edge[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) { if (!adj.has(e.from)) adj.set(e.from, []); adj.get(e.from)!.push(e.to); }
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>(), stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** Test code and test scaffolding: exempt from the boundaries (not from cycles). */
export function isTestCode(file: string): boolean {
  return /\.test\.tsx?$/.test(file) || /^(test|bench)\//.test(file) || /(^|\/)testing\//.test(file);
}

export interface Rule {
  /** files this rule is about (prefix of the path) */
  from: string;
  /** path prefixes they may import besides their own folder; the most specific `from` applies */
  may: string[];
  why: string;
}

/**
 * What each component may import (ARCHITECTURE.md, STYLE.md convention 1). Its own
 * folder is always allowed. Test code (isTestCode) may import anything.
 */
// The registry's public decoding surface: the Confluent wire format, the formats, the HTTP client.
const REGISTRY_SERDE = ['registry/serde.ts', 'registry/formats/', 'registry/client.ts'];

// Leaf helpers every component shares (the one config-definition helper, the one
// error-table shape); they import nothing, so sharing them makes no component depend on another.
const COMMON = 'common/';

export const RULES: Rule[] = [
  { from: 'common/', may: [], why: 'the shared leaf helpers import nothing' },
  { from: 'server/', may: [COMMON], why: 'the broker imports nothing outside server/ but the shared leaf helpers (common/)' },
  { from: 'client/', may: [COMMON], why: 'the internal Kafka client imports no component' },
  { from: 'registry/', may: ['client/', COMMON], why: 'the registry reaches the broker only through client/' },
  { from: 'connectors/', may: ['client/', 'plugins/sdk/', COMMON, ...REGISTRY_SERDE], why: 'the Connect runtime: client/, the plugin SDK, the registry\'s formats, serde and HTTP client' },
  { from: 'connectors/builtin/', may: ['plugins/sdk/', ...REGISTRY_SERDE], why: 'built-in connectors are written like third-party ones: the plugin SDK (converters also use the registry\'s formats, serde and HTTP client)' },
  { from: 'connectors/builtin/mirror/', may: ['plugins/sdk/', 'client/'], why: 'MirrorMaker 2 is a Kafka client of two clusters besides a connector: the plugin SDK, and client/ (the platform\'s one Kafka client) for its own source reads, admin calls and offset syncs' },
  { from: 'plugins/', may: [], why: 'the SDK and third-party plugins import no component' },
  { from: 'plugins/sdk/', may: [COMMON], why: 'the SDK imports no component; it re-exports the shared config-definition helper (its package build ships common/)' },
  { from: 'plugins/example-datagen/', may: ['plugins/sdk/'], why: 'a plugin imports only the SDK' },
  { from: 'ui/src/', may: ['ui/shared/'], why: 'the browser app reaches everything over HTTP; shares only API types' },
  { from: 'ui/shared/', may: [], why: 'API types shared by the UI server and the browser app' },
  { from: 'ui/', may: ['client/', 'ui/shared/', COMMON, ...REGISTRY_SERDE], why: 'the UI server reaches the broker through client/, registry and Connect over HTTP (decoding with the registry\'s serde)' },
  { from: 'streams/', may: ['client/', COMMON, ...REGISTRY_SERDE], why: 'the stream-processing library reaches the broker through client/; its registry serdes use the registry\'s wire format, formats and HTTP client' },
  { from: 'app/', may: ['server/', 'registry/', 'connectors/', 'ui/', 'client/', 'plugins/', 'streams/', COMMON], why: 'the composition root wires every component' },
  { from: 'scripts/', may: [], why: 'build and test scripts' },
  { from: 'bin/', may: ['app/'], why: 'the executable hands over to the CLI' },
];

export function ruleFor(file: string, rules = RULES): Rule | undefined {
  return rules.filter((r) => file.startsWith(r.from)).sort((a, b) => b.from.length - a.from.length)[0];
}

/** Imports that break a rule; a file under no rule is reported too, so a new folder gets a rule. */
export function violations(edges: Edge[], rules = RULES): { edge: Edge; rule: Rule | undefined }[] {
  const out: { edge: Edge; rule: Rule | undefined }[] = [];
  for (const e of edges) {
    if (isTestCode(e.from)) continue;
    const rule = ruleFor(e.from, rules);
    if (!rule) { out.push({ edge: e, rule }); continue; }
    if (e.to.startsWith(rule.from) || rule.may.some((p) => e.to.startsWith(p))) continue;
    out.push({ edge: e, rule });
  }
  return out;
}

/**
 * The Kafka client libraries: only client/ (the platform's one internal Kafka client) may
 * import them; every other component goes through client/. Test code may (it drives the
 * broker with several real clients).
 */
export const KAFKA_LIBRARIES = ['@platformatic/kafka', 'kafkajs'];
const MAY_IMPORT_KAFKA_LIBRARIES = [
  'client/',
  // test scaffolding for plugin authors: its public API hands their tests a kafkajs client
  'plugins/sdk/testkit.ts',
];

/** Imports of a Kafka client library outside client/ and test code. */
export function libraryViolations(root: string, files = sourceFiles(root), read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8')): { from: string; spec: string }[] {
  const out: { from: string; spec: string }[] = [];
  for (const f of files) {
    if (isTestCode(f) || MAY_IMPORT_KAFKA_LIBRARIES.some((p) => f.startsWith(p))) continue;
    for (const { spec } of specifiers(read(f))) {
      if (KAFKA_LIBRARIES.some((l) => spec === l || spec.startsWith(`${l}/`))) out.push({ from: f, spec });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(import.meta.dirname, '..');
  const { files, edges } = importGraph(root);
  console.log(`${files.length} files, ${edges.length} imports`);
  for (const c of cycles(edges)) console.log(`cycle: ${c.join(' ')}`);
  for (const { edge, rule } of violations(edges)) console.log(`${edge.from} -> ${edge.to}${edge.typeOnly ? ' (types)' : ''}: ${rule ? rule.why : 'no rule covers this file'}`);
  for (const v of libraryViolations(root)) console.log(`${v.from} -> ${v.spec}: only client/ imports a Kafka client library`);
}
