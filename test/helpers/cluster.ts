// A cluster of real `tributary broker` processes sharing a fresh PostgreSQL database
// (the metadata store), and kcat's view of its metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb } from './postgres.ts';
import { spawnCli, type RunningCli } from './process.ts';
import { run } from './clients.ts';

export interface ClusterDb { url: string; name: string; drop(): Promise<void> }

/** CREATE DATABASE tributary_test_<random>; drop() removes it (and ends its connections). */
export async function createClusterDb(): Promise<ClusterDb> {
  const db = await createTestDb('tributary_test');
  await db.client.end();
  return { url: db.url, name: db.name, drop: () => db.drop() };
}

export interface ClusterBroker { nodeId: number; dataDir: string; cli: RunningCli; port: number; bootstrap: string }

export class TestCluster {
  readonly brokers = new Map<number, ClusterBroker>();
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-'));
  constructor(readonly db: ClusterDb, readonly extra: string[] = []) {}

  async start(nodeId: number, extra: string[] = []): Promise<ClusterBroker> {
    const dataDir = path.join(this.root, `b${nodeId}`);
    // a loaded machine (the suite runs two files at a time) can take a while to start a broker
    const cli = await spawnCli(['broker', '--node-id', String(nodeId), '--metadata-store', this.db.url, '--kafka-port', '0', '--data-dir', dataDir, ...this.extra, ...extra], ['kafka'], 60000);
    const b = { nodeId, dataDir, cli, port: cli.ports.kafka, bootstrap: `127.0.0.1:${cli.ports.kafka}` };
    this.brokers.set(nodeId, b);
    return b;
  }

  /** kill -9: no controlled shutdown, no deregistration */
  async kill(nodeId: number): Promise<void> {
    const b = this.brokers.get(nodeId)!;
    b.cli.child.kill('SIGKILL');
    await b.cli.exited;
    this.brokers.delete(nodeId);
  }

  async stop(nodeId: number): Promise<number | null> {
    const b = this.brokers.get(nodeId)!;
    b.cli.child.kill('SIGTERM');
    const code = await b.cli.exited;
    this.brokers.delete(nodeId);
    return code;
  }

  bootstrap(): string { return [...this.brokers.values()].map((b) => b.bootstrap).join(','); }

  async close(): Promise<void> {
    for (const id of [...this.brokers.keys()]) await this.kill(id);
    await this.db.drop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface KcatMetadata {
  controllerid: number;
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[]; error?: string }[]; error?: string }[];
}

/** `kcat -L -J`, asked of one broker. */
export async function kcatMetadata(bootstrap: string, topic?: string): Promise<KcatMetadata> {
  const r = await run('kcat', ['-L', '-J', '-b', bootstrap, '-m', '5', ...(topic ? ['-t', topic] : [])], { timeoutMs: 20000 });
  if (r.status !== 0) throw new Error(`kcat -L failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A PostgreSQL of the test's own (initdb in a temp dir, run as the postgres user when
 * the tests run as root), so an outage test can stop it without touching the machine's.
 */
export class OwnPostgres {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-pg-'));
  port = 0;
  private bin = '';
  private asPostgres: string[] = [];

  async init(): Promise<void> {
    const versions = fs.readdirSync('/usr/lib/postgresql').sort();
    this.bin = `/usr/lib/postgresql/${versions.at(-1)}/bin`;
    if (process.getuid?.() === 0) { fs.chownSync(this.dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), -1); this.asPostgres = ['runuser', '-u', 'postgres', '--']; }
    this.port = await freePort();
    const r = await this.exec('initdb', ['-D', path.join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
    await this.start();
  }

  private exec(tool: string, args: string[]) {
    const cmd = [...this.asPostgres, path.join(this.bin, tool), ...args];
    return run(cmd[0], cmd.slice(1), { timeoutMs: 60000 });
  }

  async start(): Promise<void> {
    const r = await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}${r.stdout}`);
  }

  async stop(): Promise<void> {
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  url(db = 'postgres'): string { return `postgres://postgres@127.0.0.1:${this.port}/${db}`; }

  async close(): Promise<void> {
    await this.stop().catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}
