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
