// The inside of the Connect worker's thread under `tributary start` (worker-thread-host.ts):
// the whole worker — plugin loading, connectors, validation, REST, the herder — runs
// here, off the event loop of the broker that shares the process; each task then gets
// its own thread below this one (task-thread-host.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { startConnect, type RunningConnect } from '../index.ts';
import { batchedLogger } from './thread-logs.ts';
import type { WorkerThreadInit, FromWorkerThread } from './worker-thread-host.ts';

const port = parentPort!;
const d = workerData as WorkerThreadInit;
const post = (m: FromWorkerThread) => port.postMessage(m);
const { logger, flush } = batchedLogger(d.logLevel, (lines) => post({ t: 'logs', lines }));

let running: RunningConnect | null = null;
try {
  running = await startConnect({ ...d.opts, logger });
  flush();
  post({ t: 'ready', port: running.port, url: running.url });
} catch (e) {
  flush();
  const err = e as Error & { exitCode?: number };
  post({ t: 'failed', message: err?.message ?? String(e), exitCode: err?.exitCode });
}

port.on('message', async (m: { t: 'close' }) => {
  if (m.t !== 'close') return;
  try { await running?.close(); } catch (e) { logger.error({ err: e }, 'error while stopping Connect'); }
  flush();
  post({ t: 'closed' });
});
