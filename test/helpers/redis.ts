// Helpers for tests and benchmarks of distributed Connect: a TCP proxy in front of
// the machine's Redis that can cut or black-hole every connection (a Redis outage
// or a partition, without touching the real Redis), and key cleanup per prefix.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TRIBUTARY_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export const testPrefix = () => `trib-test-${randomUUID().slice(0, 8)}`;

/** Deletes every key under `<prefix>:`. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export class RedisProxy {
  private server!: net.Server;
  private pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  port = 0;

  constructor(private readonly target = new URL(REDIS_URL)) {}

  get url() { return `redis://127.0.0.1:${this.port}`; }

  async start(): Promise<this> {
    this.server = net.createServer((a) => {
      if (this.mode === 'refuse') { a.destroy(); return; }
      const b = net.connect(Number(this.target.port || 6379), this.target.hostname || '127.0.0.1');
      const pair = { a, b };
      this.pairs.add(pair);
      const forward = (from: net.Socket, to: net.Socket) => from.on('data', (d) => { if (this.mode === 'open') to.write(d); });
      forward(a, b);
      forward(b, a);
      const end = () => { a.destroy(); b.destroy(); this.pairs.delete(pair); };
      a.on('error', end); b.on('error', end); a.on('close', end); b.on('close', end);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Redis "down": every connection closed, new ones refused. */
  cut() {
    this.mode = 'refuse';
    for (const p of this.pairs) { p.a.destroy(); p.b.destroy(); }
    this.pairs.clear();
  }

  /** A partition: connections stay open but nothing gets through. */
  blackhole() { this.mode = 'blackhole'; }

  restore() {
    // black-holed connections carry half-delivered traffic: drop them
    if (this.mode === 'blackhole') for (const p of this.pairs) { p.a.destroy(); p.b.destroy(); }
    this.mode = 'open';
  }

  async close() {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  /** kill -9 and start again on the same port: everything in it is lost (no persistence). */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A private redis-server (Debian's binary) on a free port, without persistence, for restart tests. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  let child: import('node:child_process').ChildProcess | null = null;
  const up = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    for (;;) {
      const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try { await r.connect(); await r.ping(); r.disconnect(); return; } catch { r.disconnect(); }
      if (Date.now() > end) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const down = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 0) { await down(); if (downMs) await new Promise((r) => setTimeout(r, downMs)); await up(); },
    stop: down,
  };
}
