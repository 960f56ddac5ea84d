import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigTransformer, ConfigProviderError, parseProperties, reverseTransform, hidePasswords, restoreHidden } from './config-providers.ts';
import { ConfigDef } from '../../plugins/sdk/index.ts';

test('parseProperties: separators, comments, continuations and escapes as Java reads them', () => {
  assert.deepEqual(parseProperties('# c\n! c\na=1\nb : 2\nc 3\nd=x\\\n   y\ne=tab\\tu\\u0041\n  f=  lead\n'), { a: '1', b: '2', c: '3', d: 'xy', e: 'tab\tuA', f: 'lead' });
});

test('file, env and directory providers; unknown keys and providers stay as written', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfgprov-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'db.properties'), 'password=s3cret\n');
  fs.mkdirSync(path.join(dir, 'k8s'));
  fs.writeFileSync(path.join(dir, 'k8s', 'token'), 'tok');
  process.env.CFGPROV_USER = 'ann';
  t.after(() => { delete process.env.CFGPROV_USER; });
  const tr = new ConfigTransformer({
    'config.providers': 'file,env,directory',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    'config.providers.directory.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    'config.providers.directory.param.allowed.paths': path.join(dir, 'k8s'),
  });
  const out = tr.transform({
    a: `\${file:${dir}/db.properties:password}`, b: 'u=${env:CFGPROV_USER};p=${file:' + dir + '/db.properties:password}',
    c: `\${directory:${dir}/k8s:token}`, d: `\${file:${dir}/db.properties:nope}`, e: '${vault:x:y}', f: 'plain', g: `\${directory:${dir}/k8s:../db.properties}`,
  });
  assert.deepEqual(out, { a: 's3cret', b: 'u=ann;p=s3cret', c: 'tok', d: `\${file:${dir}/db.properties:nope}`, e: '${vault:x:y}', f: 'plain', g: `\${directory:${dir}/k8s:../db.properties}` });
  assert.throws(() => tr.transform({ x: `\${directory:${dir}:db.properties}` }), /not in the config provider's allowed.paths/);
  assert.throws(() => tr.transform({ x: `\${file:${dir}/none.properties:k}` }), /none\.properties: ENOENT/);
  fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'k8s', 'dangling'));
  assert.throws(() => tr.transform({ x: `\${directory:${dir}/k8s:dangling}` }), (e: Error) => e instanceof ConfigProviderError && /could not read .*dangling: ENOENT/.test(e.message));
});

test('reverseTransform puts the placeholders back into task configs; hidePasswords/restoreHidden', () => {
  assert.deepEqual(reverseTransform({ p: '${file:/s:p}', q: 'x' }, [{ p: 'secret', q: 'x', r: 'y' }]), [{ p: '${file:/s:p}', q: 'x', r: 'y' }]);
  const def = new ConfigDef().define({ name: 'pw', type: 'PASSWORD', default: '', documentation: '' });
  assert.deepEqual(hidePasswords({ pw: 'x', a: 'b' }, def), { pw: '[hidden]', a: 'b' });
  assert.deepEqual(hidePasswords({ pw: '${env:PW}' }, def), { pw: '${env:PW}' });
  assert.deepEqual(hidePasswords({ pw: 'a${env:PW}' }, def), { pw: '[hidden]' });
  assert.deepEqual(restoreHidden({ pw: '[hidden]', a: '1' }, { pw: 'old' }, def), { pw: 'old', a: '1' });
});
