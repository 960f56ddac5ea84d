// The SDK as its own package, used as a third party uses it: a plugin in a temp dir
// outside the repository, whose only dependency is @tributary/connect-sdk (compiled
// JS + types, built from plugins/sdk with its own tsconfig.build.json and laid out in
// node_modules as npm installs it), is compiled with tsc against the shipped types,
// loads through plugin.path with no TypeScript loader, is listed, validates, runs,
// and its own test-kit test passes. A plugin declaring an SDK range this runtime does
// not provide is refused with a message naming the range; the worker keeps running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestKit } from './helpers/connect.ts';
import { BIN, ROOT } from './helpers/process.ts';

const SDK_DIR = path.join(ROOT, 'plugins/sdk');
const TSC = path.join(ROOT, 'node_modules/.bin/tsc');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, out }));
  });
}

const PLUGIN_SRC = `
import { ConfigDef, SourceConnector, SourceTask, Validators, definePlugin, S, type Props, type SourceRecord, type SourceTaskContext } from '@tributary/connect-sdk';

const config = () => new ConfigDef()
  .define({ name: 'topic', type: 'STRING', documentation: 'Topic to write to.', validator: Validators.nonEmptyString() })
  .define({ name: 'count.to', type: 'LONG', default: 10, documentation: 'Stop after this number.', validator: Validators.range(1, null) });

export class CounterSourceConnector extends SourceConnector {
  private props: Props = {};
  version() { return '0.1.0'; }
  config() { return config(); }
  start(props: Props) { this.props = props; }
  taskConfigs(): Props[] { return [this.props]; }
  stop() {}
  taskClass() { return CounterSourceTask; }
}

export class CounterSourceTask extends SourceTask {
  private topic = '';
  private to = 0;
  private next = 0;
  version() { return '0.1.0'; }
  async start(props: Props, ctx: SourceTaskContext) {
    const c = config().parse(props);
    this.topic = c.topic;          // typed: string
    this.to = c['count.to'];       // typed: number
    const o = await ctx.offsetStorageReader.offset({ counter: this.topic });
    this.next = (o?.next as number | undefined) ?? 0;
    ctx.logger.info({ next: this.next }, 'counter starting');
  }
  async poll(): Promise<SourceRecord[] | null> {
    await new Promise((r) => setTimeout(r, 20));
    if (this.next >= this.to) return null;
    const n = this.next++;
    return [{ sourcePartition: { counter: this.topic }, sourceOffset: { next: n + 1 }, topic: this.topic, valueSchema: S.string(), value: 'n' + n }];
  }
  stop() {}
}

export default definePlugin({ name: 'acme-counter', version: '0.1.0', connectors: { 'com.acme.CounterSourceConnector': CounterSourceConnector } });
`;

const PLUGIN_TEST = `
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestKit } from '@tributary/connect-sdk/testkit';

test('the counter runs on a real worker loading it from plugin.path', async (t) => {
  const kit = await startTestKit({ workerConfig: { 'plugin.path': path.resolve(import.meta.dirname, '..') } });
  t.after(() => kit.close());
  const plugins = (await kit.request('GET', '/connector-plugins')).body as { class: string; version: string }[];
  assert.deepEqual(plugins.find((p) => p.class === 'com.acme.CounterSourceConnector'), { class: 'com.acme.CounterSourceConnector', type: 'source', version: '0.1.0' });
  const bad = await kit.request('PUT', '/connector-plugins/CounterSource/config/validate', { 'connector.class': 'CounterSource', name: 'c', 'count.to': '0' });
  assert.equal(bad.body.error_count, 2);
  await kit.createConnector('count', { 'connector.class': 'CounterSource', topic: 'counts', 'count.to': '5', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  await kit.waitForRunning('count');
  const msgs = await kit.consume('counts', { count: 5 });
  assert.deepEqual(msgs.map((m) => m.value!.toString()), ['n0', 'n1', 'n2', 'n3', 'n4']);
});
`;

