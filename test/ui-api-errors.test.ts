// The UI API's answers when Kafka says no or is not there: each a clear error body
// ({ code, message, target? }) with the right status, never a hang or a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { buildApp } from '../ui/server/index.ts';
import { startBroker } from './helpers/broker.ts';

test('ui api: a broker that is not there answers 503 kafka_unreachable, quickly', async (t) => {
  // A port that was free a moment ago: connections are refused.
  const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
  const { app } = await buildApp({ bootstrap: `127.0.0.1:${port}`, sampleIntervalMs: 60_000 });
  t.after(() => app.close());
  for (const url of ['/api/topics', '/api/overview', '/api/groups', '/api/topics/orders/browse?mode=oldest', '/api/topics/orders/messages/0/0']) {
    const t0 = Date.now();
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 503, `${url}: ${r.body}`);
    const body = r.json() as { code: string; message: string; target: string };
    assert.equal(body.code, 'kafka_unreachable', url);
    assert.match(body.message, new RegExp(`the broker at 127\\.0\\.0\\.1:${port} is not reachable`));
    assert.equal(body.target, `127.0.0.1:${port}`);
    assert.ok(Date.now() - t0 < 10_000, `${url} took ${Date.now() - t0} ms`);
  }
  const p = await app.inject({ method: 'POST', url: '/api/topics/orders/messages', payload: { value: 'x' } });
  assert.equal(p.statusCode, 503, p.body);
});

test('ui api: what the broker refuses is named', async (t) => {
  const broker = await startBroker({ config: { 'auto.create.topics.enable': 'false' } });
  t.after(() => broker.stop());
  const { app } = await buildApp({ bootstrap: broker.bootstrap, sampleIntervalMs: 60_000 });
  t.after(() => app.close());

  const created = await app.inject({ method: 'POST', url: '/api/topics', payload: { name: 'orders', partitions: 2 } });
  assert.equal(created.statusCode, 201, created.body);
  const dup = await app.inject({ method: 'POST', url: '/api/topics', payload: { name: 'orders' } });
  assert.equal(dup.statusCode, 409);
  assert.deepEqual(dup.json().code, 'topic_exists');
  assert.match(dup.json().message, /Topic "orders" already exists/);

  for (const url of ['/api/topics/nope', '/api/topics/nope/browse?mode=oldest']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
    assert.equal(r.json().code, 'topic_not_found');
  }
  const produce = await app.inject({ method: 'POST', url: '/api/topics/nope/messages', payload: { value: 'x' } });
  assert.ok(produce.statusCode >= 400 && produce.statusCode < 500 && produce.statusCode !== 500, produce.body);
  assert.match(produce.json().message, /producing to "nope"/);

  const missing = await app.inject({ method: 'GET', url: '/api/topics/orders/messages/0/5' });
  assert.equal(missing.statusCode, 404, missing.body);
  assert.equal(missing.json().code, 'message_not_found');

  const badConfig = await app.inject({ method: 'PATCH', url: '/api/topics/orders/configs', payload: { set: { 'retention.ms': 'soon' } } });
  assert.equal(badConfig.statusCode, 400, badConfig.body);
  assert.equal(badConfig.json().code, 'kafka_rejected');
  assert.match(badConfig.json().message, /retention\.ms/);

  const noGroup = await app.inject({ method: 'DELETE', url: '/api/groups/nobody' });
  assert.equal(noGroup.statusCode, 404, noGroup.body);
  assert.equal(noGroup.json().code, 'group_not_found');

  const shrink = await app.inject({ method: 'POST', url: '/api/topics/orders/partitions', payload: { count: 1 } });
  assert.equal(shrink.statusCode, 400, shrink.body);
  assert.equal(shrink.json().code, 'kafka_rejected');
});
