// Pausing a source task takes effect at once (issue 20): a poll() that waits for data
// (MirrorSourceTask's fetch waits up to 500 ms) and returns after the pause does not get
// its records written while the task is reported PAUSED; they are written after the
// resume, none lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneTaskSource, startTestKit } from './helpers/connect.ts';
import { SourceTask, definePlugin, S, type Props, type SourceRecord } from '../plugins/sdk/index.ts';

class SlowPollTask extends SourceTask {
  private topic = '';
  private n = 0;
  version() { return '1'; }
  start(p: Props) { this.topic = p.topic; }
  async poll(): Promise<SourceRecord[] | null> {
    await new Promise((r) => setTimeout(r, 1500));
    const n = ++this.n;
    // when poll() returned: a record returned after the pause must not reach the topic before the resume
    return [{ sourcePartition: { p: 0 }, sourceOffset: { n }, topic: this.topic, valueSchema: S.string(), value: JSON.stringify({ n, returnedAt: Date.now() }) }];
  }
  stop() {}
}
const SlowPollSource = oneTaskSource(SlowPollTask, 'topic', 'topic');
const plugin = definePlugin({ name: 'slow-poll', version: '1', connectors: { 'test.SlowPollSource': SlowPollSource } });

test('a source paused while its poll() waits writes nothing until resumed, and loses nothing', async (t) => {
  const kit = await startTestKit({ plugins: [plugin] });
  t.after(() => kit.close());
  await kit.createConnector('slow', { 'connector.class': 'SlowPollSource', topic: 'slow-out', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' });
  await kit.consume('slow-out', { count: 1, timeoutMs: 60000 });
  assert.equal((await kit.request('PUT', '/connectors/slow/pause')).status, 202);
  await kit.waitFor(async () => (await kit.status('slow')).tasks[0]?.state === 'PAUSED', { what: 'task PAUSED' });
  const pausedAt = Date.now();
  // a poll() is in flight at the pause (each takes 1.5 s): it returns within this wait
  await new Promise((r) => setTimeout(r, 3500));
  const values = async (count: number) => (await kit.consume('slow-out', { count, timeoutMs: 60000 })).map((m) => JSON.parse(m.value!.toString()) as { n: number; returnedAt: number });
  const admin = kit.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const high = async () => Number((await admin.fetchTopicOffsets('slow-out'))[0].high);
  const whilePaused = await values(await high());
  const late = whilePaused.filter((v) => v.returnedAt > pausedAt);
  assert.deepEqual(late, [], 'records returned by poll() after the task reported PAUSED were written while paused');

  assert.equal((await kit.request('PUT', '/connectors/slow/resume')).status, 202);
  const after = await values(whilePaused.length + 2);
  assert.deepEqual(after.map((v) => v.n), after.map((_, i) => i + 1), 'every record, in order, none lost or repeated');
  assert.ok(after.some((v) => v.returnedAt > pausedAt), 'the batch held during the pause is written after the resume');
});
