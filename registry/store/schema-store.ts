// The registry's storage: an append-only log of `_schemas` records. The registry's
// state is whatever replaying the log gives, so every instance reading the same log
// agrees. Two implementations: in memory (unit tests, `store: 'memory'`) and Kafka.
import type { LogRecord } from './records.ts';

export interface SchemaStore {
  /** Replays the whole log through `apply`, keeps applying new records, resolves once caught up. */
  start(apply: (record: LogRecord, offset: number) => void): Promise<void>;
  /** Appends records in order; resolves once they have been read back and applied. */
  append(records: LogRecord[]): Promise<void>;
  /** Resolves once every record appended (by anyone) before the call has been applied. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The log in process memory. Instances given the same `log` share it, as instances share a topic. */
export class MemorySchemaStore implements SchemaStore {
  private apply: ((r: LogRecord, offset: number) => void) | null = null;
  private applied = 0;
  constructor(readonly log: LogRecord[] = []) {}

  async start(apply: (r: LogRecord, offset: number) => void): Promise<void> {
    this.apply = apply;
    this.catchUp();
  }

  private catchUp(): void {
    while (this.apply && this.applied < this.log.length) {
      const i = this.applied++;
      this.apply(this.log[i], i);
    }
  }

  async append(records: LogRecord[]): Promise<void> {
    this.log.push(...records);
    this.catchUp();
  }

  async sync(): Promise<void> { this.catchUp(); }

  async close(): Promise<void> { this.apply = null; }
}
