// The messages between the worker and a task thread (task-thread-host.ts ↔ task-thread.ts).
// Records never cross: the thread has its own Kafka clients.
import type { ErrorCounters } from './error-handler.ts';
import type { TaskSpec } from './task-factory.ts';
import type { RecordCounters, TaskState } from './task-runner.ts';

/** How often a task thread writes its heartbeat (ms since the epoch, shared memory). */
export const HEARTBEAT_MS = 100;

export type OffsetEntry = { partition: Record<string, unknown>; offset: Record<string, unknown> };

export interface ThreadInit {
  spec: TaskSpec;
  /** plugin locations to load: built-in folders (connectors/builtin/…) or plugin folders */
  locations: string[];
  bootstrap: string | string[];
  /** [0..8): Float64 heartbeat written by the thread; [8..16): Int32 fence answer (1 = may write) and Int32 'answered' flag, written by the worker */
  shared: SharedArrayBuffer;
  /** distributed mode: the thread checks the fence flag before its writes */
  fenced: boolean;
  logLevel: string;
}

export type FromThread =
  | { t: 'state'; state: TaskState; trace: string | null }
  | { t: 'logs'; lines: string[] }
  | { t: 'stats'; counters: ErrorCounters; records: RecordCounters | null; progress: Record<string, unknown> | null }
  | { t: 'call'; id: number; op: 'offsets' | 'putOffsets' | 'putActiveTopic'; args: unknown[] }
  | { t: 'started' }
  | { t: 'fence' }
  | { t: 'stopped'; fenced: boolean };

export type ToThread =
  | { t: 'init'; init: ThreadInit }
  | { t: 'reply'; id: number; value?: unknown; error?: { name: string; message: string } }
  | { t: 'pause' } | { t: 'resume' } | { t: 'stop' } | { t: 'stats' }
  | { t: 'level'; level: string };
