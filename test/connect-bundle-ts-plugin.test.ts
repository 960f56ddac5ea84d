// A TypeScript plugin in plugin.path x the bundled CLI: `tributary connect`, started by
// bin/tributary.mjs from its esbuild bundle (TRIBUTARY_BUNDLE=1: no fallback to the sources,
// no tsx preloaded), loads a plugin folder written in TypeScript (connectors/runtime/plugins.ts
// registers tsx for it, in the worker and in each task thread, which runs its own bundle).
// The plugin's source task, transform (SMT) and converter run together in one pipeline, and the
// converter reads the records back in a sink task. (connect-plugins lists the TypeScript example
// plugin in such a worker but runs a built-in; cli-bundle checks the bundle itself.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestKit, processPlatform } from '../plugins/sdk/testkit.ts';
import { BIN, ROOT } from './helpers/process.ts';
import { cliBundle } from '../app/bundle.ts';
import { BUNDLE_FLAG, taskThreadBundle } from '../connectors/runtime/task-thread-bundle.ts';

// The worker runs from the CLI bundle or fails (no fallback), and no TypeScript loader is inherited.
process.env.TRIBUTARY_BUNDLE = '1';
delete process.env.NODE_OPTIONS;

const SDK = pathToFileURL(path.join(ROOT, 'plugins/sdk/index.ts')).href;

