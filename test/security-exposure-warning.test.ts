// Binding the registry, Connect or the UI to a non-loopback address without authentication logs a
// warning naming the setting that secures it; loopback or authenticated: no warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startRegistry } from '../registry/index.ts';
import { exposureWarning as connectWarning } from '../connectors/rest/auth.ts';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(c.toString())); cb(); } });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

test('registry on 0.0.0.0 without authentication warns naming authentication.method; on 127.0.0.1 it does not', async (t) => {
  const open = capture();
  const r1 = await startRegistry({ host: '0.0.0.0', port: 0, store: 'memory', logger: open.logger });
  t.after(() => r1.close());
  const warned = open.lines.filter((l) => l.level === 40 && /without authentication/.test(l.msg));
  assert.equal(warned.length, 1);
  assert.match(warned[0].msg, /listens on 0\.0\.0\.0 .*set authentication\.method=BASIC/);
  const local = capture();
  const r2 = await startRegistry({ host: '127.0.0.1', port: 0, store: 'memory', logger: local.logger });
  t.after(() => r2.close());
  assert.deepEqual(local.lines.filter((l) => /without authentication/.test(l.msg)), []);
});

test('Connect on a non-loopback address without basic auth: the warning names rest.extension.classes', () => {
  assert.match(connectWarning('0.0.0.0', null) ?? '', /listens on 0\.0\.0\.0 .*rest\.extension\.classes=org\.apache\.kafka\.connect\.rest\.basic\.auth\.extension\.BasicAuthSecurityRestExtension/);
  assert.equal(connectWarning('127.0.0.1', null), null);
  assert.equal(connectWarning('::1', null), null);
  assert.equal(connectWarning('10.0.0.5', { users: new Map() }), null);
});

test('UI on a non-loopback address without ui.users.file warns naming it; with a users file it does not', async (t) => {
  const { startUi } = await import('../ui/server/index.ts');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-exposure-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const users = path.join(dir, 'users.properties');
  fs.writeFileSync(users, 'adam: pw,admin\n');
  // nothing listens on the bootstrap: the warning comes at start, before any broker call
  const open = capture();
  const u1 = await startUi({ bootstrap: '127.0.0.1:1', host: '0.0.0.0', port: 0, logger: open.logger, brokerAdminUrls: [] });
  t.after(() => u1.close());
  const warned = open.lines.filter((l) => l.level === 40 && /without a login/.test(l.msg));
  assert.equal(warned.length, 1);
  assert.match(warned[0].msg, /listens on 0\.0\.0\.0 .*ui\.users\.file/);
  const secured = capture();
  const u2 = await startUi({ bootstrap: '127.0.0.1:1', host: '0.0.0.0', port: 0, logger: secured.logger, brokerAdminUrls: [], config: { 'ui.users.file': users } });
  t.after(() => u2.close());
  assert.deepEqual(secured.lines.filter((l) => /without a login/.test(l.msg)), []);
  // a users file naming a user without a known role stops the UI naming the file
  fs.writeFileSync(users, 'eve: pw,superuser\n');
  await assert.rejects(startUi({ bootstrap: '127.0.0.1:1', host: '127.0.0.1', port: 0, brokerAdminUrls: [], config: { 'ui.users.file': users } }), /ui\.users\.file .*eve has no role of viewer, operator, admin/);
});
