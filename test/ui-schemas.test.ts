// Admin UI, end to end: schemas against the real schema registry (kafka store on
// the test broker): register with a compatibility check first, the reason when
// incompatible, versions, highlighted text, diff, compatibility levels; Avro
// values decoded in the message browser; the "not reachable" state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startBroker } from './helpers/broker.ts';
import { startRegistry } from '../registry/index.ts';
import { startUi } from '../ui/server/index.ts';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startUiHarness } from './helpers/ui.ts';

const V1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] });
const V2 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double', default: 0 }] });
const BAD = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }] });

test('ui: schemas with the real registry', async (t) => {
  // The registry needs the broker first, so the harness gets its URL via a late-bound broker.
  const broker = await startBroker();
  t.after(() => broker.stop());
  const registry = await startRegistry({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, store: 'kafka' });
  t.after(() => registry.close());
  const ui = await startUi({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, registryUrl: registry.url });
  t.after(() => ui.close());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, timezoneId: 'UTC', colorScheme: 'dark' })).newPage();
  page.setDefaultTimeout(10_000);
  const { ARTIFACTS } = await import('./helpers/ui.ts');
  const shot = (n: string) => page.screenshot({ path: `${ARTIFACTS}/${n}.png`, fullPage: true });

  await t.test('register a first version (check, then register)', async () => {
    await page.goto(`${ui.url}/schemas`);
    await page.getByText('No schemas registered yet.').waitFor();
    await page.getByRole('link', { name: 'Register schema' }).click();
    await page.getByLabel('Subject', { exact: true }).fill('orders-value');
    await page.getByLabel('Schema', { exact: true }).fill(V1);
    assert.equal(await page.getByRole('button', { name: 'Register' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    await page.getByText(/Compatible with the existing versions/).waitFor();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'orders-value' }).waitFor();
    await page.getByText(/version 1\./).waitFor();
  });

  await t.test('an incompatible version shows the reason', async () => {
    await page.getByRole('link', { name: 'Register new version' }).click();
    await page.getByLabel('Schema', { exact: true }).fill(BAD);
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Not compatible' });
    await alert.waitFor();
    assert.ok((await alert.getByRole('listitem').count()) >= 1);
    assert.equal(await page.getByRole('button', { name: 'Register' }).isDisabled(), true);
    await shot('schema-incompatible');
  });

  await t.test('a compatible version registers; diff between versions', async () => {
    await page.getByLabel('Schema', { exact: true }).fill(V2);
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    await page.getByText(/Compatible with the existing versions/).waitFor();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText(/version 2\./).waitFor();
    await page.getByLabel('Schema text').getByText('"amount"').waitFor();
    await page.getByLabel('Compare with').selectOption('1');
    assert.match(page.url(), /diff=1/);
    const diff = page.getByRole('region', { name: 'Diff' });
    await diff.locator('.add').first().waitFor();
    assert.match(await diff.locator('.add').allInnerTexts().then((x) => x.join('\n')), /amount/);
    await shot('schema-diff');
  });

  await t.test('subject and global compatibility levels', async () => {
    await page.getByLabel('Compatibility level').selectOption('FULL');
    await page.getByRole('form', { name: 'Subject compatibility' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Use global default' }).waitFor();
    const r = await fetch(`${registry.url}/config/orders-value`);
    assert.equal(((await r.json()) as { compatibilityLevel: string }).compatibilityLevel, 'FULL');
    await page.goto(`${ui.url}/schemas`);
    await page.getByLabel('Global compatibility level').selectOption('NONE');
    await page.getByRole('form', { name: 'Global compatibility' }).getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(async (url) => (await (await fetch(url)).json()).compatibilityLevel === 'NONE', `${ui.url}/api/registry/config`);
  });

  await t.test('Avro values are decoded through the registry in the message browser', async () => {
    const id = ((await (await fetch(`${registry.url}/subjects/orders-value/versions/2`)).json()) as { id: number }).id;
    const avro = (await import('avsc')).default;
    const payload = avro.Type.forSchema(JSON.parse(V2)).toBuffer({ id: 'o-1', amount: 12.5 });
    const header = Buffer.alloc(5); header.writeInt32BE(id, 1);
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin(); await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders' }], waitForLeaders: true }); await admin.disconnect();
    const p = kafka.producer(); await p.connect();
    await p.send({ topic: 'orders', messages: [{ key: 'o-1', value: Buffer.concat([header, payload]) }] });
    await p.disconnect();
    await page.goto(`${ui.url}/topics/orders/messages`);
    await page.getByText(`Avro #${id}`).waitFor();
    await page.getByRole('button', { name: 'Message at partition 0 offset 0' }).click();
    assert.match(await page.getByLabel('Value', { exact: true }).innerText(), /"amount": 12\.5/);
  });
});

test('ui: registry and Connect not reachable', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
  const h = await startUiHarness(t, { registryUrl: `http://127.0.0.1:${port}`, connectUrl: `http://127.0.0.1:${port}` });
  await h.page.goto(`${h.ui.url}/schemas`);
  await h.page.getByRole('alert').getByText(`Schema registry not reachable at http://127.0.0.1:${port}`).waitFor();
  await h.page.goto(`${h.ui.url}/connectors`);
  await h.page.getByRole('alert').getByText(`Kafka Connect not reachable at http://127.0.0.1:${port}`).waitFor();
  await h.shot('connect-unreachable');
});
