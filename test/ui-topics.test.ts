// Admin UI, end to end: Overview, Topics (list, search, create with configs,
// partitions, edit configs, delete with confirmation) and Brokers, in Chromium
// against a real broker and the real UI server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedTopic, startUiHarness } from './helpers/ui.ts';

test('ui: overview, topics and brokers', async (t) => {
  const h = await startUiHarness(t);
  const { page } = h;
  await seedTopic(h, 'payments', 25, 2);

  await t.test('overview shows cluster figures and unreachable services', async () => {
    await page.goto(h.ui.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const figures = page.getByRole('region', { name: 'Cluster figures' });
    await figures.getByText('Brokers').waitFor();
    await figures.getByText('Under-replicated partitions').waitFor();
    assert.equal(await page.getByRole('row', { name: /Schema registry/ }).getByText('not reachable').count(), 1);
    await h.shot('overview');
  });

  await t.test('navigation is in plain words', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Overview', 'Topics', 'Consumer groups', 'Schemas', 'Connectors', 'Brokers']) {
      assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
    }
  });

  await t.test('topic list with search in the URL', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topics' }).click();
    const row = page.getByRole('row', { name: /payments/ });
    await row.waitFor();
    assert.match(await row.innerText(), /25/);
    await page.getByLabel('Search topics').fill('nomatch');
    await page.getByText('No topic matches the search.').waitFor();
    assert.match(page.url(), /\?q=nomatch/);
    await page.goBack();
    await page.goto(`${h.ui.url}/topics?q=pay`);
    await page.getByRole('link', { name: 'payments' }).waitFor();
  });

  await t.test('create a topic with a config', async () => {
    await page.getByRole('link', { name: 'Create topic' }).click();
    await page.getByLabel('Name', { exact: true }).fill('audit-log');
    await page.getByLabel('Partitions').fill('3');
    await page.getByRole('button', { name: 'Add config' }).click();
    await page.getByLabel('Config name').fill('retention.ms');
    await page.getByLabel('Value', { exact: true }).fill('3600000');
    await h.shot('topic-create');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('heading', { name: 'audit-log' }).waitFor();
    const parts = page.getByRole('table', { name: 'Partitions' });
    await parts.getByRole('row').nth(3).waitFor();
    assert.equal(await parts.getByRole('row').count(), 4); // header + 3 partitions
    assert.match(page.url(), /\/topics\/audit-log$/);
  });

  await t.test('creating a duplicate topic names the problem', async () => {
    await page.goto(`${h.ui.url}/topics/new`);
    await page.getByLabel('Name', { exact: true }).fill('payments');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('alert').getByText(/already exists/).waitFor();
  });

  await t.test('partitions show offsets, leader and replicas', async () => {
    await page.goto(`${h.ui.url}/topics/payments`);
    const table = page.getByRole('table', { name: 'Partitions' });
    await table.getByRole('columnheader', { name: 'Leader' }).waitFor();
    await table.getByRole('columnheader', { name: 'End offset' }).waitFor();
    const rows = await table.getByRole('row').allInnerTexts();
    const total = rows.slice(1).reduce((s, r) => s + Number(r.split('\t')[5]), 0);
    assert.equal(total, 25);
    await h.shot('topic-partitions');
  });

  await t.test('edit a config', async () => {
    await page.getByRole('link', { name: 'Configs' }).click();
    const input = page.getByLabel('retention.ms', { exact: true });
    await input.fill('7200000');
    await page.getByRole('button', { name: /Save changes/ }).click();
    await page.getByText('Configs saved.').waitFor();
    const admin = h.kafka.admin(); await admin.connect();
    const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'payments' }] });
    await admin.disconnect();
    assert.equal(r.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue, '7200000');
  });

  await t.test('delete a topic only after typing its name', async () => {
    await page.goto(`${h.ui.url}/topics/audit-log`);
    await page.getByRole('button', { name: 'Delete topic' }).click();
    const dialog = page.getByRole('dialog', { name: /Delete topic "audit-log"/ });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete topic' });
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(/Type audit-log to confirm/).fill('audit-log');
    await confirm.click();
    await page.getByRole('heading', { name: 'Topics' }).waitFor();
    await page.getByRole('link', { name: 'payments' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'audit-log' }).count(), 0);
  });

  await t.test('brokers page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brokers' }).click();
    const row = page.getByRole('row', { name: /controller/ });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(String(h.broker.port)));
    await h.shot('brokers');
  });

  await t.test('unknown topic shows an error, not a spinner', async () => {
    await page.goto(`${h.ui.url}/topics/does-not-exist`);
    await page.getByRole('alert').getByText(/does not exist/).waitFor();
  });
});
