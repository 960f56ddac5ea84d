// Admin UI, end to end against the real Connect runtime (connectors/index.ts) on the
// harness's broker: list with connector and task states, create from the form that
// the plugin's config definition generates (per-field errors from /config/validate),
// pause/resume/restart, the failure trace of a failed task, delete after confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startConnect } from '../connectors/index.ts';
import { startUiHarness } from './helpers/ui.ts';

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';

test('ui: connectors', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ui-connect-'));
  const input = path.join(dir, 'input.txt');
  fs.writeFileSync(input, 'alpha\nbeta\ngamma\n');
  const h = await startUiHarness(t, {
    startConnect: (bootstrap) => startConnect({
      bootstrap, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), dataDir: dir,
      config: { 'offset.flush.interval.ms': '200' }, scanPluginsDir: false,
    }),
  });
  t.after(() => fs.rmSync(dir, { recursive: true, force: true })); // after the harness stopped the worker
  const { page } = h;

  await t.test('create from the generated form, with per-field errors', async () => {
    await page.goto(`${h.ui.url}/connectors`);
    await page.getByText('No connectors yet.').waitFor();
    await page.getByRole('link', { name: 'Create connector' }).click();
    await page.getByLabel('Connector plugin').selectOption(FILE_SOURCE);
    assert.match(page.url(), /plugin=org\.apache\.kafka\.connect\.file\.FileStreamSourceConnector/);
    // The plugin's own settings come first; Connect's generic groups are folded away.
    await page.getByLabel('Batch size').waitFor();
    assert.equal(await page.locator('form fieldset legend').first().innerText(), 'File');
    assert.equal(await page.getByLabel('Error Tolerance').isVisible(), false);
    await page.locator('summary', { hasText: 'Error Handling' }).click();
    await page.getByLabel('Error Tolerance').waitFor();
    // Nothing is red before anything is typed; whole numbers get a numeric keypad.
    assert.equal(await page.locator('form .error').count(), 0, 'no errors before typing');
    assert.equal(await page.getByLabel(/^Topic/).getAttribute('aria-invalid'), 'false');
    assert.equal(await page.getByLabel('Batch size').getAttribute('inputmode'), 'numeric');
    // A field is checked when it is left: its own error shows, untouched fields stay quiet.
    await page.getByLabel('Batch size').fill('lots');
    await page.getByLabel('Batch size').blur();
    await page.getByText(/Invalid value lots for configuration batch\.size/).waitFor();
    assert.equal(await page.getByLabel(/^Topic/).getAttribute('aria-invalid'), 'false', 'an untouched field shows no error');
    // The name's error is the REST API's own text (POST /connectors).
    await page.getByLabel('Batch size').fill('100');
    await page.getByLabel(/^File/).fill(input);
    await page.getByLabel(/^Topic/).fill('lines');
    await page.getByText(/Invalid value lots/).waitFor({ state: 'detached' }); // re-checked when left: the error goes
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByText('Connector name must be specified').waitFor();
    await page.getByLabel(/^Topic/).fill('');
    await page.getByLabel(/^File/).fill('');
    await page.getByLabel('Name', { exact: true }).fill('lines');
    await page.getByLabel('Batch size').fill('lots');
    await page.getByRole('button', { name: 'Create connector' }).click();
    // Both messages come from the worker's PUT /connector-plugins/…/config/validate.
    await page.getByText(/Invalid value lots for configuration batch\.size/).waitFor();
    await page.getByText(/Missing required configuration "topic"/).waitFor();
    assert.equal(await page.getByLabel(/^Topic/).getAttribute('aria-invalid'), 'true');
    await h.shot('connector-create-errors');
    await page.getByLabel(/^File/).fill(input);
    await page.getByLabel(/^Topic/).fill('lines');
    await page.getByLabel('Batch size').fill('100');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: 'lines' }).waitFor();
    await page.getByText('RUNNING').first().waitFor();
    // The connector really runs: the file's lines are in the topic.
    const consumer = h.kafka.consumer({ groupId: `ui-connect-check-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'lines', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); if (seen.length >= 3) resolve(); } });
    });
    await consumer.disconnect();
    // The worker's default value converter is JsonConverter with schemas.enable=true, as in Kafka Connect.
    assert.deepEqual(seen.map((v) => (JSON.parse(v) as { payload: string }).payload), ['alpha', 'beta', 'gamma']);
  });

  await t.test('failure trace of a failed task', async () => {
    // A directory where a file is expected: the task's read fails (EISDIR).
    const r = await fetch(`${h.connectUrl}/connectors`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'broken', config: { 'connector.class': 'FileStreamSource', file: dir, topic: 'broken' } }),
    });
    assert.equal(r.status, 201, await r.text());
    await page.goto(`${h.ui.url}/connectors/broken`);
    await page.getByText('FAILED').first().waitFor({ timeout: 20_000 });
    await page.getByLabel('Failure trace of task 0').getByText(/EISDIR/).waitFor();
    await h.shot('connector-details');
  });

  await t.test('pause, resume, restart', async () => {
    await page.goto(`${h.ui.url}/connectors/lines`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('PAUSED').first().waitFor();
    const paused = await (await fetch(`${h.connectUrl}/connectors/lines/status`)).json() as { connector: { state: string } };
    assert.equal(paused.connector.state, 'PAUSED');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).and(page.locator(':enabled')).waitFor();
    await page.getByText('RUNNING').first().waitFor();
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    await page.getByText('RUNNING').first().waitFor();
  });

  await t.test('list shows connector and task states', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('row', { name: /lines/ }).getByText('RUNNING').first().waitFor();
    await page.getByRole('row', { name: /broken/ }).getByText('FAILED').first().waitFor();
    await h.shot('connectors-list');
  });

  await t.test('delete after confirmation', async () => {
    for (const name of ['lines', 'broken']) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('button', { name: 'Delete connector' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(new RegExp(`Type ${name} to confirm`)).fill(name);
      await dialog.getByRole('button', { name: 'Delete connector' }).click();
      await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    }
    await page.getByText('No connectors yet.').waitFor();
    const list = await (await fetch(`${h.connectUrl}/connectors`)).json();
    assert.deepEqual(list, []);
  });
});