/** What `npm install @tributary/connect-sdk` leaves in a plugin's node_modules: the package's files (dist built by its build script) and its dependency. */
async function installSdk(pluginDir: string): Promise<void> {
  const pkg = path.join(pluginDir, 'node_modules/@tributary/connect-sdk');
  fs.mkdirSync(pkg, { recursive: true });
  const b = await run(TSC, ['-p', path.join(SDK_DIR, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist')], SDK_DIR);
  assert.equal(b.code, 0, `the SDK builds: ${b.out}`);
  fs.copyFileSync(path.join(SDK_DIR, 'package.json'), path.join(pkg, 'package.json'));
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(manifest.dependencies), ['kafkajs'], 'the SDK depends on no package of the platform');
  fs.symlinkSync(path.join(ROOT, 'node_modules/kafkajs'), path.join(pluginDir, 'node_modules/kafkajs'));
  // dev-only, to compile the plugin's TypeScript
  fs.mkdirSync(path.join(pluginDir, 'node_modules/@types'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules/@types/node'), path.join(pluginDir, 'node_modules/@types/node'));
}

async function makePlugin(base: string): Promise<string> {
  const dir = path.join(base, 'acme-counter');
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-counter', version: '0.1.0', type: 'module', main: 'dist/index.js', peerDependencies: { '@tributary/connect-sdk': '^1.0.0' } }, null, 2));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], rootDir: 'src', outDir: 'dist' }, include: ['src'] }));
  fs.writeFileSync(path.join(dir, 'src/index.ts'), PLUGIN_SRC);
  fs.writeFileSync(path.join(dir, 'src/counter.test.ts'), PLUGIN_TEST);
  await installSdk(dir);
  const c = await run(TSC, ['-p', dir], dir);
  assert.equal(c.code, 0, `the plugin compiles against the SDK's shipped types: ${c.out}`);
  return dir;
}

test('a plugin outside the repository, with only the SDK package as dependency and compiled JS, loads, validates, runs and passes its own test-kit test', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-thirdparty-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const dir = await makePlugin(base);
  assert.ok(!path.relative(ROOT, dir).startsWith('tributary') && path.relative(ROOT, dir).startsWith('..'), 'outside the repository');
  // its own test, run as its author runs it: plain node, no TypeScript loader, the tributary command from TRIBUTARY_BIN
  const env: NodeJS.ProcessEnv = { ...process.env, TRIBUTARY_BIN: BIN };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT; // a fresh test run, not a subtest of this one
  const r = await run(process.execPath, ['--test', '--test-reporter=tap', 'dist/counter.test.js'], dir, env);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /# pass 1/);
});

test('a plugin declaring an SDK range this worker does not provide is refused, naming the range; the worker and the other plugins go on', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-thirdparty-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  await makePlugin(base);
  const future = path.join(base, 'acme-future');
  fs.mkdirSync(future);
  fs.writeFileSync(path.join(future, 'package.json'), JSON.stringify({ name: 'acme-future', version: '3.0.0', type: 'module', main: 'index.js', peerDependencies: { '@tributary/connect-sdk': '^2.0.0' } }));
  fs.writeFileSync(path.join(future, 'index.js'), `throw new Error('imported although its SDK range was refused');\n`);
  const lines: { location?: string; reason?: string }[] = [];
  const logger = pino({ level: 'error' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(c.toString())); cb(); } }));
  const kit = await startTestKit({ scanPluginsDir: false, workerConfig: { 'plugin.path': base }, logger });
  t.after(() => kit.close());
  const refusal = lines.find((l) => l.location === future);
  assert.ok(refusal, 'the refusal is logged with the plugin\'s location');
  // the worker names the SDK version it provides: the SDK package's own
  const sdkVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugins/sdk/package.json'), 'utf8')).version as string;
  assert.match(sdkVersion, /^1\.\d+\.\d+$/);
  assert.ok(refusal!.reason!.includes(`supports @tributary/connect-sdk ^2.0.0, but this worker provides @tributary/connect-sdk ${sdkVersion}`), refusal!.reason);
  const classes = ((await kit.request('GET', '/connector-plugins')).body as { class: string }[]).map((p) => p.class);
  assert.ok(classes.includes('com.acme.CounterSourceConnector'), 'the compatible plugin (compiled JS, its own SDK copy) loads beside it');
  await kit.createConnector('count', { 'connector.class': 'CounterSource', topic: 'c2', 'count.to': '3', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  assert.deepEqual((await kit.consume('c2', { count: 3 })).map((m) => m.value!.toString()), ['n0', 'n1', 'n2']);
});
