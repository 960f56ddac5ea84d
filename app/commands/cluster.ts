// tributary cluster describe|balance — the brokers of a cluster, and a plan that
// spreads replicas and preferred leaders evenly (after brokers join, or --drain N
// to empty a broker before removing it), applied with --execute.
import fs from 'node:fs';
import { ClusterAdmin } from '../../client/admin-cluster.ts';
import { UsageError } from '../errors.ts';
import { print, runAdminCommand, type Parsed } from './common.ts';
import { planBalance, toKafkaPlan } from './cluster-plan.ts';
import { applyMoves, throttleFlag } from './partitions.ts';

const HELP = `usage: tributary cluster <describe|balance> [options]

  describe                          brokers (id, host:port, rack), the controller, replicas and leaders per broker
  balance [--drain N]… [--execute] [--throttle BYTES_PER_SEC] [--max-moves N] [--plan-file FILE] [--timeout-ms N]
      print a plan spreading every topic's replicas and preferred leaders evenly over
      the live brokers (brokers given to --drain end up empty). --plan-file writes it as
      Kafka's reassignment JSON. --execute applies it and waits until it is done,
      with progress on stderr; --max-moves N copies at most N partitions at a time;
      --throttle B limits the copying to B bytes/s per broker until it is done
      (as partitions reassign --throttle).

example:
  tributary cluster balance --bootstrap localhost:9091 --drain 3 --execute`;

const FLAGS = { '--drain': { value: true, repeat: true }, '--execute': {}, '--throttle': { value: true }, '--max-moves': { value: true }, '--plan-file': { value: true }, '--timeout-ms': { value: true } };

export async function run(argv: string[]): Promise<void> {
  await runAdminCommand(argv, {
    command: 'cluster', flags: FLAGS, help: HELP, args: false,
    subcommands: { describe, balance },
  });
}

async function snapshot(admin: ClusterAdmin) {
  const cluster = await admin.describeCluster();
  const topics = await admin.describeTopics(await admin.listTopics(true));
  const partitions = topics.flatMap((t) => t.partitions.map((x) => ({ topic: t.topic, partition: x.partition, replicas: x.replicas, leader: x.leader })));
  return { cluster, partitions };
}

async function describe(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const { cluster, partitions } = await snapshot(admin);
  const rows = cluster.brokers.sort((a, b) => a.nodeId - b.nodeId).map((b) => ({
    id: b.nodeId, endpoint: `${b.host}:${b.port}`, rack: b.rack ?? '-', controller: b.nodeId === cluster.controllerId ? 'yes' : '',
    replicas: partitions.filter((x) => x.replicas.includes(b.nodeId)).length, leaders: partitions.filter((x) => x.leader === b.nodeId).length,
  }));
  if (!p.json) process.stdout.write(`cluster ${cluster.clusterId}  controller ${cluster.controllerId}  ${partitions.length} partition(s)\n`);
  print(p, rows, undefined, { clusterId: cluster.clusterId, controllerId: cluster.controllerId, brokers: rows });
}

async function balance(p: Parsed, admin: ClusterAdmin): Promise<void> {
  const drain = p.all('--drain').flatMap((v) => v.split(',')).map((v) => {
    if (!/^\d+$/.test(v.trim())) throw new UsageError(`--drain expects broker ids, got ${JSON.stringify(v)}`);
    return Number(v);
  });
  const { cluster, partitions } = await snapshot(admin);
  const known = new Set(cluster.brokers.map((b) => b.nodeId));
  const unknown = drain.filter((d) => !known.has(d));
  if (unknown.length) throw new UsageError(`--drain names broker(s) ${unknown.join(', ')} that are not in the cluster (live brokers: ${[...known].sort((a, b) => a - b).join(', ')})`);
  const throttle = throttleFlag(p);
  if (throttle !== undefined && !p.has('--execute')) throw new UsageError('--throttle applies to --execute');
  let plan;
  try { plan = planBalance(cluster.brokers.map((b) => ({ nodeId: b.nodeId, rack: b.rack })), partitions, drain); } catch (e) { throw new UsageError((e as Error).message); }
  const kafkaPlan = toKafkaPlan(plan.moves);
  const file = p.get('--plan-file');
  if (file) fs.writeFileSync(file, JSON.stringify(kafkaPlan, null, 2) + '\n');
  if (p.json && !p.has('--execute')) { print(p, [], undefined, kafkaPlan); return; }
  if (!p.json) {
    const ids = [...new Set([...plan.before.keys(), ...plan.after.keys()])].sort((a, b) => a - b);
    print(p, ids.map((id) => ({
      broker: id, replicas: `${plan.before.get(id)?.replicas ?? 0} -> ${plan.after.get(id)?.replicas ?? 0}`, preferred_leaders: `${plan.before.get(id)?.leaders ?? 0} -> ${plan.after.get(id)?.leaders ?? 0}`,
      note: drain.includes(id) ? 'drained' : '',
    })));
    process.stdout.write(`\n${plan.moves.length} partition(s) to move${plan.moves.length ? ':' : ''}\n`);
    if (plan.moves.length) print(p, plan.moves.map((m) => ({ topic: m.topic, partition: m.partition, from: m.from.join(','), to: m.replicas.join(',') })));
    if (!p.has('--execute') && plan.moves.length) process.stdout.write('\n(dry run: add --execute to apply it)\n');
  }
  if (p.has('--execute')) await applyMoves(p, admin, plan.moves, { wait: true, timeoutMs: p.int('--timeout-ms') ?? 3_600_000, maxMoves: p.int('--max-moves'), throttle });
}
