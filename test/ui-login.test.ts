// UI login (ui.users.file): no session -> the API answers 401 and pages go to /login;
// a viewer sees no "Create topic" and the API refuses its write with 403 (also with a
// valid CSRF token); writes without the CSRF token are refused; an admin creates a
// topic through the page; the session cookie is HttpOnly and SameSite=Strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startUiHarness } from './helpers/ui.ts';

test('UI login: viewer reads only (button absent, API 403), admin creates a topic, no session -> 401 / login page', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ui-login-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const users = path.join(dir, 'ui-users.properties');
  fs.writeFileSync(users, '# user: password,role\nvera: viewer-pw,viewer\nolga: operator-pw,operator\nadam: admin-pw,admin\n');
  const h = await startUiHarness(t, { uiConfig: { 'ui.users.file': users } });
  const { page } = h;

  await t.test('no session: the API answers 401 and a page goes to the login form', async () => {
    const r = await fetch(`${h.ui.url}/api/topics`);
    assert.equal(r.status, 401);
    assert.equal((await r.json() as { code: string }).code, 'unauthenticated');
    const w = await fetch(`${h.ui.url}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sneaky', partitions: 1, replicationFactor: 1 }) });
    assert.equal(w.status, 401);
    await page.goto(`${h.ui.url}/topics`);
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    assert.match(page.url(), /\/login\?next=%2Ftopics$/);
  });

  await t.test('a wrong password is refused', async () => {
    await page.getByLabel('User name').fill('vera');
    await page.getByLabel('Password').fill('not-it');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Wrong user name or password').waitFor();
  });

  await t.test('viewer: no create button, the API refuses writes (403) even with the CSRF token', async () => {
    await page.getByLabel('Password').fill('viewer-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Topics' }).waitFor();
    await page.getByText('vera (viewer)').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create topic' }).count(), 0);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'tributary_session');
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.secure, false, 'plain http: no Secure flag');
    const me = await (await page.request.get(`${h.ui.url}/api/auth/me`)).json() as { role: string; csrfToken: string };
    assert.equal(me.role, 'viewer');
    const body = { name: 'viewer-topic', partitions: 1, replicationFactor: 1 };
    const forbidden = await page.request.post(`${h.ui.url}/api/topics`, { data: body, headers: { 'x-csrf-token': me.csrfToken } });
    assert.equal(forbidden.status(), 403);
    assert.equal((await forbidden.json() as { code: string }).code, 'forbidden');
    const noCsrf = await page.request.post(`${h.ui.url}/api/topics`, { data: body });
    assert.equal(noCsrf.status(), 403);
    assert.equal((await noCsrf.json() as { code: string }).code, 'csrf');
    // reads work, and the viewer's write never reached the broker
    const list = await page.request.get(`${h.ui.url}/api/topics`);
    assert.equal(list.status(), 200);
    assert.ok(!(await list.json() as { name: string }[]).some((x) => x.name === 'viewer-topic'));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    assert.equal((await page.request.get(`${h.ui.url}/api/topics`)).status(), 401, 'logged out: the old cookie is gone');
  });

  await t.test('operator: may reset offsets and pause connectors, may not create topics', async () => {
    await page.getByLabel('User name').fill('olga');
    await page.getByLabel('Password').fill('operator-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('olga (operator)').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create topic' }).count(), 0);
    const me = await (await page.request.get(`${h.ui.url}/api/auth/me`)).json() as { csrfToken: string };
    const headers = { 'x-csrf-token': me.csrfToken };
    // past the role check: the group does not exist (404), not 403
    const reset = await page.request.post(`${h.ui.url}/api/groups/no-such-group/reset-offsets`, { data: { topic: 'x', target: 'earliest' }, headers });
    assert.notEqual(reset.status(), 403, await reset.text());
    assert.notEqual(reset.status(), 401);
    const create = await page.request.post(`${h.ui.url}/api/topics`, { data: { name: 'operator-topic', partitions: 1, replicationFactor: 1 }, headers });
    assert.equal(create.status(), 403);
    const del = await page.request.delete(`${h.ui.url}/api/topics/__consumer_offsets`, { headers });
    assert.equal(del.status(), 403);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
  });

  await t.test('admin: creates a topic through the page', async () => {
    await page.getByLabel('User name').fill('adam');
    await page.getByLabel('Password').fill('admin-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('adam (admin)').waitFor();
    await page.goto(`${h.ui.url}/topics`);
    await page.getByRole('link', { name: 'Create topic' }).click();
    await page.getByLabel('Name', { exact: true }).fill('admin-topic');
    await page.getByRole('form', { name: 'Create topic' }).getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('heading', { name: 'admin-topic' }).waitFor();
    await h.shot('login-admin-created-topic');
  });
});
