// Where connectors and tasks run. The herder asks the Assigner and reconciles what
// runs locally with the answer; standalone runs everything here. Distributed mode
// (BullMQ/Redis) implements the same interface: each worker gets a subset, and
// calls onChange when its share moves (a worker joined, died, or lost its lock).

export interface TaskId { connector: string; task: number }

export interface Assignment {
  connectors: string[];
  tasks: TaskId[];
}

/** The cluster-wide work the herder wants run: every connector and its task count. */
export interface Workload { connector: string; tasks: number; generation: number }

export interface Assigner {
  readonly workerId: string;
  /** Starts membership; onChange is called with this worker's share, now and whenever it changes (its promise settles once the herder applied it). */
  start(onChange: (a: Assignment) => void | Promise<void>): Promise<void>;
  /** The work changed (connector added/removed, task count or generation changed). */
  update(work: Workload[]): Promise<void>;
  stop(): Promise<void>;
  /** Distributed mode: other workers run part of the work, so this worker writes statuses only for what it runs. */
  readonly shared?: boolean;
  /** Distributed mode: a check the task runs before it writes or commits; false once this worker may no longer hold the task. */
  fence?(connector: string, task: number): (() => boolean) | undefined;
  /**
   * Distributed mode: the herder tells how to wait for a task's stop to really finish
   * (onChange settles once a stop was requested, or after the graceful timeout), so a
   * lease is given up only once the task is down.
   */
  trackStops?(stopped: (connector: string, task: number) => Promise<void>): void;
}

/** Standalone: one worker, which runs everything. */
export class StandaloneAssigner implements Assigner {
  private onChange: (a: Assignment) => void = () => undefined;
  constructor(readonly workerId: string) {}
  async start(onChange: (a: Assignment) => void): Promise<void> { this.onChange = onChange; }
  async update(work: Workload[]): Promise<void> {
    this.onChange({
      connectors: work.map((w) => w.connector),
      tasks: work.flatMap((w) => Array.from({ length: w.tasks }, (_, task) => ({ connector: w.connector, task }))),
    });
  }
  async stop(): Promise<void> {}
}