/** A plugin folder in TypeScript (type-only syntax plain node cannot run): a countdown source, a tagging transform, a reversing converter. */
function writeTsPlugin(dir: string): string {
  const p = path.join(dir, 'acme-ts');
  fs.mkdirSync(path.join(p, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(p, 'package.json'), JSON.stringify({ name: 'acme-ts', version: '3.0.0', type: 'module', main: 'index.ts' }));
  fs.writeFileSync(path.join(p, 'lib/reverse.ts'), `
export const reverse = (s: string): string => [...s].reverse().join('');
`);
  fs.writeFileSync(path.join(p, 'index.ts'), `
import { ConfigDef, SourceConnector, SourceTask, definePlugin, S, type ConnectRecord, type Converter, type ConverterResult, type Props, type SourceRecord, type Transformation } from '${SDK}';
import { reverse } from './lib/reverse.ts';

interface Countdown { topic: string; from: number }
/** Which code runs this: a bundle (the CLI's, a task thread's) sets this flag on its first line. */
const where = (): string => ((globalThis as Record<string, unknown>).${BUNDLE_FLAG} ? 'bundle' : 'sources');
const def = (): ConfigDef => new ConfigDef()
  .define({ name: 'topic', type: 'STRING', documentation: 'where to write' })
  .define({ name: 'from', type: 'INT', default: 5, documentation: 'first number' });

export class CountdownSource extends SourceConnector {
  private props: Props = {};
  version(): string { return '3.0.0'; }
  config(): ConfigDef { return def(); }
  start(props: Props): void { this.props = props; }
  taskConfigs(): Props[] { return [this.props]; }
  stop(): void {}
  taskClass() { return CountdownTask; }
}

export class CountdownTask extends SourceTask {
  private c!: Countdown;
  private next = 0;
  version(): string { return '3.0.0'; }
  start(props: Props): void { const c = def().parse(props); this.c = { topic: c.topic as string, from: c.from as number }; this.next = this.c.from; }
  async poll(): Promise<SourceRecord[] | null> {
    if (this.next <= 0) { await new Promise((r) => setTimeout(r, 100)); return null; }
    const n = this.next--;
    return [{ sourcePartition: { countdown: this.c.topic }, sourceOffset: { next: n - 1 }, topic: this.c.topic, valueSchema: S.string(), value: 'n' + n }];
  }
  stop(): void {}
}

export class Tag implements Transformation {
  private tag = '';
  config(): ConfigDef { return new ConfigDef().define({ name: 'tag', type: 'STRING', documentation: 'appended to the value' }); }
  configure(props: Props): void { this.tag = String(props.tag); }
  apply(r: ConnectRecord): ConnectRecord { return { ...r, value: String(r.value) + '|' + this.tag + '@' + where() }; }
}

/** Strings stored reversed, with a prefix: what reaches the topic shows the converter ran. */
export class ReverseConverter implements Converter {
  private prefix = 'rev:';
  configure(props: Props): void { if (props.prefix) this.prefix = String(props.prefix); }
  fromConnectData(_topic: string, _schema: unknown, value: unknown): Buffer | null {
    return value == null ? null : Buffer.from(this.prefix + reverse(String(value)));
  }
  toConnectData(_topic: string, value: Buffer | null): ConverterResult {
    if (value === null) return { schema: null, value: null };
    const s = value.toString();
    if (!s.startsWith(this.prefix)) throw new Error('not written by ReverseConverter: ' + s);
    return { schema: S.string(), value: reverse(s.slice(this.prefix.length)) + ' read@' + where() };
  }
}

export default definePlugin({
  name: 'acme-ts', version: '3.0.0',
  connectors: { 'com.acme.ts.CountdownSource': CountdownSource },
  transforms: { 'com.acme.ts.Tag': Tag },
  converters: { 'com.acme.ts.ReverseConverter': ReverseConverter },
});
`);
  return p;
}

test('tributary connect from the CLI bundle runs a TypeScript plugin from plugin.path: its source task, transform and converter in one pipeline, its converter in a sink task', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ts-plugin-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const plugin = writeTsPlugin(base);
  // Both bundles built beforehand: the worker finds its task thread bundle at once, before its first task.
  await cliBundle();
  await taskThreadBundle();
  const kit = await startTestKit({ platform: processPlatform({ bin: BIN, startTimeoutMs: 60000 }), workerConfig: { 'plugin.path': base } });
  t.after(() => kit.close());

  const all = (await kit.request('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string; type: string; version: string }[];
  for (const [cls, type] of [['com.acme.ts.CountdownSource', 'source'], ['com.acme.ts.Tag', 'transformation'], ['com.acme.ts.ReverseConverter', 'converter']]) {
    assert.deepEqual(all.find((p) => p.class === cls), { class: cls, type, version: '3.0.0' }, `${cls} listed (loaded from ${plugin})`);
  }

  await kit.createConnector('countdown', {
    'connector.class': 'CountdownSource', topic: 'countdown', from: '5',
    transforms: 'tag', 'transforms.tag.type': 'com.acme.ts.Tag', 'transforms.tag.tag': 'ts',
    'value.converter': 'com.acme.ts.ReverseConverter', 'value.converter.prefix': 'rev:',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  });
  // A task that cannot load the plugin in its thread fails (with the reason in its trace) rather than never running.
  const task = await kit.waitFor(async () => { const x = (await kit.status('countdown')).tasks[0]; return ['RUNNING', 'FAILED'].includes(x?.state) && x; }, { what: 'the countdown task started', timeoutMs: 60000 });
  assert.equal(task.state, 'RUNNING', task.trace);
  const got = await kit.consume('countdown', { count: 5, timeoutMs: 60000 });
  const reverse = (s: string) => [...s].reverse().join('');
  // The transform ran in the task's thread on its bundle, the converter after it.
  assert.deepEqual(got.map((m) => m.value!.toString()), [5, 4, 3, 2, 1].map((n) => 'rev:' + reverse(`n${n}|ts@bundle`)));

  // The same converter decoding in a sink task (another thread): the file holds the values as the transform left them.
  const out = path.join(kit.dir, 'out.txt');
  await kit.createConnector('back', { 'connector.class': 'FileStreamSink', file: out, topics: 'countdown', 'value.converter': 'com.acme.ts.ReverseConverter', 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  const sink = await kit.waitFor(async () => { const x = (await kit.status('back')).tasks[0]; return ['RUNNING', 'FAILED'].includes(x?.state) && x; }, { what: 'the sink task started', timeoutMs: 60000 });
  assert.equal(sink.state, 'RUNNING', sink.trace);
  await kit.waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= 5, { what: 'five lines in the sink file', timeoutMs: 60000 });
  assert.deepEqual(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean), [5, 4, 3, 2, 1].map((n) => `n${n}|ts@bundle read@bundle`));
  assert.equal((await kit.status('back')).tasks[0].state, 'RUNNING');
});
