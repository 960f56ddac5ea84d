// Log lines across a thread boundary: the thread's pino logger writes JSON lines that
// go to the parent in batches (one message per ~20 ms, not one per line); the parent
// writes each through its own logger, which adds its bindings.
import pino, { type Logger } from 'pino';

/** A pino logger whose lines go to `send` in batches; `flush()` sends what is buffered now. */
export function batchedLogger(level: string, send: (lines: string[]) => void): { logger: Logger; flush: () => void } {
  let lines: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    if (lines.length) { send(lines); lines = []; }
  };
  const logger = pino({ level, base: undefined }, { write(s: string) { lines.push(s); timer ??= setTimeout(flush, 20); } });
  return { logger, flush };
}

/** Writes a line of a thread's logger through `logger` (level, message and fields kept; its time is the parent's). */
export function relog(logger: Logger, line: string): void {
  let o: Record<string, unknown>;
  try { o = JSON.parse(line); } catch { return; }
  const { level, time: _time, msg, err, ...rest } = o as { level: number; time?: number; msg?: string; err?: { type?: string; message?: string; stack?: string } } & Record<string, unknown>;
  // pino's err serializer keeps type and stack only from an Error
  if (err && typeof err === 'object') rest.err = Object.assign(new Error(err.message ?? ''), { name: err.type ?? 'Error', stack: err.stack });
  const label = (pino.levels.labels[level] ?? 'info') as 'info';
  logger[label](rest, msg);
}
