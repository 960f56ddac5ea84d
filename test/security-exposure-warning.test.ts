// Binding the registry or Connect to a non-loopback address without authentication logs a
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
