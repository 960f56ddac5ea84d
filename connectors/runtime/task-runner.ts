// What the herder needs from a running task, source or sink.
import type { ErrorCounters } from './error-handler.ts';

export type TaskState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED';

export interface TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  readonly counters: ErrorCounters;
  /** What the task last reported through SourceTaskContext.reportProgress (sources). */
  readonly progress?: Record<string, unknown> | null;
  /** Exactly-once sources: a newer instance with the same transactional.id fenced this one; it stopped by itself. */
  readonly fenced?: boolean;
  /** Resolves once the task started (or failed to). */
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Graceful stop: flush/commit what is safe, then stop the task. */
  stop(): Promise<void>;
}

export interface TaskListener {
  onState(connector: string, task: number, state: TaskState, trace: string | null, generation: number): void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
