// Debian's Prometheus server, started by a test on a free port with a generated
// config that scrapes the test's components every second; queried through its
// HTTP API, as a dashboard or alert would.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './broker.ts';

export const PROMETHEUS = '/usr/bin/prometheus';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export interface RunningPrometheus {
  url: string;
  /** instant query; returns the result vector */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** polls `expr` until `ok(value of the first sample, or null)` holds; returns that value */
  waitFor(expr: string, ok: (v: number | null) => boolean, timeoutMs?: number): Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` (job name → host:port list, path /metrics) every second. */
export async function startPrometheus(targets: Record<string, string[]>): Promise<RunningPrometheus> {
  const dir = tempDir('tributary-prom-');
  const port = await freePort();
  const jobs = Object.entries(targets).map(([job, t]) =>
    `  - job_name: ${JSON.stringify(job)}\n    scrape_interval: 1s\n    scrape_timeout: 900ms\n    static_configs:\n      - targets: ${JSON.stringify(t)}\n`).join('');
  const cfg = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(cfg, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${jobs}`);
  const child: ChildProcess = spawn(PROMETHEUS, [
    `--config.file=${cfg}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]); }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    try { if ((await fetch(`${url}/-/ready`)).ok) break; } catch { /* not listening yet */ }
    if (child.exitCode !== null || Date.now() > deadline) { await stop(); throw new Error(`prometheus did not start: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const query = async (expr: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await res.json() as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  };
  const waitFor = async (expr: string, ok: (v: number | null) => boolean, timeoutMs = 30000) => {
    const end = Date.now() + timeoutMs;
    let last: number | null = null;
    for (;;) {
      const r = await query(expr);
      last = r.length ? Number(r[0].value[1]) : null;
      if (ok(last)) return last;
      if (Date.now() > end) throw new Error(`prometheus: ${expr} never satisfied the condition; last value ${last}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  };
  return { url, query, waitFor, stop };
}
