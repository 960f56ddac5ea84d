// The repository's shape: no import cycles, and each component imports only what
// scripts/import-graph.ts RULES allows (server/ nothing outside itself, …).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cycles, importGraph, libraryViolations, violations, RULES, type Edge } from '../scripts/import-graph.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

// Cycles known today, each to be cut by the work named beside it; the test fails
// if one of these is gone (then delete it here) or any other cycle appears.
// (Empty since the broker recut removed the service-locator cycle through broker.ts.)
const KNOWN_CYCLES: { files: string[]; until: string }[] = [];

const show = (e: Edge) => `${e.from} -> ${e.to}${e.typeOnly ? ' (types only)' : ''}`;

test('no import cycles among the repository\'s source files (type-only imports count)', () => {
  const { edges } = importGraph(ROOT);
  const found = cycles(edges).map((c) => c.join(' '));
  const known = KNOWN_CYCLES.map((k) => [...k.files].sort().join(' '));
  const fresh = found.filter((c) => !known.includes(c));
  assert.deepEqual(fresh, [], `import cycles (follow the arrows, cut one):\n${fresh.map((c) => {
    const files = new Set(c.split(' '));
    return edges.filter((e) => files.has(e.from) && files.has(e.to)).map((e) => `  ${show(e)}`).join('\n');
  }).join('\n\n')}`);
  const gone = known.filter((c) => !found.includes(c));
  assert.deepEqual(gone, [], 'a known cycle is gone: remove it from KNOWN_CYCLES');
});

test('each component imports only what its rule allows (server/ nothing outside itself)', () => {
  const { files, edges } = importGraph(ROOT);
  assert.ok(files.length > 100 && edges.length > 300, `the scanner found ${files.length} files and ${edges.length} imports`);
  const bad = violations(edges);
  assert.deepEqual(bad.map(({ edge, rule }) => `${show(edge)}: ${rule ? rule.why : 'no rule in RULES covers this file'}`), []);
});

test('only client/ imports a Kafka client library (one internal client path)', () => {
  assert.deepEqual(libraryViolations(ROOT).map((v) => `${v.from} -> ${v.spec}`), []);
  const fake: Record<string, string> = {
    'streams/x.ts': "import { Consumer } from '@platformatic/kafka';\n",
    'ui/server/y.ts': "const k = await import('kafkajs/src/consumer/batch.js');\n",
    'client/z.ts': "import { Consumer } from '@platformatic/kafka';\n",
    'test/w.test.ts': "import { Kafka } from 'kafkajs';\n",
  };
  assert.deepEqual(libraryViolations('/nowhere', Object.keys(fake), (f) => fake[f]).map((v) => `${v.from} -> ${v.spec}`),
    ['streams/x.ts -> @platformatic/kafka', 'ui/server/y.ts -> kafkajs/src/consumer/batch.js'], 'the checker sees an import outside client/');
});

test('the checker sees a deliberately introduced cycle and a boundary crossing', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (f: string, text: string) => { fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true }); fs.writeFileSync(path.join(dir, f), text); };
  write('server/a.ts', "import { b } from './b.ts';\nexport const a = () => b;\n");
  write('server/b.ts', "import type {\n  A,\n} from './c.ts';\nexport const b = 1;\n");
  write('server/c.ts', "export type { X as A } from './a.ts';\n// import { z } from './z.ts';\n");
  write('server/d.ts', "export const load = () => import('../registry/index.ts');\n");
  write('registry/index.ts', "import fs from 'node:fs';\nexport { fs };\n");
  write('registry/index.test.ts', "import '../server/a.ts';\n");
  const { edges } = importGraph(dir);
  assert.deepEqual(cycles(edges), [['server/a.ts', 'server/b.ts', 'server/c.ts']]);
  assert.ok(edges.find((e) => e.from === 'server/b.ts')!.typeOnly);
  assert.ok(!edges.find((e) => e.from === 'server/a.ts')!.typeOnly);
  const bad = violations(edges, RULES);
  assert.deepEqual(bad.map(({ edge }) => `${edge.from} -> ${edge.to}`), ['server/d.ts -> registry/index.ts']);
});

// One config-definition helper (common/config-def.ts, Kafka's ConfigDef): a component
// that grows its own again (a type vocabulary of its own, its own ConfigDef/ConfigKey,
// a config schema on Ajv) fails here. Test code is exempt.
const OWN_CONFIG_SYSTEM = [
  { re: /^export\s+type\s+ConfigType\s*=/m, what: 'a config type vocabulary of its own (ConfigType)' },
  { re: /^export\s+(abstract\s+)?class\s+ConfigDef\b/m, what: 'a ConfigDef class of its own' },
  { re: /^export\s+interface\s+ConfigKey\b/m, what: 'a ConfigKey of its own' },
];

