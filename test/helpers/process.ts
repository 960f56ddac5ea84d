// Runs the real `tributary` CLI as a child process (for kill -9 and CLI tests).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/tributary.mjs');

export interface RunningCli {
  child: ChildProcess;
  output: () => string;
  ports: Record<string, number>;
  /** resolves with the exit code */
  exited: Promise<number | null>;
}

const live = new Set<() => void>();
process.on('exit', () => { for (const reap of live) reap(); });

/** Spawns `tributary args…` and waits until each `<name> listening on host:port` line in `wait` appears. */
export async function spawnCli(args: string[], wait: string[] = ['kafka'], timeoutMs = 20000, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunningCli> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env } });
  let out = '';
  const ports: Record<string, number> = {};
  // A test file that ends abnormally (timeout, crash) must not leave CLI children
  // behind: they would keep retrying a broker that is gone and load the machine.
  const reap = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  live.add(reap);
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => { live.delete(reap); r(c); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${wait.join(', ')}; output:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/(\w+) listening on [^\s:]+:(\d+)/g)) ports[m[1]] = Number(m[2]);
      if (wait.every((w) => ports[w])) { clearTimeout(timer); resolve(); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (c) => { clearTimeout(timer); if (!wait.every((w) => ports[w])) reject(new Error(`tributary exited with ${c} before ready:\n${out}`)); });
  });
  return { child, output: () => out, ports, exited };
}
