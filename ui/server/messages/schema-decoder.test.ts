import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaDecoder } from './schema-decoder.ts';

test('a schema id the registry does not know is fetched once, not once per record', async (t) => {
  let requests = 0;
  const server = createServer((_req, res) => { requests++; res.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40403,"message":"Schema not found"}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const decoder = new SchemaDecoder(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const record = Buffer.from([0, 0, 0, 0, 42, 1, 2, 3]);
  for (let i = 0; i < 5; i++) await assert.rejects(decoder.decode(42, record), /404 for schema id 42/);
  assert.equal(requests, 1);
});