function ownConfigSystems(root: string, files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.startsWith('common/') || /\.test\.tsx?$/.test(f) || /^(test|bench)\//.test(f) || f.startsWith('ui/src/')) continue;
    const text = fs.readFileSync(path.join(root, f), 'utf8');
    for (const { re, what } of OWN_CONFIG_SYSTEM) if (re.test(text)) out.push(`${f}: ${what}`);
    if (/(^|\/)config\.ts$/.test(f) && /from\s+['"]ajv['"]/.test(text)) out.push(`${f}: a config schema on Ajv`);
  }
  return out;
}

test('one config-definition helper: no component defines configs with a system of its own', (t) => {
  const { files } = importGraph(ROOT);
  assert.deepEqual(ownConfigSystems(ROOT, files), [], 'define configs with common/config-def.ts (ConfigDef; plugins through plugins/sdk)');
  // and the check sees one
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'server'));
  fs.writeFileSync(path.join(dir, 'server/config.ts'), "export type ConfigType = 'int' | 'long';\n");
  fs.mkdirSync(path.join(dir, 'registry'));
  fs.writeFileSync(path.join(dir, 'registry/config.ts'), "import AjvModule from 'ajv';\n");
  assert.deepEqual(ownConfigSystems(dir, ['registry/config.ts', 'server/config.ts']), [
    'registry/config.ts: a config schema on Ajv', 'server/config.ts: a config type vocabulary of its own (ConfigType)',
  ]);
});

// registry/serde.ts is the platform's one decoder of the Confluent wire format (magic
// byte 0, schema id as int32 at byte 1): nothing else tests the magic byte or reads the
// id itself (wireSchemaId / decodeWire / RegistrySerde do).
const WIRE_FORMAT_READ = /\bMAGIC_BYTE\b|\.read(U?)Int32BE\(\s*1\s*\)/;
const NOT_WIRE_FORMAT: Record<string, string> = {
  'streams/dsl/kstream.ts': 'the foreign-key join subscription wrapper (op byte, then a hash at byte 1), a format of its own',
};

function wireFormatReaders(root: string, files: string[]): string[] {
  return files.filter((f) => f !== 'registry/serde.ts' && !(f in NOT_WIRE_FORMAT) && !/\.test\.tsx?$/.test(f) && !/^(test|bench)\//.test(f)
    && WIRE_FORMAT_READ.test(fs.readFileSync(path.join(root, f), 'utf8')));
}

test('registry/serde.ts is the only Confluent wire-format decoder', (t) => {
  const { files } = importGraph(ROOT);
  assert.deepEqual(wireFormatReaders(ROOT, files), [], 'decode the wire format with registry/serde.ts (wireSchemaId, decodeWire, RegistrySerde)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-wire-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'ui'));
  fs.writeFileSync(path.join(dir, 'ui/render.ts'), 'export const id = (b: Buffer) => (b[0] === 0 ? b.readInt32BE(1) : null);\n');
  assert.deepEqual(wireFormatReaders(dir, ['ui/render.ts']), ['ui/render.ts']);
});

// One error-table shape (common/error-table.ts): a component's table of error codes is
// declared with errorTable(), so a new one written as a bare object literal fails here.
const BARE_ERROR_TABLE = /^export\s+const\s+\w*ERRORS\w*\s*(:[^=]+)?=\s*\{/m;

function bareErrorTables(root: string, files: string[]): string[] {
  return files.filter((f) => !f.startsWith('common/') && !/\.test\.tsx?$/.test(f) && !/^(test|bench)\//.test(f)
    && BARE_ERROR_TABLE.test(fs.readFileSync(path.join(root, f), 'utf8')));
}

test('one error-table shape: every table of error codes is declared with errorTable()', (t) => {
  const { files } = importGraph(ROOT);
  assert.deepEqual(bareErrorTables(ROOT, files), [], 'declare it as errorTable({ NAME: { code, status?, retriable?, message } }) (common/error-table.ts)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-errors-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'streams'));
  fs.writeFileSync(path.join(dir, 'streams/errors.ts'), "export const STREAMS_ERRORS = {\n  A: { status: 1, doc: 'a' },\n};\n");
  assert.deepEqual(bareErrorTables(dir, ['streams/errors.ts']), ['streams/errors.ts']);
});
