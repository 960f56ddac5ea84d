// Dynamic log levels (KIP-495, KIP-976 scope) on a real worker: /admin/loggers lists
// root; PUT root DEBUG makes a running task's logger emit debug lines it did not
// emit before; PUT on a connector's namespace changes only that connector and its
// tasks (also a task started later); Kafka's 400/404 answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { oneTaskSource, startTestKit } from './helpers/connect.ts';
import { SourceTask, definePlugin, type Props, type SourceRecord, type SourceTaskContext } from '../plugins/sdk/index.ts';

class ChattyTask extends SourceTask {
  private ctx!: SourceTaskContext;
  private name = '';
  version() { return '1'; }
  start(p: Props, ctx: SourceTaskContext) { this.ctx = ctx; this.name = p.label; }
  async poll(): Promise<SourceRecord[] | null> {
    this.ctx.logger.debug({ label: this.name }, 'chatty poll');
    await new Promise((r) => setTimeout(r, 30));
    return [];
  }
  stop() {}
}
const ChattySource = oneTaskSource(ChattyTask, 'label', 'label of the debug lines');
const chatty = definePlugin({ name: 'chatty', version: '1', connectors: { 'test.ChattySource': ChattySource } });

async function kitWithCapture() {
  const lines: { level: number; msg?: string; label?: string }[] = [];
  const logger = pino({ level: 'info' }, { write(s: string) { lines.push(JSON.parse(s)); } });
  const kit = await startTestKit({ plugins: [chatty], scanPluginsDir: false, logger });
  const debugOf = (label: string) => lines.filter((l) => l.level === 20 && l.msg === 'chatty poll' && l.label === label).length;
  return { kit, lines, debugOf };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('GET /admin/loggers lists root; PUT root DEBUG turns on debug lines of a running task', async (t) => {
  const { kit, debugOf } = await kitWithCapture();
  t.after(() => kit.close());
  await kit.createConnector('chatty-a', { 'connector.class': 'test.ChattySource', 'tasks.max': '1', label: 'a' });
  await kit.waitForRunning('chatty-a');

  const all = await kit.request('GET', '/admin/loggers');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body, { root: { level: 'INFO', last_modified: null } });
  assert.deepEqual((await kit.request('GET', '/admin/loggers/root')).body, { level: 'INFO', last_modified: null });
  assert.deepEqual((await kit.request('GET', '/admin/loggers/tributary.connect.connector.chatty-a.task-0')).body, { level: 'INFO', last_modified: null });
  await sleep(300);
  assert.equal(debugOf('a'), 0, 'no debug lines at INFO');

  const before = Date.now();
  const put = await kit.request('PUT', '/admin/loggers/root', { level: 'DEBUG' });
  assert.equal(put.status, 200);
  assert.deepEqual([...put.body].sort(), ['root', 'tributary.connect.connector.chatty-a', 'tributary.connect.connector.chatty-a.task-0']);
  await kit.waitFor(() => debugOf('a') > 0, { what: 'debug lines of the running task' });

  const root = (await kit.request('GET', '/admin/loggers/root')).body;
  assert.equal(root.level, 'DEBUG');
  assert.ok(root.last_modified >= before && root.last_modified <= Date.now());
  const listed = (await kit.request('GET', '/admin/loggers')).body;
  assert.equal(listed.root.level, 'DEBUG');
  assert.equal(listed['tributary.connect.connector.chatty-a.task-0'].level, 'DEBUG');
  // setting the same level again changes nothing
  assert.deepEqual((await kit.request('PUT', '/admin/loggers/root', { level: 'debug' })).body, []);
  // back to INFO: the task stops emitting debug lines
  await kit.request('PUT', '/admin/loggers/root', { level: 'INFO' });
  await sleep(100);
  const n = debugOf('a');
  await sleep(300);
  assert.equal(debugOf('a'), n);
});

test('PUT on a connector namespace changes only its descendants; later task loggers inherit; error answers', async (t) => {
  const { kit, debugOf } = await kitWithCapture();
  t.after(() => kit.close());
  await kit.createConnector('chatty-a', { 'connector.class': 'test.ChattySource', 'tasks.max': '1', label: 'a' });
  await kit.createConnector('chatty-b', { 'connector.class': 'test.ChattySource', 'tasks.max': '1', label: 'b' });
  await kit.waitForRunning('chatty-a');
  await kit.waitForRunning('chatty-b');

  const put = await kit.request('PUT', '/admin/loggers/tributary.connect.connector.chatty-a', { level: 'DEBUG' });
  assert.equal(put.status, 200);
  assert.deepEqual([...put.body].sort(), ['tributary.connect.connector.chatty-a', 'tributary.connect.connector.chatty-a.task-0']);
  await kit.waitFor(() => debugOf('a') > 0, { what: 'debug lines of chatty-a' });
  await sleep(300);
  assert.equal(debugOf('b'), 0, 'chatty-b stays at INFO');
  assert.equal((await kit.request('GET', '/admin/loggers/root')).body.level, 'INFO');
  assert.equal((await kit.request('GET', '/admin/loggers/tributary.connect.connector.chatty-b.task-0')).body.level, 'INFO');
  const listed = (await kit.request('GET', '/admin/loggers')).body;
  assert.deepEqual(Object.keys(listed).sort(), ['root', 'tributary.connect.connector.chatty-a', 'tributary.connect.connector.chatty-a.task-0']);

  // a task started later (restart) gets its namespace's level
  assert.equal((await kit.request('POST', '/connectors/chatty-a/tasks/0/restart')).status, 204);
  await kit.waitForRunning('chatty-a');
  const n = debugOf('a');
  await kit.waitFor(() => debugOf('a') > n + 2, { what: 'debug lines of the restarted task' });

  // scope=cluster: 204, applied on this worker
  assert.equal((await kit.request('PUT', '/admin/loggers/tributary.connect.connector.chatty-b?scope=cluster', { level: 'TRACE' })).status, 204);
  await kit.waitFor(() => debugOf('b') > 0, { what: 'debug lines of chatty-b after scope=cluster' });
  assert.equal((await kit.request('GET', '/admin/loggers/tributary.connect.connector.chatty-b.task-0')).body.level, 'TRACE');

  // errors, Kafka's codes and messages
  const missing = await kit.request('PUT', '/admin/loggers/root', {});
  assert.deepEqual([missing.status, missing.body], [400, { error_code: 400, message: "Desired 'level' parameter was not specified in request." }]);
  const invalid = await kit.request('PUT', '/admin/loggers/root', { level: 'LOUD' });
  assert.deepEqual([invalid.status, invalid.body], [404, { error_code: 404, message: "invalid log level 'LOUD'." }]);
  const unknown = await kit.request('GET', '/admin/loggers/no.such.logger');
  assert.deepEqual([unknown.status, unknown.body], [404, { error_code: 404, message: 'Logger no.such.logger not found.' }]);
  assert.equal((await kit.request('GET', '/admin/loggers/root')).body.level, 'INFO', 'failed PUTs changed nothing');
});
