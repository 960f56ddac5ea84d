// Admin UI, end to end: topics written by kcat (librdkafka) with every codec are
// browsed in the message browser, and reading them leaves no consumer group behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUiHarness } from './helpers/ui.ts';
import { kcat } from './helpers/clients.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const N = 40;

test('ui: the message browser shows records kcat produced with each codec', async (t) => {
  const h = await startUiHarness(t);
  const { page } = h;
  const admin = h.kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  for (const codec of CODECS) {
    const topic = `kcat-${codec}`;
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    // Padded values so every codec really compresses; linger so records share batches.
    const lines = Array.from({ length: N }, (_, i) => `k${i}:${JSON.stringify({ codec, n: i, pad: 'abc'.repeat(20 + i) })}`);
    await kcat(['-b', h.broker.bootstrap, '-t', topic, '-P', '-K:', '-z', codec, '-H', `codec=${codec}`, '-X', 'linger.ms=20'], lines.join('\n') + '\n');
  }
  const rows = page.getByRole('table', { name: 'Messages' }).locator('tbody tr.msg-row');

  for (const codec of CODECS) {
    await t.test(`${codec}: every record, oldest first, decoded`, async () => {
      await page.goto(`${h.ui.url}/topics/kcat-${codec}/messages?mode=oldest&limit=${N}`);
      await page.getByText(`Scanned ${N}, matched ${N}`).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0, `no error for ${codec}: ${await page.getByRole('alert').allInnerTexts()}`);
      assert.equal(await rows.count(), N);
      assert.match(await rows.first().innerText(), new RegExp(`k0[\\s\\S]*"codec":\\s*"${codec}"`));
      assert.match(await rows.last().innerText(), new RegExp(`k${N - 1}`));
      await page.getByRole('button', { name: `Message at partition 0 offset ${N - 1}` }).click();
      const value = await page.getByLabel('Value', { exact: true }).innerText();
      assert.match(value, new RegExp(`"codec": "${codec}"`));
      assert.match(value, new RegExp(`"n": ${N - 1}`));
      if (codec === 'lz4') await h.shot('messages-kcat-lz4');
      // The single-message API and newest-first read the same bytes.
      const one = await (await fetch(`${h.ui.url}/api/topics/kcat-${codec}/messages/0/7`)).json() as { key: { text: string }; headers: { key: string; value: string }[] };
      assert.equal(one.key.text, 'k7');
      assert.deepEqual(one.headers, [{ key: 'codec', value: codec }]);
    });
  }

  await t.test('newest first over a compressed topic', async () => {
    await page.goto(`${h.ui.url}/topics/kcat-lz4/messages?mode=newest&limit=5`);
    await page.getByText('Stopped at the message limit.').waitFor();
    assert.equal(await rows.count(), 5);
    assert.match(await rows.first().innerText(), new RegExp(`k${N - 1}`));
  });

  await t.test('the UI read every topic without creating a consumer group', async () => {
    const { groups } = await admin.listGroups();
    assert.deepEqual(groups.map((g) => g.groupId), []);
    const api = await (await fetch(`${h.ui.url}/api/groups`)).json() as unknown[];
    assert.deepEqual(api, []);
  });
});
