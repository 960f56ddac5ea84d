import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayDo, requiredRole } from './auth.ts';

test('the role each UI API write needs', () => {
  const cases: [string, string, string][] = [
    ['GET', '/api/topics', 'viewer'],
    ['POST', '/api/topics', 'admin'],
    ['DELETE', '/api/topics/t', 'admin'],
    ['POST', '/api/topics/t/messages', 'admin'],
    ['POST', '/api/groups/g/reset-offsets', 'operator'],
    ['DELETE', '/api/groups/g', 'admin'],
    ['PUT', '/api/connect/connectors/c/pause', 'operator'],
    ['PUT', '/api/connect/connectors/c/resume', 'operator'],
    ['POST', '/api/connect/connectors/c/restart?includeTasks=true&onlyFailed=false', 'operator'],
    ['POST', '/api/connect/connectors/c/tasks/0/restart', 'operator'],
    ['PUT', '/api/connect/connectors/c/config', 'admin'],
    ['DELETE', '/api/connect/connectors/c', 'admin'],
    ['POST', '/api/connect/connectors', 'admin'],
    ['PUT', '/api/connect/connector-plugins/FileStreamSource/config/validate', 'viewer'],
    ['POST', '/api/registry/compatibility/subjects/s/versions?verbose=true', 'viewer'],
    ['POST', '/api/registry/subjects/s', 'viewer'],
    ['POST', '/api/registry/subjects/s/versions', 'admin'],
    ['PUT', '/api/registry/config', 'admin'],
    ['POST', '/api/connect/connectors/c/restart/../../x', 'admin'],
    ['POST', '/api/registry/compatibility/../subjects/s/versions', 'admin'],
    ['POST', '/api/registry/compatibility/subjects/%2e%2e/versions', 'admin'],
    ['POST', '/api/registry/compatibility/subjects/s/versions/latest', 'viewer'],
    ['PUT', '/api/connect/connectors/%2E%2E/pause', 'admin'],
  ];
  for (const [m, u, role] of cases) assert.equal(requiredRole(m, u), role, `${m} ${u}`);
  assert.equal(mayDo('operator', 'POST', '/api/groups/g/reset-offsets'), true);
  assert.equal(mayDo('viewer', 'POST', '/api/groups/g/reset-offsets'), false);
  assert.equal(mayDo('operator', 'POST', '/api/topics'), false);
  assert.equal(mayDo('admin', 'DELETE', '/api/topics/x'), true);
});

test('login: session cookie attributes, CSRF on writes, 429 after repeated failures from one address', async (t) => {
  const Fastify = (await import('fastify')).default;
  const { registerUiAuth, MAX_FAILED_LOGINS } = await import('./auth.ts');
  const { UiError } = await import('./errors.ts');
  const app = Fastify();
  app.setErrorHandler((e, _req, reply) => e instanceof UiError ? reply.code(e.status).send(e.body()) : reply.code(500).send({ code: "internal", message: (e as Error).message }));
  registerUiAuth(app, { users: new Map([['adam', { name: 'adam', credential: 'pw', role: 'admin' as const }]]), sessionTimeoutMs: 60_000, secure: true });
  app.post('/api/topics', async () => ({ created: true }));
  t.after(() => app.close());
  const login = (password: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'adam', password } });
  const ok = await login('pw');
  assert.equal(ok.statusCode, 200);
  const setCookie = String(ok.headers['set-cookie']);
  assert.match(setCookie, /^tributary_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60; Secure$/);
  const cookie = setCookie.split(';')[0];
  const csrf = (ok.json() as { csrfToken: string }).csrfToken;
  assert.equal((await app.inject({ method: 'POST', url: '/api/topics', headers: { cookie } })).statusCode, 403);
  assert.equal((await app.inject({ method: 'POST', url: '/api/topics', headers: { cookie, 'x-csrf-token': 'x'.repeat(csrf.length) } })).statusCode, 403);
  assert.equal((await app.inject({ method: 'POST', url: '/api/topics', headers: { cookie, 'x-csrf-token': csrf } })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/api/topics', headers: { 'x-csrf-token': csrf } })).statusCode, 401);
  assert.equal((await login('')).statusCode, 401);
  assert.equal((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'adam' } })).statusCode, 400);
  for (let i = 1; i < MAX_FAILED_LOGINS; i++) assert.equal((await login('wrong')).statusCode, 401);
  const limited = await login('pw');
  assert.equal(limited.statusCode, 429, 'even the right password waits once the address is limited');
  assert.equal((limited.json() as { code: string }).code, 'too_many_logins');
  assert.ok(Number(limited.headers['retry-after']) > 0);
});
