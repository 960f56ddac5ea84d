// s3rver for tests and benchmarks: a real S3-protocol server in this process on
// a free port, path-style, backed by a temp directory. Counts PUTs per key (from
// s3rver's S3 event notifications) so tests can prove nothing is uploaded twice.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface TestS3 {
  endpoint: string;
  port: number;
  bucket: string;
  dir: string;
  /** object key → number of PUTs received */
  puts: Map<string, number>;
  deletes: Map<string, number>;
  /** broker configs pointing at this server */
  config(extra?: Record<string, string>): Record<string, string>;
  /** keys currently stored under `prefix` */
  keys(prefix?: string): string[];
  /** simulates an outage: closes the listener and every open connection */
  stop(): Promise<void>;
  /** serves again on the same port and directory */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export async function startTestS3(bucket = 'tiered'): Promise<TestS3> {
  // The SDK reads credentials from the standard chain; s3rver accepts these.
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  const S3rver = require('s3rver');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const port = await freePort();
  const puts = new Map<string, number>();
  const deletes = new Map<string, number>();
  let server: any = null;
  const start = async () => {
    server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }], vhostBuckets: false });
    server.on('event', (e: any) => {
      for (const r of e.Records ?? []) {
        const key = decodeURIComponent(r.s3.object.key);
        const m = r.eventName.startsWith('ObjectCreated') ? puts : r.eventName.startsWith('ObjectRemoved') ? deletes : null;
        m?.set(key, (m.get(key) ?? 0) + 1);
      }
    });
    await server.run();
  };
  const stop = async () => {
    if (!server) return;
    const s = server; server = null;
    const closed = s.close();
    s.httpServer?.closeAllConnections?.();
    await closed;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, port, bucket, dir, puts, deletes,
    config: (extra = {}) => ({
      'remote.log.storage.system.enable': 'true', 'tiered.s3.endpoint': endpoint, 'tiered.s3.bucket': bucket,
      'tiered.s3.force.path.style': 'true', 'tiered.s3.region': 'us-east-1', 'tiered.s3.prefix': 'tributary/', ...extra,
    }),
    keys(prefix = '') {
      const root = path.join(dir, bucket);
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const full = path.join(d, e.name);
          if (e.isDirectory()) {
            // s3rver stores an object as <key>._S3rver_object next to its metadata
            walk(full);
          } else if (e.name.endsWith('._S3rver_object')) out.push(path.relative(root, full).slice(0, -'._S3rver_object'.length));
        }
      };
      try { walk(root); } catch { /* empty */ }
      return out.filter((k) => k.startsWith(prefix)).sort();
    },
    stop, start,
    async close() { await stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}
