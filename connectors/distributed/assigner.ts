// The herder's Assigner for distributed mode: connectors and tasks are leased
// units in Redis (ClusterCoordinator); this worker's share is what it holds. A unit
// is handed to the herder only after its lease is ours, and a stop returns only
// after the herder stopped it (so the lease is released after the task is down).
import type { Logger } from 'pino';
import type { Assigner, Assignment, TaskId, Workload } from '../runtime/assigner.ts';
import { ClusterCoordinator, CoordinatorConfigError, type StopReason } from './coordinator.ts';

export const connectorUnit = (name: string) => `conn:${name}`;
export const taskUnit = (name: string, task: number) => `task:${task}:${name}`;

export function parseUnit(unit: string): { connector: string } | TaskId | null {
  if (unit.startsWith('conn:')) return { connector: unit.slice(5) };
  const m = /^task:(\d+):(.*)$/s.exec(unit);
  return m ? { connector: m[2], task: Number(m[1]) } : null;
}

export function unitsOf(work: Workload[]): string[] {
  return work.flatMap((w) => [connectorUnit(w.connector), ...Array.from({ length: w.tasks }, (_, i) => taskUnit(w.connector, i))]);
}

export interface DistributedSettings { prefix: string; leaseMs: number; renewMs: number; stopTimeoutMs: number; rebalanceMs: number }

/**
 * Worker config, by Kafka Connect's distributed names where it has them:
 * session.timeout.ms (the lease, default 10000), heartbeat.interval.ms (renewal,
 * default lease/5), task.shutdown.graceful.timeout.ms (stop budget, default 5000),
 * and Tributary's redis.key.prefix (default "tributary").
 */
export function distributedSettings(config: Record<string, string>): DistributedSettings {
  const num = (k: string, d: number) => {
    if (config[k] === undefined) return d;
    const n = Number(config[k]);
    if (!Number.isFinite(n) || n <= 0) throw new CoordinatorConfigError(`invalid Connect worker config ${k}: ${config[k]} is not a positive number`);
    return n;
  };
  const leaseMs = num('session.timeout.ms', 10_000);
  const renewMs = num('heartbeat.interval.ms', Math.max(50, Math.floor(leaseMs / 5)));
  const stopTimeoutMs = num('task.shutdown.graceful.timeout.ms', 5000);
  return { prefix: config['redis.key.prefix'] || 'tributary', leaseMs, renewMs, stopTimeoutMs, rebalanceMs: num('tributary.connect.rebalance.interval.ms', Math.min(1000, leaseMs / 4)) };
}

export interface DistributedAssignerOptions {
  redis: string;
  groupId: string;
  workerId: string;
  url: string;
  logger: Logger;
  settings: DistributedSettings;
  /** Re-read on every assignment round: what the configs call for (other workers' writes included). */
  work?: () => Workload[];
}

export type CommandHandler = (payload: unknown) => Promise<unknown>;

export class DistributedAssigner implements Assigner {
  readonly coordinator: ClusterCoordinator;
  private onChange: (a: Assignment) => void | Promise<void> = () => undefined;
  private held = new Map<string, number>();
  private pushing: Promise<void> | null = null;
  private dirty = false;
  private poll: NodeJS.Timeout | null = null;
  private lastUnits = '';
  private stopped: (connector: string, task: number) => Promise<void> = async () => undefined;
  commandHandler: CommandHandler | null = null;

  constructor(private readonly o: DistributedAssignerOptions) {
    this.coordinator = new ClusterCoordinator({
      redis: o.redis, prefix: o.settings.prefix, groupId: o.groupId, workerId: o.workerId, url: o.url, logger: o.logger,
      leaseMs: o.settings.leaseMs, renewMs: o.settings.renewMs, stopTimeoutMs: o.settings.stopTimeoutMs, rebalanceMs: o.settings.rebalanceMs,
      handler: {
        start: (unit, generation) => { this.held.set(unit, generation); return this.push(); },
        stop: (unit, generation, reason) => this.stopUnit(unit, generation, reason),
        stopped: (unit) => { const p = parseUnit(unit); return p && 'task' in p ? this.stopped(p.connector, p.task) : Promise.resolve(); },
        command: (_unit, payload) => {
          if (!this.commandHandler) throw new Error('worker not ready for commands');
          return this.commandHandler(payload);
        },
      },
    });
  }

  get workerId() { return this.o.workerId; }
  readonly shared = true;

  private async stopUnit(unit: string, generation: number, reason: StopReason) {
    if (this.held.get(unit) !== generation) return;
    this.held.delete(unit);
    this.o.logger.info({ unit, reason }, 'stopping unit');
    await this.push();
  }

  /** One herder reconcile for all changes of a moment; callers wait until theirs is applied. */
  private push(): Promise<void> {
    this.dirty = true;
    if (!this.pushing) {
      this.pushing = (async () => {
        while (this.dirty) {
          this.dirty = false;
          await new Promise((r) => setImmediate(r));
          this.dirty = false;
          await this.onChange(this.assignment());
        }
      })().finally(() => { this.pushing = null; });
    }
    return this.pushing;
  }

  assignment(): Assignment {
    const a: Assignment = { connectors: [], tasks: [] };
    for (const unit of this.held.keys()) {
      const p = parseUnit(unit);
      if (!p) continue;
      if ('task' in p) a.tasks.push(p); else a.connectors.push(p.connector);
    }
    return a;
  }

  async start(onChange: (a: Assignment) => void | Promise<void>): Promise<void> {
    this.onChange = onChange;
    await this.coordinator.start();
    if (this.o.work) {
      this.poll = setInterval(() => { try { this.setWork(this.o.work!()); } catch { /* state not ready */ } }, this.o.settings.rebalanceMs);
    }
  }

  private setWork(work: Workload[]) {
    const units = unitsOf(work);
    const key = units.join('\n');
    if (key === this.lastUnits) return;
    this.lastUnits = key;
    this.coordinator.setUnits(units);
  }

  async update(work: Workload[]): Promise<void> {
    this.setWork(work);
  }

  /** Fence for a task the herder starts now: closes when this worker can no longer prove the lease. */
  fence(connector: string, task: number): (() => boolean) | undefined {
    const unit = taskUnit(connector, task);
    const generation = this.held.get(unit);
    if (generation === undefined) return () => false;
    return () => this.coordinator.isValid(unit, generation);
  }

  trackStops(stopped: (connector: string, task: number) => Promise<void>): void { this.stopped = stopped; }

  /** The lease generation of a unit held here. */
  generationOf(unit: string): number | undefined { return this.held.get(unit); }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    await this.coordinator.close();
  }

  /** Test hook: act as a worker that died (no renewals, no release). */
  crash(): void {
    if (this.poll) clearInterval(this.poll);
    this.coordinator.crash();
  }
}
