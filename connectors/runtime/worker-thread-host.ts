// `tributary start` runs the broker, the registry, Connect and the UI in one process.
// startConnectInThread runs the Connect worker on a thread of its own, so no plugin
// code — module loading, a connector's start()/taskConfigs()/validate(), config
// definitions — runs on the broker's event loop (tasks have their own threads anyway).
// Only the port number, log lines (in batches) and start/stop cross.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { relog } from './thread-logs.ts';

const ENTRY = new URL('./worker-thread-entry.mjs', import.meta.url);

/** startConnect's options that can cross (not the logger, in-process plugins or a custom assigner). */
export interface ThreadedConnectOptions {
  bootstrap: string; host: string; port: number; config: Record<string, string>; dataDir: string;
  registryUrl?: string; redis?: string; groupId?: string; scanPluginsDir?: boolean;
}

export interface WorkerThreadInit { opts: ThreadedConnectOptions; logLevel: string }

export type FromWorkerThread =
  | { t: 'logs'; lines: string[] }
  | { t: 'ready'; port: number; url: string }
  | { t: 'failed'; message: string; exitCode?: number }
  | { t: 'closed' };

export async function startConnectInThread(opts: ThreadedConnectOptions & { logger: Logger }): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const { logger, ...rest } = opts;
  // the thread's loggers decide what to log (/admin/loggers changes them there): pass everything through
  const sink = logger.child({}, { level: 'trace' });
  const init: WorkerThreadInit = { opts: rest, logLevel: logger.level };
  const w = new Worker(ENTRY, { workerData: init, name: 'connect-worker' });
  let closing = false;
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => { onClosed = r; });
  const ready = new Promise<{ port: number; url: string }>((resolve, reject) => {
    w.on('message', (m: FromWorkerThread) => {
      if (m.t === 'logs') for (const l of m.lines) relog(sink, l);
      else if (m.t === 'ready') resolve({ port: m.port, url: m.url });
      else if (m.t === 'failed') reject(Object.assign(new Error(m.message), m.exitCode !== undefined ? { exitCode: m.exitCode } : {}));
      else if (m.t === 'closed') onClosed();
    });
    w.on('error', (e) => { logger.error({ err: e }, 'the Connect worker thread failed'); reject(e); });
    w.on('exit', (code) => {
      onClosed();
      if (!closing) { logger.error(`the Connect worker thread exited with code ${code}`); reject(new Error(`the Connect worker thread exited with code ${code}`)); }
    });
  });
  let r: { port: number; url: string };
  try { r = await ready; } catch (e) { await w.terminate(); throw e; }
  return {
    ...r,
    async close() {
      if (closing) return;
      closing = true;
      w.postMessage({ t: 'close' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((res) => { timer = setTimeout(res, 12000); })]);
      clearTimeout(timer);
      await w.terminate();
    },
  };
}
