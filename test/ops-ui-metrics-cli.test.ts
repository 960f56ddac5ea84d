// The UI started as users start it reads the broker's /metrics: `tributary start`
// hands it its own admin port; `tributary ui --admin-urls` names the brokers' ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnCli } from './helpers/process.ts';
import { tempDir } from './helpers/broker.ts';
import { kcat } from './helpers/clients.ts';

process.env.TRIBUTARY_UI_SAMPLE_MS = '300';

async function overview(url: string, ok: (o: any) => boolean): Promise<any> {
  const end = Date.now() + 30_000;
  let o: any = null;
  while (Date.now() < end) {
    o = await (await fetch(`${url}/api/overview`)).json();
    if (ok(o)) return o;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`overview never matched: ${JSON.stringify(o)}`);
}

test('tributary start: the UI charts from its broker\'s admin port', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const p = await spawnCli(['start', '--data-dir', dir, '--kafka-port', '0', '--registry-port', '0', '--connect-port', '0', '--ui-port', '0'], ['kafka', 'admin', 'ui'], 60000);
  t.after(() => p.child.kill('SIGKILL'));
  const bootstrap = `127.0.0.1:${p.ports.kafka}`;
  await kcat(['-b', bootstrap, '-t', 'start-m', '-P'], 'a\nb\nc\n');
  const o = await overview(`http://127.0.0.1:${p.ports.ui}`, (x) => x.messagesIn === 3);
  assert.deepEqual(o.metricsSource, { kind: 'metrics', urls: [`http://127.0.0.1:${p.ports.admin}`] });
});

test('tributary ui --admin-urls: the UI charts from the named admin ports', async (t) => {
  const dir = tempDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const b = await spawnCli(['broker', '--data-dir', path.join(dir, 'b'), '--kafka-port', '0', '--admin-port', '0'], ['kafka', 'admin'], 30000);
  t.after(() => b.child.kill('SIGKILL'));
  const bootstrap = `127.0.0.1:${b.ports.kafka}`;
  const admin = `http://127.0.0.1:${b.ports.admin}`;
  const ui = await spawnCli(['ui', '--bootstrap', bootstrap, '--ui-port', '0', '--data-dir', path.join(dir, 'u'), '--admin-urls', admin], ['ui'], 60000);
  t.after(() => ui.child.kill('SIGKILL'));
  await kcat(['-b', bootstrap, '-t', 'cli-m', '-P'], 'a\nb\nc\nd\n');
  const o = await overview(`http://127.0.0.1:${ui.ports.ui}`, (x) => x.messagesIn === 4);
  assert.deepEqual(o.metricsSource, { kind: 'metrics', urls: [admin] });
});
