// s3rver on a free port with a temp directory, for the S3 connector tests and bench.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface LocalS3 { endpoint: string; bucket: string; props: Record<string, string>; close(): Promise<void>; stop(): Promise<void>; start(): Promise<void> }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export async function startLocalS3(bucket = 'sink'): Promise<LocalS3> {
  const S3rver = require('s3rver');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-conn-'));
  const port = await freePort();
  let server: { run(): Promise<unknown>; close(): Promise<void>; httpServer?: { closeAllConnections?(): void } } | null = null;
  const start = async () => {
    server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }], vhostBuckets: false });
    await server!.run();
  };
  const stop = async () => {
    const s = server;
    server = null;
    if (!s) return;
    const closed = s.close();
    s.httpServer?.closeAllConnections?.();
    await closed;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, bucket, start, stop,
    props: { 's3.bucket.name': bucket, 's3.region': 'us-east-1', 'store.url': endpoint, 's3.path.style.access.enabled': 'true', 'aws.access.key.id': 'S3RVER', 'aws.secret.access.key': 'S3RVER' },
    async close() { await stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}
