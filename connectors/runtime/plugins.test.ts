// The plugin loader on its own (no broker): what it loads, and what it logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadPlugins } from './plugins.ts';
import { BUILTIN_PLUGINS } from '../builtin/index.ts';

const repo = path.resolve(import.meta.dirname, '../..');

test('start-up logs each plugin with its classes, versions and location; built-ins come from the explicit list', async () => {
  const lines: { msg: string; plugin?: string; version?: string; location?: string; classes?: { class: string; type: string; version: string }[] }[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(c.toString())); cb(); } }));
  const plugins = await loadPlugins({ pluginPath: [], logger });
  const loaded = lines.filter((l) => l.plugin);
  // the built-ins first, in the order of connectors/builtin/index.ts, then plugins/*
  const builtins = BUILTIN_PLUGINS.map((b) => b.name);
  assert.ok(builtins.includes('file') && builtins.includes('postgres'));
  assert.deepEqual(loaded.slice(0, builtins.length).map((l) => l.plugin), builtins);
  for (const p of ['example-datagen', 'http-source']) assert.ok(loaded.slice(builtins.length).some((l) => l.plugin === p), `${p} from plugins/`);
  const file = loaded.find((l) => l.plugin === 'file')!;
  assert.equal(file.location, path.join(repo, 'connectors/builtin/file'));
  assert.ok(file.classes!.some((c) => c.class === 'org.apache.kafka.connect.file.FileStreamSourceConnector' && c.type === 'source' && c.version));
  const gen = loaded.find((l) => l.plugin === 'example-datagen')!;
  assert.equal(gen.location, path.join(repo, 'plugins/example-datagen'));
  assert.match(gen.msg, /^Loaded plugin example-datagen 1\.0\.0 from .*plugins\/example-datagen: com\.example\.datagen\.DatagenSourceConnector \(source 1\.0\.0\)$/);
  assert.equal(plugins.failures.length, 0);
  assert.ok(!plugins.list().some((p) => p.className.includes('Collecting')), 'test-kit plugins are not loaded outside tests');
});
