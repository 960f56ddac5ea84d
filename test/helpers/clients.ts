// Real Kafka clients run as child processes, asynchronously (the broker under
// test often runs in this same process, so a blocking spawn would stall it).
import { spawn } from 'node:child_process';

export interface RunResult { status: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); stderr += `\n[killed after ${opts.timeoutMs ?? 60000} ms]`; }, opts.timeoutMs ?? 60000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.stdin.on('error', () => { /* child exited early */ });
    if (opts.input !== undefined) child.stdin.end(opts.input); else child.stdin.end();
  });
}

/** kcat, failing the test with its stderr when it fails. */
export async function kcat(args: string[], input?: string): Promise<string> {
  const r = await run('kcat', args, { input, timeoutMs: 60000 });
  if (r.status !== 0) throw new Error(`kcat ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Debian's python3 (where python3-confluent-kafka is installed), not pyenv's. */
export const PYTHON = '/usr/bin/python3';

export async function python(args: string[], timeoutMs = 120000): Promise<RunResult> {
  return run(PYTHON, args, { timeoutMs });
}
