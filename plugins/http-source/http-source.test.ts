// The HTTP source against a real local HTTP server that pages with a cursor, on a real
// broker and worker (the repository's in-process test kit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestKit } from '../../test/helpers/connect.ts';

interface Api { url: string; items: { id: number; name: string }[]; requests: { cursor: string | null; auth: string | undefined; status: number }[]; failNext: number; partialLast?: boolean; close(): Promise<void> }

/** GET /events?cursor=N → items N.. (4 per page) and next_cursor, or next_cursor null once caught up. */
async function startApi(): Promise<Api> {
  const api = { items: [] as Api['items'], requests: [] as Api['requests'], failNext: 0 } as Api;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const cursor = u.searchParams.get('cursor');
    const auth = req.headers.authorization;
    const reply = (status: number, body: unknown) => { api.requests.push({ cursor, auth, status }); res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
    if (api.failNext > 0) { api.failNext--; return reply(503, { error: 'busy' }); }
    if (auth !== 'Bearer s3cret') return reply(401, { error: 'who are you' });
    const from = Number(cursor ?? 0);
    const page = api.items.slice(from, from + 4);
    // partialLast: APIs that give no next cursor for a last page that is not full yet (it grows in place)
    const last = api.partialLast ? page.length < 4 : !page.length;
    reply(200, { data: { items: page }, next_cursor: last ? null : from + page.length });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  api.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return api;
}

const add = (api: Api, n: number) => { for (let i = 0; i < n; i++) { const id = api.items.length; api.items.push({ id, name: `item-${id}` }); } };

test('HTTP source: pages through the API, retries a 503, picks up new items, and resumes from the committed cursor after a restart', async (t) => {
  const api = await startApi();
  t.after(() => api.close());
  const kit = await startTestKit();
  t.after(() => kit.close());
  add(api, 10);
  api.failNext = 1;
  const config = {
    'connector.class': 'HttpSource', 'http.url': api.url, 'http.headers': 'Authorization: Bearer s3cret', topic: 'events',
    'records.path': 'data.items', 'key.path': 'id', 'poll.interval.ms': '100',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
  };
  await kit.createConnector('api', config);
  const first = await kit.consume('events', { count: 10 });
  assert.deepEqual(first.map((m) => JSON.parse(m.value!.toString())), api.items, 'every item, in order, as JSON');
  assert.deepEqual(first.map((m) => m.key!.toString()), api.items.map((i) => String(i.id)));
  assert.equal(api.requests[0].status, 503, 'the first answer was a 503…');
  assert.equal((await kit.status('api')).tasks[0].state, 'RUNNING', '…retried, not a failure');
  assert.ok(api.requests.slice(1).every((r) => r.auth === 'Bearer s3cret'), 'headers from http.headers');

  add(api, 3); // caught up: the task asks again every poll.interval.ms
  assert.equal((await kit.consume('events', { count: 13 })).length, 13);
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/api/offsets')).body.offsets[0]?.offset.cursor === '13', { what: 'cursor 13 committed' });
  assert.deepEqual((await kit.request('GET', '/connectors/api/offsets')).body.offsets[0].partition, { url: api.url });

  await kit.restartWorker();
  const before = api.requests.length;
  add(api, 2);
  await kit.waitForRunning('api');
  await kit.waitFor(async () => (await kit.readAll('events')).length >= 15, { what: '15 records' });
  await new Promise((r) => setTimeout(r, 300));
  const all = (await kit.readAll('events')).map((m) => JSON.parse(m.value!.toString()).id);
  assert.deepEqual(all, Array.from({ length: 15 }, (_, i) => i), 'no duplicates after the restart');
  assert.equal(api.requests[before].cursor, '13', 'the restarted task asked after the committed cursor');
});

test('HTTP source: config errors name each field; a 401 fails the task with the answer in its trace', async (t) => {
  const api = await startApi();
  t.after(() => api.close());
  const kit = await startTestKit();
  t.after(() => kit.close());
  const v = await kit.request('PUT', '/connector-plugins/HttpSource/config/validate', { 'connector.class': 'HttpSource', name: 'x', 'http.url': 'ftp://nope', 'http.headers': 'Accept: a/b, no-colon', topic: 't' });
  const errors = Object.fromEntries(v.body.configs.filter((c: any) => c.value.errors.length).map((c: any) => [c.value.name, c.value.errors[0]]));
  assert.deepEqual(errors, {
    'http.url': 'Invalid value ftp://nope for configuration http.url: must be an http:// or https:// URL',
    'http.headers': 'Invalid value no-colon for configuration http.headers: must be Name: value',
  });
  await kit.createConnector('noauth', { 'connector.class': 'HttpSource', 'http.url': api.url, topic: 't' });
  const st = await kit.waitFor(async () => { const s = await kit.status('noauth'); return s.tasks[0]?.state === 'FAILED' ? s : null; }, { what: 'the task to fail' });
  assert.match(st.tasks[0].trace, /answered 401 Unauthorized: \{"error":"who are you"\}/);
});

test('HTTP source: a last page without a next cursor that grows in place sends each item once, across a restart', async (t) => {
  const api = await startApi();
  api.partialLast = true;
  t.after(() => api.close());
  const kit = await startTestKit();
  t.after(() => kit.close());
  add(api, 6); // a full page (cursor 4 next), then a page of 2 without a next cursor
  await kit.createConnector('grow', {
    'connector.class': 'HttpSource', 'http.url': api.url, 'http.headers': 'Authorization: Bearer s3cret', topic: 'grow',
    'records.path': 'data.items', 'poll.interval.ms': '50',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable': 'false',
  });
  await kit.consume('grow', { count: 6 });
  const ids = async () => (await kit.readAll('grow')).map((m) => JSON.parse(m.value!.toString()).id);
  // the cursor-4 page is asked for again every 50 ms: its two items must not be sent again
  await kit.waitFor(() => api.requests.filter((r) => r.cursor === '4').length >= 5, { what: 'the last page asked for again' });
  add(api, 1);
  await kit.waitFor(async () => (await ids()).length >= 7, { what: '7 records' });
  await kit.waitFor(() => api.requests.filter((r) => r.cursor === '4').length >= 10, { what: 'more polls of the last page' });
  assert.deepEqual(await ids(), [0, 1, 2, 3, 4, 5, 6], 'each item once');
  await kit.waitFor(async () => (await kit.request('GET', '/connectors/grow/offsets')).body.offsets[0]?.offset.skip === 3, { what: 'offset: cursor 4, 3 sent' });
  await kit.restartWorker();
  add(api, 1);
  await kit.waitForRunning('grow');
  await kit.waitFor(async () => (await ids()).length >= 8, { what: '8 records' });
  const polls = api.requests.length;
  await kit.waitFor(() => api.requests.length >= polls + 5, { what: 'more polls after the restart' });
  assert.deepEqual(await ids(), [0, 1, 2, 3, 4, 5, 6, 7], 'nothing sent twice after the restart');
});
