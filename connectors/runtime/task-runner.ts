// What the herder needs from a running task, source or sink.
import type { KafkaAdmin, KafkaProducer } from '../../client/index.ts';
import type { Logger } from 'pino';
import type { Converter, Props } from '../../plugins/sdk/index.ts';
import type { ErrorConfig } from '../config.ts';
import type { ConnectState } from '../storage/state.ts';
import type { ErrorCounters } from './error-handler.ts';
import type { TransformChain } from './transform-chain.ts';

export type TaskState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED';

/** Record and commit totals of one task (Connect's source-task / sink-task / offset-commit metrics). */
export interface RecordCounters {
  /** sources: records poll() returned / the broker acknowledged; sinks: records handed to put() / put() completed */
  polled: number; written: number; read: number; sent: number;
  commits: number; commitMsTotal: number; commitMsMax: number;
}
export const newRecordCounters = (): RecordCounters => ({ polled: 0, written: 0, read: 0, sent: 0, commits: 0, commitMsTotal: 0, commitMsMax: 0 });
/** Times one offset commit into `c`. */
export function countCommit(c: RecordCounters, startedMs: number): void { const ms = performance.now() - startedMs; c.commits++; c.commitMsTotal += ms; if (ms > c.commitMsMax) c.commitMsMax = ms; }

export interface TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  readonly generation: number;
  readonly counters: ErrorCounters;
  readonly records?: RecordCounters;
  /** What the task last reported through SourceTaskContext.reportProgress. */
  readonly progress?: Record<string, unknown> | null;
  /** Exactly-once sources: a newer instance with the same transactional.id fenced this one; it stopped by itself. */
  readonly fenced?: boolean;
  /** Resolves once the task started (or failed to). */
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Task threads: fetch fresh counters and progress (they are snapshots otherwise). */
  refresh?(): Promise<void>;
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
  state: TaskStateAccess;
  logger: Logger;
  listener: TaskListener;
  flushIntervalMs: number;
  startPaused: boolean;
  /** Distributed mode: false once this worker may no longer hold the task (no more writes or commits). */
  fence?: () => boolean;
}

/** The part of ConnectState a task runner uses: its connector's offsets and active topics (a task thread gets a proxy). */
export type TaskStateAccess = Pick<ConnectState, 'offset' | 'offsets' | 'putOffsets' | 'putActiveTopic'>;

export interface TaskListener {
  onState(connector: string, task: number, state: TaskState, trace: string | null, generation: number): void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
