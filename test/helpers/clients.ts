// Real Kafka clients run as child processes, asynchronously (the broker under
// test often runs in this same process, so a blocking spawn would stall it).
import path from 'node:path';
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

export interface TxnSteps {
  /** resolves once init_transactions returned */
  ready(): Promise<Record<string, unknown>>;
  /** one command of test/py/txn_steps.py (`commit NAME N`, `abort …`, `open …`, `end`, `quit`); its JSON answer */
  send(cmd: string): Promise<Record<string, unknown>>;
}

/** test/py/txn_steps.py: a librdkafka transactional producer the test drives one command at a time. */
export function txnSteps(bootstrap: string, topic: string, transactionalId: string, config: Record<string, string | number>, after: (fn: () => void) => void): TxnSteps {
  const script = path.resolve(import.meta.dirname, '../py/txn_steps.py');
  const child = spawn(PYTHON, [script, bootstrap, topic, transactionalId, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  after(() => { child.kill('SIGKILL'); });
  const answers: Record<string, unknown>[] = [];
  let buf = ''; let err = '';
  const waiting: (() => void)[] = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { answers.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    for (const w of waiting.splice(0)) w();
  });
  child.stderr.on('data', (d) => { err += d; });
  child.on('exit', () => { for (const w of waiting.splice(0)) w(); });
  child.stdin.on('error', () => { /* exited: reported by next() */ });
  let read = 0;
  const next = async (): Promise<Record<string, unknown>> => {
    while (read >= answers.length) {
      if (child.exitCode !== null) throw new Error(`txn_steps.py (${transactionalId}) exited ${child.exitCode}: ${err.slice(-2000)}`);
      await new Promise<void>((r) => waiting.push(r));
    }
    const a = answers[read++];
    if ('error' in a) throw new Error(`txn_steps.py (${transactionalId}): ${a.error}\n${err.slice(-2000)}`);
    return a;
  };
  return { ready: next, send(cmd) { child.stdin.write(cmd + '\n'); return next(); } };
}
