// Admin UI, end to end: consumer groups (state, members, lag, lag history sampled
// by the UI server, offset reset with preview, refused while the group is active).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedTopic, startUiHarness } from './helpers/ui.ts';

// Sample lag every 300 ms so the history chart has points within the test.
process.env.TRIBUTARY_UI_SAMPLE_MS = '300';

test('ui: consumer groups', async (t) => {
  const h = await startUiHarness(t);
  const { page } = h;
  await seedTopic(h, 'clicks', 40, 2);

  // A consumer reads everything, commits, and stays in the group.
  const consumer = h.kafka.consumer({ groupId: 'analytics', sessionTimeout: 10_000 });
  await consumer.connect();
  let stopped = false;
  t.after(async () => { if (!stopped) await consumer.disconnect(); });
  await consumer.subscribe({ topic: 'clicks', fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => { seen++; } });
  const deadline = Date.now() + 20_000;
  while (seen < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(seen, 40);

  await t.test('list shows state and members', async () => {
    await page.goto(`${h.ui.url}/groups`);
    const row = page.getByRole('row', { name: /analytics/ });
    await row.getByText('Stable').waitFor();
    assert.match(await row.innerText(), /clicks/);
  });

  await t.test('details: members, assignments, lag per partition', async () => {
    await page.getByRole('link', { name: 'analytics' }).click();
    await page.getByRole('heading', { name: 'analytics' }).waitFor();
    await page.getByRole('table', { name: 'Members' }).getByText(/clicks: 0, 1/).waitFor();
    const lag = page.getByRole('table', { name: 'Lag per partition' });
    await lag.getByRole('row').nth(2).waitFor();
  });

  await t.test('reset is refused while the group has members', async () => {
    await page.getByText(/only reset when the group is empty/).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'Reset preview' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reset offsets' }).isDisabled(), true);
  });

  await t.test('lag history chart after new messages', async () => {
    await consumer.disconnect();
    stopped = true;
    const p = h.kafka.producer(); await p.connect();
    await p.send({ topic: 'clicks', messages: Array.from({ length: 12 }, (_, i) => ({ value: `late ${i}` })) });
    await p.disconnect();
    await page.reload();
    await page.getByRole('region', { name: 'Group figures' }).getByText('Empty').waitFor({ timeout: 15_000 });
    await page.getByRole('img', { name: /Total lag over time\. Latest: Total lag \(messages\) 12/ }).waitFor({ timeout: 15_000 });
    await h.shot('group-details');
  });

  await t.test('reset offsets to earliest with a preview', async () => {
    await page.getByLabel('Reset to').selectOption('earliest');
    assert.match(page.url(), /resetTo=earliest/);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Reset preview' });
    await preview.waitFor();
    for (const r of (await preview.getByRole('row').allInnerTexts()).slice(1)) assert.match(r, /\t0$/);
    await page.getByRole('button', { name: 'Reset offsets' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reset offsets' }).click();
    await page.getByText(/Offsets of clicks reset for 2 partition/).waitFor();
    const admin = h.kafka.admin(); await admin.connect();
    const offs = await admin.fetchOffsets({ groupId: 'analytics', topics: ['clicks'] });
    await admin.disconnect();
    assert.deepEqual(offs[0].partitions.map((p) => p.offset).sort(), ['0', '0']);
  });
});
