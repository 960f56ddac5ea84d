// Distributed Connect (issue 10): what startConnect uses when given --redis.
// distributedAssigner() builds the Assigner; attachToHerder() makes the REST
// operations that need a unit's holder (restarts) run on that holder, wherever the
// request arrived, and shows a Redis outage in status.
import type { Logger } from 'pino';
import type { Herder, ConnectorStateInfo } from '../runtime/herder.ts';
import type { ConnectState } from '../storage/state.ts';
import type { Workload } from '../runtime/assigner.ts';
import type { Props } from '../../plugins/sdk/index.ts';
import type { TargetState } from '../storage/state.ts';
import { ConnectRestError, type ConnectErrorKind } from '../errors.ts';
import { DistributedAssigner, connectorUnit, distributedSettings, taskUnit } from './assigner.ts';

export { DistributedAssigner, distributedSettings, connectorUnit, taskUnit, parseUnit, unitsOf } from './assigner.ts';
export { ClusterCoordinator, CoordinatorConfigError, type UnitHandler, type CoordinatorOptions, type CoordinatorHealth } from './coordinator.ts';

const byHerder = new WeakMap<Herder, DistributedAssigner>();

/** The distributed assigner behind a herder (tests: crash a worker, read generations). */
export function distributedOf(herder: Herder): DistributedAssigner | undefined { return byHerder.get(herder); }

export function workOf(state: ConnectState): Workload[] {
  return [...state.connectors].map(([connector, c]) => ({ connector, tasks: c.target === 'STOPPED' ? 0 : c.tasks.length, generation: c.generation }));
}

export function distributedAssigner(o: { redis: string; groupId: string; workerId: string; url: string; logger: Logger; config: Record<string, string>; state: ConnectState }): DistributedAssigner {
  return new DistributedAssigner({
    redis: o.redis, groupId: o.groupId, workerId: o.workerId, url: o.url, logger: o.logger,
    settings: distributedSettings(o.config),
    // configs written through any worker reach this one through connect-configs
    work: () => workOf(o.state),
  });
}

type Command =
  | { op: 'restart-connector'; name: string }
  | { op: 'restart-task'; name: string; task: number }
  | { op: 'put-config'; name: string; config: Props; opts: { allowReplace: boolean; initialState?: TargetState } }
  | { op: 'target-state'; name: string; target: TargetState };
/** Errors of the REST API travel back as data, so the forwarding worker answers with the same status. */
type Reply = { value: unknown } | { error: { kind: ConnectErrorKind; message: string } };

export function attachToHerder(herder: Herder, assigner: DistributedAssigner): void {
  byHerder.set(herder, assigner);
  const coord = assigner.coordinator;
  const local = {
    putConnectorConfig: herder.putConnectorConfig.bind(herder),
    setTargetState: herder.setTargetState.bind(herder),
    restartConnector: herder.restartConnector.bind(herder),
    restartTask: herder.restartTask.bind(herder),
    status: herder.status.bind(herder),
    taskStatus: herder.taskStatus.bind(herder),
  };
  assigner.commandHandler = async (p): Promise<Reply> => {
    const c = p as Command;
    try {
      switch (c.op) {
        case 'restart-connector': await local.restartConnector(c.name, false, false); return { value: null };
        case 'restart-task': await local.restartTask(c.name, c.task); return { value: null };
        case 'put-config': return { value: await local.putConnectorConfig(c.name, c.config, c.opts) };
        case 'target-state': await local.setTargetState(c.name, c.target); return { value: null };
      }
    } catch (e) {
      if (e instanceof ConnectRestError) return { error: { kind: e.kind, message: e.message } };
      throw e;
    }
    throw new Error(`unknown command ${JSON.stringify(p)}`);
  };
  const onOwner = async (unit: string, cmd: Command): Promise<unknown> => {
    const r = (await coord.runOnOwner(unit, cmd)) as Reply;
    if ('error' in r) throw new ConnectRestError(r.error.kind, r.error.message);
    return r.value;
  };

  // Changes to an existing connector run where its Connector instance runs (it
  // restarts with the new config and writes the task configs); a new connector is
  // written here and picked up by whichever worker takes it.
  const existing = (name: string) => herder.connectorNames().includes(name);
  herder.putConnectorConfig = async (name, config, opts) => {
    if (!existing(name) || assigner.generationOf(connectorUnit(name)) !== undefined) return local.putConnectorConfig(name, config, opts);
    return (await onOwner(connectorUnit(name), { op: 'put-config', name, config, opts })) as Awaited<ReturnType<Herder['putConnectorConfig']>>;
  };
  herder.setTargetState = async (name, target) => {
    if (!existing(name) || assigner.generationOf(connectorUnit(name)) !== undefined) return local.setTargetState(name, target);
    await onOwner(connectorUnit(name), { op: 'target-state', name, target });
  };

  // Restarts run where the connector / each task runs; while a unit moves between
  // workers, runOnOwner waits for its next holder instead of answering 409.
  herder.restartConnector = async (name, includeTasks, onlyFailed) => {
    const before = local.status(name);
    if (before.connector.state === 'STOPPED') return before;
    const connectorToo = !onlyFailed || before.connector.state === 'FAILED';
    const taskIds = includeTasks ? before.tasks.filter((t) => !onlyFailed || t.state === 'FAILED').map((t) => t.id) : [];
    const plan: ConnectorStateInfo = {
      ...before,
      connector: connectorToo ? { ...before.connector, state: 'RESTARTING' } : before.connector,
      tasks: before.tasks.map((t) => (taskIds.includes(t.id) ? { ...t, state: 'RESTARTING' as const } : t)),
    };
    await Promise.all([
      ...(connectorToo ? [onOwner(connectorUnit(name), { op: 'restart-connector', name })] : []),
      ...taskIds.map((task) => onOwner(taskUnit(name, task), { op: 'restart-task', name, task })),
    ]);
    return plan;
  };
  herder.restartTask = async (name, task) => {
    local.taskStatus(name, task); // 404 for an unknown connector or task
    await onOwner(taskUnit(name, task), { op: 'restart-task', name, task });
  };

  // A Redis outage shows in the status of what this worker runs.
  const note = () => {
    const h = coord.health();
    if (h.redis === 'up') return null;
    return `Redis unreachable since ${new Date(h.since).toISOString()} (${h.error ?? 'no answer'}): worker ${herder.workerId} keeps its tasks only while their leases are provably valid`;
  };
  herder.status = (name) => {
    const s = local.status(name);
    const n = note();
    if (!n) return s;
    const mark = <T extends { worker_id: string; trace?: string }>(x: T): T => (x.worker_id === herder.workerId ? { ...x, trace: x.trace ? `${n}\n${x.trace}` : n } : x);
    return { ...s, connector: mark(s.connector), tasks: s.tasks.map(mark) };
  };
  herder.taskStatus = (name, task) => {
    const s = local.taskStatus(name, task);
    const n = note();
    return n && s.worker_id === herder.workerId ? { ...s, trace: s.trace ? `${n}\n${s.trace}` : n } : s;
  };
}
