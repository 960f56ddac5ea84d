// What the herder needs from a running task, source or sink.
import type { KafkaAdmin, KafkaProducer } from '../../client/index.ts';
import type { Logger } from 'pino';
import type { Converter, Props } from '../../plugins/sdk/index.ts';
import type { ErrorConfig } from '../config.ts';
import type { ConnectState } from '../storage/state.ts';
import type { ErrorCounters } from './error-handler.ts';
import type { TransformChain } from './transform-chain.ts';

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

/** What the herder hands every task runner, source or sink. */
export interface RunnerOptions<T> {
  connector: string;
  taskId: number;
  generation: number;
  taskClass: new () => T;
  taskProps: Props;
  keyConverter: { converter: Converter; className: string };
  valueConverter: { converter: Converter; className: string };
  chain: TransformChain;
  errors: ErrorConfig;
  /** sources: the task's producer; sinks: the worker's (dead letter queue) */
  producer: KafkaProducer;
  admin: KafkaAdmin;
  state: ConnectState;
  logger: Logger;
  listener: TaskListener;
  flushIntervalMs: number;
  startPaused: boolean;
  /** Distributed mode: false once this worker may no longer hold the task (no more writes or commits). */
  fence?: () => boolean;
}

export interface TaskListener {
  onState(connector: string, task: number, state: TaskState, trace: string | null, generation: number): void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
